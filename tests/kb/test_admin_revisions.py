"""The article history in the admin: which fields changed, readable compare, restore with confirmation,
and the review of restored drafts (kb/admin_revisions.py, kb/services.py)."""

import re
from html import unescape

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kb import services
from kb.models import Article

from .test_admin import _change_url, _edit, _form_data

pytestmark = pytest.mark.usefixtures("loaded_kb")


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).replace("\xa0", " ")


def _marked(html: str, tag: str) -> list[str]:
    return [unescape(m) for m in re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.DOTALL)]


@pytest.fixture
def article(make_article, editor):
    return make_article(slug="printer", body="## 检查纸卷\n\n第一版正文。\n", author=editor, note="first draft")


def _history(client, article) -> str:
    return client.get(reverse("admin:kb_article_revisions", args=[article.pk])).content.decode()


def _compare(client, article, a, b) -> str:
    return client.get(reverse("admin:kb_article_compare", args=[article.pk]), {"a": a, "b": b}).content.decode()


def _restore_url(article, number) -> str:
    return reverse("admin:kb_article_restore", args=[article.pk, number])


# --- The history names what changed ------------------------------------------------------------------


def test_the_history_lists_every_revision_with_its_author_and_note(staff_client, article):
    _edit(staff_client, article, body="第二版。\n", note="second")

    html = _history(staff_client, article)

    assert "r1" in html and "r2" in html
    assert "first draft" in html and "second" in html
    assert "editor" in html


def test_a_revision_records_only_the_fields_that_changed(staff_client, article):
    _edit(staff_client, article, title="打印机卡纸怎么办", tags="打印, 纸卷")

    assert article.revisions.first().changes == ["title", "tags"]


def test_editing_only_the_body_with_browser_line_endings_reports_only_the_body(staff_client, make_article):
    # Every textarea comes back from a browser with CRLF: the admin used to log "symptoms" as changed too.
    article = make_article(slug="printer", body="第一版。\n")
    services.article_update(
        article=article,
        content=services.ArticleContent(
            title=article.title, category=article.category, body=article.body, symptoms="打印机不出纸\n纸卷用完"
        ),
    )
    article.refresh_from_db()
    crlf = {name: getattr(article, name).replace("\n", "\r\n") for name in ("symptoms", "summary", "tags")}

    staff_client.post(_change_url(article), _form_data(article, body="第二版。\r\n", **crlf))

    assert article.revisions.first().changes == ["body"]
    assert LogEntry.objects.filter(object_id=str(article.pk)).first().get_change_message() == "已修改正文（Markdown）。"
    assert "症状" not in _text(_history(staff_client, article)).split("第二版")[0]


def test_the_history_page_shows_the_changed_fields_by_their_names(staff_client, article):
    _edit(staff_client, article, title="打印机卡纸怎么办")

    text = _text(_history(staff_client, article))

    assert "标题" in text


def test_the_history_pages_use_the_admin_layout_and_breadcrumbs(staff_client, article):
    html = _history(staff_client, article)

    assert 'class="breadcrumbs"' in html
    assert reverse("admin:app_list", kwargs={"app_label": "kb"}) in html
    assert reverse("admin:kb_article_changelist") in html
    assert "admin/css/base.css" in html
    assert "css/kb-admin.css" in html


# --- Compare -------------------------------------------------------------------------------------------


def test_compare_shows_what_changed_between_two_revisions(staff_client, article):
    _edit(staff_client, article, title="打印机卡纸怎么办", body="## 检查纸卷\n\n第二版正文。\n")

    html = _compare(staff_client, article, 1, 2)

    text = _text(html)
    assert "第一版正文" in text and "第二版正文" in text
    assert "测试文章" in html and "打印机卡纸怎么办" in html


def test_compare_marks_only_the_changed_word_within_a_line(staff_client, make_article):
    article = make_article(slug="printer", body="Open the paper cover and check the roll.\n")
    _edit(staff_client, article, body="Open the paper cover and replace the roll.\n")

    html = _compare(staff_client, article, 1, 2)

    assert set(_marked(html, "del")) == {"check"}
    assert set(_marked(html, "ins")) == {"replace"}


def test_compare_marks_changed_chinese_characters_not_the_whole_sentence(staff_client, article):
    _edit(staff_client, article, body="## 检查纸卷\n\n第二版正文。\n")

    html = _compare(staff_client, article, 1, 2)

    assert set(_marked(html, "del")) == {"一"}
    assert set(_marked(html, "ins")) == {"二"}


