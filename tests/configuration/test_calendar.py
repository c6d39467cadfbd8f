"""The calendar section: the nation whose bank holidays count, closure days added and
removed (a weekend or bank holiday warned of, a repeat refused), the year view, and
another admin's change of nation detected."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caseload.models import QueuedTask
from configuration.concurrency import StaleEdit, edit_token, require_unchanged
from priorities import selectors, services
from priorities.calendar import WorkingCalendar
from priorities.models import ClosureDay, Organisation, Timescale
from tests.conftest import client_for
from tests.factories import CaseFactory, CaseTypeFactory

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate().year + 1
CHRISTMAS = date(NEXT_YEAR, 12, 25)
ST_ANDREWS = date(NEXT_YEAR, 11, 30)  # a bank holiday in Scotland only


def _working_day() -> date:
    """A working day next year, in England and Wales."""
    return WorkingCalendar(nation="ENG").next_working_day(date(NEXT_YEAR, 3, 10))


def _saturday() -> date:
    day = date(NEXT_YEAR, 6, 1)
    return day + timedelta(days=(5 - day.weekday()) % 7)


def _with_a_followed_case(adviser):
    housing = CaseTypeFactory(name="Housing")
    Timescale.objects.create(case_type=housing, level="green", first_contact_days=5)
    CaseFactory(assigned_to=adviser, case_type=housing)


# --- closure days: the service ------------------------------------------------------------


def test_a_closure_on_a_working_day_is_added_and_its_cases_recalculated(alice):
    _with_a_followed_case(alice)

    closure, saved = services.closure_day_add(day=_working_day(), description="Staff training")

    assert closure.description == "Staff training"
    assert saved.cases == 1
    assert Timescale.objects.get().due_dates_stale
    assert QueuedTask.objects.filter(task="priorities.tasks.timescale_refresh_task").exists()


def test_a_closure_needs_a_reason(roles):
    with pytest.raises(ValidationError) as refused:
        services.closure_day_add(day=_working_day(), description="   ")

    assert refused.value.message_dict["description"] == [
        "Give the reason, for example 'Staff training day'."
    ]


def test_the_same_closure_day_twice_is_refused(roles):
    services.closure_day_add(day=_working_day(), description="Staff training")

    with pytest.raises(ValidationError) as refused:
        services.closure_day_add(day=_working_day(), description="Away day")

    assert "is already a closure day (Staff training)" in refused.value.message_dict["day"][0]
    assert ClosureDay.objects.count() == 1


def test_a_closure_far_in_the_future_is_taken_for_a_typing_mistake(roles):
    with pytest.raises(ValidationError) as refused:
        services.closure_day_add(day=date(NEXT_YEAR + 30, 3, 3), description="Staff training")

    assert "check the year for a typing mistake" in refused.value.message_dict["day"][0]


def test_a_bank_holiday_is_warned_of_and_added_once_confirmed_without_recalculating(alice):
    _with_a_followed_case(alice)

    with pytest.raises(services.ClosureDayWarning) as warned:
        services.closure_day_add(day=CHRISTMAS, description="Christmas shutdown")
    assert "is already a bank holiday (Christmas Day)" in str(warned.value)
    assert not ClosureDay.objects.exists()

    _closure, saved = services.closure_day_add(
        day=CHRISTMAS, description="Christmas shutdown", confirmed=True
    )
    assert saved.cases == 0
    assert not QueuedTask.objects.exists()


def test_a_weekend_day_is_warned_of(roles):
    with pytest.raises(services.ClosureDayWarning) as warned:
        services.closure_day_add(day=_saturday(), description="Open day")

    assert "a Saturday, a weekend day" in str(warned.value)


def test_removing_a_closure_day_recalculates_and_a_second_removal_finds_it_gone(alice):
    _with_a_followed_case(alice)
    closure, _saved = services.closure_day_add(day=_working_day(), description="Staff training")

    _removed, saved = services.closure_day_remove(closure_id=closure.pk)

    assert saved.cases == 1
    assert not ClosureDay.objects.exists()
    with pytest.raises(ClosureDay.DoesNotExist):
        services.closure_day_remove(closure_id=closure.pk)


# --- the nation --------------------------------------------------------------------------


def _nation_token():
    return edit_token([Organisation.current()], ["nation"])


def _set_nation(nation, token):
    return services.organisation_nation_set(
        nation=nation, unchanged=lambda row: require_unchanged(token, [row], ["nation"])
    )


def test_changing_the_nation_moves_the_bank_holidays_and_recalculates(alice):
    _with_a_followed_case(alice)

    saved = _set_nation("SCT", _nation_token())

    assert saved.cases == 1
    assert Organisation.current().nation == "SCT"
    assert services.organisation_calendar().is_working_day(ST_ANDREWS) is False


def test_an_unknown_nation_is_refused(roles):
    with pytest.raises(ValidationError):
        _set_nation("XYZ", _nation_token())
    assert Organisation.current().nation == "ENG"


def test_a_second_admin_changing_the_nation_over_the_first_is_refused(roles):
    drawn_by_both = _nation_token()
    _set_nation("SCT", drawn_by_both)

    with pytest.raises(StaleEdit):
        _set_nation("NIR", drawn_by_both)

    assert Organisation.current().nation == "SCT"


# --- the year view -----------------------------------------------------------------------


def test_the_year_view_tells_working_days_bank_holidays_closures_and_weekends(roles):
    ClosureDay.objects.create(day=_working_day(), description="Staff training")

    days = {
        d.day: d
        for month in selectors.calendar_year(NEXT_YEAR)
        for week in month.weeks
        for d in week
        if d is not None
    }

    assert len(days) in (365, 366)
    assert days[CHRISTMAS].kind == "holiday"
    assert days[CHRISTMAS].description == "bank holiday: Christmas Day"
    assert days[_working_day()].kind == "closure"
    assert days[_saturday()].kind == "weekend"
    assert days[_working_day() + timedelta(days=1)].kind in ("working", "weekend", "holiday")
    assert days[ST_ANDREWS].kind != "holiday"  # England and Wales


# --- the pages ----------------------------------------------------------------------------


def test_the_calendar_page_shows_the_year_as_twelve_captioned_tables(erin):
    html = client_for(erin).get(reverse("configuration:calendar"), {"year": NEXT_YEAR}).content
    html = html.decode()

    assert html.count("<caption") == 12
    assert f"Jan {NEXT_YEAR}" in html
    assert "Christmas Day" in html
    assert f'href="?year={NEXT_YEAR + 1}"' in html


def test_a_nonsense_year_shows_this_year(erin):
    page = client_for(erin).get(reverse("configuration:calendar"), {"year": "soon"})
    assert page.context["year"] == timezone.localdate().year


def test_an_admin_adds_a_closure_day_through_the_page(erin):
    day = _working_day()
    page = client_for(erin).post(
        reverse("configuration:closure_add"),
        {"day": f"{day:%d/%m/%Y}", "description": "Staff training"},
        follow=True,
    )

    assert f"Closed on {day:%-d %b %Y} (Staff training)" in page.content.decode()
    assert ClosureDay.objects.filter(day=day).exists()


def test_a_bank_holiday_comes_back_with_a_warning_to_confirm_and_the_text_kept(erin):
    http = client_for(erin)
    url = reverse("configuration:closure_add")
    data = {"day": f"{CHRISTMAS:%d/%m/%Y}", "description": "Christmas shutdown"}

    page = http.post(url, data)
    html = page.content.decode()
    assert page.status_code == 200
    assert "is already a bank holiday (Christmas Day)" in html
    assert 'value="Christmas shutdown"' in html
    assert "Add it all the same" in html
    assert not ClosureDay.objects.exists()

    http.post(url, {**data, "confirm": "on"})
    assert ClosureDay.objects.filter(day=CHRISTMAS).exists()


def test_a_bad_date_comes_back_beside_its_field(erin):
    page = client_for(erin).post(
        reverse("configuration:closure_add"), {"day": "31/02/2027", "description": "Training"}
    )

    html = page.content.decode()
    assert "Enter a real date" in html
    assert 'value="Training"' in html
    assert not ClosureDay.objects.exists()


def test_an_admin_removes_a_closure_day_and_a_second_click_is_told_it_is_gone(erin):
    closure = ClosureDay.objects.create(day=_working_day(), description="Staff training")
    http = client_for(erin)
    url = reverse("configuration:closure_remove", args=[closure.pk])

    assert "is no longer a closure day" in http.post(url, follow=True).content.decode()
    assert "had already been removed" in http.post(url, follow=True).content.decode()


def test_the_second_admin_is_told_and_sees_the_first_admins_nation(erin):
    first, second = client_for(erin), client_for(erin)
    token = first.get(reverse("configuration:calendar")).context["nation_form"]["token"].value()
    url = reverse("configuration:calendar_nation")

    first.post(url, {"nation": "SCT", "token": token})
    page = second.post(url, {"nation": "NIR", "token": token})

    html = page.content.decode()
    assert page.status_code == 409
    assert "Someone else saved a change here while you were editing" in html
    assert "You chose: Northern Ireland (not saved)" in html
    assert 'value="SCT" id="id_nation_1" checked' in html
    assert Organisation.current().nation == "SCT"
