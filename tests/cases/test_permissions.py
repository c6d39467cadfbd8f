"""Who may open which client and case page, and who may do what to a case.

The rules: an object page answers 404 to anyone who may not see the record
(so a refusal never confirms that it exists) and 403 to someone who may see
the case but not do this to it; a role page answers 403 to a signed-in user
without the role. Every situation is built through the factories and
services, and every request goes through the real views and database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    BreakGlassAccess,
    Case,
    CaseDeadline,
    CaseEvent,
    CaseShare,
    Client,
    ConsentRecord,
    Obstacle,
    Outcome,
    OutcomeProgress,
    Referral,
    User,
)
from tests.conftest import client_for
from tests.factories import AdviserFactory, CaseFactory, ConsentFactory
from tests.personas import (
    become as _become,
)
from tests.personas import (
    share as _share,
)
from tests.personas import (
    share_expired as _share_expired,
)

pytestmark = pytest.mark.django_db

CRISIS = "Client in crisis at reception"


# --- the situations -----------------------------------------------------------


def _uk(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


@dataclass
class Scene:
    """Alice's open North case, with one of everything an action can act on."""

    case: Case
    consent: ConsentRecord
    deadline: CaseDeadline
    outcome: Outcome
    obstacle: Obstacle
    frank_share: CaseShare
    bob: User

    def url(self, action: str) -> str:
        extra = {
            "deadline_status": [self.deadline.pk, CaseDeadline.Status.MET],
            "outcome_progress": [self.outcome.pk],
            "obstacle_resolve": [self.obstacle.pk],
            "share_revoke": [self.frank_share.pk],
        }.get(action, [])
        return reverse(f"cases:{action}", args=[self.case.pk, *extra])

    def valid_post(self, action: str) -> dict[str, object]:
        """Form data the action accepts from someone allowed to take it."""
        return {
            "case_status": {"status": Case.Status.ON_HOLD, "comment": "Waiting for the council"},
            "outcome_add": {
                "description": "Keep the tenancy",
                "measure": "Possession claim withdrawn",
                "target_date": _uk(_in_days(60)),
            },
            "share_add": {
                "shared_with": self.bob.pk,
                "level": CaseShare.Level.VIEW,
                "reason": "Covering the duty desk",
                "consent": self.consent.pk,
                "expires_on": _uk(_in_days(7)),
            },
            "share_revoke": {},
            "referral_out_add": {
                "agency": "Shelter",
                "contact": "Housing helpline",
                "reason": "Specialist housing advice",
                "consent": self.consent.pk,
                "follow_up_on": _uk(_in_days(14)),
            },
            "case_reassign": {
                "adviser": self.bob.pk,
                "handover_note": "Hearing next month; papers are in the file.",
            },
            "deadline_add": {"due_on": _uk(_in_days(10)), "description": "Appeal deadline"},
            "deadline_status": {},
            "obstacle_add": {
                "kind": Obstacle.Kind.AWAITING_THIRD_PARTY,
                "description": "Waiting for the landlord's statement",
            },
            "outcome_progress": {
                "status": Outcome.Status.IN_PROGRESS,
                "progress_percent": 50,
                "note": "Arrears agreement drafted",
            },
            "obstacle_resolve": {"resolution": "The landlord replied"},
        }[action]


@pytest.fixture
def scene(alice: User, bob: User) -> Scene:
    case = CaseFactory(assigned_to=alice)
    consent = ConsentFactory(client=case.client, recorded_by=alice, scope="all")
    frank = AdviserFactory(username="frank", first_name="Frank", last_name="Fisher")
    return Scene(
        case=case,
        consent=consent,
        deadline=services.deadline_add(
            case=case, due_on=_in_days(21), description="Hearing", added_by=alice
        ),
        outcome=services.outcome_add(
            case=case,
            description="Stay in the home",
            measure="No eviction",
            target_date=_in_days(90),
            added_by=alice,
        ),
        obstacle=services.obstacle_record(
            case=case,
            kind=Obstacle.Kind.FINANCIAL,
            description="Benefit payments stopped",
            raised_by=alice,
        ),
        frank_share=_share(case, frank, CaseShare.Level.VIEW),
        bob=bob,
    )


