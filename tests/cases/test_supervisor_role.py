"""Every supervisor power needs the Supervisor role *and* a supervisor place in the team.

``ned`` is listed among North's supervisors but holds only the Adviser role;
``nora`` is listed there and holds no role at all. Neither gets anything a
supervisor gets: team cases, the unallocated queue, reassigning, the dashboard,
reviews and their sign-off, overrides, reports or a supervisor's notifications.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import selectors, services
from cases.models import Case, Team, User
from notifications.models import Notification
from priorities import services as priority_services
from reviews import selectors as review_selectors
from reviews import services as review_services
from reviews.models import CaseloadReport
from tests.conftest import client_for
from tests.factories import (
    AdviserFactory,
    CaseFactory,
    CaseTypeFactory,
    UserFactory,
    published_criteria,
)

pytestmark = pytest.mark.django_db

LISTED = ["ned", "nora"]


@pytest.fixture
def ned(north: Team) -> User:
    """Listed among North's supervisors with only the Adviser role."""
    user = AdviserFactory(username="ned", first_name="Ned", last_name="Nash")
    north.supervisors.add(user)
    return user


@pytest.fixture
def nora(north: Team) -> User:
    """Listed among North's supervisors with no role at all."""
    user = UserFactory(username="nora", first_name="Nora", last_name="Noble")
    north.supervisors.add(user)
    return user


@pytest.fixture
def listed(request: pytest.FixtureRequest) -> User:
    return request.getfixturevalue(request.param)


@pytest.fixture
def referral(north: Team, carol: User) -> Case:
    return services.referral_in(
        team=north,
        case_type=CaseTypeFactory(),
        agency="Shelter",
        contact="",
        reason="Facing eviction",
        presenting_issue="Section 21 notice",
        received_by=carol,
        client_fields={"given_name": "Ada", "family_name": "Quorndonshire"},
    )


def _submitted_review(alice: User):
    CaseFactory(assigned_to=alice)
    review = review_services.review_start(adviser=alice, started_by=alice)
    for case in review_services.review_cases(review):
        review_services.review_decide(
            review=review, case=case, decision="continue", comment="", decided_by=alice
        )
    review_services.review_reflect(
        review=review,
        reflected_by=alice,
        factors=["Case complexity"],
        factors_note="",
        improvements="Book follow-up calls at the first meeting.",
        adviser_actions="Close dormant cases.",
        supervisor_actions="",
    )
    return review_services.review_submit(review=review, submitted_by=alice)


@pytest.mark.parametrize("listed", LISTED, indirect=True)
def test_a_team_listed_non_supervisor_leads_no_team(listed, carol, north):
    assert list(selectors.supervised_teams(listed)) == []
    assert not selectors.supervises(listed, north.pk)
    assert list(selectors.team_supervisors(north.pk)) == [carol]


@pytest.mark.parametrize("listed", LISTED, indirect=True)
def test_a_team_listed_non_supervisor_does_not_see_the_teams_cases(listed, alice):
    case = CaseFactory(assigned_to=alice)

    assert not selectors.visible_cases(listed).filter(pk=case.pk).exists()
    assert client_for(listed).get(reverse("cases:case_detail", args=[case.pk])).status_code == 404


@pytest.mark.parametrize("listed", LISTED, indirect=True)
def test_a_team_listed_non_supervisor_gets_no_unallocated_queue(listed, referral):
    assert list(selectors.unallocated_for(listed)) == []
    assert client_for(listed).get(reverse("cases:unallocated")).status_code == 403


def test_a_team_listed_adviser_cannot_reassign_a_team_case(ned, alice, bob):
    case = CaseFactory(assigned_to=alice)
    url = reverse("cases:case_reassign", args=[case.pk])

    response = client_for(ned).post(url, {"adviser": bob.pk, "handover_note": "Over to Bob"})

    assert response.status_code in (403, 404)
    with pytest.raises(ValidationError):
        services.case_assign(case=case, adviser=bob, assigned_by=ned, handover_note="Over to Bob")
    case.refresh_from_db()
    assert case.assigned_to == alice


