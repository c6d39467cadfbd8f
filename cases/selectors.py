"""Reads that cross relations or permissions. Every list of client data goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, Exists, F, OrderBy, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from caseload import crypto
from caseload.roles import CLIENT_DATA_ROLES, Role, roles_of
from cases.models import (
    AccessChange,
    AdviserProfile,
    BreakGlassAccess,
    BreakGlassRequest,
    Case,
    CaseDeadline,
    CaseShare,
    CaseUserObjectPermission,
    Client,
    ClientQuerySet,
    ConsentRecord,
    Outcome,
    Referral,
    Team,
    User,
)

if TYPE_CHECKING:
    from notes.models import Action
    from priorities.models import DeadlineFlag

# --- who sees which case -----------------------------------------------------


def supervised_teams(user: User) -> QuerySet[Team]:
    """The teams ``user`` leads: listed among the team's supervisors *and* holding the
    Supervisor role, while active.

    The one rule for every supervisor power (team cases, the unallocated queue,
    reassigning, the dashboard, reviews, overrides, reports, notifications):
    someone listed on a team without the role gets nothing a supervisor gets,
    and the role without a team leads nothing.
    """
    if not user.is_authenticated or not user.is_active or Role.SUPERVISOR not in roles_of(user):
        return Team.objects.none()
    return Team.objects.filter(supervisors=user)


def supervises(user: User, team_id: int | None) -> bool:
    """Whether ``user`` leads the team with this id (see ``supervised_teams``)."""
    return team_id is not None and supervised_teams(user).filter(pk=team_id).exists()


def acting_supervisors() -> QuerySet[User]:
    """People who can act as supervisors at all: active, holding the Supervisor role.

    Compose it with a team relation to find who leads a team (``team_supervisors``)
    or an adviser (``reviews.selectors.supervisors_of``).
    """
    return User.objects.filter(is_active=True, groups__name=Role.SUPERVISOR.value)


def team_supervisors(team_id: int | None) -> QuerySet[User]:
    """Who leads the team with this id: its listed supervisors who hold the role."""
    if team_id is None:
        return User.objects.none()
    return acting_supervisors().filter(supervised_teams=team_id).order_by("pk")


def managed_cases_condition(user: User) -> Q:
    """Cases ``user`` is responsible for: assigned to them, or of a team they supervise.

    Both take a role that reaches client data as well as the relationship: once a
    service manager takes the person's last case role away, cases still assigned to
    them are theirs no more (their supervisor reassigns them).
    """
    roles = roles_of(user)
    if not roles & CLIENT_DATA_ROLES:
        return Q(pk__in=[])
    condition = Q(assigned_to=user)
    if Role.SUPERVISOR in roles:
        condition |= Q(team_id__in=supervised_teams(user).values("pk"))
    return condition


def case_visibility_filter(user: User, *, now: datetime | None = None) -> Q:
    """The condition a case must meet for ``user`` to see it, as one SQL expression.

    An adviser sees the cases assigned to them and those shared with them
    (while the share lasts); a supervisor also sees every case of the teams
    they lead; restricted cases ignore shares and open to others only through
    break-the-glass access. Admins see nothing by virtue of the Admin role, and
    nobody without a case role sees anything, whatever they were once given.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if not roles_of(user) & CLIENT_DATA_ROLES:
        return Q(pk__in=[])
    now = now or timezone.now()
    condition = managed_cases_condition(user)
    shared = Exists(
        CaseUserObjectPermission.objects.filter(
            content_object_id=OuterRef("pk"), user_id=user.pk, expires_at__gt=now
        )
    )
    condition |= Q(restricted=False) & Q(shared)
    condition |= Q(
        Exists(
            BreakGlassAccess.objects.filter(
                case_id=OuterRef("pk"), user_id=user.pk, expires_at__gt=now
            )
        )
    )
    return condition


def visible_cases(user: User, *, now: datetime | None = None) -> QuerySet[Case]:
    return Case.objects.visible_to(user, now=now)


