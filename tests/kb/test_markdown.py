"""Markdown rendering: hostile input is neutralized wherever Markdown is rendered; internal links and the TOC work."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from kb.markdown import render

HOSTILE = {
    "script tag": "<script>alert(1)</script>",
    "script in a paragraph": "Hello <script src=https://evil.example/x.js></script> world",
    "onerror handler": "<img src=x onerror=alert(1)>",
    "onclick handler": '<a href="/" onclick="alert(1)">x</a>',
    "javascript link": "[click](javascript:alert(1))",
    "javascript link, odd case": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "javascript link, entity-encoded": '<a href="&#106;avascript:alert(1)">x</a>',
    "data link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data image": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "inline style": '<p style="position:fixed;top:0">covered</p>',
    "object": '<object data="https://evil.example/x.swf"></object>',
    "embed": '<embed src="https://evil.example/x.swf">',
    "svg with script": "<svg><script>alert(1)</script><circle r=1 /></svg>",
    "svg onload": "<svg onload=alert(1)></svg>",
    "form": '<form action="https://evil.example/"><input name="pin"></form>',
    "style tag": "<style>body{display:none}</style>",
    "meta refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
}
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "svg", "style", "form", "input", "meta", "link", "base"}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def _dangers(html: str) -> list[str]:
    parser = _Elements()
    parser.feed(html)
    found = []
    for tag, attrs in parser.elements:
        if tag in FORBIDDEN_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                found.append(f"{tag}[{name}]")
            if name in {"href", "src"} and value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                found.append(f"{tag}[{name}={value}]")
    return found


@pytest.mark.parametrize("markdown", HOSTILE.values(), ids=HOSTILE.keys())
def test_render_neutralizes_hostile_markdown(markdown):
    body_html, _toc = render(markdown, language="zh-hans")

    assert _dangers(body_html) == []
    assert "alert(1)" not in body_html


@pytest.mark.parametrize("markdown", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_editor_preview_neutralizes_hostile_markdown(staff_client, markdown):
    response = staff_client.post(reverse("kb_markdownify"), {"content": markdown})

    assert response.status_code == 200
    assert _dangers(response.content.decode()) == []
    assert "alert(1)" not in response.content.decode()


def test_hostile_headings_are_neutralized_in_the_table_of_contents():
    _body, toc_html = render(
        '## Step <img src=x onerror=alert(1)>\n\n## <a href="javascript:alert(1)">two</a>', language="en"
    )

    assert "two" in toc_html
    assert _dangers(toc_html) == []


def test_a_stored_article_keeps_only_the_sanitized_html(make_article):
    article = make_article(body="## 步骤\n\n<script>alert(1)</script><p onclick=alert(1)>正文</p>")

    assert "正文" in article.body_html
    assert _dangers(article.body_html) == []


def test_an_image_from_another_host_is_not_embedded():
    body_html, _toc = render("![tracker](https://tracker.example/pixel.png)", language="zh-hans")

    assert "tracker.example" not in body_html


def test_an_uploaded_image_on_this_site_is_embedded():
    body_html, _toc = render("![屏幕照片](/media/kb/abc123.jpg)", language="zh-hans")

    parser = _Elements()
    parser.feed(body_html)
    assert ("img", {"src": "/media/kb/abc123.jpg", "alt": "屏幕照片"}) in parser.elements


def test_ordinary_markdown_survives_sanitizing():
    body_html, _toc = render(
        "**粗体** and `code`\n\n| 返回码 | 含义 |\n|---|---|\n| A0 | MAC错 |\n\n1. 一\n2. 二\n\n[客服](https://help.example/)",
        language="zh-hans",
    )

    assert "<strong>粗体</strong>" in body_html
    assert "<code>code</code>" in body_html
    assert "<td>A0</td>" in body_html
    assert "<ol>" in body_html
    assert 'href="https://help.example/"' in body_html


def test_an_article_link_points_to_the_chinese_page_in_chinese():
    body_html, _toc = render("[网络排查](article:fix-network)", language="zh-hans")

    assert 'href="/articles/fix-network/"' in body_html


def test_an_article_link_points_to_the_english_page_in_english():
    body_html, _toc = render("[network checks](article:fix-network)", language="en")

    assert 'href="/en/articles/fix-network/"' in body_html


def test_a_code_link_points_to_the_code_page_in_each_language_with_the_code_in_capitals():
    zh_html, _toc = render("[A0](code:a0)", language="zh-hans")
    en_html, _toc = render("[A0](code:a0)", language="en")

    assert 'href="/codes/A0/"' in zh_html
    assert 'href="/en/codes/A0/"' in en_html


def test_the_table_of_contents_links_to_every_h2_and_h3_heading():
    body_html, toc_html = render("## 第一步\n\n文字\n\n### 细节\n\n## Step two\n\n#### 不进目录", language="zh-hans")

    parser = _Elements()
    parser.feed(body_html)
    heading_ids = [attrs["id"] for tag, attrs in parser.elements if tag in {"h2", "h3"}]
    parser = _Elements()
    parser.feed(toc_html)
    toc_targets = [attrs["href"] for tag, attrs in parser.elements if tag == "a"]
    assert len(heading_ids) == 3
    assert toc_targets == [f"#{heading_id}" for heading_id in heading_ids]
    assert "不进目录" not in toc_html


def test_a_section_anchor_comes_from_its_heading_and_survives_a_new_heading_above_it():
    before, _toc = render("## 检查网络\n\n文字", language="zh-hans")
    after, _toc = render("## 先看这里\n\n新的一节\n\n## 检查网络\n\n文字", language="zh-hans")

    assert '<h2 id="检查网络">' in before
    assert '<h2 id="检查网络">' in after


def test_an_article_without_headings_has_no_table_of_contents():
    _body, toc_html = render("只有一段文字。", language="zh-hans")

    assert toc_html == ""


def test_a_list_right_after_a_paragraph_line_is_a_list():
    body_html, _toc = render("请检查：\n- 网线\n- 电源", language="zh-hans")

    assert "<li>网线</li>" in body_html


def test_an_include_line_becomes_the_shared_block_in_the_article_language():
    zh, _toc = render("开头。\n\n[[include:prepare]]\n\n结尾。", language="zh-hans")
    en, _toc = render("Start.\n\n[[include:prepare]]\n\nEnd.", language="en")

    assert "请提前准备" in zh and "Have ready" not in zh
    assert "Have ready" in en and "请提前准备" not in en
    assert "[[include" not in zh + en
    assert "<p>结尾。</p>" in zh  # the text after the block stays its own paragraph


def test_an_include_inside_a_sentence_is_left_as_typed():
    html, _toc = render("见 [[include:prepare]] 这里。", language="zh-hans")

    assert "[[include:prepare]]" in html and "请提前准备" not in html


def test_an_unknown_include_stays_visible_in_the_preview(staff_client):
    response = staff_client.post(reverse("kb_markdownify"), {"content": "[[include:no-such-block]]"})

    assert "[[include:no-such-block]]" in response.content.decode()


def test_an_article_naming_an_unknown_block_cannot_be_saved(make_article):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_article(body="## 步骤\n\n[[include:no-such-block]]\n")

    assert "no-such-block" in str(error.value)


def test_the_do_now_block_is_split_off_to_be_shown_first():
    from kb.markdown import split_do_now

    with translation.override("en"):
        body, _toc = render("## Do this now\n\n1. Sign on.\n\n## What you see\n\nText.", language="en")
        lead, rest = split_do_now(body)
    assert "Sign on." in lead and "What you see" not in lead
    assert rest.startswith("<h2") and "What you see" in rest


def test_an_article_without_a_do_now_block_is_left_whole():
    from kb.markdown import split_do_now

    with translation.override("en"):
        body, _toc = render("## What you see\n\nText.", language="en")
        assert split_do_now(body) == ("", body)
