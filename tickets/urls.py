from django.urls import path, register_converter

from tickets import views, views_accounts, views_find, views_stickers


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
    path("", views_accounts.ticket_list, name="list"),
    path("new/", views.ticket_new, name="new"),
    path("deflect/", views.ticket_deflect, name="deflect"),
    path("find/", views_find.ticket_find, name="find"),
    path("find/code/", views_find.ticket_find_code, name="find_code"),
    path("signup/", views_accounts.signup, name="signup"),
    path("terminal/<str:token>/", views_stickers.terminal, name="terminal"),
    path("pending/<str:submission_key>/<int:pk>/", views.pending_thumbnail, name="pending_thumbnail"),
    # A stopped or expired link explains itself on the pages a merchant opens from a message or the QR.
    path("<ticket:key>/", views_find.explains_gone_links(views.ticket_detail), name="detail"),
    path("<ticket:key>/sent/", views_find.explains_gone_links(views.ticket_sent), name="sent"),
    path("<ticket:key>/reply/", views_find.explains_gone_links(views.ticket_reply), name="reply"),
    path("<ticket:key>/close/", views.ticket_close, name="close"),
    path("<ticket:key>/reopen/", views.ticket_reopen, name="reopen"),
    path("<ticket:key>/feedback/", views.ticket_feedback, name="feedback"),
    path("<ticket:key>/revoke-links/", views_find.tracking_links_revoke, name="revoke_links"),
    path("<ticket:key>/files/<int:pk>/", views.attachment_download, name="attachment"),
    path("<ticket:key>/files/<int:pk>/thumbnail/", views.attachment_thumbnail, name="thumbnail"),
]
