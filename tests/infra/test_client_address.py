"""The client's address trusts exactly TRUSTED_PROXY_COUNT proxies; every limit and the sign-in lockout use it."""

import pytest
from django.test import RequestFactory

from infra.ratelimit import client_address, client_ip

REMOTE = "192.0.2.10"


def request_from(forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=REMOTE, headers=headers)


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("203.0.113.66")) == REMOTE


def test_behind_one_proxy_the_right_most_entry_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("203.0.113.66, 198.51.100.7")) == "198.51.100.7"


def test_behind_two_proxies_the_second_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from("203.0.113.66, 198.51.100.7, 10.0.0.2")) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", [None, "", "198.51.100.7"])
def test_fewer_entries_than_proxies_fall_back_to_the_connection(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from(forwarded)) == REMOTE


def test_a_trusted_entry_that_is_not_an_address_is_no_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("not-an-address")) is None
    assert client_address(request_from("not-an-address")) == "unknown"


def test_the_sign_in_lockout_uses_the_same_address(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = 1
    assert get_client_ip_address(request_from("203.0.113.66, 198.51.100.7")) == "198.51.100.7"


@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_escape_a_per_address_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.SIGNUP_PER_HOUR = 1
    statuses = [
        client.post("/en/tickets/signup/", {}, headers={"x-forwarded-for": f"203.0.113.{n}"}).status_code
        for n in range(3)
    ]
    assert statuses[-1] == 429
