"""Two-step sign-in: who must use it, the code step, setting up an app, recovery codes."""

import re
from binascii import unhexlify

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import recovery_codes_issue
from priorities.models import Organisation
from tests.factories import PASSWORD, AdviserFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

VERIFY = reverse("accounts:two_factor_verify")
SETUP = reverse("accounts:two_factor_setup")
PAGES = ["/", "/caseload/", "/team/", "/organisation/", "/configuration/", "/accounts/unlock/"]


def _password_only(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _advisers_need_two_factor(value: bool) -> None:
    Organisation.objects.update_or_create(pk=1, defaults={"advisers_need_two_factor": value})


@pytest.mark.parametrize("persona", ["alice", "carol", "erin"])
@pytest.mark.parametrize("path", PAGES)
def test_a_password_alone_opens_no_page_to_someone_with_an_app(request, persona, path):
    client = _password_only(request.getfixturevalue(persona))

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_a_superuser_must_give_a_code_too(roles):
    boss = SupervisorFactory(username="boss", is_superuser=True, is_staff=True)

    assert _password_only(boss).get("/configuration/")["Location"].startswith(VERIFY)


@pytest.mark.parametrize("factory", [SupervisorFactory, AdviserFactory])
def test_someone_who_must_have_an_app_and_has_none_is_sent_to_set_one_up(roles, factory):
    _advisers_need_two_factor(True)
    person = factory(username="newcomer", two_factor=False)
    client = _password_only(person)

    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(SETUP), path
    assert client.get(SETUP).status_code == 200


def test_an_adviser_signs_in_with_a_password_when_the_organisation_does_not_require_a_code(
    roles, north
):
    _advisers_need_two_factor(False)
    adviser = AdviserFactory(username="newcomer", two_factor=False)
    north.members.add(adviser)

    assert _password_only(adviser).get("/caseload/").status_code == 200


def test_a_supervisor_needs_an_app_even_when_advisers_do_not(roles):
    _advisers_need_two_factor(False)
    supervisor = SupervisorFactory(username="newlead", two_factor=False)

    assert _password_only(supervisor).get("/team/")["Location"].startswith(SETUP)


def test_an_adviser_who_set_up_an_app_gives_its_code_even_when_not_required(alice):
    _advisers_need_two_factor(False)

    assert _password_only(alice).get("/caseload/")["Location"].startswith(VERIFY)


def test_the_code_from_the_app_opens_the_pages_and_returns_to_the_page_asked_for(carol):
    client = _password_only(carol)
    sent_to = client.get("/team/")["Location"]
    assert sent_to == f"{VERIFY}?next=%2Fteam%2F"

    response = client.post(
        VERIFY, {"code": _code(TOTPDevice.objects.get(user=carol)), "next": "/team/"}
    )

    assert response["Location"] == "/team/"
    assert client.get("/team/").status_code == 200


def test_giving_the_code_starts_a_new_session_key(carol):
    client = _password_only(carol)
    before = client.session.session_key

    client.post(VERIFY, {"code": _code(TOTPDevice.objects.get(user=carol))})

    assert client.session.session_key != before


def test_a_wrong_code_is_refused_with_a_message_beside_the_field(carol):
    client = _password_only(carol)

    response = client.post(VERIFY, {"code": "12345x"})

    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert client.get("/team/").status_code == 302


def test_a_code_is_accepted_only_once(carol):
    code = _code(TOTPDevice.objects.get(user=carol))
    first = _password_only(carol)
    first.post(VERIFY, {"code": code})
    second = _password_only(carol)

    response = second.post(VERIFY, {"code": code})

    assert response.status_code == 200
    assert second.get("/team/").status_code == 302


def test_setting_up_shows_a_qr_code_and_the_key_and_a_right_code_turns_it_on(roles):
    supervisor = SupervisorFactory(username="newlead", two_factor=False)
    client = _password_only(supervisor)

    html = client.get(SETUP).content.decode()
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', html)
    key = client.session["caseload_pending_totp_key"]
    secret = re.search(r'<code class="fs-5" id="totp-secret">([A-Z2-7]+)</code>', html).group(1)
    assert len(secret) == 32
    response = client.post(SETUP, {"code": f"{totp(unhexlify(key)):06d}"})

    assert response.status_code == 200
    codes = re.findall(
        r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>", response.content.decode()
    )
    assert len(codes) == 10
    device = TOTPDevice.objects.get(user=supervisor)
    assert device.confirmed
    assert device.key == key
    assert client.get("/team/").status_code == 200


def test_setting_up_with_a_wrong_code_turns_nothing_on(roles):
    supervisor = SupervisorFactory(username="newlead", two_factor=False)
    client = _password_only(supervisor)
    client.get(SETUP)

    response = client.post(SETUP, {"code": "000000"})

    assert response.status_code == 200
    assert "That code did not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=supervisor).exists()


def test_a_password_alone_cannot_replace_the_app_someone_has(carol):
    device = TOTPDevice.objects.get(user=carol)
    client = _password_only(carol)

    assert client.get(SETUP)["Location"].startswith(VERIFY)
    response = client.post(SETUP, {"code": "123456"})

    assert response["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=carol)) == [device]


def test_a_recovery_code_signs_in_once(carol):
    codes = recovery_codes_issue(user=carol)
    first = _password_only(carol)

    first.post(VERIFY, {"code": codes[0].upper()})
    assert first.get("/team/").status_code == 200

    second = _password_only(carol)
    response = second.post(VERIFY, {"code": codes[0]})
    assert "That code did not work" in response.content.decode()
    assert second.get("/team/").status_code == 302
    assert StaticToken.objects.filter(device__user=carol).count() == 9


def test_recovery_codes_are_stored_only_as_fingerprints(carol):
    codes = recovery_codes_issue(user=carol)

    stored = set(StaticToken.objects.filter(device__user=carol).values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & {code.replace("-", "") for code in codes}
    assert not stored & set(codes)


def test_new_recovery_codes_replace_the_old_ones(carol):
    from tests.conftest import client_for

    old = recovery_codes_issue(user=carol)
    response = client_for(carol).post(reverse("accounts:recovery_codes_regenerate"))
    new = re.findall(r"<code>([a-z2-7-]{19})</code>", response.content.decode())

    assert len(new) == 10
    with_new = _password_only(carol)
    with_new.post(VERIFY, {"code": new[0]})
    assert with_new.get("/team/").status_code == 200
    with_old = _password_only(carol)
    with_old.post(VERIFY, {"code": old[0]})
    assert with_old.get("/team/").status_code == 302


def test_a_password_reset_signs_nobody_in_and_the_code_is_still_asked_for(client, alice, settings):
    client.post(reverse("password_reset"), {"email": alice.email})
    base = re.escape(settings.CASELOAD_BASE_URL)
    link = re.search(rf"{base}(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    new_password = "a fresh and lengthy phrase 7"

    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})

    assert response["Location"] == reverse("password_reset_complete")
    assert "_auth_user_id" not in client.session
    client.post(reverse("login"), {"username": "alice", "password": new_password})
    assert client.get("/caseload/")["Location"].startswith(VERIFY)


def test_the_code_page_for_someone_not_signed_in_goes_to_sign_in(client):
    response = client.get(VERIFY)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_two_step_page_shows_how_many_recovery_codes_are_left(carol):
    from tests.conftest import client_for

    recovery_codes_issue(user=carol)

    html = client_for(carol).get(reverse("accounts:two_factor")).content.decode()

    assert "10 unused recovery codes" in html
    assert "<code>" not in html