@pytest.fixture
def restricted_case(alice: User) -> Case:
    return CaseFactory(assigned_to=alice, restricted=True)


def _matrix(expected: dict[str, int]) -> list[pytest.param]:
    return [pytest.param(persona, status, id=persona) for persona, status in expected.items()]


# --- seeing a case and its client ---------------------------------------------------

SEES = {
    "the owner": 200,
    "a team-mate": 404,
    "the team supervisor": 200,
    "another team's adviser": 404,
    "another team's supervisor": 404,
    "an admin": 404,
    "a colleague with a view share": 200,
    "a colleague with a contribute share": 200,
    "a colleague with an expired share": 404,
    "a colleague with a revoked share": 404,
}


@pytest.mark.parametrize(("persona", "status"), _matrix(SEES))
def test_the_case_page_opens_only_to_those_who_may_see_the_case(request, scene, persona, status):
    user = _become(request, scene.case, persona)

    response = client_for(user).get(reverse("cases:case_detail", args=[scene.case.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(("persona", "status"), _matrix(SEES))
def test_the_client_page_opens_only_to_those_who_may_see_one_of_their_cases(
    request, scene, persona, status
):
    user = _become(request, scene.case, persona)

    response = client_for(user).get(reverse("cases:client_detail", args=[scene.case.client.pk]))

    assert response.status_code == status


def test_a_team_mate_gets_not_found_on_a_case_not_shared_with_them(scene, bob):
    response = client_for(bob).get(reverse("cases:case_detail", args=[scene.case.pk]))

    assert response.status_code == 404
    assert scene.case.reference.encode() not in response.content


def _without_csrf_token(html: bytes) -> bytes:
    """The page without its CSRF token, which Django masks afresh for every response."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", html)


def test_a_refusal_looks_the_same_as_a_case_that_does_not_exist(scene, dave):
    client = client_for(dave)

    refused = client.get(reverse("cases:case_detail", args=[scene.case.pk]))
    missing = client.get(reverse("cases:case_detail", args=[scene.case.pk + 1000]))

    assert refused.status_code == missing.status_code == 404
    assert _without_csrf_token(refused.content) == _without_csrf_token(missing.content)


def test_a_case_page_shows_a_view_share_no_buttons_to_change_the_case(scene, dave):
    _share(scene.case, dave, CaseShare.Level.VIEW)

    response = client_for(dave).get(reverse("cases:case_detail", args=[scene.case.pk]))

    assert response.context["can_manage"] is False
    assert response.context["can_contribute"] is False
    assert response.context["can_reassign"] is False
    assert response.context["shares"] == []


def test_a_case_page_lets_a_contribute_share_contribute_but_not_manage(scene, dave):
    _share(scene.case, dave, CaseShare.Level.CONTRIBUTE)

    response = client_for(dave).get(reverse("cases:case_detail", args=[scene.case.pk]))

    assert response.context["can_manage"] is False
    assert response.context["can_contribute"] is True
    assert response.context["can_reassign"] is False


def test_a_share_that_ends_today_still_counts_until_the_end_of_the_day(scene, alice, dave):
    services.case_share(
        case=scene.case,
        shared_with=dave,
        level=CaseShare.Level.VIEW,
        reason="Covering the duty desk",
        consent=scene.consent,
        expires_on=timezone.localdate(),
        shared_by=alice,
        now=timezone.now() - timedelta(days=1),
    )

    response = client_for(dave).get(reverse("cases:case_detail", args=[scene.case.pk]))

    assert response.status_code == 200


# --- restricted cases and break the glass ---------------------------------------------

SEES_RESTRICTED = {
    "the owner": 200,
    "a team-mate": 404,
    "the team supervisor": 200,
    "another team's adviser": 404,
    "another team's supervisor": 404,
    "an admin": 404,
}


@pytest.mark.parametrize("page", ["case_detail", "client_detail"])
@pytest.mark.parametrize(("persona", "status"), _matrix(SEES_RESTRICTED))
def test_a_restricted_case_opens_only_to_its_adviser_and_their_supervisor(
    request, restricted_case, page, persona, status
):
    user = _become(request, restricted_case, persona)
    pk = restricted_case.pk if page == "case_detail" else restricted_case.client.pk

    response = client_for(user).get(reverse(f"cases:{page}", args=[pk]))

    assert response.status_code == status


@pytest.mark.parametrize("level", [CaseShare.Level.VIEW, CaseShare.Level.CONTRIBUTE])
def test_sharing_a_restricted_case_is_refused(restricted_case, alice, dave, level):
    with pytest.raises(ValidationError):
        _share(restricted_case, dave, level)

    assert not CaseShare.objects.filter(case=restricted_case).exists()
    response = client_for(dave).get(reverse("cases:case_detail", args=[restricted_case.pk]))
    assert response.status_code == 404


def test_the_share_page_refuses_to_share_a_restricted_case(restricted_case, alice, bob):
    consent = ConsentFactory(client=restricted_case.client, recorded_by=alice)

    response = client_for(alice).post(
        reverse("cases:share_add", args=[restricted_case.pk]),
        {
            "shared_with": bob.pk,
            "level": CaseShare.Level.VIEW,
            "reason": "Covering the duty desk",
            "consent": consent.pk,
            "expires_on": _uk(_in_days(7)),
        },
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not CaseShare.objects.filter(case=restricted_case).exists()
    url = reverse("cases:case_detail", args=[restricted_case.pk])
    assert client_for(bob).get(url).status_code == 404


@pytest.mark.parametrize("page", ["case_detail", "client_detail"])
def test_a_team_mate_sees_a_restricted_case_after_breaking_the_glass(restricted_case, bob, page):
    pk = restricted_case.pk if page == "case_detail" else restricted_case.client.pk
    url = reverse(f"cases:{page}", args=[pk])
    assert client_for(bob).get(url).status_code == 404

    services.break_glass(case=restricted_case, user=bob, reason=CRISIS)

    assert client_for(bob).get(url).status_code == 200


def test_break_the_glass_access_ends_after_its_hours(restricted_case, bob):
    services.break_glass(
        case=restricted_case,
        user=bob,
        reason=CRISIS,
        now=timezone.now() - timedelta(hours=services.BREAK_GLASS_HOURS, minutes=1),
    )

    response = client_for(bob).get(reverse("cases:case_detail", args=[restricted_case.pk]))

    assert response.status_code == 404


def test_an_adviser_breaks_the_glass_through_the_page_and_then_sees_the_case(restricted_case, bob):
    client = client_for(bob)

    response = client.post(
        reverse("cases:break_glass"), {"reference": restricted_case.reference, "reason": CRISIS}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[restricted_case.pk])
    assert BreakGlassAccess.objects.filter(case=restricted_case, user=bob).count() == 1
    assert client.get(response["Location"]).status_code == 200


def test_an_admin_cannot_break_the_glass(restricted_case, erin):
    response = client_for(erin).post(
        reverse("cases:break_glass"), {"reference": restricted_case.reference, "reason": CRISIS}
    )

    assert response.status_code == 403
    assert not BreakGlassAccess.objects.exists()


def test_the_glass_cannot_be_broken_on_a_case_that_is_not_restricted(scene, dave):
    response = client_for(dave).post(
        reverse("cases:break_glass"), {"reference": scene.case.reference, "reason": CRISIS}
    )

    assert response.status_code == 302
    assert not BreakGlassAccess.objects.exists()
    assert client_for(dave).get(reverse("cases:case_detail", args=[scene.case.pk])).status_code == (
        404
    )


# --- managing a case: status, outcomes, sharing, referrals out ---------------------------

MANAGES = {
    "the owner": 200,
    "a team-mate": 404,
    "the team supervisor": 200,
    "another team's adviser": 404,
    "another team's supervisor": 404,
    "an admin": 404,
    "a colleague with a view share": 403,
    "a colleague with a contribute share": 403,
    "a colleague with an expired share": 404,
    "a colleague with a revoked share": 404,
}
MANAGE_FORMS = ["case_status", "outcome_add", "share_add", "referral_out_add"]
MANAGE_POSTS = [*MANAGE_FORMS, "share_revoke"]


@pytest.mark.parametrize("action", MANAGE_FORMS)
@pytest.mark.parametrize(("persona", "status"), _matrix(MANAGES))
def test_a_management_form_opens_only_for_the_owner_and_the_team_supervisor(
    request, scene, action, persona, status
):
    user = _become(request, scene.case, persona)

    response = client_for(user).get(scene.url(action))

    assert response.status_code == status


@pytest.mark.parametrize("action", MANAGE_POSTS)
@pytest.mark.parametrize(("persona", "status"), _matrix(MANAGES))
def test_a_management_action_changes_the_case_only_for_the_owner_and_the_team_supervisor(
    request, scene, action, persona, status
):
    user = _become(request, scene.case, persona)
    events_before = scene.case.events.count()

    response = client_for(user).post(scene.url(action), scene.valid_post(action))

    if status == 200:
        assert response.status_code == 302
        assert response["Location"] == reverse("cases:case_detail", args=[scene.case.pk])
        assert scene.case.events.count() == events_before + 1
    else:
        assert response.status_code == status
        assert scene.case.events.count() == events_before


# --- contributing to a case: deadlines, obstacles, progress ---------------------------------

CONTRIBUTES = {**MANAGES, "a colleague with a contribute share": 200}
CONTRIBUTE_FORMS = ["deadline_add", "obstacle_add", "outcome_progress", "obstacle_resolve"]
CONTRIBUTE_POSTS = [*CONTRIBUTE_FORMS, "deadline_status"]


@pytest.mark.parametrize("action", CONTRIBUTE_FORMS)
@pytest.mark.parametrize(("persona", "status"), _matrix(CONTRIBUTES))
def test_a_contribution_form_opens_for_managers_and_contribute_shares_only(
    request, scene, action, persona, status
):
    user = _become(request, scene.case, persona)

    response = client_for(user).get(scene.url(action))

    assert response.status_code == status


@pytest.mark.parametrize("action", CONTRIBUTE_POSTS)
@pytest.mark.parametrize(("persona", "status"), _matrix(CONTRIBUTES))
def test_a_contribution_is_recorded_only_for_managers_and_contribute_shares(
    request, scene, action, persona, status
):
    user = _become(request, scene.case, persona)
    events_before = scene.case.events.count()

    response = client_for(user).post(scene.url(action), scene.valid_post(action))

    if status == 200:
        assert response.status_code == 302
        assert response["Location"] == reverse("cases:case_detail", args=[scene.case.pk])
        assert scene.case.events.count() == events_before + 1
    else:
        assert response.status_code == status
        assert scene.case.events.count() == events_before


@pytest.mark.parametrize(
    "persona",
    ["a colleague with a view share", "a team-mate", "an admin", "another team's adviser"],
)
def test_a_refused_persona_posting_an_obstacle_creates_no_obstacle(request, scene, persona):
    user = _become(request, scene.case, persona)

    response = client_for(user).post(scene.url("obstacle_add"), scene.valid_post("obstacle_add"))

    assert response.status_code in (403, 404)
    assert list(Obstacle.objects.filter(case=scene.case)) == [scene.obstacle]


def test_a_contribute_share_records_an_obstacle_in_their_own_name(scene, dave):
    _share(scene.case, dave, CaseShare.Level.CONTRIBUTE)

    client_for(dave).post(scene.url("obstacle_add"), scene.valid_post("obstacle_add"))

    obstacle = Obstacle.objects.exclude(pk=scene.obstacle.pk).get(case=scene.case)
    assert obstacle.raised_by == dave
    assert obstacle.kind == Obstacle.Kind.AWAITING_THIRD_PARTY


def test_a_contribute_share_cannot_change_the_status_of_the_case(scene, dave):
    _share(scene.case, dave, CaseShare.Level.CONTRIBUTE)

    response = client_for(dave).post(scene.url("case_status"), scene.valid_post("case_status"))

    assert response.status_code == 403
    scene.case.refresh_from_db()
    assert scene.case.status == Case.Status.OPEN


def test_the_team_supervisor_changes_the_status_of_the_case(scene, carol):
    response = client_for(carol).post(scene.url("case_status"), scene.valid_post("case_status"))

    assert response.status_code == 302
    scene.case.refresh_from_db()
    assert scene.case.status == Case.Status.ON_HOLD
    assert scene.case.events.filter(kind=CaseEvent.Kind.STATUS, actor=carol).exists()


def test_a_view_share_cannot_share_the_case_on(scene, dave):
    _share(scene.case, dave, CaseShare.Level.VIEW)

    response = client_for(dave).post(scene.url("share_add"), scene.valid_post("share_add"))

    assert response.status_code == 403
    assert not CaseShare.objects.filter(case=scene.case, shared_with=scene.bob).exists()
    url = reverse("cases:case_detail", args=[scene.case.pk])
    assert client_for(scene.bob).get(url).status_code == 404


def test_the_owner_shares_the_case_and_the_colleague_then_sees_it(scene, alice):
    response = client_for(alice).post(scene.url("share_add"), scene.valid_post("share_add"))

    assert response.status_code == 302
    share = CaseShare.objects.get(case=scene.case, shared_with=scene.bob)
    assert share.level == CaseShare.Level.VIEW
    assert share.shared_by == alice
    url = reverse("cases:case_detail", args=[scene.case.pk])
    assert client_for(scene.bob).get(url).status_code == 200


def test_a_contribute_share_cannot_revoke_anothers_share(scene, dave):
    _share(scene.case, dave, CaseShare.Level.CONTRIBUTE)

    response = client_for(dave).post(scene.url("share_revoke"))

    assert response.status_code == 403
    scene.frank_share.refresh_from_db()
    assert scene.frank_share.revoked_at is None


def test_a_contribute_share_cannot_record_a_referral_out(scene, dave):
    _share(scene.case, dave, CaseShare.Level.CONTRIBUTE)

    response = client_for(dave).post(
        scene.url("referral_out_add"), scene.valid_post("referral_out_add")
    )

    assert response.status_code == 403
    assert not Referral.objects.filter(case=scene.case).exists()


def test_a_refused_persona_records_no_progress_on_an_outcome(scene, dave):
    _share(scene.case, dave, CaseShare.Level.VIEW)

    response = client_for(dave).post(
        scene.url("outcome_progress"), scene.valid_post("outcome_progress")
    )

    assert response.status_code == 403
    assert not OutcomeProgress.objects.exists()
    scene.outcome.refresh_from_db()
    assert scene.outcome.status == Outcome.Status.NOT_STARTED


def test_a_share_that_has_ended_gives_no_contribution(scene, dave):
    _share_expired(scene.case, dave)

    response = client_for(dave).post(scene.url("deadline_add"), scene.valid_post("deadline_add"))

    assert response.status_code == 404
    assert list(CaseDeadline.objects.filter(case=scene.case)) == [scene.deadline]


def _record_on(case: Case, action: str) -> list[object]:
    """Make on ``case`` the record that ``action`` acts on; its URL arguments after the case."""
    adviser = case.assigned_to
    if action == "deadline_status":
        deadline = services.deadline_add(
            case=case, due_on=_in_days(5), description="Tribunal", added_by=adviser
        )
        return [deadline.pk, CaseDeadline.Status.MET]
    if action == "outcome_progress":
        outcome = services.outcome_add(
            case=case,
            description="Debt relief order",
            measure="Order granted",
            target_date=_in_days(30),
            added_by=adviser,
        )
        return [outcome.pk]
    if action == "obstacle_resolve":
        obstacle = services.obstacle_record(
            case=case, kind=Obstacle.Kind.HEALTH, description="In hospital", raised_by=adviser
        )
        return [obstacle.pk]
    return [_share(case, AdviserFactory(), CaseShare.Level.VIEW).pk]


@pytest.mark.parametrize(
    "action", ["deadline_status", "outcome_progress", "obstacle_resolve", "share_revoke"]
)
def test_an_owner_cannot_reach_another_cases_record_through_their_own_case(
    scene, alice, dave, action
):
    others_case = CaseFactory(assigned_to=dave)
    extra = _record_on(others_case, action)
    others_events = others_case.events.count()
    own_events = scene.case.events.count()

    response = client_for(alice).post(
        reverse(f"cases:{action}", args=[scene.case.pk, *extra]), scene.valid_post(action)
    )

    assert response.status_code == 404
    assert others_case.events.count() == others_events
    assert scene.case.events.count() == own_events


# --- reassigning ------------------------------------------------------------------

REASSIGNS = {
    "the owner": 403,
    "a team-mate": 403,
    "the team supervisor": 200,
    "another team's adviser": 403,
    "another team's supervisor": 404,
    "an admin": 403,
    "a colleague with a view share": 403,
    "a colleague with a contribute share": 403,
    "a colleague with an expired share": 403,
    "a colleague with a revoked share": 403,
}


@pytest.mark.parametrize(("persona", "status"), _matrix(REASSIGNS))
def test_only_a_supervisor_of_the_cases_team_may_open_the_reassign_form(
    request, scene, persona, status
):
    user = _become(request, scene.case, persona)

    response = client_for(user).get(scene.url("case_reassign"))

    assert response.status_code == status


@pytest.mark.parametrize(("persona", "status"), _matrix(REASSIGNS))
def test_only_a_supervisor_of_the_cases_team_may_reassign_it(
    request, scene, alice, persona, status
):
    user = _become(request, scene.case, persona)

    response = client_for(user).post(scene.url("case_reassign"), scene.valid_post("case_reassign"))

    scene.case.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert scene.case.assigned_to == scene.bob
    else:
        assert response.status_code == status
        assert scene.case.assigned_to == alice
        assert not scene.case.events.filter(kind=CaseEvent.Kind.ASSIGNED).exists()


def test_a_supervisor_cannot_reassign_a_case_to_an_adviser_outside_the_team(
    scene, alice, carol, dave
):
    response = client_for(carol).post(
        scene.url("case_reassign"),
        {"adviser": dave.pk, "handover_note": "Dave knows this landlord."},
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["adviser"]
    assert not form.non_field_errors()
    assert b'id="id_adviser_error"' in response.content
    scene.case.refresh_from_db()
    assert scene.case.assigned_to == alice
    assert scene.case.team.name == "North"
    assert not scene.case.events.filter(kind=CaseEvent.Kind.ASSIGNED).exists()


def test_a_supervisor_of_both_teams_still_cannot_move_a_case_to_the_other_team(
    scene, alice, carol, dave, south
):
    south.supervisors.add(carol)

    response = client_for(carol).post(
        scene.url("case_reassign"),
        {"adviser": dave.pk, "handover_note": "Dave knows this landlord."},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["adviser"]
    scene.case.refresh_from_db()
    assert scene.case.assigned_to == alice


# --- client pages other than the client's own page --------------------------------------------

EDITS_CLIENT = {
    "the owner": 200,
    "a team-mate": 404,
    "the team supervisor": 200,
    "another team's adviser": 404,
    "another team's supervisor": 404,
    "an admin": 404,
    # A share lets a colleague see the client, not change their record.
    "a colleague with a view share": 403,
    "a colleague with a contribute share": 403,
    "a colleague with an expired share": 404,
    "a colleague with a revoked share": 404,
}
OPENS_CASE_FOR_CLIENT = {
    "the owner": 200,
    "a team-mate": 404,
    "the team supervisor": 200,
    "another team's adviser": 404,
    "another team's supervisor": 404,
    "an admin": 403,
    "a colleague with an expired share": 404,
    "a colleague with a revoked share": 404,
    # Seeing a client through a share or break-the-glass never lets anyone open a case of
    # their own for them: that would outlive the grant.
    "a colleague with a view share": 403,
    "a colleague with a contribute share": 403,
}


@pytest.mark.parametrize("page", ["client_edit", "consent_add"])
@pytest.mark.parametrize(("persona", "status"), _matrix(EDITS_CLIENT))
def test_a_clients_details_and_consents_open_only_to_those_who_manage_the_client(
    request, scene, page, persona, status
):
    user = _become(request, scene.case, persona)

    response = client_for(user).get(reverse(f"cases:{page}", args=[scene.case.client.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(("persona", "status"), _matrix(OPENS_CASE_FOR_CLIENT))
def test_only_someone_who_manages_the_clients_case_may_open_another_for_them(
    request, scene, persona, status
):
    user = _become(request, scene.case, persona)

    response = client_for(user).get(reverse("cases:case_create", args=[scene.case.client.pk]))

    assert response.status_code == status


def test_a_refused_persona_cannot_change_a_clients_details(scene, dave):
    client_before = scene.case.client.given_name

    response = client_for(dave).post(
        reverse("cases:client_edit", args=[scene.case.client.pk]),
        {"given_name": "Changed", "family_name": "Changed"},
    )

    assert response.status_code == 404
    scene.case.client.refresh_from_db()
    assert scene.case.client.given_name == client_before


# --- role pages -----------------------------------------------------------------------

ROLE_PAGES = {
    "client_search": {"alice": 200, "bob": 200, "carol": 200, "dave": 200, "erin": 403},
    "client_create": {"alice": 200, "bob": 200, "carol": 403, "dave": 200, "erin": 403},
    "referral_in": {"alice": 200, "bob": 200, "carol": 200, "dave": 200, "erin": 403},
    "break_glass": {"alice": 200, "bob": 200, "carol": 200, "dave": 200, "erin": 403},
    "unallocated": {"alice": 403, "bob": 403, "carol": 200, "dave": 403, "erin": 403},
    "my_caseload": {"alice": 200, "bob": 200, "carol": 403, "dave": 200, "erin": 403},
    "organisation": {"alice": 403, "bob": 403, "carol": 403, "dave": 403, "erin": 200},
}


@pytest.mark.parametrize(
    ("page", "persona", "status"),
    [
        pytest.param(page, persona, status, id=f"{page}-{persona}")
        for page, expected in ROLE_PAGES.items()
        for persona, status in expected.items()
    ],
)
def test_a_role_page_opens_only_for_the_roles_it_serves(request, page, persona, status):
    user = request.getfixturevalue(persona)

    response = client_for(user).get(reverse(f"cases:{page}"))

    assert response.status_code == status


def test_an_admin_cannot_create_a_client(erin):
    response = client_for(erin).post(
        reverse("cases:client_create"), {"given_name": "Ann", "family_name": "Other"}
    )

    assert response.status_code == 403
    assert not Client.objects.exists()


# --- anonymous visitors ---------------------------------------------------------------


CASE_ACTIONS = [
    "case_detail",
    *MANAGE_POSTS,
    "case_reassign",
    *CONTRIBUTE_POSTS,
]


@pytest.mark.parametrize("action", CASE_ACTIONS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_case_page(
    client, scene, action, method
):
    url = scene.url(action)
    events_before = scene.case.events.count()

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert scene.case.events.count() == events_before


@pytest.mark.parametrize("page", ["client_detail", "client_edit", "consent_add", "case_create"])
def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_client_page(client, scene, page):
    url = reverse(f"cases:{page}", args=[scene.case.client.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("page", list(ROLE_PAGES))
def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_role_page(client, page):
    url = reverse(f"cases:{page}")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
