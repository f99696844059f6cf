/* A small SVG line chart: power (kW, left axis) and state of charge (%, right axis) over time.
   Markup: <figure data-chart data-transaction="ID" data-points="[[ms, W|null, %|null], ...]">
   with an <svg> inside. Live "meter" events append points and update [data-reading] values. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var W = 640, H = 250, LEFT = 52, RIGHT = 44, TOP = 22, BOTTOM = 28;
  var MAX_POINTS = 2000;

  function node(name, attrs, text) {
    var el = document.createElementNS(NS, name);
    for (var key in attrs) el.setAttribute(key, attrs[key]);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /* Four grid steps of a round size (1, 2, 2.5 or 5 x 10^k), so every tick is a round number. */
  function niceStep(peak) {
    var raw = peak / 4;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * power >= raw) return steps[i] * power;
    return 10 * power;
  }

  /* Time ticks on round clock times, as many as fit without labels touching (~70 px each). */
  var TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600];
  function timeTicks(t0, span, width) {
    var most = Math.max(2, Math.min(6, Math.floor(width / 70)));
    var step = TIME_STEPS[TIME_STEPS.length - 1] * 1000;
    for (var i = 0; i < TIME_STEPS.length; i++) {
      if (span / (TIME_STEPS[i] * 1000) <= most) { step = TIME_STEPS[i] * 1000; break; }
    }
    var ticks = [];
    for (var t = Math.ceil(t0 / step) * step; t <= t0 + span; t += step) ticks.push(t);
    return ticks.length ? ticks : [t0];  // a span shorter than one step: label its start
  }

  function clock(ms) { return new Date(ms).toISOString().substring(11, 19); }

  function line(points, pick, x, y, cls) {
    var coords = [];
    for (var i = 0; i < points.length; i++) {
      var v = pick(points[i]);
      if (v !== null && v !== undefined) coords.push(x(points[i][0]).toFixed(1) + "," + y(v).toFixed(1));
    }
    return coords.length ? node("polyline", { "class": cls, points: coords.join(" ") }) : null;
  }

  function describe(figure, points) {
    if (!points.length) return "No meter values yet.";
    var last = points[points.length - 1];
    var parts = [];
    if (last[1] !== null) parts.push("power " + (last[1] / 1000).toFixed(1) + " kW");
    if (last[2] !== null) parts.push("state of charge " + Math.round(last[2]) + " %");
    return "Latest at " + clock(last[0]) + " UTC: " + (parts.join(", ") || "no reading") +
      " (" + points.length + " readings).";
  }

  function draw(figure) {
    var svg = figure.querySelector("svg");
    // One SVG unit per CSS pixel: the chart uses its panel's width and keeps 12 px labels.
    W = Math.max(320, Math.round(figure.clientWidth || 640));
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    var points = figure.chartPoints;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
    var t0 = points.length ? points[0][0] : 0;
    var span = Math.max((points.length ? points[points.length - 1][0] : 0) - t0, 1000);
    var peak = 1;
    for (var i = 0; i < points.length; i++) peak = Math.max(peak, (points[i][1] || 0) / 1000);
    var stepKw = niceStep(peak);
    var maxKw = 4 * stepKw;
    var decimals = stepKw >= 1 && stepKw % 1 === 0 ? 0 : (stepKw * 10) % 1 === 0 ? 1 : 2;
    var x = function (t) { return LEFT + (t - t0) / span * plotW; };
    var yPower = function (w) { return TOP + plotH - (w / 1000) / maxKw * plotH; };
    var ySoc = function (soc) { return TOP + plotH - soc / 100 * plotH; };
    for (var step = 0; step <= 4; step++) {
      var y = TOP + plotH - step / 4 * plotH;
      svg.appendChild(node("line", { "class": step ? "grid-line" : "axis", x1: LEFT, x2: W - RIGHT, y1: y, y2: y }));
      svg.appendChild(node("text", { "class": "tick power-tick", x: LEFT - 6, y: y + 4, "text-anchor": "end" }, (stepKw * step).toFixed(decimals)));
      svg.appendChild(node("text", { "class": "tick", x: W - RIGHT + 6, y: y + 4 }, (25 * step) + "%"));
    }
    svg.appendChild(node("text", { "class": "tick", x: LEFT - 6, y: 12, "text-anchor": "end" }, "kW"));
    if (points.length) {
      var ticks = timeTicks(t0, span, plotW);
      for (var k = 0; k < ticks.length; k++) {
        var tx = x(ticks[k]);
        svg.appendChild(node("line", { "class": "grid-line", x1: tx, x2: tx, y1: TOP, y2: TOP + plotH }));
        svg.appendChild(node("text", { "class": "tick time-tick", x: tx, y: H - 8, "text-anchor": "middle" }, clock(ticks[k])));
      }
      var power = line(points, function (p) { return p[1]; }, x, yPower, "line-power");
      var soc = line(points, function (p) { return p[2]; }, x, ySoc, "line-soc");
      if (power) svg.appendChild(power);
      if (soc) svg.appendChild(soc);
    } else {
      svg.appendChild(node("text", { "class": "tick", x: W / 2, y: H / 2, "text-anchor": "middle" }, "Waiting for meter values…"));
    }
    svg.setAttribute("aria-label", "Power and state of charge chart. " + describe(figure, points));
    figure.dataset.count = String(points.length);
  }

  function init(root) {
    var figures = root.querySelectorAll ? root.querySelectorAll("[data-chart]") : [];
    for (var i = 0; i < figures.length; i++) {
      var figure = figures[i];
      if (figure.chartPoints) continue;
      try { figure.chartPoints = JSON.parse(figure.dataset.points || "[]"); } catch (e) { figure.chartPoints = []; }
      draw(figure);
    }
  }

  var FORMAT = {
    id_token: function (v) { return v; }, // only sent to users allowed to see tokens
    power_w: function (v) { return (v / 1000).toFixed(1) + " kW"; },
    soc: function (v) { return Math.round(v) + " %"; },
    energy_wh: function (v) { return (v / 1000).toFixed(2) + " kWh"; }
  };

  function onMeter(event) {
    var data = event.detail.data || {};
    var tx = String(data.transaction_id);
    var figures = document.querySelectorAll('[data-chart][data-transaction="' + tx + '"]');
    for (var i = 0; i < figures.length; i++) {
      var points = figures[i].chartPoints || (figures[i].chartPoints = []);
      points.push([Date.parse(event.detail.at), data.power_w, data.soc]);
      if (points.length > MAX_POINTS) points.splice(0, points.length - MAX_POINTS);
      draw(figures[i]);
    }
    var readings = document.querySelectorAll('[data-reading][data-transaction="' + tx + '"]');
    for (var j = 0; j < readings.length; j++) {
      var kind = readings[j].dataset.reading;
      if (data[kind] !== null && data[kind] !== undefined && FORMAT[kind]) readings[j].textContent = FORMAT[kind](data[kind]);
    }
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      var figures = document.querySelectorAll("[data-chart]");
      for (var i = 0; i < figures.length; i++) if (figures[i].chartPoints) draw(figures[i]);
    }, 150);
  });

  init(document);
  document.body.addEventListener("htmx:load", function (e) { init(e.detail.elt.parentNode || document); });
  document.body.addEventListener("live-meter", onMeter);
})();
