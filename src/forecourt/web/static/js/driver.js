/* Driver pages: refresh statuses every 20 s while visible, and remember "My car" in
   localStorage. Pages work without this script (read-only, with a Refresh link). */
(function () {
  "use strict";
  var REFRESH_MS = 20000;
  var CAR_KEY = "forecourt.car";

  function store(value) { try { localStorage.setItem(CAR_KEY, value); } catch (e) { /* private mode */ } }
  function stored() { try { return localStorage.getItem(CAR_KEY); } catch (e) { return null; } }

  function refresh(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var regions = document.querySelectorAll("[data-refresh]");
        for (var i = 0; i < regions.length; i++) {
          var replacement = fresh.getElementById(regions[i].id);
          if (replacement) regions[i].replaceWith(document.importNode(replacement, true));
        }
      })
      .catch(function () { /* keep what is shown; the "updated" time tells its age */ });
  }

  function here() { return location.pathname + location.search; }

  setInterval(function () { if (!document.hidden) refresh(here()); }, REFRESH_MS);

  var select = document.getElementById("car");
  if (!select) return;
  var submit = document.getElementById("car-submit");
  if (submit) submit.hidden = true; // the choice applies as soon as it changes

  function choose(value) {
    var params = new URLSearchParams(location.search);
    if (value) params.set("car", value); else params.delete("car");
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    refresh(here());
  }

  select.addEventListener("change", function () { store(select.value); choose(select.value); });
  var inUrl = new URLSearchParams(location.search).get("car");
  var saved = stored();
  if (inUrl) {
    store(inUrl);
  } else if (saved) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === saved) { select.value = saved; choose(saved); break; }
    }
  }
})();
