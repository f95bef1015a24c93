from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from api.views import api as rest_api
from kb import views as kb_views
from kb.sitemaps import SITEMAPS
from portal import health, photo_search, views
from tickets import views_stickers as sticker_views

admin.site.site_header = _("POS merchant help · administration")
admin.site.site_title = _("POS merchant help")

urlpatterns = [
    path("healthz", health.liveness, name="liveness"),
    path("readyz", health.readiness, name="readiness"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("media/kb/<str:name>", kb_views.image, name="kb_image"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    # The short link printed on terminal stickers (tickets/views_stickers.py), in no language of its own.
    path("t/<str:token>/", sticker_views.scan, name="sticker_scan"),
    path("admin/kb/", include("kb.admin_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", rest_api.urls),
    path("api/", include("api.urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("search/photo/", photo_search.read, name="photo_search"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("kb.urls")),
    path("tickets/", include("tickets.urls")),
    path("agent/", include("agents.urls")),
    prefix_default_language=False,
)

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
