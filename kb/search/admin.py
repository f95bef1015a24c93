"""Admin for search: synonym groups (editable, effective at once) and the search analytics page."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kb.search import analytics, services
from kb.search.models import SearchLog, Synonym


class SynonymAdminForm(forms.ModelForm):
    class Meta:
        model = Synonym
        fields = ["key", "terms", "is_active", "note"]
        widgets = {"terms": forms.Textarea(attrs={"rows": 8})}

    def clean(self):
        data = super().clean()
        terms = data.get("terms", "").replace("，", ",").replace(",", "\n").splitlines()
        data["term_list"] = services.synonym_validate_terms(terms, key=data.get("key", ""))
        return data


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    form = SynonymAdminForm
    list_display = ["key", "short_terms", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["key", "terms", "note"]

    @admin.display(description=gettext_lazy("terms"))
    def short_terms(self, obj):
        terms = obj.term_list
        return " · ".join(terms[:6]) + (" …" if len(terms) > 6 else "")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.synonym_save(
            key=data["key"],
            terms=data["term_list"],
            is_active=data["is_active"],
            note=data.get("note", ""),
            instance=obj if change else None,
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.synonym_delete(synonym=obj)

    def delete_queryset(self, request, queryset):
        for synonym in queryset:
            services.synonym_delete(synonym=synonym)


@admin.register(SearchLog)
class SearchLogAdmin(admin.ModelAdmin):
    """The raw log, read-only, plus the analytics page editors use to find content gaps."""

    list_display = ["created_at", "query", "language", "source", "result_count", "opened_position"]
    list_filter = ["source", "language", "created_at"]
    search_fields = ["query", "normalized"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in SearchLog._meta.fields]
    change_list_template = "admin/kb/searchlog/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.analytics_view)
        return [path("analytics/", view, name="kb_search_analytics"), *super().get_urls()]

    def analytics_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = int(request.GET.get("days", 30))
        except ValueError:
            days = 30
        days = days if days in (1, 7, 30, 90, 365) else 30
        include_suggestions = request.GET.get("suggestions") == "1"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Search analytics"),
            "analytics": analytics.search_analytics(days=days, include_suggestions=include_suggestions),
            "days": days,
            "day_choices": (1, 7, 30, 90, 365),
            "include_suggestions": include_suggestions,
            "log_url": reverse("admin:kb_searchlog_changelist"),
        }
        return TemplateResponse(request, "admin/kb/search_analytics.html", context)
