"""Markdown to safe HTML. Used when an article is saved and by the editor's live preview."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import markdown
import nh3
from django.urls import reverse
from django.utils import translation
from markdown.extensions.toc import slugify_unicode

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "s", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "td": {"align"}, "th": {"align"},
    "ol": {"start"},
}  # fmt: skip
# `class` only for the table of contents markup that python-markdown produces itself.
ALLOWED_CLASSES = {"div": {"toc"}, "span": {"toclink"}, "ul": {"toc-list"}}

_INTERNAL_LINK = re.compile(r"\]\((article|code):([A-Za-z0-9_-]+)\)")
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
# A line `[[include:prepare]]` stands for a shared block (kb/content/blocks/<name>.<language>.md), written
# and translated once and resolved at render time, so `kb_rerender` spreads an edit of it to every page.
_INCLUDE = re.compile(r"^\[\[include:([a-z0-9-]+)\]\][ \t]*$", flags=re.MULTILINE)
BLOCKS_DIR = Path(__file__).resolve().parent / "content" / "blocks"


def _block_path(name: str, language: str) -> Path:
    return BLOCKS_DIR / f"{name}.{'en' if language.startswith('en') else 'zh-hans'}.md"


def unknown_includes(text: str, *, language: str) -> list[str]:
    """Names of included blocks that do not exist in this language (the editor is told before saving)."""
    return [name for name in _INCLUDE.findall(text) if not _block_path(name, language).is_file()]


def _resolve_includes(text: str, language: str) -> str:
    def replace(match: re.Match) -> str:
        path = _block_path(match.group(1), language)
        # An unknown name stays visible as typed: the editor sees the mistake in the preview.
        return path.read_text(encoding="utf-8").strip() if path.is_file() else match.group(0)

    return _INCLUDE.sub(replace, text)


def _separate_lists(text: str) -> str:
    """Let a list follow a paragraph line directly, as editors (and CommonMark) expect.

    Python-Markdown needs a blank line before a list; without one the items run into the paragraph.
    """
    out: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and _LIST_ITEM.match(line) and out:
            previous = out[-1]
            if previous.strip() and not _LIST_ITEM.match(previous) and not previous.startswith((" ", "\t", "|")):
                out.append("")
        out.append(line)
    return "\n".join(out)


def _resolve_internal_links(text: str, language: str) -> str:
    def replace(match: re.Match) -> str:
        kind, key = match.groups()
        with translation.override(language):
            if kind == "article":
                url = reverse("kb:article", kwargs={"slug": key})
            else:
                url = reverse("kb:code", kwargs={"code": key.upper()})
        return f"]({url})"

    return _INTERNAL_LINK.sub(replace, text)


def _same_site_images_only(tag: str, attribute: str, value: str) -> str | None:
    # An image from another host would be loaded by every reader's browser: a tracker, and slow on a
    # poor network. Editors upload images to this site instead.
    if tag == "img" and attribute == "src":
        parts = urlsplit(value)
        if parts.scheme or parts.netloc:
            return None
    return value


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=_same_site_images_only,
    )


def render(text: str, *, language: str) -> tuple[str, str]:
    """Return (body_html, toc_html), both sanitized. The TOC lists the article's h2/h3 headings."""
    md = markdown.Markdown(
        extensions=["tables", "sane_lists", "fenced_code", "toc"],
        # Anchors from the heading text (Chinese kept), not "_1", "_2": a link to a section then survives
        # an editor adding a heading above it.
        extension_configs={"toc": {"toc_depth": "2-3", "permalink": False, "slugify": slugify_unicode}},
        output_format="html",
    )
    body = md.convert(_resolve_internal_links(_separate_lists(_resolve_includes(text, language)), language))
    toc = md.toc if getattr(md, "toc_tokens", None) else ""
    return sanitize(body), sanitize(toc)


def render_preview(text: str) -> str:
    """markdownx's MARKDOWNX_MARKDOWNIFY_FUNCTION: the same pipeline as a saved article."""
    return render(text, language=translation.get_language() or "zh-hans")[0]
