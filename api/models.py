"""Who may call the API (integrator and agent tokens), which tickets an integrator filed, and the webhook
deliveries made to integrators."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import Ticket


class Scope(models.TextChoices):
    # Integrators (an acquirer's or a terminal management system's server)
    TICKETS_CREATE = "tickets:create", _("Create tickets")
    TICKETS_READ = "tickets:read", _("Read the tickets it filed")
    MESSAGES_CREATE = "messages:create", _("Add the merchant's messages to the tickets it filed")
    # Agents: the console's rights, through the agent's own account and permissions
    AGENT_TICKETS = "agent:tickets", _("Work the queue as the agent")
    AGENT_NOTES = "agent:notes", _("Read and add internal notes as the agent")


INTEGRATOR_SCOPES = (Scope.TICKETS_CREATE, Scope.TICKETS_READ, Scope.MESSAGES_CREATE)
AGENT_SCOPES = (Scope.AGENT_TICKETS, Scope.AGENT_NOTES)


class ApiClient(models.Model):
    """One token. Only its sha256 is stored; the token is shown once, when it is made."""

    class Kind(models.TextChoices):
        INTEGRATOR = "integrator", _("Integrator")
        AGENT = "agent", _("Agent")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.INTEGRATOR)
    scopes = models.JSONField(_("scopes"), default=list)
    # An agent token acts as this agent, with the agent's permissions at each call.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="api_clients"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token's first characters, so an admin can tell tokens apart without the token.
    token_prefix = models.CharField(_("token starts with"), max_length=12, editable=False)
    webhook_url = models.URLField(_("webhook address"), blank=True)
    # HMAC key for the webhook signature; the integrator keeps a copy (shown once, like the token).
    webhook_secret = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="agent") | models.Q(user__isnull=False), name="api_agent_token_has_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


class ApiTicket(models.Model):
    """A ticket filed through the API, and by whom: an integrator reads and writes only its own."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tickets")
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="api_filing")
    idempotency_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ticket filed through the API")
        verbose_name_plural = _("tickets filed through the API")

    def __str__(self) -> str:
        return f"{self.ticket_id} ← {self.client_id}"


class WebhookDelivery(models.Model):
    """One event sent to one integrator's webhook; the row is the task's idempotency key."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Delivered")
        FAILED = "failed", _("Given up")

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last try"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["client", "-created_at"], name="api_delivery_log")]

    def __str__(self) -> str:
        return f"{self.event} → {self.client.name}"
