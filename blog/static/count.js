// Counts this view once (blog/audience/beacon.py): the page's name, the referrer and the
// page's query (for UTM tags) go to /hit with sendBeacon. No cookie, no storage, no id.
// A page shown again from the back/forward cache is not a new view.
(function () {
  var script = document.currentScript;
  if (!script || !navigator.sendBeacon) return;
  var page = script.getAttribute("data-page");
  if (!page) return;
  var url = "/hit?p=" + encodeURIComponent(page) +
    "&r=" + encodeURIComponent(document.referrer || "") +
    "&q=" + encodeURIComponent(window.location.search || "");
  function send() { navigator.sendBeacon(url); }
  if (document.visibilityState === "prerender") {
    document.addEventListener("visibilitychange", function once() {
      if (document.visibilityState === "visible") {
        document.removeEventListener("visibilitychange", once);
        send();
      }
    });
  } else {
    send();
  }
})();
