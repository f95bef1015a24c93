// The "Photo of the screen" button: choosing a photo sends it at once (the form's own button does the same
// without JavaScript), says it is being read, and first brings a phone's 12 MP photo down to the size the
// OCR server reads anyway (ocr/engine.py MAX_SIDE), so a merchant on 4G uploads ~300 KB, not 4 MB. Anything
// that fails on the way (an old browser, a format the canvas cannot draw) sends the photo as it is.
(function () {
  "use strict";
  var MAX_SIDE = 1280;

  function smaller(file) {
    if (!window.createImageBitmap || !window.DataTransfer || !/^image\/(jpeg|png|webp)$/.test(file.type)) {
      return Promise.resolve(null);
    }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1) return null;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          resolve(blob ? new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }) : null);
        }, "image/jpeg", 0.88);
      });
    });
  }

  document.querySelectorAll("form[data-photo-search]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var send = form.querySelector(".photo-send");
    var busy = form.querySelector(".photo-busy");
    form.classList.add("photo-search-js");
    if (send) send.hidden = true;
    input.addEventListener("change", function () {
      if (!input.files.length) return;
      if (busy) busy.hidden = false;
      smaller(input.files[0])
        .then(function (file) {
          if (file) {
            var list = new DataTransfer();
            list.items.add(file);
            input.files = list.files;
          }
        })
        .catch(function () {})
        .then(function () {
          form.submit();
        });
    });
  });
})();
