"""Password guessing is stopped by django-axes: per account, and per client address with a higher limit."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Dozens of sign-ins per test: the slow production hasher adds nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, username, password, *, url=LOGIN, address="203.0.113.7"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def guess(client, username, times, **kwargs):
    for _attempt in range(times):
        sign_in(client, username, "wrong-password", **kwargs)


def test_five_wrong_passwords_lock_the_account_with_a_message(client, merchant):
    guess(client, "merchant", 3)
    assert sign_in(client, "merchant", "wrong-password").status_code == 200  # the fourth: only a wrong password
    response = sign_in(client, "merchant", "wrong-password")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_the_right_password_is_refused_while_locked(client, merchant):
    guess(client, "merchant", 5)
    response = sign_in(client, "merchant", "merchant-pass-123")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_account_stays_locked_from_another_address(client, merchant):
    guess(client, "merchant", 5)
    assert sign_in(client, "merchant", "merchant-pass-123", address="198.51.100.9").status_code == 429


def test_another_account_from_the_same_address_still_signs_in(client, merchant, outsider):
    guess(client, "merchant", 5)
    response = sign_in(client, "outsider", "outsider-pass-123")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(outsider.pk)


def test_an_address_guessing_many_accounts_is_locked_at_its_own_limit(client, settings, merchant):
    User = get_user_model()
    for index in range(settings.SIGNIN_ADDRESS_FAILURE_LIMIT):
        guess(client, f"someone-{index}", 1)
    User.objects.create_user(username="fresh", password="fresh-pass-123")
    assert sign_in(client, "fresh", "fresh-pass-123").status_code == 429
    assert sign_in(client, "fresh", "fresh-pass-123", address="198.51.100.9").status_code == 302


def test_the_address_is_not_locked_below_its_limit(client, settings, merchant):
    for index in range(settings.SIGNIN_ADDRESS_FAILURE_LIMIT - 1):
        guess(client, f"someone-{index}", 1)
    assert sign_in(client, "merchant", "merchant-pass-123").status_code == 302


def test_the_lockout_message_is_translated(client, merchant):
    guess(client, "merchant", 5)
    response = client.post("/en/accounts/login/", {"username": "merchant", "password": "x"}, REMOTE_ADDR="203.0.113.7")
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_the_admin_sign_in_is_locked_too(client, agent):
    guess(client, "agent", 5, url=ADMIN_LOGIN)
    response = sign_in(client, "agent", "agent-pass-123", url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_a_lockout_ends_after_the_cool_off(client, merchant):
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    guess(client, "merchant", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)
    assert sign_in(client, "merchant", "merchant-pass-123").status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, merchant):
    guess(client, "merchant", 4)
    assert sign_in(client, "merchant", "merchant-pass-123").status_code == 302
    client.logout()
    guess(client, "merchant", 4)
    assert sign_in(client, "merchant", "merchant-pass-123").status_code == 302


def test_a_sign_in_without_a_client_address_is_still_recorded(client, merchant):
    # client.force_login builds a request without REMOTE_ADDR; PostgreSQL refuses a non-address there.
    client.force_login(merchant)
    assert client.session["_auth_user_id"] == str(merchant.pk)
