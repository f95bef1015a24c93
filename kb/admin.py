import difflib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from markdownx.admin import MarkdownxModelAdmin

from kb import services
from kb.models import Article, ArticleRevision, Category, ResponseCode, TerminalModel
from kb.search import admin as search_admin  # noqa: F401  (registers the search admin)
from kb.services import ArticleContent, ResponseCodeContent, TerminalModelContent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name_en"]}


class ArticleAdminForm(forms.ModelForm):
    note = forms.CharField(
        label=gettext_lazy("What changed?"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Kept with this revision in the history."),
    )

    class Meta:
        model = Article
        fields = [
            "title", "slug", "language", "category", "status", "summary", "symptoms", "tags", "codes", "related",
            "order", "body",
        ]  # fmt: skip


@admin.register(Article)
class ArticleAdmin(MarkdownxModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "language", "category", "status", "updated_at", "helpful_yes", "helpful_no"]
    list_filter = ["status", "language", "category"]
    search_fields = ["title", "slug", "symptoms", "tags"]
    readonly_fields = ["published_at", "updated_at", "revisions_link"]
    actions = ["publish", "archive"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "language", "category", "status", "body", "note"]}),
        (
            gettext_lazy("Search and navigation"),
            {"fields": ["summary", "symptoms", "tags", "codes", "related", "order"]},
        ),
        (gettext_lazy("History"), {"fields": ["published_at", "updated_at", "revisions_link"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The address is shared by both language versions and is in every link to the article.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "slug", "language"] if obj is not None else fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("category")
            .annotate(
                yes_count=Count("votes", filter=Q(votes__helpful=True)),
                no_count=Count("votes", filter=Q(votes__helpful=False)),
            )
        )

    @admin.display(description=gettext_lazy("helpful"), ordering="yes_count")
    def helpful_yes(self, obj):
        return obj.yes_count

    @admin.display(description=gettext_lazy("not helpful"), ordering="no_count")
    def helpful_no(self, obj):
        return obj.no_count

    @admin.display(description=gettext_lazy("revisions"))
    def revisions_link(self, obj):
        if not obj.pk:
            return "—"
        url = reverse("admin:kb_article_revisions", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("History, compare and restore"))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        content = ArticleContent(**{name: data[name] for name in ArticleContent.__dataclass_fields__})
        note = data.get("note", "")
        if change:
            saved = services.article_update(article=obj, content=content, author=request.user, note=note)
        else:
            saved = services.article_create(
                slug=data["slug"], language=data["language"], content=content, author=request.user, note=note
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.article_delete(article=obj)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            services.article_delete(article=article)

    def _set_status(self, request, queryset, status):
        for article in queryset:
            content = ArticleContent.of(article)
            content = ArticleContent(**{**content.__dict__, "status": status})
            services.article_update(article=article, content=content, author=request.user, note=status)

    @admin.action(description=gettext_lazy("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED)

    @admin.action(description=gettext_lazy("Archive the selected articles"), permissions=["change"])
    def archive(self, request, queryset):
        self._set_status(request, queryset, Article.Status.ARCHIVED)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/revisions/", wrap(self.revisions_view), name="kb_article_revisions"),
            path("<int:pk>/revisions/compare/", wrap(self.compare_view), name="kb_article_compare"),
            path(
                "<int:pk>/revisions/<int:number>/restore/",
                wrap(require_POST(self.restore_view)),
                name="kb_article_restore",
            ),
            *super().get_urls(),
        ]

    def _article(self, request, pk, *, change=False) -> Article:
        article = get_object_or_404(Article, pk=pk)
        allowed = self.has_change_permission(request, article) if change else self.has_view_permission(request, article)
        if not allowed:
            raise PermissionDenied
        return article

    def revisions_view(self, request, pk):
        article = self._article(request, pk)
        revisions = article.revisions.select_related("author")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "article": article,
            "revisions": revisions,
            "title": _("History of “%(title)s”") % {"title": article.title},
        }
        return TemplateResponse(request, "admin/kb/article/revisions.html", context)

    def compare_view(self, request, pk):
        article = self._article(request, pk)
        try:
            a, b = sorted(int(request.GET[k]) for k in ("a", "b"))
        except (KeyError, ValueError):
            messages.error(request, _("Choose two revisions to compare."))
            return redirect("admin:kb_article_revisions", pk=pk)
        old = article.revisions.filter(number=a).first()
        new = article.revisions.filter(number=b).first()
        if old is None or new is None:
            raise Http404(_("No such revision."))
        fields = ["title", "summary", "symptoms", "tags", "codes", "related", "category_slug", "order", "status"]
        changes = [
            (field, getattr(old, field), getattr(new, field))
            for field in fields
            if getattr(old, field) != getattr(new, field)
        ]
        body_diff = difflib.HtmlDiff(wrapcolumn=70).make_table(
            old.body.splitlines(), new.body.splitlines(), f"r{old.number}", f"r{new.number}", context=True
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "article": article,
            "old": old,
            "new": new,
            "changes": changes,
            "body_diff": body_diff,
            "body_changed": old.body != new.body,
            "title": _("Compare revision %(a)s with %(b)s") % {"a": a, "b": b},
        }
        return TemplateResponse(request, "admin/kb/article/compare.html", context)

    def restore_view(self, request, pk, number):
        article = self._article(request, pk, change=True)
        revision = get_object_or_404(ArticleRevision, article=article, number=number)
        try:
            services.article_restore(article=article, revision=revision, author=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Revision %(n)s restored as a new revision.") % {"n": number})
        return redirect("admin:kb_article_change", pk)


class ResponseCodeAdminForm(forms.ModelForm):
    class Meta:
        model = ResponseCode
        fields = [
            "code", "resign", "name_zh", "name_en", "action_zh", "action_en", "details_zh", "details_en",
            "screen_texts", "is_published",
        ]  # fmt: skip

    def clean_code(self):
        # Codes are stored in capitals; checking uniqueness on the typed "a0" would let a duplicate through.
        return self.cleaned_data["code"].strip().upper()


@admin.register(ResponseCode)
class ResponseCodeAdmin(admin.ModelAdmin):
    form = ResponseCodeAdminForm
    list_display = ["code", "name_zh", "name_en", "resign", "is_published"]
    list_filter = ["resign", "is_published"]
    search_fields = ["code", "name_zh", "name_en", "screen_texts"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        content = ResponseCodeContent(**{name: data[name] for name in ResponseCodeContent.__dataclass_fields__})
        saved = services.response_code_save(content=content, instance=obj if change else None)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.response_code_delete(code=obj)

    def delete_queryset(self, request, queryset):
        for code in queryset:
            services.response_code_delete(code=code)


TERMINAL_MAIN_FIELDS = ["slug", "name_zh", "name_en", "kind", "vendor", "order", "is_published"]
TERMINAL_PATH_FIELDS = [
    f"{task}_{suffix}" for task in ("sign_on", "settlement", "reprint", "sign_off") for suffix in ("zh", "en")
]


class TerminalModelAdminForm(forms.ModelForm):
    class Meta:
        model = TerminalModel
        fields = [*TERMINAL_MAIN_FIELDS, *TERMINAL_PATH_FIELDS]

    def clean_slug(self):
        # Stored in lower case (it travels in links and cookies); check uniqueness on what will be stored.
        return self.cleaned_data["slug"].strip().lower()


@admin.register(TerminalModel)
class TerminalModelAdmin(admin.ModelAdmin):
    form = TerminalModelAdminForm
    list_display = ["name_zh", "name_en", "kind", "vendor", "order", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["name_zh", "name_en", "vendor", "slug"]
    fieldsets = [
        (None, {"fields": TERMINAL_MAIN_FIELDS}),
        (gettext_lazy("Menu paths"), {"fields": TERMINAL_PATH_FIELDS}),
    ]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        content = TerminalModelContent(**{name: data[name] for name in TerminalModelContent.__dataclass_fields__})
        saved = services.terminal_model_save(content=content, instance=obj if change else None)
        obj.pk = saved.pk
        obj.refresh_from_db()
