"""Writes for the API: tokens (made, used, revoked), tickets filed by integrators, webhook deliveries.

Tickets themselves are written by the tickets services, exactly as the web form writes them: the API adds
who filed the ticket (ApiTicket) and nothing else.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import AGENT_SCOPES, INTEGRATOR_SCOPES, ApiClient, ApiTicket, WebhookDelivery
from api.tasks import webhook_enqueue
from infra.audit import Action, audit_record, audited_revoke, values_of
from tickets import services as ticket_services
from tickets.access import Actor
from tickets.forms import TicketForm
from tickets.models import OccurredWhen, Ticket, TicketMessage
from tickets.services.files import Files

logger = logging.getLogger(__name__)
TOKEN_PREFIX = "pos_"  # noqa: S105 (marks the portal's tokens in an integrator's configuration; not a secret)
AUDITED = ("name", "kind", "scopes", "webhook_url", "revoked_at")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _checked_scopes(kind: str, scopes: list[str], user: User | None) -> list[str]:
    allowed = AGENT_SCOPES if kind == ApiClient.Kind.AGENT else INTEGRATOR_SCOPES
    wrong = [scope for scope in scopes if scope not in allowed]
    if wrong:
        raise ValidationError({"scopes": f"Not a scope of this kind of token: {', '.join(wrong)}"})
    if kind == ApiClient.Kind.AGENT and (user is None or not user.is_staff):
        raise ValidationError({"user": "An agent token acts as a staff account."})
    return sorted(set(scopes))


def api_client_create(
    *, actor: Actor | None, name: str, kind: str, scopes: list[str], user: User | None = None, webhook_url: str = ""
) -> tuple[ApiClient, str]:
    """A new token; returns it with the token itself, which is never stored and must be shown once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name.strip()[:100],
            kind=kind,
            scopes=_checked_scopes(kind, scopes, user),
            user=user if kind == ApiClient.Kind.AGENT else None,
            token_hash=token_hash(token),
            token_prefix=token[:12],
            webhook_url=webhook_url,
            webhook_secret=secrets.token_hex(32) if webhook_url else "",
            created_by=actor if isinstance(actor, User) and actor.pk else None,
        )
        audit_record(actor=actor, action=Action.CREATED, instance=client, after=values_of(client, AUDITED))
    return client, token


def api_client_update(
    *, actor: Actor | None, client: ApiClient, name: str, scopes: list[str], webhook_url: str
) -> ApiClient:
    with transaction.atomic():
        row = ApiClient.objects.select_for_update().get(pk=client.pk)
        before = values_of(row, AUDITED)
        row.name, row.scopes = name.strip()[:100], _checked_scopes(row.kind, scopes, row.user)
        if webhook_url and not row.webhook_secret:
            row.webhook_secret = secrets.token_hex(32)
        row.webhook_url = webhook_url
        row.save(update_fields=["name", "scopes", "webhook_url", "webhook_secret"])
        audit_record(actor=actor, action=Action.CHANGED, instance=row, before=before, after=values_of(row, AUDITED))
    return row


def api_client_revoke(*, actor: Actor | None, client: ApiClient) -> ApiClient:
    """The token stops working at once; the row stays, with its tickets and delivery log."""
    return audited_revoke(actor=actor, instance=client, audited=AUDITED)


def api_client_used(*, client: ApiClient) -> None:
    """Last-used time, written at most once a minute per token (a busy integrator is not a write per call)."""
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=1):
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


def _submission_key(client: ApiClient, idempotency_key: str) -> str:
    # Keys are the integrator's own: two integrators using the same key must never meet on one ticket.
    scoped = f"{client.pk}:{idempotency_key or secrets.token_urlsafe(24)}"
    return "api-" + hashlib.sha256(scoped.encode()).hexdigest()[:40]


