/* Ticket form enhancements. Without JavaScript the form does all of this with server round trips:
   steps are edited with submit buttons, files upload with the form, suggestions are not shown. */
(function () {
  "use strict";

  function text(form, name, fallback) {
    return form.dataset[name] || fallback;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function humanSize(bytes) {
    if (bytes >= 1024 * 1024) return (bytes / (1024 * 1024)).toFixed(1) + " MB";
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  /* --- Steps: add, remove and reorder in place ------------------------------------------------ */

  function renumberSteps(form) {
    var items = form.querySelectorAll("#steps .step");
    items.forEach(function (item, index) {
      var input = item.querySelector("input");
      var label = item.querySelector("label");
      input.id = "step-" + index;
      if (label) {
        label.htmlFor = input.id;
        label.textContent = format(text(form, "msgStep", "Step %(n)s"), { n: index + 1 });
      }
      item.querySelectorAll("button[data-step]").forEach(function (button) {
        button.value = button.dataset.step + ":" + index;
        if (button.dataset.step === "up") button.disabled = index === 0;
        if (button.dataset.step === "down") button.disabled = index === items.length - 1;
      });
    });
    var add = form.querySelector('button[data-step="add"]');
    if (add) add.hidden = items.length >= Number(form.dataset.maxSteps || 20);
  }

  function onStepButton(form, button, event) {
    var action = button.dataset.step;
    var list = form.querySelector("#steps");
    if (!list || !action) return;
    event.preventDefault();
    if (action === "add") {
      var last = list.querySelector(".step:last-child");
      var copy = last.cloneNode(true);
      copy.querySelector("input").value = "";
      list.appendChild(copy);
      renumberSteps(form);
      copy.querySelector("input").focus();
      return;
    }
    var item = button.closest(".step");
    if (action === "remove") {
      if (list.querySelectorAll(".step").length > 1) {
        var next = item.nextElementSibling || item.previousElementSibling;
        item.remove();
        renumberSteps(form);
        if (next) next.querySelector("input").focus();
      } else {
        item.querySelector("input").value = "";
      }
      return;
    }
    if (action === "up" && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
    } else if (action === "down" && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
    }
    renumberSteps(form);
    button.focus();
  }

  /* --- Previews of chosen files --------------------------------------------------------------- */

  function showPreviews(form) {
    var list = form.querySelector("#previews");
    if (!list) return;
    list.textContent = "";
    var maxBytes = Number(form.dataset.maxFileMb || 10) * 1024 * 1024;
    form.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) {
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
        item.appendChild(name);
        if (file.size > maxBytes) {
          var warn = document.createElement("strong");
          warn.className = "file-warning";
          warn.textContent = " " + text(form, "msgTooBig", "Too large");
          item.appendChild(warn);
        }
        list.appendChild(item);
      });
    });
  }

  /* --- Sending with a progress bar ----------------------------------------------------------- */

  function send(form, submitter) {
    var box = form.querySelector("#upload-progress");
    var bar = form.querySelector("#upload-bar");
    var percent = form.querySelector("#upload-percent");
    var data = new FormData(form);
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    var xhr = new XMLHttpRequest();
    // Not form.action: the form has buttons named "action", so that property is a RadioNodeList.
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.setRequestHeader("Accept", "application/json");
    box.hidden = false;
    form.classList.add("sending");
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) return;
      var value = Math.round((event.loaded / event.total) * 100);
      bar.value = value;
      percent.textContent = value + "%";
    });
    xhr.addEventListener("load", function () {
      var reply = null;
      try { reply = JSON.parse(xhr.responseText); } catch (_e) { reply = null; }
      if (reply && reply.redirect) {
        window.location.assign(reply.redirect);
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
        var errors = fresh.querySelector("#form-errors");
        if (errors) errors.focus();
        return;
      }
      fallback(form);
    });
    xhr.addEventListener("error", function () { fallback(form); });
    xhr.send(data);
  }

  function showError(form, message) {
    form.classList.remove("sending");
    form.querySelector("#upload-progress").hidden = true;
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    var box = form.querySelector("#send-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "send-error";
      box.className = "msg msg-error";
      box.setAttribute("role", "alert");
      box.tabIndex = -1;
      form.querySelector("#upload-progress").before(box);
    }
    box.textContent = message;
    box.focus();
  }

  function fallback(form) {
    // Anything unexpected: send the ordinary way, which works without this script.
    form.dataset.plain = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    HTMLFormElement.prototype.submit.call(form);
  }

  /* --- Top 3 article suggestions while the merchant describes the problem --------------------- */

  function setupSuggestions(form) {
    var box = form.querySelector("#ticket-suggest");
    var field = form.querySelector("#id_description");
    var template = form.querySelector("#suggest-item");
    if (!box || !field || !template || !window.fetch) return;
    var timer = null;
    var lastQuery = "";
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var query = window.withoutCardNumbers(field.value).slice(0, 200);
        if (query.length < 2 || query === lastQuery) return;
        lastQuery = query;
        // POSTed, so what the merchant is writing never appears in a URL or an access log.
        var body = new URLSearchParams({
          q: query, lang: form.dataset.lang || "", suggest: "1",
          csrfmiddlewaretoken: form.querySelector("[name=csrfmiddlewaretoken]").value
        });
        fetch(form.dataset.suggestUrl, {
          method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" }
        })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { showSuggestions(form, box, template, (data.results || []).slice(0, 3), query); })
          .catch(function () { box.hidden = true; });
      }, 400);
    });
  }

  function showSuggestions(form, box, template, results, query) {
    var list = box.querySelector(".suggest-list");
    list.textContent = "";
    results.forEach(function (result) {
      var item = template.content.firstElementChild.cloneNode(true);
      var link = item.querySelector(".suggest-link");
      link.href = result.url;
      link.textContent = result.title;
      item.querySelector(".suggest-snippet").textContent = result.snippet || "";
      var solved = item.querySelector(".suggest-solved");
      solved.value = result.url;
      solved.addEventListener("click", function (event) {
        event.preventDefault();
        deflect(form, solved.getAttribute("formaction"), result.url, query);
      });
      list.appendChild(item);
    });
    box.hidden = results.length === 0;
  }

  function deflect(form, action, url, query) {
    // A small form of its own, so the chosen files are not uploaded just to be thrown away.
    var small = document.createElement("form");
    small.method = "post";
    small.action = action;
    var values = {
      csrfmiddlewaretoken: form.querySelector("[name=csrfmiddlewaretoken]").value,
      url: url,
      q: query,
      code: (form.querySelector("#id_response_code") || {}).value || "",
      submission_key: (form.querySelector("[name=submission_key]") || {}).value || ""
    };
    Object.keys(values).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = values[name];
      small.appendChild(input);
    });
    document.body.appendChild(small);
    small.submit();
  }

  /* --- Wiring -------------------------------------------------------------------------------- */

  function setup(form) {
    if (!form) return;
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-step]");
      if (button && form.contains(button)) onStepButton(form, button, event);
    });
    form.addEventListener("change", function (event) {
      if (event.target.matches("input[type=file][data-preview]")) showPreviews(form);
    });
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      var plainAction = submitter && submitter.getAttribute("formaction");
      if (form.dataset.plain || plainAction || !window.FormData || !window.XMLHttpRequest) return;
      if (submitter && submitter.value && submitter.value !== "send") return;
      event.preventDefault();
      send(form, submitter);
    });
    renumberSteps(form);
    setupSuggestions(form);
  }

  setup(document.getElementById("ticket-form"));
})();
