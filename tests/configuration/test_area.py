"""The configuration area: open to admins only, every section reachable from its home,
and the edit token that stops one admin silently overwriting another's change."""

import pytest
from django.urls import reverse

from configuration.concurrency import StaleEdit, edit_token, require_unchanged
from configuration.sections import SECTIONS
from priorities.models import Timescale
from tests.conftest import client_for
from tests.factories import CaseTypeFactory

pytestmark = pytest.mark.django_db


def test_an_admin_reaches_every_section_from_the_home_page(erin):
    page = client_for(erin).get(reverse("configuration:home"))

    assert page.status_code == 200
    html = page.content.decode()
    for section in SECTIONS:
        assert f'href="{section.url}"' in html
        assert section.title in html


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_people_without_the_admin_role_are_refused(request, who):
    person = request.getfixturevalue(who)
    assert client_for(person).get(reverse("configuration:home")).status_code == 403


def test_the_header_links_admins_to_the_area(erin):
    html = client_for(erin).get(reverse("configuration:home")).content.decode()
    assert f'href="{reverse("configuration:home")}">Configuration</a>' in html


def _timescales():
    return list(Timescale.objects.order_by("pk"))


FIELDS = ["level", "first_contact_days"]


def test_the_edit_token_holds_while_nothing_changes(roles):
    housing = CaseTypeFactory(name="Housing")
    Timescale.objects.create(case_type=housing, level="green", first_contact_days=3)
    token = edit_token(_timescales(), FIELDS)

    require_unchanged(token, _timescales(), FIELDS)  # no StaleEdit


def test_the_edit_token_notices_a_changed_an_added_and_a_deleted_row(roles):
    housing = CaseTypeFactory(name="Housing")
    row = Timescale.objects.create(case_type=housing, level="green", first_contact_days=3)
    token = edit_token(_timescales(), FIELDS)

    Timescale.objects.filter(pk=row.pk).update(first_contact_days=4)
    with pytest.raises(StaleEdit):
        require_unchanged(token, _timescales(), FIELDS)

    token = edit_token(_timescales(), FIELDS)
    extra = Timescale.objects.create(case_type=housing, level="red", first_contact_days=1)
    with pytest.raises(StaleEdit):
        require_unchanged(token, _timescales(), FIELDS)

    token = edit_token(_timescales(), FIELDS)
    extra.delete()
    with pytest.raises(StaleEdit):
        require_unchanged(token, _timescales(), FIELDS)


def test_the_edit_token_of_a_row_just_made_matches_the_row_read_back(roles):
    housing = CaseTypeFactory(name="Housing")
    made = Timescale.objects.create(case_type=housing, level="green", first_contact_days=3)
    assert type(made.approaching_mode) is not str  # its enum member, until read back

    fields = ["level", "approaching_mode"]
    assert edit_token([made], fields) == edit_token(_timescales(), fields)
