// The "Photo of the screen" button: choosing a photo sends it at once (the form's own button does the same
// without JavaScript), and says it is being read while the page loads.
(function () {
  "use strict";
  document.querySelectorAll("form[data-photo-search]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var send = form.querySelector(".photo-send");
    var busy = form.querySelector(".photo-busy");
    form.classList.add("photo-search-js");
    if (send) send.hidden = true;
    input.addEventListener("change", function () {
      if (!input.files.length) return;
      if (busy) busy.hidden = false;
      form.submit();
    });
  });
})();
