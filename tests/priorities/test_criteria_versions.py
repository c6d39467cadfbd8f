"""Criteria versions: one draft at a time, its thresholds and questions checked in plain
words, the diff between versions, and the reassessment workload publishing creates."""

import random

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from cases.models import Case
from priorities import selectors, services
from priorities.models import CriteriaVersion, Criterion
from tests.factories import AdviserFactory, CaseFactory, published_criteria

pytestmark = pytest.mark.django_db


def _question(draft, **changes):
    fields = {
        "position": 3,
        "key": "homeless",
        "name": "Is the client homeless tonight?",
        "guidance": "Where they will sleep.",
        "answer_type": "yes_no",
        "label_0": "",
        "label_1": "",
        "label_2": "",
        "label_3": "",
        "weight": 6,
        "forces_red_at": 1,
    }
    return {**fields, **changes}


def _problems(draft, **changes):
    data = _question(draft, **changes)
    return services.criterion_problems(
        draft=draft,
        criterion_id=None,
        key=data["key"],
        answer_type=data["answer_type"],
        labels=[data[f"label_{n}"] for n in range(4)],
        weight=data["weight"],
        forces_red_at=data["forces_red_at"],
    )


# --- drafts ----------------------------------------------------------------------------


def test_a_draft_starts_as_a_copy_of_the_published_version_recorded_with_its_admin(erin):
    published = published_criteria()

    draft = services.version_draft_start(started_by=erin)

    assert draft.status == CriteriaVersion.Status.DRAFT
    assert draft.number == published.number + 1
    assert sorted(draft.criteria.values_list("key", flat=True)) == ["complexity", "safeguarding"]
    assert LogEntry.objects.get_for_object(draft).filter(actor=erin).exists()


def test_a_second_draft_is_refused_while_one_exists(erin):
    published_criteria()
    first = services.version_draft_start(started_by=erin)

    with pytest.raises(ValidationError, match=f"Draft version {first.number} is already"):
        services.version_draft_start(started_by=erin)
    assert CriteriaVersion.objects.filter(status="draft").count() == 1


def test_a_discarded_draft_makes_room_for_a_new_one(erin):
    published_criteria()
    first = services.version_draft_start(started_by=erin)

    services.version_discard(draft=first, discarded_by=erin)

    assert not CriteriaVersion.objects.filter(pk=first.pk).exists()
    assert services.version_draft_start(started_by=erin).status == "draft"


def test_a_published_version_cannot_be_changed_through_the_services(erin):
    published = published_criteria()

    with pytest.raises(ValidationError, match="can no longer change"):
        services.criterion_save(
            draft=published, criterion=None, changed_by=erin, **_question(published)
        )
    with pytest.raises(ValidationError, match="can no longer change"):
        services.criterion_remove(criterion=published.criteria.first(), removed_by=erin)
    assert published.criteria.count() == 2


# --- thresholds ------------------------------------------------------------------------


def test_a_red_threshold_below_amber_is_refused_in_plain_english():
    problems = services.thresholds_problems(
        red_threshold=3,
        amber_threshold=5,
        red_label="Red",
        amber_label="Amber",
        green_label="Green",
    )

    assert problems == {
        "red_threshold": "The red threshold must be above the amber threshold (5), or no "
        "case could ever be amber."
    }


def test_two_levels_may_not_share_a_name():
    problems = services.thresholds_problems(
        red_threshold=6, amber_threshold=3, red_label="High", amber_label="high", green_label="Low"
    )

    assert problems == {
        "amber_label": "Each level needs a name of its own: 'high' is already the red level's name."
    }


def test_thresholds_that_contradict_each_other_leave_the_draft_as_it_was(erin):
    draft = services.version_draft_from(source=published_criteria())

    with pytest.raises(ValidationError) as refused:
        services.version_thresholds_save(
            draft=draft,
            changed_by=erin,
            red_threshold=4,
            amber_threshold=4,
            red_if_deadline_within=None,
            red_label="Red",
            amber_label="Amber",
            green_label="Green",
            red_colour="red",
            amber_colour="amber",
            green_colour="green",
        )

    assert set(refused.value.message_dict) == {"red_threshold"}
    draft.refresh_from_db()
    assert (draft.red_threshold, draft.amber_threshold) == (6, 3)


# --- a question ------------------------------------------------------------------------


