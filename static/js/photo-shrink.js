/*
 * Phone photos made small enough for a slow connection before they are sent: a 12 MP camera photo of
 * 2.6 MB becomes a JPEG of 2048 px on its longest side at quality 0.85, a few hundred KB.
 *   - orientation kept: the browser draws the picture the way it shows it (EXIF orientation applied);
 *   - nothing of the photo's metadata travels (a canvas has none): no GPS position leaves the phone;
 *   - HEIC (iPhone) is converted where the browser can read it; where it cannot, photoShrink says so and
 *     the caller refuses the file before anything is sent.
 * The server checks and re-encodes every file anyway, and takes the originals when this script is off.
 *
 * window.photoShrink(file) -> Promise of { file, shrunk: bool } or rejects with "unreadable".
 */
(function () {
  "use strict";

  var LONGEST = 2048;
  var QUALITY = 0.85;
  // PNG screenshots stay as they are unless large: text stays crisp, and they carry no position.
  var PNG_KEEP_BYTES = 1024 * 1024;

  function isHeic(file) {
    return /^image\/hei[cf]/.test(file.type || "") || /\.hei[cf]$/i.test(file.name || "");
  }

  function wanted(file) {
    var type = file.type || "";
    if (isHeic(file)) return true;
    if (type === "image/jpeg" || type === "image/webp") return true;
    return type === "image/png" && file.size > PNG_KEEP_BYTES;
  }

  function load(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("unreadable")); };
      img.src = url;
    });
  }

  function jpegName(name) {
    var stem = (name || "photo").replace(/\.[^.\/]{1,5}$/, "");
    return stem + ".jpg";
  }

  function encode(img, file) {
    var width = img.naturalWidth, height = img.naturalHeight;
    var scale = Math.min(1, LONGEST / Math.max(width, height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    var context = canvas.getContext("2d");
    context.fillStyle = "#fff";  // a transparent PNG becomes white, not black, as a JPEG
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(img, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) {
        if (!blob) { reject(new Error("unreadable")); return; }
        resolve(new File([blob], jpegName(file.name), { type: "image/jpeg", lastModified: file.lastModified }));
      }, "image/jpeg", QUALITY);
    });
  }

  window.photoShrink = function (file) {
    if (!wanted(file) || !window.HTMLCanvasElement || !window.File) {
      return Promise.resolve({ file: file, shrunk: false });
    }
    return load(file).then(function (img) { return encode(img, file); }).then(function (small) {
      // A small JPEG already below the target is still re-encoded: that is what drops its GPS position.
      return { file: small, shrunk: true };
    }, function (error) {
      if (isHeic(file)) throw error;  // the server cannot read it either: refuse it here, with the reason
      return { file: file, shrunk: false };  // anything else unreadable here: the server decides and says why
    });
  };
  window.photoShrink.isHeic = isHeic;
})();
