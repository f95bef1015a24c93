"""Knowledge-base fixtures: articles made through the services, as the admin and the loader make them."""

import pytest

from kb import services
from kb.models import Article, Category


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
