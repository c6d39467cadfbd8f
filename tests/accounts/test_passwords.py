"""The password rules: length, likeness to the person, common, breached and low-variety passwords."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.validators import BreachedPasswordValidator
from tests.conftest import client_for
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _refusals(password: str, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Sh0rt&sweet", "password_too_short"),
        ("passwordpassword", "password_repeated"),
        ("abcabcabcabc", "password_repeated"),
        ("aaaaaaaaaaaa", "password_repeated"),
        ("ababababab1b1b", "password_too_few_characters"),
        ("password", "password_too_common"),
        ("Sunshine2024!", "password_breached"),
        ("1qaz2wsx3edc", "password_breached"),
        ("MANCHESTERUNITED1", "password_breached"),
        ("7428193650284", "password_entirely_numeric"),
    ],
)
def test_a_weak_password_is_refused(password, code):
    assert code in _refusals(password)


def test_a_password_like_the_person_s_user_name_is_refused(db):
    person = UserFactory(username="margaretthatcher", first_name="Margaret", last_name="Thatcher")

    assert "password_too_similar" in _refusals("margaretthatcher1", person)


def test_a_long_varied_password_passes_every_rule(alice):
    assert _refusals(PASSWORD, alice) == set()
    assert _refusals("tin roof lantern 42", alice) == set()


def test_the_breached_list_is_local_and_of_modest_size():
    from accounts.validators import BREACHED_LIST

    lines = BREACHED_LIST.read_text().splitlines()
    assert 1000 < len(lines) < 20000
    assert all(len(line) == 40 for line in lines)
    BreachedPasswordValidator().validate("tin roof lantern 42")


def test_changing_to_a_repeated_password_is_refused_beside_the_field(alice):
    response = client_for(alice).post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "passwordpassword",
            "new_password2": "passwordpassword",
        },
    )

    assert response.status_code == 200
    assert "one short part repeated" in response.content.decode()
