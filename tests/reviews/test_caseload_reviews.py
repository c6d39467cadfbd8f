"""Caseload reviews: start, decide per case, reflect, submit, return, sign off; final after."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import AdviserProfile, CaseEvent
from notifications.models import Notification
from priorities import services as priority_services
from priorities.services import organisation_calendar
from reviews import services
from reviews.models import CapacityConcern, CaseloadReview, ReviewDecision, ReviewPolicy
from tests.conftest import client_for
from tests.factories import CaseFactory, published_criteria

pytestmark = pytest.mark.django_db

REFLECTION = {
    "factors": ["Case complexity", "Seasonal demand"],
    "factors_note": "Winter fuel claims have doubled.",
    "improvements": "Book follow-up calls at the first meeting.",
    "adviser_actions": "Close the two dormant cases.",
    "supervisor_actions": "Ask for cover in January.",
}


def _decide_all(review, user, decision="continue", comment=""):
    for case in services.review_cases(review):
        services.review_decide(
            review=review, case=case, decision=decision, comment=comment, decided_by=user
        )


def _submitted(alice, carol, cases=1):
    for _ in range(cases):
        CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    _decide_all(review, alice)
    services.review_reflect(review=review, reflected_by=alice, **REFLECTION)
    return services.review_submit(review=review, submitted_by=alice)


# --- capacity -------------------------------------------------------------------


def test_an_adviser_over_capacity_tells_their_supervisor_with_a_comment(alice, carol, sam):
    AdviserProfile.objects.filter(user=alice).update(capacity_points=2, fte=1)
    CaseFactory(assigned_to=alice)
    CaseFactory(assigned_to=alice)
    CaseFactory(assigned_to=alice)
    response = client_for(alice).post(
        reverse("reviews:capacity_concern"), {"comment": "Three new evictions this week."}
    )
    assert response.status_code == 302
    concern = CapacityConcern.objects.get()
    assert (concern.load, concern.capacity, concern.comment) == (
        3,
        2,
        "Three new evictions this week.",
    )
    assert Notification.objects.filter(recipient=carol).count() == 1
    assert not Notification.objects.filter(recipient=sam).exists()


def test_the_caseload_page_offers_the_one_click_form_when_over_capacity(alice, carol):
    AdviserProfile.objects.filter(user=alice).update(capacity_points=1, fte=1)
    CaseFactory(assigned_to=alice)
    CaseFactory(assigned_to=alice)
    page = client_for(alice).get(reverse("cases:my_caseload")).content.decode()
    assert "You are over capacity" in page
    assert reverse("reviews:capacity_concern") in page
    assert "200%" in page


def test_an_adviser_with_no_supervisor_is_told_why_nothing_was_sent(roles):
    from tests.factories import AdviserFactory

    loner = AdviserFactory()
    response = client_for(loner).post(reverse("reviews:capacity_concern"), {"comment": "Help"})
    assert response.status_code == 400
    assert "no supervisor" in response.content.decode() or "nobody to tell" in (
        response.content.decode()
    )
    assert "Help" in response.content.decode()
    assert not CapacityConcern.objects.exists()


# --- the workflow -----------------------------------------------------------------


def test_an_adviser_starts_a_review_and_the_supervisor_hears_of_it(alice, carol):
    review = services.review_start(adviser=alice, started_by=alice)
    assert review.status == CaseloadReview.Status.IN_PROGRESS
    assert Notification.objects.filter(recipient=carol, message__contains="started").exists()


def test_a_supervisor_starts_a_review_with_an_adviser_of_their_team_only(alice, carol, dave):
    review = services.review_start(adviser=alice, started_by=carol)
    assert review.started_by == carol
    with pytest.raises(ValidationError):
        services.review_start(adviser=dave, started_by=carol)


def test_an_adviser_has_one_review_in_progress_at_a_time(alice, carol):
    services.review_start(adviser=alice, started_by=alice)
    with pytest.raises(ValidationError, match="already has a caseload review"):
        services.review_start(adviser=alice, started_by=carol)


def test_the_pack_lists_every_open_case_with_what_a_review_looks_at(alice, carol):
    published_criteria()
    case = CaseFactory(assigned_to=alice)
    case_services.outcome_add(
        case=case,
        description="Keep the tenancy",
        measure="Possession claim withdrawn",
        target_date=timezone.localdate() + dt.timedelta(days=30),
        added_by=alice,
    )
    case_services.obstacle_record(
        case=case, kind="awaiting_third_party", description="Landlord", raised_by=alice
    )
    review = services.review_start(adviser=alice, started_by=alice)
    from reviews.selectors import review_pack

    (item,) = review_pack(review)
    assert item["reference"] == case.reference
    assert item["outcomes"][0]["status"] == "Not started"
    assert item["obstacles"] == ["Awaiting a third party"]
    assert item["assessment_due"] is True
    assert "Keep the tenancy" not in str(item)


def test_a_decision_that_changes_the_case_needs_a_reason(alice, carol):
    case = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    with pytest.raises(ValidationError) as error:
        services.review_decide(
            review=review, case=case, decision="close", comment=" ", decided_by=alice
        )
    assert "comment" in error.value.error_dict


def test_escalating_records_it_on_the_case_and_tells_the_supervisor(alice, carol):
    case = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    decision = services.review_decide(
        review=review, case=case, decision="escalate", comment="Judge's order", decided_by=alice
    )
    assert decision.change_event.kind == CaseEvent.Kind.ESCALATED
    assert Notification.objects.filter(recipient=carol, case=case).exists()
    assert not decision.needs_change


def test_a_reassign_decision_is_linked_to_the_reassignment_made_afterwards(alice, bob, carol):
    case = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=carol)
    decision = services.review_decide(
        review=review,
        case=case,
        decision="reassign",
        comment="Bob knows the landlord",
        decided_by=carol,
    )
    assert decision.needs_change
    case_services.case_assign(
        case=case, adviser=bob, assigned_by=carol, handover_note="Over to you"
    )
    assert services.review_link_changes(review) == 1
    decision.refresh_from_db()
    assert decision.change_event.kind == CaseEvent.Kind.ASSIGNED
    assert case in services.review_cases(review)


def test_a_change_priority_decision_is_linked_to_the_new_assessment(alice, carol):
    published_criteria()
    case = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    services.review_decide(
        review=review, case=case, decision="change_priority", comment="Risk up", decided_by=alice
    )
    assessment = priority_services.assessment_override(
        case=case, level="red", rationale="Eviction date set", overridden_by=carol
    )
    services.review_link_changes(review)
    assert review.decisions.get().change_assessment == assessment


def test_submitting_needs_every_case_decided_and_a_reflection(alice, carol):
    first = CaseFactory(assigned_to=alice)
    second = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    services.review_decide(
        review=review, case=first, decision="continue", comment="", decided_by=alice
    )
    with pytest.raises(ValidationError) as error:
        services.review_submit(review=review, submitted_by=alice)
    text = " ".join(error.value.messages)
    assert second.reference in text
    assert first.reference not in text
    assert "reflection" in text


def test_the_supervisor_returns_a_review_with_comments_and_the_adviser_hears(alice, carol):
    review = _submitted(alice, carol)
    with pytest.raises(ValidationError):
        services.review_return(review=review, returned_by=carol, comment="")
    services.review_return(review=review, returned_by=carol, comment="Say more about case 2")
    review.refresh_from_db()
    assert review.status == CaseloadReview.Status.RETURNED
    assert review.supervisor_comment == "Say more about case 2"
    assert Notification.objects.filter(recipient=alice, message__contains="returned").exists()


def test_only_a_supervisor_of_the_adviser_signs_off(alice, carol, sam):
    review = _submitted(alice, carol)
    for person in (alice, sam):
        with pytest.raises(ValidationError):
            services.review_sign_off(review=review, signed_off_by=person)


def test_sign_off_sets_the_next_review_from_the_timescale(alice, carol):
    ReviewPolicy.objects.update_or_create(pk=1, defaults={"interval_working_days": 10})
    review = _submitted(alice, carol)
    now = timezone.now()
    review = services.review_sign_off(review=review, signed_off_by=carol, now=now)
    assert review.status == CaseloadReview.Status.SIGNED_OFF
    expected = organisation_calendar().add_working_days(timezone.localdate(now), 10)
    assert review.next_review_due_on == expected
    assert review.pack[0]["reference"].startswith("CASE-")


def test_sign_off_waits_until_the_decided_changes_are_made(alice, bob, carol):
    case = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    services.review_decide(
        review=review, case=case, decision="reassign", comment="Too much", decided_by=alice
    )
    services.review_reflect(review=review, reflected_by=alice, **REFLECTION)
    services.review_submit(review=review, submitted_by=alice)
    with pytest.raises(ValidationError, match=case.reference):
        services.review_sign_off(review=review, signed_off_by=carol)
    case_services.case_assign(case=case, adviser=bob, assigned_by=carol, handover_note="Yours")
    review = services.review_sign_off(review=review, signed_off_by=carol)
    assert review.is_signed_off


def test_the_database_refuses_to_change_a_signed_off_review_or_its_decisions(alice, carol):
    review = services.review_sign_off(review=_submitted(alice, carol), signed_off_by=carol)
    decision = review.decisions.get()
    statements = [
        ("UPDATE reviews_caseloadreview SET factors = '[]' WHERE id = %s", review.pk),
        ("DELETE FROM reviews_caseloadreview WHERE id = %s", review.pk),
        ("UPDATE reviews_reviewdecision SET decision = 'close' WHERE id = %s", decision.pk),
        ("DELETE FROM reviews_reviewdecision WHERE id = %s", decision.pk),
        (
            "INSERT INTO reviews_reviewdecision (review_id, case_id, decision, comment, "
            "decided_by_id, decided_at) SELECT review_id, case_id, 'close', '', decided_by_id, "
            "decided_at FROM reviews_reviewdecision WHERE id = %s",
            decision.pk,
        ),
    ]
    for sql, pk in statements:
        with (
            pytest.raises(DatabaseError, match="signed_off"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [pk])
    with pytest.raises(ValidationError, match="signed off"):
        services.review_reflect(review=review, reflected_by=carol, **REFLECTION)


def test_a_review_in_progress_can_still_change(alice, carol):
    case = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    services.review_decide(
        review=review, case=case, decision="continue", comment="", decided_by=alice
    )
    decision = services.review_decide(
        review=review, case=case, decision="escalate", comment="Worse", decided_by=alice
    )
    assert ReviewDecision.objects.get().decision == decision.decision == "escalate"


# --- pages ------------------------------------------------------------------------


def test_the_review_page_shows_the_pack_and_records_the_access(alice, carol):
    case = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    services.review_decide(
        review=review, case=case, decision="escalate", comment="Urgent hearing", decided_by=alice
    )
    page = client_for(carol).get(reverse("reviews:review_detail", args=[review.pk]))
    assert page.status_code == 200
    assert case.reference in page.content.decode()
    assert "Urgent hearing" in page.content.decode()
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, actor=carol, object_pk=str(case.pk)
    ).exists()


def test_a_bad_decision_keeps_what_was_typed_and_says_why_beside_the_field(alice, carol):
    case = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    url = reverse("reviews:review_decide", args=[review.pk, case.pk])
    response = client_for(alice).post(url, {"decision": "close", "comment": ""})
    assert response.status_code == 400
    assert 'id="id_comment_error"' in response.content.decode()
    response = client_for(alice).post(url, {"comment": "Typed text kept"})
    assert response.status_code == 400
    assert "Typed text kept" in response.content.decode()
    assert not ReviewDecision.objects.exists()


def test_submitting_too_early_explains_what_is_missing(alice, carol):
    case = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    response = client_for(alice).post(reverse("reviews:review_submit", args=[review.pk]))
    assert response.status_code == 400
    assert case.reference in response.content.decode()


def test_the_whole_review_through_the_pages(alice, carol):
    case = CaseFactory(assigned_to=alice)
    adviser, supervisor = client_for(alice), client_for(carol)
    response = adviser.post(reverse("reviews:review_start"))
    review = CaseloadReview.objects.get()
    assert response.url == reverse("reviews:review_detail", args=[review.pk])
    adviser.post(
        reverse("reviews:review_decide", args=[review.pk, case.pk]),
        {"decision": "continue", "comment": ""},
    )
    adviser.post(reverse("reviews:review_reflection", args=[review.pk]), REFLECTION)
    adviser.post(reverse("reviews:review_submit", args=[review.pk]))
    supervisor.post(reverse("reviews:review_sign_off", args=[review.pk]), {"comment": "Good"})
    review.refresh_from_db()
    assert review.is_signed_off
    assert review.supervisor_comment == "Good"
    assert review.improvements == REFLECTION["improvements"]


def test_the_csv_export_has_each_case_and_keeps_formulas_as_text(alice, carol):
    case = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    services.review_decide(
        review=review, case=case, decision="escalate", comment="=HYPERLINK(1)", decided_by=alice
    )
    response = client_for(alice).get(reverse("reviews:review_csv", args=[review.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    row = next(r for r in rows if r and r[0] == case.reference)
    assert "'=HYPERLINK(1)" in row


# --- who may do what ------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("carol", 200), ("bob", 404), ("sam", 404), ("dave", 404), ("erin", 404)],
)
def test_only_the_adviser_and_their_supervisors_see_a_review(
    request, alice, bob, carol, dave, sam, erin, persona, status
):
    review = services.review_start(adviser=alice, started_by=alice)
    user = request.getfixturevalue(persona)
    for name in ("review_detail", "review_csv", "review_reflection"):
        response = client_for(user).get(reverse(f"reviews:{name}", args=[review.pk]))
        assert response.status_code == status, (persona, name)


def test_an_admin_without_a_case_role_cannot_list_reviews(erin):
    assert client_for(erin).get(reverse("reviews:review_list")).status_code == 403


def test_the_list_shows_own_and_team_reviews_only(alice, bob, carol, dave):
    mine = services.review_start(adviser=alice, started_by=alice)
    other = services.review_start(adviser=dave, started_by=dave)
    page = client_for(carol).get(reverse("reviews:review_list")).content.decode()
    assert reverse("reviews:review_detail", args=[mine.pk]) in page
    assert reverse("reviews:review_detail", args=[other.pk]) not in page
    page = client_for(bob).get(reverse("reviews:review_list")).content.decode()
    assert reverse("reviews:review_detail", args=[mine.pk]) not in page


def test_a_supervisor_cannot_start_a_review_for_another_team_s_adviser(carol, dave):
    response = client_for(carol).post(reverse("reviews:review_start"), {"adviser": dave.pk})
    assert response.status_code == 404
    assert not CaseloadReview.objects.exists()


def test_a_supervisor_reads_one_adviser_s_review_history(alice, bob, carol):
    alice_review = services.review_start(adviser=alice, started_by=alice)
    bob_review = services.review_start(adviser=bob, started_by=bob)
    page = client_for(carol).get(reverse("reviews:review_list"), {"adviser": alice.pk})
    html = page.content.decode()
    assert reverse("reviews:review_detail", args=[alice_review.pk]) in html
    assert reverse("reviews:review_detail", args=[bob_review.pk]) not in html


def test_an_admin_sets_the_weights_and_the_review_timescale(root):
    from cases.models import CaseType
    from reviews.models import CaseWeight

    housing = CaseType.objects.create(name="Housing")
    admin = client_for(root)
    response = admin.post(
        reverse("admin:reviews_caseweight_add"),
        {"case_type": housing.pk, "level": "red", "points": "4.5"},
    )
    assert response.status_code == 302
    assert CaseWeight.objects.get(case_type=housing).points == Decimal("4.5")
    response = admin.post(
        reverse("admin:reviews_caseweight_add"),
        {"case_type": housing.pk, "level": "red", "points": "-1"},
    )
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    assert admin.get(reverse("admin:reviews_reviewpolicy_changelist")).status_code == 200


def test_the_dashboard_shows_capacity_concerns_and_reviews_awaiting_sign_off(alice, carol, sam):
    services.capacity_concern_raise(adviser=alice, comment="Two emergency cases today")
    review = _submitted(alice, carol)
    html = client_for(carol).get(reverse("reviews:team_dashboard")).content.decode()
    assert "Two emergency cases today" in html
    assert reverse("reviews:review_detail", args=[review.pk]) in html
    html = client_for(sam).get(reverse("reviews:team_dashboard")).content.decode()
    assert "Two emergency cases today" not in html
    assert reverse("reviews:review_detail", args=[review.pk]) not in html


# --- reminders ----------------------------------------------------------------------


def test_an_adviser_is_reminded_once_when_their_review_falls_due(alice, carol):
    review = services.review_sign_off(review=_submitted(alice, carol), signed_off_by=carol)
    before = timezone.make_aware(
        dt.datetime.combine(review.next_review_due_on - dt.timedelta(days=1), dt.time(8))
    )
    on_the_day = timezone.make_aware(dt.datetime.combine(review.next_review_due_on, dt.time(8)))
    Notification.objects.all().delete()
    assert services.review_reminders_send(now=before) == 0
    assert services.review_reminders_send(now=on_the_day) == 1
    assert services.review_reminders_send(now=on_the_day) == 0
    assert Notification.objects.filter(recipient=alice, message__contains="due").count() == 1
    assert Notification.objects.filter(recipient=carol, message__contains="due").count() == 1


def test_an_adviser_with_a_review_under_way_is_not_reminded(alice, carol):
    alice.date_joined = timezone.now() - dt.timedelta(days=120)
    alice.save()
    services.review_start(adviser=alice, started_by=alice)
    assert services.review_reminders_send() == 0


def test_the_reminder_task_wrapper_reminds_a_never_reviewed_adviser(alice, carol):
    from reviews.tasks import review_reminders_task

    alice.date_joined = timezone.now() - dt.timedelta(days=120)
    alice.save()
    assert review_reminders_task.apply().get() == 1


@pytest.mark.parametrize(("persona", "status"), [("carol", 403), ("erin", 403), ("alice", 200)])
def test_only_advisers_tell_a_supervisor_about_their_caseload(
    request, alice, carol, erin, persona, status
):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("reviews:capacity_concern")).status_code == status
    response = client_for(user).post(reverse("reviews:capacity_concern"), {"comment": "Too much"})
    assert response.status_code == (302 if status == 200 else status)
    assert CapacityConcern.objects.exists() == (status == 200)


def test_an_adviser_cannot_decide_on_a_case_outside_the_review(alice, bob, carol):
    bobs = CaseFactory(assigned_to=bob)
    review = services.review_start(adviser=alice, started_by=alice)
    url = reverse("reviews:review_decide", args=[review.pk, bobs.pk])
    assert client_for(alice).post(url, {"decision": "continue"}).status_code == 404
    with pytest.raises(ValidationError, match="not part of this review"):
        services.review_decide(
            review=review, case=bobs, decision="continue", comment="", decided_by=alice
        )


def test_a_refused_sign_off_says_why_and_keeps_the_supervisor_s_comment(alice, bob, carol):
    case = CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    services.review_decide(
        review=review, case=case, decision="reassign", comment="Too much", decided_by=alice
    )
    services.review_reflect(review=review, reflected_by=alice, **REFLECTION)
    services.review_submit(review=review, submitted_by=alice)
    response = client_for(carol).post(
        reverse("reviews:review_sign_off", args=[review.pk]), {"comment": "Typed comment kept"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Make the changes decided before signing off" in html
    assert "Typed comment kept" in html
    assert not CaseloadReview.objects.get().is_signed_off


def test_returning_a_review_without_a_comment_is_explained_beside_the_field(alice, carol):
    review = _submitted(alice, carol)
    response = client_for(carol).post(reverse("reviews:review_return", args=[review.pk]), {})
    assert response.status_code == 400
    assert 'id="id_comment_error"' in response.content.decode()
    assert CaseloadReview.objects.get().status == CaseloadReview.Status.SUBMITTED


# --- a copy of the review read before a newer write ----------------------------------------


def test_a_review_returned_from_a_copy_read_before_its_sign_off_is_refused(alice, carol):
    review = _submitted(alice, carol)
    stale = CaseloadReview.objects.get(pk=review.pk)
    services.review_sign_off(review=review, signed_off_by=carol)

    with pytest.raises(ValidationError):
        services.review_return(review=stale, returned_by=carol, comment="One more thing")
    assert CaseloadReview.objects.get(pk=review.pk).status == CaseloadReview.Status.SIGNED_OFF


def test_a_review_submitted_twice_from_two_copies_tells_the_supervisors_once(alice, carol):
    CaseFactory(assigned_to=alice)
    review = services.review_start(adviser=alice, started_by=alice)
    _decide_all(review, alice)
    services.review_reflect(review=review, reflected_by=alice, **REFLECTION)
    other_copy = CaseloadReview.objects.get(pk=review.pk)
    services.review_submit(review=review, submitted_by=alice)
    told = Notification.objects.filter(recipient=carol).count()

    with pytest.raises(ValidationError):
        services.review_submit(review=other_copy, submitted_by=alice)
    assert Notification.objects.filter(recipient=carol).count() == told
