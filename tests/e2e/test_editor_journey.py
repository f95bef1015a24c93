"""An editor in the admin: the preview beside the editor on a wide screen, then restore an old revision as
a draft, review it and publish it."""

import re

import pytest
from playwright.sync_api import expect

from kb import services
from kb.models import Article
from tests.e2e.journey import Shots

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wide(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    failed = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.failed = failed
    yield page
    context.close()


def _sign_in(page, editor):
    editor.set_password("editor-pass-123")
    editor.save()
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill("editor")
    page.get_by_label("密码").fill("editor-pass-123")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#user-tools")).to_be_visible()


def test_the_preview_sits_beside_the_editor_on_a_wide_screen_and_below_it_on_a_narrow_one(loaded_kb, wide, editor):
    article = Article.objects.get(slug="re-sign-in-prompt", language="zh-hans")
    _sign_in(wide, editor)
    wide.goto(f"/admin/kb/article/{article.pk}/change/")
    editor_box = wide.locator("textarea.markdownx-editor")
    preview = wide.locator(".markdownx-preview")

    editor_box.fill("## 预览标题\n\n正文里的**重点**。\n")

    expect(preview.locator("strong", has_text="重点")).to_be_visible()
    wide.evaluate("window.scrollTo(0, 0)")  # the preview sticks while scrolling: compare at the top
    left, right = editor_box.bounding_box(), preview.bounding_box()
    assert right["x"] >= left["x"] + left["width"]  # side by side
    assert abs(right["y"] - left["y"]) < 5
    wide.set_viewport_size({"width": 800, "height": 900})
    left, below = editor_box.bounding_box(), preview.bounding_box()
    assert below["y"] >= left["y"] + left["height"]  # stacked
    assert wide.failed == []


def test_an_editor_restores_an_old_revision_as_a_draft_reviews_it_and_publishes_it(loaded_kb, wide, editor):
    article = Article.objects.get(slug="re-sign-in-prompt", language="zh-hans")
    first_body = article.body
    content = services.ArticleContent.of(article)
    services.article_update(
        article=article, content=services.ArticleContent(**{**content.__dict__, "body": "改坏了的正文。\n"})
    )
    _sign_in(wide, editor)
    wide.goto(f"/admin/kb/article/{article.pk}/revisions/")

    wide.get_by_role("link", name="恢复…").first.click()
    expect(wide.locator("h1")).to_contain_text("恢复修订")
    wide.get_by_role("button", name=re.compile("^恢复修订")).click()

    expect(wide.locator(".messagelist")).to_contain_text("请审核后再发布")
    expect(wide.locator("table.kb-diff del").first).to_be_visible()
    article.refresh_from_db()
    assert article.body == "改坏了的正文。\n"  # nothing changes for readers until the draft is published

    wide.get_by_role("button", name=re.compile("^发布草稿修订")).click()

    expect(wide.locator(".messagelist")).to_contain_text("已发布")
    article.refresh_from_db()
    assert article.body == first_body
    assert wide.failed == []


def test_the_preview_stays_beside_the_text_while_typing_at_the_end_of_a_long_article(loaded_kb, wide, editor):
    article = Article.objects.get(slug="re-sign-in-prompt", language="zh-hans")
    _sign_in(wide, editor)
    wide.goto(f"/admin/kb/article/{article.pk}/change/")
    editor_box = wide.locator("textarea.markdownx-editor")
    preview = wide.locator(".markdownx-preview")
    long_text = "\n\n".join(f"## 第 {n} 节\n\n这一节的正文，第 {n} 段。" for n in range(1, 80))
    editor_box.fill(long_text)
    editor_box.press("Control+End")
    editor_box.type("\n\n最后一段**结尾**。")
    expect(preview.locator("strong", has_text="结尾")).to_be_attached()
    # The caret is at the end of a text far taller than the screen: the page has scrolled there, and the
    # preview is still on screen beside it.
    assert wide.evaluate("window.scrollY") > 900
    box = preview.bounding_box()
    assert box["y"] >= -1 and box["y"] < 200, box
    assert box["y"] + box["height"] <= 900 + 1
    # ... and shows the part being typed, not the article's start.
    end = preview.locator("strong", has_text="结尾").bounding_box()
    assert box["y"] <= end["y"] <= box["y"] + box["height"], (box, end)
    Shots("editor-sticky-preview")(wide, "typing-at-the-end")
    assert wide.failed == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_preview_renders_shared_blocks_in_the_articles_language(loaded_kb, wide, editor, language):
    from kb.markdown import render

    article = Article.objects.filter(language=language).first()
    public, _toc = render("[[include:prepare]]", language=language)
    first_words = re.sub(r"<[^>]+>", " ", public).split()[0:3]
    _sign_in(wide, editor)
    wide.goto(f"/admin/kb/article/{article.pk}/change/")
    wide.locator("textarea.markdownx-editor").fill("[[include:prepare]]\n")
    preview = wide.locator(".markdownx-preview")
    expect(preview).to_contain_text(" ".join(first_words).split(" ")[0])
    assert "[[include:" not in preview.inner_text()
    html = preview.inner_html()
    assert all(word in html for word in first_words)
    assert wide.failed == []
