"""Admins make, see once and revoke tokens in the admin; every change is recorded."""

import pytest

from api.models import ApiClient
from infra.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_new_token_is_shown_once_and_only_its_fingerprint_is_kept(client, admin_user):
    client.force_login(admin_user)
    page = client.post(
        "/admin/api/apiclient/add/",
        {"name": "银联商务 TMS", "kind": "integrator", "scopes": ["tickets:create", "tickets:read"], "webhook_url": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    token = page.context["token"]
    assert token.startswith("pos_") and token in page.content.decode()
    row = ApiClient.objects.get()
    assert token not in (row.token_hash, row.token_prefix)
    assert AuditEvent.objects.filter(object_repr__contains="银联商务").exists()
    assert token not in client.get(f"/admin/api/apiclient/{row.pk}/change/").content.decode()


def test_an_agent_scope_on_an_integrator_token_is_refused(client, admin_user):
    client.force_login(admin_user)
    page = client.post("/admin/api/apiclient/add/", {"name": "x", "kind": "integrator", "scopes": ["agent:notes"]})
    assert page.status_code == 200 and "errornote" in page.content.decode()
    assert not ApiClient.objects.exists()


def test_revoking_from_the_admin_stops_the_token(client, admin_user, integrator):
    row, token = integrator
    client.force_login(admin_user)
    client.post("/admin/api/apiclient/", {"action": "revoke", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.revoked_at is not None
    client.logout()
    assert client.get("/api/v1/tickets/POS-2026-000001", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_tokens_cannot_be_deleted_only_revoked(client, admin_user, integrator):
    client.force_login(admin_user)
    assert client.get(f"/admin/api/apiclient/{integrator[0].pk}/delete/").status_code == 403


def test_a_webhook_address_that_is_not_http_is_refused(client, admin_user):
    client.force_login(admin_user)
    page = client.post(
        "/admin/api/apiclient/add/",
        {"name": "x", "kind": "integrator", "scopes": ["tickets:read"], "webhook_url": "ftp://files.example.com/in"},
    )
    assert page.status_code == 200 and "须以 https:// 开头" in page.content.decode()  # the admin speaks Chinese
    assert not ApiClient.objects.exists()
