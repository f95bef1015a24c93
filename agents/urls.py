from django.urls import path

from agents.views import dashboard, queue, ticket

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
    # Dashboard (agents/views/dashboard.py)
    path("dashboard/", dashboard.dashboard, name="dashboard"),
]