def test_compare_never_breaks_inside_a_link(staff_client, make_article):
    article = make_article(slug="printer", body="先看[网络检查](article:fix-network)再签到。\n")
    _edit(staff_client, article, body="先看[网络排查](article:fix-network)再签到。\n")

    html = _compare(staff_client, article, 1, 2)

    deleted, inserted = _marked(html, "del"), _marked(html, "ins")
    assert "[网络检查](article:fix-network)" in deleted  # Markdown: the whole link
    assert "[网络排查](article:fix-network)" in inserted
    assert any(d.startswith("网络检查 ⟨/articles/fix-network/⟩") for d in deleted)  # rendered: the whole link


def test_compare_shows_the_rendered_text_as_well_as_the_markdown(staff_client, make_article):
    article = make_article(slug="printer", body="Press **OK** to sign on.\n")
    _edit(staff_client, article, body="Press **Confirm** to sign on.\n")

    html = _compare(staff_client, article, 1, 2)

    text = _text(html)
    assert "Press **OK** to sign on." in text  # the Markdown table
    assert "Press OK to sign on." in text  # the rendered table: what a reader sees, without the asterisks
    assert set(_marked(html, "del")) == {"OK"}


def test_compare_escapes_html_in_the_bodies_and_titles(staff_client, article):
    _edit(staff_client, article, title="<b>粗</b>", body="<script>alert('x')</script>\n")

    html = _compare(staff_client, article, 1, 2)

    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert "<b>粗</b>" not in html


