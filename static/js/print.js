/*
 * The print button of the results pages, and charts sized for paper.
 * A button with data-print-page prints the page; charts drawn by charts.js are
 * given the width of the printed page while printing (Plotly draws them at a fixed
 * size in pixels, which would run off an A4 page) and fill their box again after.
 */
(function () {
  "use strict";

  // The width of an A4 page's printable area (210 mm less the print stylesheet's margins) in CSS pixels.
  var PRINT_WIDTH = Math.floor((210 - 2 * 8) / 25.4 * 96);

  function charts() {
    return document.querySelectorAll(".js-plotly-plot");
  }

  function fitCharts(printing) {
    if (typeof window.Plotly === "undefined") { return; }
    var elements = charts();
    for (var i = 0; i < elements.length; i++) {
      var element = elements[i];
      if (printing) {
        window.Plotly.relayout(element, { width: Math.min(PRINT_WIDTH, element.clientWidth || PRINT_WIDTH) });
      } else {
        window.Plotly.relayout(element, { width: null });
        window.Plotly.Plots.resize(element);
      }
    }
  }

  function onReady() {
    var buttons = document.querySelectorAll("[data-print-page]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () { window.print(); });
      buttons[i].hidden = false;
    }
  }

  window.addEventListener("beforeprint", function () { fitCharts(true); });
  window.addEventListener("afterprint", function () { fitCharts(false); });
  // Browsers that switch to print media without the events above (and print previews) still get fitting charts.
  var printMedia = window.matchMedia ? window.matchMedia("print") : null;
  if (printMedia && printMedia.addEventListener) {
    printMedia.addEventListener("change", function (event) { fitCharts(event.matches); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
})();
