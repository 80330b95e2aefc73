// "Mine resultater" while institutions answer: ask the server to answer when fewer institutions are pending (or
// being asked again in the background after they did not answer) than this page shows, and reload the page then,
// so results appear without the owner pressing anything. Each ask is a long poll: the server answers the moment the
// last institution's answer is stored (and while some are still answering, about once a second with what has
// arrived), so the page does not wait for the next tick of a timer. Without JavaScript the page's own link ("Show
// what has arrived") does the same. The page keeps asking for as long as the background retries last (30 s,
// 2 min and 10 min after the first try).
(function () {
  var box = document.getElementById("fetch-progress");
  if (!box) { return; }
  var pending = parseInt(box.getAttribute("data-pending") || "0", 10);
  var retrying = parseInt(box.getAttribute("data-retrying") || "0", 10);
  if (!pending && !retrying) { return; }
  var started = Date.now();
  var LIMIT_MS = 15 * 60 * 1000;
  var failures = 0;
  function again(ms) { if (Date.now() - started < LIMIT_MS) { window.setTimeout(ask, ms); } }
  function ask() {
    fetch("/my-results/progress.json?wait=1&pending=" + pending + "&retrying=" + retrying,
          {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) { failures += 1; again(5000 * failures); return; }
        if (state.pending !== pending || state.retrying !== retrying) { window.location.reload(); return; }
        again(1000);  // the wait ran out with nothing new (or the server was too busy to wait): ask again
      })
      .catch(function () { failures += 1; again(5000 * failures); });
  }
  ask();
})();
