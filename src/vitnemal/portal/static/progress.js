// "Mine resultater" while institutions answer: ask how many are still pending and reload the page when one more
// has answered, so results appear without the owner pressing anything. Without JavaScript the page's own link
// ("Show what has arrived") does the same.
(function () {
  var box = document.getElementById("fetch-progress");
  if (!box) { return; }
  var pending = parseInt(box.getAttribute("data-pending") || "0", 10);
  if (!pending) { return; }
  var tries = 0;
  function poll() {
    tries += 1;
    fetch("/my-results/progress.json", {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (state && state.pending < pending) { window.location.reload(); return; }
        if (tries < 120) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { if (tries < 120) { window.setTimeout(poll, 3000); } });
  }
  window.setTimeout(poll, 700);
})();