def case_can_manage(user: User, case: Case) -> bool:
    """Assigned adviser or a supervisor of the case's team: may change the case itself."""
    if case.assigned_to_id == user.pk:
        return bool(roles_of(user) & CLIENT_DATA_ROLES)
    return case_is_supervised_by(case, user)


def client_can_change(user: User, client: Client) -> bool:
    """May edit the client's details and record consent: whoever manages one of their cases
    (its adviser, or a supervisor of its team). A share, break-the-glass access or having
    created the client gives nothing."""
    if not user.is_active or not roles_of(user) & {Role.ADVISER, Role.SUPERVISOR}:
        return False
    return Case.objects.filter(managed_cases_condition(user), client=client).exists()


def client_can_open_case(user: User, client: Client) -> bool:
    """May open another case for an existing client: only with a real relationship to them,
    that is managing one of their open cases (as its adviser, or as a supervisor of its
    team, which covers a referral waiting in the queue of a team they lead). A share or
    break-the-glass access lets a person read a case, never start a new one."""
    if not user.is_active or not roles_of(user) & CLIENT_DATA_ROLES:
        return False
    return Case.objects.open().filter(managed_cases_condition(user), client=client).exists()


def team_for_new_case(user: User, client: Client) -> Team | None:
    """The team a supervisor without a caseload of their own opens a client's new case in:
    one they lead that holds an open case of the client (the case waits in its queue)."""
    held = Case.objects.open().filter(team=OuterRef("pk"), client=client)
    return supervised_teams(user).filter(Exists(held)).order_by("name").first()


def client_is_restricted(client: Client) -> bool:
    """Whether any case of the client is restricted: new cases for them are restricted too."""
    return Case.objects.filter(client=client, restricted=True).exists()


def case_can_contribute(user: User, case: Case, *, now: datetime | None = None) -> bool:
    """May add obstacles, progress and deadlines: managers, contributors by share, break-glass."""
    if case_can_manage(user, case):
        return True
    now = now or timezone.now()
    shared = (
        not case.restricted
        and CaseUserObjectPermission.objects.filter(
            content_object=case,
            user=user,
            permission__codename="contribute_case",
            expires_at__gt=now,
        ).exists()
    )
    return (
        shared or BreakGlassAccess.objects.filter(case=case, user=user, expires_at__gt=now).exists()
    )


def case_is_supervised_by(case: Case, user: User) -> bool:
    """Whether ``user`` leads the case's team (listed there and holding the Supervisor role)."""
    return supervises(user, case.team_id)


def case_supervisors(case: Case) -> list[User]:
    """The people who supervise the case's team (holding the Supervisor role)."""
    return list(team_supervisors(case.team_id))


def supervisors_of_person(person: User) -> list[User]:
    """Who supervises ``person``: the acting supervisors of every team they are a member of."""
    return list(
        acting_supervisors()
        .filter(supervised_teams__members=person)
        .exclude(pk=person.pk)
        .distinct()
    )


def supervises_person(supervisor: User, person: User) -> bool:
    """Whether ``supervisor`` leads a team ``person`` is a member of."""
    return supervised_teams(supervisor).filter(members=person).exists()


# --- break the glass ------------------------------------------------------------


def break_glass_requests_for(supervisor: User) -> QuerySet[BreakGlassRequest]:
    """Requests past the day's limit waiting for ``supervisor``: from members of the teams
    they lead, never their own."""
    members = Team.members.through.objects.filter(
        team__in=supervised_teams(supervisor), user_id=OuterRef("user_id")
    )
    return (
        BreakGlassRequest.objects.filter(Exists(members), status=BreakGlassRequest.Status.PENDING)
        .exclude(user=supervisor)
        .select_related("user", "data_key", "case")
        .order_by("requested_at", "pk")
    )


