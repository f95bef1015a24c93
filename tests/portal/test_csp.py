"""Issue 18 §4: every HTML page carries a Content-Security-Policy that runs no inline script, a
Permissions-Policy, and the agents' and merchants' own pages are never stored by a browser or a proxy."""

from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from kb.models import Article
from tests.agents.conftest import make_ticket

pytestmark = pytest.mark.django_db


class _Inline(HTMLParser):
    """What a CSP without 'unsafe-inline' would block: scripts without src, on…= handlers, style=."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []
        self.handlers: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        if tag == "script" and "src" not in named and named.get("type") != "application/json":
            self.scripts.append(named)
        self.handlers += [f"<{tag} {name}>" for name, _value in attrs if name.startswith("on")]
        if "style" in named:
            self.styles.append(f"<{tag} style>")


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def pages(client, agent, merchant):
    if not Article.objects.exists():
        call_command("kb_load", verbosity=0)
    article = Article.objects.published().filter(language="zh-hans").first()
    ticket = make_ticket(requester=merchant)
    return {
        "home": (None, "/"),
        "home in English": (None, "/en/"),
        "article": (None, article.get_absolute_url()),
        "search": (None, "/search/?q=签到"),
        "ticket form": (None, "/tickets/new/"),
        "find my ticket": (None, "/tickets/find/"),
        "tracking page": (None, f"/tickets/t/{ticket.access_token}/"),
        "sent page with its QR code": (None, f"/tickets/t/{ticket.access_token}/sent/"),
        "merchant's tickets": (merchant, "/tickets/"),
        "agent queue": (agent, "/agent/"),
        "agent ticket": (agent, f"/agent/tickets/{ticket.reference}/"),
        "agent dashboard": (agent, "/agent/dashboard/"),
        "admin login": (None, "/admin/login/"),
        "not found": (None, "/no-such-page/"),
    }


def _get(client, user, url):
    client.logout()
    if user:
        client.force_login(user)
    return client.get(url)


PAGES = [
    "home", "home in English", "article", "search", "ticket form", "find my ticket", "tracking page",
    "sent page with its QR code",
    "merchant's tickets", "agent queue", "agent ticket", "agent dashboard", "admin login", "not found",
]  # fmt: skip


@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_a_csp_that_runs_no_inline_script(client, pages, name):
    user, url = pages[name]
    response = _get(client, user, url)

    assert response.status_code in (200, 404), url
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]


@pytest.mark.parametrize("name", PAGES)
def test_no_page_has_markup_the_policy_would_block(client, pages, name):
    user, url = pages[name]
    response = _get(client, user, url)
    nonces = [v[len("'nonce-") : -1] for v in _directives(response["Content-Security-Policy"])["script-src"]]
    found = _Inline()
    found.feed(response.content.decode())

    assert found.handlers == []
    assert found.styles == []
    # An inline script, should a page ever need one, carries this response's nonce.
    assert all(script.get("nonce") in nonces for script in found.scripts)


def test_an_inline_script_given_the_nonce_is_allowed_by_the_header(rf):
    from django.middleware.csp import ContentSecurityPolicyMiddleware, get_nonce
    from django.template import Context, Template

    request = rf.get("/")

    def view(request):
        from django.http import HttpResponse

        template = Template('<script nonce="{{ csp_nonce }}">go()</script>')
        html = template.render(Context({"csp_nonce": get_nonce(request)}))
        return HttpResponse(html)

    response = ContentSecurityPolicyMiddleware(view)(request)
    nonce = str(get_nonce(request))
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert f'nonce="{nonce}"' in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_refuses_the_browser_features_it_does_not_use(client, pages, name):
    user, url = pages[name]
    policy = _get(client, user, url)["Permissions-Policy"]

    for feature in ("microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    # The ticket form's photo field opens the camera (capture="environment"), on this site only.
    assert "camera=(self)" in policy


@pytest.mark.parametrize(
    "name", ["ticket form", "find my ticket", "tracking page", "merchant's tickets", "agent queue", "agent ticket",
             "agent dashboard"]
)  # fmt: skip
def test_agent_and_merchant_pages_are_never_stored(client, pages, name):
    user, url = pages[name]
    cache_control = _get(client, user, url)["Cache-Control"]

    assert "private" in cache_control
    assert "no-store" in cache_control


def test_the_agent_queue_s_rows_still_answer_304_and_are_not_stored(client, agent):
    client.force_login(agent)
    first = client.get("/agent/queue/rows/")
    again = client.get("/agent/queue/rows/", headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304
    assert "no-store" in first["Cache-Control"] and "private" in first["Cache-Control"]


def test_a_public_article_stays_cacheable(client, pages):
    _user, url = pages["article"]
    assert "no-store" not in client.get(url).get("Cache-Control", "")


def test_the_server_error_page_needs_no_inline_style_either(client):
    from unittest import mock

    client.raise_request_exception = False
    with mock.patch("kb.selectors.common_codes", side_effect=RuntimeError("boom")):
        response = client.get("/")
    found = _Inline()
    found.feed(response.content.decode())

    assert response.status_code == 500
    assert "Content-Security-Policy" in response
    assert found.styles == [] and found.handlers == []


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs).get("src", ""))


@pytest.mark.parametrize("name", PAGES)
def test_every_image_a_page_shows_is_one_the_policy_allows(client, pages, name):
    user, url = pages[name]
    response = _get(client, user, url)
    allowed = _directives(response["Content-Security-Policy"])["img-src"]
    found = _Images()
    found.feed(response.content.decode())

    for source in found.sources:
        scheme = source.split(":", 1)[0] + ":" if ":" in source.split("/", 1)[0] else None
        assert (scheme in allowed) if scheme else source.startswith("/"), source
