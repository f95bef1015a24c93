from django.urls import path

from kb import search_views, views

app_name = "kb"

urlpatterns = [
    path("articles/<slug:slug>/", views.article, name="article"),
    path("articles/<slug:slug>/vote/", views.vote, name="vote"),
    path("categories/<slug:slug>/", views.category, name="category"),
    path("codes/", views.code_list, name="codes"),
    path("codes/<str:code>/", views.code_detail, name="code"),
    path("search/", search_views.results, name="search"),
    path("search/open/<str:log_key>/<int:position>/", search_views.open_result, name="search_open"),
]