def break_glass_uses_for(
    supervisor: User, *, days: int | None = 30, now: datetime | None = None
) -> QuerySet[BreakGlassAccess]:
    """Break-the-glass accesses to cases of the teams ``supervisor`` leads, for review;
    those not yet reviewed first."""
    uses = BreakGlassAccess.objects.filter(case__team__in=supervised_teams(supervisor)).exclude(
        user=supervisor
    )
    if days is not None:
        uses = uses.filter(granted_at__gte=(now or timezone.now()) - timedelta(days=days))
    return uses.select_related("case__client__data_key", "user", "review__reviewer").order_by(
        F("review").asc(nulls_first=True), "-granted_at", "-pk"
    )


# --- lists ------------------------------------------------------------------

_BY_DEADLINE = F("next_due_on").asc(nulls_last=True)
CASELOAD_ORDERINGS: dict[str, tuple[str, list[str | OrderBy]]] = {
    "priority": ("Priority, then next due", ["level_rank", _BY_DEADLINE, "pk"]),
    "deadline": ("Next due first", [_BY_DEADLINE, "pk"]),
    "contact": (
        "Longest without contact first",
        [F("last_contact_at").asc(nulls_first=True), "pk"],
    ),
    "opened": ("Newest first", [F("opened_on").desc(nulls_last=True), "-pk"]),
    "status": ("Status", ["status", _BY_DEADLINE, "pk"]),
    "type": ("Case type", ["case_type__name", _BY_DEADLINE, "pk"]),
}


def caseload_of(
    user: User,
    *,
    status: str = "",
    case_type_id: int | None = None,
    order: str = "priority",
) -> QuerySet[Case]:
    """The user's own open cases, filtered and sorted, with what each row shows loaded.

    Client names are encrypted, so the list cannot sort by them in SQL.
    """
    cases = Case.objects.filter(assigned_to=user).open()
    if status:
        cases = cases.filter(status=status)
    if case_type_id:
        cases = cases.filter(case_type_id=case_type_id)
    fields = CASELOAD_ORDERINGS.get(order, CASELOAD_ORDERINGS["priority"])[1]
    return (
        cases.select_related("client__data_key", "case_type", "assessment_version")
        .count_overdue_actions(today=timezone.localdate())
        .order_by(*fields)
    )


def cases_shared_with(
    user: User, *, now: datetime | None = None, limit: int = 50
) -> QuerySet[Case]:
    """The first ``limit`` open cases others have shared with ``user`` (active shares
    only), by priority then next due date.

    In two steps, one query: the ids of the first ``limit`` by a narrow sort over every
    shared case (an adviser covering for others may hold 20,000), then only those rows
    with what each shows. Joining and de-duplicating every shared case before the limit
    took 1.6 s at 20,000 shares.
    """
    now = now or timezone.now()
    active = CaseShare.objects.filter(
        case_id=OuterRef("pk"),
        shared_with=user,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )
    order = ("level_rank", "next_due_on", "pk")
    first = (
        Case.objects.open()
        .filter(Exists(active), restricted=False)
        .exclude(assigned_to=user)
        .order_by(*order)
        .values("pk")[:limit]
    )
    return (
        Case.objects.filter(pk__in=first)
        .select_related("client__data_key", "case_type", "assigned_to", "assessment_version")
        .order_by(*order)
        .count_overdue_actions(today=timezone.localdate())
    )


def unallocated_for(supervisor: User) -> QuerySet[Case]:
    """Open cases without an adviser in the teams ``supervisor`` leads."""
    return (
        Case.objects.open()
        .filter(assigned_to__isnull=True, team__in=supervised_teams(supervisor))
        .select_related("client__data_key", "case_type", "team", "assessment_version")
        .order_by("level_rank", "created_at", "pk")
    )


def team_advisers(team: Team) -> QuerySet[User]:
    return team.members.filter(is_active=True, groups__name=Role.ADVISER.value).order_by(
        "first_name", "last_name"
    )


def shares_of(case: Case) -> QuerySet[CaseShare]:
    return case.shares.select_related("shared_with", "shared_by", "consent").order_by("-created_at")


# --- search -----------------------------------------------------------------


