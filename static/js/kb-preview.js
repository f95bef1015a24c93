/* The article editor's preview renders in the article's language: its [[include:…]] blocks exist once per
   language, and the public page uses the article's. markdownx reads the preview address on every request,
   so naming the language there (and again when the language field changes) is enough. */
(function () {
  "use strict";

  function wire() {
    var editor = document.querySelector("textarea.markdownx-editor");
    var select = document.getElementById("id_language");
    if (!editor || (!select && !editor.dataset.articleLanguage)) return;
    var attribute = "data-markdownx-urls-path";
    var base = (editor.getAttribute(attribute) || "").split("?")[0];
    if (!base) return;
    function update() {
      var language = select ? select.value : editor.dataset.articleLanguage;
      editor.setAttribute(attribute, base + "?language=" + encodeURIComponent(language));
    }
    update();
    if (select) select.addEventListener("change", function () {
      update();
      editor.dispatchEvent(new Event("input", { bubbles: true }));  // show the blocks of the new language
    });
  }

  /* The preview follows the caret: typing near the end of a long article shows the end of the preview. */
  function follow() {
    var editor = document.querySelector("textarea.markdownx-editor");
    var preview = document.querySelector(".markdownx-preview");
    if (!editor || !preview || !window.MutationObserver) return;
    function sync() {
      var ratio = editor.value.length ? editor.selectionStart / editor.value.length : 0;
      preview.scrollTop = ratio * (preview.scrollHeight - preview.clientHeight);
    }
    ["keyup", "click", "input"].forEach(function (name) { editor.addEventListener(name, sync); });
    new MutationObserver(sync).observe(preview, { childList: true, subtree: true });
  }

  function start() { wire(); follow(); }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
