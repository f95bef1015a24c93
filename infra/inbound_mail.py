"""Reading a received email: its addresses, whether a machine sent it, the new words of a reply, its files.

A library handed raw bytes (from IMAP or a provider's webhook); it knows nothing of tickets. The reply is cut
from the quoted history and the signature with mail-parser-reply, after a pass for the markers of the mail
clients Chinese merchants use that it does not know ("在 … 写道：", "-----原始邮件-----", "发自我的iPhone",
Outlook's "发件人：" block with full-width colons).
"""

import hashlib
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser

# Labels under which Chinese clients send GBK or GB18030 text; GB18030 decodes all of them.
_GB_CHARSETS = {"gb2312", "gbk", "gb18030", "x-gbk", "euc-cn", "cp936", "hz-gb-2312"}
_MACHINE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+-].*)?@", re.I)
_AUTO_PRECEDENCE = {"auto_reply", "bulk", "junk", "list"}
_MAX_ATTACHMENTS = 20  # more parts than any reply has: the rest are not even read


@dataclass
class InboundAttachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class InboundMessage:
    message_id: str
    sender: str  # the From address, lower-case
    recipients: list[str]  # To, Cc, Delivered-To, X-Original-To
    subject: str
    text: str  # the whole body as text
    reply: str  # only what the sender wrote this time
    auto_reason: str  # why a machine sent it ("" for a person)
    attachments: list[InboundAttachment] = field(default_factory=list)


def parse(raw: bytes) -> InboundMessage:
    message = message_from_bytes(raw, policy=policy.compat32)
    text = _body_text(message)
    return InboundMessage(
        message_id=_message_id(message, raw),
        sender=parseaddr(_header(message, "From"))[1].strip().lower(),
        recipients=[
            address.strip().lower()
            for _name, address in getaddresses(
                [_header(message, name) for name in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")]
            )
            if address
        ],
        subject=" ".join(_header(message, "Subject").split())[:200],
        text=text,
        reply=reply_only(text),
        auto_reason=auto_reason(message),
        attachments=_attachments(message),
    )


def _decoded(value: bytes, charset: str | None) -> str:
    charset = (charset or "utf-8").lower()
    if charset in _GB_CHARSETS:
        charset = "gb18030"
    try:
        return value.decode(charset, errors="replace")
    except LookupError:  # a charset name Python does not know
        return value.decode("utf-8", errors="replace")


def _header(message: Message, name: str) -> str:
    raw = message.get(name)
    if raw is None:
        return ""
    parts = []
    for value, charset in decode_header(str(raw)):
        parts.append(_decoded(value, charset) if isinstance(value, bytes) else value)
    return "".join(parts)


def _message_id(message: Message, raw: bytes) -> str:
    value = _header(message, "Message-ID").strip()
    if value:
        return value[:250]
    # Without one (rare, but servers differ) the content names it, so fetching it twice still adds it once.
    return "<sha256-" + hashlib.sha256(raw).hexdigest() + ">"


def auto_reason(message: Message) -> str:
    """Why the mail was sent by a machine (out-of-office, bounce, list), or "" for a person's mail."""
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return "auto-submitted"
    if any(message.get(name) for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Failed-Recipients")):
        return "auto-reply"
    if _header(message, "Precedence").strip().lower() in _AUTO_PRECEDENCE:
        return "precedence"
    if message.get_content_type() == "multipart/report" or any(
        part.get_content_type() in ("message/delivery-status", "message/disposition-notification")
        for part in message.walk()
    ):
        return "delivery-report"
    if _header(message, "Return-Path").strip() == "<>" or _MACHINE_SENDERS.match(
        parseaddr(_header(message, "From"))[1]
    ):
        return "machine-sender"
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "mailing-list"
    return ""


def _body_text(message: Message) -> str:
    plain, html = None, None
    for part in message.walk():
        if part.is_multipart() or part.get_filename() or part.get("Content-Disposition", "").startswith("attachment"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if part.get_content_type() == "text/plain" and plain is None:
            plain = _decoded(payload, part.get_content_charset())
        elif part.get_content_type() == "text/html" and html is None:
            html = _decoded(payload, part.get_content_charset())
    if plain is not None and plain.strip():
        return plain.replace("\r\n", "\n")
    return html_to_text(html or "")


class _TextOfHtml(HTMLParser):
    """The words of an HTML mail, one block per line; quoted history in <blockquote> is left out."""

    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "hr"}
    SKIPPED = {"blockquote", "style", "script", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def _break(self, tag: str) -> None:
        # A <br> is a line of its own; a block only starts one where the text has not just ended one.
        if tag == "br" or (self.parts and not self.parts[-1].endswith("\n")):
            self.parts.append("\n")

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self._break(tag)

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS and tag != "br":
            self._break(tag)

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data.replace("\xa0", " "))


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# Where the history starts in the clients mail-parser-reply does not know. Each is a whole line.
_HISTORY_STARTS = [
    re.compile(r"^\s*-{2,}\s*(原始邮件|Original Message|原始郵件)\s*-{2,}\s*$", re.I),  # Foxmail, QQ, Outlook
    re.compile(r"^\s*(在|On\b).{0,200}(写道|寫道|wrote)\s*[:：]\s*$"),  # Apple Mail, iOS, NetEase, Gmail
    re.compile(r"^.{0,200}\S+@\S+.{0,40}(写道|寫道)\s*[:：]\s*$"),  # Gmail in Chinese: "… <a@b> 于…写道："
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above its header block
]
_HEADER_BLOCK = re.compile(r"^\s*\**\s*(发件人|寄件者|From)\s*\**\s*[:：]")
_HEADER_FOLLOW = re.compile(r"^\s*\**\s*(发送时间|日期|时间|收件人|主题|Sent|Date|To|Subject)\s*\**\s*[:：]")
_SENT_FROM = re.compile(r"^\s*(发自我的|来自我的|Sent from my\b|從我的).{0,30}$", re.I)


def _cut_history(text: str) -> str:
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if any(pattern.match(line) for pattern in _HISTORY_STARTS):
            return "\n".join(lines[:index])
        if _HEADER_BLOCK.match(line) and any(_HEADER_FOLLOW.match(after) for after in lines[index + 1 : index + 4]):
            return "\n".join(lines[:index])
        if _SENT_FROM.match(line):
            return "\n".join(lines[:index])
    return text


def reply_only(text: str) -> str:
    """What the sender wrote this time: no quoted history, no signature, no "sent from my phone"."""
    text = _cut_history(text.replace("\r\n", "\n"))
    reply = EmailReplyParser(languages=["zh", "en"]).parse_reply(text) or ""
    lines = [line for line in reply.split("\n") if not line.lstrip().startswith(">")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _attachments(message: Message) -> list[InboundAttachment]:
    found = []
    for part in message.walk():
        if part.is_multipart() or len(found) >= _MAX_ATTACHMENTS:
            continue
        name = part.get_filename()
        inline_image = part.get_content_maintype() == "image" and part.get("Content-ID")
        if not name and not inline_image:
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and payload:
            decoded = _header_value(name) if name else f"image.{part.get_content_subtype()}"
            found.append(InboundAttachment(name=decoded, content_type=part.get_content_type(), data=payload))
    return found


def _header_value(value: str) -> str:
    # RFC 2047 in a filename (what QQ Mail and Outlook send, though RFC 2231 is the standard).
    return "".join(
        _decoded(chunk, charset) if isinstance(chunk, bytes) else chunk for chunk, charset in decode_header(value)
    )