def clients_matching(
    *,
    reference: str = "",
    family_name: str = "",
    date_of_birth: date | None = None,
    postcode: str = "",
) -> ClientQuerySet:
    """Every client matching all the given values, whoever may see them: the reference
    ignoring case, the rest exactly through their blind indexes. Callers decide who is
    shown what (search splits by visibility; the data protection officer sees all)."""
    matches = Client.objects.all()
    if reference:
        matches = matches.filter(reference__iexact=reference.strip())
    if family_name:
        matches = matches.filter(family_name_index=crypto.blind_index("family_name", family_name))
    if date_of_birth:
        matches = matches.filter(
            date_of_birth_index=crypto.blind_index("date_of_birth", date_of_birth)
        )
    if postcode:
        matches = matches.filter(postcode_index=crypto.blind_index("postcode", postcode))
    return matches


def _split_by_visibility(
    user: User, matches: ClientQuerySet, *, limit: int
) -> tuple[QuerySet[Client], list[Client]]:
    """The matches ``user`` may see, and the others with nothing loaded but id and reference:
    enough for the audit trail, never for the page."""
    # EXISTS and NOT EXISTS per matched client: ``pk__in`` over every client the user may
    # see built that whole list first (0.4-0.6 s for an adviser with 20,000 shares).
    found = matches.visible_to(user).select_related("data_key").order_by("reference")
    elsewhere = list(
        matches.hidden_from(user).only("pk", "reference").order_by("reference")[:limit]
    )
    return found[:limit], elsewhere


def client_search(
    user: User,
    *,
    reference: str = "",
    family_name: str = "",
    date_of_birth: date | None = None,
    postcode: str = "",
) -> tuple[QuerySet[Client], list[Client]]:
    """Exact-match search through blind indexes.

    Returns the matching clients ``user`` may see, and the matching clients
    held elsewhere in the organisation. The page says only that such a match
    exists, never which one, so that a search cannot reveal who is a client of
    another team; the caller writes each such match to the audit trail.
    """
    matches = clients_matching(
        reference=reference, family_name=family_name, date_of_birth=date_of_birth, postcode=postcode
    )
    return _split_by_visibility(user, matches, limit=50)


@dataclass
class SearchFound:
    """What a search found: what ``user`` may see, and matches held elsewhere.

    ``elsewhere`` holds records with nothing loaded but id and reference: enough for the
    audit trail, never for the page, which says only that such a match exists.
    """

    cases: list[Case] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)
    cases_of: dict[int, list[Case]] = field(default_factory=dict)
    elsewhere: list[Case | Client] = field(default_factory=list)

    @property
    def only_case(self) -> Case | None:
        """The one case to go straight to: one case found, or one client with one case."""
        if len(self.cases) == 1 and not self.clients:
            return self.cases[0]
        if len(self.clients) == 1 and not self.cases:
            theirs = self.cases_of.get(self.clients[0].pk, [])
            if len(theirs) == 1:
                return theirs[0]
        return None

    @property
    def only_client(self) -> Client | None:
        """The one client found, when no single case is the answer."""
        if len(self.clients) == 1 and not self.cases:
            return self.clients[0]
        return None


def search(
    user: User,
    *,
    case_pk: int | None = None,
    reference: str = "",
    family_name: str = "",
    date_of_birth: date | None = None,
    postcode: str = "",
) -> SearchFound:
    """The header's search and the search page: a case by its id, or clients by reference,
    family name, date of birth and postcode (as ``client_search``), each client with the
    cases ``user`` may see. Three or four queries whatever the number of matches."""
    if case_pk is not None:
        # One case: seen by the user, or (if it exists) held elsewhere. Not ``pk__in``
        # every visible case, which lists them all first.
        cases = list(visible_cases(user).filter(pk=case_pk))
        elsewhere: list[Case | Client] = (
            [] if cases else list(Case.objects.filter(pk=case_pk).only("pk"))
        )
        return SearchFound(cases=cases, elsewhere=elsewhere)
    found, elsewhere_clients = client_search(
        user,
        reference=reference,
        family_name=family_name,
        date_of_birth=date_of_birth,
        postcode=postcode,
    )
    clients = list(found)
    cases_of: dict[int, list[Case]] = {client.pk: [] for client in clients}
    if clients:
        for case in (
            visible_cases(user)
            .filter(client__in=clients)
            .select_related("case_type")
            .order_by("-created_at", "-pk")
        ):
            cases_of[case.client_id].append(case)
    return SearchFound(clients=clients, cases_of=cases_of, elsewhere=[*elsewhere_clients])


