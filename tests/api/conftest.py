"""Personas of the API: an integrator's server and an agent's script, each with a token made as the admin
makes one."""

import pytest

from api import services
from api.models import AGENT_SCOPES, INTEGRATOR_SCOPES, ApiClient


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(username="admin", password="admin-pass-123")


def make_token(*, actor, kind=ApiClient.Kind.INTEGRATOR, scopes=None, user=None, name="Acquirer TMS", webhook_url=""):
    scopes = list(
        scopes if scopes is not None else (INTEGRATOR_SCOPES if kind == ApiClient.Kind.INTEGRATOR else AGENT_SCOPES)
    )
    return services.api_client_create(
        actor=actor, name=name, kind=kind, scopes=scopes, user=user, webhook_url=webhook_url
    )


@pytest.fixture
def integrator(admin_user):
    client, token = make_token(actor=admin_user)
    return client, token


@pytest.fixture
def other_integrator(admin_user):
    return make_token(actor=admin_user, name="Another acquirer")


@pytest.fixture
def agent_token(admin_user, agent):
    return make_token(actor=admin_user, kind=ApiClient.Kind.AGENT, user=agent, name="agent script")


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
