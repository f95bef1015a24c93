/*
 * Terminal model picker on article pages: choosing a model submits the form at once, so the merchant does not
 * have to find the button. Without JavaScript the button submits the same GET form; the server remembers the
 * choice in a cookie either way.
 */
(function () {
  "use strict";
  document.querySelectorAll("form[data-terminal-pick]").forEach(function (form) {
    var select = form.querySelector("select");
    if (!select) return;
    select.addEventListener("change", function () {
      form.submit();
    });
  });
})();