def test_a_scale_needs_all_four_labels_or_none():
    draft = services.version_draft_from(source=published_criteria())

    partly = _problems(
        draft, answer_type="scale", label_0="None", label_1="Some", forces_red_at=None
    )
    none_at_all = _problems(draft, answer_type="scale", forces_red_at=None)

    assert set(partly) == {"label_2", "label_3"}
    assert partly["label_2"].startswith("Name every point of the scale")
    assert none_at_all == {}


def test_a_yes_no_question_forces_red_only_on_yes_and_has_no_scale_labels():
    draft = services.version_draft_from(source=published_criteria())

    problems = _problems(draft, forces_red_at=2, label_1="Maybe")

    assert problems["forces_red_at"] == (
        "A yes-or-no question can only make a case red on 'yes' (1)."
    )
    assert problems["label_1"].startswith("A yes-or-no question has no scale labels")


def test_a_scale_forces_red_within_its_range_and_weighs_1_to_100():
    draft = services.version_draft_from(source=published_criteria())

    problems = _problems(draft, answer_type="scale", forces_red_at=4, weight=101)

    assert problems == {
        "forces_red_at": "Choose a point of the scale from 1 to 3, or leave this empty.",
        "weight": "The weight must be a whole number from 1 to 100.",
    }


def test_a_key_is_unique_within_the_version_only():
    draft = services.version_draft_from(source=published_criteria())

    assert _problems(draft, key="complexity") == {
        "key": "Another question in this version already has the key 'complexity': each "
        "needs its own."
    }
    assert _problems(draft, key="homeless") == {}


def test_a_question_is_added_to_a_draft_and_recorded_with_its_admin(erin):
    draft = services.version_draft_from(source=published_criteria())

    added = services.criterion_save(
        draft=draft, criterion=None, changed_by=erin, **_question(draft)
    )

    assert added.version == draft
    assert added.weight == 6
    assert LogEntry.objects.get_for_object(added).filter(actor=erin).exists()


# --- the diff --------------------------------------------------------------------------


def test_the_diff_lists_questions_added_removed_and_changed_and_thresholds_moved(erin):
    old = published_criteria()
    new = services.version_draft_from(source=old)
    new.criteria.filter(key="complexity").update(weight=3, label_3="Chaotic")
    new.criteria.filter(key="safeguarding").delete()
    Criterion.objects.create(version=new, **_question(new))
    CriteriaVersion.objects.filter(pk=new.pk).update(red_threshold=8, red_label="Urgent")
    new.refresh_from_db()

    diff = selectors.version_diff(old, new)

    assert [c.key for c in diff.added] == ["homeless"]
    assert [c.key for c in diff.removed] == ["safeguarding"]
    [(changed, changes)] = diff.changed
    assert changed.key == "complexity"
    assert [(c.label, c.before, c.after) for c in changes] == [
        ("Name of 3 on the scale", "Very complex", "Chaotic"),
        ("Weight", "2", "3"),
    ]
    assert [(c.label, c.before, c.after) for c in diff.thresholds] == [
        ("Red at a score of", "6", "8"),
        ("Name of the red level", "Red", "Urgent"),
    ]


def test_an_unchanged_copy_has_an_empty_diff():
    old = published_criteria()

    assert not selectors.version_diff(old, services.version_draft_from(source=old))


def test_the_previous_version_of_a_published_one_skips_discarded_drafts(erin):
    first = published_criteria()
    discarded = services.version_draft_start(started_by=erin)
    services.version_discard(draft=discarded, discarded_by=erin)
    second = services.version_draft_start(started_by=erin)
    services.version_publish(draft=second, published_by=erin, reason="Same again")

    assert selectors.previous_version(second) == first
    assert selectors.previous_version(first) is None


# --- publishing ------------------------------------------------------------------------


def test_publishing_needs_a_reason_and_keeps_it(erin):
    published = published_criteria()
    draft = services.version_draft_from(source=published)

    with pytest.raises(ValidationError) as refused:
        services.version_publish(draft=draft, published_by=erin, reason="  ")
    assert set(refused.value.message_dict) == {"change_reason"}

    services.version_publish(draft=draft, published_by=erin, reason="Homelessness added")

    draft.refresh_from_db()
    assert draft.change_reason == "Homelessness added"
    published.refresh_from_db()
    assert published.status == CriteriaVersion.Status.RETIRED


