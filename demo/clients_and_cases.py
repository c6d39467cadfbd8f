"""The demo's clients and cases: about 60 clients and 80 cases in varied states and ages
(each following its story in demo.timeline), two referrals waiting, one case shared on
consent, the last weeks' closures and a break-the-glass use for the dashboard."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.utils import timezone

from caseload.roles import Role
from cases import services
from cases.models import BreakGlassAccess, Case, CaseType, Client, Team, User
from demo import known
from demo.people import PEOPLE
from demo.timeline import DemoDays, Fate, case_plans
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
# What each kind of case is about, in the demo's words: the presenting issue, the
# statutory or external deadlines it may carry, the outcome aimed for, and what may
# hold it up.
ISSUES = {
    "Housing": "Rent arrears of two months and a notice seeking possession from the landlord.",
    "Debt": "Several credit card debts and a council tax arrears letter; bailiffs mentioned.",
    "Welfare benefits": "Universal Credit sanction and a PIP decision to challenge.",
    "Employment support": "Out of work for a year after illness; wants part-time work.",
    "Careers guidance": "Year 11, unsure between college and an apprenticeship.",
}
DEADLINES = {
    "Housing": ["Possession hearing at the county court", "Reply to the landlord's notice"],
    "Debt": ["Reply to the creditor's default notice", "Defence to the county court claim"],
    "Welfare benefits": ["Mandatory reconsideration deadline", "Benefit appeal deadline"],
    "Employment support": ["Application closing date", "Work capability assessment"],
    "Careers guidance": ["College application deadline", "Apprenticeship application closes"],
}
OUTCOMES = {
    "Housing": ("Client keeps their home", "Possession claim withdrawn or a plan agreed"),
    "Debt": ("Debts are manageable", "A budget and payment plans the creditors accept"),
    "Welfare benefits": ("Client gets the benefits they are entitled to", "Award letter"),
    "Employment support": ("Client is in work they can sustain", "Job offer accepted"),
    "Careers guidance": ("Young person has a place for September", "Offer accepted"),
}
HOLD_UPS = {
    "Housing": "Waiting for the landlord's rent statement.",
    "Debt": "Waiting for the creditors to send statements of account.",
    "Welfare benefits": "Waiting for the DWP to send the decision letter.",
    "Employment support": "Waiting for the GP's fit note.",
    "Careers guidance": "Waiting for the school to send predicted grades.",
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
    """About 60 clients and 80 cases in varied states and ages, loaded once.

    Each case follows its story in ``demo.timeline``: when it opened, whether it is
    open, on hold or closed, and the deadline it carries, in working days before now.
    """
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
    days = DemoDays(now)
    today = days.today
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
    for plan in case_plans():
        n = plan.n
        client = clients[n % 60] if n < 60 else clients[(n * 13) % 60]
        adviser = people[plan.adviser]
        type_name = plan.type_name
        opened = days.at(plan.opened, 9, rng.randrange(0, 50))
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
        if plan.deadline is not None:
            services.deadline_add(
                case=case,
                due_on=days.ahead(plan.deadline),
                description=rng.choice(DEADLINES[type_name]),
                added_by=adviser,
                today=opened_day,
            )
        if n % 2 == 0:
            description, measure = OUTCOMES[type_name]
            outcome = services.outcome_add(
                case=case,
                description=description,
                measure=measure,
                target_date=days.ahead(rng.randrange(15, 80)),
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
        if plan.disengaged:
            services.obstacle_record(
                case=case,
                kind="client_disengaged",
                description="No answer to calls, texts or the last letter.",
                raised_by=adviser,
            )
        elif n % 5 == 0:
            services.obstacle_record(
                case=case,
                kind=rng.choice(["awaiting_third_party", "resources"]),
                description=HOLD_UPS[type_name],
                raised_by=adviser,
            )
        if plan.fate is Fate.ON_HOLD:
            services.case_status_change(
                case=case,
                status="on_hold",
                changed_by=adviser,
                comment="Client in hospital.",
                now=opened + timedelta(hours=5),
            )
        elif plan.closed is not None:
            services.case_status_change(
                case=case,
                status="closed",
                changed_by=adviser,
                closure_reason="outcomes_met",
                closure_outcome="Agreed outcomes met; the client is managing on their own.",
                open_work_confirmed=True,
                open_work_reason="The client is managing the rest on their own; agreed at the "
                "last appointment.",
                now=days.at(plan.closed, 16),
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
        now=now,
    )
    _consent_stories_load(client=shared.client, case=shared, people=people, now=now)
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
            now=now,
        )


def _consent_stories_load(
    *, client: Client, case: Case, people: dict[str, User], now: datetime
) -> None:
    """Consent as the client page shows it: one withdrawn two days ago, which ended Bob's
    share; one that ran out ten days ago; and consent to be contacted by text."""
    today = timezone.localdate(now)
    withdrawn = services.consent_record(
        client=client,
        recorded_by=people["alice"],
        scope="all",
        shared_with="Anyone involved in her support",
        details="Debts and housing",
        given_on=today - timedelta(days=40),
        method="written",
    )
    services.case_share(
        case=case,
        shared_with=people["bob"],
        level="view",
        reason="Bob sees the client at the Thursday surgery.",
        consent=withdrawn,
        expires_on=today + timedelta(days=20),
        shared_by=people["alice"],
        now=now - timedelta(days=6),
    )
    services.consent_withdraw(
        consent=withdrawn,
        withdrawn_by=people["alice"],
        reason="She would rather only Alice saw her file.",
        now=now - timedelta(days=2),
    )
    services.consent_record(
        client=client,
        recorded_by=people["alice"],
        scope="referral",
        shared_with="Step Change",
        details="Income and debts, for a debt management plan",
        given_on=today - timedelta(days=70),
        expires_on=today - timedelta(days=10),
        method="verbal",
        today=today - timedelta(days=70),
    )
    services.consent_record(
        client=client,
        recorded_by=people["alice"],
        scope="contact",
        shared_with="",
        channel="text",
        details="Appointment reminders only",
        given_on=today - timedelta(days=10),
        expires_on=today + timedelta(days=365),
        method="verbal",
    )


def recent_activity_load(*, now: datetime) -> None:
    """One restricted case opened by break the glass this week, and a second request
    waiting for the supervisor. (The last weeks' closures come with the cases.)"""
    if BreakGlassAccess.objects.exists():
        return
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
        reason="Second visit today: the client came back for a copy of the letter we sent.",
        now=now - timedelta(hours=1),
    )
    Organisation.objects.filter(pk=organisation.pk).update(break_glass_daily_limit=limit)
