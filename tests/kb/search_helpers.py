"""Small builders shared by the search tests."""

from kb import services
from kb.models import Article, Category
from kb.selectors import search_pages as search
from kb.services import ArticleContent


def make_article(
    *,
    slug: str,
    title: str,
    body: str = "正文。",
    language: str = "zh-hans",
    status: str = Article.Status.PUBLISHED,
    **fields,
) -> Article:
    category = Category.objects.order_by("order").first() or services.category_save(
        slug="test", order=1, name_zh="测试", name_en="Test"
    )
    content = ArticleContent(title=title, category=category, body=body, status=status, **fields)
    return services.article_create(slug=slug, language=language, content=content)


def update_article(article: Article, **changes) -> Article:
    content = ArticleContent.of(article)
    return services.article_update(article=article, content=ArticleContent(**{**content.__dict__, **changes}))


def keys(query: str, *, language: str = "zh-hans", limit: int = 10) -> list[str]:
    """Result keys in rank order: article slugs, and response codes as "code:A0"."""
    return [
        hit.key if hit.kind == "article" else f"code:{hit.key}"
        for hit in search(query, language=language, limit=limit).hits
    ]


def open_links(response) -> list[str]:
    """The click-recording result links of a results page, in rank order, as a visitor would follow them."""
    import html
    import re

    return [html.unescape(link) for link in re.findall(r'href="(/search/open/[^"]+)"', response.content.decode())]
