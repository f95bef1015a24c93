from django.urls import path

from agents.views import dashboard, queue, ticket

app_name = "agents"

urlpatterns = [
    # Queue (agents/views/queue.py)
    path("", queue.queue, name="queue"),
    # Ticket page (agents/views/ticket.py)
    path("tickets/<str:reference>/", ticket.ticket_detail, name="ticket"),
    # Dashboard (agents/views/dashboard.py)
    path("dashboard/", dashboard.dashboard, name="dashboard"),
]
