// The ballot page: count filled cells, mark complete departments, submit once.
(function () {
  "use strict";

  var form = document.getElementById("ballot-form");
  if (!form) {
    return;
  }
  var counter = document.getElementById("ballot-filled");
  var button = document.getElementById("ballot-submit");
  var buttonLabel = button.textContent;

  function isFilled(cell) {
    var input = cell.querySelector("input[type=radio]:checked, input[type=number]");
    return Boolean(input && input.value.trim() !== "");
  }

  function refreshDepartment(dept) {
    var cells = dept.querySelectorAll(".ballot-cell");
    var filled = 0;
    for (var i = 0; i < cells.length; i++) {
      if (isFilled(cells[i])) {
        filled++;
      }
    }
    dept.classList.toggle("is-complete", filled === cells.length);
  }

  function refreshCounter() {
    var filled = form.querySelectorAll("input[type=radio]:checked").length;
    var numbers = form.querySelectorAll("input[type=number]");
    for (var i = 0; i < numbers.length; i++) {
      if (numbers[i].value.trim() !== "") {
        filled++;
      }
    }
    counter.textContent = String(filled);
  }

  // The top-level cap (docs/scoring.md rule 10): how many more departments each criterion may rate at the top level.
  var topValue = form.dataset.topValue;
  var topAllowance = Number(form.dataset.topAllowance);

  function refreshCaps() {
    if (topValue === undefined) {
      return;
    }
    var caps = form.querySelectorAll(".ballot-cap");
    for (var i = 0; i < caps.length; i++) {
      var criterion = caps[i].dataset.criterion;
      var used = 0;
      var checked = form.querySelectorAll("input[type=radio]:checked");
      for (var j = 0; j < checked.length; j++) {
        var name = checked[j].name;
        if (checked[j].value === topValue && name.slice(name.lastIndexOf("-") + 1) === criterion) {
          used++;
        }
      }
      var left = topAllowance - used;
      caps[i].querySelector(".ballot-cap-left").textContent = String(left);
      caps[i].classList.toggle("text-danger", left < 0);
      caps[i].classList.toggle("fw-bold", left < 0);
    }
  }

  function onChange(event) {
    var dept = event.target.closest(".ballot-dept");
    if (dept && event.target.matches("input")) {
      refreshDepartment(dept);
      refreshCounter();
      refreshCaps();
    }
  }

  form.addEventListener("change", onChange);
  form.addEventListener("input", onChange);

  form.addEventListener("submit", function (event) {
    if (button.disabled) {
      event.preventDefault();
      return;
    }
    // Disabled after the submit has started, so the click still sends the form once.
    window.setTimeout(function () {
      button.disabled = true;
      button.textContent = button.dataset.busyLabel || button.textContent;
    }, 0);
  });

  // A page restored from the back/forward cache must be usable again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      button.disabled = false;
      button.textContent = buttonLabel;
    }
  });

  refreshCounter();
  refreshCaps();
})();
