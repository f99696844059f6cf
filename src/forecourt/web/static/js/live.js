/* Live updates for dashboard pages: one EventSource per tab (URL in <body data-live-url>).
   Each server event is re-dispatched on document.body as "live-<group>" (detail = the event);
   regions marked data-live="group ..." re-render through htmx (hx-get + hx-select), each at
   most once a second (data-live-min-ms to change it), leading and trailing, so a burst of
   events costs one request. */
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.liveUrl;
  var indicator = document.getElementById("live-state");
  var MIN_INTERVAL_MS = 1000;
  var timers = {};
  var lastRun = {};

  function setState(state, text) {
    if (!indicator) return;
    indicator.dataset.state = state;
    indicator.textContent = text;
  }

  function refresh(id, minInterval) {
    if (timers[id]) return; // a trailing refresh is already scheduled
    var wait = Math.max(0, (lastRun[id] || 0) + minInterval - Date.now());
    timers[id] = setTimeout(function () {
      timers[id] = null;
      lastRun[id] = Date.now();
      var region = document.getElementById(id);
      if (region && window.htmx) window.htmx.trigger(region, "live-refresh");
    }, wait);
  }

  function refreshGroup(group) {
    var regions = document.querySelectorAll("[data-live]");
    for (var i = 0; i < regions.length; i++) {
      var groups = regions[i].dataset.live.split(" ");
      if (group === "resync" || groups.indexOf(group) >= 0) {
        refresh(regions[i].id, Number(regions[i].dataset.liveMinMs) || MIN_INTERVAL_MS);
      }
    }
  }

  if (!url || !window.EventSource) {
    setState("lost", "Live updates unavailable — reload to refresh");
    return;
  }
  var lost = false;
  var source = new EventSource(url);
  source.onopen = function () {
    setState("live", "Live");
    if (lost) refreshGroup("resync"); // events were missed while disconnected
    lost = false;
  };
  source.onerror = function () {
    lost = true;
    if (source.readyState === EventSource.CLOSED) {
      setState("lost", "Live updates stopped — reload the page");
    } else {
      setState("lost", "Reconnecting…");
    }
  };
  source.onmessage = function (message) {
    var event;
    try { event = JSON.parse(message.data); } catch (e) { return; }
    body.dispatchEvent(new CustomEvent("live-" + event.group, { detail: event }));
    refreshGroup(event.group);
  };
  window.addEventListener("pagehide", function () { source.close(); });
})();
