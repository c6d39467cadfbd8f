"""The demo tells a believable week: a few cases past a due date, not most of them;
notes in the words of their case's type; and every persona the README names finds
what it promises."""

import pytest
from django.utils import timezone

from cases.models import BreakGlassAccess, BreakGlassRequest, Case, User
from demo.case_notes import note_texts
from notes.models import CaseNote
from notifications.models import Kind, Notification
from notifications.selectors import notification_groups
from priorities.models import DeadlineFlag
from reviews.models import CapacityConcern, CaseloadReview, ReviewDecision
from reviews.selectors import adviser_figures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded")]


def _figures() -> dict[str, dict[str, int]]:
    advisers = list(User.objects.filter(groups__name="Adviser"))
    return {f.adviser.username: f.counts for f in adviser_figures(advisers).values()}


def test_a_few_open_cases_are_breached_most_are_on_time_and_tom_has_the_most_breaches():

    open_cases = Case.objects.open()
    total = open_cases.count()
    breached = open_cases.breached().count()
    approaching = open_cases.approaching().count()
    assert 1 <= breached <= 0.15 * total
    assert 1 <= approaching <= 0.2 * total
    assert total - breached - approaching >= 0.7 * total
    assert open_cases.with_overdue_actions(today=timezone.localdate()).count() <= 3
    # Tom, over capacity, has the most; the others are spread over both teams.
    by_adviser = {name: counts["breached"] for name, counts in _figures().items()}
    assert by_adviser["tom"] == max(by_adviser.values())
    assert len({name for name, count in by_adviser.items() if count and name != "tom"}) >= 2
    teams = set(open_cases.breached().values_list("team__name", flat=True))
    assert teams == {"North Team", "South Team"}


def test_every_note_is_written_in_the_words_of_its_case_s_type():

    notes = list(CaseNote.objects.select_related("case__case_type", "case__client__data_key"))
    assert len(notes) > 100
    for note in notes:
        assert note.facts in note_texts(note.case.case_type.name), note.case.case_type.name
    types = {note.case.case_type.name for note in notes}
    assert len(types) == 5


def test_each_persona_finds_what_the_readme_promises():

    # alice: a caseload review under way, some cases decided and some not.
    alices = CaseloadReview.objects.get(adviser__username="alice")
    assert alices.status == "in_progress"
    decided = ReviewDecision.objects.filter(review=alices).count()
    assert 0 < decided < Case.objects.open().filter(assigned_to__username="alice").count()
    # carol: a break-the-glass use in her team to review, and a request to decide.
    assert BreakGlassAccess.objects.filter(case__team__supervisors__username="carol").exists()
    assert BreakGlassRequest.objects.filter(status="pending", user__teams__name="North Team")
    # ... and her team's unallocated referral, with its allocation deadline flagged (the
    # partner's referral that came in through the API this morning is not due yet).
    referral = (
        Case.objects.filter(assigned_to__isnull=True, team__name="North Team")
        .order_by("pk")
        .first()
    )
    assert DeadlineFlag.objects.filter(
        case=referral, deadline="allocation_due_on", cleared_at__isnull=True
    ).exists()
    # ... told of her team's many new flags once, by a summary leading to Needs attention,
    # not once per flag (priorities.sweep.SUMMARY_AFTER).
    carol = User.objects.get(username="carol")
    (summary,) = Notification.objects.filter(recipient=carol, kind=Kind.DEADLINE)
    assert summary.case_id is None
    assert "deadline flags were raised" in summary.message
    # tom, told of a few flags one by one: two deadlines on one case are one line.
    tom = User.objects.get(username="tom")
    groups = notification_groups(tom, kind=Kind.DEADLINE)
    assert any(len(group.items) > 1 for group in groups)
    assert len(groups) < Notification.objects.filter(recipient=tom, kind=Kind.DEADLINE).count()
    # uma: a review waiting for her sign-off.
    assert CaseloadReview.objects.filter(
        status="submitted", adviser__teams__supervisors__username="uma"
    ).exists()
    # tom: over capacity, and he has said so.
    tom = User.objects.get(username="tom")
    assert adviser_figures([tom])[tom.pk].over_capacity
    assert CapacityConcern.objects.filter(adviser=tom).exists()
    # dina: told of the break-the-glass use.
    assert Notification.objects.filter(recipient__username="dina", kind=Kind.BREAK_GLASS)
    # erin and mia hold their roles.
    assert User.objects.filter(username="erin", groups__name="Admin").exists()
    assert User.objects.filter(username="mia", groups__name="Service manager").exists()
