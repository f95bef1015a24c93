"""What a caller hands to search: one page in one language, as plain text. Search knows nothing else about
the page (no models, no URLs of its own): kb builds documents from its articles and response codes."""

import html
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.utils.html import strip_tags

from kb.search.pipeline import analyze, line_pinyin, normalize, pinyin

ARTICLE = "article"
CODE = "code"


@dataclass(frozen=True)
class Document:
    """One searchable page in one language. `kind` and `key` name it (with `language`, uniquely);
    `names` are what the page is called and weigh as the title (a response code's name in both languages);
    `codes` are the response codes it is about or lists. Text fields are plain text, not HTML."""

    kind: str
    key: str
    language: str
    title: str
    url: str
    body: str = ""
    summary: str = ""
    symptoms: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    # A page scheduled for later: indexed ahead, left out of every result until this time.
    visible_from: datetime | None = None


# The end of a heading or a list item: a sentence ends there, though the page shows no punctuation
# ("What you see" then "A payment is declined…" must not run together in a snippet).
_BLOCK_END = re.compile(r"(?<=[^\s.!?;:。！？；：])\s*(</(?:h[1-6]|li|dt|th|td)>)", re.IGNORECASE)


def plain_text(markup: str) -> str:
    """Rendered HTML as the single-spaced text search indexes and cuts snippets from; a heading or list item
    that ends without punctuation gets a full stop ("." after Latin, "。" after Chinese), so that snippets
    start and end there instead of running one block into the next."""

    def stop(match: re.Match) -> str:
        before = markup[match.start() - 1]
        return ("。" if "\u3400" <= before <= "\u9fff" else ". ") + match.group(1)

    return " ".join(html.unescape(strip_tags(_BLOCK_END.sub(stop, markup))).split())


def _tokens(text: str) -> str:
    return " ".join(analyze(text))


def _snippet_source(lines, body: str) -> str:
    """Symptom lines, a blank line, then the body on one line (snippets.snippet relies on this shape)."""
    return "\n".join(line.replace("\n", " ") for line in lines) + "\n\n" + " ".join(body.split())


def _phrases(name: str, lines) -> str:
    """The lines a query may be, normalized: the name always first, then the other lines, then every Chinese
    line again in pinyin ("kaibuliaoji" is the line "开不了机")."""
    normalized = [normalize(name), *(n for n in (normalize(line) for line in lines) if n)]
    spoken = [p for p in dict.fromkeys(line_pinyin(line) for line in normalized) if p]
    return "\n".join([*normalized, *spoken])


def entry_fields(document: Document) -> dict:
    """The index entry's columns for a document: the pipeline's output per field."""
    return dict(_entry_fields(document))


# Segmenting and spelling a page in pinyin is most of what indexing costs: a page indexed again unchanged (a
# reload of the knowledge base, a revision restored) is not worked out again in the same process.
@lru_cache(maxsize=512)
def _entry_fields(document: Document) -> dict:
    names = document.names or (document.title,)
    symptoms = "\n".join(document.symptoms)
    tags = " , ".join(document.tags)
    codes = " ".join(document.codes)
    return {
        "kind": document.kind,
        "key": document.key,
        "language": document.language,
        "url": document.url,
        "visible_from": document.visible_from,
        "title": document.title,
        "summary": document.summary,
        "text": _snippet_source(document.symptoms, document.body),
        "codes": codes,
        "phrases": _phrases(names[0], [*names[1:], *document.symptoms, *document.tags]),
        # The name's pinyin weighs as the name: "qiandao shibai" is about the page titled 签到失败 as much as the
        # Chinese is.
        "title_tokens": " ".join([_tokens(" ".join(names)), *dict.fromkeys(pinyin(names[0]))]).strip(),
        "symptoms_tokens": _tokens(symptoms),
        "codes_tokens": _tokens(codes),
        "tags_tokens": _tokens(tags),
        "summary_tokens": _tokens(document.summary),
        "body_tokens": _tokens(document.body),
        "pinyin_tokens": " ".join(pinyin(tags) + pinyin(" , ".join(document.symptoms))),
    }
