/*
 * Charts of the results pages, drawn with the locally served Plotly bundle.
 * Each chart is an element with data-chart="<id>"; its data is the JSON of the
 * <script type="application/json" id="<id>"> element written by json_script.
 * Titles and labels arrive already translated from the server.
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

  function trendChart(data) {
    var score = {
      type: "scatter", mode: "lines+markers+text", name: data.score_title,
      x: data.quarters, y: data.scores,
      text: data.scores.map(function (v) { return v === null ? "" : v.toFixed(2); }),
      textposition: "top center",
      cliponaxis: false,
      hovertemplate: "%{x}: %{y:.2f}<extra>" + data.score_title + "</extra>",
      line: { color: "#0d6efd" }
    };
    var rank = {
      type: "scatter", mode: "lines+markers", name: data.rank_title, yaxis: "y2",
      x: data.quarters, y: data.ranks,
      hovertemplate: "%{x}: %{y}<extra>" + data.rank_title + "</extra>",
      line: { color: "#fd7e14", dash: "dot" }
    };
    var maxRank = Math.max.apply(null, [1].concat(data.ranks.filter(function (r) { return r !== null; })));
    var layout = {
      font: FONT,
      margin: { l: 50, r: 50, t: 30, b: 50 },
      legend: { orientation: "h", y: -0.25 },
      xaxis: { title: { text: data.x_title }, type: "category", fixedrange: true },
      yaxis: { title: { text: data.score_title }, fixedrange: true },
      // Rank 1 at the top; the axis spans the ranks actually held, in whole steps.
      yaxis2: {
        title: { text: data.rank_title }, overlaying: "y", side: "right",
        range: [maxRank + 0.5, 0.5], dtick: 1, fixedrange: true, showgrid: false, zeroline: false
      }
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

  function drawAll() {
    var elements = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < elements.length; i++) { draw(elements[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
