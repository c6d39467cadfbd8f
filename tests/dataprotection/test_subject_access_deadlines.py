"""A request's deadline: one calendar month (the ICO's rule), one extension of up to two
months with a reason, and the sweep telling the Data protection role once of each."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dataprotection import sar_services
from dataprotection.models import SubjectAccessRequest
from dataprotection.models.subject_access import add_months
from notifications.models import Notification
from priorities.sweep import sweep_deadlines
from tests.dataprotection.sar_world import dpo_user
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 3, 15), date(2026, 4, 15)),
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 31), date(2027, 1, 31)),
    ],
)
def test_a_request_is_due_on_the_corresponding_date_next_month_or_that_month_s_last_day(
    received, due
):
    assert add_months(received, 1) == due


@pytest.fixture
def dina(roles):
    return dpo_user()


def _open(dina, received_on):
    return sar_services.sar_open(client=ClientFactory(), received_on=received_on, opened_by=dina)


def test_a_request_received_on_31_january_is_due_at_the_end_of_february(dina):
    request = _open(dina, date(2026, 1, 31))

    assert request.due_on == date(2026, 2, 28)
    assert request.effective_due_on == date(2026, 2, 28)


def test_a_request_cannot_be_received_in_the_future(dina):
    with pytest.raises(ValidationError) as refused:
        _open(dina, timezone.localdate() + timedelta(days=1))

    assert "received_on" in refused.value.message_dict


def test_an_extension_of_two_months_moves_the_due_date_and_records_the_reason(dina):
    request = _open(dina, date(2026, 11, 20))

    sar_services.sar_extend(
        request=request,
        months=2,
        reason="Many cases over six years",
        extended_by=dina,
        now=timezone.make_aware(timezone.datetime(2026, 11, 27, 12)),
    )

    request.refresh_from_db()
    assert request.due_on == date(2026, 12, 20)
    assert request.effective_due_on == date(2027, 2, 20)
    assert request.extension_reason == "Many cases over six years"
    assert request.extended_by == dina


def test_a_request_is_extended_once_only(dina):
    request = _open(dina, timezone.localdate())
    sar_services.sar_extend(request=request, months=1, reason="Complex", extended_by=dina)

    with pytest.raises(ValidationError) as refused:
        sar_services.sar_extend(request=request, months=1, reason="Again", extended_by=dina)

    assert "months" in refused.value.message_dict


def test_an_extension_needs_a_reason_and_one_or_two_months(dina):
    request = _open(dina, timezone.localdate())

    with pytest.raises(ValidationError) as refused:
        sar_services.sar_extend(request=request, months=3, reason=" ", extended_by=dina)

    assert set(refused.value.message_dict) == {"months", "reason"}


def test_an_extension_after_the_first_month_has_passed_is_refused(dina):
    request = _open(dina, timezone.localdate() - timedelta(days=40))

    with pytest.raises(ValidationError) as refused:
        sar_services.sar_extend(request=request, months=1, reason="Late", extended_by=dina)

    assert "within the first month" in refused.value.message_dict["months"][0]


def _sar_notifications(request, stage):
    return Notification.objects.filter(subject=f"sar:{request.pk}:{stage}")


def test_the_sweep_tells_the_data_protection_role_once_of_an_approaching_request(dina):
    request = _open(dina, timezone.localdate() - timedelta(days=27))

    assert sar_services.sar_deadlines_sweep() == 1
    assert sar_services.sar_deadlines_sweep() == 0
    sweep_deadlines()

    told = _sar_notifications(request, "approaching")
    assert told.count() == 1
    assert told.get().recipient == dina
    assert request.reference in told.get().message


def test_the_sweep_tells_once_of_a_breached_request_and_nobody_of_one_far_off(dina):
    breached = _open(dina, timezone.localdate() - timedelta(days=40))
    far_off = _open(dina, timezone.localdate())

    sweep_deadlines()
    sweep_deadlines()

    assert _sar_notifications(breached, "breached").count() == 1
    assert not Notification.objects.filter(subject__startswith=f"sar:{far_off.pk}:").exists()


def test_closing_a_request_resolves_what_the_sweep_told(dina):
    request = _open(dina, timezone.localdate() - timedelta(days=40))
    sar_services.sar_deadlines_sweep()

    sar_services.sar_close(request=request, reason="Withdrawn by the client", closed_by=dina)

    told = _sar_notifications(request, "breached").get()
    assert told.resolved_at is not None
    assert SubjectAccessRequest.objects.get(pk=request.pk).status == "closed"


def test_an_extension_resolves_the_approaching_notice_and_the_sweep_tells_again_later(dina):
    request = _open(dina, timezone.localdate() - timedelta(days=27))
    sar_services.sar_deadlines_sweep()

    sar_services.sar_extend(request=request, months=1, reason="Complex", extended_by=dina)

    assert _sar_notifications(request, "approaching").get().resolved_at is not None
    assert sar_services.sar_deadlines_sweep() == 0
    later = timezone.now() + timedelta(days=30)
    assert sar_services.sar_deadlines_sweep(now=later) == 1


def test_the_demo_opens_one_request_near_its_deadline_and_loading_again_adds_none(alice):
    from demo.dp_sar import subject_access_load

    ClientFactory(created_by=alice)
    now = timezone.now()

    first = subject_access_load(now=now)
    again = subject_access_load(now=now)

    assert first == again
    assert SubjectAccessRequest.objects.count() == 1
    assert SubjectAccessRequest.objects.approaching(today=timezone.localdate(now)).get() == first
