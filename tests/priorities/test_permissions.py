"""Who may assess a case's priority, override it, read an assessment, and configure criteria.

The rules are the case pages' (see tests/cases/test_permissions.py): an object
page answers 404 to anyone who may not see the case (so a refusal never
confirms that it exists) and 403 to someone who may see the case but not do
this to it; a role page answers 403 to a signed-in user without the role.
Assessing is contributing: the case's adviser, the supervisors of its team,
colleagues with a live contribute share and, on a restricted case, anyone who
has broken the glass. Overriding is for a supervisor of the case's team only.
The configuration pages (the Django admin) open only to the Admin role. Every
situation is built through the factories and services, and every request goes
through the real views and database.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from auditlog.models import LogEntry
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from cases.models import Case, CaseType, User
from notifications.models import Notification
from priorities import services
from priorities.models import Assessment, CriteriaVersion, Level, Timescale
from tests.conftest import client_for
from tests.factories import (
    CaseFactory,
    CaseTypeFactory,
    published_criteria,
)
from tests.personas import (
    become as _become,
)

pytestmark = pytest.mark.django_db

CRISIS = "Client in crisis at reception"
RATIONALE = "Two priority debts and a summons; no risk of harm reported."
OVERRIDE_RATIONALE = "The possession hearing is next week."


# --- the situations -----------------------------------------------------------


@pytest.fixture
def criteria(roles: None) -> CriteriaVersion:
    """Published: safeguarding (yes/no, weight 5, forces red), complexity (0-3, weight 2)."""
    return published_criteria()


@dataclass
class Scene:
    """Alice's case, assessed once by her (complex: amber), under published criteria."""

    case: Case
    assessment: Assessment

    def url(self, page: str) -> str:
        extra = [self.assessment.pk] if page == "assessment_detail" else []
        return reverse(f"priorities:{page}", args=[self.case.pk, *extra])


def _scene(case: Case) -> Scene:
    assessment = services.assessment_record(
        case=case,
        answers={"safeguarding": 0, "complexity": 2},
        rationale="First look at the papers",
        assessed_by=case.assigned_to,
    )
    return Scene(case=case, assessment=assessment)


@pytest.fixture
def scene(criteria: CriteriaVersion, alice: User) -> Scene:
    return _scene(CaseFactory(assigned_to=alice))


@pytest.fixture
def restricted_scene(criteria: CriteriaVersion, alice: User) -> Scene:
    return _scene(CaseFactory(assigned_to=alice, restricted=True))


ASSESS_POST = {"answer_safeguarding": "0", "answer_complexity": "3", "rationale": RATIONALE}
OVERRIDE_POST = {"level": Level.RED, "rationale": OVERRIDE_RATIONALE}


def _send(client: Client, method: str, url: str, data: dict[str, str]) -> HttpResponse:
    return client.get(url) if method == "get" else client.post(url, data)


def _assessments() -> frozenset[int]:
    return frozenset(Assessment.objects.values_list("pk", flat=True))


def _one_new(before: frozenset[int]) -> Assessment:
    added = _assessments() - before
    assert len(added) == 1, f"expected exactly one new assessment, got {sorted(added)}"
    return Assessment.objects.get(pk=next(iter(added)))


def _matrix(*tables: tuple[str, str, dict[str, int]]) -> list[pytest.param]:
    """One case per (scene, persona): ``tables`` holds (label, scene fixture, expected)."""
    return [
        pytest.param(fixture, persona, status, id=f"{label}-{persona}")
        for label, fixture, expected in tables
        for persona, status in expected.items()
    ]


# --- assessing a case: a contribution -------------------------------------------------

ASSESSES = {
    "the owner": 200,
    "a team-mate": 404,
    "the team supervisor": 200,
    "another team's adviser": 404,
    "another team's supervisor": 404,
    "an admin": 404,
    "a colleague with a view share": 403,
    "a colleague with a contribute share": 200,
    "a colleague with an expired share": 404,
    "a colleague with a revoked share": 404,
}
# Shares do not reach a restricted case; break the glass does, while it lasts.
ASSESSES_RESTRICTED = {
    "the owner": 200,
    "a team-mate": 404,
    "the team supervisor": 200,
    "another team's adviser": 404,
    "another team's supervisor": 404,
    "an admin": 404,
    "a team-mate who broke the glass": 200,
    "another team's adviser who broke the glass": 200,
    "a team-mate whose break the glass has run out": 404,
}
ASSESS_MATRIX = _matrix(
    ("open", "scene", ASSESSES), ("restricted", "restricted_scene", ASSESSES_RESTRICTED)
)


