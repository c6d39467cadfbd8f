"""The demo's clients and cases: about 60 clients and 80 cases in varied states and ages,
two referrals waiting, one case shared on consent, and the last weeks' closures and a
break-the-glass use for the dashboard."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.utils import timezone

from caseload.roles import Role
from cases import services
from cases.models import BreakGlassAccess, Case, CaseType, Client, Team, User
from demo import known
from demo.people import PEOPLE, TEAMS
from priorities.models import Organisation

CASE_TYPES = [
    ("Housing", "Homelessness, tenancy problems and disrepair."),
    ("Debt", "Priority and non-priority debts, insolvency options."),
    ("Welfare benefits", "Claims, reconsiderations and appeals."),
    ("Employment support", "Finding and keeping work."),
    ("Careers guidance", "Education, training and career decisions for young people."),
]

GIVEN_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Daniel",
    "Efua",
    "Finley",
    "Gemma",
    "Harvey",
    "Isla",
    "Jamal",
    "Kira",
    "Liam",
    "Maya",
    "Nathan",
    "Olivia",
    "Patrick",
    "Rosa",
    "Samir",
    "Tegan",
    "Usman",
    "Valentina",
    "Wesley",
    "Yasmin",
    "Zac",
    "Aled",
    "Bethan",
    "Callum",
    "Deepa",
    "Eilidh",
    "Fraser",
]
FAMILY_NAMES = [
    "Ahmed",
    "Barker",
    "Campbell",
    "Davies",
    "Evans",
    "Fletcher",
    "Gallagher",
    "Hussain",
    "Iqbal",
    "Jones",
    "Kaur",
    "Lewis",
    "McAllister",
    "Nowak",
    "O'Neill",
    "Price",
    "Quinn",
    "Robertson",
    "Singh",
    "Thomas",
    "Underwood",
    "Vaughan",
    "Williams",
    "Yilmaz",
    "Zielinski",
]
POSTCODES = ["LS6 2QT", "M14 5RB", "CF24 4HQ", "NE4 7JJ", "S2 4SU", "BS5 6XJ", "L8 1YF", "G42 8AU"]
ISSUES = {
    "Housing": "Rent arrears of two months and a notice seeking possession from the landlord.",
    "Debt": "Several credit card debts and a council tax arrears letter; bailiffs mentioned.",
    "Welfare benefits": "Universal Credit sanction and a PIP decision to challenge.",
    "Employment support": "Out of work for a year after illness; wants part-time work.",
    "Careers guidance": "Year 11, unsure between college and an apprenticeship.",
}


def _referred_and_allocated(
    *, client: Client, case_type: CaseType, adviser: User, presenting_issue: str, now: datetime
) -> Case:
    team = known(Team.objects.filter(members=adviser).order_by("name").first(), "a team")
    case = services.referral_in(
        team=team,
        case_type=case_type,
        agency="Citizens Advice",
        contact="Duty adviser",
        reason="Client asked for specialist help.",
        presenting_issue=presenting_issue,
        received_by=adviser,
        client=client,
        now=now,
    )
    services.case_assign(
        case=case,
        adviser=adviser,
        assigned_by=known(team.supervisors.order_by("username").first(), "a supervisor"),
        handover_note="Referred in by a partner; yours to pick up.",
        now=now,
    )
    return services.case_status_change(
        case=case, status="open", changed_by=adviser, now=now + timedelta(minutes=5)
    )


def caseloads_load(*, now: datetime) -> None:
    """About 60 clients and 80 cases in varied states and ages, loaded once."""
    types = {
        name: CaseType.objects.get_or_create(name=name, defaults={"description": text})[0]
        for name, text in CASE_TYPES
    }
    advisers = list(
        User.objects.filter(
            username__in=[p.username for p in PEOPLE if p.role is Role.ADVISER]
        ).order_by("username")
    )
    if Client.objects.filter(created_by__in=advisers).exists():
        return
    people = {u.username: u for u in User.objects.filter(username__in=[p.username for p in PEOPLE])}
    rng = random.Random(14)  # noqa: S311 - the same demo every time, not security
    today = timezone.localdate(now)
    type_names = list(types)
    clients = []
    for n in range(60):
        adviser = advisers[n % len(advisers)]
        clients.append(
            services.client_create(
                created_by=adviser,
                given_name=GIVEN_NAMES[n % len(GIVEN_NAMES)],
                family_name=FAMILY_NAMES[(n * 7) % len(FAMILY_NAMES)],
                date_of_birth=date(
                    1950 + rng.randrange(55), rng.randrange(1, 13), rng.randrange(1, 29)
                ),
                phone=f"07700 900{n:03d}",
                postcode=rng.choice(POSTCODES),
                vulnerabilities=rng.choice(
                    ["", "", "", "mental_health", "care_leaver", "safeguarding_adult"]
                ),
            )
        )
    for n in range(80):
        client = clients[n % 60] if n < 60 else clients[(n * 13) % 60]
        adviser = client.created_by if n < 60 else advisers[(n + 3) % len(advisers)]
        type_name = type_names[n % len(type_names)]
        opened = now - timedelta(days=rng.randrange(2, 270))
        if n < 60:
            case = services.case_open(
                client=client,
                case_type=types[type_name],
                opened_by=adviser,
                presenting_issue=ISSUES[type_name],
                referral_source=rng.choice(["self", "partner", "internal", "statutory"]),
                restricted=(n % 17 == 5),
                now=opened,
            )
        else:
            # A client's second case with another adviser comes the way it would in life:
            # a partner refers them to that adviser's team, whose supervisor allocates it.
            case = _referred_and_allocated(
                client=client,
                case_type=types[type_name],
                adviser=adviser,
                presenting_issue=ISSUES[type_name],
                now=opened,
            )
        opened_day = timezone.localdate(opened)
        if n % 3 == 0:
            services.deadline_add(
                case=case,
                due_on=today + timedelta(days=rng.randrange(-3, 40)),
                description=rng.choice(
                    ["Benefit appeal deadline", "Court hearing", "Reply to landlord's notice"]
                ),
                added_by=adviser,
                today=min(opened_day, today - timedelta(days=3)),
            )
        if n % 2 == 0:
            outcome = services.outcome_add(
                case=case,
                description="Client keeps their home"
                if type_name == "Housing"
                else "Client's situation is stable",
                measure="Confirmed in writing by the other party",
                target_date=opened_day + timedelta(days=rng.randrange(30, 180)),
                added_by=adviser,
                today=opened_day,
            )
            if n % 4 == 0:
                services.outcome_progress_record(
                    outcome=outcome,
                    note="First steps agreed with the client.",
                    status="in_progress",
                    progress_percent=rng.choice([20, 40, 60]),
                    recorded_by=adviser,
                )
        if n % 5 == 0:
            services.obstacle_record(
                case=case,
                kind=rng.choice(["client_disengaged", "awaiting_third_party", "resources"]),
                description="Waiting for documents before the next step.",
                raised_by=adviser,
            )
        if n % 9 == 4:
            services.case_status_change(
                case=case,
                status="on_hold",
                changed_by=adviser,
                comment="Client in hospital.",
                now=opened + timedelta(days=1),
            )
        elif n % 7 == 3:
            services.case_status_change(
                case=case,
                status="closed",
                changed_by=adviser,
                closure_reason="outcomes_met",
                closure_outcome="Agreed outcomes met; client confident to manage.",
                open_work_confirmed=True,
                open_work_reason="The client is managing the rest on their own; agreed at the "
                "last appointment.",
                now=opened + timedelta(days=1),
            )
    # One case shared across teams, on recorded consent.
    alices_client = known(Client.objects.filter(created_by=people["alice"]).first(), "a client")
    shared = known(alices_client.cases.filter(restricted=False).first(), "an open case")
    consent = services.consent_record(
        client=shared.client,
        recorded_by=people["alice"],
        scope="colleagues",
        shared_with="Advisers covering for Alice",
        details="Case history and contact details",
        given_on=today - timedelta(days=10),
        method="verbal",
    )
    services.case_share(
        case=shared,
        shared_with=people["dave"],
        level="contribute",
        reason="Dave covers the Tuesday drop-in this client attends.",
        consent=consent,
        expires_on=today + timedelta(days=30),
        shared_by=people["alice"],
    )
    # Referrals from partners waiting to be allocated, one for each team.
    # North's comes with the referrer's urgency: red until an adviser assesses it.
    for team_name, supervisor, urgency in (
        ("North Team", "carol", "red"),
        ("South Team", "uma", ""),
    ):
        services.referral_in(
            team=Team.objects.get(name=team_name),
            case_type=types["Housing"],
            agency="Shelter",
            contact="Duty caseworker",
            reason="Client at risk of homelessness within 56 days.",
            presenting_issue="Section 21 notice received; two children in the household.",
            received_by=people[supervisor],
            client_fields={
                "given_name": "Robin",
                "family_name": f"Hartley-{team_name[0]}",
                "postcode": "LS6 2QT",
            },
            urgency=urgency,
        )


def recent_activity_load(*, now: datetime) -> None:
    """Closures over the last weeks in each team, for the dashboard's charts, and one
    restricted case opened by break the glass this week."""
    if BreakGlassAccess.objects.exists():
        return
    for team in Team.objects.filter(name__in=TEAMS):
        candidates = Case.objects.open().filter(
            team=team, restricted=False, opened_on__lt=timezone.localdate(now) - timedelta(days=90)
        )
        for weeks, case in enumerate(candidates.order_by("pk")[:4], start=1):
            services.case_status_change(
                case=case,
                status="closed",
                changed_by=known(case.assigned_to, "the case's adviser"),
                closure_reason="outcomes_met",
                closure_outcome="Outcomes met; the client is managing on their own.",
                open_work_confirmed=True,
                open_work_reason="What is left the client is doing without us; agreed with them.",
                now=now - timedelta(weeks=weeks * 2, hours=3),
            )
    restricted = Case.objects.open().filter(restricted=True, team__name="North Team").first()
    if restricted is None:
        return
    colleague = known(
        User.objects.filter(teams__name="North Team", groups__name=Role.ADVISER.value)
        .exclude(pk=known(restricted.assigned_to_id, "the case's adviser"))
        .order_by("username")
        .first(),
        "a colleague in the North Team",
    )
    services.break_glass(
        case=restricted,
        user=colleague,
        reason="The client came to reception in crisis while their adviser was away.",
        now=now - timedelta(days=2),
    )
    # Its alert emails wait in the outbox; the demo's addresses are in the reserved
    # .example domain, and the embedded default prints email to the console.
    # A request past the day's limit, waiting for the supervisor: for this one request the
    # limit is taken as already reached.
    organisation = Organisation.current()
    limit = organisation.break_glass_daily_limit
    Organisation.objects.filter(pk=organisation.pk).update(break_glass_daily_limit=0)
    services.break_glass_request(
        user=colleague,
        reference=restricted.reference,
        reason="Second visit today: the client came back asking for their housing letter.",
        now=now - timedelta(hours=1),
    )
    Organisation.objects.filter(pk=organisation.pk).update(break_glass_daily_limit=limit)
