from django.urls import path, register_converter

from tickets.views import accounts, files, find, intake, stickers, tracking


class TicketKeyConverter:
    """A ticket's address: "t/<token>" (private tracking link) or its reference, e.g. POS-2026-000123."""

    regex = r"t/[A-Za-z0-9_-]{20,64}|POS-[0-9]{4}-[0-9]{6,}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TicketKeyConverter, "ticket")

app_name = "tickets"

urlpatterns = [
    path("", accounts.ticket_list, name="list"),
    path("new/", intake.ticket_new, name="new"),
    path("deflect/", intake.ticket_deflect, name="deflect"),
    path("find/", find.ticket_find, name="find"),
    path("find/code/", find.ticket_find_code, name="find_code"),
    path("signup/", accounts.signup, name="signup"),
    path("terminal/<str:token>/", stickers.terminal, name="terminal"),
    path("pending/<str:submission_key>/<int:pk>/", files.pending_thumbnail, name="pending_thumbnail"),
    # A stopped or expired link explains itself on the pages a merchant opens from a message or the QR.
    path("<ticket:key>/", find.explains_gone_links(tracking.ticket_detail), name="detail"),
    path("<ticket:key>/sent/", find.explains_gone_links(tracking.ticket_sent), name="sent"),
    path("<ticket:key>/reply/", find.explains_gone_links(tracking.ticket_reply), name="reply"),
    path("<ticket:key>/close/", tracking.ticket_close, name="close"),
    path("<ticket:key>/reopen/", tracking.ticket_reopen, name="reopen"),
    path("<ticket:key>/feedback/", tracking.ticket_feedback, name="feedback"),
    path("<ticket:key>/revoke-links/", find.tracking_links_revoke, name="revoke_links"),
    path("<ticket:key>/files/<int:pk>/", files.attachment_download, name="attachment"),
    path("<ticket:key>/files/<int:pk>/thumbnail/", files.attachment_thumbnail, name="thumbnail"),
]
