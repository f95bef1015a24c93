"""markdownx's preview and upload endpoints, staff-only (markdownx's own urls are not mounted)."""

from django.urls import path

from kb import admin_views

urlpatterns = [
    path("markdownx/markdownify/", admin_views.markdownify, name="kb_markdownify"),
    path("markdownx/upload/", admin_views.upload_image, name="kb_upload_image"),
]
