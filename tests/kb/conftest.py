"""Knowledge-base fixtures: articles made through the services, as the admin and the loader make them."""

import pytest
from django.urls import reverse
from django.utils import translation

from kb import services
from kb.models import Article, Category, Language, ResponseCode


@pytest.fixture
def make_article(loaded_kb):
    """Create an article through `article_create`; defaults give a published Chinese article with two headings."""

    def make(
        *,
        slug: str = "test-article",
        language: str = "zh-hans",
        status: str = Article.Status.PUBLISHED,
        title: str = "测试文章",
        body: str = "## 第一步\n\n先检查网络。\n\n## 第二步\n\n再做POS签到。\n",
        codes: str = "",
        category: str = "start-here",
        author=None,
        note: str = "",
    ) -> Article:
        content = services.ArticleContent(
            title=title, category=Category.objects.get(slug=category), body=body, codes=codes, status=status
        )
        return services.article_create(slug=slug, language=language, content=content, author=author, note=note)

    return make


@pytest.fixture
def staff_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def public_pages(loaded_kb) -> list[str]:
    """Every public page, derived from the database and the URL conf, in both languages."""
    pages = [reverse("sitemap")]
    for language in Language.values:
        with translation.override(language):
            pages += [reverse("home"), reverse("kb:codes")]
            pages += [
                reverse("kb:category", kwargs={"slug": slug})
                for slug in Category.objects.values_list("slug", flat=True)
            ]
            pages += [
                reverse("kb:code", kwargs={"code": code})
                for code in ResponseCode.objects.filter(is_published=True).values_list("code", flat=True)
            ]
    pages += [article.get_absolute_url() for article in Article.objects.published()]
    return pages
