// A form whose body would exceed the server's limit (DATA_UPLOAD_MAX_MEMORY_SIZE, in the page's
// <meta name="upload-max-bytes">) is not sent: the server would answer with an error page and the answers
// typed into the form would be lost. The page says why instead and keeps everything as it is.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="upload-max-bytes"]');
  var limit = meta ? Number(meta.getAttribute("content")) : 0;
  if (!limit) {
    return;
  }

  function bodySize(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    // The urlencoded body the browser would send: every non-ASCII character as %XX per UTF-8 byte.
    return new URLSearchParams(data).toString().length;
  }

  function warn(form) {
    var alert = form.querySelector(".size-guard-alert");
    if (!alert) {
      alert = document.createElement("div");
      alert.className = "alert alert-danger size-guard-alert";
      alert.setAttribute("role", "alert");
      alert.setAttribute("tabindex", "-1");
      alert.textContent = meta.getAttribute("data-message");
      form.insertBefore(alert, form.firstChild);
    }
    alert.scrollIntoView({ block: "center" });
    alert.focus({ preventScroll: true });
  }

  // Capture phase: this runs before the page's own submit handlers (which disable the submit button).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method.toLowerCase() !== "post" || form.enctype === "multipart/form-data") {
      return;
    }
    if (bodySize(form, event.submitter) <= limit) {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    warn(form);
  }, true);
})();
