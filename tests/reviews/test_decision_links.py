"""A review decision is linked to the change that carries it out when that change is made
from the decision, and showing a review writes nothing."""

import pytest
from django.apps import apps
from django.urls import reverse

from cases import services as case_services
from cases.models import CaseEvent
from reviews import services
from reviews.models import ReviewDecision
from tests.conftest import client_for
from tests.factories import CaseFactory, published_criteria

pytestmark = pytest.mark.django_db


def _review_tables() -> dict[str, list[tuple]]:
    """Every row of every reviews table, as stored."""
    return {
        model._meta.db_table: sorted(model.objects.values_list(), key=lambda row: row[0])
        for model in apps.get_app_config("reviews").get_models()
    }


def _reassign_decision(alice, carol):
    case = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=carol)
    decision = services.review_decide(
        review=review, case=case, decision="reassign", comment="Bob knows it", decided_by=carol
    )
    return review, case, decision


def test_showing_a_review_and_its_csv_writes_nothing_to_the_review_tables(alice, bob, carol):
    review, case, decision = _reassign_decision(alice, carol)
    case_services.case_assign(case=case, adviser=bob, assigned_by=carol, handover_note="Yours")
    before = _review_tables()
    supervisor = client_for(carol)
    assert supervisor.get(reverse("reviews:review_detail", args=[review.pk])).status_code == 200
    assert supervisor.get(reverse("reviews:review_csv", args=[review.pk])).status_code == 200
    assert _review_tables() == before
    decision.refresh_from_db()
    assert decision.needs_change


def test_the_review_page_links_a_change_to_the_decision_it_carries_out(alice, carol):
    review, case, decision = _reassign_decision(alice, carol)
    page = client_for(carol).get(reverse("reviews:review_detail", args=[review.pk]))
    link = f"{reverse('cases:case_reassign', args=[case.pk])}?decision={decision.pk}"
    assert link in page.content.decode()


def test_a_reassignment_made_from_a_decision_is_linked_to_it(alice, bob, carol):
    _review, case, decision = _reassign_decision(alice, carol)
    supervisor = client_for(carol)
    url = reverse("cases:case_reassign", args=[case.pk])
    form = supervisor.get(f"{url}?decision={decision.pk}")
    assert f'name="decision" value="{decision.pk}"' in form.content.decode()
    response = supervisor.post(
        url, {"adviser": bob.pk, "handover_note": "Over to you", "decision": decision.pk}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.change_event.kind == CaseEvent.Kind.ASSIGNED
    assert not decision.needs_change


def test_a_priority_override_made_from_a_decision_is_linked_to_it(alice, carol):
    published_criteria()
    case = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    decision = services.review_decide(
        review=review, case=case, decision="change_priority", comment="Risk up", decided_by=alice
    )
    client_for(carol).post(
        reverse("priorities:override", args=[case.pk]),
        {"level": "red", "rationale": "Eviction date set", "decision": decision.pk},
    )
    decision.refresh_from_db()
    assert decision.change_assessment is not None
    assert decision.change_assessment.case == case


def test_a_change_made_without_a_decision_links_none(alice, bob, carol):
    _review, case, decision = _reassign_decision(alice, carol)
    client_for(carol).post(
        reverse("cases:case_reassign", args=[case.pk]),
        {"adviser": bob.pk, "handover_note": "Over to you"},
    )
    decision.refresh_from_db()
    assert decision.needs_change


def test_a_decision_about_another_case_is_not_linked_to_this_change(alice, bob, carol):
    _review, _case, decision = _reassign_decision(alice, carol)
    other = CaseFactory(assigned_to=alice)
    client_for(carol).post(
        reverse("cases:case_reassign", args=[other.pk]),
        {"adviser": bob.pk, "handover_note": "Over to you", "decision": decision.pk},
    )
    assert ReviewDecision.objects.get(pk=decision.pk).needs_change