def possible_duplicates(
    user: User,
    *,
    family_name: str,
    date_of_birth: date | None,
    exclude_pk: int | None = None,
) -> tuple[list[Client], list[Client]]:
    """Clients with the same family name and date of birth: those ``user`` may see, and
    those held elsewhere (for the audit trail and a warning that names none of them)."""
    if not family_name or not date_of_birth:
        return [], []
    matches = clients_matching(family_name=family_name, date_of_birth=date_of_birth)
    if exclude_pk:
        matches = matches.exclude(pk=exclude_pk)
    found, elsewhere = _split_by_visibility(user, matches, limit=10)
    return list(found), elsewhere


# --- people and teams ---------------------------------------------------------


def _people() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True)
        .select_related("adviser_profile")
        .order_by("last_name", "first_name", "username")
    )


def teams_of(user: User) -> QuerySet[Team]:
    """The teams ``user`` is a member of."""
    return Team.objects.filter(members=user).order_by("name")


def team_overview() -> QuerySet[Team]:
    """Every team with its people, in a fixed number of queries."""
    return Team.objects.prefetch_related(
        Prefetch("supervisors", queryset=_people()),
        Prefetch("members", queryset=_people()),
    ).order_by("name")


def role_counts() -> dict[str, int]:
    """How many active people hold each role."""
    rows = (
        User.objects.filter(is_active=True, groups__name__in=[r.value for r in Role])
        .values("groups__name")
        .annotate(people=Count("id"))
    )
    counts = {role.label: 0 for role in Role}
    for row in rows:
        counts[row["groups__name"]] = row["people"]
    return counts


def adviser_profile_of(user: User) -> AdviserProfile | None:
    return AdviserProfile.objects.filter(user=user).first()