def api_ticket_create(
    *,
    client: ApiClient,
    data: QueryDict,
    files: Files,
    idempotency_key: str,
    language: str,
    tracking_url: Callable[[str], str],
) -> tuple[Ticket, bool]:
    """File a ticket for an integrator through the web form's validation, masking and upload checks.

    Returns the ticket and whether it is new (False: the same Idempotency-Key was used before).
    Raises ValidationError with the form's messages.
    """
    data, masked = ticket_services.mask_input(data)
    key = _submission_key(client, idempotency_key)
    data["submission_key"] = key  # the form's own field: the integrator's key, made its own
    if not data.get("occurred_when") and data.get("occurred_at"):
        # An integrator's system sends the time it recorded, not a merchant's guess.
        data["occurred_when"] = OccurredWhen.ANOTHER_TIME
    form = TicketForm(data, fix_choices=[], steps=data.getlist("steps"))
    if not form.is_valid():
        raise ValidationError({name: list(messages) for name, messages in form.errors.items()})
    names = ticket_services.TicketDetails.__dataclass_fields__
    values: dict[str, Any] = {n: form.cleaned_data.get(n) for n in names if n in form.cleaned_data}
    details = ticket_services.TicketDetails(**values)
    existing = ApiTicket.objects.select_related("ticket").filter(client=client, ticket__submission_key=key).first()
    if existing is not None:
        return existing.ticket, False
    with transaction.atomic():
        ticket = ticket_services.ticket_create(
            requester=None,
            details=details,
            submission_key=key,
            files=files,
            language=language,
            already_masked=masked,
            tracking_url=tracking_url,
        )
        _filing, new = ApiTicket.objects.get_or_create(
            ticket=ticket, defaults={"client": client, "idempotency_key": key}
        )
        if new:
            webhook_deliveries_record(ticket_id=ticket.pk, event="ticket.created")
    return ticket, new


def _payload(*, event: str, ticket: Ticket, message: TicketMessage | None = None, status: str | None = None) -> dict:
    body = {
        "event": event,
        "ticket": {"reference": ticket.reference, "status": status or ticket.status},
        "occurred_at": timezone.now().isoformat(),
    }
    if message is not None and not message.is_internal:
        body["message"] = {
            "author": message.author_role,
            "body": message.body,
            "created_at": message.created_at.isoformat(),
        }
    return body


def webhook_deliveries_record(
    *, ticket_id: int, event: str, message_id: int | None = None, status: str | None = None
) -> list[WebhookDelivery]:
    """One delivery per integrator that filed the ticket and has a webhook; enqueued once committed.

    `status`: the ticket's status as the event left it, when the row is not saved yet (a status change)."""
    filing = ApiTicket.objects.select_related("client", "ticket").filter(ticket_id=ticket_id).first()
    if filing is None or not filing.client.webhook_url or not filing.client.active:
        return []
    message = filing.ticket.messages.filter(pk=message_id).first() if message_id else None
    delivery = WebhookDelivery.objects.create(
        client=filing.client,
        event=event,
        payload=_payload(event=event, ticket=filing.ticket, message=message, status=status),
    )
    from api.tasks import webhook_enqueue

    transaction.on_commit(lambda: webhook_enqueue(delivery_id=delivery.pk), robust=True)
    return [delivery]


def webhook_test_send(*, actor: User, client: ApiClient) -> WebhookDelivery:
    """The admin's "send test event": a real delivery, signed and logged like any other."""
    if not client.webhook_url:
        raise ValidationError("This token has no webhook address.")
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            client=client,
            event="ping",
            payload={"event": "ping", "occurred_at": timezone.now().isoformat(), "sent_by": actor.get_username()},
        )
        transaction.on_commit(lambda: webhook_enqueue(delivery_id=delivery.pk), robust=True)
    return delivery


def agent_ticket_change(
    *, agent: User, ticket: Ticket, status: str | None, priority: str | None, assignee: str | None
) -> Ticket:
    """What an agent token changes on a ticket, all or nothing, through the console's own services (each
    checks the agent's rights and records its TicketEvent)."""
    from django.contrib.auth import get_user_model

    from tickets.access import is_agent

    with transaction.atomic():
        if status:
            ticket = ticket_services.ticket_status_set(ticket=ticket, agent=agent, status=status)
        if priority:
            ticket = ticket_services.ticket_priority_set(ticket=ticket, agent=agent, priority=priority)
        if assignee is not None:
            user = None
            if assignee:
                user = get_user_model().objects.filter(username=assignee).first()
                if user is None or not is_agent(user):
                    raise ValidationError({"assignee": _("No agent has this username.")})
            ticket = ticket_services.ticket_assign(ticket=ticket, agent=agent, assignee=user)
    return Ticket.objects.select_related("assignee").get(pk=ticket.pk)


def webhook_retry(*, actor: Actor | None, delivery: WebhookDelivery) -> WebhookDelivery:
    """An operator sends a given-up delivery again (the integrator fixed its server)."""
    with transaction.atomic():
        row = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if row.status == WebhookDelivery.Status.FAILED:
            row.status, row.attempts = WebhookDelivery.Status.PENDING, 0
            row.save(update_fields=["status", "attempts"])
            transaction.on_commit(lambda: webhook_enqueue(delivery_id=row.pk), robust=True)
    return row
