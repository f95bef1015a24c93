// The agent's ticket page: photo gallery, canned replies, and who else has the ticket open.
(function () {
  "use strict";

  function gallery() {
    var box = document.getElementById("lightbox");
    var items = Array.prototype.slice.call(document.querySelectorAll(".gallery-item[data-full]"));
    if (!box || !items.length || typeof box.showModal !== "function") return;
    var img = box.querySelector("img");
    var caption = box.querySelector("figcaption");
    var current = 0;
    var opener = null;

    function show(index) {
      current = (index + items.length) % items.length;
      img.src = items[current].dataset.full;
      img.alt = items[current].dataset.caption;
      caption.textContent = items[current].dataset.caption + " (" + (current + 1) + "/" + items.length + ")";
    }
    items.forEach(function (item, index) {
      item.addEventListener("click", function (event) {
        event.preventDefault();
        opener = item;
        show(index);
        box.showModal();
      });
    });
    box.addEventListener("click", function (event) {
      var step = event.target.closest("[data-step]");
      if (step) show(current + Number(step.dataset.step));
      else if (event.target.closest("[data-close]") || event.target === box) box.close();
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight") show(current + 1);
      if (event.key === "ArrowLeft") show(current - 1);
    });
    box.addEventListener("close", function () {
      if (opener) opener.focus();
    });
    var startX = null;
    box.addEventListener("touchstart", function (event) {
      startX = event.changedTouches[0].clientX;
    }, { passive: true });
    box.addEventListener("touchend", function (event) {
      if (startX === null) return;
      var dx = event.changedTouches[0].clientX - startX;
      if (Math.abs(dx) > 40) show(current + (dx < 0 ? 1 : -1));
      startX = null;
    });
  }

  function canned() {
    var select = document.getElementById("canned");
    var body = document.getElementById("reply-body");
    if (!select || !body) return;
    select.addEventListener("change", function () {
      var template = document.querySelector('.canned-text[data-index="' + select.value + '"]');
      if (!template) return;
      var text = template.content.textContent;
      var at = body.selectionStart || body.value.length;
      body.value = body.value.slice(0, at) + text + body.value.slice(at);
      select.value = "";
      body.focus();
    });
  }

  function presence() {
    var page = document.getElementById("ticket-page");
    var line = document.getElementById("presence");
    var textsNode = document.getElementById("presence-texts");
    var form = document.getElementById("reply-form");
    if (!page || !line || !textsNode) return;
    var texts = JSON.parse(textsNode.textContent);
    var body = document.getElementById("reply-body");
    var lastTyped = 0;
    if (body) body.addEventListener("input", function () { lastTyped = Date.now(); });
    var tokenInput = (form || document).querySelector("input[name=csrfmiddlewaretoken]");

    function render(others) {
      line.textContent = others.map(function (other) {
        return (texts[other.state] || texts.viewing).replace("%(name)s", other.name);
      }).join(" ");
      line.hidden = !others.length;
    }
    function report() {
      if (document.hidden || !tokenInput) return;
      var data = new FormData();
      data.append("state", Date.now() - lastTyped < 8000 ? "typing" : "viewing");
      fetch(page.dataset.presenceUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": tokenInput.value },
        credentials: "same-origin",
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (answer) {
        if (answer) render(answer.others);
      }).catch(function () {});
    }
    report();
    window.setInterval(report, 10000);
  }

  gallery();
  canned();
  presence();
})();
