"""Signing in to the admin: password plus TOTP code, and lockout after repeated failures.

Every sign-in is a real POST to /admin/login/ (never force_login): django-axes and django-otp act on the
request. Axes keeps its attempts in the database, so each test starts unlocked.
"""
from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from privacy_registry.roles import DPO

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"
LOGIN = "/admin/login/?next=/admin/"
ADDRESS = "198.51.100.20"  # the address every sign-in comes from, unless a test says otherwise


@pytest.fixture(autouse=True)
def production_sign_in(settings):
    # The second factor is on by default (tests/test_settings_and_deploy.py checks that in a clean
    # environment); here it is pinned on, so a shell that exported the demo's ADMIN_REQUIRE_2FA=false
    # cannot turn these tests into tests of the demo.
    settings.ADMIN_REQUIRE_2FA = True
    # Each sign-in hashes the password; the production hasher's cost is not what these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_staff(django_user_model):
    def make(username: str = "dpo-user", *, device: bool = True):
        user = django_user_model.objects.create_user(username=username, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=DPO))
        user.device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True) if device else None
        return user

    return make


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    """The device's current code, as the authenticator app shows it (offset in time steps)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + offset)
    return f"{code:0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    """A well-formed code that matches none of the steps the device tolerates around now."""
    accepted = {code_for(device, offset=offset) for offset in range(-device.tolerance - 1, device.tolerance + 2)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def sign_in(client, username: str, password: str = PASSWORD, *, device: TOTPDevice | None = None,
            code: str | None = None, address: str = ADDRESS):
    data = {"username": username, "password": password, "next": "/admin/"}
    if device is not None:
        data["otp_device"] = device.persistent_id
    if code is not None:
        data["otp_token"] = code
    return client.post(LOGIN, data, REMOTE_ADDR=address)


def assert_kept_out(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def assert_on_dashboard(response, client):
    assert response.status_code == 302 and response["Location"] == "/admin/"
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert 'id="dashboard"' in dashboard.content.decode()


# --- the second factor -----------------------------------------------------------------------------------------


def test_password_without_a_code_is_not_enough(client, make_staff):
    user = make_staff()
    response = sign_in(client, user.username)
    assert response.status_code == 200
    assert "Please enter your OTP token." in response.content.decode()
    assert_kept_out(client)


def test_password_with_a_wrong_code_is_refused(client, make_staff):
    user = make_staff()
    response = sign_in(client, user.username, code=wrong_code_for(user.device))
    assert response.status_code == 200
    assert "Invalid token." in response.content.decode()
    assert_kept_out(client)


def test_password_and_the_right_code_reach_the_dashboard(client, make_staff):
    user = make_staff()
    # One authenticator: password and code on the one page, no device to pick.
    response = sign_in(client, user.username, code=code_for(user.device))
    assert_on_dashboard(response, client)


def test_with_two_authenticators_the_user_picks_one_then_gets_in(client, make_staff):
    user = make_staff()
    TOTPDevice.objects.create(user=user, name="spare phone", confirmed=True)
    first = sign_in(client, user.username, code=code_for(user.device))
    assert first.status_code == 200
    assert "Please select a device." in first.content.decode()
    assert user.device.persistent_id in first.content.decode()
    assert_kept_out(client)

    response = sign_in(client, user.username, device=user.device, code=code_for(user.device))
    assert_on_dashboard(response, client)


def test_a_wrong_password_with_the_right_code_is_refused(client, make_staff):
    user = make_staff()
    response = sign_in(client, user.username, "not-the-password", device=user.device, code=code_for(user.device))
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()
    assert_kept_out(client)


def test_a_user_without_a_device_cannot_get_in(client, make_staff):
    user = make_staff(device=False)
    response = sign_in(client, user.username, code="123456")
    assert response.status_code == 200
    assert "Please select a device." in response.content.decode()
    assert_kept_out(client)


def test_another_users_device_and_code_do_not_open_the_door(client, make_staff):
    user = make_staff(device=False)
    other = make_staff("other-user")
    response = sign_in(client, user.username, device=other.device, code=code_for(other.device))
    assert response.status_code == 200
    assert_kept_out(client)


def test_demo_mode_lets_the_password_alone_in(client, make_staff, settings):
    settings.ADMIN_REQUIRE_2FA = False
    user = make_staff(device=False)
    assert_on_dashboard(sign_in(client, user.username), client)


def test_demo_mode_still_refuses_a_wrong_password(client, make_staff, settings):
    settings.ADMIN_REQUIRE_2FA = False
    user = make_staff(device=False)
    response = sign_in(client, user.username, "not-the-password")
    assert response.status_code == 200
    assert_kept_out(client)


# --- lockout ----------------------------------------------------------------------------------------------------


def fail_until_locked(client, username: str, limit: int, *, address: str = ADDRESS):
    for attempt in range(1, limit + 1):
        response = sign_in(client, username, "not-the-password", address=address)
        if attempt < limit:
            assert response.status_code == 200, attempt
    return response


def test_after_the_failure_limit_even_the_right_password_and_code_are_refused(client, make_staff, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    user = make_staff()
    locking = fail_until_locked(client, user.username, settings.AXES_FAILURE_LIMIT)
    assert locking.status_code == 429

    response = sign_in(client, user.username, device=user.device, code=code_for(user.device))
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert_kept_out(client)

    attempt = AccessAttempt.objects.get(username=user.username, ip_address=ADDRESS)
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT


def test_lockout_is_per_username_and_address(client, make_staff, settings):
    locked = make_staff("locked-user")
    bystander = make_staff("bystander")
    fail_until_locked(client, locked.username, settings.AXES_FAILURE_LIMIT)

    assert_on_dashboard(sign_in(client, bystander.username, device=bystander.device, code=code_for(bystander.device)),
                        client)
    client.logout()
    # The same name from another address is a different combination: the owner is not locked out by an attacker
    # elsewhere.
    response = sign_in(client, locked.username, device=locked.device, code=code_for(locked.device),
                       address="203.0.113.50")
    assert_on_dashboard(response, client)


def test_axes_reset_unlocks(client, make_staff, settings):
    user = make_staff()
    fail_until_locked(client, user.username, settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, user.username, device=user.device, code=code_for(user.device)).status_code == 429

    call_command("axes_reset", stdout=None)
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    response = sign_in(client, user.username, device=user.device, code=code_for(user.device))
    assert_on_dashboard(response, client)
