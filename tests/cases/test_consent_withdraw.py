"""Recording on the client page that a client withdrew consent."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import CaseShare
from tests.conftest import client_for
from tests.factories import CaseFactory, ConsentFactory

pytestmark = pytest.mark.django_db


def _shared_on_consent(alice, dave):
    case = CaseFactory(assigned_to=alice)
    consent = ConsentFactory(client=case.client, recorded_by=alice)
    share = services.case_share(
        case=case,
        shared_with=dave,
        level=CaseShare.Level.VIEW,
        reason="Covering the duty desk",
        consent=consent,
        expires_on=timezone.localdate() + timedelta(days=7),
        shared_by=alice,
    )
    return case, consent, share


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


def test_the_client_page_offers_the_withdraw_button_to_whoever_manages_the_client(alice):
    case = CaseFactory(assigned_to=alice)
    consent = ConsentFactory(client=case.client, recorded_by=alice)
    page = client_for(alice).get(reverse("cases:client_detail", args=[case.client_id]))
    assert _withdraw_url(consent) in page.content.decode()


def test_withdrawing_a_consent_already_withdrawn_changes_nothing(alice, dave):
    _case, consent, _share = _shared_on_consent(alice, dave)
    services.consent_withdraw(
        consent=consent, withdrawn_by=alice, on=timezone.localdate() - timedelta(days=3)
    )
    response = client_for(alice).post(_withdraw_url(consent))
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate() - timedelta(days=3)


def test_someone_who_only_holds_a_share_cannot_withdraw_the_consent(alice, dave):
    _case, consent, _share = _shared_on_consent(alice, dave)
    response = client_for(dave).post(_withdraw_url(consent))
    assert response.status_code in (403, 404)
    consent.refresh_from_db()
    assert consent.is_current


def test_an_adviser_of_another_team_is_told_the_client_does_not_exist(alice, sam):
    case = CaseFactory(assigned_to=alice)
    consent = ConsentFactory(client=case.client, recorded_by=alice)
    assert client_for(sam).post(_withdraw_url(consent)).status_code == 404
    consent.refresh_from_db()
    assert consent.is_current


def test_withdrawing_needs_a_post(alice):
    case = CaseFactory(assigned_to=alice)
    consent = ConsentFactory(client=case.client, recorded_by=alice)
    assert client_for(alice).get(_withdraw_url(consent)).status_code == 405
