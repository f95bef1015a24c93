/*
 * As-you-type search suggestions. No dependencies; without JavaScript the form simply submits to the
 * results page.
 *
 * Attach by markup, on any element (normally a <form>) carrying data-suggest-url:
 *   data-suggest-url     required  the JSON endpoint, e.g. {% url 'api:search' %} → /api/search
 *   data-lang            optional  zh-hans (default) or en: which articles to suggest
 *   data-suggest-input   optional  CSS selector of the field to watch inside the element; default [name=q]
 *                                  (the ticket form uses its description textarea)
 *   data-suggest-min     optional  characters before suggesting; default 2 (1 once Chinese is typed)
 *   data-suggest-limit   optional  how many suggestions; default 5 (more do not fit a phone screen)
 *   data-suggest-target  optional  "_blank" opens a suggestion in a new tab (so a half-written ticket survives)
 *   data-suggest-label   optional  accessible name of the list; default "Suggestions"
 *   data-suggest-count   optional  screen-reader announcement, "{count}" is replaced; default "{count}"
 * The list is the element's existing ul.suggestions, or one is created after the field.
 *
 * Keyboard: ↓/↑ move through suggestions, Enter opens the highlighted one (otherwise the form submits as
 * usual), Escape closes the list. Requests are debounced (250 ms) and a newer keystroke aborts the older
 * request, so results never arrive out of order.
 */
(function () {
  "use strict";
  var DEBOUNCE_MS = 250;
  var counter = 0;

  function setup(root) {
    var input = root.querySelector(root.dataset.suggestInput || "[name=q]");
    if (!input || input.dataset.suggestReady) return;
    input.dataset.suggestReady = "1";
    var id = "suggest-" + (++counter);
    var list = root.querySelector("ul.suggestions");
    if (!list) {
      list = document.createElement("ul");
      list.className = "suggestions";
      input.insertAdjacentElement("afterend", list);
    }
    list.id = list.id || id + "-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", root.dataset.suggestLabel || "Suggestions");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    list.insertAdjacentElement("afterend", status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    var minChars = parseInt(root.dataset.suggestMin || "2", 10);
    var limit = Math.min(parseInt(root.dataset.suggestLimit || "5", 10), 5);
    var maxLength = parseInt(input.getAttribute("maxlength") || "200", 10);
    var timer = null, controller = null, active = -1, lastQuery = "";

    function options() { return list.querySelectorAll("[role=option]"); }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = options();
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function render(results) {
      list.textContent = "";
      results.forEach(function (result, i) {
        var li = document.createElement("li");
        li.id = id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var a = document.createElement("a");
        a.href = result.open_url || result.url;
        a.tabIndex = -1;
        if (root.dataset.suggestTarget) { a.target = root.dataset.suggestTarget; a.rel = "noopener"; }
        var title = document.createElement("strong");
        title.className = "suggest-name";
        title.textContent = result.title;
        a.appendChild(title);
        if (result.line) {
          // One short line (what the page is for), not a stretch cut from the middle of the body.
          var line = document.createElement("span");
          line.className = "suggest-line";
          line.textContent = result.line;
          a.appendChild(line);
        }
        li.appendChild(a);
        list.appendChild(li);
      });
      active = -1;
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = results.length
        ? (root.dataset.suggestCount || "{count}").replace("{count}", String(results.length)) : "";
    }

    function fetchSuggestions() {
      var query = window.withoutCardNumbers(input.value).slice(0, maxLength);
      var needed = /[\u3400-\u9fff]/.test(query) ? 1 : minChars;
      if (query.length < needed) { lastQuery = ""; render([]); return; }
      if (query === lastQuery) return;
      lastQuery = query;
      if (controller) controller.abort();
      controller = new AbortController();
      var url = new URL(root.dataset.suggestUrl, window.location.href);
      url.searchParams.set("q", query);
      url.searchParams.set("lang", root.dataset.lang || "zh-hans");
      url.searchParams.set("limit", String(limit));
      url.searchParams.set("suggest", "1");
      fetch(url, { signal: controller.signal, headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (document.activeElement === input) render(data.results || []); })
        .catch(function (error) { if (error.name !== "AbortError") render([]); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !list.hidden) { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp" && !list.hidden) { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Escape" && !list.hidden) { event.preventDefault(); close(); }
      else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        options()[active].querySelector("a").click();
      }
    });
    input.addEventListener("blur", function () {
      // Let a click on a suggestion land before the list disappears.
      setTimeout(close, 150);
    });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  }

  function init() { document.querySelectorAll("[data-suggest-url]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
