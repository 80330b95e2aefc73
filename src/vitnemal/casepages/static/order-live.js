// An order's outcomes as they arrive, without reloading: ask for the outcomes and write each institution's
// sentence into its row (textContent only: nothing from the answer becomes markup). Without JavaScript the page
// says the same when reloaded. Each ask is a long poll: it tells the server what the page shows (how many have
// answered, the order's status) and the server answers the moment that changes, so the page learns of the last
// answer as soon as it is stored instead of at the next tick of a timer. Stops when no institution is still
// pending and the order is no longer running (one asked again tomorrow is not pending).
(function () {
  "use strict";
  var box = document.getElementById("order-live");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  var answered = box.getAttribute("data-answered") || "0";
  var status = box.getAttribute("data-status") || "";
  if (!url || finished(box.getAttribute("data-pending"), status)) { return; }
  var rows = {};
  box.querySelectorAll("tr[data-institution]").forEach(function (row) {
    rows[row.getAttribute("data-institution")] = row;
  });
  var failures = 0;
  function finished(pending, status) {
    return String(pending) === "0" && status !== "queued" && status !== "running";
  }
  function set(id, text) {
    var el = document.getElementById(id);
    if (el && el.textContent !== text) { el.textContent = text; }
  }
  function show(state) {
    state.outcomes.forEach(function (o) {
      var row = rows[o.institution];
      if (!row || row.getAttribute("data-state") === o.state && row.getAttribute("data-text") === o.text) { return; }
      row.setAttribute("data-state", o.state);
      row.setAttribute("data-tone", o.tone);
      row.setAttribute("data-text", o.text);
      var cell = row.querySelector(".outcome-text");
      if (cell) { cell.textContent = o.text; }
    });
    var changes = document.getElementById("order-changes");
    var list = changes && changes.querySelector("ul");
    if (list && list.children.length !== state.changes.length) {
      list.textContent = "";
      state.changes.forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
      changes.hidden = state.changes.length === 0;
    }
    set("order-status-text", state.status_text);
    set("order-answered", String(state.answered));
    set("order-problems", String(state.problems));
    box.setAttribute("data-pending", String(state.pending));
    if (state.pending === 0) {
      var done = document.getElementById("order-done");
      if (done) { done.hidden = false; }
    }
  }
  function ask() {
    var query = "?wait=1&answered=" + encodeURIComponent(answered) + "&status=" + encodeURIComponent(status);
    fetch(url + query, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) { again(); return; }
        failures = 0;
        show(state);
        // Unchanged: the wait ran out, or the server was too busy to wait; ask again after a pause, not at once.
        var unchanged = String(state.answered) === answered && state.status === status;
        answered = String(state.answered);
        status = state.status;
        if (!finished(state.pending, state.status)) { window.setTimeout(ask, unchanged ? 1000 : 0); }
      })
      .catch(again);
  }
  // Refused or cut off (the server restarting, a proxy ending the wait, the login expired): ask again, less often
  // each time, and give up after a while (a reload shows the outcomes as they stand).
  function again() {
    failures += 1;
    if (failures <= 20) { window.setTimeout(ask, Math.min(30000, 1000 * failures)); }
  }
  ask();
})();
