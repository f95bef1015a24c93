from dataclasses import replace

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from markdownx.admin import MarkdownxModelAdmin

from infra.admin_services import ServiceAdminMixin
from kb import services
from kb.admin_revisions import RevisionsAdminMixin, field_label
from kb.models import Article, Category, ResponseCode, TerminalModel
from kb.search import admin as search_admin  # noqa: F401  (registers the search admin)
from kb.services import ArticleContent, ResponseCodeContent, TerminalModelContent


@admin.register(Category)
class CategoryAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name_en"]}

    def service_save(self, request, obj, form, change):
        fields = ("slug", "order", "name_zh", "name_en", "description_zh", "description_en")
        return services.category_save(**{name: getattr(obj, name) for name in fields}, instance=obj if change else None)

    def service_delete(self, request, obj):
        services.category_delete(category=obj)


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
            "title", "slug", "language", "category", "status", "visibility", "publish_at", "summary", "symptoms",
            "tags", "codes", "related", "order", "body",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        body = self.fields.get("body")
        if body is not None and self.instance.pk:
            # The preview renders in the article's language (static/js/kb-preview.js), also where the language
            # can no longer be changed and has no field on the page.
            body.widget.attrs["data-article-language"] = self.instance.language

    def clean(self):
        data = super().clean()
        if data.get("publish_at") and data.get("status") != Article.Status.PUBLISHED:
            self.add_error("status", gettext_lazy("To schedule the article, set its status to Published."))
        return data


@admin.register(Article)
class ArticleAdmin(ServiceAdminMixin, RevisionsAdminMixin, MarkdownxModelAdmin):
    form = ArticleAdminForm
    list_display = [
        "title", "language", "category", "status", "visibility", "publish_at", "updated_at", "helpful_yes",
        "helpful_no",
    ]  # fmt: skip
    list_filter = ["status", "visibility", "language", "category"]
    search_fields = ["title", "slug", "symptoms", "tags"]
    readonly_fields = ["published_at", "updated_at", "revisions_link"]
    actions = ["publish", "archive"]

    class Media:
        css = {"all": ["css/kb-admin.css"]}  # the preview beside the editor on a wide screen
        js = ["js/kb-preview.js"]  # the preview in the article's language

    fieldsets = [
        (None, {"fields": ["title", "slug", "language", "category", "body", "note"]}),
        (gettext_lazy("Publishing"), {"fields": ["status", "publish_at", "visibility"]}),
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
        link = format_html('<a href="{}">{}</a>', url, _("History, compare and restore"))
        pending = obj.revisions.filter(pending=True).count()
        if not pending:
            return link
        waiting = ngettext(
            "%(count)d draft revision is waiting for review.",
            "%(count)d draft revisions are waiting for review.",
            pending,
        ) % {"count": pending}
        return format_html("{} <strong>{}</strong>", link, waiting)

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        content = ArticleContent(**{name: data[name] for name in services.ARTICLE_FIELDS})
        note = data.get("note", "")
        if change:
            # The admin's own history then names the fields the service saw change, not the form's guess
            # (which counted a textarea's browser line endings as an edit).
            request.kb_article_changes = services.article_changes(article=obj, content=content)
            return services.article_update(article=obj, content=content, author=request.user, note=note)
        return services.article_create(
            slug=data["slug"], language=data["language"], content=content, author=request.user, note=note
        )

    def construct_change_message(self, request, form, formsets, add=False):
        changes = getattr(request, "kb_article_changes", None)
        if add or changes is None:
            return super().construct_change_message(request, form, formsets, add)
        # Stored untranslated, as Django does; the history page translates each label when it shows it.
        with translation.override(None):
            labels = [str(field_label(name)) for name in changes]
        return [{"changed": {"fields": labels}}] if labels else []

    def service_delete(self, request, obj):
        services.article_delete(article=obj)

    def _set_status(self, request, queryset, status):
        for article in queryset:
            content = replace(ArticleContent.of(article), status=status)
            services.article_update(article=article, content=content, author=request.user, note=status)

    @admin.action(description=gettext_lazy("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED)

    @admin.action(description=gettext_lazy("Archive the selected articles"), permissions=["change"])
    def archive(self, request, queryset):
        self._set_status(request, queryset, Article.Status.ARCHIVED)


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
class ResponseCodeAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = ResponseCodeAdminForm
    list_display = ["code", "name_zh", "name_en", "resign", "is_published"]
    list_filter = ["resign", "is_published"]
    search_fields = ["code", "name_zh", "name_en", "screen_texts"]

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        content = ResponseCodeContent(**{name: data[name] for name in ResponseCodeContent.__dataclass_fields__})
        return services.response_code_save(content=content, instance=obj if change else None)

    def service_delete(self, request, obj):
        services.response_code_delete(code=obj)


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
class TerminalModelAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = TerminalModelAdminForm
    list_display = ["name_zh", "name_en", "kind", "vendor", "order", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["name_zh", "name_en", "vendor", "slug"]
    fieldsets = [
        (None, {"fields": TERMINAL_MAIN_FIELDS}),
        (gettext_lazy("Menu paths"), {"fields": TERMINAL_PATH_FIELDS}),
    ]

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        content = TerminalModelContent(**{name: data[name] for name in TerminalModelContent.__dataclass_fields__})
        return services.terminal_model_save(content=content, instance=obj if change else None)

    def service_delete(self, request, obj):
        services.terminal_model_delete(model=obj)
