"""Writes to the knowledge base. Views, the admin and management commands all go through here."""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infra.pagecache import content_changed
from kb import search_documents
from kb.markdown import render, unknown_includes
from kb.models import Article, ArticleRevision, ArticleVote, Category, Language, ResponseCode, TerminalModel


def _text(value: str) -> str:
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class ArticleContent:
    """The editable fields of an article, as the admin form and the content files provide them."""

    title: str
    category: Category
    body: str
    summary: str = ""
    symptoms: str = ""
    tags: str = ""
    codes: str = ""
    related: str = ""
    order: int = 100
    status: str = Article.Status.DRAFT
    visibility: str = Article.Visibility.PUBLIC
    publish_at: datetime | None = None

    def __post_init__(self):
        # One spelling of the same text, whoever sends it: browsers send CRLF and the admin form strips,
        # the content files use LF. Otherwise saving an unchanged article in the admin made a revision and
        # marked the article as edited, so the loader would never update it again.
        body = _text(self.body)
        object.__setattr__(self, "body", body + "\n" if body else "")
        for name in ("title", "summary", "tags", "codes", "related"):
            object.__setattr__(self, name, _text(getattr(self, name)))
        symptoms = (line.strip() for line in _text(self.symptoms).splitlines())
        object.__setattr__(self, "symptoms", "\n".join(line for line in symptoms if line))
        if self.publish_at is not None:
            object.__setattr__(self, "publish_at", self.publish_at.replace(second=0, microsecond=0))

    def digest(self) -> str:
        data = asdict(self) | {"category": self.category.slug}
        # Fields added later count only when set, so articles stored before them keep their hash (and the
        # loader still tells a shipped article from one edited in the admin).
        if self.visibility == Article.Visibility.PUBLIC:
            del data["visibility"]
        if self.publish_at is None:
            del data["publish_at"]
        else:
            data["publish_at"] = self.publish_at.isoformat()
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def changes_from(self, other: "ArticleContent") -> list[str]:
        """Names of the fields whose value differs from `other`, in form order."""
        return [name for name in ARTICLE_FIELDS if _comparable(self, name) != _comparable(other, name)]

    @classmethod
    def of(cls, article: Article | ArticleRevision) -> "ArticleContent":
        """The content of an article, or of a revision (whose category is kept by slug)."""
        if isinstance(article, ArticleRevision):
            values = {name: getattr(article, name) for name in ARTICLE_FIELDS if name != "category"}
            category = Category.objects.filter(slug=article.category_slug).first() or article.article.category
            return cls(category=category, **values)
        return cls(**{name: getattr(article, name) for name in ARTICLE_FIELDS})


ARTICLE_FIELDS = tuple(ArticleContent.__dataclass_fields__)


def _comparable(content: ArticleContent, name: str):
    return content.category.slug if name == "category" else getattr(content, name)


def _validate(content: ArticleContent, *, language: str) -> None:
    if not content.title.strip():
        raise ValidationError({"title": _("An article needs a title.")})
    if not content.body.strip():
        raise ValidationError({"body": _("An article needs a body.")})
    if content.status not in Article.Status.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": content.status}})
    if missing := unknown_includes(content.body, language=language):
        raise ValidationError({"body": _("No shared block named %(names)s.") % {"names": ", ".join(missing)}})
    if content.visibility not in Article.Visibility.values:
        raise ValidationError({"visibility": _("Unknown visibility %(value)s.") % {"value": content.visibility}})


def _apply(article: Article, content: ArticleContent) -> None:
    for name in ARTICLE_FIELDS:
        setattr(article, name, getattr(content, name))
    article.body_html, article.toc_html = render(content.body, language=article.language)
    article.content_hash = content.digest()
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = max(content.publish_at or timezone.now(), timezone.now())


