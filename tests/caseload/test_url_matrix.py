"""Every URL of the site, asked for by every kind of person, by GET and by POST.

The rules (README "Who sees what", as issue 11 tightens them):

- a case is seen by its adviser, a supervisor (with the Supervisor role) of its
  team, holders of a live share (unrestricted cases only) and holders of a live
  break-the-glass grant; a restricted case by its adviser, its supervisor and
  live break-the-glass holders only;
- contributing (notes, actions, deadlines, obstacles, outcome progress,
  assessments) is for the adviser, the supervisor, a live contribute share
  (unrestricted cases) and live break-the-glass; managing (status, outcomes,
  shares, referrals out) for the adviser and the supervisor; reassigning and
  overriding for the supervisor;
- a client is seen only through a case one may see (creating the client grants
  nothing); editing the client, recording consent and opening another case on
  them is for whoever manages one of their cases;
- team pages need the Supervisor role, and leading the team for anything of
  one team; admin pages need the Admin role, and an admin reaches no client
  data; being listed as a team's supervisor without the Supervisor role gives
  nothing;
- a deactivated user's session is over: every URL sends them to sign in, except the
  API's (/api/), which never redirects: it answers 401 or 403 problem details.

Anyone the rules refuse gets 403 or 404, by GET and by POST, and their POST
changes no row of the domain's tables. Anyone the rules allow gets the page
(200 unless the sample says otherwise), which proves the sample's URL is live.

Adding a URL
------------
``test_every_url_pattern_has_a_sample`` walks the URLconf and fails, naming
the pattern, when a named URL has no entry in ``SAMPLES`` (or ``EXEMPT``,
with a reason). A sample is one line in ``SAMPLES``: how to build the URL from
the fixture world, who may use it (a rule: ANYONE, ANY_ROLE, ADVISER_ROLE,
CASE_ROLE, SUPERVISOR_ROLE, ADMIN_ROLE, SERVICE_MANAGER_ROLE, SUPERVISES, MANAGES,
SEES_CASE, CONTRIBUTES, SEES_REVIEW) and which methods the view takes (GET, POST, BOTH),
for example::

    "reviews:team_trend": page("reviews:team_trend", SUPERVISOR_ROLE, GET),
    "cases:case_export": on_case("cases:case_export", SEES_CASE, GET),
    "notes:note_pin": on_case("notes:note_pin", CONTRIBUTES, POST, "note"),
    "cases:client_export": on_client("cases:client_export", MANAGES, GET),
    "reviews:review_pdf": on_review("reviews:review_pdf", SEES_REVIEW, GET),

``on_case`` and ``on_client`` samples run on both of alice's cases (the
unrestricted and the restricted one); the extra names after the methods
("note", "action", "outcome", "obstacle", "deadline", "share", "assessment",
"consent") are the objects of that case to put into the URL after the case's
id. Keywords: ``data=lambda w, s: {...}`` is the POST body (valid form data,
so that a missing check shows up as a change); ``ok=302`` when an allowed GET
redirects; ``follow=True`` to follow redirects. Anything else: write
``Sample(lambda w, s: url, RULE, METHODS, ...)`` by hand. An API endpoint that reads
by GET for one rule and adds by POST for another (a case's notes) gives the second as
``post_rule=CONTRIBUTES``. API samples (/api/) are sent as JSON. A new kind of
person goes into ``ACTORS`` (with what they hold) and, if it needs a new
user, ``_user``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from caseload.roles import Role
from caseload.schedules import schedule_token
from cases import services as case_services
from cases.models import (
    BreakGlassAccess,
    BreakGlassRequest,
    Case,
    CaseDeadline,
    CaseShare,
    ConsentRecord,
    Obstacle,
    Outcome,
    User,
)
from configuration.concurrency import edit_token
from dataprotection import erasure_services as dp_services
from dataprotection import sar_services
from dataprotection.models import (
    DisposalItem,
    DisposalRun,
    ErasureRequest,
    LegalHold,
    ProcessingRestriction,
    SubjectAccessRequest,
)
from documents import services as document_services
from documents.content import check_content
from documents.models import Document
from notes import services as note_services
from notes.models import Action, CaseNote
from priorities import services as priority_services
from priorities.models import (
    Assessment,
    ClosureDay,
    CriteriaVersion,
    Organisation,
    Timescale,
    TimescaleLevel,
)
from priorities.services import TIMESCALE_FIELDS
from reviews import services as review_services
from reviews.models import CaseloadReport, CaseloadReview
from tests.conftest import client_for
from tests.factories import (
    PASSWORD,
    AdviserFactory,
    CaseFactory,
    CaseTypeFactory,
    ClientFactory,
    ConsentFactory,
    UserFactory,
    published_criteria,
)
from tests.personas import CRISIS, GRANTS
from tests.personas import share as share_with

pytestmark = pytest.mark.django_db

# Named URLs that need no sample, each with the reason. (/healthz is answered by
# middleware before URL routing, so it is no pattern here; test_access.py covers it.)
EXEMPT = {
    "login": "public by design: the sign-in page",
    "logout": "ends the caller's own session; shows and changes nothing else",
    "password_reset": "public by design: asks for an email address, says nothing about it",
    "password_reset_done": "public by design: a fixed message",
    "password_reset_confirm": "public by design: guarded by the one-time token in its URL",
    "password_reset_complete": "public by design: a fixed message",
    "api:schema": "public by design: the API's OpenAPI schema describes its endpoints and "
    "holds no data (tests/api covers it)",
    "api:not_found": "any other URL under /api/: a 404 problem for everyone, names nothing",
    "api:referrals": "referral intake, for partners' integration tokens only: every session "
    "is refused (tests/api/test_intake.py holds who may and who may not)",
    "api:referral": "a referral read back by the integration token that sent it, and nobody "
    "else (tests/api/test_intake.py)",
    "admin:index": "the emergency admin site, a superuser's alone (tests/caseload/test_access.py "
    "holds who gets in, and the walk below what it shows)",
}

# The configuration pages are the Django admin's own catch-all routes, guarded by the
# admin site as a whole; only its index is in the matrix (admins in, everyone else out).
ADMIN_NAMESPACE = "admin"
ADMIN_SAMPLED = {"admin:index"}

# Tables a refused POST may still write to (none yet). The audit trail lives outside
# the domain apps and is not compared.
UNCOMPARED_TABLES: set[str] = set()
DOMAIN_APPS = (
    "caseload",
    "cases",
    "notes",
    "priorities",
    "reviews",
    "dataprotection",
    "documents",
)

GET, POST, BOTH = frozenset({"GET"}), frozenset({"POST"}), frozenset({"GET", "POST"})


# --- the URLconf ----------------------------------------------------------------


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[str]:
    """The name of every URL pattern, with its namespaces ("cases:case_detail"), walking
    nested includes; an unnamed pattern is listed by its route so it cannot hide."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace == ADMIN_NAMESPACE:
                yield from ADMIN_SAMPLED
                continue
            yield from url_names(entry, inner)
        elif isinstance(entry, URLPattern):
            yield (
                f"{namespace}{entry.name}"
                if entry.name
                else f"{namespace}<unnamed {entry.pattern}>"
            )


# --- the world ------------------------------------------------------------------


