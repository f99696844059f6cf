/* The live session page: refresh the status region every few seconds until the payment is
   settled. The page works without this script (it shows the state when loaded). */
(function () {
  "use strict";
  var every = parseInt(document.body.getAttribute("data-poll") || "0", 10);
  if (!every) return;
  function refresh() {
    fetch(location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var region = document.getElementById("pay-status");
        var replacement = fresh.getElementById("pay-status");
        if (region && replacement) region.replaceWith(document.importNode(replacement, true));
        var poll = fresh.body.getAttribute("data-poll");
        if (poll === "0") return;
        setTimeout(refresh, every);
      })
      .catch(function () { setTimeout(refresh, every * 2); });
  }
  setTimeout(refresh, every);
})();