@pytest.mark.parametrize(("scene_fixture", "persona", "status"), ASSESS_MATRIX)
def test_the_assessment_form_opens_only_for_those_who_may_contribute_to_the_case(
    request, scene_fixture, persona, status
):
    scene = request.getfixturevalue(scene_fixture)
    user = _become(request, scene.case, persona)
    before = _assessments()

    response = client_for(user).get(scene.url("assess"))

    assert response.status_code == status
    assert _assessments() == before


@pytest.mark.parametrize(("scene_fixture", "persona", "status"), ASSESS_MATRIX)
def test_an_assessment_is_recorded_only_for_those_who_may_contribute_to_the_case(
    request, scene_fixture, persona, status
):
    scene = request.getfixturevalue(scene_fixture)
    user = _become(request, scene.case, persona)
    before = _assessments()

    response = client_for(user).post(scene.url("assess"), ASSESS_POST)

    scene.case.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert response["Location"] == reverse("cases:case_detail", args=[scene.case.pk])
        assessment = _one_new(before)
        assert assessment.case_id == scene.case.pk
        assert assessment.assessed_by == user
        assert assessment.kind == Assessment.Kind.ASSESSMENT
        assert assessment.rationale == RATIONALE
        # Very complex: 3 x 2 = 6, red.
        assert (assessment.score, assessment.level) == (6, Level.RED)
        assert scene.case.level == Level.RED
    else:
        assert response.status_code == status
        assert _assessments() == before
        assert scene.case.level == Level.AMBER


# --- overriding the priority: a supervisor of the case's team only -------------------------

OVERRIDES = {
    # Advisers are refused by role, before the case is looked up.
    "the owner": 403,
    "a team-mate": 403,
    "the team supervisor": 200,
    "another team's adviser": 403,
    "another team's supervisor": 404,
    "an admin": 403,
    "a colleague with a view share": 403,
    "a colleague with a contribute share": 403,
    "a colleague with an expired share": 403,
    # A supervisor who sees the case through a share does not lead its team.
    "another team's supervisor with a contribute share": 403,
}
OVERRIDES_RESTRICTED = {
    "the owner": 403,
    "a team-mate": 403,
    "the team supervisor": 200,
    "another team's supervisor": 404,
    "an admin": 403,
    "a team-mate who broke the glass": 403,
    "another team's supervisor who broke the glass": 403,
}
OVERRIDE_MATRIX = _matrix(
    ("open", "scene", OVERRIDES), ("restricted", "restricted_scene", OVERRIDES_RESTRICTED)
)


@pytest.mark.parametrize(("scene_fixture", "persona", "status"), OVERRIDE_MATRIX)
def test_the_override_form_opens_only_for_a_supervisor_of_the_cases_team(
    request, scene_fixture, persona, status
):
    scene = request.getfixturevalue(scene_fixture)
    user = _become(request, scene.case, persona)
    before = _assessments()

    response = client_for(user).get(scene.url("override"))

    assert response.status_code == status
    assert _assessments() == before


@pytest.mark.parametrize(("scene_fixture", "persona", "status"), OVERRIDE_MATRIX)
def test_only_a_supervisor_of_the_cases_team_may_override_its_priority(
    request, scene_fixture, persona, status
):
    scene = request.getfixturevalue(scene_fixture)
    user = _become(request, scene.case, persona)
    before = _assessments()

    response = client_for(user).post(scene.url("override"), OVERRIDE_POST)

    scene.case.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert response["Location"] == reverse("cases:case_detail", args=[scene.case.pk])
        override = _one_new(before)
        assert override.case_id == scene.case.pk
        assert override.kind == Assessment.Kind.OVERRIDE
        assert override.assessed_by == user
        assert override.rationale == OVERRIDE_RATIONALE
        assert scene.case.level == Level.RED
    else:
        assert response.status_code == status
        assert _assessments() == before
        assert scene.case.level == Level.AMBER


# --- reading an assessment: anyone who may see the case ------------------------------------

READS = {
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
READS_RESTRICTED = {
    "the owner": 200,
    "a team-mate": 404,
    "the team supervisor": 200,
    "another team's adviser": 404,
    "another team's supervisor": 404,
    "an admin": 404,
    "a team-mate who broke the glass": 200,
    "another team's adviser who broke the glass": 200,
    "a team-mate whose break the glass has run out": 404,
}


def _reads(user: User, model: str) -> list[tuple[str, dict]]:
    return list(
        LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS, actor=user, content_type__model=model
        ).values_list("object_pk", "additional_data")
    )


