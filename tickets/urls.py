from django.urls import path

from tickets import views

app_name = "tickets"

urlpatterns = [
    path("new/", views.ticket_new, name="new"),
]
