"""Who may write notes and actions on a case, and whose reading of notes is recorded.

The rules are the case pages' (see tests/cases/test_permissions.py): a page
answers 404 to anyone who may not see the case (so a refusal never confirms
that it exists) and 403 to someone who may see the case but not contribute
to it. Contributing is for the case's adviser, the supervisors of its team,
colleagues with a live contribute share and, on a restricted case, anyone
who has broken the glass. Every situation is built through the services and
every request goes through the real views and database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from auditlog.models import LogEntry
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseShare, User
from notes import services
from notes.models import Action, CaseNote
from tests.conftest import client_for
from tests.factories import CaseFactory
from tests.personas import (
    become as _become,
)
from tests.personas import (
    share as _share,
)

pytestmark = pytest.mark.django_db

CRISIS = "Client in crisis at reception"
NEW_FACTS = "Client rang: the bailiffs have given a date"
CORRECTED_FACTS = "Client rang on the mobile, not the landline"
NEW_ACTION = "Ask the council for a homelessness assessment"
CANCEL_REASON = "The landlord withdrew the notice"


# --- the situations -----------------------------------------------------------


def _case(**fields) -> Case:
    """A case opened a week ago: its notes' contacts (from two days ago) come after it."""
    return CaseFactory(now=timezone.now() - timedelta(days=7), **fields)