@pytest.mark.parametrize(
    ("scene_fixture", "persona", "status"),
    _matrix(("open", "scene", READS), ("restricted", "restricted_scene", READS_RESTRICTED)),
)
def test_an_assessment_opens_to_those_who_may_see_the_case_and_the_reading_is_recorded(
    request, scene_fixture, persona, status
):
    scene = request.getfixturevalue(scene_fixture)
    user = _become(request, scene.case, persona)

    response = client_for(user).get(scene.url("assessment_detail"))

    assert response.status_code == status
    if status == 200:
        assert response.context["assessment"] == scene.assessment
        assert "First look at the papers" in response.content.decode()
        via = {"via": "assessment"}
        assert _reads(user, "assessment") == [(str(scene.assessment.pk), via)]
        assert (str(scene.case.pk), via) in _reads(user, "case")
    else:
        assert _reads(user, "assessment") == []
        assert _reads(user, "case") == []


def test_an_assessment_of_another_case_is_not_found_through_ones_own_case(scene, alice, dave):
    others = _scene(CaseFactory(assigned_to=dave))

    response = client_for(alice).get(
        reverse("priorities:assessment_detail", args=[scene.case.pk, others.assessment.pk])
    )

    assert response.status_code == 404
    assert _reads(alice, "assessment") == []


# --- role pages: needs attention, notifications -----------------------------------------

ATTENTION = {"alice": 200, "bob": 200, "carol": 200, "dave": 200, "sam": 200, "erin": 403}


@pytest.mark.parametrize(("persona", "status"), list(ATTENTION.items()), ids=list(ATTENTION))
def test_needs_attention_opens_for_advisers_and_supervisors_only(request, persona, status):
    user = request.getfixturevalue(persona)

    response = client_for(user).get(reverse("priorities:attention"))

    assert response.status_code == status


def test_needs_attention_lists_only_the_cases_a_person_may_see(scene, alice, bob, carol, dave):
    """Alice's red case is on her list and her supervisor's, not on a colleague's."""
    client_for(alice).post(scene.url("assess"), ASSESS_POST)

    def listed(user: User) -> set[int]:
        lists = client_for(user).get(reverse("priorities:attention")).context["lists"]
        return {case.pk for cases in lists.values() for case in cases}

    assert scene.case.pk in listed(alice)
    assert scene.case.pk in listed(carol)
    assert scene.case.pk not in listed(bob)
    assert scene.case.pk not in listed(dave)


NOTIFIED = ["alice", "bob", "carol", "dave", "sam", "erin"]


@pytest.mark.parametrize("persona", NOTIFIED)
def test_the_notifications_page_shows_each_person_only_their_own(request, scene, persona):
    """Assessing Alice's case red tells carol, the team's supervisor, and nobody else."""
    user = request.getfixturevalue(persona)
    client_for(scene.case.assigned_to).post(scene.url("assess"), ASSESS_POST)
    mine = set(Notification.objects.filter(recipient=user).values_list("pk", flat=True))

    response = client_for(user).get(reverse("notifications:list"))

    assert response.status_code == 200
    shown = {item.pk for group in response.context["groups"] for item in group.items}
    assert shown == mine
    told = f"{scene.case.reference} is now high priority (red)"
    assert (told in response.content.decode()) == (persona == "carol")


def test_marking_notifications_read_marks_only_ones_own(scene, alice, carol, sam):
    theirs = Notification.objects.create(recipient=sam, message="Something for Sam")
    client_for(alice).post(scene.url("assess"), ASSESS_POST)
    assert Notification.objects.filter(recipient=carol, read_at__isnull=True).count() == 1

    response = client_for(alice).post(reverse("notifications:read"))

    assert response.status_code == 302
    assert Notification.objects.filter(recipient=carol, read_at__isnull=True).count() == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- the configuration pages: the Admin role only ----------------------------------------


@pytest.fixture
def draft(criteria: CriteriaVersion) -> CriteriaVersion:
    return services.version_draft_from(source=criteria)


@pytest.fixture
def housing(roles: None) -> CaseType:
    return CaseTypeFactory(name="Housing")


