"""Chinese phrases in English pages carry lang="zh-Hans"; Chinese pages are left as they are."""

from django.template import Context, Template
from django.utils import translation

LABEL = Template("{% load lang_marks %}{{ text|mark_chinese }}")
BODY = Template("{% load lang_marks %}{{ html|mark_chinese_html }}")


def test_a_chinese_phrase_in_an_english_label_is_marked():
    with translation.override("en"):
        html = LABEL.render(Context({"text": "Terminal ID (TID, 终端编号)"}))
    assert html == 'Terminal ID (TID, <span lang="zh-Hans">终端编号</span>)'


def test_marking_still_escapes_the_text():
    with translation.override("en"):
        html = LABEL.render(Context({"text": "<b>请重新签到</b>"}))
    assert html == '&lt;b&gt;<span lang="zh-Hans">请重新签到</span>&lt;/b&gt;'


def test_chinese_pages_are_not_marked():
    with translation.override("zh-hans"):
        assert LABEL.render(Context({"text": "终端编号"})) == "终端编号"


def test_in_html_only_text_between_tags_is_marked():
    with translation.override("en"):
        html = BODY.render(Context({"html": '<a href="/codes/A0/" title="签到">Screen says 请重新签到。</a>'}))
    assert html == '<a href="/codes/A0/" title="签到">Screen says <span lang="zh-Hans">请重新签到。</span></a>'


def test_the_english_ticket_form_marks_the_chinese_receipt_words(client, db):
    assert '<span lang="zh-Hans">终端编号</span>' in client.get("/en/tickets/new/").content.decode()
