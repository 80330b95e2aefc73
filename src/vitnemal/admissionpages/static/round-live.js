// The admission rounds' progress without reloading: the list's bars and one round's numbers, read from the pages'
// .json twins every two seconds while a round runs (textContent only: nothing read becomes markup). Without
// JavaScript a reload shows the same. Stops when no round shown is running.
(function () {
  "use strict";
  function every(url, show) {
    function poll() {
      fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (state) {
          var again = state ? show(state) : true;
          if (again) { window.setTimeout(poll, 2000); }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 1000);
  }
  function set(el, text) { if (el && el.textContent !== text) { el.textContent = text; } }

  var list = document.getElementById("rounds-live");
  if (list && list.querySelector("tr[data-live='yes']")) {
    every(list.getAttribute("data-url"), function (state) {
      var running = false;
      state.rounds.forEach(function (r) {
        var row = list.querySelector("tr[data-round='" + r.id + "']");
        if (!row) { return; }
        var bar = row.querySelector(".round-bar");
        bar.max = r.applicants;
        bar.value = r.done;
        bar.textContent = r.percent + " %";
        set(row.querySelector(".round-count"), r.done + " / " + r.applicants);
        set(row.querySelector(".round-status"), r.status_text);
        row.setAttribute("data-live", r.live ? "yes" : "no");
        running = running || r.live;
      });
      return running;
    });
  }

  var one = document.getElementById("round-live");
  if (one && one.getAttribute("data-live") === "yes") {
    var doneAtLoad = document.getElementById("round-done").textContent;
    every(one.getAttribute("data-url"), function (p) {
      // The applicant rows are not rebuilt here (a reload shows them); the page says when they are behind.
      var stale = document.getElementById("applicants-stale");
      if (stale && String(p.done) !== doneAtLoad) { stale.hidden = false; }
      var bar = document.getElementById("round-bar");
      bar.max = p.applicants;
      bar.value = p.done;
      bar.textContent = p.percent + " %";
      set(document.getElementById("round-status"), p.status_text);
      set(document.getElementById("round-done"), String(p.done));
      set(document.getElementById("round-total"), String(p.applicants));
      ["complete", "incomplete", "running", "queued", "waiting", "stopped"].forEach(function (k) {
        set(document.getElementById("round-" + k), String(p[k]));
      });
      set(document.getElementById("round-pace"), p.per_minute);
      if (p.expected_finish) { set(document.getElementById("round-finish"), p.expected_finish); }
      Object.keys(p.outcomes).forEach(function (code) {
        var cell = document.querySelector("#round-outcomes td[data-outcome='" + code + "']");
        set(cell, String(p.outcomes[code]));
        if (cell) { cell.parentNode.hidden = false; }  // a kind first answered since the page was loaded
      });
      var none = document.getElementById("round-outcomes-none");
      if (none && Object.keys(p.outcomes).length) { none.hidden = true; }
      one.setAttribute("data-live", p.live ? "yes" : "no");
      return p.live;
    });
  }
})();
