from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from api.views import api as rest_api
from infra import health
from kb import views as kb_views
from kb.sitemaps import SITEMAPS
from portal import photo_search, views
from tickets.views import find as views_find
from tickets.views import stickers as sticker_views

admin.site.site_header = _("POS merchant help · administration")
admin.site.site_title = _("POS merchant help")

urlpatterns = [
    path("healthz", health.liveness, name="liveness"),
    path("readyz", health.readiness, name="readiness"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    # The short form of a tracking link, for SMS (70 characters, the link included).
    re_path(r"^t/(?P<token>[A-Za-z0-9_-]{20,64})$", views_find.short_link, name="tracking_short"),
    # Browsers ask for /favicon.ico on their own (the console and the admin have no icon link): no 404 in the logs.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/favicon.ico"), permanent=True)),
    path("media/kb/<str:name>", kb_views.image, name="kb_image"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    # The short link printed on terminal stickers (tickets/views/stickers.py), in no language of its own.
    path("s/<str:token>/", sticker_views.scan, name="sticker_scan"),
    path("admin/kb/", include("kb.admin_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", rest_api.urls),
    path("api/", include("api.urls")),
    # Replies by email from hosted providers (django-anymail; basic auth with ANYMAIL_WEBHOOK_SECRET).
    path("inbound/", include("anymail.urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("search/photo/", photo_search.read, name="photo_search"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("kb.urls")),
    path("tickets/", include("tickets.urls")),
    path("agent/", include("agents.urls")),
    prefix_default_language=False,
)

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
