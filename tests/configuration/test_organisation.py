"""Organisation settings in the configuration area: each takes effect where it is used
(the idle sign-out, a note's lateness), values out of bounds are refused beside the
field, an empty limit falls back to the installation's default, and another admin's
change is never overwritten."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from configuration.concurrency import STALE_MESSAGE, edit_token
from notes import services as note_services
from priorities.models import Organisation
from priorities.services import ORGANISATION_SETTINGS
from tests.accounts.test_sessions import _idle_for
from tests.conftest import client_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _posted(**changes):
    organisation = Organisation.current()
    data = {
        name: getattr(organisation, name)
        for name in ORGANISATION_SETTINGS
        if getattr(organisation, name) is not None
    }
    data["advisers_need_two_factor"] = "on" if organisation.advisers_need_two_factor else ""
    data["edit_token"] = edit_token([organisation], ORGANISATION_SETTINGS)
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def _save(admin, **changes):
    return client_for(admin).post(reverse("configuration:organisation"), _posted(**changes))


def test_a_shorter_idle_limit_signs_people_out_sooner(alice, erin):
    assert _save(erin, session_idle_minutes="10").status_code == 302
    client = client_for(alice)
    client.get(reverse("cases:my_caseload"))
    _idle_for(client, 11)

    response = client.get(reverse("cases:my_caseload"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "idle for 10 minutes" in response.content.decode()


def test_an_empty_idle_limit_is_the_installation_s_default(alice, erin, settings):
    settings.CASELOAD_SESSION_IDLE_MINUTES = 30
    _save(erin, session_idle_minutes="10")
    assert _save(erin, session_idle_minutes="").status_code == 302
    assert Organisation.current().session_idle_minutes is None
    client = client_for(alice)
    client.get(reverse("cases:my_caseload"))
    _idle_for(client, 11)

    assert client.get(reverse("cases:my_caseload")).status_code == 200


def test_the_late_entry_limit_decides_which_notes_are_late(alice, erin):
    case = CaseFactory(assigned_to=alice)
    week_ago = timezone.now() - dt.timedelta(days=7)
    Case.objects.filter(pk=case.pk).update(created_at=week_ago, opened_on=week_ago.date())
    case.refresh_from_db()
    note = note_services.note_append(
        case=case,
        author=alice,
        contact_at=timezone.now() - dt.timedelta(hours=30),
        channel="phone",
        facts="Called the client back",
        next_steps="Write to the landlord",
    )
    _save(erin, late_entry_hours="48")
    assert not note.is_late

    _save(erin, late_entry_hours="24")
    assert note.is_late


def test_values_out_of_bounds_are_explained_beside_their_fields_and_nothing_is_saved(erin):
    before = Organisation.current().stalled_after_days

    response = _save(erin, stalled_after_days="20", session_idle_minutes="2", plan_ahead_years="0")

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["session_idle_minutes"] == ["Choose from 5 to 480 minutes."]
    assert errors["plan_ahead_years"] == ["Choose from 1 to 50 years."]
    assert Organisation.current().stalled_after_days == before
    assert Organisation.current().session_idle_minutes is None


def test_a_second_admin_saving_over_a_change_is_told_and_sees_it(erin):
    drawn = _posted()
    first = client_for(erin).post(
        reverse("configuration:organisation"), {**drawn, "break_glass_daily_limit": "5"}
    )
    assert first.status_code == 302

    second = client_for(erin).post(
        reverse("configuration:organisation"), {**drawn, "break_glass_daily_limit": "1"}
    )

    assert second.status_code == 409
    assert STALE_MESSAGE in second.content.decode()
    assert second.context["form"].initial["break_glass_daily_limit"] == 5
    assert Organisation.current().break_glass_daily_limit == 5
