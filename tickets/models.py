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
    # 11 mainland digits, or "+" and up to 15 digits (portal.sms.normalize).
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


class FileKind(models.TextChoices):
    IMAGE = "image", _("Photo or screenshot")
    LOG = "log", _("Log file")


class StoredFileFields(models.Model):
    """What a processed upload looks like once it is on disk, for attachments and pending uploads alike."""

    kind = models.CharField(max_length=8, choices=FileKind)
    original_name = models.CharField(_("file name"), max_length=120)
    file = models.CharField(max_length=200, editable=False)  # name in default_storage
    thumbnail = models.CharField(max_length=200, blank=True, editable=False)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    masked_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class AttachmentQuerySet(models.QuerySet):
    def merchant_visible(self):
        """The files of the merchant's conversation: never those of an internal note."""
        return self.filter(models.Q(message__isnull=True) | models.Q(message__is_internal=False))


class Attachment(StoredFileFields):
    # Set by the agent's ticket page (an image shown inline), not stored.
    inline: bool
    gallery_index: int

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    # What the OCR server read in a photo, card numbers masked, and the response codes it names (tickets.photos;
    # filled by the task worker after the ticket is saved, empty while unread or when nothing could be read).
    photo_text = models.TextField(_("text read"), blank=True, default="", editable=False)
    photo_codes = models.CharField(_("codes read"), max_length=40, blank=True, default="", editable=False)
    photo_read_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [models.UniqueConstraint(fields=["file"], name="tickets_attachment_unique_file")]

    def __str__(self) -> str:
        return self.original_name


