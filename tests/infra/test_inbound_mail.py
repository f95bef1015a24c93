"""infra/inbound_mail.py: the new words of a reply, in the ways Chinese and English clients quote history;
who sent it (a person or a machine); bodies in any charset merchants' clients use."""

import pytest

from infra import inbound_mail

QUOTES = {
    "apple-zh": "好的\n\n在 2026年12月7日，15:00，支付支持 <s@x.cn> 写道：\n\n> 旧内容",
    "netease": '好的\n在 2026-12-07 15:00:00，"支付支持" <s@x.cn> 写道：\n旧内容',
    "gmail-zh": "好的\n\n支付支持 <s@x.cn> 于2026年12月7日周一 15:00写道：\n\n> 旧内容",
    "foxmail": "好的\n\n-----原始邮件-----\n发件人：支付支持\n发送时间：2026-12-07\n旧内容",
    "qq": '好的\n\n------------------ 原始邮件 ------------------\n发件人: "支付支持"<s@x.cn>;\n旧内容',
    "outlook-zh": "好的\n\n发件人: 支付支持 <s@x.cn>\n发送时间: 2026年12月7日\n收件人: a@b.cn\n主题: 回\n\n旧内容",
    "outlook-zh-fullwidth": "好的\n\n发件人： 支付支持\n发送时间： 2026年12月7日\n收件人： a@b.cn\n\n旧内容",
    "outlook-en": "好的\n\nFrom: Support <s@x.cn>\nSent: Monday, December 7, 2026 3:00 PM\nTo: a@b.cn\n\n旧内容",
    "outlook-rule": "好的\n\n________________________________\nFrom: Support\n旧内容",
    "gmail-en": "好的\n\nOn Mon, Dec 7, 2026 at 3:00 PM Support <s@x.cn> wrote:\n> 旧内容",
    "iphone": "好的\n\n发自我的iPhone\n\n旧内容",
    "quoted-only": "好的\n> 旧内容\n> 更旧",
}


@pytest.mark.parametrize("text", QUOTES.values(), ids=QUOTES.keys())
def test_only_the_new_words_are_kept(text):
    assert inbound_mail.reply_only(text) == "好的"


def test_the_merchant_s_own_words_mentioning_a_sender_are_kept():
    text = "发件人那一栏我写错了，应该是王芳。\n机器还是提示：请重新签到"
    assert inbound_mail.reply_only(text) == text


def test_html_mail_becomes_lines_of_text_without_its_blockquote():
    html = "<div>第一行</div><div>第二行&nbsp;<b>加粗</b></div><blockquote>旧内容</blockquote><style>p{}</style>"
    assert inbound_mail.html_to_text(html) == "第一行\n第二行 加粗"


def message(headers: str, body: str = "hi", charset: str = "utf-8") -> bytes:
    head = f"From: a@b.cn\r\nTo: s@x.cn\r\nSubject: x\r\nMessage-ID: <1@b.cn>\r\n{headers}"
    return (head + f"Content-Type: text/plain; charset={charset}\r\n\r\n").encode() + body.encode(
        "gb18030" if charset.lower() in ("gbk", "gb2312", "gb18030") else charset
    )


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-replied\r\n", "auto-submitted"),
        ("Auto-Submitted: auto-generated\r\n", "auto-submitted"),
        ("X-Autoreply: yes\r\n", "auto-reply"),
        ("X-Autorespond: yes\r\n", "auto-reply"),
        ("Precedence: bulk\r\n", "precedence"),
        ("Precedence: auto_reply\r\n", "precedence"),
        ("Return-Path: <>\r\n", "machine-sender"),
        ("List-Id: <shop.lists.example>\r\n", "mailing-list"),
    ],
)
def test_mail_from_machines_is_recognised(headers, reason):
    assert inbound_mail.parse(message(headers)).auto_reason == reason


def test_a_person_s_mail_is_not_a_machine_s():
    assert inbound_mail.parse(message("Auto-Submitted: no\r\n")).auto_reason == ""


@pytest.mark.parametrize("charset", ["gb2312", "GBK", "gb18030", "utf-8"])
def test_chinese_bodies_decode_whatever_the_label(charset):
    # 喆 is not in GB2312: clients still label GBK text "gb2312".
    assert inbound_mail.parse(message("", "店员小喆说机器一直响", charset)).reply == "店员小喆说机器一直响"


def test_a_message_without_a_message_id_is_named_by_its_content():
    raw = message("").replace(b"Message-ID: <1@b.cn>\r\n", b"")
    assert inbound_mail.parse(raw).message_id == inbound_mail.parse(raw).message_id
    assert inbound_mail.parse(raw).message_id.startswith("<sha256-")
