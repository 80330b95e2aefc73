// An order's outcomes as they arrive, without reloading: ask for the outcomes so far and write each institution's
// sentence into its row (textContent only: nothing from the answer becomes markup). Without JavaScript the page
// says the same when reloaded. Stops when no institution is still pending (one asked again tomorrow is not).
(function () {
  "use strict";
  var box = document.getElementById("order-live");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  if (!url || box.getAttribute("data-pending") === "0") { return; }
  var started = Date.now();
  var rows = {};
  box.querySelectorAll("tr[data-institution]").forEach(function (row) {
    rows[row.getAttribute("data-institution")] = row;
  });
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
  function poll() {
    fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (state) { show(state); }
        if (!state || state.pending > 0) { window.setTimeout(poll, delay()); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  // Quick while the institutions answer (most within a second), then gently: an order may wait for a slow node.
  function delay() {
    var age = Date.now() - started;
    return age < 10000 ? 100 : (age < 120000 ? 1000 : 5000);
  }
  window.setTimeout(poll, 50);
})();
