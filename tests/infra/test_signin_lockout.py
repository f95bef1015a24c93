"""Password guessing is stopped by django-axes per account and address together: nobody elsewhere, and no
neighbour on a shop's shared address, can lock a merchant out."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import get_user
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Dozens of sign-ins per test: the slow production hasher adds nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, username, password, *, url=LOGIN, address=ADDRESS):
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
    assert not get_user(client).is_authenticated


def test_a_guesser_elsewhere_does_not_lock_the_real_user_out(client, merchant):
    guess(Client(), "merchant", 10, address="198.51.100.9")
    response = sign_in(client, "merchant", "merchant-pass-123")
    assert response.status_code == 302
    assert get_user(client).pk == merchant.pk


def test_another_account_from_the_same_address_still_signs_in(client, merchant, outsider):
    guess(client, "merchant", 5)
    response = sign_in(client, "outsider", "outsider-pass-123")
    assert response.status_code == 302
    assert get_user(client).pk == outsider.pk


def test_many_failures_behind_a_shop_address_do_not_lock_the_shop_out(client, merchant):
    # Spraying (or many merchants mistyping) behind one shop's Wi-Fi: the right password still works.
    for index in range(40):
        guess(Client(), f"someone-{index}", 1)
    assert sign_in(client, "merchant", "merchant-pass-123").status_code == 302


def test_the_lockout_says_how_long_is_left(client, merchant):
    with time_machine.travel("2026-05-01 10:00 +0800", tick=False) as clock:
        guess(client, "merchant", 5)
        clock.shift(timedelta(minutes=5))
        response = client.post("/en/accounts/login/", {"username": "merchant", "password": "x"}, REMOTE_ADDR=ADDRESS)
        clock.shift(timedelta(minutes=9))
        # Tries while locked do not restart the cool-off.
        assert sign_in(client, "merchant", "wrong-password").status_code == 429
        clock.shift(timedelta(minutes=1, seconds=1))
        assert sign_in(client, "merchant", "merchant-pass-123").status_code == 302
    assert "blocked here for 10 minutes" in response.content.decode()


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
    assert get_user(client).pk == merchant.pk


def test_an_administrator_unlocks_one_account(client, admin_user, merchant, outsider):
    guess(Client(), "merchant", 5)
    guess(Client(), "outsider", 5)
    client.force_login(admin_user)
    selected = AccessAttempt.objects.filter(username="merchant").values_list("pk", flat=True)
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock_accounts", "_selected_action": list(selected)},
        follow=True,
    )

    assert "已解除 1 个账户的登录锁定。" in response.content.decode()
    assert sign_in(Client(), "merchant", "merchant-pass-123").status_code == 302
    assert sign_in(Client(), "outsider", "outsider-pass-123").status_code == 429


def test_a_staff_member_who_may_not_delete_attempts_cannot_unlock(client, merchant):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    staff = get_user_model().objects.create_user(username="viewer", password="viewer-pass-123", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_accessattempt"))
    guess(Client(), "merchant", 5)
    client.force_login(staff)
    selected = list(AccessAttempt.objects.values_list("pk", flat=True))
    client.post("/admin/axes/accessattempt/", {"action": "unlock_accounts", "_selected_action": selected})

    assert sign_in(Client(), "merchant", "merchant-pass-123").status_code == 429
