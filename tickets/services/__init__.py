"""Writes for support tickets: views, the admin, commands (and later the console and the API) go through here.

Each function is keyword-only, runs in one transaction, locks the ticket it changes and records a
TicketEvent for the change.
"""

from tickets.access import hash_token
from tickets.services.canned import canned_replies_render, canned_reply_delete, canned_reply_save
from tickets.services.conversation import ticket_agent_reply, ticket_note_add, ticket_reply
from tickets.services.dispatch import notice_retry, notices_enqueue
from tickets.services.erasure import ticket_erase
from tickets.services.feedback import MAX_COMMENT as MAX_FEEDBACK_COMMENT
from tickets.services.feedback import feedback_open, ticket_answer_seen, ticket_feedback_give
from tickets.services.housekeeping import PENDING_MAX_AGE, tickets_cleanup
from tickets.services.inbound import (
    inbound_mail_attach,
    inbound_mail_discard,
    inbound_mail_receive,
    inbound_mails_prune,
)
from tickets.services.intake import (
    TicketDetails,
    deflection_record,
    mask_details,
    mask_input,
    mask_text,
    pending_upload_remove,
    pending_upload_store,
    pending_uploads_discard,
    ticket_create,
)
from tickets.services.notices import notice_attempt
from tickets.services.tracking import ticket_tracking_link_add, ticket_tracking_links_revoke, tracking_link_current
from tickets.services.tracking_send import ticket_tracking_link_send
from tickets.services.workflow import (
    ticket_assign,
    ticket_close,
    ticket_merge,
    ticket_priority_set,
    ticket_reopen,
    ticket_status_set,
)

__all__ = [
    "MAX_FEEDBACK_COMMENT",
    "PENDING_MAX_AGE",
    "TicketDetails",
    "canned_replies_render",
    "canned_reply_delete",
    "canned_reply_save",
    "deflection_record",
    "feedback_open",
    "hash_token",
    "inbound_mail_attach",
    "inbound_mail_discard",
    "inbound_mail_receive",
    "inbound_mails_prune",
    "mask_details",
    "mask_input",
    "mask_text",
    "notice_attempt",
    "notice_retry",
    "notices_enqueue",
    "pending_upload_remove",
    "pending_upload_store",
    "pending_uploads_discard",
    "ticket_agent_reply",
    "ticket_answer_seen",
    "ticket_assign",
    "ticket_close",
    "ticket_create",
    "ticket_erase",
    "ticket_feedback_give",
    "ticket_merge",
    "ticket_note_add",
    "ticket_priority_set",
    "ticket_reopen",
    "ticket_reply",
    "ticket_status_set",
    "ticket_tracking_link_add",
    "ticket_tracking_link_send",
    "ticket_tracking_links_revoke",
    "tickets_cleanup",
    "tracking_link_current",
]
