"""Search data: the index entries, term statistics, editable synonyms and the search log.

Imported at the bottom of kb/models.py, so these belong to the kb app and its migrations; they refer to
no kb model (an entry is a document kb handed over, named by kind, key and language).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One searchable page in one language (a documents.Document as indexed): e.g. an article or a code page.

    The *_tokens fields hold the pipeline's output (space-separated words). SQLite's FTS5 table
    (kb_search_fts) follows them through triggers; on PostgreSQL `vector` is built from them.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        CODE = "code", _("Response code")

    kind = models.CharField(max_length=8, choices=Kind)
    key = models.CharField(max_length=80, help_text="Names the page within its kind (e.g. article slug, code).")
    language = models.CharField(max_length=8)
    url = models.CharField(max_length=300, default="", help_text="Where the page is, as the caller gave it.")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    text = models.TextField(blank=True, help_text="Plain text that snippets are cut from.")
    codes = models.CharField(max_length=200, blank=True, help_text="Listed response codes, space-separated.")
    # Normalized title and symptom lines, one per line: a query that is one of them (or contains
    # one) is the strongest signal there is.
    phrases = models.TextField(null=True, blank=True)
    title_tokens = models.TextField(blank=True)
    symptoms_tokens = models.TextField(blank=True)
    codes_tokens = models.TextField(blank=True)
    tags_tokens = models.TextField(blank=True)
    summary_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    pinyin_tokens = models.TextField(blank=True)
    # A page scheduled for later is indexed ahead and left out of results until then (selectors filter).
    visible_from = models.DateTimeField(null=True, blank=True)
    vector = SearchVectorField(null=True, editable=False)
    # PostgreSQL only: title, symptoms, codes, tags, summary and pinyin without the body. A third of the
    # size, so matching and ranking on it first is several times cheaper.
    head = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "language"], name="kb_searchentry_unique_page"),
        ]
        indexes = [models.Index(fields=["language", "kind"], name="kb_searchentry_lang_kind")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} [{self.language}]"

    @property
    def code_list(self) -> list[str]:
        return self.codes.split()

    def token_fields(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in TOKEN_FIELDS}


TOKEN_FIELDS = (
    "title_tokens",
    "symptoms_tokens",
    "codes_tokens",
    "tags_tokens",
    "summary_tokens",
    "body_tokens",
    "pinyin_tokens",
)


class SearchTerm(models.Model):
    """How many entries contain each indexed word: which query words are rare (worth starting from) or
    unknown (skipped, or corrected when they are one typo away from a known English word or pinyin)."""

    term = models.CharField(max_length=100, unique=True)
    entries = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term} ({self.entries})"


class Synonym(models.Model):
    """A group of words and phrases that mean the same to a merchant; a query with one finds all."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    terms = models.TextField(
        _("terms"),
        help_text=_(
            "One word or phrase per line, in any language. A search for any of them also finds the others. "
            "“签到 + @fails” also says this group when 签到 and any term of the group with the key “fails” are typed."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # As for articles: the loader leaves a group edited in the admin alone unless forced.
    content_hash = models.CharField(max_length=64, editable=False, default="")
    source_hash = models.CharField(max_length=64, editable=False, blank=True, default="")

    class Meta:
        ordering = ["key"]
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")

    def __str__(self) -> str:
        return self.key

    @property
    def term_list(self) -> list[str]:
        return [line.strip() for line in self.terms.replace("，", ",").replace(",", "\n").splitlines() if line.strip()]


class SearchLog(models.Model):
    """One search as a merchant ran it, the results shown, and which one (if any) they opened."""

    class Source(models.TextChoices):
        PAGE = "page", _("Results page")
        API = "api", _("API")
        SUGGEST = "suggest", _("Suggestions")

    # Set when the search ran, not when the record reached the database (after the response).
    created_at = models.DateTimeField(_("searched at"), default=timezone.now, db_index=True)
    # Names the search in its result links and recorded opens; empty for searches logged before keys.
    key = models.CharField(max_length=24, unique=True, null=True, blank=True, editable=False)
    query = models.CharField(_("query"), max_length=200)
    normalized = models.CharField(_("normalized query"), max_length=200, db_index=True)
    language = models.CharField(_("language"), max_length=8)
    source = models.CharField(_("source"), max_length=8, choices=Source, default=Source.PAGE)
    result_count = models.PositiveIntegerField(_("results"))
    # The result URLs in rank order, so "open result N" redirects only to a URL we produced.
    results = models.JSONField(default=list)
    opened_position = models.PositiveSmallIntegerField(_("opened result"), null=True, blank=True)  # 1 = first
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("search")
        verbose_name_plural = _("search log")
        indexes = [models.Index(fields=["source", "created_at"], name="kb_searchlog_source_created")]

    def __str__(self) -> str:
        return f"{self.query} ({self.result_count})"

    @property
    def opened_url(self) -> str:
        if not self.opened_position or self.opened_position > len(self.results):
            return ""
        return self.results[self.opened_position - 1]
