/*
 * Charts of the results pages, drawn with the locally served Plotly bundle.
 * Each chart is an element with data-chart="<id>"; its data is the JSON of the
 * <script type="application/json" id="<id>"> element written by json_script.
 * Titles and labels arrive already translated from the server.
 *
 * Plotly weighs 4.8 MB (1.4 MB compressed): a page does not load it until a reader
 * asks for a chart. A button with data-chart-show="<id>" and data-plotly-src (the
 * bundle's URL) loads it once, as a script element from the site itself (no inline
 * script: the content security policy allows scripts of the site only), then draws.
 */
(function () {
  "use strict";

  var FONT = { family: "system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif", size: 13 };
  var CONFIG = { responsive: true, displayModeBar: false, displaylogo: false };

  function readData(id) {
    var source = document.getElementById(id);
    if (!source) { return null; }
    try { return JSON.parse(source.textContent); } catch (error) { return null; }
  }

  function barChart(data) {
    var trace = {
      type: "bar",
      orientation: "h",
      x: data.values,
      y: data.labels,
      text: data.values.map(function (v) { return v === null ? "" : v.toFixed(2); }),
      textposition: "auto",
      hovertemplate: "%{y}: %{x:.2f}<extra></extra>",
      marker: { color: "#0d6efd" }
    };
    var layout = {
      font: FONT,
      margin: { l: 10, r: 20, t: 10, b: 40 },
      xaxis: { title: { text: data.x_title }, rangemode: "tozero", fixedrange: true },
      yaxis: { autorange: "reversed", automargin: true, fixedrange: true },
      bargap: 0.25
    };
    return { traces: [trace], layout: layout };
  }

  // Every quarter from the first to the last one listed (codes YYYYQn), so that a quarter without published
  // results shows as a gap instead of the line joining its neighbours.
  function quarterRange(codes) {
    var pattern = /^(\d{4})Q([1-4])$/;
    var first = pattern.exec(codes[0] || ""), last = pattern.exec(codes[codes.length - 1] || "");
    if (!first || !last) { return codes.slice(); }
    var out = [];
    var year = Number(first[1]), quarter = Number(first[2]);
    while (year * 4 + quarter <= Number(last[1]) * 4 + Number(last[2]) && out.length < 400) {
      out.push(year + "Q" + quarter);
      quarter += 1;
      if (quarter > 4) { quarter = 1; year += 1; }
    }
    return out;
  }

  function spread(codes, all, values) {
    var byCode = {};
    codes.forEach(function (code, i) { byCode[code] = values[i]; });
    return all.map(function (code) { return byCode.hasOwnProperty(code) ? byCode[code] : null; });
  }

  function trendChart(data) {
    var quarters = quarterRange(data.quarters);
    var scores = spread(data.quarters, quarters, data.scores);
    var ranks = spread(data.quarters, quarters, data.ranks);
    var gaps = quarters.filter(function (code) { return data.quarters.indexOf(code) < 0; });
    var score = {
      type: "scatter", mode: "lines+markers+text", name: data.score_title,
      x: quarters, y: scores, connectgaps: false,
      text: scores.map(function (v) { return v === null ? "" : v.toFixed(2); }),
      textposition: "top center",
      cliponaxis: false,
      hovertemplate: "%{x}: %{y:.2f}<extra>" + data.score_title + "</extra>",
      line: { color: "#0d6efd" }
    };
    var rank = {
      type: "scatter", mode: "lines+markers", name: data.rank_title, yaxis: "y2",
      x: quarters, y: ranks, connectgaps: false,
      hovertemplate: "%{x}: %{y}<extra>" + data.rank_title + "</extra>",
      line: { color: "#fd7e14", dash: "dot" }
    };
    var known = scores.filter(function (v) { return v !== null; });
    var maxRank = Math.max.apply(null, [1].concat(ranks.filter(function (r) { return r !== null; })));
    var layout = {
      font: FONT,
      margin: { l: 50, r: 50, t: 30, b: 50 },
      legend: { orientation: "h", y: -0.25 },
      xaxis: { title: { text: data.x_title }, type: "category", fixedrange: true },
      // The whole scale, not the few points the scores span: a move of 1.8 points must look like one.
      yaxis: {
        title: { text: data.score_title }, fixedrange: true,
        range: [Math.min.apply(null, [0].concat(known)), Math.max.apply(null, [100].concat(known))]
      },
      // Rank 1 at the top; the axis spans the ranks actually held, in whole steps.
      yaxis2: {
        title: { text: data.rank_title }, overlaying: "y", side: "right",
        range: [maxRank + 0.5, 0.5], dtick: 1, fixedrange: true, showgrid: false, zeroline: false
      },
      shapes: gaps.map(function (code) {
        var i = quarters.indexOf(code);
        return {
          type: "rect", xref: "x", yref: "paper", x0: i - 0.5, x1: i + 0.5, y0: 0, y1: 1,
          fillcolor: "rgba(108, 117, 125, 0.15)", line: { width: 0 }, layer: "below"
        };
      }),
      annotations: gaps.map(function (code) {
        return {
          x: code, xref: "x", y: 0.5, yref: "paper", text: data.gap_title, showarrow: false,
          textangle: -90, font: { color: "#6c757d", size: 12 }
        };
      })
    };
    return { traces: [score, rank], layout: layout };
  }

  var BUILDERS = { bar: barChart, trend: trendChart };

  function draw(element) {
    var data = readData(element.getAttribute("data-chart"));
    if (!data || !BUILDERS[data.kind] || typeof window.Plotly === "undefined") { return; }
    var figure = BUILDERS[data.kind](data);
    window.Plotly.newPlot(element, figure.traces, figure.layout, CONFIG);
  }

  var waiting = null;  // callbacks while the bundle loads; null before the first request

  function withPlotly(callback) {
    if (typeof window.Plotly !== "undefined") { callback(); return; }
    if (waiting !== null) { waiting.push(callback); return; }
    waiting = [callback];
    var button = document.querySelector("[data-plotly-src]");
    var script = document.createElement("script");
    script.src = button.getAttribute("data-plotly-src");
    script.onload = function () {
      var callbacks = waiting;
      waiting = [];
      callbacks.forEach(function (run) { run(); });
    };
    script.onerror = function () { waiting = null; };
    document.head.appendChild(script);
  }

  function show(button) {
    var element = document.querySelector("[data-chart='" + button.getAttribute("data-chart-show") + "']");
    if (!element) { return; }
    button.disabled = true;
    withPlotly(function () {
      element.hidden = false;
      draw(element);
      button.hidden = true;
    });
  }

  function onReady() {
    var buttons = document.querySelectorAll("[data-chart-show]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function (event) { show(event.currentTarget); });
      buttons[i].hidden = false;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
})();
