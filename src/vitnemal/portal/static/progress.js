// "Mine resultater" while institutions answer: ask how many are still pending (and how many are being asked again
// in the background after they did not answer) and reload the page when one more has answered, so results appear
// without the owner pressing anything. Without JavaScript the page's own link ("Show what has arrived") does the
// same. Pending institutions are asked about every second; retried ones only every few seconds, for as long as the
// background retries last (30 s, 2 min and 10 min after the first try).
(function () {
  var box = document.getElementById("fetch-progress");
  if (!box) { return; }
  var pending = parseInt(box.getAttribute("data-pending") || "0", 10);
  var retrying = parseInt(box.getAttribute("data-retrying") || "0", 10);
  if (!pending && !retrying) { return; }
  var started = Date.now();
  var LIMIT_MS = 15 * 60 * 1000;
  function again(ms) { if (Date.now() - started < LIMIT_MS) { window.setTimeout(poll, ms); } }
  function poll() {
    fetch("/my-results/progress.json", {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (state && (state.pending < pending || state.retrying < retrying)) { window.location.reload(); return; }
        again(state && state.pending ? 1000 : 4000);
      })
      .catch(function () { again(5000); });
  }
  window.setTimeout(poll, pending ? 700 : 4000);
})();
