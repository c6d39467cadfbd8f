from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from caseload.append_only import AppendOnlyError
from cases.models import Case
from notes import services as note_services
from notifications.models import Notification
from priorities import services
from priorities.calendar import WorkingCalendar
from priorities.models import Assessment, ClosureDay, CriteriaVersion, Timescale
from tests.factories import CaseFactory, CaseTypeFactory, published_criteria

pytestmark = pytest.mark.django_db


def _assess(case, who, *, safeguarding=0, complexity=0, rationale="Seen the letters"):
    return services.assessment_record(
        case=case,
        answers={"safeguarding": safeguarding, "complexity": complexity},
        rationale=rationale,
        assessed_by=who,
    )


@pytest.fixture
def criteria(db):
    return published_criteria()


def test_an_assessment_sets_the_case_s_level_and_keeps_its_version(criteria, alice):
    case = CaseFactory(assigned_to=alice)

    assessment = _assess(case, alice, complexity=2)

    case.refresh_from_db()
    assert (assessment.score, assessment.level) == (4, "amber")
    assert (case.level, case.level_rank, case.assessment_version) == ("amber", 1, criteria)


def test_an_assessment_needs_every_answer_and_a_rationale(criteria, alice):
    case = CaseFactory(assigned_to=alice)

    with pytest.raises(ValidationError) as error:
        services.assessment_record(
            case=case, answers={"safeguarding": 0}, rationale=" ", assessed_by=alice
        )

    assert set(error.value.error_dict) == {"answer_complexity", "rationale"}
    assert not Assessment.objects.exists()


def test_assessments_are_append_only(criteria, alice):
    assessment = _assess(CaseFactory(assigned_to=alice), alice)

    with pytest.raises(AppendOnlyError):
        assessment.save()
    with pytest.raises(AppendOnlyError):
        Assessment.objects.all().delete()


def test_the_database_refuses_to_change_an_assessment(criteria, alice):
    from django.db import connection, transaction

    _assess(CaseFactory(assigned_to=alice), alice)

    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE priorities_assessment SET level = 'green'")


def test_a_supervisor_overrides_with_a_rationale_as_an_assessment_of_its_own(
    criteria, alice, carol
):
    case = CaseFactory(assigned_to=alice)
    _assess(case, alice)

    override = services.assessment_override(
        case=case, level="red", rationale="Known risk from the partner agency", overridden_by=carol
    )

    case.refresh_from_db()
    assert override.kind == Assessment.Kind.OVERRIDE
    assert case.level == "red"
    assert case.assessments.count() == 2


def test_only_the_team_s_supervisor_may_override(criteria, alice, dave):
    case = CaseFactory(assigned_to=alice)

    with pytest.raises(ValidationError):
        services.assessment_override(case=case, level="red", rationale="x", overridden_by=dave)
    with pytest.raises(ValidationError):
        services.assessment_override(case=case, level="red", rationale="x", overridden_by=alice)


def test_becoming_red_notifies_the_supervisor_once(criteria, alice, carol):
    case = CaseFactory(assigned_to=alice)

    _assess(case, alice, safeguarding=1)
    _assess(case, alice, safeguarding=1, complexity=1)

    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["carol"]
    assert case.client.family_name not in Notification.objects.get().message


def test_publishing_a_new_version_keeps_old_assessments_and_marks_cases_due(criteria, alice, erin):
    case = CaseFactory(assigned_to=alice)
    old = _assess(case, alice, complexity=2)
    draft = services.version_draft_from(source=criteria)
    draft.criteria.filter(key="complexity").update(weight=3)

    services.version_publish(draft=draft, published_by=erin, reason="Complexity weighs more")

    old = Assessment.objects.get(pk=old.pk)
    assert old.version == criteria
    assert old.version.criteria.get(key="complexity").weight == 2
    assert CriteriaVersion.objects.get(pk=criteria.pk).status == "retired"
    case.refresh_from_db()
    assert services.assessment_is_due(case, published=CriteriaVersion.published())


def test_the_what_if_counts_cases_that_would_change_level(criteria, alice, carol):
    staying = CaseFactory(assigned_to=alice)
    moving = CaseFactory(assigned_to=alice)
    overridden = CaseFactory(assigned_to=alice)
    _assess(staying, alice, complexity=0)
    _assess(moving, alice, complexity=1)
    _assess(overridden, alice, complexity=1)
    services.assessment_override(
        case=overridden, level="red", rationale="Risk", overridden_by=carol
    )
    draft = services.version_draft_from(source=criteria)
    draft.criteria.filter(key="complexity").update(weight=3)  # 1 x 3 = 3: amber

    moves = services.what_if(draft)

    assert moves == {("green", "green"): 1, ("green", "amber"): 1, ("red", "red"): 1}


def test_publishing_needs_a_draft_with_criteria(criteria, erin):
    empty = services.version_draft_from(source=None)

    with pytest.raises(ValidationError):
        services.version_publish(draft=empty, published_by=erin, reason="Empty")
    with pytest.raises(ValidationError):
        services.version_publish(draft=criteria, published_by=erin, reason="Again")


def test_the_database_refuses_thresholds_that_overlap():
    with pytest.raises(IntegrityError):
        CriteriaVersion.objects.create(number=99, red_threshold=3, amber_threshold=3)