def _uk(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def _note_on(case: Case, facts: str = "Client called about the rent arrears") -> CaseNote:
    return services.note_append(
        case=case,
        author=case.assigned_to,
        contact_at=timezone.now() - timedelta(days=2),
        channel="phone",
        facts=facts,
        next_steps="Write to the landlord",
    )


def _action_on(case: Case) -> Action:
    return services.action_create(
        case=case,
        description="Send the rent statement",
        owner="adviser",
        due_on=_in_days(14),
        created_by=case.assigned_to,
    )


# Where each page takes a note or an action of the case in its URL.
NEEDS_NOTE = {"note_correct"}
NEEDS_ACTION = {"action_complete", "action_cancel"}


def _url(page: str, case: Case, *, note: CaseNote, action: Action) -> str:
    extra = [note.pk] if page in NEEDS_NOTE else [action.pk] if page in NEEDS_ACTION else []
    return reverse(f"notes:{page}", args=[case.pk, *extra])


def _note_post(**extra: str) -> dict[str, str]:
    """A contact yesterday morning: never in the future, whatever the time of the run."""
    return {
        "contact_date": _uk(_in_days(-1)),
        "contact_time": "10:30",
        "channel": CaseNote.Channel.PHONE,
        "facts": NEW_FACTS,
        "next_steps": "Apply to suspend the warrant",
        **extra,
    }


def _valid_post(page: str) -> dict[str, str]:
    """Form data ``page`` accepts from someone allowed to use it, with dates from today."""
    return {
        "note_add": _note_post,
        "note_correct": lambda: _note_post(
            facts=CORRECTED_FACTS, correction_reason="The wrong phone number was noted"
        ),
        "action_add": lambda: {
            "description": NEW_ACTION,
            "owner": Action.Owner.CLIENT,
            "owner_detail": "",
            "due_on": _uk(_in_days(10)),
        },
        "action_complete": dict,
        "action_cancel": lambda: {"reason": CANCEL_REASON},
    }[page]()


def _send(client: Client, method: str, url: str, page: str) -> HttpResponse:
    """A GET of ``page``, or a POST of the form data it accepts."""
    if method == "get":
        return client.get(url)
    return client.post(url, _valid_post(page))


@dataclass
class Scene:
    """A case of Alice's with one note and one open action on it."""

    case: Case
    note: CaseNote
    action: Action

    def url(self, page: str) -> str:
        return _url(page, self.case, note=self.note, action=self.action)


def _scene(case: Case) -> Scene:
    return Scene(case=case, note=_note_on(case), action=_action_on(case))


@pytest.fixture
def scene(alice: User) -> Scene:
    return _scene(_case(assigned_to=alice))


@pytest.fixture
def restricted_scene(alice: User) -> Scene:
    return _scene(_case(assigned_to=alice, restricted=True))


@dataclass(frozen=True)
class State:
    """What the pages under test can change, everywhere, not only on one case."""

    notes: frozenset[int]
    actions: frozenset[tuple[int, str, int | None]]
    events: frozenset[int]
    hashes: frozenset[tuple[int, str]]


def _state() -> State:
    return State(
        notes=frozenset(CaseNote.objects.values_list("pk", flat=True)),
        actions=frozenset(Action.objects.values_list("pk", "status", "completed_by_id")),
        events=frozenset(CaseEvent.objects.values_list("pk", flat=True)),
        hashes=frozenset(CaseNote.objects.values_list("pk", "content_hash")),
    )


def _action_pks(state: State) -> frozenset[int]:
    return frozenset(pk for pk, _, _ in state.actions)


def _one_new(before: frozenset[int], after: frozenset[int]) -> int:
    added = after - before
    assert len(added) == 1, f"expected exactly one new row, got {sorted(added)}"
    assert before <= after
    return next(iter(added))


def _assert_done(page: str, scene: Scene, user: User, before: State) -> None:
    """``page`` did exactly what it is for, in ``user``'s name, and nothing else."""
    after = _state()
    assert after.hashes >= before.hashes, "an existing note was changed"
    scene.action.refresh_from_db()

    if page in ("note_add", "note_correct"):
        note = CaseNote.objects.get(pk=_one_new(before.notes, after.notes))
        assert note.case_id == scene.case.pk
        assert note.author == user
        assert note.channel == CaseNote.Channel.PHONE
        expected_at = timezone.make_aware(datetime.combine(_in_days(-1), time(10, 30)))
        assert note.contact_at == expected_at
        if page == "note_add":
            assert note.facts == NEW_FACTS
            assert note.corrects is None
        else:
            assert note.facts == CORRECTED_FACTS
            assert note.corrects_id == scene.note.pk
            assert note.correction_reason == "The wrong phone number was noted"
            scene.note.refresh_from_db()
            assert scene.note.facts == "Client called about the rent arrears"
        assert after.actions == before.actions
        assert after.events == before.events
        return

    assert after.notes == before.notes
    event = CaseEvent.objects.get(pk=_one_new(before.events, after.events))
    assert event.case_id == scene.case.pk
    assert event.kind == CaseEvent.Kind.ACTION
    assert event.actor == user

    if page == "action_add":
        action = Action.objects.get(pk=_one_new(_action_pks(before), _action_pks(after)))
        assert action.case_id == scene.case.pk
        assert action.description == NEW_ACTION
        assert action.owner == Action.Owner.CLIENT
        assert action.created_by == user
        assert action.status == Action.Status.OPEN
        assert (scene.action.pk, Action.Status.OPEN, None) in after.actions
        return

    # Completing or cancelling changes the one action in the URL, and no other.
    assert _action_pks(after) == _action_pks(before)
    changed = after.actions - before.actions
    assert {pk for pk, _, _ in changed} == {scene.action.pk}
    assert scene.action.completed_by == user
    assert scene.action.completed_at is not None
    if page == "action_complete":
        assert scene.action.status == Action.Status.DONE
    else:
        assert scene.action.status == Action.Status.CANCELLED
        assert scene.action.cancel_reason == CANCEL_REASON


# --- contributing to a case that is not restricted ----------------------------------

CONTRIBUTES = {
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

# --- contributing to a restricted case: shares do not reach it, break the glass does ---------

CONTRIBUTES_RESTRICTED = {
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

FORM_PAGES = ["note_correct", "action_add", "action_cancel"]
POST_PAGES = ["note_add", "note_correct", "action_add", "action_complete", "action_cancel"]


def _cases_and_personas() -> list[pytest.param]:
    return [
        pytest.param(fixture, persona, status, id=f"{label}-{persona}")
        for label, fixture, expected in [
            ("open", "scene", CONTRIBUTES),
            ("restricted", "restricted_scene", CONTRIBUTES_RESTRICTED),
        ]
        for persona, status in expected.items()
    ]


@pytest.mark.parametrize("page", FORM_PAGES)
@pytest.mark.parametrize(("scene_fixture", "persona", "status"), _cases_and_personas())
def test_a_note_or_action_form_opens_only_for_those_who_may_contribute_to_the_case(
    request, page, scene_fixture, persona, status
):
    scene = request.getfixturevalue(scene_fixture)
    user = _become(request, scene.case, persona)
    before = _state()

    response = client_for(user).get(scene.url(page))

    assert response.status_code == status
    assert _state() == before


@pytest.mark.parametrize("page", POST_PAGES)
@pytest.mark.parametrize(("scene_fixture", "persona", "status"), _cases_and_personas())
def test_a_note_or_action_is_written_only_for_those_who_may_contribute_to_the_case(
    request, page, scene_fixture, persona, status
):
    scene = request.getfixturevalue(scene_fixture)
    user = _become(request, scene.case, persona)
    before = _state()

    response = client_for(user).post(scene.url(page), _valid_post(page))

    if status == 200:
        assert response.status_code == 302
        case_url = reverse("cases:case_detail", args=[scene.case.pk])
        # After a note the page opens at the timeline, where the new note is.
        anchor = "#timeline-heading" if page.startswith("note_") else ""
        assert response["Location"] == case_url + anchor
        _assert_done(page, scene, user, before)
    else:
        assert response.status_code == status
        assert _state() == before
        scene.action.refresh_from_db()
        assert scene.action.status == Action.Status.OPEN
        assert scene.action.completed_by is None


def test_a_note_written_by_a_contribute_share_is_in_their_name_not_the_advisers(scene, alice, dave):
    _share(scene.case, dave, CaseShare.Level.CONTRIBUTE)

    client_for(dave).post(scene.url("note_add"), _valid_post("note_add"))

    note = CaseNote.objects.exclude(pk=scene.note.pk).get(case=scene.case)
    assert note.author == dave
    assert note.author != alice


def test_a_view_share_sees_the_case_but_cannot_add_a_note_to_it(scene, dave):
    _share(scene.case, dave, CaseShare.Level.VIEW)
    client = client_for(dave)
    assert client.get(reverse("cases:case_detail", args=[scene.case.pk])).status_code == 200

    response = client.post(scene.url("note_add"), _valid_post("note_add"))

    assert response.status_code == 403
    assert list(CaseNote.objects.filter(case=scene.case)) == [scene.note]


# --- a record of another case, reached through this case's URL -------------------------

RECORD_PAGES = [
    pytest.param("note_correct", "get", id="note_correct-GET"),
    pytest.param("note_correct", "post", id="note_correct-POST"),
    pytest.param("action_complete", "post", id="action_complete-POST"),
    pytest.param("action_cancel", "get", id="action_cancel-GET"),
    pytest.param("action_cancel", "post", id="action_cancel-POST"),
]


@pytest.mark.parametrize(("page", "method"), RECORD_PAGES)
@pytest.mark.parametrize(
    "others_adviser",
    [
        pytest.param("alice", id="another case of the owner's"),
        pytest.param("dave", id="another team's case"),
    ],
)
@pytest.mark.parametrize("persona", ["the owner", "the team supervisor"])
def test_a_note_or_action_of_another_case_is_not_found_through_this_cases_url(
    request, scene, page, method, others_adviser, persona
):
    user = _become(request, scene.case, persona)
    others = _scene(_case(assigned_to=request.getfixturevalue(others_adviser)))
    url = _url(page, scene.case, note=others.note, action=others.action)
    before = _state()

    response = _send(client_for(user), method, url, page)

    assert response.status_code == 404
    assert _state() == before
    others.action.refresh_from_db()
    assert others.action.status == Action.Status.OPEN
    assert not CaseNote.objects.filter(corrects=others.note).exists()


# --- anonymous visitors -----------------------------------------------------------------

ANONYMOUS_REQUESTS = [
    pytest.param("note_add", "post", id="note_add-POST"),
    pytest.param("note_correct", "get", id="note_correct-GET"),
    pytest.param("note_correct", "post", id="note_correct-POST"),
    pytest.param("action_add", "get", id="action_add-GET"),
    pytest.param("action_add", "post", id="action_add-POST"),
    pytest.param("action_complete", "post", id="action_complete-POST"),
    pytest.param("action_cancel", "get", id="action_cancel-GET"),
    pytest.param("action_cancel", "post", id="action_cancel-POST"),
]


@pytest.mark.parametrize(("page", "method"), ANONYMOUS_REQUESTS)
def test_an_anonymous_visitor_is_sent_to_sign_in_and_writes_nothing(client, scene, page, method):
    url = scene.url(page)
    before = _state()

    response = _send(client, method, url, page)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert _state() == before


# --- reading notes is recorded ------------------------------------------------------------

READERS = {
    "the owner": "scene",
    "the team supervisor": "scene",
    "a colleague with a view share": "scene",
    "a colleague with a contribute share": "scene",
    "a team-mate who broke the glass": "restricted_scene",
}


def _note_reads(user: User) -> list[str]:
    return sorted(
        LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS, actor=user, content_type__model="casenote"
        ).values_list("object_pk", flat=True)
    )


@pytest.mark.parametrize("persona", list(READERS))
def test_reading_a_cases_notes_records_an_access_for_each_note_shown(request, persona):
    scene = request.getfixturevalue(READERS[persona])
    user = _become(request, scene.case, persona)
    second = _note_on(scene.case, facts="Client brought in the court papers")
    correction = services.note_append(
        case=scene.case,
        author=scene.case.assigned_to,
        contact_at=timezone.now() - timedelta(days=2),
        channel="phone",
        facts="Client called about the rent and council tax arrears",
        next_steps="Write to the landlord",
        corrects=scene.note,
        correction_reason="Council tax was left out",
    )
    others_note = _note_on(_case(assigned_to=scene.case.assigned_to))
    assert _note_reads(user) == []

    response = client_for(user).get(reverse("cases:case_detail", args=[scene.case.pk]))

    assert response.status_code == 200
    shown = {note.pk for note in response.context["timeline"].notes}
    assert shown == {scene.note.pk, second.pk, correction.pk}
    assert _note_reads(user) == sorted(str(pk) for pk in shown)
    assert str(others_note.pk) not in _note_reads(user)
    entries = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, actor=user, content_type__model="casenote"
    )
    assert all(entry.additional_data == {"via": "case page"} for entry in entries)


@pytest.mark.parametrize(
    "persona",
    [
        "a team-mate",
        "another team's adviser",
        "an admin",
        "a colleague with an expired share",
        "a colleague with a revoked share",
    ],
)
def test_a_refused_reader_records_no_access_to_any_note(request, scene, persona):
    user = _become(request, scene.case, persona)

    response = client_for(user).get(reverse("cases:case_detail", args=[scene.case.pk]))

    assert response.status_code == 404
    assert _note_reads(user) == []