def _revision(
    article: Article, content: ArticleContent, *, author, note: str, changes: list[str], pending: bool = False
) -> ArticleRevision:
    last = article.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    values = {name: getattr(content, name) for name in ARTICLE_FIELDS if name != "category"}
    return ArticleRevision.objects.create(
        article=article,
        number=last + 1,
        category_slug=content.category.slug,
        author=author if getattr(author, "pk", None) else None,
        note=note[:200],
        changes=changes,
        pending=pending,
        **values,
    )


@transaction.atomic
def article_create(
    *, slug: str, language: str, content: ArticleContent, author=None, note: str = "", source_hash: str = ""
) -> Article:
    _validate(content, language=language)
    if language not in Language.values:
        raise ValidationError({"language": _("Unknown language %(language)s.") % {"language": language}})
    if Article.objects.filter(slug=slug, language=language).exists():
        raise ValidationError({"slug": _("An article with this address already exists in this language.")})
    article = Article(slug=slug, language=language, source_hash=source_hash)
    _apply(article, content)
    article.save()
    _revision(article, content, author=author, note=note or _("Created"), changes=[])
    search_documents.index_article(article)
    content_changed()
    return article


@transaction.atomic
def article_update(
    *, article: Article, content: ArticleContent, author=None, note: str = "", source_hash: str | None = None
) -> Article:
    """Save new content; a revision, naming the fields that changed, is kept only when something did."""
    _validate(content, language=article.language)
    article = Article.objects.select_for_update().select_related("category").get(pk=article.pk)
    changes = content.changes_from(ArticleContent.of(article))
    changed = bool(changes) or content.digest() != article.content_hash
    _apply(article, content)
    if source_hash is not None:
        article.source_hash = source_hash
    article.save()
    if changed:
        _revision(article, content, author=author, note=note, changes=changes)
    search_documents.index_article(article)
    content_changed()
    return article


def article_changes(*, article: Article, content: ArticleContent) -> list[str]:
    """What saving `content` would change in the stored article (the admin's change message says this)."""
    stored = Article.objects.select_related("category").get(pk=article.pk)
    return content.changes_from(ArticleContent.of(stored))


def _live_now(article: Article) -> datetime | None:
    """The publish time to keep when publishing at once: a past one stays, a future one is dropped."""
    return article.publish_at if article.publish_at and article.publish_at <= timezone.now() else None


@transaction.atomic
def article_restore(*, article: Article, revision: ArticleRevision, author, publish: bool = False) -> ArticleRevision:
    """Bring back an older revision's content.

    By default as a draft revision for review: the article, and what merchants read, stay as they are
    until an editor publishes the draft (`article_revision_publish`). With `publish`, the content is
    applied and published at once. Either way the new revision names the fields that differ from now.
    """
    article = Article.objects.select_for_update().select_related("category").get(pk=article.pk)
    if revision.article_id != article.pk:
        raise ValidationError(_("That revision belongs to another article."))
    if revision.pending:
        raise ValidationError(
            _("Revision %(n)s is a draft waiting for review; publish it instead.") % {"n": revision.number}
        )
    current = ArticleContent.of(article)
    restored = replace(ArticleContent.of(revision), status=current.status, publish_at=current.publish_at)
    if publish:
        restored = replace(restored, status=Article.Status.PUBLISHED, publish_at=_live_now(article))
    changes = restored.changes_from(current)
    if not changes:
        raise ValidationError(_("Revision %(n)s is the same as the current version.") % {"n": revision.number})
    if publish:
        note = _("Restored revision %(n)s and published it") % {"n": revision.number}
        article_update(article=article, content=restored, author=author, note=note)
        return article.revisions.latest("number")
    note = _("Restored revision %(n)s as a draft for review") % {"n": revision.number}
    return _revision(article, restored, author=author, note=note, changes=changes, pending=True)


@transaction.atomic
def article_revision_publish(*, revision: ArticleRevision, author) -> Article:
    """Apply a draft revision to its article and publish it; the draft is kept in the history, no longer pending."""
    revision = ArticleRevision.objects.select_for_update().select_related("article").get(pk=revision.pk)
    if not revision.pending:
        raise ValidationError(_("Revision %(n)s is not waiting for review.") % {"n": revision.number})
    article = revision.article
    content = replace(ArticleContent.of(revision), status=Article.Status.PUBLISHED, publish_at=_live_now(article))
    note = _("Published draft revision %(n)s") % {"n": revision.number}
    article = article_update(article=article, content=content, author=author, note=note)
    revision.pending = False
    revision.save(update_fields=["pending"])
    return article