def colleagues_for_sharing(user: User) -> QuerySet[User]:
    """People a case may be shared with: active staff with a case role, except the user."""
    return (
        User.objects.filter(
            is_active=True, groups__name__in=[Role.ADVISER.value, Role.SUPERVISOR.value]
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("first_name", "last_name")
    )


# --- access -------------------------------------------------------------------


def people_with_access() -> QuerySet[User]:
    """Everyone with an account, with their roles and team places loaded (three queries)."""
    from django.contrib.auth.models import Group

    return User.objects.prefetch_related(
        Prefetch("groups", queryset=Group.objects.order_by("name")),
        Prefetch("teams", queryset=Team.objects.order_by("name")),
        Prefetch("supervised_teams", queryset=Team.objects.order_by("name")),
    ).order_by("-is_active", "last_name", "first_name", "username")


def access_changes(*, person: User | None = None) -> QuerySet[AccessChange]:
    """Recorded access changes, newest first, for everyone or for one person."""
    changes = AccessChange.objects.select_related("person", "changed_by", "team")
    if person is not None:
        changes = changes.filter(person=person)
    return changes.order_by("-at", "-pk")


# --- consent for a purpose -----------------------------------------------------------


def current_consents(client: Client, *, today: date | None = None) -> list[ConsentRecord]:
    """The client's consents that hold (``ConsentQuerySet.current``), newest first, with
    their client attached."""
    consents = list(ConsentRecord.objects.filter(client=client).current(today=today))
    for consent in consents:
        consent.client = client
    return consents


def consents_for_sharing(case: Case, *, today: date | None = None) -> list[ConsentRecord]:
    """The current consents a share of ``case`` with a colleague may rest on."""
    return [c for c in current_consents(case.client, today=today) if c.covers_colleagues]


def consents_for_referral(
    case: Case, *, agency: str = "", today: date | None = None
) -> list[ConsentRecord]:
    """The current consents a referral of ``case`` out to ``agency`` may rest on; before an
    agency is named, every one that could cover some agency."""
    consents = current_consents(case.client, today=today)
    if agency.strip():
        return [c for c in consents if c.covers_agency(agency)]
    return [c for c in consents if c.could_cover_an_agency]


def contact_channels(client: Client, *, today: date | None = None) -> list[str]:
    """How the client agreed to be contacted, by the current contact consents."""
    channels = {
        c.channel
        for c in ConsentRecord.objects.filter(client=client, scope=ConsentRecord.Scope.CONTACT)
        .current(today=today)
        .only("channel")
    }
    return [label for value, label in ConsentRecord.Channel.choices if value in channels]


@dataclass(frozen=True)
class ConsentDependents:
    """What rests on a consent: its live shares and its referrals out still pending."""

    shares: list[CaseShare]
    referrals: list[Referral]

    @property
    def cases(self) -> list[Case]:
        """The cases affected, each once, in reference order."""
        found = {s.case_id: s.case for s in self.shares} | {
            r.case_id: r.case for r in self.referrals
        }
        return [found[pk] for pk in sorted(found)]


def consent_dependents(consent: ConsentRecord, *, now: datetime | None = None) -> ConsentDependents:
    """The live shares and pending referrals out that rest on ``consent``: what withdrawing
    it ends."""
    now = now or timezone.now()
    shares = list(
        consent.shares.filter(revoked_at__isnull=True, expires_at__gt=now)
        .select_related("case", "shared_with")
        .order_by("case_id", "pk")
    )
    referrals = list(
        consent.referrals.filter(direction=Referral.Direction.OUT, status__in=Referral.PENDING_OUT)
        .select_related("case")
        .order_by("case_id", "pk")
    )
    for share in shares:
        share.case.client = consent.client
    for referral in referrals:
        referral.case.client = consent.client
    return ConsentDependents(shares=shares, referrals=referrals)


# --- where a case stands --------------------------------------------------------------


@dataclass(frozen=True)
class CaseSummary:
    """Where a case stands, as the case page and a review decision show it: the level and
    due dates are on the case; with them its outcomes (with progress), and what is still
    open: deadlines, deadline flags and actions."""

    case: Case
    outcomes: list[Outcome]
    open_deadlines: list[CaseDeadline]
    open_flags: list[DeadlineFlag]
    open_actions: list[Action]

    @property
    def due_dates(self) -> list[tuple[str, date]]:
        """The case's due dates that are set, by name (``Case.DueDate``), earliest first."""
        dates = [(d.label, getattr(self.case, d.value)) for d in Case.DueDate]
        return sorted(((label, on) for label, on in dates if on is not None), key=lambda d: d[1])

    @property
    def outcomes_short(self) -> list[Outcome]:
        """The outcomes below 100% (withdrawn ones aside)."""
        return [o for o in self.outcomes if o.falls_short]

    @property
    def has_open_work(self) -> bool:
        """Whether closing the case as "outcomes met" leaves something undone."""
        return bool(
            self.outcomes_short or self.open_deadlines or self.open_flags or self.open_actions
        )

    @property
    def records(self) -> list[models.Model]:
        """The client data the summary shows, for the audit trail."""
        return [*self.outcomes, *self.open_deadlines, *self.open_actions]


def case_summary(case: Case) -> CaseSummary:
    """The summary of ``case``, in five queries whatever its size."""
    # Imported here: notes imports this app at module level.
    from notes.selectors import open_actions

    outcomes = list(case.outcomes.prefetch_related("progress"))
    for outcome in outcomes:
        outcome.case = case
        for entry in outcome.progress.all():
            entry.outcome = outcome
    deadlines = list(case.deadlines.filter(status=CaseDeadline.Status.OPEN))
    for deadline in deadlines:
        deadline.case = case
    return CaseSummary(
        case=case,
        outcomes=outcomes,
        open_deadlines=deadlines,
        open_flags=list(case.flags.filter(cleared_at__isnull=True).order_by("due_on")),
        open_actions=open_actions(case),
    )