def test_the_case_page_offers_reassigning_only_to_a_supervisor_with_the_role(ned, alice):
    case = CaseFactory(assigned_to=alice)
    assert not selectors.case_is_supervised_by(case, ned)
    assert not selectors.case_can_manage(ned, case)


@pytest.mark.parametrize("listed", LISTED, indirect=True)
def test_a_team_listed_non_supervisor_gets_no_dashboard(listed, alice, north):
    as_listed = client_for(listed)

    assert as_listed.get(reverse("reviews:team_dashboard")).status_code == 403
    response = as_listed.get(
        reverse("reviews:dashboard_cases"), {"team": north.pk, "figure": "open"}
    )
    assert response.status_code == 403


def test_a_team_listed_adviser_neither_sees_nor_signs_off_a_team_members_review(ned, alice, carol):
    review = _submitted_review(alice)

    assert not review_selectors.reviews_visible_to(ned).filter(pk=review.pk).exists()
    response = client_for(ned).get(reverse("reviews:review_detail", args=[review.pk]))
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        review_services.review_sign_off(review=review, signed_off_by=ned)
    assert review_services.review_sign_off(review=review, signed_off_by=carol).is_signed_off


def test_a_team_listed_adviser_cannot_start_a_team_members_review(ned, alice):
    response = client_for(ned).post(reverse("reviews:review_start"), {"adviser": alice.pk})

    assert response.status_code == 404
    with pytest.raises(ValidationError):
        review_services.review_start(adviser=alice, started_by=ned)


def test_a_team_listed_adviser_cannot_override_a_priority(ned, alice):
    published_criteria()
    case = CaseFactory(assigned_to=alice)

    assert client_for(ned).get(reverse("priorities:override", args=[case.pk])).status_code == 403
    with pytest.raises(ValidationError):
        priority_services.assessment_override(
            case=case, level="red", rationale="Known risk", overridden_by=ned
        )


@pytest.mark.parametrize("listed", LISTED, indirect=True)
def test_a_team_listed_non_supervisor_gets_no_report(listed, alice, carol):
    CaseFactory(assigned_to=alice)

    review_services.reports_generate_all(email=False)

    assert set(CaseloadReport.objects.values_list("supervisor__username", flat=True)) == {"carol"}
    assert client_for(listed).get(reverse("reviews:report_list")).status_code == 403


@pytest.mark.parametrize("listed", LISTED, indirect=True)
def test_a_team_listed_non_supervisor_is_not_told_of_a_red_case(listed, alice, carol):
    published_criteria()
    case = CaseFactory(assigned_to=alice)

    priority_services.assessment_override(
        case=case, level="red", rationale="Known risk from the partner", overridden_by=carol
    )

    assert not Notification.objects.filter(recipient=listed).exists()
    assert Notification.objects.filter(recipient=alice).exists()


@pytest.mark.parametrize("listed", LISTED, indirect=True)
def test_a_team_listed_non_supervisor_is_not_told_of_a_break_glass(listed, alice, bob, carol):
    case = CaseFactory(assigned_to=alice, restricted=True)

    services.break_glass(case=case, user=bob, reason="Client at reception in crisis now")

    assert not Notification.objects.filter(recipient=listed).exists()
    assert Notification.objects.filter(recipient=carol).exists()


def test_an_adviser_s_supervisors_are_those_with_the_role(ned, nora, alice, carol):
    assert list(review_selectors.supervisors_of(alice)) == [carol]
    assert not review_selectors.is_supervisor_of(ned, alice)


def test_the_supervisor_role_without_a_supervisor_place_leads_nothing(alice, north):
    from tests.factories import SupervisorFactory

    unplaced = SupervisorFactory(username="una")
    north.members.add(unplaced)
    case = CaseFactory(assigned_to=alice)

    assert list(selectors.supervised_teams(unplaced)) == []
    assert not selectors.visible_cases(unplaced).filter(pk=case.pk).exists()


def test_a_deactivated_supervisor_leads_nothing(carol, north):
    carol.is_active = False
    carol.save()

    assert list(selectors.supervised_teams(carol)) == []
    assert list(selectors.team_supervisors(north.pk)) == []
