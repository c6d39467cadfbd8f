"""Failed sign-ins: locks per user name and address, a message that reveals nothing, unlocking."""

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

WRONG = "not the password at all"


def _from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def _sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def _fail(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        _sign_in(client, username, WRONG)


def _signed_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def _error_text(response) -> str:
    html = response.content.decode()
    start = html.index('role="alert"')
    return html[start : html.index("</div>", start)]


def test_five_wrong_passwords_lock_the_name_from_that_address(alice):
    attacker = _from("203.0.113.9")
    _fail(attacker, "alice", 5)

    response = _sign_in(attacker, "alice", PASSWORD)

    assert not _signed_in(response)
    assert "_auth_user_id" not in attacker.session


def test_four_wrong_passwords_do_not_lock_anyone(alice):
    person = _from("198.51.100.4")
    _fail(person, "alice", 4)

    assert _signed_in(_sign_in(person, "alice", PASSWORD))


def test_a_lock_from_one_address_does_not_stop_the_person_at_their_own_machine(alice):
    _fail(_from("203.0.113.9"), "alice", 8)

    assert _signed_in(_sign_in(_from("198.51.100.4"), "alice", PASSWORD))


def test_guessing_one_name_does_not_lock_another_name_from_the_same_address(alice, bob):
    shared = _from("203.0.113.9")
    _fail(shared, "alice", 5)

    assert _signed_in(_sign_in(shared, "bob", PASSWORD))


def test_an_address_trying_many_names_is_stopped_whatever_name_it_tries_next(bob, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    attacker = _from("203.0.113.9")
    for n in range(4):
        _fail(attacker, f"guess{n}", 2)

    assert not _signed_in(_sign_in(attacker, "bob", PASSWORD))
    assert _signed_in(_sign_in(_from("198.51.100.4"), "bob", PASSWORD))


def test_a_lock_reads_exactly_like_a_wrong_password_or_an_unknown_name(alice):
    attacker = _from("203.0.113.9")
    unknown = _sign_in(attacker, "nobody-here", WRONG)
    wrong = _sign_in(attacker, "alice", WRONG)
    _fail(attacker, "alice", 4)

    locked = _sign_in(attacker, "alice", PASSWORD)

    assert unknown.status_code == wrong.status_code == locked.status_code == 200
    assert _error_text(unknown) == _error_text(wrong) == _error_text(locked)
    assert "correct username and password" in _error_text(locked)
    assert "lock" not in locked.content.decode().lower()


def test_failures_during_a_lock_do_not_extend_it(alice):
    attacker = _from("203.0.113.9")
    _fail(attacker, "alice", 5)
    _fail(attacker, "alice", 10)

    attempt = AccessAttempt.objects.get(username="alice")
    assert attempt.failures_since_start == 5


def test_wrong_passwords_are_counted_and_wrong_codes_are_not(alice):
    client = _from("198.51.100.4")
    _fail(client, "alice", 1)
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 1
    _sign_in(client, "alice", PASSWORD)
    for _ in range(6):
        client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})

    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert _signed_in(_sign_in(_from("198.51.100.4"), "alice", PASSWORD))


@pytest.mark.parametrize("persona", ["carol", "erin"])
def test_a_supervisor_or_admin_clears_a_lock_and_it_is_audited(request, alice, persona):
    clearer = request.getfixturevalue(persona)
    attacker = _from("203.0.113.9")
    _fail(attacker, "alice", 5)

    response = client_for(clearer).post(reverse("accounts:unlock"), {"username": "alice"})

    assert response.status_code == 302
    assert _signed_in(_sign_in(attacker, "alice", PASSWORD))
    entry = LogEntry.objects.get(additional_data__event="sign-in lock cleared")
    assert entry.actor == clearer
    assert entry.object_pk == str(alice.pk)


def test_an_adviser_cannot_clear_a_lock(alice, bob):
    _fail(_from("203.0.113.9"), "alice", 5)
    as_bob = client_for(bob)

    assert as_bob.get(reverse("accounts:unlock")).status_code == 403
    assert as_bob.post(reverse("accounts:unlock"), {"username": "alice"}).status_code == 403
    assert AccessAttempt.objects.filter(username="alice").exists()


def test_clearing_a_lock_for_an_unknown_name_says_so_beside_the_field(carol):
    response = client_for(carol).post(reverse("accounts:unlock"), {"username": "nobody"})

    assert response.status_code == 200
    assert "No one has this user name." in response.content.decode()


def test_an_admin_resets_a_lost_phone_and_the_person_sets_up_a_new_app(alice, erin):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    as_alice = client_for(alice)
    response = client_for(erin).post(
        reverse("accounts:unlock"), {"username": "alice", "action": "reset_two_factor"}
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert as_alice.get(reverse("cases:my_caseload")).status_code == 302
    fresh = Client()
    _sign_in(fresh, "alice", PASSWORD)
    assert fresh.get(reverse("cases:my_caseload"))["Location"].startswith(
        reverse("accounts:two_factor_setup")
    )
    assert LogEntry.objects.filter(additional_data__event="two-factor reset", actor=erin).exists()


def test_signing_in_fully_clears_earlier_failures_of_that_name_and_address(alice):
    client = _from("198.51.100.4")
    _fail(client, "alice", 3)
    _sign_in(client, "alice", PASSWORD)
    client.post(reverse("accounts:two_factor_verify"), {"code": totp_code(alice)})

    assert not AccessAttempt.objects.filter(username="alice").exists()


def test_a_wrong_password_is_not_kept_in_the_record_of_failures(alice):
    _fail(_from("203.0.113.9"), "alice", 1)

    assert WRONG not in AccessAttempt.objects.get(username="alice").post_data


def test_behind_the_proxy_a_sign_in_counts_against_the_address_the_proxy_saw(rf, settings):
    from accounts.lockout import client_address

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = rf.post(
        "/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )

    assert client_address(request) == "203.0.113.9"


def test_without_a_proxy_a_forged_forwarded_header_is_ignored(rf):
    from accounts.lockout import client_address

    request = rf.post(
        "/accounts/login/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )

    assert client_address(request) == "198.51.100.4"
