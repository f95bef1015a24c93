"""`manage.py kb_load`: idempotent, and never silently overwrites what editors changed in the admin."""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kb import services
from kb.management.commands.kb_load import CONTENT_DIR
from kb.models import Article, ArticleRevision, Category, ResponseCode

pytestmark = pytest.mark.usefixtures("loaded_kb")

SLUG = "fix-network"


def _load(*args, content_dir=None) -> str:
    out = StringIO()
    options = {"content_dir": content_dir} if content_dir else {}
    call_command("kb_load", *args, stdout=out, **options)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "categories": Category.objects.count(),
        "articles": Article.objects.count(),
        "revisions": ArticleRevision.objects.count(),
        "codes": ResponseCode.objects.count(),
    }


@pytest.fixture
def content_dir(tmp_path):
    """A copy of the shipped content that a test may change, as a new release of the files would."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    return copy


def _ship_new_version(content_dir, slug=SLUG, language="zh-hans", extra="\n## 新增的一节\n\n发布方补充的内容。\n"):
    path = content_dir / "articles" / f"{slug}.{language}.md"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def _edit_in_admin(editor, slug=SLUG, language="zh-hans", body="编辑在后台改写的正文。\n") -> Article:
    article = Article.objects.get(slug=slug, language=language)
    content = services.ArticleContent.of(article)
    content = services.ArticleContent(**{**content.__dict__, "body": body})
    return services.article_update(article=article, content=content, author=editor, note="admin edit")


def test_a_second_run_creates_and_updates_nothing():
    before = _counts()

    output = _load()

    assert _counts() == before
    assert "articles: 0 created, 0 updated" in output
    assert "response codes: 0 created, 0 updated" in output


def test_a_second_run_keeps_no_new_revisions():
    revisions = list(ArticleRevision.objects.values_list("pk", flat=True).order_by("pk"))

    _load()

    assert list(ArticleRevision.objects.values_list("pk", flat=True).order_by("pk")) == revisions


def test_loading_into_an_empty_database_gives_one_row_per_article_file_and_code():
    Article.objects.all().delete()
    ResponseCode.objects.all().delete()

    _load()
    _load()

    files = list((CONTENT_DIR / "articles").glob("*.md"))
    assert Article.objects.count() == len(files)
    assert ArticleRevision.objects.count() == len(files)  # one "created" revision each, none from the second run
    assert ResponseCode.objects.count() > 0


def test_a_changed_shipped_file_updates_an_article_nobody_edited(content_dir):
    _ship_new_version(content_dir)

    output = _load(content_dir=content_dir)

    article = Article.objects.get(slug=SLUG, language="zh-hans")
    assert "发布方补充的内容" in article.body_html
    assert "articles: 0 created, 1 updated" in output
    assert article.revisions.first().note == "kb_load"


def test_an_admin_edit_is_kept_when_the_shipped_file_changes(content_dir, editor):
    _edit_in_admin(editor)
    _ship_new_version(content_dir)

    _load(content_dir=content_dir)

    article = Article.objects.get(slug=SLUG, language="zh-hans")
    assert article.body == "编辑在后台改写的正文。\n"
    assert "发布方补充的内容" not in article.body_html


def test_the_output_names_the_article_whose_admin_edit_was_kept(content_dir, editor):
    _edit_in_admin(editor)
    _ship_new_version(content_dir)

    output = _load(content_dir=content_dir)

    assert f"kept admin edits of article {SLUG} [zh-hans]" in output
    assert "--force" in output


def test_an_admin_edit_is_kept_silently_when_the_shipped_file_did_not_change(editor):
    _edit_in_admin(editor)

    output = _load()

    assert Article.objects.get(slug=SLUG, language="zh-hans").body == "编辑在后台改写的正文。\n"
    assert "kept admin edits" not in output


def test_force_overwrites_an_admin_edit_with_the_shipped_file(content_dir, editor):
    _edit_in_admin(editor)
    _ship_new_version(content_dir)

    _load("--force", content_dir=content_dir)

    assert "发布方补充的内容" in Article.objects.get(slug=SLUG, language="zh-hans").body_html


def test_force_keeps_the_overwritten_admin_edit_in_the_history(content_dir, editor):
    _edit_in_admin(editor)
    _ship_new_version(content_dir)

    _load("--force", content_dir=content_dir)

    article = Article.objects.get(slug=SLUG, language="zh-hans")
    newest, admin_version = article.revisions.all()[:2]
    assert newest.note == "kb_load"
    assert admin_version.body == "编辑在后台改写的正文。\n"
    assert admin_version.author == editor


def test_an_admin_edit_of_a_response_code_is_kept_when_the_shipped_table_changes(content_dir):
    code = ResponseCode.objects.get(code="A0")
    content = services.ResponseCodeContent.of(code)
    services.response_code_save(
        content=services.ResponseCodeContent(**{**content.__dict__, "action_zh": "后台改写的处理办法。"}), instance=code
    )
    table = content_dir / "response_codes.yaml"
    table.write_text(
        table.read_text(encoding="utf-8").replace("en: MAC verification failed", "en: MAC check failed"),
        encoding="utf-8",
    )

    output = _load(content_dir=content_dir)

    assert ResponseCode.objects.get(code="A0").action_zh == "后台改写的处理办法。"
    assert "kept admin edits of response code A0" in output


def test_an_article_file_with_an_unknown_category_is_refused_and_nothing_is_loaded(content_dir):
    path = content_dir / "articles" / "new-topic.zh-hans.md"
    path.write_text("---\ntitle: 新话题\ncategory: no-such-category\n---\n\n正文。\n", encoding="utf-8")
    _ship_new_version(content_dir)

    with pytest.raises(CommandError, match="no-such-category"):
        _load(content_dir=content_dir)

    assert not Article.objects.filter(slug="new-topic").exists()
    assert "发布方补充的内容" not in Article.objects.get(slug=SLUG, language="zh-hans").body_html


def test_saving_a_shipped_article_unchanged_in_the_admin_does_not_stop_later_updates(client, editor, content_dir):
    article = Article.objects.get(slug=SLUG, language="zh-hans")
    client.force_login(editor)
    form = {
        name: getattr(article, name) for name in ["title", "status", "summary", "tags", "codes", "related", "order"]
    }
    # Browsers send textarea contents with CRLF line endings.
    form |= {"category": article.category_id, "body": article.body.replace("\n", "\r\n"), "note": ""}
    form["symptoms"] = article.symptoms.replace("\n", "\r\n")
    client.post(reverse("admin:kb_article_change", args=[article.pk]), form)
    _ship_new_version(content_dir)

    output = _load(content_dir=content_dir)

    assert "发布方补充的内容" in Article.objects.get(slug=SLUG, language="zh-hans").body_html
    assert "kept admin edits" not in output


def test_saving_a_shipped_code_unchanged_in_the_admin_does_not_stop_later_updates(client, editor, content_dir):
    code = ResponseCode.objects.get(code="A0")
    client.force_login(editor)
    fields = ["code", "resign", "name_zh", "name_en", "action_zh", "action_en", "details_zh", "details_en"]
    form = {name: getattr(code, name).replace("\n", "\r\n") for name in fields}
    form |= {"screen_texts": code.screen_texts.replace("\n", "\r\n"), "is_published": "on"}
    client.post(reverse("admin:kb_responsecode_change", args=[code.pk]), form)
    table = content_dir / "response_codes.yaml"
    table.write_text(
        table.read_text(encoding="utf-8").replace("en: MAC verification failed", "en: MAC check failed"),
        encoding="utf-8",
    )

    output = _load(content_dir=content_dir)

    assert ResponseCode.objects.get(code="A0").name_en == "MAC check failed"
    assert "kept admin edits" not in output
