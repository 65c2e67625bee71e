// The ballot page: count filled cells, mark complete departments, submit once; on a phone also one tap for the
// same level on every criterion of a department, a jump to the next department not yet filled, and a draft kept
// on this device only (localStorage) so that a reload or a dropped connection loses nothing (docs/design.md,
// "Ballots"). The draft is never sent anywhere: the server sees the ballot only when it is submitted.
(function () {
  "use strict";

  var DRAFT_PREFIX = "zfkh-ballot-draft:";
  var DRAFT_DAYS = 14;

  var form = document.getElementById("ballot-form");
  if (!form) {
    // The thank-you page: the ballot that was being submitted has been stored, so its draft goes.
    if (document.getElementById("ballot-done")) {
      forEachDraft(function (key, draft) {
        if (draft.submitted) {
          removeDraft(key);
        }
      });
    }
    return;
  }
  var counter = document.getElementById("ballot-filled");
  var button = document.getElementById("ballot-submit");
  var buttonLabel = button.textContent;
  var nextButton = document.getElementById("ballot-next");
  var departments = Array.prototype.slice.call(form.querySelectorAll(".ballot-dept"));

  // --- storage (any failure, e.g. private mode or a full quota, only means no draft) ---------------------------

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function readDraft(key) {
    var store = storage();
    try {
      var draft = store && JSON.parse(store.getItem(key) || "null");
      return draft && typeof draft.fields === "object" ? draft : null;
    } catch (error) {
      return null;
    }
  }

  function writeDraft(key, draft) {
    var store = storage();
    try {
      if (store) {
        store.setItem(key, JSON.stringify(draft));
      }
    } catch (error) {
      // No room: the ballot still works, it is just not kept.
    }
  }

  function removeDraft(key) {
    var store = storage();
    try {
      if (store) {
        store.removeItem(key);
      }
    } catch (error) {
      // Nothing to do.
    }
  }

  function forEachDraft(callback) {
    var store = storage();
    if (!store) {
      return;
    }
    var keys = [];
    try {
      for (var i = 0; i < store.length; i++) {
        if (String(store.key(i)).indexOf(DRAFT_PREFIX) === 0) {
          keys.push(store.key(i));
        }
      }
    } catch (error) {
      return;
    }
    keys.forEach(function (key) {
      var draft = readDraft(key);
      if (draft === null) {
        removeDraft(key);
      } else {
        callback(key, draft);
      }
    });
  }

  // The code itself is a secret: the key holds a hash of it, never the code.
  function hash(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(36);
  }

  function draftKey() {
    var code = form.querySelector("input[name=code]");
    var key = DRAFT_PREFIX + form.dataset.quarter + ":" + form.dataset.source;
    return code && code.value ? key + ":" + hash(code.value.toUpperCase().replace(/[^0-9A-Z]/g, "")) : key;
  }

  var key = draftKey();

  function fields() {
    var found = {};
    var inputs = form.querySelectorAll("input[type=radio]:checked, input[type=number], textarea");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].value.trim() !== "") {
        found[inputs[i].name] = inputs[i].value;
      }
    }
    return found;
  }

  function save(submitted) {
    var found = fields();
    if (Object.keys(found).length === 0) {
      removeDraft(key);
      return;
    }
    writeDraft(key, { saved: Date.now(), submitted: Boolean(submitted), fields: found });
  }

  function restore(draft) {
    var restored = false;
    Object.keys(draft.fields).forEach(function (name) {
      var value = draft.fields[name];
      var inputs = form.querySelectorAll('[name="' + name.replace(/"/g, "") + '"]');
      for (var i = 0; i < inputs.length; i++) {
        var input = inputs[i];
        if (input.type === "radio") {
          if (input.value === value) {
            input.checked = true;
            restored = true;
          }
        } else {
          input.value = value;
          restored = true;
          var details = input.closest("details");
          if (details) {
            details.open = true;
          }
        }
      }
    });
    return restored;
  }

  // --- counting -------------------------------------------------------------------------------------------

  function isFilled(cell) {
    var input = cell.querySelector("input[type=radio]:checked, input[type=number]");
    return Boolean(input && input.value.trim() !== "");
  }

  function isComplete(dept) {
    var cells = dept.querySelectorAll(".ballot-cell");
    for (var i = 0; i < cells.length; i++) {
      if (!isFilled(cells[i])) {
        return false;
      }
    }
    return true;
  }

  function refreshDepartment(dept) {
    dept.classList.toggle("is-complete", isComplete(dept));
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
    if (nextButton) {
      nextButton.hidden = !departments.some(function (dept) { return !dept.classList.contains("is-complete"); });
    }
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

  function refreshAll() {
    departments.forEach(refreshDepartment);
    refreshCounter();
    refreshCaps();
  }

  // --- one tap: the same level on every criterion of a department ---------------------------------------------

  function addSameLevelButtons() {
    if (!form.classList.contains("ballot-levels") || !form.dataset.allLabel) {
      return;
    }
    departments.forEach(function (dept) {
      var firstCell = dept.querySelector(".ballot-cell");
      if (!firstCell) {
        return;
      }
      var name = dept.querySelector(".ballot-dept-name");
      var bar = document.createElement("div");
      bar.className = "ballot-all";
      bar.setAttribute("role", "group");
      bar.setAttribute("aria-label", form.dataset.allLabel + " · " + name.textContent.trim());
      var caption = document.createElement("span");
      caption.className = "ballot-all-caption";
      caption.setAttribute("aria-hidden", "true");
      caption.textContent = form.dataset.allLabel;
      bar.appendChild(caption);
      var radios = firstCell.querySelectorAll("input[type=radio]");
      for (var i = 0; i < radios.length; i++) {
        var label = firstCell.querySelector('label[for="' + radios[i].id + '"]');
        var tap = document.createElement("button");
        tap.type = "button";
        tap.className = "btn btn-sm btn-outline-secondary";
        tap.dataset.value = radios[i].value;
        tap.textContent = label ? label.textContent : radios[i].value;
        bar.appendChild(tap);
      }
      name.insertAdjacentElement("afterend", bar);
    });
    form.addEventListener("click", function (event) {
      var tap = event.target.closest(".ballot-all button");
      if (!tap) {
        return;
      }
      var dept = tap.closest(".ballot-dept");
      var radios = dept.querySelectorAll('.ballot-cell input[type=radio][value="' + tap.dataset.value + '"]');
      for (var i = 0; i < radios.length; i++) {
        radios[i].checked = true;
      }
      refreshDepartment(dept);
      refreshCounter();
      refreshCaps();
      save(false);
    });
  }

  // --- the next department not yet filled ---------------------------------------------------------------------

  function nextUnfilled() {
    // The first incomplete department below the one at the top of the screen, else the first one at all.
    var top = 0;
    for (var i = 0; i < departments.length; i++) {
      if (departments[i].getBoundingClientRect().bottom > 80) {
        top = i;
        break;
      }
    }
    var order = departments.slice(top + 1).concat(departments.slice(0, top + 1));
    return order.filter(function (dept) { return !dept.classList.contains("is-complete"); })[0] || null;
  }

  if (nextButton) {
    nextButton.addEventListener("click", function () {
      var dept = nextUnfilled();
      if (!dept) {
        return;
      }
      dept.scrollIntoView({ block: "start" });
      var cells = dept.querySelectorAll(".ballot-cell");
      for (var i = 0; i < cells.length; i++) {
        if (!isFilled(cells[i])) {
          var input = cells[i].querySelector("input");
          if (input) {
            input.focus({ preventScroll: true });
          }
          break;
        }
      }
    });
  }

  // --- wiring ---------------------------------------------------------------------------------------------

  function onChange(event) {
    var dept = event.target.closest(".ballot-dept");
    if (dept && event.target.matches("input")) {
      refreshDepartment(dept);
      refreshCounter();
      refreshCaps();
    }
    if (event.target.matches("input, textarea")) {
      save(false);
    }
  }

  form.addEventListener("change", onChange);
  form.addEventListener("input", onChange);

  form.addEventListener("submit", function (event) {
    if (button.disabled) {
      event.preventDefault();
      return;
    }
    // Kept until the thank-you page says the ballot is stored; a refusal or a dropped connection keeps it.
    save(true);
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

  // Old drafts of ballots never sent are not kept for ever on a shared phone.
  forEachDraft(function (other, draft) {
    if (other !== key && Date.now() - Number(draft.saved || 0) > DRAFT_DAYS * 86400000) {
      removeDraft(other);
    }
  });

  addSameLevelButtons();
  var draft = readDraft(key);
  if (Object.keys(fields()).length > 0) {
    // The server showed the ballot as it was posted (a refusal, or the empty-cell confirmation): that is the
    // ballot now, and the draft follows it.
    save(false);
  } else if (draft && restore(draft)) {
    save(false);
    var notice = document.getElementById("ballot-restored");
    if (notice) {
      notice.hidden = false;
    }
  }
  var discard = document.getElementById("ballot-discard");
  if (discard) {
    discard.addEventListener("click", function () {
      removeDraft(key);
      form.reset(); // back to the page as the server sent it: empty, since a draft is restored only then
      document.getElementById("ballot-restored").hidden = true;
      refreshAll();
    });
  }
  refreshAll();
})();
