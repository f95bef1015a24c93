/* Ticket form enhancements (sending and files: upload-form.js). Without JavaScript the form does all of
   this with server round trips: steps are edited with submit buttons, suggestions are not shown. */
(function () {
  "use strict";

  function text(form, name, fallback) {
    return form.dataset[name] || fallback;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
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
        var label = form.dataset[{ up: "msgUp", down: "msgDown", remove: "msgRemoveStep" }[button.dataset.step]];
        if (label) button.setAttribute("aria-label", format(label, { n: index + 1 }));
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
          q: query, lang: form.dataset.lang || "", suggest: "1", limit: "4",
          csrfmiddlewaretoken: form.querySelector("[name=csrfmiddlewaretoken]").value
        });
        fetch(form.dataset.suggestUrl, {
          method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" }
        })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { showSuggestions(form, box, template, helpful(form, data.results || []).slice(0, 3), query); })
          .catch(function () { box.hidden = true; });
      }, 400);
    });
    // Sending: no suggestion after that, to compete with the upload on a slow link or be cut off by the
    // page that follows.
    form.addEventListener("submit", function () { clearTimeout(timer); });
  }

  function helpful(form, results) {
    // Not the article the merchant just said did not solve it.
    var notHelpful = form.dataset.notHelpful;
    return results.filter(function (result) { return !notHelpful || result.url !== notHelpful; });
  }

  function showSuggestions(form, box, template, results, query) {
    var list = box.querySelector(".suggest-list");
    list.textContent = "";
    results.forEach(function (result) {
      var item = template.content.firstElementChild.cloneNode(true);
      var link = item.querySelector(".suggest-link");
      link.href = result.url;
      link.textContent = result.title;
      item.querySelector(".suggest-snippet").textContent = result.line || "";
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

  /* --- Picking one of a signed-in merchant's terminals fills its fields ----------------------- */

  function fillTerminal(form, radio) {
    ["merchantId", "terminalId", "serialNumber", "terminalModel", "acquirer"].forEach(function (key) {
      var field = form.querySelector("#id_" + key.replace(/[A-Z]/g, function (c) { return "_" + c.toLowerCase(); }));
      if (field) field.value = radio.dataset[key] || "";
    });
  }

  /* --- "When did it happen?": the time field only for "earlier today" and "another time" ---------- */

  function showWhenTime(form) {
    var box = form.querySelector("[data-when-time]");
    var picked = form.querySelector("input[name=occurred_when]:checked");
    if (!box) return;
    var typed = form.querySelector("#id_occurred_at");
    // Kept visible when it holds a time or an error: nothing typed is ever hidden.
    box.hidden = !(picked && picked.value !== "just_now") && !(typed && typed.value) && !box.querySelector(".errorlist");
  }

  function setup(form) {
    if (!form) return;
    showWhenTime(form);
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-step]");
      if (button && form.contains(button)) onStepButton(form, button, event);
    });
    form.addEventListener("change", function (event) {
      if (event.target.name === "known_terminal") fillTerminal(form, event.target);
      if (event.target.name === "occurred_when") showWhenTime(form);
    });
    renumberSteps(form);
    setupSuggestions(form);
  }

  // Sending, files and progress are upload-form.js; after it replaces the form with the server's answer,
  // wire the new one up here too.
  document.addEventListener("upload-form:replaced", function (event) {
    if (event.detail && event.detail.id === "ticket-form") setup(event.detail);
  });
  setup(document.getElementById("ticket-form"));
})();
