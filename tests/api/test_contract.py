"""Schemathesis against the OpenAPI document: generated calls to every operation, anonymous and with tokens;
no 500 anywhere, and every documented answer matches its schema (status codes, content types, bodies).

Rate limits are raised for the run (a contract test is not a load test); everything else is as deployed.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks

from tests.api.conftest import make_token
from tests.tickets.conftest import form_data

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api_schema(live_server, loaded_kb, django_settings_for_contract):
    # Over HTTP to a live server, as integrators call it.
    return schemathesis.openapi.from_url(live_server.url + "/api/v1/openapi.json")


# The OCR server, as deployed: POST /api/v1/search/photo reads what the generator sends (tests/ocr_server.py).
@pytest.fixture
def django_settings_for_contract(settings, ocr_server):
    settings.API_PUBLIC_RATE_LIMIT = 100_000
    settings.API_TOKEN_RATE_LIMIT = 100_000


@pytest.fixture
def tokens(admin_user, agent):
    from api.models import ApiClient

    _c, integrator = make_token(actor=admin_user)
    _c, agent_token = make_token(actor=admin_user, kind=ApiClient.Kind.AGENT, user=agent)
    return {"integrator": integrator, "agent": agent_token}


schema = schemathesis.pytest.from_fixture("api_schema")
# What the contract is: no server error, and every answer documented (status, content type, headers, body).
# The checks that probe beyond it (a schema-valid request the form's own rules refuse, such as a malformed
# MID) are left out: the ticket form's rules are richer than a JSON schema says.
CONTRACT = [
    not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract(case, tokens):
    path = case.operation.path
    if "/agent/" in path:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {tokens['agent']}"}
    elif path.startswith("/api/v1/tickets"):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {tokens['integrator']}"}
    response = case.call()
    assert response.status_code < 500, response.text[:500]
    case.validate_response(response, checks=CONTRACT)


def test_a_valid_ticket_through_the_documented_shape_validates(client, tokens):
    """One call the generator is unlikely to make: every required field filled in correctly."""
    from django.test import Client

    data = form_data()
    data.pop("submission_key")
    answer = Client().post("/api/v1/tickets", data, HTTP_AUTHORIZATION=f"Bearer {tokens['integrator']}")
    assert answer.status_code == 201
