// A slip's link carries its code in the URL fragment (#code=...), which browsers never send to the
// server, so the code stays out of access logs and Referer headers. Fill the code form from it,
// drop it from the address bar and history, and send the form (a POST). Without script, the code
// is typed.
(function () {
  "use strict";

  var match = /(?:^#|&)code=([A-Za-z0-9-]{1,40})(?:&|$)/.exec(window.location.hash);
  var form = document.querySelector("form[data-code-fragment]");
  if (!match || !form) {
    return;
  }
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  var input = form.querySelector("input[name=code]");
  input.value = match[1];
  form.submit();
})();
