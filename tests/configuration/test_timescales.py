"""The timescales section: the grid as the sweep applies it, the rules of a row in plain
English, all-or-nothing saves, another admin's change detected, and the due dates that
move counted and recalculated by the worker."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from caseload.models import QueuedTask
from configuration.concurrency import StaleEdit, edit_token, require_unchanged
from configuration.timescales import TOKEN_FIELDS
from priorities import services
from priorities.models import Timescale, TimescaleLevel
from tests.conftest import client_for
from tests.factories import CaseFactory, CaseTypeFactory

pytestmark = pytest.mark.django_db

EMPTY = {
    "allocate_days": None,
    "first_contact_days": None,
    "contact_interval_days": None,
    "review_days": None,
    "close_days": None,
    "approaching_mode": "default",
    "approaching_days": None,
    "approaching_percent": None,
}


def _row(**values):
    return {**EMPTY, **values}


def _problems(**values):
    return services.timescale_problems(_row(**values))


# --- the rules of one row ---------------------------------------------------------------


def test_a_timescale_of_zero_days_is_refused_in_plain_english():
    assert _problems(review_days=0)["review_days"] == (
        "Reassessment must be at least 1 working day, or left empty for none."
    )


def test_a_timescale_of_thousands_of_days_is_taken_for_a_typing_mistake():
    assert "at most 1,000 working days" in _problems(close_days=25000)["close_days"]


def test_allocation_after_first_contact_is_refused():
    problem = _problems(allocate_days=5, first_contact_days=3)["allocate_days"]
    assert "after first contact is due" in problem


def test_a_target_to_close_before_first_contact_is_refused():
    problem = _problems(first_contact_days=10, close_days=5)["close_days"]
    assert "make it at least 10" in problem


def test_working_days_before_needs_its_number():
    assert _problems(approaching_mode="days")["approaching_days"] == (
        "Give the number of working days before the due date."
    )


def test_a_percentage_needs_its_number():
    assert "from 1 to 99" in _problems(approaching_mode="percent")["approaching_percent"]


def test_approaching_at_or_after_the_due_date_is_refused():
    assert (
        "at 100% the date is due"
        in _problems(approaching_mode="percent", approaching_percent=100)["approaching_percent"]
    )
    assert (
        "cannot start approaching after it is due"
        in _problems(approaching_mode="days", approaching_days=-1)["approaching_days"]
    )


def test_approaching_before_the_shortest_window_opens_is_refused():
    problem = _problems(
        first_contact_days=3, review_days=20, approaching_mode="days", approaching_days=4
    )["approaching_days"]
    assert "first contact within 3 working days" in problem
    assert "give at most 3" in problem
    assert not _problems(first_contact_days=3, approaching_mode="days", approaching_days=3)


def test_a_number_for_a_rule_not_chosen_is_refused_as_contradictory():
    problems = _problems(approaching_mode="default", approaching_days=2, approaching_percent=50)
    assert "Leave this empty" in problems["approaching_days"]
    assert "Leave this empty" in problems["approaching_percent"]


def test_an_unknown_approaching_rule_is_refused():
    assert "approaching_mode" in _problems(approaching_mode="sometimes")


def test_a_second_timescale_for_the_same_type_and_level_is_refused(roles):
    debt = CaseTypeFactory(name="Debt")
    Timescale.objects.create(case_type=debt, level="red", first_contact_days=1)

    with pytest.raises(ValidationError) as refused:
        services.timescale_validate(Timescale(case_type=debt, level="red", first_contact_days=2))

    assert refused.value.message_dict["level"] == [
        "There is already a timescale for Debt, Red — edit that one."
    ]


def test_the_emergency_admin_gives_the_same_message_for_a_duplicate(roles, root):
    root.is_staff = root.is_superuser = True
    root.save()
    debt = CaseTypeFactory(name="Debt")
    Timescale.objects.create(case_type=debt, level="red", first_contact_days=1)

    page = client_for(root).post(
        reverse("admin:priorities_timescale_add"),
        {
            "case_type": debt.pk,
            "level": "red",
            "first_contact_days": 2,
            "approaching_mode": "default",
        },
    )

    assert "There is already a timescale for Debt, Red — edit that one." in page.content.decode()
    assert Timescale.objects.filter(case_type=debt).count() == 1


# --- saving a case type's rows ------------------------------------------------------------


def _current(case_type):
    return list(Timescale.objects.filter(case_type=case_type))


def _save(case_type, rows, token=None):
    token = token or edit_token(_current(case_type), TOKEN_FIELDS)
    return services.timescales_set(
        case_type=case_type,
        rows=rows,
        unchanged=lambda current: require_unchanged(token, current, TOKEN_FIELDS),
    )


def _all(red=None, amber=None, green=None, unassessed=None):
    return {
        "red": _row(**(red or {})),
        "amber": _row(**(amber or {})),
        "green": _row(**(green or {})),
        "unassessed": None if unassessed is None else _row(**unassessed),
    }


def test_saving_a_case_type_keeps_one_row_per_level_and_reports_the_cases_that_move(alice):
    debt = CaseTypeFactory(name="Debt")
    CaseFactory(assigned_to=alice, case_type=debt)  # not yet assessed: follows green
    CaseFactory(assigned_to=alice, case_type=debt)

    saved = _save(debt, _all(red={"first_contact_days": 1}, green={"first_contact_days": 5}))

    assert saved.changed
    assert saved.cases == 2
    rows = {t.level: t for t in _current(debt)}
    assert set(rows) == {"red", "amber", "green"}
    assert rows["green"].first_contact_days == 5
    assert all(t.due_dates_stale for t in rows.values())
    assert QueuedTask.objects.filter(task="priorities.tasks.timescale_refresh_task").count() == 3


def test_the_worker_recalculates_the_due_dates_that_the_save_counted(alice):
    debt = CaseTypeFactory(name="Debt")
    case = CaseFactory(assigned_to=alice, case_type=debt)
    assert case.first_contact_due_on is None

    _save(debt, _all(green={"first_contact_days": 5}))
    services.timescales_refresh_stale()  # what the queued tasks do

    case.refresh_from_db()
    assert case.first_contact_due_on is not None


def test_saving_the_same_values_again_changes_nothing_and_queues_nothing(alice):
    debt = CaseTypeFactory(name="Debt")
    _save(debt, _all(green={"first_contact_days": 5}))
    QueuedTask.objects.all().delete()

    saved = _save(debt, _all(green={"first_contact_days": 5}))

    assert not saved.changed
    assert not QueuedTask.objects.exists()


def test_one_bad_row_saves_none_of_them(roles):
    debt = CaseTypeFactory(name="Debt")
    Timescale.objects.create(case_type=debt, level="green", first_contact_days=5)

    with pytest.raises(ValidationError) as refused:
        _save(
            debt,
            _all(red={"first_contact_days": 1}, green={"first_contact_days": 8, "review_days": 0}),
        )

    assert list(refused.value.message_dict) == ["green-review_days"]
    assert [(t.level, t.first_contact_days) for t in _current(debt)] == [("green", 5)]


def test_not_yet_assessed_with_its_own_row_and_then_following_green_again(alice):
    debt = CaseTypeFactory(name="Debt")
    case = CaseFactory(assigned_to=alice, case_type=debt)

    saved = _save(debt, _all(green={"first_contact_days": 5}, unassessed={"first_contact_days": 2}))
    assert saved.cases == 1
    assert {t.level for t in _current(debt)} == {"red", "amber", "green", "unassessed"}

    services.timescales_refresh_stale()
    case.refresh_from_db()
    two_days = case.first_contact_due_on

    saved = _save(debt, _all(green={"first_contact_days": 5}))
    assert saved.changed
    assert saved.cases == 1
    assert {t.level for t in _current(debt)} == {"red", "amber", "green"}
    services.timescales_refresh_stale()
    case.refresh_from_db()
    assert case.first_contact_due_on > two_days  # five working days, as green says


def test_a_second_admin_saving_over_the_first_is_refused_and_nothing_is_saved(roles):
    debt = CaseTypeFactory(name="Debt")
    Timescale.objects.create(case_type=debt, level="green", first_contact_days=5)
    drawn_by_both = edit_token(_current(debt), TOKEN_FIELDS)

    _save(debt, _all(green={"first_contact_days": 4}), token=drawn_by_both)
    with pytest.raises(StaleEdit):
        _save(debt, _all(green={"first_contact_days": 9}), token=drawn_by_both)

    assert Timescale.objects.get(case_type=debt, level="green").first_contact_days == 4


# --- the pages ----------------------------------------------------------------------------


def test_the_grid_shows_missing_rows_as_the_sweep_treats_them(erin):
    debt = CaseTypeFactory(name="Debt")
    Timescale.objects.create(case_type=debt, level="green", first_contact_days=5, review_days=30)
    Timescale.objects.create(
        case_type=debt,
        level="red",
        first_contact_days=1,
        approaching_mode="days",
        approaching_days=1,
    )

    html = client_for(erin).get(reverse("configuration:timescales")).content.decode()

    assert "Follows Green" in html
    assert "No timescale: cases at Amber get no due dates" in html
    assert "1 working day before" in html
    assert "flags a due date as approaching <strong>2 working days before it</strong>" in html
    assert 'role="region" aria-labelledby="grid-caption" tabindex="0"' in html


def _form_post(page_html_token, **changes):
    data = {"token": page_html_token, "unassessed-follows": "green"}
    for level in TimescaleLevel:
        data[f"{level}-approaching_mode"] = "default"
    data.update(changes)
    return data


def _token(client, case_type):
    response = client.get(reverse("configuration:timescales_edit", args=[case_type.pk]))
    return response.context["form"]["token"].value()


def test_an_admin_saves_a_case_type_and_is_told_how_many_cases_move(erin, alice):
    debt = CaseTypeFactory(name="Debt")
    CaseFactory(assigned_to=alice, case_type=debt)
    http = client_for(erin)
    url = reverse("configuration:timescales_edit", args=[debt.pk])

    page = http.post(
        url, _form_post(_token(http, debt), **{"green-first_contact_days": "5"}), follow=True
    )

    assert page.redirect_chain[-1][0] == reverse("configuration:timescales")
    assert "Saved the timescales for Debt. The due dates of 1 open case are being recalculated" in (
        page.content.decode()
    )


def test_a_bad_value_comes_back_beside_its_field_with_the_text_kept(erin):
    debt = CaseTypeFactory(name="Debt")
    http = client_for(erin)
    url = reverse("configuration:timescales_edit", args=[debt.pk])

    page = http.post(
        url,
        _form_post(
            _token(http, debt),
            **{"red-review_days": "0", "amber-close_days": "soon", "green-first_contact_days": "4"},
        ),
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert "Red: Reassess every: Reassessment must be at least 1 working day" in html
    assert "Enter a whole number of working days, like 5." in html
    assert 'value="soon"' in html
    assert 'value="4"' in html
    assert not Timescale.objects.exists()


def test_the_second_admin_is_told_and_sees_the_first_admins_change(erin, roles):
    debt = CaseTypeFactory(name="Debt")
    Timescale.objects.create(case_type=debt, level="green", first_contact_days=5)
    first, second = client_for(erin), client_for(erin)
    url = reverse("configuration:timescales_edit", args=[debt.pk])
    token = _token(first, debt)
    assert _token(second, debt) == token

    first.post(url, _form_post(token, **{"green-first_contact_days": "4"}))
    page = second.post(url, _form_post(token, **{"green-first_contact_days": "9"}))

    html = page.content.decode()
    assert page.status_code == 409
    assert "Someone else saved a change here while you were editing" in html
    assert 'name="green-first_contact_days" value="4"' in html  # their change
    assert "Green: First contact within: 9" in html  # what this admin typed
    assert Timescale.objects.get(case_type=debt, level="green").first_contact_days == 4


def test_an_unknown_case_type_is_not_found(erin):
    assert (
        client_for(erin).get(reverse("configuration:timescales_edit", args=[999999])).status_code
        == 404
    )


def test_a_number_left_from_a_rule_no_longer_chosen_does_not_block_the_next_save(erin):
    debt = CaseTypeFactory(name="Debt")
    Timescale.objects.create(
        case_type=debt, level="green", first_contact_days=5, approaching_days=3
    )  # mode "default": the 3 is a leftover
    http = client_for(erin)
    form = http.get(reverse("configuration:timescales_edit", args=[debt.pk])).context["form"]
    assert form["green-approaching_days"].value() is None

    page = http.post(
        reverse("configuration:timescales_edit", args=[debt.pk]),
        _form_post(form["token"].value(), **{"green-first_contact_days": "6"}),
    )

    assert page.status_code == 302
    assert Timescale.objects.get(case_type=debt, level="green").approaching_days is None


def test_a_form_without_its_edit_token_is_refused_with_a_reason(erin):
    debt = CaseTypeFactory(name="Debt")
    page = client_for(erin).post(
        reverse("configuration:timescales_edit", args=[debt.pk]),
        _form_post("", **{"green-first_contact_days": "6"}),
    )

    assert "reload the page" in page.content.decode()
    assert not Timescale.objects.exists()
