"""The demo's caseload reviews, at every stage, and an adviser over capacity."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from cases.models import AdviserProfile, CaseType, User
from demo.people import PEOPLE
from reviews import services as review_services
from reviews.models import CapacityConcern, CaseloadReview, CaseWeight


def reviews_load(*, now: datetime) -> None:
    """Caseload reviews at every stage, a type-specific weight, and an adviser over capacity.

    Bob's review was signed off three weeks ago; Dave's waits for Uma's
    sign-off; Alice's is under way. Tom carries more than his capacity and
    has told Carol so.
    """
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
    factors = ["Referral volume", "Seasonal demand"]
    reflection = {
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
        review_services.review_reflect(
            review=review, reflected_by=adviser, factors=factors, **reflection
        )
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
