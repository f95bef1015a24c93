from django.urls import path

from kb import search_views

app_name = "api"

urlpatterns = [
    # The site's own JSON search (the ticket form's suggestions, older integrations): kept as it was.
    path("search", search_views.api, name="search"),
    # /api/v1/ (api.views.api, django-ninja) is mounted by portal/urls.py: ninja reverses its own namespace
    # ("v1") from the root.
]