def _configuration_url(page: str, draft: CriteriaVersion) -> str:
    return {
        "criteria versions": reverse("configuration:criteria"),
        "a draft version": reverse("configuration:criteria_version", args=[draft.pk]),
        "a new question": reverse("configuration:criterion_add", args=[draft.pk]),
        "publishing a draft": reverse("configuration:criteria_publish", args=[draft.pk]),
        "timescales": reverse("configuration:timescales"),
        "the calendar": reverse("configuration:calendar"),
    }[page]


CONFIGURATION_PAGES = [
    "criteria versions",
    "a draft version",
    "a new question",
    "publishing a draft",
    "timescales",
    "the calendar",
]
CONFIGURES = {"alice": 403, "bob": 403, "carol": 403, "dave": 403, "sam": 403, "erin": 200}
REFUSED_CONFIGURATION = [name for name, status in CONFIGURES.items() if status == 403]


@pytest.mark.parametrize("page", CONFIGURATION_PAGES)
@pytest.mark.parametrize(("persona", "status"), list(CONFIGURES.items()), ids=list(CONFIGURES))
def test_the_priority_configuration_pages_open_only_for_the_admin_role(
    request, draft, page, persona, status
):
    user = request.getfixturevalue(persona)
    url = _configuration_url(page, draft)

    response = client_for(user).get(url, follow=True)

    assert response.status_code == status
    if status == 200:
        assert response.redirect_chain == []
    elif url.startswith("/django-admin/"):
        # The admin site sends them to its sign-in page, which refuses a signed-in person.
        assert response.redirect_chain[0][0].startswith(reverse("admin:login"))


@pytest.mark.parametrize("persona", REFUSED_CONFIGURATION)
def test_only_an_admin_may_publish_a_draft(request, criteria, draft, persona, erin):
    user = request.getfixturevalue(persona)
    url = _configuration_url("publishing a draft", draft)
    token = client_for(erin).get(url).context["form"]["edit_token"].value()
    posted = {"change_reason": "Complexity matters more", "edit_token": token}

    response = client_for(user).post(url, posted, follow=True)

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == CriteriaVersion.Status.DRAFT
    assert CriteriaVersion.published() == criteria

    response = client_for(erin).post(url, posted)

    assert response.status_code == 302
    assert response["Location"] == reverse("configuration:criteria_version", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == CriteriaVersion.Status.PUBLISHED
    assert draft.published_by == erin
    assert CriteriaVersion.published() == draft


def test_a_version_that_is_not_a_draft_has_no_publish_page(criteria, erin):
    url = reverse("configuration:criteria_publish", args=[criteria.pk])

    assert client_for(erin).get(url).status_code == 404
    assert client_for(erin).post(url, {"change_reason": "x"}).status_code == 404
    criteria.refresh_from_db()
    assert criteria.status == CriteriaVersion.Status.PUBLISHED


def test_a_published_version_cannot_be_changed_even_by_an_admin(criteria, root):
    url = reverse("admin:priorities_criteriaversion_change", args=[criteria.pk])

    response = client_for(root).post(url, {"red_threshold": 60, "amber_threshold": 30})

    assert response.status_code == 403
    criteria.refresh_from_db()
    assert (criteria.red_threshold, criteria.amber_threshold) == (6, 3)


TIMESCALE_POST = {
    "level": Level.AMBER,
    "first_contact_days": "3",
    "contact_interval_days": "10",
    "review_days": "20",
    "close_days": "60",
    "approaching_mode": "default",
}


@pytest.mark.parametrize("persona", REFUSED_CONFIGURATION)
def test_only_an_admin_may_add_a_timescale(request, housing, persona, root):
    user = request.getfixturevalue(persona)
    url = reverse("admin:priorities_timescale_add")
    data = {**TIMESCALE_POST, "case_type": housing.pk}

    response = client_for(user).post(url, data, follow=True)

    assert response.status_code == 403
    assert not Timescale.objects.exists()

    response = client_for(root).post(url, data)

    assert response.status_code == 302
    timescale = Timescale.objects.get()
    assert (timescale.case_type, timescale.level) == (housing, Level.AMBER)


# --- anonymous visitors -------------------------------------------------------------------


@pytest.mark.parametrize("page", ["assess", "override", "assessment_detail"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_case_priority_page(
    client, scene, page, method
):
    url = scene.url(page)
    before = _assessments()

    response = _send(client, method, url, ASSESS_POST if page == "assess" else OVERRIDE_POST)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert _assessments() == before


@pytest.mark.parametrize("page", ["priorities:attention", "notifications:list"])
def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_priority_list(client, page):
    url = reverse(page)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