@transaction.atomic
def article_revision_discard(*, revision: ArticleRevision) -> None:
    """Drop a draft revision nobody wants; applied revisions are history and stay."""
    revision = ArticleRevision.objects.select_for_update().get(pk=revision.pk)
    if not revision.pending:
        raise ValidationError(_("Revision %(n)s is not waiting for review.") % {"n": revision.number})
    revision.delete()


@transaction.atomic
def article_delete(*, article: Article) -> None:
    search_documents.unindex_article(article)
    article.delete()
    content_changed()


def article_vote(*, article: Article, visitor: str, helpful: bool) -> ArticleVote:
    """Record or change one visitor's answer. The unique constraint makes concurrent double votes one row."""
    if not visitor or len(visitor) > 64:
        raise ValidationError(_("Your browser did not send a visitor identifier; please enable cookies."))
    try:
        with transaction.atomic():
            vote, _created = ArticleVote.objects.update_or_create(
                article=article, visitor=visitor, defaults={"helpful": helpful}
            )
    except IntegrityError:
        # A concurrent first vote from the same visitor won the insert; apply ours as an update.
        ArticleVote.objects.filter(article=article, visitor=visitor).update(helpful=helpful)
        vote = ArticleVote.objects.get(article=article, visitor=visitor)
    # The article's page shows the count; no other page does.
    content_changed(scope=f"article:{article.slug}")
    return vote


@dataclass(frozen=True)
class ResponseCodeContent:
    code: str
    resign: str
    name_zh: str
    name_en: str
    action_zh: str
    action_en: str
    details_zh: str = ""
    details_en: str = ""
    screen_texts: str = ""
    is_published: bool = True

    def __post_init__(self):
        # As for articles: the same text from the admin (CRLF, stripped) and the files must hash alike.
        object.__setattr__(self, "code", _text(self.code).upper())
        for name in ("resign", "name_zh", "name_en", "action_zh", "action_en", "details_zh", "details_en"):
            object.__setattr__(self, name, _text(getattr(self, name)))
        screen_texts = (line.strip() for line in _text(self.screen_texts).splitlines())
        object.__setattr__(self, "screen_texts", "\n".join(line for line in screen_texts if line))

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    @classmethod
    def of(cls, code: ResponseCode) -> "ResponseCodeContent":
        return cls(**{name: getattr(code, name) for name in cls.__dataclass_fields__})


@transaction.atomic
def response_code_save(
    *, content: ResponseCodeContent, instance: ResponseCode | None = None, source_hash: str | None = None
) -> ResponseCode:
    code = content.code.strip().upper()
    if not code or len(code) > 4 or not code.isalnum():
        raise ValidationError({"code": _("A response code is 1 to 4 letters or digits, e.g. A0 or 77.")})
    if content.resign not in ResponseCode.Resign.values:
        raise ValidationError({"resign": _("Choose yes, maybe or no.")})
    instance = instance or ResponseCode.objects.filter(code=code).first() or ResponseCode()
    previous = instance.code if instance.pk else ""
    for name, value in asdict(content).items():
        setattr(instance, name, value)
    instance.code = code
    instance.details_html_zh = render(content.details_zh, language=Language.ZH_HANS)[0]
    instance.details_html_en = render(content.details_en, language=Language.EN)[0]
    instance.content_hash = content.digest()
    if source_hash is not None:
        instance.source_hash = source_hash
    instance.save()
    search_documents.index_code(instance, previous=previous)
    content_changed()
    return instance


@transaction.atomic
def response_code_delete(*, code: ResponseCode) -> None:
    search_documents.unindex_code(code)
    code.delete()
    content_changed()


