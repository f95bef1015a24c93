"""Integrators file tickets through the API with exactly the web form's checks, and see only their own."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api import services
from tests.api.conftest import bearer
from tests.tickets.conftest import CARD, CARD_MASKED, form_data, photo
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db


def _data(**overrides) -> dict:
    data = form_data(**overrides)
    data.pop("submission_key")
    return data


def _file(client, token, key="", **data):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/tickets", data, **bearer(token), **extra)


def test_an_integrator_files_a_ticket_with_a_photo_and_reads_it_back(client, integrator):
    _client, token = integrator
    answer = _file(client, token, **_data(), files=[photo()])
    assert answer.status_code == 201
    body = answer.json()
    assert body["created"] is True and "/tickets/t/" in body["tracking_url"]
    ticket = Ticket.objects.get(reference=body["reference"])
    assert ticket.terminal_id == "12345678" and Attachment.objects.filter(ticket=ticket).count() == 1
    read = client.get(f"/api/v1/tickets/{ticket.reference}", **bearer(token)).json()
    assert read["status"] == "new" and read["messages"][0]["attachments"][0]["content_type"] == "image/jpeg"


def test_the_same_idempotency_key_returns_the_first_ticket_not_a_second(client, integrator):
    _client, token = integrator
    first = _file(client, token, key="order-77", **_data())
    again = _file(client, token, key="order-77", **_data())
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"] and again.json()["created"] is False
    assert again.json()["tracking_url"] is None
    assert Ticket.objects.count() == 1


def test_two_integrators_using_the_same_key_get_two_tickets(client, integrator, other_integrator):
    first = _file(client, integrator[1], key="k1", **_data())
    second = _file(client, other_integrator[1], key="k1", **_data())
    assert first.json()["reference"] != second.json()["reference"]


def test_a_card_number_anywhere_is_masked_before_it_is_stored(client, integrator):
    answer = _file(client, integrator[1], **_data(description=f"客户卡号 {CARD} 被拒", card_masked=CARD))
    ticket = Ticket.objects.get(reference=answer.json()["reference"])
    stored = " ".join([ticket.description, ticket.card_masked, *ticket.messages.values_list("body", flat=True)])
    assert CARD not in stored and CARD_MASKED in ticket.card_masked


def test_the_forms_validation_answers_each_field_in_the_callers_language(client, integrator):
    answer = client.post(
        "/api/v1/tickets",
        _data(terminal_id="", email="not-an-address"),
        **bearer(integrator[1]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    errors = answer.json()["errors"]
    assert "terminal_id" in errors and "TID" in errors["terminal_id"][0]
    assert "email" in errors
    assert Ticket.objects.count() == 0


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_filed(client, integrator):
    fake = SimpleUploadedFile("screen.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    answer = _file(client, integrator[1], **_data(), files=[fake])
    assert answer.status_code == 400 and "files" in answer.json()["errors"]
    assert Ticket.objects.count() == 0


def test_an_oversized_file_is_refused_without_being_kept(client, integrator, settings):
    settings.TICKET_MAX_FILE_BYTES = 10_000
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * 50_000, content_type="image/jpeg")
    answer = _file(client, integrator[1], **_data(), files=[big])
    assert answer.status_code == 400 and "files" in answer.json()["errors"]
    assert Ticket.objects.count() == 0


def test_an_integrator_never_sees_a_ticket_it_did_not_file(client, integrator, other_integrator):
    theirs = _file(client, other_integrator[1], **_data()).json()["reference"]
    assert client.get(f"/api/v1/tickets/{theirs}", **bearer(integrator[1])).status_code == 404
    assert client.post(f"/api/v1/tickets/{theirs}/messages", {"body": "hi"}, **bearer(integrator[1])).status_code == 404


def test_the_merchants_message_joins_the_conversation_masked(client, integrator):
    reference = _file(client, integrator[1], **_data()).json()["reference"]
    answer = client.post(f"/api/v1/tickets/{reference}/messages", {"body": f"卡号 {CARD}"}, **bearer(integrator[1]))
    assert answer.status_code == 201 and CARD not in answer.json()["body"]
    assert Ticket.objects.get(reference=reference).messages.count() == 2


def test_internal_notes_never_reach_an_integrator(client, integrator, agent):
    from tickets.services import ticket_note_add

    reference = _file(client, integrator[1], **_data()).json()["reference"]
    ticket_note_add(ticket=Ticket.objects.get(reference=reference), agent=agent, body="商户疑似套现")
    read = client.get(f"/api/v1/tickets/{reference}", **bearer(integrator[1])).json()
    assert all("套现" not in message["body"] for message in read["messages"])


def test_a_token_without_the_scope_is_refused(client, admin_user):
    from api.models import Scope
    from tests.api.conftest import make_token

    _c, read_only = make_token(actor=admin_user, scopes=[Scope.TICKETS_READ])
    answer = _file(client, read_only, **_data())
    assert answer.status_code == 403 and "tickets:create" in answer.json()["detail"]


def test_a_revoked_token_stops_at_once(client, integrator, admin_user):
    row, token = integrator
    services.api_client_revoke(actor=admin_user, client=row)
    answer = _file(client, token, **_data())
    assert answer.status_code == 401 and answer["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer pos_wrong", "Basic YWJjOmRlZg=="])
def test_a_missing_or_wrong_token_is_401(client, header):
    answer = client.get("/api/v1/tickets/POS-2026-000001", HTTP_AUTHORIZATION=header)
    assert answer.status_code == 401


def test_only_the_tokens_hash_is_stored_and_last_use_is_recorded(client, integrator):
    row, token = integrator
    row.refresh_from_db()
    assert token not in (row.token_hash, row.token_prefix) and row.last_used_at is None
    client.get("/api/v1/tickets/POS-2026-000001", **bearer(token))
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_a_token_is_limited_per_minute(client, integrator, settings):
    settings.API_TOKEN_RATE_LIMIT = 2
    codes = [client.get("/api/v1/tickets/POS-2026-000001", **bearer(integrator[1])).status_code for _ in range(3)]
    assert codes == [404, 404, 429]


@pytest.mark.parametrize(
    "path", ["/api/v1/tickets", "/api/v1/tickets/T-1/messages", "/api/v1/agent/tickets/T-1/replies"]
)
def test_a_get_on_an_address_that_changes_things_is_405_as_a_problem(client, integrator, path):
    _client, token = integrator
    answer = client.get(path, **bearer(token), HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 405 and answer["Allow"] == "POST"
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["title"] == "Method not allowed" and answer.json()["status"] == 405
    assert not Ticket.objects.exists()


def test_chinese_in_an_answer_is_written_as_itself(client, integrator):
    _client, token = integrator
    reference = _file(client, token, **_data()).json()["reference"]
    answer = client.post(f"/api/v1/tickets/{reference}/messages", {"body": "重启后仍然报 A0"}, **bearer(token))
    assert answer.status_code == 201 and "重启后仍然报 A0" in answer.content.decode()


def test_an_integrators_recorded_time_needs_no_when_choice(client, integrator):
    data = _data()
    data.pop("occurred_when", None)
    answer = _file(client, integrator[1], **data)
    assert answer.status_code == 201
    assert Ticket.objects.get(reference=answer.json()["reference"]).occurred_when == "another_time"
