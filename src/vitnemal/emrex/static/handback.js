// The hand-back page: POST the form to the platform at once. Without JavaScript the page's own button does it.
(function () {
  var form = document.getElementById("handback");
  if (form) { form.submit(); }
})();