@dataclass(frozen=True)
class TerminalModelContent:
    """The editable fields of a terminal model, as the admin form and terminal_models.yaml provide them."""

    slug: str
    name_zh: str
    name_en: str
    kind: str
    sign_on_zh: str
    sign_on_en: str
    settlement_zh: str
    settlement_en: str
    reprint_zh: str
    reprint_en: str
    sign_off_zh: str
    sign_off_en: str
    vendor: str = ""
    order: int = 100
    is_published: bool = True

    def __post_init__(self):
        for name in self.__dataclass_fields__:
            if isinstance(getattr(self, name), str):
                object.__setattr__(self, name, _text(getattr(self, name)))
        object.__setattr__(self, "slug", self.slug.lower())

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _validate_terminal_model(content: TerminalModelContent, instance: TerminalModel | None) -> None:
    errors = {}
    same_slug = TerminalModel.objects.filter(slug=content.slug)
    if instance is not None:
        same_slug = same_slug.exclude(pk=instance.pk)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,59}", content.slug):
        errors["slug"] = _("Use lower-case letters, digits and hyphens, e.g. generic-keypad.")
    elif same_slug.exists():
        errors["slug"] = _("Another terminal model already uses this slug.")
    if content.kind not in TerminalModel.Kind.values:
        errors["kind"] = _("Choose a keypad terminal, an Android smart POS or an mPOS phone app.")
    required = [name for name in TerminalModelContent.__dataclass_fields__ if name.endswith(("_zh", "_en"))]
    errors |= {name: _("Needed in both languages.") for name in required if not getattr(content, name)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def terminal_model_save(
    *, content: TerminalModelContent, instance: TerminalModel | None = None, source_hash: str | None = None
) -> TerminalModel:
    """Create or change a terminal model; the admin and kb_load both come through here."""
    _validate_terminal_model(content, instance)
    instance = instance or TerminalModel()
    for name, value in asdict(content).items():
        setattr(instance, name, value)
    instance.content_hash = content.digest()
    if source_hash is not None:
        instance.source_hash = source_hash
    instance.save()
    content_changed()
    return instance


@transaction.atomic
def terminal_model_delete(*, model: TerminalModel) -> None:
    model.delete()
    content_changed()


@transaction.atomic
def category_save(
    *,
    slug: str,
    order: int,
    name_zh: str,
    name_en: str,
    description_zh: str = "",
    description_en: str = "",
    instance: Category | None = None,
) -> Category:
    """Create or change a category: `instance` when the admin edits one (its slug may change), else by slug."""
    values = {
        "order": order,
        "name_zh": name_zh,
        "name_en": name_en,
        "description_zh": description_zh,
        "description_en": description_en,
    }
    if instance is not None and instance.pk:
        for name, value in (values | {"slug": slug}).items():
            setattr(instance, name, value)
        instance.save()
        category = instance
    else:
        category, _created = Category.objects.update_or_create(slug=slug, defaults=values)
    content_changed()
    return category


@transaction.atomic
def category_delete(*, category: Category) -> None:
    category.delete()
    content_changed()


@transaction.atomic
def kb_rerender() -> int:
    """Render every stored article and response code again from its Markdown.

    HTML is rendered once, on save; after the renderer or the sanitizer's allowlist changes, this brings the
    stored HTML in line without touching content, revisions or the admin-edit markers.
    """
    count = 0
    for article in Article.objects.select_for_update():
        body_html, toc_html = render(article.body, language=article.language)
        if (body_html, toc_html) != (article.body_html, article.toc_html):
            Article.objects.filter(pk=article.pk).update(body_html=body_html, toc_html=toc_html)
            count += 1
    for code in ResponseCode.objects.select_for_update():
        zh = render(code.details_zh, language=Language.ZH_HANS)[0]
        en = render(code.details_en, language=Language.EN)[0]
        if (zh, en) != (code.details_html_zh, code.details_html_en):
            ResponseCode.objects.filter(pk=code.pk).update(details_html_zh=zh, details_html_en=en)
            count += 1
    if count:
        content_changed()
    return count
