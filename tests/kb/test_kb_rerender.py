from django.core.management import call_command

from kb.models import Article, ArticleRevision, ResponseCode


def test_it_replaces_stale_stored_html_with_a_fresh_sanitized_render(loaded_kb):
    article = Article.objects.get(slug="re-sign-in-prompt", language="zh-hans")
    fresh = article.body_html
    Article.objects.filter(pk=article.pk).update(body_html='<p onclick="x()">old<script>alert(1)</script></p>')

    call_command("kb_rerender", verbosity=0)

    article.refresh_from_db()
    assert article.body_html == fresh
    assert "<script" not in article.body_html


def test_it_rerenders_response_code_details_too(loaded_kb):
    code = ResponseCode.objects.get(code="A0")
    fresh = code.details_html_en
    ResponseCode.objects.filter(pk=code.pk).update(details_html_en="<p>stale</p>")

    call_command("kb_rerender", verbosity=0)

    code.refresh_from_db()
    assert code.details_html_en == fresh


def test_it_keeps_revisions_and_admin_edit_markers_as_they_are(loaded_kb):
    article = Article.objects.get(slug="fix-network", language="en")
    Article.objects.filter(pk=article.pk).update(body_html="<p>stale</p>")
    revisions = ArticleRevision.objects.count()

    call_command("kb_rerender", verbosity=0)

    after = Article.objects.get(pk=article.pk)
    assert ArticleRevision.objects.count() == revisions
    assert (after.content_hash, after.source_hash) == (article.content_hash, article.source_hash)


def test_an_edit_of_the_shared_block_reaches_every_article_that_includes_it(loaded_kb, tmp_path, monkeypatch):
    import shutil

    from kb import markdown

    blocks = tmp_path / "blocks"
    shutil.copytree(markdown.BLOCKS_DIR, blocks)
    block = blocks / "prepare.zh-hans.md"
    block.write_text(block.read_text(encoding="utf-8") + "\n另附：门店的营业时间。\n", encoding="utf-8")
    monkeypatch.setattr(markdown, "BLOCKS_DIR", blocks)

    call_command("kb_rerender", verbosity=0)

    including = Article.objects.filter(language="zh-hans", body__contains="[[include:prepare]]")
    assert including.count() > 1
    assert all("门店的营业时间" in html for html in including.values_list("body_html", flat=True))
    assert not Article.objects.filter(language="en", body_html__contains="门店的营业时间").exists()
