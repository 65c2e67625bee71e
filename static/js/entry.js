// Data entry of paper ballots: Enter moves down the column (like Tab, whose order the page sets),
// and on the levels scale the typed number shows its level's label.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) {
    return;
  }
  var levelsNode = document.getElementById("entry-levels");
  var levels = levelsNode ? JSON.parse(levelsNode.textContent) : [];
  var usesLevels = form.dataset.levels === "1";
  var byKey = {};
  levels.forEach(function (level) { byKey[level.key] = level.label; });

  function ordered() {
    return Array.prototype.slice.call(form.querySelectorAll("[tabindex]"))
      .filter(function (el) { return !el.disabled && el.tabIndex > 0; })
      .sort(function (a, b) { return a.tabIndex - b.tabIndex; });
  }

  function showLevel(input) {
    var hint = input.parentNode.querySelector(".entry-level");
    if (!hint || !usesLevels) {
      return;
    }
    var value = input.value.trim();
    hint.textContent = value === "" || value === "0" ? "不了解" : (byKey[value] || "?");
  }

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || !target.classList.contains("entry-cell")) {
      return;
    }
    event.preventDefault();
    var fields = ordered();
    var next = fields[fields.indexOf(target) + 1];
    if (next) {
      next.focus();
      if (next.select) { next.select(); }
    }
  });

  form.addEventListener("input", function (event) {
    if (event.target.classList.contains("entry-cell")) {
      showLevel(event.target);
    }
  });

  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
  });

  Array.prototype.forEach.call(form.querySelectorAll(".entry-cell"), showLevel);
  var first = ordered()[0];
  if (first && !document.querySelector(".is-invalid")) {
    first.focus();
  } else if (document.querySelector(".is-invalid")) {
    document.querySelector(".is-invalid").focus();
  }
})();
