"""Recording on the client page that a client withdrew consent: a confirmation that says
what ends, then the live shares and pending referrals out resting on it end at once, with
an entry on each case's timeline and a notice to each colleague whose access ended."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, CaseShare, ConsentRecord, Referral
from notifications.models import Kind, Notification
from tests.conftest import client_for
from tests.factories import CaseFactory, ConsentFactory

pytestmark = pytest.mark.django_db

REASON = "The client no longer wants the duty desk to see her file"


def _share(case, shared_by, shared_with, consent):
    return services.case_share(
        case=case,
        shared_with=shared_with,
        level=CaseShare.Level.VIEW,
        reason="Covering the duty desk",
        consent=consent,
        expires_on=timezone.localdate() + timedelta(days=7),
        shared_by=shared_by,
    )


def _refer(case, consent, agency="Shelter"):
    return services.referral_out(
        case=case,
        agency=agency,
        contact="",
        reason="Housing advice",
        consent=consent,
        follow_up_on=None,
        created_by=case.assigned_to,
    )


def _shared_on_consent(alice, dave):
    case = CaseFactory(assigned_to=alice)
    consent = ConsentFactory(client=case.client, recorded_by=alice)
    share = _share(case, alice, dave, consent)
    return case, consent, share


def _world(alice, bob, dave):
    """Alice's case of one client with two consents: "all" (a share with dave, a pending
    referral to Shelter and one Shelter already accepted) and "colleagues" (a share with
    bob)."""
    case = CaseFactory(assigned_to=alice)
    everything = ConsentFactory(
        client=case.client, recorded_by=alice, scope="all", shared_with="Anyone involved"
    )
    colleagues = ConsentFactory(client=case.client, recorded_by=alice)
    to_dave = _share(case, alice, dave, everything)
    to_bob = _share(case, alice, bob, colleagues)
    pending = _refer(case, everything)
    accepted = _refer(case, everything, agency="Citizens Advice")
    Referral.objects.filter(pk=accepted.pk).update(status=Referral.Status.ACCEPTED)
    return case, everything, to_dave, to_bob, pending, accepted


def _withdraw_url(consent) -> str:
    return reverse("cases:consent_withdraw", args=[consent.client_id, consent.pk])


def test_the_adviser_withdraws_a_consent_and_the_shares_resting_on_it_end(alice, dave):
    _case, consent, share = _shared_on_consent(alice, dave)
    response = client_for(alice).post(_withdraw_url(consent))
    assert response.status_code == 302
    consent.refresh_from_db()
    share.refresh_from_db()
    assert not consent.is_current
    assert share.revoked_at is not None
    assert consent.withdrawn_by == alice


def test_the_client_page_links_to_the_withdrawal_for_whoever_manages_the_client(alice):
    case = CaseFactory(assigned_to=alice)
    consent = ConsentFactory(client=case.client, recorded_by=alice)
    page = client_for(alice).get(reverse("cases:client_detail", args=[case.client_id]))
    assert _withdraw_url(consent) in page.content.decode()


def test_the_confirmation_names_each_share_and_pending_referral_that_will_end(alice, bob, dave):
    case, everything, *_ = _world(alice, bob, dave)
    page = client_for(alice).get(_withdraw_url(everything))
    assert page.status_code == 200
    text = page.content.decode()
    assert f'Share of <a href="{reverse("cases:case_detail", args=[case.pk])}">' in text
    assert dave.display_name in text
    assert "out to Shelter" in text
    assert bob.display_name not in text  # bob's share rests on the other consent
    assert "Citizens Advice" not in text  # accepted already: it does not end
    everything.refresh_from_db()
    assert everything.is_current


def test_the_confirmation_counts_what_ends_on_cases_the_adviser_cannot_see(alice, bob, dave, south):
    case = CaseFactory(assigned_to=alice)
    consent = ConsentFactory(client=case.client, recorded_by=alice)
    other = CaseFactory(client=case.client, assigned_to=alice)
    _share(other, alice, bob, consent)
    # The other case has since moved to dave in the South team.
    Case.objects.filter(pk=other.pk).update(assigned_to=dave, team=south)
    text = client_for(alice).get(_withdraw_url(consent)).content.decode()
    assert other.reference not in text
    assert "1 more share or referral on cases you cannot see ends too" in text


def test_withdrawal_ends_the_shares_and_pending_referrals_on_it_and_nothing_else(alice, bob, dave):
    case, everything, to_dave, to_bob, pending, accepted = _world(alice, bob, dave)
    services.consent_withdraw(consent=everything, withdrawn_by=alice, reason=REASON)
    for row in (to_dave, to_bob, pending, accepted):
        row.refresh_from_db()
    assert to_dave.revoked_at is not None
    assert to_dave.revoked_by == alice
    assert to_bob.revoked_at is None
    assert pending.status == Referral.Status.WITHDRAWN
    assert accepted.status == Referral.Status.ACCEPTED
    assert not Case.objects.visible_to(dave).filter(pk=case.pk).exists()
    assert Case.objects.visible_to(bob).filter(pk=case.pk).exists()


def test_withdrawal_records_on_the_case_timeline_what_ended(alice, bob, dave):
    case, everything, *_ = _world(alice, bob, dave)
    services.consent_withdraw(consent=everything, withdrawn_by=alice, reason=REASON)
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CONSENT_ENDED)
    assert event.summary == (
        f"Consent withdrawn: share with {dave.display_name} ended; 1 referral out withdrawn"
    )
    assert "Referral to Shelter withdrawn." in event.detail
    assert REASON in event.detail
    assert event.actor == alice
    assert "Shelter" not in event.summary


def test_the_colleague_whose_share_ended_is_told_without_client_data(alice, bob, dave):
    case, everything, *_ = _world(alice, bob, dave)
    services.consent_withdraw(consent=everything, withdrawn_by=alice)
    notice = Notification.objects.get(recipient=dave)
    assert notice.kind == Kind.ACCESS
    assert notice.message == (
        f"Your access to {case.reference} has ended: the client's consent it rested on "
        "was withdrawn."
    )
    assert case.client.family_name not in notice.message
    assert not Notification.objects.filter(recipient=bob).exists()


def test_withdrawing_twice_ends_nothing_more(alice, bob, dave):
    case, everything, *_ = _world(alice, bob, dave)
    services.consent_withdraw(consent=everything, withdrawn_by=alice)
    again = services.consent_withdraw(consent=everything, withdrawn_by=bob, reason="again")
    assert again.shares == []
    assert again.referrals == []
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CONSENT_ENDED).count() == 1
    assert Notification.objects.filter(recipient=dave).count() == 1
    everything.refresh_from_db()
    assert everything.withdrawn_by == alice
    assert everything.withdrawal_reason is None


def test_the_reason_given_is_kept_encrypted(alice, dave):
    _case, consent, _share = _shared_on_consent(alice, dave)
    client_for(alice).post(_withdraw_url(consent), {"reason": REASON})
    consent.refresh_from_db()
    assert consent.withdrawal_reason == REASON
    with connection.cursor() as cursor:
        cursor.execute(
            "select withdrawal_reason from cases_consentrecord where id = %s", [consent.pk]
        )
        (stored,) = cursor.fetchone()
    assert REASON not in stored


def test_withdrawing_a_consent_already_withdrawn_changes_nothing(alice, dave):
    _case, consent, _share = _shared_on_consent(alice, dave)
    services.consent_withdraw(
        consent=consent, withdrawn_by=alice, on=timezone.localdate() - timedelta(days=3)
    )
    response = client_for(alice).post(_withdraw_url(consent))
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate() - timedelta(days=3)


def test_the_client_page_shows_who_recorded_the_withdrawal_and_why(alice, dave):
    case, consent, _share = _shared_on_consent(alice, dave)
    services.consent_withdraw(consent=consent, withdrawn_by=alice, reason=REASON)
    text = client_for(alice).get(reverse("cases:client_detail", args=[case.client_id]))
    body = text.content.decode()
    assert f"Withdrawal recorded by {alice.display_name}." in body
    assert REASON in body
    assert _withdraw_url(consent) not in body


def test_someone_who_only_holds_a_share_cannot_withdraw_the_consent(alice, dave):
    _case, consent, _share = _shared_on_consent(alice, dave)
    assert client_for(dave).get(_withdraw_url(consent)).status_code in (403, 404)
    response = client_for(dave).post(_withdraw_url(consent))
    assert response.status_code in (403, 404)
    consent.refresh_from_db()
    assert consent.is_current


def test_an_adviser_of_another_team_is_told_the_client_does_not_exist(alice, sam):
    case = CaseFactory(assigned_to=alice)
    consent = ConsentFactory(client=case.client, recorded_by=alice)
    assert client_for(sam).get(_withdraw_url(consent)).status_code == 404
    assert client_for(sam).post(_withdraw_url(consent)).status_code == 404
    consent.refresh_from_db()
    assert consent.is_current


def test_an_admin_cannot_withdraw_a_consent(alice, erin):
    case = CaseFactory(assigned_to=alice)
    consent = ConsentFactory(client=case.client, recorded_by=alice)
    assert client_for(erin).get(_withdraw_url(consent)).status_code in (403, 404)
    assert client_for(erin).post(_withdraw_url(consent)).status_code in (403, 404)
    consent.refresh_from_db()
    assert consent.is_current


def test_the_supervisor_of_the_team_may_withdraw_a_consent(alice, carol, dave):
    _case, consent, share = _shared_on_consent(alice, dave)
    assert client_for(carol).post(_withdraw_url(consent)).status_code == 302
    share.refresh_from_db()
    assert share.revoked_by == carol


def test_opening_the_withdrawal_changes_nothing(alice, dave):
    _case, consent, share = _shared_on_consent(alice, dave)
    assert client_for(alice).get(_withdraw_url(consent)).status_code == 200
    consent.refresh_from_db()
    share.refresh_from_db()
    assert consent.is_current
    assert share.revoked_at is None
    assert ConsentRecord.objects.current().filter(pk=consent.pk).exists()
