/* "Copy link" buttons: <button data-copy="#field-id" data-copied="Copied" hidden>. Without JavaScript the
   button stays hidden and the read-only field can be selected and copied by hand. */
(function () {
  "use strict";
  function copied(button, status) {
    status.textContent = button.dataset.copied || "✓";
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.querySelector(button.dataset.copy);
    var status = document.getElementById(button.getAttribute("aria-describedby") || "");
    if (!field || !status) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { copied(button, status); }, function () {
          if (document.execCommand("copy")) copied(button, status);
        });
      } else if (document.execCommand("copy")) {
        copied(button, status);
      }
    });
  });
})();
