"""When a due date counts as approaching: per timescale, or the organisation's default."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseDeadline
from priorities.models import DeadlineFlag, DeadlineWatch, Level, Timescale
from priorities.services import case_refresh_due_dates
from priorities.sweep import flags_to_raise, sweep_deadlines
from tests.conftest import client_for
from tests.factories import CaseFactory, CaseTypeFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 12, 7)  # ten working days before Monday 21 December 2026


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def _opened_on(case, day: dt.date, **fields):
    case.opened_on = day
    for name, value in fields.items():
        setattr(case, name, value)
    case.save()
    return case_refresh_due_dates(case)


def _timescale(**approaching) -> Timescale:
    case_type = CaseTypeFactory(name="Debt")
    for level in Level.values:
        Timescale.objects.create(
            case_type=case_type, level=level, first_contact_days=10, **approaching
        )
    return case_type


def test_a_timescale_can_flag_once_half_the_window_has_elapsed(alice):
    debt = _timescale(approaching_mode="percent", approaching_percent=50)
    case = _opened_on(CaseFactory(assigned_to=alice, case_type=debt), MONDAY)

    before = sweep_deadlines(now=_at(dt.date(2026, 12, 11)))
    halfway = sweep_deadlines(now=_at(dt.date(2026, 12, 14)))

    assert case.first_contact_due_on == dt.date(2026, 12, 21)
    assert (before.raised, halfway.raised) == (0, 1)
    assert DeadlineFlag.objects.get().stage == "approaching"


def test_a_timescale_can_flag_its_own_number_of_working_days_before(alice):
    debt = _timescale(approaching_mode="days", approaching_days=3)
    _opened_on(CaseFactory(assigned_to=alice, case_type=debt), MONDAY)

    assert sweep_deadlines(now=_at(dt.date(2026, 12, 15))).raised == 0
    assert sweep_deadlines(now=_at(dt.date(2026, 12, 16))).raised == 1


def test_each_window_runs_from_its_own_start_and_statutory_deadlines_use_the_default(alice):
    case_type = CaseTypeFactory(name="Benefits")
    Timescale.objects.create(
        case_type=case_type,
        level=Level.GREEN,
        first_contact_days=10,
        contact_interval_days=10,
        review_days=10,
        close_days=20,
        approaching_mode="percent",
        approaching_percent=50,
    )
    case = CaseFactory(assigned_to=alice, case_type=case_type)
    # The next deadline is the case's earliest open deadline (the due-date service reads it).
    CaseDeadline.objects.create(
        case=case, due_on=dt.date(2026, 12, 18), description="Tribunal hearing", created_by=alice
    )
    case = _opened_on(
        case,
        MONDAY,
        last_contact_at=_at(dt.date(2026, 12, 8)),
        assessed_at=_at(dt.date(2026, 12, 9)),
    )

    watched = dict(
        DeadlineWatch.objects.filter(case=case).values_list("deadline", "approaching_on")
    )

    assert watched == {
        # last contact Tuesday 8th -> due Tuesday 22nd; half way Tuesday 15th
        "next_contact_due_on": dt.date(2026, 12, 15),
        # assessed Wednesday 9th -> due Wednesday 23rd; half way Wednesday 16th
        "next_review_due_on": dt.date(2026, 12, 16),
        # opened Monday 7th -> due 20 working days later; half way Monday 21st
        "target_close_on": dt.date(2026, 12, 21),
        # no timescale: the organisation's two working days before Friday 18th
        "next_deadline_on": dt.date(2026, 12, 16),
    }


def test_the_sweep_looks_only_at_due_dates_whose_approach_day_has_come(alice):
    debt = _timescale(approaching_mode="percent", approaching_percent=50)
    case = _opened_on(CaseFactory(assigned_to=alice, case_type=debt), MONDAY)

    assert list(flags_to_raise(today=dt.date(2026, 12, 11))) == []
    assert list(flags_to_raise(today=dt.date(2026, 12, 22))) == [
        (case.pk, "first_contact_due_on", dt.date(2026, 12, 21), "breached")
    ]


def test_a_closed_case_keeps_no_approach_days(alice):
    from cases import services as case_services

    case = CaseFactory(assigned_to=alice, case_type=_timescale())
    assert DeadlineWatch.objects.filter(case=case).exists()

    case_services.case_status_change(
        case=case,
        status="closed",
        changed_by=alice,
        closure_reason="client_withdrew",
        closure_outcome="Moved away",
    )

    assert not DeadlineWatch.objects.filter(case=case).exists()


def test_the_database_refuses_a_percentage_outside_1_to_99():
    with pytest.raises(IntegrityError):
        Timescale.objects.create(
            case_type=CaseTypeFactory(),
            level=Level.RED,
            approaching_mode="percent",
            approaching_percent=100,
        )


def test_the_database_refuses_a_mode_without_its_number():
    with pytest.raises(IntegrityError):
        Timescale.objects.create(
            case_type=CaseTypeFactory(), level=Level.RED, approaching_mode="days"
        )


def _post_timescale(person, **approaching):
    """A timescale added in the emergency admin site, which only a superuser may use."""
    data = {"case_type": CaseTypeFactory().pk, "level": Level.AMBER, "first_contact_days": "3"}
    return client_for(person).post(
        reverse("admin:priorities_timescale_add"), {**data, **approaching}
    )


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        (
            {"approaching_mode": "percent", "approaching_percent": "0"},
            "approaching_percent",
            "greater than or equal to 1",
        ),
        (
            {"approaching_mode": "percent", "approaching_percent": "100"},
            "approaching_percent",
            "less than or equal to 99",
        ),
        (
            {"approaching_mode": "percent"},
            "approaching_percent",
            "Give the percentage of the window, from 1 to 99.",
        ),
        (
            {"approaching_mode": "days", "approaching_days": "-1"},
            "approaching_days",
            "greater than or equal to 0",
        ),
        (
            {"approaching_mode": "days"},
            "approaching_days",
            "Give the number of working days before the due date.",
        ),
    ],
)
def test_the_admin_site_says_beside_the_field_what_is_wrong_with_approaching(
    root, posted, field, message
):
    response = _post_timescale(root, **posted)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert not Timescale.objects.exists()


def test_a_timescale_is_set_to_flag_at_a_percentage_of_the_window(root):
    response = _post_timescale(root, approaching_mode="percent", approaching_percent="80")

    assert response.status_code == 302
    timescale = Timescale.objects.get()
    assert (timescale.approaching_mode, timescale.approaching_percent) == ("percent", 80)
