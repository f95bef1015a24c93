from django.urls import path

from kb import search_views

app_name = "api"

urlpatterns = [
    path("search", search_views.api, name="search"),
]