def _uk(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


@dataclass
class Scene:
    """One of alice's cases in North, with one of everything that hangs off a case."""

    name: str
    restricted: bool
    case: Case
    consent: ConsentRecord
    note: CaseNote
    action: Action
    deadline: CaseDeadline
    outcome: Outcome
    obstacle: Obstacle
    assessment: Assessment
    share: CaseShare | None


@dataclass
class World:
    open: Scene
    restricted: Scene
    review: CaseloadReview
    report: CaseloadReport
    people: dict[str, User]
    access: BreakGlassAccess
    pending: BreakGlassRequest

    @property
    def scenes(self) -> list[Scene]:
        return [self.open, self.restricted]


def _scene(name: str, case: Case, alice: User, *, frank: User | None) -> Scene:
    consent = ConsentFactory(client=case.client, recorded_by=alice, scope="all")
    note = note_services.note_append(
        case=case,
        author=alice,
        contact_at=timezone.now() - timedelta(days=2),
        channel=CaseNote.Channel.PHONE,
        facts="Client called about the rent arrears",
        next_steps="Write to the landlord",
    )
    return Scene(
        name=name,
        restricted=case.restricted,
        case=case,
        consent=consent,
        note=note,
        action=note_services.action_create(
            case=case,
            description="Send the rent statement",
            owner=Action.Owner.ADVISER,
            due_on=_in_days(14),
            created_by=alice,
        ),
        deadline=case_services.deadline_add(
            case=case, due_on=_in_days(21), description="Hearing", added_by=alice
        ),
        outcome=case_services.outcome_add(
            case=case,
            description="Stay in the home",
            measure="No eviction",
            target_date=_in_days(90),
            added_by=alice,
        ),
        obstacle=case_services.obstacle_record(
            case=case,
            kind=Obstacle.Kind.FINANCIAL,
            description="Benefit payments stopped",
            raised_by=alice,
        ),
        assessment=priority_services.assessment_record(
            case=case,
            answers={"safeguarding": 0, "complexity": 2},
            rationale="First look at the papers",
            assessed_by=alice,
        ),
        share=share_with(case, frank, CaseShare.Level.VIEW) if frank else None,
    )


@pytest.fixture
def world(alice: User, bob: User, carol: User, north: Any) -> World:
    """Alice's two North cases, her caseload review and carol's weekly report.

    Bob created the unrestricted case's client but holds no case of theirs; frank
    (in no team) holds a view share of it, so that revoking a share has a target.
    """
    CaseTypeFactory()
    published_criteria()
    frank = AdviserFactory(username="frank", first_name="Frank", last_name="Fisher")
    # Opened a week ago, before the contacts the scenes and the forms record.
    opened = timezone.now() - timedelta(days=7)
    open_case = CaseFactory(assigned_to=alice, client=ClientFactory(created_by=bob), now=opened)
    restricted_case = CaseFactory(
        assigned_to=alice, restricted=True, client=ClientFactory(created_by=alice), now=opened
    )
    # Frank broke the glass on the restricted case (a use for carol to review), and bob,
    # past a limit of none, waits for carol's approval of another request.
    access = case_services.break_glass(case=restricted_case, user=frank, reason=CRISIS)
    Organisation.objects.update_or_create(pk=1, defaults={"break_glass_daily_limit": 0})
    pending = case_services.break_glass_request(
        user=bob, reference=restricted_case.reference, reason=CRISIS
    )
    Organisation.objects.filter(pk=1).update(break_glass_daily_limit=3)
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
    report, _ = review_services.report_generate(supervisor=carol, period_start=monday, email=False)
    return World(
        open=_scene("unrestricted case", open_case, alice, frank=frank),
        restricted=_scene("restricted case", restricted_case, alice, frank=None),
        review=review_services.review_start(adviser=alice, started_by=alice),
        report=report,
        people={"alice": alice, "bob": bob, "carol": carol, "north": north},
        access=access,
        pending=pending,
    )


# --- who is asking ------------------------------------------------------------------

ADVISER, SUPERVISOR, ADMIN = Role.ADVISER, Role.SUPERVISOR, Role.ADMIN
SERVICE_MANAGER = Role.SERVICE_MANAGER
DATA_PROTECTION = Role.DATA_PROTECTION


@dataclass(frozen=True)
class Actor:
    """A person, the roles they hold, and what they hold on alice's cases right now.

    ``holds``: "alice" (she is the adviser of both cases and the subject of the
    review), "supervises" (Supervisor role and a supervisor of North), "view share"
    and "contribute share" (live, on the unrestricted case), "break glass" (live, on
    the restricted case). Expired and revoked grants hold nothing.
    """

    user: str
    roles: frozenset[Role]
    holds: frozenset[str] = frozenset()
    grant: str | None = None  # a GRANTS entry of tests/personas.py
    deactivated: bool = False


def _actor(user: str, roles: set[Role], holds: set[str] = set(), **kw: Any) -> Actor:  # noqa: B006
    return Actor(user, frozenset(roles), frozenset(holds), **kw)


ACTORS = {
    "the adviser (alice)": _actor("alice", {ADVISER}, {"alice"}),
    "a same-team adviser (bob, who created the client)": _actor("bob", {ADVISER}),
    "another team's adviser (dave)": _actor("dave", {ADVISER}),
    "a view-only share holder": _actor("dave", {ADVISER}, {"view share"}, grant="view share"),
    "a contribute share holder": _actor(
        "dave", {ADVISER}, {"contribute share"}, grant="contribute share"
    ),
    "an expired share holder": _actor("dave", {ADVISER}, grant="expired share"),
    "a revoked share holder": _actor("dave", {ADVISER}, grant="revoked share"),
    "a break-the-glass holder": _actor("dave", {ADVISER}, {"break glass"}, grant="break the glass"),
    "a break-the-glass holder after expiry": _actor(
        "dave", {ADVISER}, grant="break the glass long ago"
    ),
    "the team's supervisor (carol)": _actor("carol", {SUPERVISOR}, {"supervises"}),
    "another team's supervisor (sam)": _actor("sam", {SUPERVISOR}),
    "a team-listed supervisor with only the Adviser role": _actor("tess", {ADVISER}),
    "a team-listed supervisor with no role": _actor("nora", set()),
    "an admin (erin)": _actor("erin", {ADMIN}),
    "a service manager (mia)": _actor("mia", {SERVICE_MANAGER}),
    "a data protection officer (dina)": _actor("dina", {DATA_PROTECTION}),
    "a user with no role": _actor("newstarter", set()),
    "the adviser, deactivated after signing in": _actor(
        "alice", {ADVISER}, {"alice"}, deactivated=True
    ),
    "the supervisor, deactivated after signing in": _actor(
        "carol", {SUPERVISOR}, {"supervises"}, deactivated=True
    ),
}


def _user(request: pytest.FixtureRequest, name: str) -> User:
    """A persona fixture, or one of the people only this matrix needs."""
    if name in ("tess", "nora"):
        # Listed among North's supervisors without holding the Supervisor role.
        user = (
            AdviserFactory(username=name)
            if name == "tess"
            else UserFactory(username=name, first_name="Nora", last_name="Nash")
        )
        request.getfixturevalue("north").supervisors.add(user)
        return user
    if name == "newstarter":
        return UserFactory(username=name, first_name="New", last_name="Starter")
    if name == "mia":
        return UserFactory(username=name, roles=[SERVICE_MANAGER])
    if name == "dina":
        return UserFactory(username=name, roles=[DATA_PROTECTION])
    return request.getfixturevalue(name)


# --- the rules --------------------------------------------------------------------

Rule = Callable[[Actor, Scene], bool]


def ANYONE(actor: Actor, scene: Scene) -> bool:
    return True


def _role(*roles: Role) -> Rule:
    return lambda actor, scene: bool(actor.roles.intersection(roles))


ANY_ROLE = _role(ADVISER, SUPERVISOR, ADMIN, SERVICE_MANAGER, DATA_PROTECTION)
ADVISER_ROLE = _role(ADVISER)
CASE_ROLE = _role(ADVISER, SUPERVISOR)
SUPERVISOR_ROLE = _role(SUPERVISOR)
ADMIN_ROLE = _role(ADMIN)
SERVICE_MANAGER_ROLE = _role(SERVICE_MANAGER)
DPO_ROLE = _role(DATA_PROTECTION)


def TRAIL_READER(actor: Actor, scene: Scene) -> bool:
    """Who reads the audit trail of a client or a case: the DPO, and its team's supervisor."""
    return DPO_ROLE(actor, scene) or SUPERVISES(actor, scene)


def SUPERVISES(actor: Actor, scene: Scene) -> bool:
    return "supervises" in actor.holds


def MANAGES(actor: Actor, scene: Scene) -> bool:
    return bool(actor.holds & {"alice", "supervises"})


def SEES_CASE(actor: Actor, scene: Scene) -> bool:
    if MANAGES(actor, scene):
        return True
    if scene.restricted:
        return "break glass" in actor.holds
    return bool(actor.holds & {"view share", "contribute share"})


def CONTRIBUTES(actor: Actor, scene: Scene) -> bool:
    if MANAGES(actor, scene):
        return True
    if scene.restricted:
        return "break glass" in actor.holds
    return "contribute share" in actor.holds


def OPENS_CASE(actor: Actor, scene: Scene) -> bool:
    """Another case for a client: whoever manages one of the client's open cases (its
    adviser, or a supervisor of its team, whose new case waits in the team's queue)."""
    return MANAGES(actor, scene)


# Alice's caseload review: alice herself and the supervisors of her team.
SEES_REVIEW = MANAGES


# --- the samples -------------------------------------------------------------------


def _alices_token(w: World) -> Any:
    """A personal API token of alice's (made when first asked for, even once she is
    deactivated, which the service would refuse)."""
    from api.models import ApiToken

    token = ApiToken.objects.filter(user=w.people["alice"]).first()
    return token or ApiToken.objects.create(
        kind=ApiToken.Kind.PERSONAL,
        name="Matrix",
        prefix="matrix",
        secret_hash="0" * 64,
        user=w.people["alice"],
        created_by=w.people["alice"],
        expires_at=timezone.now() + timedelta(days=30),
    )


def _partner_token(w: World) -> Any:
    """A partner's integration token for North (made when first asked for)."""
    from api import services as api_services
    from api.models import ApiToken

    token = ApiToken.objects.filter(kind=ApiToken.Kind.INTEGRATION).first()
    return (
        token
        or api_services.integration_token_create(
            partner="Riverside Food Bank",
            team=w.people["north"],
            case_type=CaseTypeFactory(),
            created_by=UserFactory(username="erin-matrix", roles=[ADMIN]),
        ).token
    )


UrlOf = Callable[[World, Scene], str | None]  # None: not on this case
DataOf = Callable[[World, Scene], dict[str, Any]]


@dataclass(frozen=True)
class Sample:
    url: UrlOf
    rule: Rule
    methods: frozenset[str]
    data: DataOf = field(default=lambda w, s: {})
    per_case: bool = False
    ok: int = 200  # what an allowed GET answers
    follow: bool = False
    post_rule: Rule | None = None  # who may POST, when not those who may GET

    def allows(self, method: str, actor: Actor, scene: Scene) -> bool:
        rule = self.post_rule if method == "POST" and self.post_rule else self.rule
        return rule(actor, scene)

    def requests(self, world: World) -> Iterator[tuple[Scene, str]]:
        for scene in world.scenes if self.per_case else [world.open]:
            url = self.url(world, scene)
            if url is not None:
                yield scene, url


def _draft() -> CriteriaVersion:
    """The draft of the priority criteria, made from the published version if none is."""
    draft = CriteriaVersion.objects.filter(status=CriteriaVersion.Status.DRAFT).first()
    return draft or priority_services.version_draft_from(source=CriteriaVersion.published())


def _question() -> dict[str, str]:
    return {
        "name": "Is the client homeless tonight?",
        "guidance": "Where they will sleep.",
        "answer_type": "yes_no",
        "weight": "6",
        "forces_red_at": "1",
        "key": "homeless",
        "position": "3",
    }


def page(name: str, rule: Rule, methods: frozenset[str], **kw: Any) -> Sample:
    """A URL without arguments."""
    return Sample(lambda w, s: reverse(name), rule, methods, **kw)


def on_case(name: str, rule: Rule, methods: frozenset[str], *parts: str, **kw: Any) -> Sample:
    """A URL of each of alice's cases, with the named objects of that case after its id;
    skipped on a case that has no such object (a restricted case has no share)."""

    def url(world: World, scene: Scene) -> str | None:
        objects = [getattr(scene, part) for part in parts]
        if any(o is None for o in objects):
            return None
        return reverse(name, args=[scene.case.pk, *(o.pk for o in objects)])

    return Sample(url, rule, methods, per_case=True, **kw)


def on_client(name: str, rule: Rule, methods: frozenset[str], **kw: Any) -> Sample:
    """A URL of the client of each of alice's cases."""
    return Sample(
        lambda w, s: reverse(name, args=[s.case.client_id]), rule, methods, per_case=True, **kw
    )


def on_review(name: str, rule: Rule, methods: frozenset[str], **kw: Any) -> Sample:
    return Sample(lambda w, s: reverse(name, args=[w.review.pk]), rule, methods, **kw)


def on_report(name: str, rule: Rule, methods: frozenset[str], **kw: Any) -> Sample:
    return Sample(lambda w, s: reverse(name, args=[w.report.pk]), rule, methods, **kw)


def _document(world: World, scene: Scene) -> Document:
    """A document alice attached to the scene's case, made when first asked for."""
    existing = Document.objects.filter(case=scene.case).first()
    if existing is not None:
        return existing
    return document_services.document_add(
        checked=check_content(b"%PDF-1.4\n%%EOF\n", original_name="letter.pdf"),
        uploaded_by=world.people["alice"],
        case=scene.case,
    )


def _document_post() -> dict[str, Any]:
    return {
        "file": SimpleUploadedFile("letter.txt", b"A letter from the landlord"),
        "description": "From the landlord",
    }


def _sar(world: World) -> SubjectAccessRequest:
    """A subject access request about the unrestricted case's client, made when first asked
    for (by a DPO of its own, so that dina's pages find it whoever is asking)."""
    existing = SubjectAccessRequest.objects.filter(client=world.open.case.client).first()
    if existing is not None:
        return existing
    return sar_services.sar_open(
        client=world.open.case.client,
        received_on=_in_days(-3),
        opened_by=UserFactory(username="dpo-matrix", roles=[DATA_PROTECTION]),
    )


def on_sar(name: str, methods: frozenset[str], *, item: bool = False, **kw: Any) -> Sample:
    """A URL of the subject access request (with ``item``: of its client's first note)."""

    def url(world: World, scene: Scene) -> str:
        request = _sar(world)
        extra = ["note", world.open.note.pk] if item else []
        return reverse(name, args=[request.pk, *extra])

    return Sample(url, DPO_ROLE, methods, **kw)


def _api_note() -> dict[str, str]:
    """A note as the API takes it (``api.endpoints.serializers.NoteAppendSerializer``)."""
    return {
        "contact_at": (timezone.now() - timedelta(days=1)).isoformat(),
        "channel": CaseNote.Channel.PHONE,
        "facts": "Client rang: the bailiffs have given a date",
        "next_steps": "Apply to suspend the warrant",
    }


def _note_post(**extra: str) -> dict[str, str]:
    return {
        "contact_date": _uk(_in_days(-1)),
        "contact_time": "10:30",
        "channel": CaseNote.Channel.PHONE,
        "facts": "Client rang: the bailiffs have given a date",
        "next_steps": "Apply to suspend the warrant",
        **extra,
    }


# -- the data protection officer's records, made on a case of their own (a restriction on
# alice's clients would freeze the cases the other samples use)


def _dp_case(w: World) -> Case:
    case = getattr(w, "dp_case", None)
    if case is None:
        case = CaseFactory(assigned_to=AdviserFactory(username="dpclient"))
        w.dp_case = case  # type: ignore[attr-defined]  # a test-only attribute
    return case


def _disposal_item(w: World) -> DisposalItem:
    item = DisposalItem.objects.filter(run__status=DisposalRun.Status.AWAITING_REVIEW).first()
    if item is None:
        run = DisposalRun.objects.create(
            source=DisposalRun.Source.SCHEDULE, created_at=timezone.now()
        )
        item = DisposalItem.objects.create(run=run, client=_dp_case(w).client, case_count=1)
    return item


def _legal_hold(w: World) -> LegalHold:
    hold = LegalHold.objects.active().first()
    return hold or dp_services.legal_hold_place(
        client=_dp_case(w).client, reason="Claim issued", placed_by=_dpo()
    )


def _restriction(w: World) -> ProcessingRestriction:
    restriction = ProcessingRestriction.objects.active().first()
    return restriction or dp_services.processing_restriction_place(
        client=_dp_case(w).client, reason="Accuracy contested", placed_by=_dpo()
    )


def _erasure_request(w: World) -> ErasureRequest:
    request = ErasureRequest.objects.filter(decision=ErasureRequest.Decision.PENDING).first()
    return request or dp_services.erasure_request_record(
        client=_dp_case(w).client, received_on=_in_days(-1), recorded_by=_dpo()
    )


def _dpo() -> User:
    return UserFactory(username="dpo-records", roles=[DATA_PROTECTION])


def _client_post(**extra: str) -> dict[str, str]:
    return {
        "given_name": "Zara",
        "family_name": "Quorndonshirematrix",
        "date_of_birth": "02/03/1990",
        "postcode": "LS1 4AP",
        **extra,
    }


def _timescales_post(case_type_id: int) -> dict[str, str]:
    """A valid save of a case type's timescales, with the edit token as it stands."""
    rows = list(Timescale.objects.filter(case_type_id=case_type_id))
    data = {
        "token": edit_token(rows, ["level", *TIMESCALE_FIELDS]),
        "unassessed-follows": "green",
        "green-first_contact_days": "7",
    }
    for level in TimescaleLevel:
        data[f"{level}-approaching_mode"] = "default"
    return data


def _closure_day() -> ClosureDay:
    """A closure day to remove (made when the URL is built, before a refused POST is
    compared)."""
    return ClosureDay.objects.get_or_create(
        day=_in_days(60), defaults={"description": "Staff training"}
    )[0]


def _digest_schedule() -> PeriodicTask:
    return PeriodicTask.objects.select_related("crontab").get(
        task="notifications.tasks.send_notification_digest_task"
    )


SAMPLES: dict[str, Sample] = {
    # -- caseload: the start page, and the auth pages for the signed-in user
    "home": page("home", ANY_ROLE, BOTH, ok=302),
    "password_change": page(
        "password_change",
        ANYONE,
        BOTH,
        data=lambda w, s: {
            "old_password": PASSWORD,
            "new_password1": "a much longer new passphrase",
            "new_password2": "a much longer new passphrase",
        },
    ),
    "password_change_done": page("password_change_done", ANYONE, GET),
    # -- configuration: the admins' own area
    "configuration:home": page("configuration:home", ADMIN_ROLE, GET),
    "documents:client_document_add": on_client(
        "documents:client_document_add", MANAGES, BOTH, data=lambda w, s: _document_post()
    ),
    "documents:case_document_add": on_case(
        "documents:case_document_add", CONTRIBUTES, BOTH, data=lambda w, s: _document_post()
    ),
    "documents:document_download": Sample(
        lambda w, s: reverse("documents:document_download", args=[_document(w, s).pk]),
        SEES_CASE,
        GET,
        per_case=True,
    ),
    "dataprotection:home": page("dataprotection:home", DPO_ROLE, GET),
    # -- data protection: who has seen what
    "dataprotection:audit": page("dataprotection:audit", DPO_ROLE, GET),
    "dataprotection:audit_client": on_client("dataprotection:audit_client", TRAIL_READER, GET),
    "dataprotection:audit_client_csv": on_client(
        "dataprotection:audit_client_csv", TRAIL_READER, GET
    ),
    "dataprotection:audit_case": on_case("dataprotection:audit_case", TRAIL_READER, GET),
    "dataprotection:audit_case_csv": on_case("dataprotection:audit_case_csv", TRAIL_READER, GET),
    "dataprotection:audit_person": page("dataprotection:audit_person", DPO_ROLE, GET),
    "dataprotection:audit_person_csv": Sample(
        lambda w, s: (
            reverse("dataprotection:audit_person_csv")
            + f"?person={w.people['alice'].pk}&since={_uk(_in_days(-7))}&until={_uk(_in_days(0))}"
        ),
        DPO_ROLE,
        GET,
    ),
    "dataprotection:audit_break_glass": page("dataprotection:audit_break_glass", DPO_ROLE, GET),
    "dataprotection:retention": page("dataprotection:retention", DPO_ROLE, GET),
    "dataprotection:retention_check": page("dataprotection:retention_check", DPO_ROLE, POST),
    "dataprotection:disposal_run": Sample(
        lambda w, s: reverse("dataprotection:disposal_run", args=[_disposal_item(w).run_id]),
        DPO_ROLE,
        BOTH,
        data=lambda w, s: {"items": [_disposal_item(w).pk], "reason": "Retention ended"},
    ),
    "dataprotection:tombstones": page("dataprotection:tombstones", DPO_ROLE, GET),
    "dataprotection:holds": page(
        "dataprotection:holds",
        DPO_ROLE,
        BOTH,
        data=lambda w, s: {"reference": w.open.case.client.reference, "reason": "Claim"},
    ),
    "dataprotection:hold_lift": Sample(
        lambda w, s: reverse("dataprotection:hold_lift", args=[_legal_hold(w).pk]),
        DPO_ROLE,
        BOTH,
        data=lambda w, s: {"reason": "Claim settled"},
    ),
    "dataprotection:restrictions": page(
        "dataprotection:restrictions",
        DPO_ROLE,
        BOTH,
        data=lambda w, s: {"reference": w.open.case.client.reference, "reason": "Contested"},
    ),
    "dataprotection:restriction": Sample(
        lambda w, s: reverse("dataprotection:restriction", args=[_restriction(w).pk]),
        DPO_ROLE,
        GET,
    ),
    # the note first: the lift's probe ends the restriction the note's URL names
    "dataprotection:restriction_note": Sample(
        lambda w, s: reverse("dataprotection:restriction_note", args=[_restriction(w).pk]),
        DPO_ROLE,
        POST,
        data=lambda w, s: {"case": _dp_case(w).pk, "facts": "Restriction explained by letter"},
    ),
    "dataprotection:restriction_lift": Sample(
        lambda w, s: reverse("dataprotection:restriction_lift", args=[_restriction(w).pk]),
        DPO_ROLE,
        POST,
        data=lambda w, s: {"reason": "Accuracy checked"},
    ),
    "dataprotection:erasure_requests": page(
        "dataprotection:erasure_requests",
        DPO_ROLE,
        BOTH,
        data=lambda w, s: {
            "reference": w.open.case.client.reference,
            "received_on": _uk(_in_days(-1)),
        },
    ),
    "dataprotection:erasure_request": Sample(
        lambda w, s: reverse("dataprotection:erasure_request", args=[_erasure_request(w).pk]),
        DPO_ROLE,
        BOTH,
        data=lambda w, s: {"decision": "refuse", "ground": "legal_claims", "reason": "Claim"},
    ),
    # subject access requests (issue 16), on a request about the unrestricted case's client
    "dataprotection:sar_list": page("dataprotection:sar_list", DPO_ROLE, GET),
    "dataprotection:sar_open": page(
        "dataprotection:sar_open",
        DPO_ROLE,
        BOTH,
        data=lambda w, s: {"reference": s.case.client.reference, "received_on": _uk(_in_days(0))},
    ),
    "dataprotection:sar_detail": on_sar("dataprotection:sar_detail", GET),
    "dataprotection:sar_extend": on_sar(
        "dataprotection:sar_extend",
        BOTH,
        data=lambda w, s: {"months": "1", "reason": "Many records over several years"},
    ),
    "dataprotection:sar_review": on_sar("dataprotection:sar_review", GET),
    "dataprotection:sar_item_decide": on_sar(
        "dataprotection:sar_item_decide",
        BOTH,
        item=True,
        data=lambda w, s: {"decision": "withhold", "reason": "third_party"},
    ),
    "dataprotection:sar_item_release_in_full": on_sar(
        "dataprotection:sar_item_release_in_full", POST, item=True
    ),
    "dataprotection:sar_ready": on_sar("dataprotection:sar_ready", POST),
    "dataprotection:sar_release": on_sar(
        "dataprotection:sar_release",
        BOTH,
        data=lambda w, s: {"released_to": "The client", "release_method": "secure_email"},
    ),
    "dataprotection:sar_close": on_sar(
        "dataprotection:sar_close", BOTH, data=lambda w, s: {"reason": "Withdrawn by the client"}
    ),
    # Nothing released yet: the download sends the DPO back to the request's page.
    "dataprotection:sar_download": on_sar("dataprotection:sar_download", GET, ok=302),
    "configuration:people": page("configuration:people", ADMIN_ROLE, GET),
    "configuration:person_invite": page(
        "configuration:person_invite",
        ADMIN_ROLE,
        BOTH,
        data=lambda w, s: {
            "first_name": "Nia",
            "last_name": "Newcomer",
            "email": "nia@example.org",
            "username": "nia",
        },
    ),
    **{
        name: Sample(
            lambda w, s, name=name: reverse(name, args=[w.people["bob"].pk]),
            ADMIN_ROLE,
            methods,
            data=data,
        )
        for name, methods, data in [
            (
                "configuration:person",
                BOTH,
                lambda w, s: {
                    "first_name": "Robert",
                    "last_name": "Baker",
                    "email": "bob@example.org",
                    "fte": "0.8",
                    "capacity_points": "30",
                    "edit_token": "stale",
                },
            ),
            (
                "configuration:person_deactivate",
                BOTH,
                lambda w, s: {"handover_note": "Bob has left", "confirm": "on"},
            ),
            ("configuration:person_reactivate", POST, lambda w, s: {}),
            ("configuration:person_password_link", POST, lambda w, s: {}),
        ]
    },
    "configuration:catalogue": Sample(
        lambda w, s: reverse("configuration:catalogue", kwargs={"kind": "case-types"}),
        ADMIN_ROLE,
        GET,
    ),
    "configuration:catalogue_add": Sample(
        lambda w, s: reverse("configuration:catalogue_add", kwargs={"kind": "case-types"}),
        ADMIN_ROLE,
        BOTH,
        data=lambda w, s: {
            "name": "Welfare benefits",
            "description": "",
            "is_active": "on",
            "retention_months": "72",
        },
    ),
    "configuration:catalogue_edit": Sample(
        lambda w, s: reverse(
            "configuration:catalogue_edit",
            kwargs={"kind": "case-types", "pk": w.open.case.case_type_id},
        ),
        ADMIN_ROLE,
        BOTH,
        data=lambda w, s: {
            "name": "Renamed",
            "is_active": "on",
            "retention_months": "72",
            "edit_token": "stale",
        },
    ),
    "configuration:organisation": page(
        "configuration:organisation",
        ADMIN_ROLE,
        BOTH,
        data=lambda w, s: {"approaching_days": "3", "edit_token": "stale"},
    ),
    "configuration:review_settings": page(
        "configuration:review_settings",
        ADMIN_ROLE,
        BOTH,
        data=lambda w, s: {"interval_working_days": "15", "edit_token": "stale"},
    ),
    "configuration:teams": page(
        "configuration:teams", ADMIN_ROLE, BOTH, data=lambda w, s: {"name": "East"}
    ),
    "configuration:team": Sample(
        lambda w, s: reverse("configuration:team", args=[w.people["north"].pk]),
        ADMIN_ROLE,
        BOTH,
        data=lambda w, s: {"name": "North and West", "edit_token": "stale"},
    ),
    # (timescales and calendar)
    "configuration:timescales": page("configuration:timescales", ADMIN_ROLE, GET),
    "configuration:timescales_edit": Sample(
        lambda w, s: reverse("configuration:timescales_edit", args=[s.case.case_type_id]),
        ADMIN_ROLE,
        BOTH,
        data=lambda w, s: _timescales_post(s.case.case_type_id),
    ),
    "configuration:calendar": page("configuration:calendar", ADMIN_ROLE, GET),
    "configuration:calendar_nation": page(
        "configuration:calendar_nation",
        ADMIN_ROLE,
        POST,
        data=lambda w, s: {
            "nation": "SCT",
            "token": edit_token(
                [Organisation.objects.get(pk=Organisation.current().pk)], ["nation"]
            ),
        },
    ),
    "configuration:closure_add": page(
        "configuration:closure_add",
        ADMIN_ROLE,
        POST,
        data=lambda w, s: {
            "day": _uk(_in_days(40)),
            "description": "Staff training",
            "confirm": "on",
        },
    ),
    "configuration:closure_remove": Sample(
        lambda w, s: reverse("configuration:closure_remove", args=[_closure_day().pk]),
        ADMIN_ROLE,
        POST,
    ),
    # schedules and change history (issue 15)
    "configuration:schedules": page("configuration:schedules", ADMIN_ROLE, GET),
    "configuration:schedule_edit": Sample(
        lambda w, s: reverse("configuration:schedule_edit", args=[_digest_schedule().pk]),
        ADMIN_ROLE,
        BOTH,
        data=lambda w, s: {
            "at": "09:00",
            "enabled": "on",
            "token": schedule_token(_digest_schedule()),
        },
    ),
    "configuration:history": page("configuration:history", ADMIN_ROLE, GET),
    # -- configuration: priority criteria (a draft made from the published version when
    # first asked for; the discard probe runs last, since it removes the draft)
    "configuration:criteria": page("configuration:criteria", ADMIN_ROLE, GET),
    "configuration:criteria_version": Sample(
        lambda w, s: reverse("configuration:criteria_version", args=[_draft().pk]),
        ADMIN_ROLE,
        BOTH,
        data=lambda w, s: {
            "red_threshold": "8",
            "amber_threshold": "4",
            "red_label": "High",
            "amber_label": "Medium",
            "green_label": "Low",
            "red_colour": "red",
            "amber_colour": "amber",
            "green_colour": "green",
            "edit_token": edit_token([_draft()], priority_services.THRESHOLD_FIELDS),
        },
    ),
    "configuration:criterion_add": Sample(
        lambda w, s: reverse("configuration:criterion_add", args=[_draft().pk]),
        ADMIN_ROLE,
        BOTH,
        data=lambda w, s: _question(),
    ),
    "configuration:criterion": Sample(
        lambda w, s: reverse(
            "configuration:criterion", args=[_draft().pk, _draft().criteria.first().pk]
        ),
        ADMIN_ROLE,
        BOTH,
        data=lambda w, s: {
            **_question(),
            "key": "safeguarding",
            "edit_token": edit_token(
                [_draft().criteria.get(key="safeguarding")], priority_services.CRITERION_FIELDS
            ),
        },
    ),
    "configuration:criterion_preview": Sample(
        lambda w, s: reverse("configuration:criterion_preview", args=[_draft().pk]),
        ADMIN_ROLE,
        POST,
        data=lambda w, s: _question(),
    ),
    "configuration:criteria_publish": Sample(
        lambda w, s: reverse("configuration:criteria_publish", args=[_draft().pk]),
        ADMIN_ROLE,
        BOTH,
        data=lambda w, s: {"change_reason": "Housing first", "edit_token": "stale"},
    ),
    "configuration:criteria_start": page("configuration:criteria_start", ADMIN_ROLE, POST),
    "configuration:criterion_remove": Sample(
        lambda w, s: reverse(
            "configuration:criterion_remove", args=[_draft().pk, _draft().criteria.last().pk]
        ),
        ADMIN_ROLE,
        POST,
    ),
    "configuration:criteria_discard": Sample(
        lambda w, s: reverse("configuration:criteria_discard", args=[_draft().pk]),
        ADMIN_ROLE,
        POST,
    ),
    # -- api: its pages (docs, one's own tokens, partners' tokens) and who is calling
    "api:docs": page("api:docs", ANYONE, GET),
    "api:me": page("api:me", ANYONE, GET),
    "api:tokens": page(
        "api:tokens",
        _role(ADVISER, SUPERVISOR, ADMIN),
        BOTH,
        data=lambda w, s: {"name": "Nightly figures", "expires_in_days": "30"},
    ),
    "api:token_revoke": Sample(
        lambda w, s: reverse("api:token_revoke", args=[_alices_token(w).pk]),
        lambda actor, scene: "alice" in actor.holds,
        POST,
        ok=302,
    ),
    "api:integrations": page(
        "api:integrations",
        ADMIN_ROLE,
        BOTH,
        data=lambda w, s: {
            "partner": "Northside Housing",
            "team": w.people["north"].pk,
            "case_type": CaseTypeFactory().pk,
            "expires_in_days": "30",
        },
    ),
    "api:integration_revoke": Sample(
        lambda w, s: reverse("api:integration_revoke", args=[_partner_token(w).pk]),
        ADMIN_ROLE,
        POST,
        ok=302,
    ),
    # -- accounts: one's own two-step sign-in (the session here has given its code, so
    # the code page sends on), and clearing a colleague's sign-in lock
    "accounts:two_factor": page("accounts:two_factor", ANYONE, GET),
    "accounts:two_factor_verify": page("accounts:two_factor_verify", ANYONE, BOTH, ok=302),
    "accounts:two_factor_setup": page("accounts:two_factor_setup", ANYONE, BOTH),
    "accounts:recovery_codes_regenerate": page("accounts:recovery_codes_regenerate", ANYONE, POST),
    "accounts:unlock": page(
        "accounts:unlock",
        _role(SUPERVISOR, ADMIN),
        BOTH,
        data=lambda w, s: {"username": "alice"},
    ),
    # -- cases: role pages
    "cases:my_caseload": page("cases:my_caseload", ADVISER_ROLE, GET),
    "cases:organisation": page("cases:organisation", ADMIN_ROLE, GET),
    "cases:client_search": page(
        "cases:client_search",
        CASE_ROLE,
        BOTH,
        data=lambda w, s: {"reference": w.open.case.client.reference},
    ),
    "cases:client_create": page(
        "cases:client_create",
        ADVISER_ROLE,
        BOTH,
        data=lambda w, s: {
            **_client_post(),
            "case-case_type": w.open.case.case_type_id,
            "case-presenting_issue": "Debt with a payday lender",
            "case-referral_source": Case.ReferralSource.SELF,
        },
    ),
    "cases:break_glass_queue": page("cases:break_glass_queue", SUPERVISOR_ROLE, GET),
    "cases:break_glass_decide": Sample(
        lambda w, s: reverse("cases:break_glass_decide", args=[w.pending.pk]),
        SUPERVISES,
        POST,
        data=lambda w, s: {"decision": "approve"},
    ),
    "cases:break_glass_review": Sample(
        lambda w, s: reverse("cases:break_glass_review", args=[w.access.pk]),
        SUPERVISES,
        BOTH,
        data=lambda w, s: {"outcome": "reviewed"},
    ),
    "cases:break_glass": page(
        "cases:break_glass",
        CASE_ROLE,
        BOTH,
        data=lambda w, s: {"reference": w.restricted.case.reference, "reason": CRISIS},
    ),
    "cases:referral_in": page(
        "cases:referral_in",
        CASE_ROLE,
        BOTH,
        data=lambda w, s: {
            "referral-team": w.people["north"].pk,
            "referral-case_type": w.open.case.case_type_id,
            "referral-agency": "Leeds GP surgery",
            "referral-reason": "Rent arrears",
            "referral-presenting_issue": "Notice seeking possession",
            **{f"client-{k}": v for k, v in _client_post().items()},
        },
    ),
    "cases:unallocated": page("cases:unallocated", SUPERVISOR_ROLE, GET),
    # -- cases: who holds a case role or a team place (bob's access, changed by mia)
    "cases:access": page("cases:access", SERVICE_MANAGER_ROLE, GET),
    "cases:access_person": Sample(
        lambda w, s: reverse("cases:access_person", args=[w.people["bob"].pk]),
        SERVICE_MANAGER_ROLE,
        BOTH,
        data=lambda w, s: {
            "change": f"grant:supervisor:{w.people['north'].pk}",
            "reason": "Covering the North team's supervision this month",
        },
    ),
    # -- cases: a client
    "cases:client_detail": on_client("cases:client_detail", SEES_CASE, GET),
    "cases:client_edit": on_client(
        "cases:client_edit", MANAGES, BOTH, data=lambda w, s: _client_post()
    ),
    "cases:consent_add": on_client(
        "cases:consent_add",
        MANAGES,
        BOTH,
        data=lambda w, s: {
            "scope": ConsentRecord.Scope.COLLEAGUES,
            "shared_with": "Colleagues in the advice team",
            "given_on": _uk(_in_days(-1)),
            "method": ConsentRecord.Method.VERBAL,
        },
    ),
    "cases:consent_withdraw": Sample(
        lambda w, s: reverse("cases:consent_withdraw", args=[s.case.client_id, s.consent.pk]),
        MANAGES,
        BOTH,
        per_case=True,
        data=lambda w, s: {"reason": "The client asked us to stop sharing"},
    ),
    "cases:case_create": on_client(
        "cases:case_create",
        OPENS_CASE,
        BOTH,
        data=lambda w, s: {
            "case_type": s.case.case_type_id,
            "presenting_issue": "Debt with a payday lender",
            "referral_source": Case.ReferralSource.SELF,
        },
    ),
    # -- cases: a case
    "cases:case_detail": on_case("cases:case_detail", SEES_CASE, GET),
    "cases:case_status": on_case(
        "cases:case_status",
        MANAGES,
        BOTH,
        data=lambda w, s: {"status": Case.Status.ON_HOLD, "comment": "Waiting for the council"},
    ),
    "cases:case_reassign": on_case(
        "cases:case_reassign",
        SUPERVISES,
        BOTH,
        data=lambda w, s: {
            "adviser": w.people["bob"].pk,
            "handover_note": "Hearing next month; papers are in the file.",
        },
    ),
    "cases:deadline_add": on_case(
        "cases:deadline_add",
        CONTRIBUTES,
        BOTH,
        data=lambda w, s: {"due_on": _uk(_in_days(10)), "description": "Appeal deadline"},
    ),
    "cases:deadline_status": Sample(
        lambda w, s: reverse(
            "cases:deadline_status", args=[s.case.pk, s.deadline.pk, CaseDeadline.Status.MET]
        ),
        CONTRIBUTES,
        POST,
        per_case=True,
    ),
    "cases:outcome_add": on_case(
        "cases:outcome_add",
        MANAGES,
        BOTH,
        data=lambda w, s: {
            "description": "Keep the tenancy",
            "measure": "Possession claim withdrawn",
            "target_date": _uk(_in_days(60)),
        },
    ),
    "cases:outcome_progress": on_case(
        "cases:outcome_progress",
        CONTRIBUTES,
        BOTH,
        "outcome",
        data=lambda w, s: {
            "status": Outcome.Status.IN_PROGRESS,
            "progress_percent": 50,
            "note": "Arrears agreement drafted",
        },
    ),
    "cases:obstacle_add": on_case(
        "cases:obstacle_add",
        CONTRIBUTES,
        BOTH,
        data=lambda w, s: {
            "kind": Obstacle.Kind.AWAITING_THIRD_PARTY,
            "description": "Waiting for the landlord's statement",
        },
    ),
    "cases:obstacle_resolve": on_case(
        "cases:obstacle_resolve",
        CONTRIBUTES,
        BOTH,
        "obstacle",
        data=lambda w, s: {"resolution": "The landlord replied"},
    ),
    "cases:share_add": on_case(
        "cases:share_add",
        MANAGES,
        BOTH,
        data=lambda w, s: {
            "shared_with": w.people["bob"].pk,
            "level": CaseShare.Level.CONTRIBUTE,
            "reason": "Covering the duty desk",
            "consent": s.consent.pk,
            "expires_on": _uk(_in_days(7)),
        },
    ),
    "cases:share_revoke": on_case("cases:share_revoke", MANAGES, POST, "share"),
    "cases:referral_out_add": on_case(
        "cases:referral_out_add",
        MANAGES,
        BOTH,
        data=lambda w, s: {
            "agency": "Shelter",
            "contact": "Housing helpline",
            "reason": "Specialist housing advice",
            "consent": s.consent.pk,
            "follow_up_on": _uk(_in_days(14)),
        },
    ),
    # -- notes
    # A GET (where signing in again after a timed-out save leads) goes to the form.
    "notes:note_add": on_case(
        "notes:note_add", CONTRIBUTES, BOTH, data=lambda w, s: _note_post(), ok=302
    ),
    "notes:note_draft_save": on_case(
        "notes:note_draft_save", CONTRIBUTES, POST, data=lambda w, s: _note_post()
    ),
    "notes:note_draft_discard": on_case("notes:note_draft_discard", CONTRIBUTES, POST),
    "notes:note_correct": on_case(
        "notes:note_correct",
        CONTRIBUTES,
        BOTH,
        "note",
        data=lambda w, s: _note_post(correction_reason="The wrong phone number was noted"),
    ),
    "notes:action_add": on_case(
        "notes:action_add",
        CONTRIBUTES,
        BOTH,
        data=lambda w, s: {
            "description": "Ask the council for a homelessness assessment",
            "owner": Action.Owner.CLIENT,
            "due_on": _uk(_in_days(10)),
        },
    ),
    "notes:action_complete": on_case("notes:action_complete", CONTRIBUTES, POST, "action"),
    "notes:action_cancel": on_case(
        "notes:action_cancel",
        CONTRIBUTES,
        BOTH,
        "action",
        data=lambda w, s: {"reason": "The landlord withdrew the notice"},
    ),
    # -- priorities
    "priorities:assess": on_case(
        "priorities:assess",
        CONTRIBUTES,
        BOTH,
        data=lambda w, s: {
            "answer_safeguarding": "1",
            "answer_complexity": "2",
            "rationale": "A school raised a safeguarding concern",
        },
    ),
    "priorities:override": on_case(
        "priorities:override",
        SUPERVISES,
        BOTH,
        data=lambda w, s: {"level": "red", "rationale": "A school raised a safeguarding concern"},
    ),
    "priorities:assessment_detail": on_case(
        "priorities:assessment_detail", SEES_CASE, GET, "assessment"
    ),
    "priorities:attention": page("priorities:attention", CASE_ROLE, GET),
    "notifications:list": page("notifications:list", ANYONE, GET),
    "notifications:read": page("notifications:read", ANYONE, POST),
    "notifications:dismiss": page("notifications:dismiss", ANYONE, POST),
    "notifications:preferences": page("notifications:preferences", ANYONE, BOTH),
    # -- the API (/api/v1/): JSON in and out, problems for refusals, never a redirect
    "api:client_search": page(
        "api:client_search",
        CASE_ROLE,
        POST,
        data=lambda w, s: {"reference": w.open.case.client.reference},
    ),
    "api:client_detail": on_client("api:client_detail", SEES_CASE, GET),
    "api:case_list": page("api:case_list", ANYONE, GET),
    "api:case_detail": on_case("api:case_detail", SEES_CASE, GET),
    "api:case_status": on_case(
        "api:case_status",
        MANAGES,
        POST,
        data=lambda w, s: {"status": Case.Status.ON_HOLD, "comment": "Waiting for the council"},
    ),
    "api:case_notes": on_case(
        "api:case_notes",
        SEES_CASE,
        BOTH,
        post_rule=CONTRIBUTES,
        data=lambda w, s: _api_note(),
    ),
    "api:case_actions": on_case(
        "api:case_actions",
        SEES_CASE,
        BOTH,
        post_rule=CONTRIBUTES,
        data=lambda w, s: {
            "description": "Ask the council for a homelessness assessment",
            "owner": Action.Owner.CLIENT,
            "due_on": _in_days(10).isoformat(),
        },
    ),
    "api:action_complete": on_case("api:action_complete", CONTRIBUTES, POST, "action"),
    "api:case_assessments": on_case(
        "api:case_assessments",
        SEES_CASE,
        BOTH,
        post_rule=CONTRIBUTES,
        data=lambda w, s: {
            "answers": {"safeguarding": 1, "complexity": 2},
            "rationale": "A school raised a safeguarding concern",
        },
    ),
    "api:assessment_detail": on_case("api:assessment_detail", SEES_CASE, GET, "assessment"),
    "api:case_deadlines": on_case("api:case_deadlines", SEES_CASE, GET),
    "api:case_flags": on_case("api:case_flags", SEES_CASE, GET),
    "api:notification_list": page("api:notification_list", ANYONE, GET),
    "api:notifications_read": page("api:notifications_read", ANYONE, POST),
    # -- reviews: the dashboard and reports
    "reviews:team_dashboard": page("reviews:team_dashboard", SUPERVISOR_ROLE, GET),
    "reviews:dashboard_cases": Sample(
        lambda w, s: (
            f"{reverse('reviews:dashboard_cases')}?team={w.people['north'].pk}&figure=open"
        ),
        SUPERVISES,
        GET,
    ),
    "reviews:organisation_teams": page("reviews:organisation_teams", ADMIN_ROLE, GET),
    "reviews:report_list": page("reviews:report_list", SUPERVISOR_ROLE, GET),
    "reviews:report_detail": on_report("reviews:report_detail", SUPERVISES, GET),
    "reviews:report_csv": on_report("reviews:report_csv", SUPERVISES, GET),
    "reviews:report_pdf": on_report("reviews:report_pdf", SUPERVISES, GET),
    "reviews:capacity_concern": page(
        "reviews:capacity_concern",
        ADVISER_ROLE,
        BOTH,
        data=lambda w, s: {"comment": "Three new red cases this week"},
    ),
    # -- reviews: alice's caseload review
    "reviews:review_list": page("reviews:review_list", CASE_ROLE, GET),
    # Starting a review of alice's caseload: only a supervisor of her team.
    "reviews:review_start": page(
        "reviews:review_start",
        SUPERVISES,
        POST,
        data=lambda w, s: {"adviser": w.people["alice"].pk},
    ),
    "reviews:review_detail": on_review("reviews:review_detail", SEES_REVIEW, GET),
    "reviews:review_decide": Sample(
        lambda w, s: reverse("reviews:review_decide", args=[w.review.pk, w.open.case.pk]),
        SEES_REVIEW,
        BOTH,
        data=lambda w, s: {"decision": "continue", "comment": "On track"},
    ),
    "reviews:review_reflection": on_review(
        "reviews:review_reflection",
        SEES_REVIEW,
        BOTH,
        data=lambda w, s: {"improvements": "Book the hearing dates in earlier"},
    ),
    "reviews:review_submit": on_review("reviews:review_submit", SEES_REVIEW, POST),
    "reviews:review_sign_off": on_review(
        "reviews:review_sign_off",
        SEES_REVIEW,
        POST,
        data=lambda w, s: {"comment": "Agreed"},
    ),
    "reviews:review_return": on_review(
        "reviews:review_return",
        SEES_REVIEW,
        BOTH,
        data=lambda w, s: {"comment": "Add next steps to the red cases"},
    ),
    "reviews:review_csv": on_review("reviews:review_csv", SEES_REVIEW, GET),
}


# --- checking one request ------------------------------------------------------------

REFUSED = (403, 404)
LOGIN_PATHS = ("/accounts/login/", "/django-admin/login/")


def _domain_tables() -> list[str]:
    tables = set()
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables.add(model._meta.db_table)
    return sorted(tables - UNCOMPARED_TABLES)


def _snapshot(tables: list[str]) -> dict[str, str]:
    """A digest of every row of every domain table, read in one query."""
    quote = connection.ops.quote_name
    # Table names come from the models' metadata, quoted; nothing here is user input.
    columns = ", ".join(
        f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608
        f"FROM {quote(table)} t)"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _is_api(url: str) -> bool:
    """An API endpoint (JSON, problems), not one of the API's pages (docs, tokens)."""
    return urlsplit(url).path.startswith("/api/v1/")


def _signed_out_answer(response: HttpResponse, url: str) -> bool:
    """How a URL answers a session that is over: a page sends the person to sign in; the
    API never redirects, it answers a 401 or 403 problem."""
    if _is_api(url):
        return response.status_code in (401, 403) and response["Content-Type"].startswith(
            "application/problem+json"
        )
    return _sent_to_sign_in(response)


def _sent_to_sign_in(response: HttpResponse) -> bool:
    chain = getattr(response, "redirect_chain", None)
    if chain:
        return urlsplit(chain[-1][0]).path in LOGIN_PATHS
    return response.status_code == 302 and urlsplit(response["Location"]).path in LOGIN_PATHS


def _send(http: HttpClient, method: str, sample: Sample, url: str, data: dict) -> HttpResponse:
    if method == "GET":
        return http.get(url, follow=sample.follow)
    if _is_api(url):
        return http.post(url, data, content_type="application/json", follow=sample.follow)
    return http.post(url, data, follow=sample.follow)


def _act_as(request: pytest.FixtureRequest, world: World, actor: Actor) -> HttpClient:
    user = _user(request, actor.user)
    if actor.grant:
        case = world.restricted.case if "glass" in actor.grant else world.open.case
        GRANTS[actor.grant](case, user)
    http = client_for(user)
    if actor.deactivated:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return http


# --- the tests -------------------------------------------------------------------------


def test_every_url_pattern_has_a_sample():
    names = set(url_names())
    missing = sorted(names - set(SAMPLES) - set(EXEMPT))
    stale = sorted((set(SAMPLES) | set(EXEMPT)) - names)

    assert not missing, (
        "These URL patterns have no sample in tests/caseload/test_url_matrix.py SAMPLES "
        "(add one line each, see the module docstring): " + ", ".join(missing)
    )
    assert not stale, "These samples name no URL pattern any more: " + ", ".join(stale)
    assert not set(SAMPLES) & set(EXEMPT), "A URL is both sampled and exempt."


def test_every_rule_lets_someone_in_so_every_sample_is_proved_live():
    # The rules read only whether a scene is restricted, so no rows are made: None
    # stands in for the nine records a Scene types (tests are not type-checked; the
    # ignores mark the deliberate mismatch for anyone who runs mypy on this file).
    scenes = [
        Scene("unrestricted", False, *[None] * 9),  # type: ignore[arg-type]
        Scene("restricted", True, *[None] * 9),  # type: ignore[arg-type]
    ]
    nobody = [
        name
        for name, sample in SAMPLES.items()
        if not any(
            sample.rule(actor, scene)
            for actor in ACTORS.values()
            if not actor.deactivated
            for scene in (scenes if sample.per_case else scenes[:1])
        )
    ]

    assert not nobody, "No actor may use these, so nothing proves their URL is live: " + str(nobody)


def test_every_sample_url_resolves_to_the_pattern_it_samples(world):
    wrong = [
        f"{name} [{scene.name}]: {url} is {resolve(urlsplit(url).path).view_name}"
        for name, sample in SAMPLES.items()
        for scene, url in sample.requests(world)
        if resolve(urlsplit(url).path).view_name != name
    ]

    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("actor_name", list(ACTORS))
def test_each_person_gets_exactly_what_the_rules_allow_on_every_url(request, world, actor_name):
    actor = ACTORS[actor_name]
    http = _act_as(request, world, actor)
    tables = _domain_tables()
    failures: list[str] = []
    post_probes: list[tuple[str, Sample, Scene, str]] = []

    def fail(method: str, name: str, scene: Scene, expected: str, got: str) -> None:
        where = f" [{scene.name}]" if SAMPLES[name].per_case else ""
        failures.append(f"{method} {name}{where}: expected {expected}, got {got}")

    for name, sample in SAMPLES.items():
        for scene, url in sample.requests(world):
            for method in ("GET", "POST"):
                allowed = not actor.deactivated and sample.allows(method, actor, scene)
                if method == "POST" and allowed:
                    if sample.methods == POST:
                        post_probes.append((name, sample, scene, url))
                    continue
                before = _snapshot(tables) if method == "POST" else None
                response = _send(http, method, sample, url, sample.data(world, scene))
                status = response.status_code
                if actor.deactivated:
                    if not _signed_out_answer(response, url):
                        expected = "401 or 403" if _is_api(url) else "a redirect to sign in"
                        fail(method, name, scene, expected, str(status))
                elif method not in sample.methods:
                    if status != 405:
                        fail(method, name, scene, "405 (method not allowed)", str(status))
                elif allowed:
                    if status != sample.ok:
                        fail(method, name, scene, f"{sample.ok} (allowed)", str(status))
                elif status not in REFUSED:
                    fail(method, name, scene, "403 or 404 (refused)", str(status))
                if before is not None:
                    changed = [t for t, digest in _snapshot(tables).items() if before[t] != digest]
                    if changed:
                        fail(method, name, scene, "no change", "changes to " + ", ".join(changed))

    # POST-only URLs the actor may use: the answer must not be a refusal (run last,
    # since these write).
    for name, sample, scene, url in post_probes:
        status = _send(http, "POST", sample, url, sample.data(world, scene)).status_code
        if status in (*REFUSED, 405) or status >= 500:
            fail("POST", name, scene, "not refused (allowed)", str(status))

    assert not failures, f"{actor_name}:\n" + "\n".join(failures)


def test_even_a_superuser_finds_no_client_data_on_any_page_of_the_admin_site(world, root):
    """The emergency admin site is walked model by model (list and every object's page),
    since the URL walk above samples only its index."""
    from django.contrib import admin

    # Names no page holds by chance (a generated "Amber" is also a level's name).
    for n, scene in enumerate(world.scenes):
        scene.case.client.given_name = f"Quorvath{n}"
        scene.case.client.family_name = f"Zelbrindt{n}"
        scene.case.client.save()
    secrets = {
        value
        for scene in world.scenes
        for value in (
            # Not the client's reference: the audit trail, which a superuser may read
            # there, names the records it is about by their references (never names).
            scene.case.client.given_name,
            scene.case.client.family_name,
            scene.case.presenting_issue,
            scene.note.facts,
            scene.obstacle.description,
            scene.outcome.description,
        )
    }
    http = client_for(root)
    pages = []
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label == "django_celery_beat":
            # Schedules hold no client data, and their forms list every time zone in
            # the world, where a generated name turns up ("Fort Wayne").
            continue
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        pages += [
            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[pk])
            for pk in model._default_manager.values_list("pk", flat=True)[:50]
        ]
    leaks, shown = [], 0
    for url in pages:
        response = http.get(url)
        if response.status_code != 200:
            continue
        shown += 1
        html = response.content.decode()
        # Whole words: a generated given name may be part of a time zone's ("St_Vincent").
        leaks += [
            f"{url} shows {secret!r}"
            for secret in secrets
            if re.search(rf"(?<![\w]){re.escape(secret)}(?![\w])", html)
        ]

    assert shown > 10, "The admin should reach its configuration pages."
    assert not leaks, "\n".join(leaks)
