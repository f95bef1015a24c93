"""The tickets app's models, one module per area; everything is imported here so that Django and the
rest of the code see one `tickets.models`."""

from .answers import CannedReply, Deflection, TicketClassification
from .contact import FindCode, NoticeDelivery, TerminalSticker, TrackingLink
from .feedback import TicketFeedback
from .files import Attachment, AttachmentQuerySet, FileKind, PendingUpload, StoredFileFields, TicketErasure
from .inbound import InboundFile, InboundMail
from .routing import RoutingRule, Team
from .service_levels import BreachWarning, BusinessCalendar, BusinessHours, Holiday, ServiceTarget
from .ticket import (
    PRIORITY_RANK,
    ActorKind,
    OccurredWhen,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketMessage,
    agent_status_choices,
    agent_status_label,
)

__all__ = [
    "PRIORITY_RANK",
    "ActorKind",
    "Attachment",
    "AttachmentQuerySet",
    "BreachWarning",
    "BusinessCalendar",
    "BusinessHours",
    "CannedReply",
    "Deflection",
    "FileKind",
    "FindCode",
    "Holiday",
    "InboundFile",
    "InboundMail",
    "NoticeDelivery",
    "OccurredWhen",
    "PendingUpload",
    "RoutingRule",
    "ServiceTarget",
    "StoredFileFields",
    "Team",
    "TerminalSticker",
    "Ticket",
    "TicketClassification",
    "TicketCounter",
    "TicketErasure",
    "TicketEvent",
    "TicketFeedback",
    "TicketMessage",
    "TrackingLink",
    "agent_status_choices",
    "agent_status_label",
]