def test_compare_without_two_revisions_goes_back_to_the_history(staff_client, article):
    response = staff_client.get(reverse("admin:kb_article_compare", args=[article.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:kb_article_revisions", args=[article.pk])


# --- Restore: confirm, then a draft to review --------------------------------------------------------------


def test_restoring_by_get_asks_for_confirmation_and_changes_nothing(staff_client, article):
    _edit(staff_client, article, body="第二版。\n")

    response = staff_client.get(_restore_url(article, 1))

    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert "第一版正文" in _text(response.content.decode())  # what restoring would bring back
    assert article.revisions.count() == 2
    article.refresh_from_db()
    assert "第二版" in article.body_html


def test_restoring_makes_a_draft_revision_and_leaves_the_article_as_it_is(staff_client, article, editor):
    _edit(staff_client, article, body="第二版。\n", note="second")

    response = staff_client.post(_restore_url(article, 1))

    assert response.status_code == 302
    draft = article.revisions.first()
    assert (draft.number, draft.pending, draft.author, draft.changes) == (3, True, editor, ["body"])
    assert draft.body == "## 检查纸卷\n\n第一版正文。\n"
    article.refresh_from_db()
    assert "第二版" in article.body_html
    assert "第二版" in Client().get(article.get_absolute_url()).content.decode()


def test_restoring_with_publish_at_once_applies_and_publishes_the_old_content(staff_client, make_article, editor):
    article = make_article(slug="printer", body="第一版。\n", status=Article.Status.DRAFT)
    _edit(staff_client, article, body="第二版。\n", status=Article.Status.DRAFT)

    staff_client.post(_restore_url(article, 1), {"publish": "yes"})

    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert "第一版" in Client().get(article.get_absolute_url()).content.decode()
    newest = article.revisions.first()
    assert (newest.number, newest.pending, newest.author) == (3, False, editor)
    assert newest.changes == ["body", "status"]


def test_restore_keeps_the_replaced_version_in_the_history(staff_client, article):
    _edit(staff_client, article, body="第二版。\n", note="second")

    staff_client.post(_restore_url(article, 1), {"publish": "yes"})

    assert article.revisions.get(number=2).body == "第二版。\n"


def test_publishing_a_restored_draft_applies_it(staff_client, article):
    _edit(staff_client, article, body="第二版。\n")
    staff_client.post(_restore_url(article, 1))

    staff_client.post(reverse("admin:kb_article_publish_revision", args=[article.pk, 3]))

    article.refresh_from_db()
    assert "第一版正文" in article.body_html
    assert not article.revisions.get(number=3).pending
    assert article.revisions.first().number == 4


def test_discarding_a_restored_draft_leaves_the_article_alone(staff_client, article):
    _edit(staff_client, article, body="第二版。\n")
    staff_client.post(_restore_url(article, 1))

    staff_client.post(reverse("admin:kb_article_discard_revision", args=[article.pk, 3]))

    assert not article.revisions.filter(number=3).exists()
    article.refresh_from_db()
    assert "第二版" in article.body_html


def test_the_compare_page_of_a_draft_offers_to_publish_or_discard_it(staff_client, article):
    _edit(staff_client, article, body="第二版。\n")
    staff_client.post(_restore_url(article, 1))

    html = _compare(staff_client, article, 2, 3)

    assert reverse("admin:kb_article_publish_revision", args=[article.pk, 3]) in html
    assert reverse("admin:kb_article_discard_revision", args=[article.pk, 3]) in html


def test_a_draft_older_than_the_current_revision_can_still_be_published_from_compare(staff_client, article):
    _edit(staff_client, article, body="第二版。\n")
    staff_client.post(_restore_url(article, 1))  # r3, a draft
    _edit(staff_client, article, body="第四版。\n")  # r4, edited after the restore

    html = _compare(staff_client, article, 4, 3)

    assert reverse("admin:kb_article_publish_revision", args=[article.pk, 3]) in html


def test_restoring_the_current_content_is_refused_with_a_message(staff_client, article):
    _edit(staff_client, article, body="第二版。\n")
    _edit(staff_client, article, body=article.body)  # back to r1's text, as r3

    response = staff_client.post(_restore_url(article, 1), follow=True)

    assert "与当前版本相同" in response.content.decode()
    assert article.revisions.count() == 3


@pytest.mark.parametrize("name", ["kb_article_publish_revision", "kb_article_discard_revision"])
def test_publishing_or_discarding_a_draft_by_get_is_not_allowed(staff_client, article, name):
    _edit(staff_client, article, body="第二版。\n")
    staff_client.post(_restore_url(article, 1))

    assert staff_client.get(reverse(f"admin:{name}", args=[article.pk, 3])).status_code == 405
    assert article.revisions.get(number=3).pending


def test_the_restore_service_refuses_a_revision_of_another_article(article, make_article, editor):
    other = make_article(slug="other")

    with pytest.raises(ValidationError):
        services.article_restore(article=other, revision=article.revisions.get(), author=editor)


def test_restoring_a_revision_of_another_article_is_not_found(staff_client, article, make_article):
    other = make_article(slug="other")

    response = staff_client.post(_restore_url(other, 5))

    assert response.status_code == 404


# --- Who may do it -------------------------------------------------------------------------------------


def _urls(article) -> dict[str, str]:
    return {
        "history": reverse("admin:kb_article_revisions", args=[article.pk]),
        "compare": reverse("admin:kb_article_compare", args=[article.pk]) + "?a=1&b=2",
        "restore": _restore_url(article, 1),
        "publish": reverse("admin:kb_article_publish_revision", args=[article.pk, 3]),
        "discard": reverse("admin:kb_article_discard_revision", args=[article.pk, 3]),
    }


@pytest.fixture
def draft_waiting(staff_client, article):
    _edit(staff_client, article, body="第二版。\n")
    staff_client.post(_restore_url(article, 1))
    staff_client.logout()
    return article


@pytest.mark.parametrize("page", ["history", "compare", "restore", "publish", "discard"])
def test_staff_without_knowledge_base_permissions_are_refused(client, agent, draft_waiting, page):
    client.force_login(agent)  # staff, but only with ticket permissions

    url = _urls(draft_waiting)[page]
    response = client.post(url) if page in ("publish", "discard") else client.get(url)

    assert response.status_code == 403
    assert draft_waiting.revisions.get(number=3).pending


@pytest.mark.parametrize("persona", [None, "merchant", "outsider"])
@pytest.mark.parametrize("page", ["history", "restore", "publish"])
def test_anyone_who_is_not_staff_is_sent_to_the_admin_login(client, request, draft_waiting, persona, page):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    response = client.post(_urls(draft_waiting)[page])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert draft_waiting.revisions.get(number=3).pending


def test_an_editor_with_view_permission_only_may_compare_but_not_restore(client, draft_waiting):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    reader = get_user_model().objects.create_user(username="reader", is_staff=True)
    reader.user_permissions.set(Permission.objects.filter(codename="view_article"))
    client.force_login(reader)

    assert client.get(_urls(draft_waiting)["compare"]).status_code == 200
    assert client.post(_urls(draft_waiting)["restore"]).status_code == 403


def test_the_history_button_of_an_article_opens_its_revisions(staff_client, article):
    html = staff_client.get(_change_url(article)).content.decode()
    tools = re.search(r'<ul class="object-tools">(.*?)</ul>', html, re.DOTALL).group(1)
    revisions = reverse("admin:kb_article_revisions", args=[article.pk])
    assert f'href="{revisions}" class="historylink"' in tools
    assert reverse("admin:kb_article_history", args=[article.pk]) not in tools
    # Django's action log is still reachable from the revisions page.
    assert reverse("admin:kb_article_history", args=[article.pk]) in _history(staff_client, article)
