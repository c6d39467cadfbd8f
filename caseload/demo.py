"""The demo organisation: the people, teams and (as issues land) the cases a new user explores.

Loading is idempotent: running it again brings the demo back to the same
state without duplicating anything.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.roles import Role
from cases.models import AdviserProfile, Case, CaseType, Client, Team, User

DEMO_PASSWORD = "caseload-demo"  # noqa: S105 - printed for demo users on purpose
# Every demo user's authenticator app holds this published key, so anyone trying
# the demo can add it to an app once (or run `manage.py demo_code`) and sign in
# as anyone. A real account's key is random and shown only to its owner.
DEMO_TOTP_SECRET = "CASELOADDEMOCASELOADDEMOCASELOAD"  # noqa: S105 - published on purpose


def demo_totp_key() -> str:
    """The demo key as django-otp stores it (hex)."""
    from base64 import b32decode

    return b32decode(DEMO_TOTP_SECRET).hex()


def demo_code(*, at: float | None = None) -> str:
    """The code an authenticator app holding the demo key shows at ``at`` (default now)."""
    import time
    from binascii import unhexlify

    from django_otp.oath import TOTP

    totp = TOTP(unhexlify(demo_totp_key()))
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: Role
    team: str | None = None
    fte: Decimal = Decimal("1.00")


DEMO_DEVICE_NAME = "Demo authenticator"

TEAMS = ["North Team", "South Team"]

PEOPLE = [
    DemoPerson("carol", "Carol", "Jenkins", Role.SUPERVISOR, "North Team"),
    DemoPerson("uma", "Uma", "Patel", Role.SUPERVISOR, "South Team"),
    DemoPerson("alice", "Alice", "Okafor", Role.ADVISER, "North Team"),
    DemoPerson("bob", "Bob", "Fraser", Role.ADVISER, "North Team"),
    DemoPerson("priya", "Priya", "Shah", Role.ADVISER, "North Team", Decimal("0.60")),
    DemoPerson("tom", "Tom", "Hughes", Role.ADVISER, "North Team"),
    DemoPerson("dave", "Dave", "Morgan", Role.ADVISER, "South Team"),
    DemoPerson("femi", "Femi", "Adeyemi", Role.ADVISER, "South Team"),
    DemoPerson("grace", "Grace", "Lloyd", Role.ADVISER, "South Team", Decimal("0.80")),
    DemoPerson("hamid", "Hamid", "Rahman", Role.ADVISER, "South Team"),
    DemoPerson("erin", "Erin", "Walsh", Role.ADMIN),
    DemoPerson("mia", "Mia", "Clarke", Role.SERVICE_MANAGER),
    DemoPerson("dina", "Dina", "Kovac", Role.DATA_PROTECTION),
]


@transaction.atomic
def demo_load(*, now: datetime | None = None) -> list[DemoPerson]:
    """Create or refresh the demo organisation; return the people who can sign in."""
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in TEAMS}
    groups = {role: Group.objects.get(name=role.value) for role in Role}
    for person in PEOPLE:
        user, _ = User.objects.update_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@caseload.example",
                "is_active": True,
                # The Admin role reaches the configuration pages through the
                # admin site's own role check; staff status is not needed.
                "is_staff": False,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        TOTPDevice.objects.filter(user=user).exclude(name=DEMO_DEVICE_NAME).delete()
        TOTPDevice.objects.update_or_create(
            user=user,
            name=DEMO_DEVICE_NAME,
            defaults={"key": demo_totp_key(), "confirmed": True},
        )
        user.groups.set([groups[person.role]])
        if person.role is Role.ADVISER:
            AdviserProfile.objects.update_or_create(
                user=user, defaults={"capacity_points": 40, "fte": person.fte}
            )
            teams[person.team].members.add(user)
        elif person.role is Role.SUPERVISOR:
            teams[person.team].supervisors.add(user)
    now = now or timezone.now()
    _load_caseloads(now=now)
    _load_recent_activity(now=now)
    _load_notes(now=now)
    _load_priorities(now=now)
    from priorities.sweep import sweep_deadlines

    # Flags and in-app notifications as the worker would raise them (the daily
    # digest, not the demo, emails them).
    sweep_deadlines(now=now)
    from reviews.services import reports_generate_all

    # Last week's caseload review reports, as the worker makes them each Monday.
    reports_generate_all(now=now, email=False)
    _load_reviews(now=now)
    from notes.anchors import checkpoint_write

    # The day's checkpoint of every note chain, as the worker writes it each night, so
    # that verify_notes has something outside the database to check against.
    checkpoint_write(now=now)
    return PEOPLE


def _load_recent_activity(*, now: datetime) -> None:
    """Closures over the last weeks in each team, for the dashboard's charts, and one
    restricted case opened by break the glass this week."""
    from cases import services
    from cases.models import BreakGlassAccess, Case

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
                changed_by=case.assigned_to,
                closure_reason="outcomes_met",
                closure_outcome="Outcomes met; the client is managing on their own.",
                now=now - timedelta(weeks=weeks * 2, hours=3),
            )
    restricted = Case.objects.open().filter(restricted=True, team__name="North Team").first()
    if restricted is None:
        return
    colleague = (
        User.objects.filter(teams__name="North Team", groups__name=Role.ADVISER.value)
        .exclude(pk=restricted.assigned_to_id)
        .order_by("username")
        .first()
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
    from priorities.models import Organisation

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


def _load_reviews(*, now: datetime) -> None:
    """Caseload reviews at every stage, a type-specific weight, and an adviser over capacity.

    Bob's review was signed off three weeks ago; Dave's waits for Uma's
    sign-off; Alice's is under way. Tom carries more than his capacity and
    has told Carol so.
    """
    from cases.models import CaseType
    from reviews import services as review_services
    from reviews.models import CapacityConcern, CaseloadReview, CaseWeight

    housing = CaseType.objects.get(name="Housing")
    CaseWeight.objects.get_or_create(
        case_type=housing, level="red", defaults={"points": Decimal("4")}
    )
    people = {u.username: u for u in User.objects.filter(username__in=[p.username for p in PEOPLE])}
    tom = people["tom"]
    AdviserProfile.objects.filter(user=tom).update(capacity_points=12)
    if not CapacityConcern.objects.filter(adviser=tom).exists():
        review_services.capacity_concern_raise(
            adviser=tom,
            comment="Three new possession cases this week on top of the usual intake.",
            now=now - timedelta(days=1),
        )
    reflection = {
        "factors": ["Referral volume", "Seasonal demand"],
        "factors_note": "Winter fuel and council tax referrals have risen since October.",
        "improvements": "Book the next contact at the end of every appointment.",
        "adviser_actions": "Close cases with no contact for eight weeks after a final letter.",
        "supervisor_actions": "Ask the partnership for a second debt adviser in January.",
    }
    plans = [
        ("bob", people["carol"], timedelta(days=21), "signed_off"),
        ("dave", people["dave"], timedelta(days=2), "submitted"),
        ("alice", people["alice"], timedelta(hours=3), "in_progress"),
    ]
    for username, starter, ago, stage in plans:
        adviser = people[username]
        if CaseloadReview.objects.filter(adviser=adviser).exists():
            continue
        started = now - ago
        review = review_services.review_start(adviser=adviser, started_by=starter, now=started)
        cases = list(review_services.review_cases(review).order_by("level_rank", "pk"))
        decided = cases if stage != "in_progress" else cases[: len(cases) // 2]
        for index, case in enumerate(decided):
            escalate = stage == "submitted" and index == 0
            review_services.review_decide(
                review=review,
                case=case,
                decision="escalate" if escalate else "continue",
                comment="Hearing brought forward; needs a second opinion." if escalate else "",
                decided_by=adviser,
                now=started + timedelta(minutes=10 + index),
            )
        if stage == "in_progress":
            continue
        review_services.review_reflect(review=review, reflected_by=adviser, **reflection)
        review_services.review_submit(
            review=review, submitted_by=adviser, now=started + timedelta(hours=1)
        )
        if stage == "signed_off":
            review_services.review_sign_off(
                review=review,
                signed_off_by=people["carol"],
                comment="A thorough review; agreed.",
                now=started + timedelta(hours=2),
            )


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
    from cases import services

    team = Team.objects.filter(members=adviser).order_by("name").first()
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
        assigned_by=team.supervisors.order_by("username").first(),
        handover_note="Referred in by a partner; yours to pick up.",
        now=now,
    )
    return services.case_status_change(
        case=case, status="open", changed_by=adviser, now=now + timedelta(minutes=5)
    )


def _load_caseloads(*, now: datetime) -> None:
    """About 60 clients and 80 cases in varied states and ages, loaded once."""
    from cases import services
    from cases.models import CaseType, Client

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
                now=opened + timedelta(days=1),
            )
    # One case shared across teams, on recorded consent.
    shared = (
        Client.objects.filter(created_by=people["alice"])
        .first()
        .cases.filter(restricted=False)
        .first()
    )
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
    for team_name, supervisor in (("North Team", "carol"), ("South Team", "uma")):
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
        )


NOTE_TEMPLATES = {
    "Housing": (
        "First housing interview",
        "Situation:\nLandlord and tenancy:\nArrears and income:\n",
        "By the client:\nBy the adviser:\n",
    ),
    "Debt": ("Debt review", "Creditors and amounts:\nPriority debts:\nIncome and outgoings:\n", ""),
}

CONTACTS = [
    (
        "face_to_face",
        "Client came to the drop-in with the letters received so far.",
        "Client worried about losing their home.",
        "Read the letters with the client and explained the timeline.",
        "Client to bring bank statements; adviser to call the landlord.",
    ),
    (
        "phone",
        "Called the client: they have not heard back from the council.",
        "",
        "Chased the council's housing team by email.",
        "Adviser to chase again if no reply by Friday.",
    ),
    (
        "email",
        "Client emailed copies of the tenancy agreement and rent statement.",
        "Arrears figure looks wrong by one month.",
        "",
        "Adviser to check the rent statement against the payments.",
    ),
    (
        "third_party",
        "Spoke to the landlord's agent about a payment plan.",
        "Agent open to a plan if the first payment is made this month.",
        "Proposed £25 a week towards the arrears.",
        "Confirm the plan in writing with the client's agreement.",
    ),
    (
        "file_note",
        "Checked benefit entitlement with the calculator.",
        "Client appears to be missing the housing element.",
        "",
        "Discuss a new claim with the client at the next contact.",
    ),
]


def _load_notes(*, now: datetime) -> None:
    """Notes, a correction, late entries and actions (some overdue) on the demo cases, once."""
    from cases.models import Case, CaseType
    from notes import services as note_services
    from notes.models import CaseNote, NoteTemplate

    for type_name, (name, facts, next_steps) in NOTE_TEMPLATES.items():
        case_type = CaseType.objects.filter(name=type_name).first()
        if case_type is not None:
            NoteTemplate.objects.get_or_create(
                case_type=case_type, name=name, defaults={"facts": facts, "next_steps": next_steps}
            )
    cases = list(
        Case.objects.filter(assigned_to__username__in=[p.username for p in PEOPLE])
        .select_related("client__data_key", "assigned_to")
        .order_by("pk")
    )
    if not cases or CaseNote.objects.filter(case__in=cases).exists():
        return
    rng = random.Random(41)  # noqa: S311 - the same demo every time, not security
    today = timezone.localdate(now)
    for n, case in enumerate(cases):
        opened = timezone.make_aware(
            datetime.combine(case.opened_on, datetime.min.time())
        ) + timedelta(hours=10)
        span = max(1, (now - opened).days)
        count = 0 if n % 11 == 0 else rng.randrange(1, 5)
        days = sorted(rng.sample(range(span), min(count, span)))
        last_note = None
        for i, day in enumerate(days):
            channel, facts, opinion, taken, steps = CONTACTS[(n + i) % len(CONTACTS)]
            contact_at = opened + timedelta(days=day, minutes=rng.randrange(0, 420))
            late = (n + i) % 9 == 0
            recorded = contact_at + (
                timedelta(hours=rng.randrange(30, 80))
                if late
                else timedelta(minutes=rng.randrange(5, 90))
            )
            recorded = min(recorded, now)
            last_note = note_services.note_append(
                case=case,
                author=case.assigned_to,
                contact_at=contact_at,
                channel=channel,
                facts=facts,
                opinion=opinion,
                actions_taken=taken,
                next_steps=steps,
                now=recorded,
            )
        if last_note is not None and n % 4 == 1:
            due = today + timedelta(days=rng.randrange(-10, 15))
            note_services.action_create(
                case=case,
                note=last_note,
                description="Send the client the payment plan letter",
                owner="adviser",
                due_on=due,
                created_by=case.assigned_to,
                today=min(due, today),
            )
        if last_note is not None and n % 13 == 2:
            note_services.note_append(
                case=case,
                author=case.assigned_to,
                contact_at=last_note.contact_at,
                channel=last_note.channel,
                facts=facts.replace("the", "the correct", 1),
                next_steps=steps,
                corrects=last_note,
                correction_reason="The first version named the wrong document.",
                now=now,
            )


CRITERIA = [
    # key, name, guidance, answer type, weight, forces red at, scale labels
    (
        "safeguarding",
        "Is there a safeguarding concern?",
        "Any risk of harm to the client, a child or an adult at risk.",
        "yes_no",
        10,
        1,
        (),
    ),
    (
        "homelessness",
        "Is the client homeless or at risk within 56 days?",
        "Notice received, eviction date, or sleeping rough.",
        "yes_no",
        6,
        None,
        (),
    ),
    (
        "income",
        "How severe is the loss of income?",
        "Consider benefits stopped, sanctions and priority debts.",
        "scale",
        2,
        None,
        ("None", "Some", "Serious", "No income"),
    ),
    (
        "complexity",
        "How complex is the case?",
        "Number of issues and agencies involved.",
        "scale",
        1,
        None,
        ("Simple", "Some", "Complex", "Very complex"),
    ),
]
TIMESCALES = {"red": (1, 5, 10, 40), "amber": (3, 10, 20, 60), "green": (5, 20, 40, 90)}


def _load_priorities(*, now: datetime) -> None:
    """Two criteria versions, timescales, and assessments on most open demo cases, once."""
    from cases.models import Case, CaseType
    from priorities import services as priority_services
    from priorities.models import CriteriaVersion, Criterion, Timescale

    for case_type in CaseType.objects.all():
        for level, (first, interval, review, close) in TIMESCALES.items():
            Timescale.objects.get_or_create(
                case_type=case_type,
                level=level,
                defaults={
                    "first_contact_days": first,
                    "contact_interval_days": interval,
                    "review_days": review,
                    "close_days": close,
                    # Green cases of each type show the other way to flag "approaching".
                    **(
                        {"approaching_mode": "percent", "approaching_percent": 75}
                        if level == "green"
                        else {}
                    ),
                },
            )
    if CriteriaVersion.objects.exists():
        return
    first = CriteriaVersion.objects.create(
        number=1, red_threshold=12, amber_threshold=6, red_if_deadline_within=5
    )
    for position, (key, name, guidance, kind, weight, forces, labels) in enumerate(CRITERIA):
        Criterion.objects.create(
            version=first,
            key=key,
            position=position,
            name=name,
            guidance=guidance,
            answer_type=kind,
            weight=weight,
            forces_red_at=forces,
            **{f"label_{n}": label for n, label in enumerate(labels)},
        )
    erin = User.objects.get(username="erin")
    priority_services.version_publish(draft=first, published_by=erin)
    cases = list(
        Case.objects.open()
        .filter(assigned_to__isnull=False)
        .select_related("client__data_key", "assigned_to", "team")
        .order_by("pk")
    )
    rng = random.Random(7)  # noqa: S311 - the same demo every time, not security
    for n, case in enumerate(cases):
        if n % 8 == 7:
            continue  # left unassessed: shows as "assessment due"
        answers = {
            "safeguarding": 1 if n % 10 == 3 else 0,
            "homelessness": 1 if n % 4 == 0 else 0,
            "income": rng.randrange(0, 4),
            "complexity": rng.randrange(0, 4),
        }
        priority_services.assessment_record(
            case=case,
            answers=answers,
            rationale="Assessed at the first interview from what the client told us and the letters seen.",
            assessed_by=case.assigned_to,
            now=now - timedelta(days=rng.randrange(1, 60)),
        )
    # Version 2 gives income more weight: cases assessed under version 1 now show as due.
    second = priority_services.version_draft_from(source=first)
    second.criteria.filter(key="income").update(weight=3)
    priority_services.version_publish(draft=second, published_by=erin)
    for case in cases[:6]:
        if case.level:
            priority_services.assessment_record(
                case=case,
                answers={"safeguarding": 0, "homelessness": 1, "income": 2, "complexity": 1},
                rationale="Reassessed under the new criteria after the client's benefits stopped.",
                assessed_by=case.assigned_to,
                now=now - timedelta(hours=3),
            )
    supervised = next((c for c in cases if c.team and c.level != "red" and c.level), None)
    if supervised is not None:
        priority_services.assessment_override(
            case=supervised,
            level="red",
            rationale="The partner agency reports a risk the criteria do not capture.",
            overridden_by=supervised.team.supervisors.first(),
        )
