/*
 * The three Bootstrap behaviours the pages use, without Bootstrap's 80 KB script (24 KB compressed,
 * most of a phone's ballot page): the navigation bar's menu button (data-bs-toggle="collapse"), the
 * account menu (data-bs-toggle="dropdown") and the close button of a message (data-bs-dismiss="alert").
 * Bootstrap's stylesheet does the rest, through the same classes its script would set.
 */
(function () {
  "use strict";

  function setOpen(button, target, open) {
    target.classList.toggle("show", open);
    button.classList.toggle("show", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function openMenus() {
    return document.querySelectorAll("[data-bs-toggle='dropdown'].show");
  }

  function closeMenus(except) {
    var open = openMenus();
    for (var i = 0; i < open.length; i++) {
      if (open[i] !== except) { setOpen(open[i], open[i].nextElementSibling, false); }
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-bs-toggle], [data-bs-dismiss='alert']");
    if (!button) {
      if (!event.target.closest(".dropdown-menu")) { closeMenus(null); }
      return;
    }
    if (button.getAttribute("data-bs-dismiss") === "alert") {
      var alert = button.closest(".alert");
      if (alert) { alert.remove(); }
      return;
    }
    var kind = button.getAttribute("data-bs-toggle");
    if (kind === "collapse") {
      var target = document.querySelector(button.getAttribute("data-bs-target"));
      if (target) { setOpen(button, target, !target.classList.contains("show")); }
    } else if (kind === "dropdown") {
      var menu = button.nextElementSibling;
      if (!menu) { return; }
      closeMenus(button);
      // Inside a navigation bar Bootstrap positions menus by its stylesheet alone ("static"), without Popper.
      menu.setAttribute("data-bs-popper", "static");
      setOpen(button, menu, !menu.classList.contains("show"));
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = openMenus();
    closeMenus(null);
    if (open.length) { open[0].focus(); }
  });
})();