def test_publishing_and_the_retirement_it_causes_are_in_the_audit_trail_with_the_admin(erin):
    published = published_criteria()
    draft = services.version_draft_from(source=published)

    services.version_publish(draft=draft, published_by=erin, reason="Homelessness added")

    def status_changes(version):
        entries = LogEntry.objects.get_for_object(version).filter(actor=erin)
        return [e.changes_dict.get("status") for e in entries if "status" in e.changes_dict]

    assert ["draft", "published"] in status_changes(draft)
    assert ["published", "retired"] in status_changes(published)


# --- the reassessment workload ----------------------------------------------------------


def _generated_caseloads(seed, erin):
    """Seeded random caseloads: cases assessed under an old version and under the one
    published now, never assessed, due for review, unallocated and closed."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    advisers = [AdviserFactory() for _ in range(3)]
    old = published_criteria()
    cases = [CaseFactory(assigned_to=rng.choice(advisers)) for _ in range(24)]
    for case in cases[:8]:
        services.assessment_record(
            case=case,
            answers={"safeguarding": 0, "complexity": rng.randrange(4)},
            rationale="First look",
            assessed_by=case.assigned_to,
        )
    current = services.version_draft_from(source=old)
    services.version_publish(draft=current, published_by=erin, reason="Version in use")
    for case in cases[4:18]:
        if rng.random() < 0.8:
            services.assessment_record(
                case=case,
                answers={"safeguarding": rng.randrange(2), "complexity": rng.randrange(4)},
                rationale="Looked again",
                assessed_by=case.assigned_to,
            )
    today = timezone.localdate()
    # Some assessed under the version in use are due for review already.
    Case.objects.filter(pk__in=[c.pk for c in cases[14:17]]).update(next_review_due_on=today)
    # Some wait in the team queue, some are closed.
    Case.objects.filter(pk__in=[c.pk for c in cases[9:11]]).update(assigned_to=None)
    Case.objects.filter(pk__in=[c.pk for c in cases[11:13]]).update(
        status=Case.Status.CLOSED, closed_on=today, closure_reason="outcomes_met"
    )
    return advisers, current, today


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_workload_per_adviser_is_what_the_assessment_due_rule_counts(seed, erin):
    advisers, current, today = _generated_caseloads(seed, erin)
    draft = services.version_draft_from(source=current)

    rows = {row.adviser_id: row for row in selectors.publish_workload(draft=draft, today=today)}

    for adviser_id in [a.pk for a in advisers] + [None]:
        mine = Case.objects.filter(assigned_to_id=adviser_id)
        due_now = mine.assessment_due(version=current, today=today)
        due_after = mine.assessment_due(version=draft, today=today)
        row = rows.get(adviser_id)
        newly = due_after.exclude(pk__in=due_now.values("pk")).count()
        assert (row.newly_due if row else 0) == newly
        assert (row.already_due if row else 0) == due_now.count()
        assert (row.open_cases if row else 0) == mine.open().count()
    assert sum(row.newly_due for row in rows.values()) > 0


@pytest.mark.parametrize("seed", [4, 5])
def test_publishing_makes_exactly_the_workload_it_announced_due(seed, erin):
    _, current, today = _generated_caseloads(seed, erin)
    draft = services.version_draft_from(source=current)
    announced = {
        row.adviser_id: row.newly_due + row.already_due
        for row in selectors.publish_workload(draft=draft, today=today)
        if row.newly_due + row.already_due
    }

    services.version_publish(draft=draft, published_by=erin, reason="Check the figures")

    due = (
        Case.objects.assessment_due(version=CriteriaVersion.published(), today=today)
        .values("assigned_to")
        .annotate(n=Count("pk"))
    )
    assert {row["assigned_to"]: row["n"] for row in due} == announced


def test_the_workload_costs_the_same_queries_whatever_the_number_of_cases(
    erin, django_assert_num_queries
):
    _, current, today = _generated_caseloads(6, erin)
    draft = services.version_draft_from(source=current)

    # The version in use, then one aggregate query over every open case.
    with django_assert_num_queries(2):
        rows = selectors.publish_workload(draft=draft, today=today)
    assert sum(row.open_cases for row in rows) == Case.objects.open().count()
