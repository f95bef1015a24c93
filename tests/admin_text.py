"""What a person reads on an admin page, for the tests that check the admin is all in Chinese."""

import re
from html.parser import HTMLParser

# Labels the issue found in English, and the old ticket status term; none may appear on a Chinese page.
ENGLISH_LABELS = [
    "Created at", "Author", "Kind", "Content type", "Size", "Masked count", "Sha256", "Filter by",
    "Select an option", "新提交",
]  # fmt: skip
# Where an admin page names things (as opposed to showing stored data): these must be Chinese.
LABEL_TAGS = {"label", "legend", "h1", "h2", "h3", "caption", "summary", "button", "option"}
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z]{2,}")
# Latin that is right in Chinese text too: abbreviations of the domain, the name of a format, and the
# name of the English language in English (how a language switch names it).
ALLOWED = {"MID", "TID", "SN", "RRN", "POS", "Markdown", "SHA", "KB", "MB", "URL", "ID", "API", "English"}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[str] = []  # all visible text
        self.labels: list[str] = []  # text inside label-like elements and column headings

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in ("br", "img", "input", "meta", "link", "hr"):
            self.stack.append(tag)
        for name in ("title", "placeholder", "aria-label"):
            if attributes.get(name):
                self.labels.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.labels.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text or {"script", "style", "textarea"} & set(self.stack):
            return
        self.texts.append(text)
        in_heading = "th" in self.stack and "thead" in self.stack
        if in_heading or LABEL_TAGS & set(self.stack):
            self.labels.append(text)


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    return reader


def english_labels(html: str, *, data: set[str] = frozenset()) -> list[str]:
    """Labels and headings that are English (Latin words and no Chinese), except stored `data` (an object's
    name in the page heading is data, not a label)."""
    return [
        text
        for text in read(html).labels
        if text not in data and not _CJK.search(text) and set(_WORD.findall(text)) - ALLOWED
    ]


def known_english(html: str) -> list[str]:
    """The labels the issue found in English (as Django capitalises them), anywhere on the page."""
    visible = "\n".join(read(html).texts + read(html).labels)
    return [label for label in ENGLISH_LABELS if re.search(rf"(?<![A-Za-z]){re.escape(label)}(?![a-z])", visible)]
