"""What kb hands to search: one document per published article and per response code and language.

kb.services calls these inside its own transactions, so a page and its index entry change together; the
receivers at the bottom catch rows deleted without the services (a queryset delete in a shell or a test).
"""

from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation

from kb import search
from kb.models import Article, Language, ResponseCode

# What a code page is also called, so "应答码" or "error code" with a code finds it.
CODE_LABELS = {Language.ZH_HANS: ("应答码", "返回码", "错误码"), Language.EN: ("response code", "error code")}


def _url(name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def article_document(article: Article) -> search.Document:
    return search.Document(
        kind=search.ARTICLE,
        key=article.slug,
        language=article.language,
        title=article.title,
        url=_url("kb:article", article.language, slug=article.slug),
        body=search.plain_text(article.body_html),
        summary=article.summary,
        symptoms=tuple(article.symptom_list),
        tags=tuple(article.tag_list),
        codes=tuple(article.code_list),
        visible_from=article.publish_at,
    )


def code_document(code: ResponseCode, language: str) -> search.Document:
    zh = language == Language.ZH_HANS
    name, other_name = (code.name_zh, code.name_en) if zh else (code.name_en, code.name_zh)
    action = code.action_zh if zh else code.action_en
    details = search.plain_text(code.details_html_zh if zh else code.details_html_en)
    return search.Document(
        kind=search.CODE,
        key=code.code,
        language=language,
        title=f"{code.code} {name}",
        url=_url("kb:code", language, code=code.code),
        body=f"{action} {details}".strip(),
        summary=action,
        symptoms=tuple(code.screen_text_list),
        tags=CODE_LABELS[language],
        codes=(code.code,),
        # Both names weigh as the title: a merchant may paste the Chinese screen text on the English site.
        names=(name, other_name),
    )


def index_article(article: Article) -> None:
    """Index a published public article (a scheduled one too: results hide it until its time); anything else
    (draft, archived, internal) leaves the index."""
    if article.is_indexable:
        search.index(article_document(article))
    else:
        search.unindex(kind=search.ARTICLE, key=article.slug, language=article.language)


def unindex_article(article: Article) -> None:
    search.unindex(kind=search.ARTICLE, key=article.slug, language=article.language)


def index_code(code: ResponseCode, *, previous: str = "") -> None:
    """Index a published code in every language; a code renamed from `previous` leaves under its old name."""
    if previous and previous != code.code:
        search.unindex(kind=search.CODE, key=previous)
    if not code.is_published:
        search.unindex(kind=search.CODE, key=code.code)
        return
    for language in Language.values:
        search.index(code_document(code, language))


def unindex_code(code: ResponseCode) -> None:
    search.unindex(kind=search.CODE, key=code.code)


def all_documents():
    """Every page the index should hold (`manage.py kb_reindex`)."""
    for article in Article.objects.indexable().select_related("category").iterator():
        yield article_document(article)
    for code in ResponseCode.objects.filter(is_published=True).iterator():
        for language in Language.values:
            yield code_document(code, language)


@receiver(post_delete, sender=Article, dispatch_uid="kb_unindex_deleted_article")
def _article_deleted(sender, instance, **kwargs):
    unindex_article(instance)


@receiver(post_delete, sender=ResponseCode, dispatch_uid="kb_unindex_deleted_code")
def _code_deleted(sender, instance, **kwargs):
    unindex_code(instance)
