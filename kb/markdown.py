"""Markdown to safe HTML. Used when an article is saved and by the editor's live preview."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import markdown
import nh3
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from markdown.extensions.toc import slugify_unicode

from infra.i18n import current_language

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


# Python-Markdown's link and image patterns take time quadratic in the number of "[" within one piece
# of inline text (50,000 nested brackets kept a worker busy for minutes), and so does escaping them. The
# work is bounded by the sum, over blocks, of the square of each block's bracket count; past this budget
# the busiest blocks get their brackets swapped for private-use stand-ins that Markdown ignores, and put
# back after rendering (shown as typed, not as links). A real article stays far below the budget.
BRACKET_BUDGET = 250_000
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_OPEN, _CLOSE = "\ue000", "\ue001"


def _bound_brackets(text: str) -> str:
    text = text.replace(_OPEN, "").replace(_CLOSE, "")
    pieces = _BLANK_LINE.split(text)
    separators = _BLANK_LINE.findall(text)
    # Table rows are rendered cell by cell, so each row is a piece of its own.
    blocks = [piece.split("\n") if piece.lstrip().startswith("|") else [piece] for piece in pieces]
    costs = sorted(
        ((part.count("["), b, p) for b, parts in enumerate(blocks) for p, part in enumerate(parts)), reverse=True
    )
    total = sum(count * count for count, _b, _p in costs)
    for count, b, p in costs:
        if total <= BRACKET_BUDGET:
            break
        blocks[b][p] = blocks[b][p].replace("[", _OPEN).replace("]", _CLOSE)
        total -= count * count
    out = ["\n".join(parts) for parts in blocks]
    return "".join(piece + sep for piece, sep in zip(out, [*separators, ""], strict=True))


# Raw HTML reaches Python's html.parser (Markdown's HTML block step), which scans from each "<" until it can
# decide what the "<" starts; an unclosed "<http://a" repeated 20,000 times (or "<a ", "<![CDATA[", "<a x='>'")
# made that quadratic or worse: minutes of a worker for a preview. A "<" is left to Markdown only when it
# starts something complete and short: a tag with balanced quotes, an end tag, an autolink (they look like
# tags: <https://…>, <a@b.cn>) or a comment. Every other "<" is a private-use stand-in while rendering and
# comes out as "&lt;" (shown as typed, as Markdown would have shown it in text and in code alike). Past
# TAG_BUDGET complete tags, Markdown's own handling of each grows with the others (40,000 "<b><i>": 16 s), so
# the rest are shown as typed too; a real article has a handful.
TAG_BUDGET = 500
_PLAUSIBLE_TAG = re.compile(
    r"""<(?:/?[A-Za-z][A-Za-z0-9:-]{0,40}+(?:[^<>"']|"[^"<>]{0,500}+"|'[^'<>]{0,500}+'){0,500}+>"""
    r"""|!--(?:(?!-->)[^<]){0,2000}+-->)"""
)
_LT = "\ue002"


def _bound_tags(text: str) -> str:
    text = text.replace(_LT, "")
    out, at, budget = [], 0, TAG_BUDGET
    while (lt := text.find("<", at)) >= 0:
        tag = _PLAUSIBLE_TAG.match(text, lt) if budget else None
        budget -= 1 if tag else 0
        end = tag.end() if tag else lt + 1
        out.append(text[at:lt] + (tag.group() if tag else _LT))
        at = end
    out.append(text[at:])
    return "".join(out)


def browser_url(value: str) -> str:
    """A URL as a browser reads it: surrounding spaces and control characters dropped, tabs and line
    breaks inside removed, backslashes taken as slashes ("/\\evil.example" is "//evil.example")."""
    value = value.strip("".join(chr(c) for c in range(33)))
    return re.sub(r"[\t\n\r]", "", value).replace("\\", "/")


def _is_other_site(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc or url.startswith("//"))


def _filter_urls(tag: str, attribute: str, value: str) -> str | None:
    if attribute not in ("src", "href"):
        return value
    url = browser_url(value)
    if tag == "img":
        # An image from another host would be loaded by every reader's browser: a tracker, and slow on a
        # poor network. Editors upload images to this site instead.
        return None if _is_other_site(url) else url
    if url.startswith("//"):
        # A link to another site says so, instead of hiding behind a path-looking address.
        return "https:" + url
    return url


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=_filter_urls,
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
    # A browser sends a textarea's lines ending in CRLF (the editor's preview, the admin form): one line end,
    # so `[[include:…]]` lines match as they do for a file's text.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    body = md.convert(
        _resolve_internal_links(
            _separate_lists(_bound_brackets(_bound_tags(_resolve_includes(text, language)))), language
        )
    )
    toc = md.toc if getattr(md, "toc_tokens", None) else ""
    return sanitize(_unbound(body)), sanitize(_unbound(toc))


def _unbound(html: str) -> str:
    return html.replace(_OPEN, "[").replace(_CLOSE, "]").replace(_LT, "&lt;")


def render_preview(text: str, language: str | None = None) -> str:
    """markdownx's MARKDOWNX_MARKDOWNIFY_FUNCTION: the same pipeline as a saved article, in the article's
    language when the editor says which (its shared blocks differ per language), else the admin's."""
    return render(text, language=language or current_language())[0]


def do_now_heading() -> str:
    """The heading of an article's "do this now" block (front matter `do_now`), in the active language."""
    return gettext("Do this now")


def split_do_now(body_html: str) -> tuple[str, str]:
    """(the "do this now" section with its heading, the rest of the body); ("", body) when it has none."""
    found = re.match(r'<h2 id="[^"]*">' + re.escape(escape(do_now_heading())) + r"</h2>\s*", body_html)
    if not found:
        return "", body_html
    end = body_html.find("<h2", found.end())
    end = len(body_html) if end < 0 else end
    return body_html[:end].strip(), body_html[end:]
