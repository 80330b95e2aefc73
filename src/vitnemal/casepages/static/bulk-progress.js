// A bulk issue's progress without reloading: ask how many documents are issued so far and move the bar. Without
// JavaScript the page's own link shows the same.
(function () {
  "use strict";
  var box = document.getElementById("bulk-live");
  if (!box || box.getAttribute("data-finished") === "yes") { return; }
  var url = box.getAttribute("data-url");
  function poll() {
    fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (run) {
        if (run) {
          document.getElementById("bulk-bar").value = run.done;
          document.getElementById("bulk-done").textContent = String(run.done);
          if (run.finished) { document.getElementById("bulk-finished").hidden = false; return; }
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