def test_the_database_refuses_a_timescale_of_zero_days():
    with pytest.raises(IntegrityError):
        Timescale.objects.create(case_type=CaseTypeFactory(), level="red", review_days=0)


# --- due dates in working days --------------------------------------------------------


@pytest.fixture
def housing_timescales(criteria):
    housing = CaseTypeFactory(name="Housing")
    for level, first, interval in (("red", 1, 5), ("amber", 3, 10), ("green", 5, 20)):
        Timescale.objects.create(
            case_type=housing,
            level=level,
            first_contact_days=first,
            contact_interval_days=interval,
            review_days=interval,
            close_days=60,
        )
    return housing


def test_a_new_case_is_due_first_contact_in_working_days(housing_timescales, alice):
    case = CaseFactory(assigned_to=alice, case_type=housing_timescales)
    calendar = WorkingCalendar(nation="ENG")

    assert case.first_contact_due_on == calendar.add_working_days(case.opened_on, 5)
    assert case.next_due_on == case.first_contact_due_on


def test_a_contact_note_moves_the_due_date_to_the_next_contact(housing_timescales, alice):
    case = CaseFactory(assigned_to=alice, case_type=housing_timescales, opened_yesterday=True)
    contact = timezone.now() - timedelta(hours=1)

    note_services.note_append(
        case=case,
        author=alice,
        contact_at=contact,
        channel="phone",
        facts="Spoke to the client",
        next_steps="Write to the landlord",
    )

    case = Case.objects.get(pk=case.pk)
    calendar = WorkingCalendar(nation="ENG")
    assert case.first_contact_due_on is None
    assert case.next_contact_due_on == calendar.add_working_days(timezone.localdate(contact), 20)


def test_becoming_red_shortens_the_due_dates(housing_timescales, alice):
    case = CaseFactory(assigned_to=alice, case_type=housing_timescales)
    green_due = case.first_contact_due_on

    _assess(case, alice, safeguarding=1)

    case.refresh_from_db()
    assert case.first_contact_due_on == WorkingCalendar(nation="ENG").add_working_days(
        case.opened_on, 1
    )
    assert case.first_contact_due_on <= green_due


def test_an_organisation_closure_day_is_not_a_working_day(housing_timescales, alice):
    case = CaseFactory(assigned_to=alice, case_type=housing_timescales)
    calendar = WorkingCalendar(nation="ENG")
    closed = calendar.add_working_days(case.opened_on, 1)
    ClosureDay.objects.create(day=closed, description="Staff training")

    services.case_refresh_due_dates(case)

    assert case.first_contact_due_on == WorkingCalendar(
        nation="ENG", closures=[closed]
    ).add_working_days(case.opened_on, 5)


def test_a_closed_case_has_nothing_due(housing_timescales, alice):
    from cases import services as case_services

    case = CaseFactory(assigned_to=alice, case_type=housing_timescales)
    case_services.case_status_change(
        case=case,
        status="closed",
        changed_by=alice,
        closure_reason="outcomes_met",
        closure_outcome="Done",
    )

    assert Case.objects.get(pk=case.pk).next_due_on is None


def test_editing_a_timescale_recalculates_the_cases_it_governs(housing_timescales, alice):
    case = CaseFactory(assigned_to=alice, case_type=housing_timescales)
    green = Timescale.objects.get(case_type=housing_timescales, level="green")
    green.first_contact_days = 2
    green.save()

    assert services.timescale_refresh_cases(green) == 1
    assert Case.objects.get(pk=case.pk).first_contact_due_on == WorkingCalendar(
        nation="ENG"
    ).add_working_days(case.opened_on, 2)


def test_the_caseload_sorts_by_level_then_next_due(criteria, alice):
    from django.urls import reverse

    from tests.conftest import client_for

    green, red, amber = (CaseFactory(assigned_to=alice) for _ in range(3))
    _assess(green, alice)
    _assess(red, alice, safeguarding=1)
    _assess(amber, alice, complexity=2)

    response = client_for(alice).get(reverse("cases:my_caseload"))

    assert list(response.context["page"].object_list) == [red, amber, green]
    assert "Red" in response.content.decode()


def test_needs_attention_lists_red_cases_without_an_action_and_cases_due(criteria, alice, carol):
    from priorities.selectors import needing_attention

    red = CaseFactory(assigned_to=alice)
    _assess(red, alice, safeguarding=1)
    never = CaseFactory(assigned_to=alice)

    lists = needing_attention(carol)

    assert lists["Red with no open action"] == [red]
    assert never in lists["Assessment due"]
    assert red not in lists["Assessment due"]
    note_services.action_create(
        case=red,
        description="Call",
        owner="adviser",
        due_on=date.today() + timedelta(days=2),
        created_by=alice,
    )
    assert needing_attention(alice)["Red with no open action"] == []


def test_a_level_s_name_and_colour_come_from_its_criteria_version(criteria, alice):
    criteria.red_label = "Urgent"
    criteria.red_colour = "purple"
    criteria.save()
    case = CaseFactory(assigned_to=alice)
    _assess(case, alice, safeguarding=1)

    from django.urls import reverse

    from tests.conftest import client_for

    html = client_for(alice).get(reverse("cases:my_caseload")).content.decode()

    assert 'level-colour-purple">Urgent</span>' in html
