from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from infra.i18n import current_language


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


def _localized(obj, field: str, language: str | None = None) -> str:
    """Pick `<field>_zh` or `<field>_en` for the active (or given) language, falling back to Chinese."""
    suffix = "en" if current_language(language) == Language.EN else "zh"
    return getattr(obj, f"{field}_{suffix}") or getattr(obj, f"{field}_zh")


class Category(models.Model):
    # Set by kb.selectors.categories_with_articles for the home page, not stored.
    article_list: list["Article"]
    article_count: int

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    description_zh = models.CharField(_("description (Chinese)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name_zh

    def get_absolute_url(self) -> str:
        return reverse("kb:category", kwargs={"slug": self.slug})

    @property
    def name(self) -> str:
        return _localized(self, "name")

    @property
    def description(self) -> str:
        return _localized(self, "description")


class ArticleQuerySet(models.QuerySet["Article"]):
    def live(self) -> Self:
        """Published and past its publish time, whoever may read it. Filtered by time on every read, so a
        scheduled article appears on the minute without a job having to run."""
        due = Q(publish_at__isnull=True) | Q(publish_at__lte=timezone.now())
        return self.filter(due, status=Article.Status.PUBLISHED)

    def published(self) -> Self:
        """What merchants and anonymous visitors may see now: live and not internal."""
        return self.live().filter(visibility=Article.Visibility.PUBLIC)

    def indexable(self) -> Self:
        """What the search index holds: public articles, scheduled ones included (search filters by time)."""
        return self.filter(status=Article.Status.PUBLISHED, visibility=Article.Visibility.PUBLIC)

    def in_language(self, language: str) -> Self:
        return self.filter(language=language)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        INTERNAL = "internal", _("Support staff only")

    slug = models.SlugField(
        _("slug"), max_length=80, help_text=_("Shared by the Chinese and English version of an article.")
    )
    language = models.CharField(_("language"), max_length=8, choices=Language, default=Language.ZH_HANS)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    symptoms = models.TextField(
        _("symptoms"), blank=True, help_text=_("What the merchant sees or types, one per line. Weighs most in search.")
    )
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Comma-separated keywords."))
    codes = models.CharField(
        _("response codes"), max_length=100, blank=True, help_text=_("Related response codes, comma-separated.")
    )
    related = models.CharField(
        _("related articles"), max_length=500, blank=True, help_text=_("Slugs of related articles, comma-separated.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    body = MarkdownxField(_("body (Markdown)"))
    body_html = models.TextField(editable=False, default="")
    toc_html = models.TextField(editable=False, default="")
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=Visibility,
        default=Visibility.PUBLIC,
        help_text=_("Internal articles are for the support team: never shown to merchants or in public search."),
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_("A published article with a later time stays hidden until then. Empty: visible at once."),
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # Hash of the editable fields now, and of the shipped file when it was last loaded: when they
    # differ, somebody edited the article in the admin and the loader must not overwrite it silently.
    content_hash = models.CharField(max_length=64, editable=False, default="")
    source_hash = models.CharField(max_length=64, editable=False, blank=True, default="")

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["category__order", "order", "slug"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="kb_article_unique_language_slug"),
        ]
        indexes = [models.Index(fields=["language", "status", "category", "order"], name="kb_article_listing")]

    def __str__(self) -> str:
        # The language by its name in the reader's language (admin headings, menus), not its code.
        try:
            name = translation.get_language_info(self.language)["name_translated"]
        except KeyError:
            name = self.language
        return f"{self.title}（{name}）" if translation.get_language() == "zh-hans" else f"{self.title} ({name})"

    def get_absolute_url(self) -> str:
        with translation.override(self.language):
            return reverse("kb:article", kwargs={"slug": self.slug})

    @property
    def is_live(self) -> bool:
        """Published and past its publish time (the same rule as ArticleQuerySet.live)."""
        due = self.publish_at is None or self.publish_at <= timezone.now()
        return self.status == self.Status.PUBLISHED and due

    @property
    def is_public(self) -> bool:
        return self.is_live and self.visibility == self.Visibility.PUBLIC

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_live

    @property
    def is_indexable(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.visibility == self.Visibility.PUBLIC

    @property
    def symptom_list(self) -> list[str]:
        return [line.strip() for line in self.symptoms.splitlines() if line.strip()]

    @property
    def tag_list(self) -> list[str]:
        return _split(self.tags)

    @property
    def code_list(self) -> list[str]:
        return [code.upper() for code in _split(self.codes)]

    @property
    def related_list(self) -> list[str]:
        return _split(self.related)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]


class ArticleRevision(models.Model):
    """A snapshot of an article's editable fields, taken on every save."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=200, blank=True)
    symptoms = models.TextField(blank=True)
    tags = models.CharField(max_length=300, blank=True)
    codes = models.CharField(max_length=100, blank=True)
    related = models.CharField(max_length=500, blank=True)
    category_slug = models.CharField(max_length=60)
    order = models.PositiveSmallIntegerField(default=100)
    body = models.TextField()
    status = models.CharField(_("status"), max_length=12, choices=Article.Status)
    visibility = models.CharField(max_length=10, choices=Article.Visibility, default=Article.Visibility.PUBLIC)
    publish_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Names of the fields that differ from the revision before (kb.services.ARTICLE_FIELDS).
    changes = models.JSONField(_("changed fields"), default=list, blank=True)
    # A restored version waiting for an editor's review: not applied to the article until published.
    pending = models.BooleanField(_("waiting for review"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_revision_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.article.slug} r{self.number}"


class ArticleVote(models.Model):
    """One 'did this solve your problem?' answer per visitor and article; counted by counting rows."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    visitor = models.CharField(max_length=64)
    helpful = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "visitor"], name="kb_vote_one_per_visitor"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'yes' if self.helpful else 'no'}"


class ResponseCode(models.Model):
    class Resign(models.TextChoices):
        YES = "yes", _("Yes")
        MAYBE = "maybe", _("May help")
        NO = "no", _("No")

    code = models.CharField(_("code"), max_length=4, unique=True, help_text=_("Field 39, e.g. A0 or 77."))
    resign = models.CharField(_("does signing on again help?"), max_length=8, choices=Resign, default=Resign.NO)
    name_zh = models.CharField(_("meaning (Chinese)"), max_length=80)
    name_en = models.CharField(_("meaning (English)"), max_length=80)
    action_zh = models.TextField(_("what to do (Chinese)"))
    action_en = models.TextField(_("what to do (English)"))
    details_zh = models.TextField(_("details (Chinese, Markdown)"), blank=True)
    details_en = models.TextField(_("details (English, Markdown)"), blank=True)
    details_html_zh = models.TextField(editable=False, default="")
    details_html_en = models.TextField(editable=False, default="")
    screen_texts = models.TextField(
        _("screen texts"), blank=True, help_text=_("What terminals display for this code, one per line.")
    )
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    content_hash = models.CharField(max_length=64, editable=False, default="")
    source_hash = models.CharField(max_length=64, editable=False, blank=True, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = _("response code")
        verbose_name_plural = _("response codes")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def get_absolute_url(self, language: str | None = None) -> str:
        with translation.override(language or translation.get_language()):
            return reverse("kb:code", kwargs={"code": self.code})

    @property
    def name(self) -> str:
        return _localized(self, "name")

    @property
    def action(self) -> str:
        return _localized(self, "action")

    @property
    def details_html(self) -> str:
        return _localized(self, "details_html")

    @property
    def screen_text_list(self) -> list[str]:
        return [line.strip() for line in self.screen_texts.splitlines() if line.strip()]


class TerminalModel(models.Model):
    """A terminal model merchants use, with its exact menu paths: labels differ by vendor and acquirer, so
    admins add the models their merchants have and article pages show the path for the merchant's one."""

    class Kind(models.TextChoices):
        KEYPAD = "keypad", _("Keypad terminal")
        SMART = "smart", _("Android smart POS")
        MPOS = "mpos", _("mPOS phone app")

    slug = models.SlugField(
        _("slug"), max_length=60, unique=True, help_text=_("Short name used in links and remembered by the browser.")
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind, default=Kind.KEYPAD)
    vendor = models.CharField(_("vendor"), max_length=80, blank=True)
    sign_on_zh = models.CharField(_("sign-on path (Chinese)"), max_length=200)
    sign_on_en = models.CharField(_("sign-on path (English)"), max_length=200)
    settlement_zh = models.CharField(_("settlement path (Chinese)"), max_length=200)
    settlement_en = models.CharField(_("settlement path (English)"), max_length=200)
    reprint_zh = models.CharField(_("reprint path (Chinese)"), max_length=200)
    reprint_en = models.CharField(_("reprint path (English)"), max_length=200)
    sign_off_zh = models.CharField(_("sign-off path (Chinese)"), max_length=200)
    sign_off_en = models.CharField(_("sign-off path (English)"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    content_hash = models.CharField(max_length=64, editable=False, default="")
    source_hash = models.CharField(max_length=64, editable=False, blank=True, default="")

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("terminal model")
        verbose_name_plural = _("terminal models")

    def __str__(self) -> str:
        return self.name_zh

    @property
    def name(self) -> str:
        return _localized(self, "name")

    @property
    def paths(self) -> dict[str, str]:
        """The four menu paths in the active language, keyed by task."""
        return {task: _localized(self, task) for task in ("sign_on", "settlement", "reprint", "sign_off")}


# Search models live in kb/search/ but belong to this app (and its migrations). They import nothing from kb.
from kb.search.models import SearchEntry, SearchLog, SearchTerm, Synonym  # noqa: E402, F401
