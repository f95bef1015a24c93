"""Terminal stickers in the admin: made one by one or from a fleet's CSV file, printed on A4 sheets, revoked
when lost. Writes go through tickets/services/stickers.py."""

import segno
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from infra.admin_services import ServiceAdminMixin
from infra.mail import site_link
from tickets.models import TerminalSticker
from tickets.services import stickers

SHEET_MAX = 240  # ten A4 pages of 24


class StickerAdminForm(stickers.StickerForm):
    """The admin's add page: the same checks as the service."""


class StickerImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "First row: merchant_id, terminal_id and optionally serial_number, terminal_model, model_slug, "
            "acquirer. UTF-8 or GBK (as Excel saves it), at most 5,000 terminals."
        ),
    )


def short_link(sticker: TerminalSticker) -> str:
    return site_link(reverse("sticker_scan", kwargs={"token": sticker.token}))


@admin.register(TerminalSticker)
class TerminalStickerAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = [
        "terminal_id",
        "merchant_id",
        "terminal_model",
        "acquirer",
        "scans",
        "last_scanned_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "acquirer"]
    search_fields = ["terminal_id", "merchant_id", "serial_number", "token"]
    actions = ["print_sheet", "revoke"]
    change_list_template = "admin/tickets/terminalsticker/change_list.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return StickerAdminForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        return list(stickers.FIELDS) if obj is None else [*stickers.FIELDS, "token", "scans", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        # A sticker is printed as it is: a changed terminal gets a new sticker, the old one is revoked.
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        try:
            return stickers.sticker_create(actor=request.user, values=form.cleaned_data)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error

    def get_urls(self):
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="tickets_terminalsticker_import"),
            path("sheet/", self.admin_site.admin_view(self.sheet_view), name="tickets_terminalsticker_sheet"),
            path(
                "<int:pk>/qr.<str:kind>",
                self.admin_site.admin_view(self.qr_view),
                name="tickets_terminalsticker_qr",
            ),
        ]
        return own + super().get_urls()

    @admin.action(description=_("Revoke the selected stickers"), permissions=["change"])
    def revoke(self, request, queryset):
        for sticker in queryset:
            stickers.sticker_revoke(actor=request.user, sticker=sticker)
        count = queryset.count()
        self.message_user(
            request, ngettext("%(count)d sticker revoked.", "%(count)d stickers revoked.", count) % {"count": count}
        )

    @admin.action(description=_("Print the selected stickers (A4 sheet)"), permissions=["view"])
    def print_sheet(self, request, queryset):
        ids = list(queryset.filter(revoked_at__isnull=True).values_list("pk", flat=True)[:SHEET_MAX])
        return redirect(reverse("admin:tickets_terminalsticker_sheet") + "?ids=" + ",".join(map(str, ids)))

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StickerImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                result = stickers.stickers_import(actor=request.user, data=form.cleaned_data["file"].read())
            except ValidationError as error:
                errors = error.messages
            else:
                errors = result.errors
                if not errors:
                    count = len(result.created)
                    self.message_user(
                        request,
                        ngettext("%(count)d sticker made.", "%(count)d stickers made.", count) % {"count": count},
                        messages.SUCCESS,
                    )
                    ids = ",".join(str(sticker.pk) for sticker in result.created[:SHEET_MAX])
                    return redirect(reverse("admin:tickets_terminalsticker_sheet") + "?ids=" + ids)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "errors": errors,
            "title": _("Stickers for a fleet (CSV)"),
        }
        return render(request, "admin/tickets/terminalsticker/import.html", context)

    def sheet_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()][:SHEET_MAX]
        rows = TerminalSticker.objects.filter(pk__in=ids, revoked_at__isnull=True).order_by(
            "merchant_id", "terminal_id"
        )
        items = [
            {
                "sticker": sticker,
                "link": short_link(sticker),
                "qr": segno.make(short_link(sticker), error="m").svg_data_uri(scale=4, border=2),
            }
            for sticker in rows
        ]
        return render(request, "tickets/sticker_sheet.html", {"items": items})

    def qr_view(self, request: HttpRequest, pk: int, kind: str) -> HttpResponse:
        sticker = TerminalSticker.objects.filter(pk=pk).first()
        if sticker is None or kind not in ("svg", "png") or not self.has_view_permission(request, sticker):
            raise PermissionDenied
        import io

        out = io.BytesIO()
        segno.make(short_link(sticker), error="m").save(out, kind=kind, scale=10, border=2)
        response = HttpResponse(out.getvalue(), content_type="image/svg+xml" if kind == "svg" else "image/png")
        response["Content-Disposition"] = f'attachment; filename="sticker-{sticker.terminal_id}.{kind}"'
        return response