class TicketErasure(models.Model):
    """A ticket removed for a data-protection request: which one, by whom, why and how much went with it.

    Written by tickets.services.ticket_erase in the transaction that deletes the ticket, and kept after it:
    it holds the reference and counts only, nothing the merchant sent."""

    reference = models.CharField(_("reference"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too: the record must still say who erased it once that account is gone.
    actor_username = models.CharField(_("erased by"), max_length=150)
    reason = models.TextField(_("reason"))
    messages = models.PositiveIntegerField(_("messages"), default=0)
    attachments = models.PositiveIntegerField(_("attachments"), default=0)
    events = models.PositiveIntegerField(_("history entries"), default=0)
    files = models.PositiveIntegerField(_("stored files"), default=0)
    created_at = models.DateTimeField(_("erased at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ticket erasure")
        verbose_name_plural = _("ticket erasures")
        permissions = [("erase_ticket", _("Can erase a ticket for a data-protection request"))]

    def __str__(self) -> str:
        return f"{self.reference} ({self.actor_username})"


class PendingUpload(StoredFileFields):
    """A file accepted while the rest of the form still had errors, kept for the same submission."""

    submission_key = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["file"], name="tickets_pending_unique_file")]

    def __str__(self) -> str:
        return self.original_name


class Deflection(models.Model):
    """A merchant who was about to contact support found the answer in an article instead."""

    article_slug = models.SlugField(max_length=80, blank=True)
    query = models.CharField(max_length=200, blank=True)
    response_code = models.CharField(max_length=4, blank=True)
    language = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("deflected ticket")
        verbose_name_plural = _("deflected tickets")

    def __str__(self) -> str:
        return self.article_slug or self.query


class CannedReply(models.Model):
    """A prepared answer agents insert and adapt; {merchant_name}, {reference} and {article:slug} are filled in."""

    title = models.CharField(_("title"), max_length=80)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("offered"), default=True)
    # A reply shipped in tickets/content/ (canned_load): its name there, and the hash of the text it was
    # loaded with, so a reply edited in the admin is never overwritten by a later load.
    key = models.SlugField(max_length=60, blank=True, editable=False)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        constraints = [
            models.UniqueConstraint(fields=["language", "title"], name="tickets_canned_unique_title"),
            models.UniqueConstraint(
                fields=["language", "key"], condition=~models.Q(key=""), name="tickets_canned_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TicketClassification(models.Model):
    """What the knowledge-base search suggests for a ticket, and what the agent said it really was."""

    class Verdict(models.TextChoices):
        PENDING = "pending", _("Not reviewed")
        ACCEPTED = "accepted", _("Accepted")
        CORRECTED = "corrected", _("Corrected")

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="classification")
    article_slug = models.SlugField(_("suggested article"), max_length=80, blank=True)
    response_code = models.CharField(_("suggested response code"), max_length=4, blank=True)
    confidence = models.FloatField(_("confidence"), default=0.0)
    # The ranked article candidates, best first, so the page can offer the runners-up without searching again.
    candidates = models.JSONField(default=list, blank=True)
    verdict = models.CharField(_("review"), max_length=12, choices=Verdict, default=Verdict.PENDING)
    correct_article_slug = models.SlugField(_("correct article"), max_length=80, blank=True)
    correct_response_code = models.CharField(_("correct response code"), max_length=4, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ticket classification")
        verbose_name_plural = _("ticket classifications")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.article_slug or '-'} {self.response_code or '-'}"


# --- Time targets -------------------------------------------------------------------------------
# Written only through tickets/services/timing.py (the admin included); read by the same module.


class ServiceTarget(models.Model):
    """How soon support answers first and resolves, per priority, in business time."""

    priority = models.CharField(_("priority"), max_length=12, choices=Ticket.Priority, unique=True)
    first_response_minutes = models.PositiveIntegerField(_("first response within (business minutes)"))
    resolution_hours = models.PositiveIntegerField(_("resolution within (business hours)"))

    class Meta:
        ordering = ["priority"]
        verbose_name = _("time target")
        verbose_name_plural = _("time targets")
        constraints = [
            models.CheckConstraint(condition=models.Q(first_response_minutes__gt=0), name="tickets_target_first_gt0"),
            models.CheckConstraint(condition=models.Q(resolution_hours__gt=0), name="tickets_target_resolution_gt0"),
        ]

    def __str__(self) -> str:
        return self.get_priority_display()


class BusinessCalendar(models.Model):
    """The support desk's working time: a zone, opening hours per weekday and holidays. One is in use."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class BusinessHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "weekday"], name="tickets_hours_one_per_day"),
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")), name="tickets_hours_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=80, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="tickets_holiday_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class BreachWarning(models.Model):
    """Agents were warned that this due time is near: the breach check warns once per ticket and due time."""

    class Target(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        RESOLUTION = "resolution", _("Resolution")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="breach_warnings")
    target = models.CharField(max_length=16, choices=Target)
    due = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target", "due"], name="tickets_breach_warned_once"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} {self.due}"


class TrackingLink(models.Model):
    """A private link to a ticket beside the receipt's: sent by "Find my ticket", put in a notification, or
    given when the merchant stopped the others; also the record of a stopped link, so it can say so.

    Issuing one never revokes another: a stranger who knows a reference and an email must not be able to
    cut the merchant off. Only the merchant revokes links, from the tracking page; a link also ends once
    its ticket has been closed longer than TRACKING_LINK_RETENTION_DAYS.
    """

    class Origin(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        FIND = "find", _("Find my ticket")
        NOTICE = "notice", _("Notification")
        RENEWED = "renewed", _("Given when the others were stopped")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="tracking_links")
    # sha256 of the token, as for Ticket.access_token_hash: the token itself is only ever in a message.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token is an HMAC of this under SECRET_KEY, so a notification can carry the current link again
    # without the database ever holding it; blank for a link that cannot be rebuilt (the receipt's).
    nonce = models.CharField(max_length=32, blank=True, editable=False)
    origin = models.CharField(max_length=12, choices=Origin, default=Origin.FIND)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["ticket", "-created_at"], name="tickets_link_newest")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.created_at:%Y-%m-%d %H:%M}"


class NoticeDelivery(models.Model):
    """One notification to one person and how its delivery went: the task's idempotency key (a delivery
    that is no longer pending is never sent again) and what agents and operators see when it failed.

    The receipt's private link is not kept here (only hashes of tokens are stored): it travels in the
    task's arguments, and sending a receipt again issues a new link.
    """

    # Set by tickets.selectors for the agent's page, not stored.
    label: str | Promise

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        UNDELIVERABLE = "undeliverable", _("Undeliverable")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notice_deliveries")
    event = models.CharField(_("notification"), max_length=32)
    channel = models.CharField(_("channel"), max_length=16)
    address = models.CharField(_("to"), max_length=254)
    language = models.CharField(max_length=16)
    message = models.ForeignKey(TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    extra = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(_("last tried"), null=True, blank=True)
    give_up_at = models.DateTimeField(_("tried until"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["ticket", "status"], name="tickets_notice_by_ticket"),
            models.Index(fields=["status", "-created_at"], name="tickets_notice_by_status"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.event} {self.status}"


class TerminalSticker(models.Model):
    """A QR sticker on one terminal: its short link opens the portal with the terminal already known.

    The token is printed, so it is no secret: a scan shows only what the sticker and the terminal's own receipts
    already say (MID, TID, model), never anyone's tickets unless the signed-in owner's own.
    """

    token = models.CharField(max_length=16, unique=True, editable=False)
    merchant_id = models.CharField(_("merchant ID (MID)"), max_length=15)
    terminal_id = models.CharField(_("terminal ID (TID)"), max_length=8)
    serial_number = models.CharField(_("serial number (SN)"), max_length=40, blank=True)
    terminal_model = models.CharField(_("brand and model"), max_length=80, blank=True)
    # The knowledge base's model (kb.TerminalModel.slug), so articles show this terminal's menu paths.
    model_slug = models.SlugField(_("model in the knowledge base"), max_length=60, blank=True)
    acquirer = models.CharField(_("acquirer"), max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    scans = models.PositiveIntegerField(_("scans"), default=0, editable=False)
    last_scanned_at = models.DateTimeField(_("last scanned"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["merchant_id", "terminal_id", "-created_at"]
        verbose_name = _("terminal sticker")
        verbose_name_plural = _("terminal stickers")
        constraints = [
            # One working sticker per terminal: a new one replaces a lost one only after it is revoked.
            models.UniqueConstraint(
                fields=["merchant_id", "terminal_id"],
                condition=models.Q(revoked_at__isnull=True),
                name="tickets_one_live_sticker_per_terminal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.terminal_id} ({self.merchant_id})"

    def get_absolute_url(self) -> str:
        return reverse("sticker_scan", kwargs={"token": self.token})


class FindCode(models.Model):
    """A one-time code sent by SMS for "Find my request" by phone. One is made for every request, and the
    task queue matches it to a ticket and sends it (`ticket` stays empty when nothing matched), so neither
    the page nor its timing tells whether a reference exists. Only a keyed hash of the code is kept; it is
    used once, within 10 minutes, and FIND_CODE_ATTEMPTS wrong codes spend it."""

    lookup = models.CharField(max_length=24)  # the reference, MID or TID the merchant typed
    phone = models.CharField(max_length=16)
    # The ticket they match, set by the task that sends the code (tickets/services/notices.py).
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="tickets_findcode_expires")]

    def __str__(self) -> str:
        return f"{self.phone} {self.expires_at:%Y-%m-%d %H:%M}"


class InboundMail(models.Model):
    """One email received at the reply address, and what became of it. Its Message-ID makes reading it
    idempotent: fetched twice (an IMAP poll that died before marking it read, a webhook retried), it is
    stored once. Only masked text is kept; the raw message is not."""

    # Set by tickets.selectors for the agents' list, not stored.
    reason_label: str | Promise

    class Status(models.TextChoices):
        ADDED = "added", _("Added to the ticket")
        UNMATCHED = "unmatched", _("Unmatched")
        DROPPED = "dropped", _("Dropped (sent by a machine or too many)")
        DISCARDED = "discarded", _("Discarded")

    mail_id = models.CharField(max_length=255, unique=True)  # its Message-ID header
    sender = models.CharField(_("from"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    # The ticket the reply address named, if its signature held (also for a stranger's mail: the agent sees
    # which ticket it claimed to be about); the ticket it was added to once ADDED.
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mails")
    message = models.ForeignKey(TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    refused_files = models.JSONField(_("files refused"), default=list, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("received email")
        verbose_name_plural = _("received emails")
        indexes = [
            models.Index(fields=["status", "-received_at"], name="tickets_inbound_by_status"),
            models.Index(fields=["ticket", "sender", "received_at"], name="tickets_inbound_by_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.sender} {self.status}"


class InboundFile(StoredFileFields):
    """A checked, masked file of an unmatched email, kept until an agent adds the email to a ticket."""

    mail = models.ForeignKey(InboundMail, on_delete=models.CASCADE, related_name="files")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["file"], name="tickets_inbound_unique_file")]

    def __str__(self) -> str:
        return self.original_name


class TicketFeedback(models.Model):
    """The merchant's answer to "did this solve it?" after a resolution, once per resolution.

    Kept with who answered and which article the answer rested on at that moment, so the dashboard's
    figures per agent and per article do not move when the ticket is reassigned later."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="feedback")
    helped = models.BooleanField(_("solved"))
    comment = models.TextField(_("comment"), blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    article_slug = models.SlugField(_("article"), max_length=80, blank=True)
    resolved_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("merchant feedback")
        verbose_name_plural = _("merchant feedback")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "resolved_at"], name="tickets_feedback_once_per_resolution")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {'+' if self.helped else '-'}"


# --- Teams and routing ----------------------------------------------------------------------------
# Written only through tickets/services/routing.py (the admin included).


class Team(models.Model):
    """A group of agents who work one kind of ticket (an acquirer's, a region's); its tickets come first to them."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="support_teams", verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """When a ticket arrives whose field matches, it goes to the team; the first matching rule (by position) wins."""

    class Field(models.TextChoices):
        ACQUIRER = "acquirer", _("Acquirer (contains)")
        REGION = "location", _("Region: shop address (contains)")
        TERMINAL_MODEL = "terminal_model", _("Terminal model (contains)")
        RESPONSE_CODE = "response_code", _("Response code (exactly)")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="rules", verbose_name=_("team"))
    field = models.CharField(_("matched field"), max_length=16, choices=Field)
    value = models.CharField(_("matches"), max_length=80)
    position = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.get_field_display()} {self.value} → {self.team}"
