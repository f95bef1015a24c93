// The agent's ticket page: photo gallery, canned replies, who else has the ticket open, the composer's two
// modes and its drafts, and the keyboard (r, n, j, k, Esc, ?), and the article picker of the suggested answer.
(function () {
  "use strict";

  // The gallery: every photo of the ticket, opened from the photo list or a thumbnail in the conversation.
  // Photos of screens often arrive sideways: rotate in 90° steps, zoom, and move a zoomed photo (keys,
  // mouse drag, one finger); swipe for other photos and pinch to zoom on a touch screen.
  function gallery() {
    var box = document.getElementById("lightbox");
    var items = Array.prototype.slice.call(document.querySelectorAll(".gallery-item[data-full]"));
    if (!box || !items.length || typeof box.showModal !== "function") return;
    var stage = document.getElementById("lightbox-stage");
    var img = document.getElementById("lightbox-image");
    var caption = document.getElementById("lightbox-caption");
    var ZOOMS = [1, 1.5, 2, 3, 4];
    var view = { index: 0, rotate: 0, zoom: 0, x: 0, y: 0 };
    var opener = null;

    function apply() {
      // CSSOM, not a style attribute: allowed under the page's Content-Security-Policy.
      img.style.transform = "translate(" + view.x + "px, " + view.y + "px) rotate(" + view.rotate + "deg) scale(" + ZOOMS[view.zoom] + ")";
      stage.classList.toggle("sideways", view.rotate % 180 !== 0);
      box.dataset.rotate = String(((view.rotate % 360) + 360) % 360);
      box.dataset.zoom = String(ZOOMS[view.zoom]);
    }
    function reset() { view.rotate = 0; view.zoom = 0; view.x = 0; view.y = 0; apply(); }
    function show(index) {
      view.index = (index + items.length) % items.length;
      var item = items[view.index];
      img.src = item.dataset.full;
      img.alt = item.dataset.caption;
      caption.textContent = item.dataset.caption + " (" + (view.index + 1) + "/" + items.length + ")";
      reset();
    }
    function rotate(step) { view.rotate += step; apply(); }
    function zoom(step) {
      view.zoom = Math.min(Math.max(view.zoom + step, 0), ZOOMS.length - 1);
      if (!view.zoom) { view.x = 0; view.y = 0; }
      apply();
    }
    function pan(dx, dy) { if (view.zoom) { view.x += dx; view.y += dy; apply(); } }
    function open(index, from) {
      opener = from;
      show(index);
      box.showModal();
    }
    items.forEach(function (item, index) {
      item.addEventListener("click", function (event) { event.preventDefault(); open(index, item); });
    });
    document.querySelectorAll(".message-photo[data-gallery-index]").forEach(function (thumb) {
      var index = Number(thumb.dataset.galleryIndex);
      if (!items[index]) return; // a format the browser cannot show: the link downloads it
      thumb.addEventListener("click", function (event) { event.preventDefault(); open(index, thumb); });
    });
    box.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (event.target === box) { box.close(); return; }
      if (!button) return;
      if (button.dataset.step) show(view.index + Number(button.dataset.step));
      else if (button.dataset.rotate) rotate(Number(button.dataset.rotate));
      else if (button.dataset.zoom) zoom(Number(button.dataset.zoom));
      else if (button.hasAttribute("data-reset")) reset();
      else if (button.hasAttribute("data-close")) box.close();
    });
    var keys = {
      ArrowRight: function (e) { if (e.shiftKey) pan(-60, 0); else show(view.index + 1); },
      ArrowLeft: function (e) { if (e.shiftKey) pan(60, 0); else show(view.index - 1); },
      ArrowUp: function (e) { if (e.shiftKey) pan(0, 60); },
      ArrowDown: function (e) { if (e.shiftKey) pan(0, -60); },
      r: function () { rotate(90); },
      R: function () { rotate(-90); },
      "+": function () { zoom(1); },
      "=": function () { zoom(1); },
      "-": function () { zoom(-1); },
      "0": reset
    };
    box.addEventListener("keydown", function (event) {
      var action = keys[event.key];
      if (!action || event.ctrlKey || event.metaKey || event.altKey) return;
      event.preventDefault();
      event.stopPropagation();
      action(event);
    });
    stage.addEventListener("wheel", function (event) {
      event.preventDefault();
      zoom(event.deltaY < 0 ? 1 : -1);
    }, { passive: false });
    stage.addEventListener("dblclick", function () { zoom(view.zoom ? -view.zoom : 2); });
    box.addEventListener("close", function () {
      if (opener) opener.focus();
    });

    // Pointers: one drags a zoomed photo (or swipes to another one), two pinch to zoom.
    var pointers = {};
    var start = null;
    function distance() {
      var p = Object.keys(pointers).map(function (id) { return pointers[id]; });
      return p.length < 2 ? 0 : Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y);
    }
    stage.addEventListener("pointerdown", function (event) {
      pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
      stage.setPointerCapture(event.pointerId);
      start = { x: event.clientX, y: event.clientY, viewX: view.x, viewY: view.y, pinch: distance(), zoom: view.zoom };
    });
    stage.addEventListener("pointermove", function (event) {
      if (!pointers[event.pointerId] || !start) return;
      pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
      var now = distance();
      if (start.pinch && now) {
        var ratio = now / start.pinch;
        var target = ZOOMS[start.zoom] * ratio;
        var level = 0;
        ZOOMS.forEach(function (z, i) { if (target >= z) level = i; });
        if (level !== view.zoom) { view.zoom = level; apply(); }
      } else if (view.zoom) {
        view.x = start.viewX + event.clientX - start.x;
        view.y = start.viewY + event.clientY - start.y;
        apply();
      }
    });
    function up(event) {
      if (!pointers[event.pointerId]) return;
      var single = Object.keys(pointers).length === 1;
      delete pointers[event.pointerId];
      if (single && start && !start.pinch && !view.zoom) {
        var dx = event.clientX - start.x;
        if (Math.abs(dx) > 40) show(view.index + (dx < 0 ? 1 : -1));
      }
      if (!Object.keys(pointers).length) start = null;
    }
    stage.addEventListener("pointerup", up);
    stage.addEventListener("pointercancel", up);
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

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    if (tag === "input") return ["radio", "checkbox", "button", "submit", "reset"].indexOf(target.type) < 0;
    return tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  // The queue records its order and address (agent-queue-order.js); without it j/k do nothing and Esc opens
  // the queue as it first shows.
  var QUEUE_KEY = "agent-queue";
  function queueState() {
    try { return JSON.parse(window.sessionStorage.getItem(QUEUE_KEY) || "null"); } catch (e) { return null; }
  }

  // The composer's text is kept per ticket (with the mode it was written in) as it is typed, so Esc, j/k, a
  // link or a reload never lose it: it is back in the box when the ticket is opened again in this tab, and is
  // dropped once the page comes back saying it was sent (data-sent).
  var DRAFT_KEY = "agent-draft:";
  function drafts() {
    var page = document.getElementById("ticket-page");
    var body = document.getElementById("reply-body");
    var form = document.getElementById("reply-form");
    if (!page || !body || !form) return null;
    var key = DRAFT_KEY + page.dataset.reference;
    var back = document.getElementById("draft-back");
    function forget() { try { window.sessionStorage.removeItem(key); } catch (e) { /* storage off */ } }
    function save() {
      if (!body.value.trim()) { forget(); return; }
      var mode = document.getElementById("mode-note").checked ? "note" : "reply";
      try { window.sessionStorage.setItem(key, JSON.stringify({ text: body.value, mode: mode })); } catch (e) { /* storage off or full */ }
    }
    if (page.hasAttribute("data-sent")) forget();
    else {
      var draft = null;
      try { draft = JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { draft = null; }
      if (draft && draft.text && !body.value) {
        body.value = draft.text;
        document.getElementById(draft.mode === "note" ? "mode-note" : "mode-reply").checked = true;
        if (back) back.hidden = false;
      }
    }
    body.addEventListener("input", save);
    form.addEventListener("change", save); // the mode tabs
    window.addEventListener("pagehide", save); // a canned reply inserted, then a link followed
    var discard = document.getElementById("draft-discard");
    function clear() { body.value = ""; forget(); if (back) back.hidden = true; }
    if (discard) discard.addEventListener("click", function () { clear(); body.focus(); });
    return { unsent: function () { return body.value.trim() !== ""; }, discard: clear, body: body };
  }

  // Leaving by key (Esc, j, k) with unsent text asks first, in the page: stay (the default), leave with the
  // draft kept, or leave and discard it. No native beforeunload prompt: the draft is kept either way.
  function guarded(draft) {
    var dialog = document.getElementById("leave-draft");
    return function (go) {
      if (!draft || !dialog || typeof dialog.showModal !== "function" || !draft.unsent()) { go(); return; }
      dialog.returnValue = "";
      dialog.addEventListener("close", function () {
        if (dialog.returnValue === "discard") draft.discard();
        if (dialog.returnValue === "leave" || dialog.returnValue === "discard") go();
        else draft.body.focus();
      }, { once: true });
      dialog.showModal();
    };
  }

  function composer() {
    var body = document.getElementById("reply-body");
    if (!body) return null;
    function mode(kind) {
      var radio = document.getElementById(kind === "note" ? "mode-note" : "mode-reply");
      radio.checked = true;
      body.focus();
      body.scrollIntoView({ block: "center" });
    }
    if (window.location.hash === "#note") mode("note");
    else if (window.location.hash === "#reply") mode("reply");
    return mode;
  }

  function keyboard(mode, guard) {
    var page = document.getElementById("ticket-page");
    var dialog = document.getElementById("ticket-shortcuts");
    var edge = document.getElementById("queue-edge");
    if (!page || !dialog) return;
    function neighbour(step) {
      var state = queueState();
      var refs = state && state.refs ? state.refs : [];
      var at = refs.indexOf(page.dataset.reference);
      if (at < 0) return;
      var next = at + step;
      if (next < 0 || next >= refs.length) {
        edge.textContent = edge.dataset[step < 0 ? "first" : "last"];
        return;
      }
      guard(function () { window.location.assign(state.urls[next]); });
    }
    function back() {
      guard(leave);
    }
    function leave() {
      var state = queueState();
      if (state && state.url) {
        state.returning = true;
        state.current = page.dataset.reference; // the queue highlights the ticket just left, j goes on from it
        window.sessionStorage.setItem(QUEUE_KEY, JSON.stringify(state));
        window.location.assign(state.url);
      } else {
        window.location.assign(page.dataset.queueUrl);
      }
    }
    var keys = {
      r: function () { if (mode) mode("reply"); },
      n: function () { if (mode) mode("note"); },
      j: function () { neighbour(1); },
      k: function () { neighbour(-1); },
      Escape: back,
      "?": function () { if (dialog.open) dialog.close(); else dialog.showModal(); }
    };
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (typing(event.target)) {
        // Esc in a field leaves it (the browser's own behaviour elsewhere), so the keys work again.
        if (event.key === "Escape" && event.target.blur) event.target.blur();
        return;
      }
      if (document.querySelector("dialog[open]") && event.key !== "?") return; // the dialog's own keys
      var action = keys[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    });
  }

  // The article picker: results as the agent types (the same fragment the search button shows without JS).
  function picker() {
    var page = document.getElementById("ticket-page");
    var input = document.getElementById("article-q");
    var list = document.getElementById("article-choices");
    if (!page || !input || !list) return;
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var query = input.value.trim();
        if (query === asked) return;
        asked = query;
        fetch(page.dataset.choicesUrl + "?article_q=" + encodeURIComponent(query), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.text() : null; })
          .then(function (html) {
            if (html === null || query !== asked) return;
            var holder = document.createElement("div");
            holder.innerHTML = html;
            var fresh = holder.querySelector("#article-choices");
            if (fresh) { list.replaceWith(fresh); list = fresh; }
          })
          .catch(function () {});
      }, 250);
    });
  }

  gallery();
  canned();
  presence();
  var draft = drafts();
  keyboard(composer(), guarded(draft));
  picker();
})();
