/*
 * Forms that send files: the ticket form and the reply form. Without JavaScript they submit the ordinary
 * way and everything still works; with it:
 *   - files chosen one after another add up (a second camera shot no longer replaces the first), each with
 *     a preview and a remove button, up to the form's file limit;
 *   - sending shows a progress bar, disables the send buttons and ignores a second tap, so one POST is made;
 *   - an answer with errors replaces the form in place (the server keeps the files it accepted).
 *
 * Markup, on the <form data-upload>:
 *   action                        where to send (read with getAttribute: form.action can be shadowed by a
 *                                 control named "action")
 *   data-max-files                how many files in all; already attached files are <li> in [data-pending]
 *   data-max-file-mb              size above which a preview warns
 *   data-msg-too-big, data-msg-remove ("%(name)s"), data-msg-limit ("%(max)s")   translated texts
 *   input[type=file][data-accumulate]   inputs whose choices add up
 *   [data-previews]               the list that shows chosen files
 *   [data-progress]               a hidden box with a <progress> and a [data-percent] element
 *   [data-nojs]                   elements only useful without JavaScript (hidden here)
 * After replacing a form it dispatches "upload-form:replaced" on document, with the new form as detail.
 */
(function () {
  "use strict";

  function format(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function humanSize(bytes) {
    if (bytes >= 1024 * 1024) return (bytes / (1024 * 1024)).toFixed(1) + " MB";
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  /* --- Files that add up ---------------------------------------------------------------------- */

  function fileInputs(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input[type=file][data-accumulate]"));
  }

  function chosenCount(form, except) {
    return fileInputs(form).reduce(function (sum, input) {
      return sum + (input === except ? 0 : (input.kept || []).length);
    }, 0);
  }

  function room(form, input) {
    var max = Number(form.dataset.maxFiles || 10);
    var pending = form.querySelectorAll("[data-pending] li").length;
    return Math.max(0, max - pending - chosenCount(form, input));
  }

  function writeFiles(input) {
    // DataTransfer is how a script sets an input's files, so an ordinary submit still carries them all.
    if (!window.DataTransfer) return;
    var transfer = new DataTransfer();
    (input.kept || []).forEach(function (file) { transfer.items.add(file); });
    input.files = transfer.files;
  }

  /* A file that cannot be sent is refused here, before anything is sent, and the reason shown; the server
     refuses it too when this script is off. Unknown types (no type given) are left to the server. */
  var SENDABLE = /^(image\/(jpeg|png|webp|gif|heic|heif)|text\/.*|application\/(gzip|x-gzip|zip|x-zip-compressed))$/;

  function sendable(file) {
    if (window.photoShrink && window.photoShrink.isHeic(file)) return true;
    return !file.type || SENDABLE.test(file.type);
  }

  function keptBytes(form) {
    return fileInputs(form).reduce(function (sum, input) {
      return sum + (input.kept || []).reduce(function (s, f) { return s + f.size; }, 0);
    }, 0);
  }

  function prepare(file) {
    if (!window.photoShrink) return Promise.resolve({ file: file, shrunk: false });
    return window.photoShrink(file).then(null, function () { return { file: file, unreadable: true }; });
  }

  function admit(form, input, results, refusals) {
    var maxBytes = Number(form.dataset.maxFileMb || 10) * 1024 * 1024;
    var maxTotal = Number(form.dataset.maxTotalMb || 30) * 1024 * 1024;
    var full = false;
    results.forEach(function (result) {
      var file = result.file, name = result.original.name;
      if (result.unreadable) {
        refusals.push(format(form.dataset.msgHeic, { name: name }));
      } else if (file.size > maxBytes) {
        refusals.push(format(form.dataset.msgSize, { name: name, size: humanSize(file.size), max: form.dataset.maxFileMb }));
      } else if (keptBytes(form) + file.size > maxTotal) {
        refusals.push(format(form.dataset.msgTotal, { name: name, max: form.dataset.maxTotalMb }));
      } else if (room(form, input) - (input.kept || []).length <= 0) {
        full = true;
      } else {
        // Said only when it made a difference (a small JPEG is re-encoded too, to drop its metadata).
        if (result.shrunk && file.size < result.original.size * 0.9) file.shrunkFrom = result.original.size;
        input.kept = (input.kept || []).concat([file]);
      }
    });
    if (full) refusals.push(format(form.dataset.msgLimit, { max: form.dataset.maxFiles }));
  }

  function onFilesChosen(form, input) {
    if (!window.DataTransfer) { input.kept = Array.prototype.slice.call(input.files || []); showPreviews(form); return; }
    var kept = input.kept || [];
    var added = Array.prototype.slice.call(input.files || []).filter(function (file) {
      return kept.indexOf(file) === -1;
    });
    // The originals never go out: until they are made smaller the input holds only what was kept before.
    writeFiles(input);
    var refusals = [];
    var accepted = added.filter(function (file) {
      if (sendable(file)) return true;
      refusals.push(format(form.dataset.msgType, { name: file.name }));
      return false;
    });
    showRefusals(input, refusals);
    showPreviews(form, accepted.length ? form.dataset.msgPreparing : "");
    form.pendingPhotos = (form.pendingPhotos || 0) + 1;
    var job = Promise.all(accepted.map(function (file) {
      return prepare(file).then(function (result) { result.original = file; return result; });
    })).then(function (results) {
      admit(form, input, results, refusals);
      writeFiles(input);
      showRefusals(input, refusals);
      showPreviews(form);
    }).then(function () { form.pendingPhotos -= 1; }, function () { form.pendingPhotos -= 1; });
    form.preparing = Promise.all([form.preparing, job]);
  }

  function removeFile(form, input, file) {
    input.kept = (input.kept || []).filter(function (kept) { return kept !== file; });
    writeFiles(input);
    showPreviews(form);
    input.focus();
  }

  function previewItem(form, input, file) {
    var item = document.createElement("li");
    if (file.type && file.type.indexOf("image/") === 0) {
      var img = document.createElement("img");
      img.alt = "";
      img.width = 64;
      img.height = 64;
      img.src = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(img.src); };
      item.appendChild(img);
    }
    var name = document.createElement("span");
    name.textContent = file.name + " (" + humanSize(file.size) + ")";
    if (file.shrunkFrom) {
      name.textContent += " · " + format(form.dataset.msgShrunk, { before: humanSize(file.shrunkFrom), after: humanSize(file.size) });
    }
    item.appendChild(name);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "secondary small-button";
    remove.textContent = format(form.dataset.msgRemove || "✕ %(name)s", { name: file.name });
    remove.addEventListener("click", function () { removeFile(form, input, file); });
    item.appendChild(remove);
    return item;
  }

  /* Every reason, in the order the files were chosen (not just the first), right under the input used. */
  function showRefusals(input, refusals) {
    var field = input.closest(".field") || input.parentNode;
    var list = field.querySelector("[data-refusals]");
    if (!refusals.length) { if (list) list.remove(); return; }
    if (!list) {
      list = document.createElement("ul");
      list.className = "errorlist file-refusals";
      list.setAttribute("data-refusals", "");
      list.setAttribute("role", "alert");
      input.after(list);
    }
    list.textContent = "";
    refusals.forEach(function (text) {
      var item = document.createElement("li");
      item.className = "file-refused";
      item.textContent = text;
      list.appendChild(item);
    });
  }

  function showPreviews(form, status) {
    var list = form.querySelector("[data-previews]");
    if (!list) return;
    list.textContent = "";
    fileInputs(form).forEach(function (input) {
      (input.kept || []).forEach(function (file) { list.appendChild(previewItem(form, input, file)); });
    });
    if (status) {
      var note = document.createElement("li");
      note.className = "muted";
      note.setAttribute("data-preparing", "");
      note.textContent = status;
      list.appendChild(note);
    }
  }

  /* --- Sending with a progress bar ----------------------------------------------------------- */

  function sendButtons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type])");
  }

  function showProgress(form, value) {
    var box = form.querySelector("[data-progress]");
    if (!box) return;
    box.hidden = false;
    var bar = box.querySelector("progress");
    var percent = box.querySelector("[data-percent]");
    if (bar) bar.value = value;
    if (percent) percent.textContent = value + "%";
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.setRequestHeader("Accept", "application/json");
    form.dataset.sending = "1";
    form.classList.add("sending");
    sendButtons(form).forEach(function (button) { button.disabled = true; });
    showProgress(form, 0);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) showProgress(form, Math.round((event.loaded / event.total) * 100));
    });
    xhr.addEventListener("load", function () { answered(form, xhr); });
    xhr.addEventListener("error", function () { fallback(form); });
    xhr.send(data);
  }

  function go(address) {
    var target = new URL(address, window.location.href);
    var here = new URL(window.location.href);
    window.location.assign(target.href);
    // Only the #fragment differs (a reply goes back to its own page): assign would just scroll. The reload
    // then opens at the fragment (the message just sent), not where the page was scrolled before.
    if (target.href.split("#")[0] === here.href.split("#")[0]) {
      if ("scrollRestoration" in window.history) window.history.scrollRestoration = "manual";
      window.location.reload();
    }
  }

  function answered(form, xhr) {
    var reply = null;
    try { reply = JSON.parse(xhr.responseText); } catch (_e) { reply = null; }
    if (reply && reply.redirect) {
      go(reply.redirect);
      return;
    }
    if (reply && reply.error) {
      // Refused before any form saw it (too large): everything stays in place; say why, send nothing again.
      showError(form, reply.error);
      return;
    }
    if (reply && reply.html) {
      // The server kept the accepted files; show its form with the errors and the files listed.
      var holder = document.createElement("div");
      holder.innerHTML = reply.html;
      var fresh = holder.querySelector("form");
      form.replaceWith(fresh);
      setup(fresh);
      document.dispatchEvent(new CustomEvent("upload-form:replaced", { detail: fresh }));
      var errors = fresh.querySelector("[data-errors], .errorlist");
      if (errors) {
        if (!errors.hasAttribute("tabindex")) errors.setAttribute("tabindex", "-1");
        errors.focus();
      }
      return;
    }
    fallback(form);
  }

  function showError(form, message) {
    delete form.dataset.sending;
    form.classList.remove("sending");
    var progress = form.querySelector("[data-progress]");
    if (progress) progress.hidden = true;
    sendButtons(form).forEach(function (button) { button.disabled = false; });
    var box = form.querySelector("[data-send-error]");
    if (!box) {
      box = document.createElement("p");
      box.className = "msg msg-error";
      box.setAttribute("data-send-error", "");
      box.setAttribute("role", "alert");
      box.tabIndex = -1;
      (progress || form.lastElementChild).before(box);
    }
    box.textContent = message;
    box.focus();
  }

  function fallback(form) {
    // Anything unexpected: send the ordinary way, which works without this script.
    form.dataset.plain = "1";
    sendButtons(form).forEach(function (button) { button.disabled = false; });
    HTMLFormElement.prototype.submit.call(form);
  }

  /* --- Wiring -------------------------------------------------------------------------------- */

  function setup(form) {
    if (!form || form.dataset.uploadReady) return;
    form.dataset.uploadReady = "1";
    form.querySelectorAll("[data-nojs]").forEach(function (el) { el.hidden = true; });
    form.addEventListener("change", function (event) {
      if (event.target.matches("input[type=file][data-accumulate]")) onFilesChosen(form, event.target);
    });
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending) { event.preventDefault(); return; }  // a second tap while sending
      var submitter = event.submitter;
      if (form.pendingPhotos) {
        // Photos still being made smaller: any button goes on once they are ready (a moment on a phone).
        event.preventDefault();
        form.dataset.sending = "1";
        Promise.resolve(form.preparing).then(function () {
          delete form.dataset.sending;
          if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
        });
        return;
      }
      if (form.dataset.plain || !window.FormData || !window.XMLHttpRequest) return;
      if (submitter && submitter.hasAttribute("formaction")) return;
      if (submitter && submitter.value && submitter.value !== "send") return;
      event.preventDefault();
      send(form, submitter);
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(setup);

  // A reload keeps no #fragment scroll (see go()): the page of a message just sent opens at that message, where
  // the "sent" notice is.
  var sent = /^#message-\d+$/.test(window.location.hash) && document.getElementById(window.location.hash.slice(1));
  if (sent) sent.scrollIntoView({ block: "start" });
})();
