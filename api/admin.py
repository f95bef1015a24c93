"""Tokens are made, changed and revoked in the admin, through the services; the token and the webhook
secret are shown once, on the page after saving, and never again."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api import services
from api.models import AGENT_SCOPES, INTEGRATOR_SCOPES, ApiClient, Scope, WebhookDelivery
from infra.admin_services import ReadOnlyAdminMixin, ServiceAdminMixin


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = ApiClient
        fields = ["name", "kind", "user", "scopes", "webhook_url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = get_user_model().objects.filter(is_staff=True, is_active=True)
            self.fields["user"].help_text = _("Agent tokens only: the agent the token acts as.")

    def clean_webhook_url(self):
        url = self.cleaned_data.get("webhook_url", "")
        # URLField also takes ftp://; webhooks are HTTP POSTs.
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("A webhook address starts with https:// (or http:// inside your network)."))
        return url

    def clean(self):
        data = super().clean()
        allowed = AGENT_SCOPES if data.get("kind") == ApiClient.Kind.AGENT else INTEGRATOR_SCOPES
        wrong = [scope for scope in data.get("scopes", []) if scope not in allowed]
        if wrong:
            self.add_error("scopes", _("These scopes are not for this kind of token: %s") % ", ".join(wrong))
        if data.get("kind") == ApiClient.Kind.AGENT and not data.get("user"):
            self.add_error("user", _("An agent token needs the agent it acts as."))
        return data


@admin.register(ApiClient)
class ApiClientAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "kind", "token_prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["kind", "revoked_at"]
    search_fields = ["name", "token_prefix"]
    readonly_fields = ["token_prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke", "send_test_event"]

    def get_readonly_fields(self, request, obj=None):
        # A token's kind and agent are what it was made for: a new token is made for another use.
        return [*self.readonly_fields, "kind", "user"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: its tickets and deliveries keep their history

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                had_secret = ApiClient.objects.filter(pk=obj.pk).exclude(webhook_secret="").exists()
                client = services.api_client_update(
                    actor=request.user,
                    client=obj,
                    name=data["name"],
                    scopes=data["scopes"],
                    webhook_url=data.get("webhook_url", ""),
                )
                if client.webhook_secret and not had_secret:
                    request.api_token_made = (client, "")  # a new signing secret, shown once
                return client
            client, token = services.api_client_create(
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                scopes=data["scopes"],
                user=data.get("user"),
                webhook_url=data.get("webhook_url", ""),
            )
        except ValidationError as error:  # the form checks the same; a race is the only way here
            raise forms.ValidationError(error.messages) from error
        request.api_token_made = (client, token)
        return client

    def response_add(self, request, obj, post_url_continue=None):
        made = getattr(request, "api_token_made", None)
        if made is None:
            return super().response_add(request, obj, post_url_continue)
        return self._shown_once(request, *made)

    def response_change(self, request, obj):
        made = getattr(request, "api_token_made", None)
        if made is None:
            return super().response_change(request, obj)
        return self._shown_once(request, *made)

    def _shown_once(self, request, client: ApiClient, token: str):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "client": client,
            "token": token,
            "title": _("Copy the token now"),
        }
        response = TemplateResponse(request, "admin/api/token_made.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        for client in queryset:
            services.api_client_revoke(actor=request.user, client=client)
        count = queryset.count()
        self.message_user(
            request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count}
        )

    @admin.action(description=_("Send a test event to the webhook"), permissions=["change"])
    def send_test_event(self, request, queryset):
        for client in queryset:
            try:
                services.webhook_test_send(actor=request.user, client=client)
            except ValidationError:
                self.message_user(
                    request, _("%(name)s has no webhook address.") % {"name": client.name}, messages.WARNING
                )
                continue
            self.message_user(
                request, _("Test event queued for %(name)s; see the delivery log.") % {"name": client.name}
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "client", "event", "status", "attempts", "last_status_code", "last_error"]
    list_filter = ["status", "event", "client"]
    fields = readonly_fields = [*list_display, "last_attempt_at", "delivered_at", "payload"]
    actions = ["send_again"]

    def has_change_permission(self, request, obj=None):
        # Read-only rows; the action below needs the right to change them.
        return obj is None and request.user.has_perm("api.change_webhookdelivery")

    @admin.action(description=_("Send the given-up deliveries again"), permissions=["change"])
    def send_again(self, request, queryset):
        for delivery in queryset.filter(status=WebhookDelivery.Status.FAILED):
            services.webhook_retry(actor=request.user, delivery=delivery)
        self.message_user(request, _("Given-up deliveries queued again."))
