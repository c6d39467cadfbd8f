"""A consent given until a date: past that date it is not current anywhere (one rule,
``ConsentQuerySet.current`` and ``ConsentRecord.is_current``), access on the shares resting
on it stops, and the deadline sweep ends those shares with a timeline entry and a notice."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import selectors, services
from cases.models import Case, CaseEvent, CaseShare, ConsentRecord
from notifications.models import Kind, Notification
from priorities.sweep import sweep_deadlines
from tests.conftest import client_for
from tests.factories import CaseFactory, ConsentFactory

pytestmark = pytest.mark.django_db


def _today() -> date:
    """Today, asked each time: a date taken once at import is yesterday's for the tests
    that run after midnight."""
    return timezone.localdate()


def _consent(case, scope="colleagues", **extra):
    return ConsentFactory(client=case.client, recorded_by=case.assigned_to, scope=scope, **extra)


def _share(case, shared_with, consent, days=14):
    return services.case_share(
        case=case,
        shared_with=shared_with,
        level=CaseShare.Level.VIEW,
        reason="Covering the duty desk",
        consent=consent,
        expires_on=_today() + timedelta(days=days),
        shared_by=case.assigned_to,
    )


def _days_on(days: int) -> datetime:
    """Noon, ``days`` days from today."""
    return timezone.make_aware(
        datetime.combine(_today() + timedelta(days=days), datetime.min.time())
    ) + timedelta(hours=12)


def test_a_consent_is_current_up_to_and_including_its_last_day(alice):
    consent = _consent(CaseFactory(assigned_to=alice), expires_on=_today())
    assert consent.is_current
    assert ConsentRecord.objects.current(today=_today()).filter(pk=consent.pk).exists()


def test_a_consent_past_its_end_date_is_not_current(alice):
    consent = _consent(CaseFactory(assigned_to=alice), expires_on=_today() - timedelta(days=1))
    assert not consent.is_current
    assert consent.is_expired
    assert not ConsentRecord.objects.current().filter(pk=consent.pk).exists()
    assert ConsentRecord.objects.expired().filter(pk=consent.pk).exists()


def test_a_withdrawn_consent_is_not_counted_as_expired(alice):
    consent = _consent(
        CaseFactory(assigned_to=alice),
        expires_on=_today() - timedelta(days=1),
        withdrawn_on=_today() - timedelta(days=5),
    )
    assert not consent.is_expired
    assert not ConsentRecord.objects.expired().filter(pk=consent.pk).exists()


def test_the_forms_offer_no_expired_consent(alice):
    case = CaseFactory(assigned_to=alice)
    current = _consent(case, "all", shared_with="Anyone", expires_on=_today() + timedelta(days=1))
    _consent(case, "all", shared_with="Anyone", expires_on=_today() - timedelta(days=1))
    _consent(case, "colleagues", expires_on=_today() - timedelta(days=1))
    assert selectors.consents_for_sharing(case) == [current]
    assert selectors.consents_for_referral(case, agency="Shelter") == [current]
    share_page = client_for(alice).get(reverse("cases:share_add", args=[case.pk]))
    offered = {c.pk for c in share_page.context["form"].fields["consent"].queryset}
    assert offered == {current.pk}


def test_the_referral_form_offers_only_current_consents_naming_the_agency(alice):
    case = CaseFactory(assigned_to=alice)
    current = _consent(case, "referral", shared_with="Shelter")
    _consent(case, "referral", shared_with="Shelter", expires_on=_today() - timedelta(days=1))
    _consent(case, "referral", shared_with="Step Change")
    _consent(case, "contact", channel="email", shared_with="")
    response = client_for(alice).post(
        reverse("cases:referral_out_add", args=[case.pk]),
        {"agency": "Shelter", "reason": "Housing advice"},
    )
    assert response.status_code == 400
    offered = {c.pk for c in response.context["form"].fields["consent"].queryset}
    assert offered == {current.pk}


def test_a_share_on_an_expired_consent_is_refused(alice, bob):
    case = CaseFactory(assigned_to=alice)
    expired = _consent(case, expires_on=_today() - timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        _share(case, bob, expired)
    assert "consent" in error.value.error_dict


def test_a_referral_on_an_expired_consent_is_refused(alice):
    case = CaseFactory(assigned_to=alice)
    expired = _consent(case, "all", shared_with="Anyone", expires_on=_today() - timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        services.referral_out(
            case=case,
            agency="Shelter",
            contact="",
            reason="Housing advice",
            consent=expired,
            follow_up_on=None,
            created_by=alice,
        )
    assert "consent" in error.value.error_dict


def test_access_on_a_share_stops_when_its_consent_ends_even_before_the_sweep(alice, dave):
    case = CaseFactory(assigned_to=alice)
    _share(case, dave, _consent(case, expires_on=_today() + timedelta(days=2)))
    assert Case.objects.visible_to(dave, now=_days_on(2)).filter(pk=case.pk).exists()
    assert not Case.objects.visible_to(dave, now=_days_on(3)).filter(pk=case.pk).exists()


def test_the_sweep_ends_the_shares_on_an_expired_consent_and_records_it(alice, bob, dave):
    case = CaseFactory(assigned_to=alice)
    ending = _share(case, dave, _consent(case, expires_on=_today() + timedelta(days=2)))
    staying = _share(case, bob, _consent(case))

    result = sweep_deadlines(now=_days_on(3))

    ending.refresh_from_db()
    staying.refresh_from_db()
    assert result.consent_shares_ended == 1
    assert ending.revoked_at == _days_on(3)
    assert ending.revoked_by is None
    assert staying.revoked_at is None
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CONSENT_ENDED)
    assert event.summary == f"Consent expired: share with {dave.display_name} ended"
    assert event.actor is None
    notice = Notification.objects.get(recipient=dave, kind=Kind.ACCESS)
    assert case.reference in notice.message
    assert "expired" in notice.message


def test_running_the_sweep_again_ends_nothing_more(alice, dave):
    case = CaseFactory(assigned_to=alice)
    _share(case, dave, _consent(case, expires_on=_today() + timedelta(days=2)))
    sweep_deadlines(now=_days_on(3))
    again = sweep_deadlines(now=_days_on(4))
    assert again.consent_shares_ended == 0
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CONSENT_ENDED).count() == 1
    assert Notification.objects.filter(recipient=dave, kind=Kind.ACCESS).count() == 1


def test_the_sweep_leaves_shares_on_a_consent_still_in_its_last_day(alice, dave):
    case = CaseFactory(assigned_to=alice)
    share = _share(case, dave, _consent(case, expires_on=_today() + timedelta(days=2)))
    assert sweep_deadlines(now=_days_on(2)).consent_shares_ended == 0
    share.refresh_from_db()
    assert share.revoked_at is None


def test_a_pending_referral_stays_when_its_consent_expires(alice):
    case = CaseFactory(assigned_to=alice)
    consent = _consent(case, "all", shared_with="Anyone", expires_on=_today() + timedelta(days=2))
    referral = services.referral_out(
        case=case,
        agency="Shelter",
        contact="",
        reason="Housing advice",
        consent=consent,
        follow_up_on=None,
        created_by=alice,
    )
    sweep_deadlines(now=_days_on(3))
    referral.refresh_from_db()
    assert referral.status == referral.Status.SENT


def test_the_client_page_marks_an_expired_consent_as_ended(alice):
    case = CaseFactory(assigned_to=alice)
    _consent(case, expires_on=_today() - timedelta(days=1))
    body = client_for(alice).get(reverse("cases:client_detail", args=[case.client_id]))
    assert "Ended " in body.content.decode()
