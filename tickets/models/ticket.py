from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The priority sort's order, urgent first.
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


class OccurredWhen(models.TextChoices):
    JUST_NOW = "just_now", _("Just now")
    EARLIER_TODAY = "earlier_today", _("Earlier today")
    ANOTHER_TIME = "another_time", _("Another time")


class Ticket(models.Model):
    # The plain tracking token, on the instance ticket_create returns only (the database keeps its hash).
    access_token: str
    # Set by tickets.selectors.related_tickets for the agent's ticket page, not stored.
    open_nearby: bool

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        WAITING_ON_MERCHANT = "waiting_on_merchant", _("Waiting for your reply")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    # sha256 of the tracking token: the token itself is only ever in the merchant's link.
    access_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    submission_key = models.CharField(max_length=64, unique=True, editable=False)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("account"),
    )
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    status = models.CharField(_("status"), max_length=24, choices=Status, default=Status.NEW)
    priority = models.CharField(_("priority"), max_length=12, choices=Priority, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        verbose_name=_("assigned to"),
    )
    # Time targets: the due times are computed and stored by the workflow services; the *_at times are facts.
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # Set while the ticket waits on the merchant: the time targets pause from here.
    waiting_since = models.DateTimeField(_("waiting on the merchant since"), null=True, blank=True)
    # The next time target to meet, as the queue sorts and filters by it: the first response until there is
    # one, then the resolution. Kept by the database (every update of the due or responded times, by any
    # path, moves it), so the queue reads an index instead of computing a CASE over every ticket.
    next_due = models.GeneratedField(
        expression=models.Case(
            models.When(
                first_responded_at__isnull=True,
                then=Coalesce("first_response_due", "resolution_due"),
            ),
            default=models.F("resolution_due"),
        ),
        output_field=models.DateTimeField(),
        db_persist=True,
        verbose_name=_("next due"),
    )
    # Urgent first: the priority sort's order, stored for the same reason.
    priority_rank = models.GeneratedField(
        expression=models.Case(
            *(models.When(priority=value, then=models.Value(rank)) for value, rank in PRIORITY_RANK.items()),
            default=models.Value(len(PRIORITY_RANK)),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    # Who works it, from the routing rules when it arrived (tickets/services/routing.py); blank: nobody's team.
    team = models.ForeignKey(
        "tickets.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("team"),
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )

    # Contact
    contact_name = models.CharField(_("name"), max_length=80)
    # 11 mainland digits, or "+" and up to 15 digits (infra.sms.normalize).
    phone = models.CharField(_("mobile phone"), max_length=16, blank=True)
    email = models.EmailField(_("email"), blank=True)

    # Terminal
    merchant_id = models.CharField(_("merchant ID (MID)"), max_length=15)
    terminal_id = models.CharField(_("terminal ID (TID)"), max_length=8)
    serial_number = models.CharField(_("serial number (SN)"), max_length=40, blank=True)
    terminal_model = models.CharField(_("brand / model"), max_length=80, blank=True)
    acquirer = models.CharField(_("acquiring bank or service provider"), max_length=80, blank=True)

    # What happened
    occurred_at = models.DateTimeField(_("when it happened"))
    # How the merchant said when (blank on tickets from before the choice): only "another time" is a time they
    # typed; "just now" and "earlier today" are the sending time or their guess, and agents are told so.
    occurred_when = models.CharField(_("how the time was given"), max_length=16, choices=OccurredWhen, blank=True)
    location = models.CharField(_("shop / address"), max_length=200, blank=True)
    response_code = models.CharField(_("response code"), max_length=4, blank=True)
    screen_text = models.CharField(_("text on the screen"), max_length=300, blank=True)
    description = models.TextField(_("what you were doing"))
    steps = models.JSONField(_("steps taken"), default=list, blank=True)
    tried_fixes = models.JSONField(_("suggested fixes already tried"), default=list, blank=True)
    article_slug = models.SlugField(_("from article"), max_length=80, blank=True)
    search_query = models.CharField(_("from search"), max_length=200, blank=True)

    # Transaction (optional)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    trace_number = models.CharField(_("trace / voucher no."), max_length=6, blank=True)
    batch_number = models.CharField(_("batch no."), max_length=6, blank=True)
    reference_number = models.CharField(_("reference no. (RRN)"), max_length=12, blank=True)
    auth_code = models.CharField(_("authorization code"), max_length=6, blank=True)
    card_masked = models.CharField(_("card (masked)"), max_length=19, blank=True)

    # How many card numbers were masked in the text the merchant typed (logs count on their attachment).
    masked_count = models.PositiveIntegerField(default=0, editable=False)
    # Normalized (tickets/search.py) reference, identifiers, texts and messages, for the agents' search.
    search_text = models.TextField(blank=True, default="", editable=False)
    # The newest support reply the merchant's page has shown: written only when a newer one is shown.
    merchant_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.CheckConstraint(condition=~models.Q(phone="", email=""), name="tickets_ticket_has_contact"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0), name="tickets_ticket_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "priority"], name="tickets_ticket_queue"),
            models.Index(fields=["merchant_id", "terminal_id"], name="tickets_ticket_terminal"),
            # The agent queue's filters and sorts.
            models.Index(fields=["assignee", "status"], name="tickets_ticket_assignee"),
            models.Index(fields=["priority"], name="tickets_ticket_priority"),
            models.Index(fields=["first_response_due"], name="tickets_ticket_first_due"),
            models.Index(fields=["resolution_due"], name="tickets_ticket_resolution_due"),
            models.Index(fields=["updated_at"], name="tickets_ticket_updated"),
            models.Index(fields=["terminal_id"], name="tickets_ticket_tid"),
            models.Index(fields=["response_code"], name="tickets_ticket_code"),
            # The queue's source-article filter and its date range / oldest-first sort.
            models.Index(fields=["article_slug"], name="tickets_ticket_article"),
            models.Index(fields=["created_at"], name="tickets_ticket_created"),
            # The queue's default sort (next due time, then age) and its priority sort, read in index order.
            models.Index(fields=["next_due", "created_at", "id"], name="tickets_ticket_next_due"),
            models.Index(fields=["priority_rank", "next_due", "created_at", "id"], name="tickets_ticket_rank_due"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        # The owner's and the agents' address; anonymous merchants use the token link instead.
        return reverse("tickets:detail", kwargs={"key": self.reference})

    def get_agent_status_display(self) -> str | Promise:
        """The status as the console names it; the merchant's pages keep get_status_display."""
        return agent_status_label(self.status)

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_active(self) -> bool:
        return self.status not in (self.Status.RESOLVED, self.Status.CLOSED)


# The statuses as support reads them in the console, beside the merchant's wording (Ticket.Status): the one
# source of both. A status without a console name here is called the same on both sides.
AGENT_STATUS_LABELS: dict[str, str | Promise] = {Ticket.Status.WAITING_ON_MERCHANT: _("Waiting on merchant")}


def agent_status_label(value: str) -> str | Promise:
    """The console's name of a status value."""
    if value in AGENT_STATUS_LABELS:
        return AGENT_STATUS_LABELS[value]
    return Ticket.Status(value).label if value in Ticket.Status.values else value


def agent_status_choices() -> list[tuple[str, str | Promise]]:
    """The statuses as the console's menus offer them, in the merchant's order."""
    return [(value, agent_status_label(value)) for value in Ticket.Status.values]


class ActorKind(models.TextChoices):
    MERCHANT = "merchant", _("Merchant")
    AGENT = "agent", _("Support")
    SYSTEM = "system", _("System")


class TicketCounter(models.Model):
    """One row per year; locked while a reference is allocated so two tickets never share a number."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class TicketMessage(models.Model):
    Role = ActorKind

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_role = models.CharField(_("from"), max_length=12, choices=Role, default=Role.MERCHANT)
    body = models.TextField(_("message"), blank=True)
    # Internal notes are for the agent console; merchants never see them.
    is_internal = models.BooleanField(_("internal note"), default=False)
    masked_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.pk} {self.get_author_role_display()}"  # shown in the admin


class TicketEvent(models.Model):
    """One change to a ticket: who, when, what, old → new. Written by the service that made the change."""

    # Set by tickets.selectors for the timeline, not stored.
    old_user: Any
    new_user: Any
    old_label: str | Promise
    new_label: str | Promise
    summary: str  # a photo's event in words ("photo 2 read: code A0"), "" for the others

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        STATUS = "status", _("Status")
        PRIORITY = "priority", _("Priority")
        ASSIGNEE = "assignee", _("Assignee")
        MERGED = "merged", _("Merged")
        ARTICLE = "article", _("Article drafted")
        CLASSIFIED = "classified", _("Suggested answer")
        NOTICE = "notice", _("Notification sent again")
        LINK_SENT = "link_sent", _("Tracking link sent")
        LINKS = "links", _("Tracking links stopped")
        FEEDBACK = "feedback", _("Merchant's feedback")
        TEAM = "team", _("Team")
        PHOTO_READ = "photo_read", _("Photo read")
        PHOTO_CARD = "photo_card", _("Card number hidden in a photo")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_kind = models.CharField(_("by"), max_length=12, choices=ActorKind)
    kind = models.CharField(_("change"), max_length=12, choices=Kind)
    # Values as stored on the ticket (a status or priority value, an assignee's user id); blank means none.
    old_value = models.CharField(_("from"), max_length=64, blank=True)
    new_value = models.CharField(_("to"), max_length=64, blank=True)
    message = models.ForeignKey(TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "created_at"], name="tickets_event_timeline")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.old_value}→{self.new_value}"
