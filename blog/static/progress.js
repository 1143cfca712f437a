// Reloads a page that shows work in progress (an element with data-refresh-seconds),
// so an admin watching an import sees it move. Without JavaScript the page offers a
// "Check again" link instead; a <meta http-equiv="refresh"> would fail WCAG 2.2.1.
(function () {
  var marker = document.querySelector("[data-refresh-seconds]");
  if (!marker) return;
  var seconds = Number(marker.getAttribute("data-refresh-seconds")) || 3;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
