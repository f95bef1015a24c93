from django.urls import path

from kb.search import views as search_views

app_name = "api"

urlpatterns = [
    path("search", search_views.api, name="search"),
]
