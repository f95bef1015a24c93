"""The knowledge-base admin, rendered in Chinese, has no English labels left."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from kb.models import Article
from tests.admin_text import english_labels, known_english

from .test_admin import _edit

pytestmark = pytest.mark.usefixtures("loaded_kb")


def _kb_pages(user) -> list[tuple[str, set[str]]]:
    """Every kb admin list, add and change page (with the object's name, which is data)."""
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = [(reverse("admin:index"), set()), (reverse("admin:app_list", kwargs={"app_label": "kb"}), set())]
    for model in apps.get_app_config("kb").get_models():
        if not admin.site.is_registered(model):
            continue
        opts, model_admin = model._meta, admin.site.get_model_admin(model)
        pages.append((reverse(f"admin:kb_{opts.model_name}_changelist"), set()))
        if model_admin.has_add_permission(request):
            pages.append((reverse(f"admin:kb_{opts.model_name}_add"), set()))
        obj = model.objects.first()
        if obj is not None:
            pages.append((reverse(f"admin:kb_{opts.model_name}_change", args=[obj.pk]), {str(obj)}))
    return pages


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "root-pass-123")


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


def test_every_kb_admin_page_is_in_chinese(superuser_client, superuser):
    checked = 0
    for url, data in _kb_pages(superuser):
        response = superuser_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert english_labels(html, data=data) == [], url
        assert known_english(html) == [], url
        checked += 1
    assert checked >= 10


def test_the_article_history_compare_and_restore_pages_are_in_chinese(superuser_client, make_article):
    article = make_article(slug="printer", body="第一版。\n")
    _edit(superuser_client, article, body="第二版。\n", tags="打印")
    urls = [
        reverse("admin:kb_article_revisions", args=[article.pk]),
        reverse("admin:kb_article_compare", args=[article.pk]) + "?a=1&b=2",
        reverse("admin:kb_article_restore", args=[article.pk, 1]),
        reverse("admin:kb_article_history", args=[article.pk]),
    ]
    for url in urls:
        html = superuser_client.get(url).content.decode()
        assert english_labels(html, data={str(article), article.title}) == [], url
        assert known_english(html) == [], url


def test_the_english_label_check_finds_an_untranslated_label(superuser_client, settings):
    # The check itself can fail: the admin served in English is full of English labels.
    settings.LANGUAGE_CODE = "en"

    html = superuser_client.get(reverse("admin:kb_article_changelist")).content.decode()

    assert english_labels(html)
    assert known_english(superuser_client.get(reverse("admin:kb_searchlog_changelist")).content.decode())


def test_the_scheduling_fields_are_on_the_article_form(superuser_client):
    html = superuser_client.get(reverse("admin:kb_article_add")).content.decode()

    assert 'name="publish_at_0"' in html
    assert 'name="visibility"' in html
    assert Article.Visibility.INTERNAL in html


def _admin_js_msgids() -> list[str]:
    """Every string the admin's JavaScript translates, from Django's own English catalog."""
    import json
    from pathlib import Path

    import django

    po = Path(django.__file__).parent / "contrib/admin/locale/en/LC_MESSAGES/djangojs.po"
    msgids, context, current = [], "", None
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgctxt "):
            context = json.loads(line[8:]) + "\x04"  # how gettext keys a string with a context
        elif line.startswith("msgid "):
            current = [json.loads(line[6:])]
        elif line.startswith('"') and current is not None:
            current.append(json.loads(line))
        else:
            if current is not None and "".join(current):
                msgids.append(context + "".join(current))
            if current is not None:
                context = ""
            current = None
    return msgids


def test_the_admin_s_javascript_strings_are_all_translated(client, editor):
    # The calendar and clock next to "publish at" are drawn by the admin's JavaScript.
    import json

    client.force_login(editor)
    catalog = client.get(reverse("admin:jsi18n")).content.decode()

    missing = [msgid for msgid in _admin_js_msgids() if json.dumps(msgid) not in catalog]
    assert len(_admin_js_msgids()) > 50
    assert missing == []
