from django.urls import path

from agents.views import dashboard, mail, preferences, queue, ticket, ticket_actions

app_name = "agents"

urlpatterns = [
    # Queue (agents/views/queue.py)
    path("", queue.queue, name="queue"),
    path("queue/rows/", queue.queue_rows, name="queue_rows"),
    path("queue/export.csv", queue.queue_export, name="queue_export"),
    path("queue/bulk/", queue.queue_bulk, name="queue_bulk"),
    path("queue/views/", queue.view_save, name="view_save"),
    path("queue/views/<int:pk>/delete/", queue.view_delete, name="view_delete"),
    # Ticket page (agents/views/ticket.py)
    path("tickets/<str:reference>/", ticket.ticket_detail, name="ticket"),
    path("tickets/<str:reference>/logs/<int:pk>/", ticket.ticket_log, name="ticket_log"),
    path("tickets/<str:reference>/reply/", ticket_actions.ticket_reply, name="ticket_reply"),
    path("tickets/<str:reference>/assign/", ticket_actions.ticket_assign, name="ticket_assign"),
    path("tickets/<str:reference>/team/", ticket_actions.ticket_team, name="ticket_team"),
    path("tickets/<str:reference>/status/", ticket_actions.ticket_status, name="ticket_status"),
    path("tickets/<str:reference>/priority/", ticket_actions.ticket_priority, name="ticket_priority"),
    path("tickets/<str:reference>/merge/", ticket_actions.ticket_merge_into, name="ticket_merge"),
    path("tickets/<str:reference>/suggestion/", ticket_actions.ticket_classification, name="ticket_suggestion"),
    path(
        "tickets/<str:reference>/suggestion/compute/",
        ticket_actions.ticket_suggestion_compute,
        name="ticket_suggestion_compute",
    ),
    path("tickets/<str:reference>/suggestion/articles/", ticket.ticket_article_choices, name="ticket_article_choices"),
    path("tickets/<str:reference>/tracking-link/", ticket_actions.ticket_tracking_link, name="ticket_tracking_link"),
    path(
        "tickets/<str:reference>/messages/<int:message_pk>/article/",
        ticket_actions.ticket_article,
        name="ticket_article",
    ),
    path("tickets/<str:reference>/presence/", ticket_actions.ticket_presence, name="ticket_presence"),
    path("tickets/<str:reference>/presence/others/", ticket_actions.ticket_presence_list, name="ticket_presence_list"),
    # The agent's own settings (agents/views/preferences.py)
    path("language/", preferences.language_set, name="language"),
    # Unmatched replies by email (agents/views/mail.py)
    path("mail/", mail.mail_list, name="mail"),
    path("mail/<int:pk>/attach/", mail.mail_attach, name="mail_attach"),
    path("mail/<int:pk>/discard/", mail.mail_discard, name="mail_discard"),
    # Dashboard (agents/views/dashboard.py)
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/refresh/", dashboard.dashboard_refresh, name="dashboard_refresh"),
]
