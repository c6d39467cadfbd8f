"""The supervisor dashboard: figures, the lists behind them, sorting, trends, access, queries."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload import crypto
from cases import services as case_services
from cases.models import Case, Team
from notes import services as note_services
from priorities import services as priority_services
from priorities.models import Assessment, CriteriaVersion, DeadlineFlag, Organisation
from priorities.services import organisation_calendar
from reviews.models import CaseloadReview, CaseWeight
from reviews.selectors import FIGURES, WEEKLY_FIGURES, adviser_figures, team_trends
from reviews.weighting import case_points, load_percent, weight_table
from tests.conftest import client_for
from tests.factories import (
    AdviserFactory,
    CaseFactory,
    CaseTypeFactory,
    ClientFactory,
    published_criteria,
)

pytestmark = pytest.mark.django_db

RED = {"safeguarding": 1, "complexity": 0}
AMBER = {"safeguarding": 0, "complexity": 2}
GREEN = {"safeguarding": 0, "complexity": 0}


def _assess(case, answers, by, **kwargs):
    return priority_services.assessment_record(
        case=case, answers=answers, rationale="Because", assessed_by=by, **kwargs
    )


def _flag(case, stage, *, days_ago=1):
    return DeadlineFlag.objects.create(
        case=case,
        deadline=DeadlineFlag.Deadline.FIRST_CONTACT,
        due_on=timezone.localdate() - dt.timedelta(days=days_ago),
        stage=stage,
    )


def _overdue_action(case, by):
    today = timezone.localdate()
    return note_services.action_create(
        case=case,
        description="Chase the landlord",
        owner="adviser",
        due_on=today - dt.timedelta(days=2),
        created_by=by,
        today=today - dt.timedelta(days=5),
    )


def _open_action(case, by):
    return note_services.action_create(
        case=case,
        description="Call back",
        owner="adviser",
        due_on=timezone.localdate() + dt.timedelta(days=3),
        created_by=by,
    )


def _signed_off_review(adviser, supervisor, *, days_ago, due_in_days):
    now = timezone.now() - dt.timedelta(days=days_ago)
    return CaseloadReview.objects.create(
        adviser=adviser,
        status=CaseloadReview.Status.SIGNED_OFF,
        started_by=adviser,
        started_at=now,
        data_key=crypto.data_key_create(),
        signed_off_by=supervisor,
        signed_off_at=now,
        next_review_due_on=timezone.localdate() + dt.timedelta(days=due_in_days),
    )


@pytest.fixture
def caseloads(alice, bob, carol, dave):
    """A North team with every figure represented, and a South case that must not show."""
    published_criteria()
    red_with_overdue = CaseFactory(assigned_to=alice)
    _assess(red_with_overdue, RED, alice)
    _overdue_action(red_with_overdue, alice)
    amber = CaseFactory(assigned_to=alice)
    _assess(amber, AMBER, alice)
    _open_action(amber, alice)
    stalled = CaseFactory(assigned_to=alice)
    Case.objects.filter(pk=stalled.pk).update(
        opened_on=timezone.localdate() - dt.timedelta(days=90)
    )
    closed = CaseFactory(assigned_to=alice)
    _assess(closed, RED, alice)
    case_services.case_status_change(
        case=closed,
        status=Case.Status.CLOSED,
        changed_by=alice,
        closure_reason="outcomes_met",
        closure_outcome="Housed",
    )
    green_breached = CaseFactory(assigned_to=bob)
    _assess(green_breached, GREEN, bob)
    _flag(green_breached, DeadlineFlag.Stage.BREACHED)
    _flag(green_breached, DeadlineFlag.Stage.APPROACHING, days_ago=3)
    approaching = CaseFactory(assigned_to=bob)
    _assess(approaching, RED, bob)
    _open_action(approaching, bob)
    _flag(approaching, DeadlineFlag.Stage.APPROACHING)
    cleared = CaseFactory(assigned_to=bob)
    flag = _flag(cleared, DeadlineFlag.Stage.BREACHED)
    DeadlineFlag.objects.filter(pk=flag.pk).update(cleared_at=timezone.now())
    south_red = CaseFactory(assigned_to=dave)
    _assess(south_red, RED, dave)
    _flag(south_red, DeadlineFlag.Stage.BREACHED)
    _signed_off_review(alice, carol, days_ago=10, due_in_days=18)


# --- figures computed independently ---------------------------------------------------


def _stalled_cutoff(today):
    """N working days back, walked day by day over the organisation's calendar."""
    calendar = organisation_calendar()
    day, left = today, Organisation.current().stalled_after_days
    while left:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            left -= 1
    return day


def _expected_cases(adviser):
    """Each figure's cases for an adviser, by plain Python over the rows."""
    today = timezone.localdate()
    cutoff = _stalled_cutoff(today)
    published = CriteriaVersion.published()
    expected = {name: set() for name in FIGURES}
    cases = Case.objects.filter(assigned_to=adviser).prefetch_related("flags", "actions")
    for case in cases:
        if case.status == "closed":
            continue
        open_flags = [f for f in case.flags.all() if f.cleared_at is None]
        breached = any(f.stage == "breached" for f in open_flags)
        facts = {
            "open": True,
            "red": case.level == "red",
            "amber": case.level == "amber",
            "green": case.level == "green",
            "unassessed": case.level == "",
            "overdue_actions": any(
                a.status == "open" and a.due_on < today for a in case.actions.all()
            ),
            "approaching": not breached and bool(open_flags),
            "breached": breached,
            "stalled": (
                timezone.localdate(case.last_contact_at) < cutoff
                if case.last_contact_at
                else case.opened_on < cutoff
            ),
            "assessment_due": case.assessed_at is None
            or (case.next_review_due_on is not None and case.next_review_due_on <= today)
            or case.assessment_version_id != (published.pk if published else None),
        }
        for name, holds in facts.items():
            if holds:
                expected[name].add(case.pk)
    return expected


def _dashboard(user, **params):
    return client_for(user).get(reverse("reviews:team_dashboard"), params)


def _rows_by_name(response):
    (section,) = response.context["sections"]
    return {row["figures"].adviser.username: row for row in section["rows"]}


def test_every_figure_equals_a_count_made_independently_in_python(caseloads, alice, bob, carol):
    rows = _rows_by_name(_dashboard(carol))

    assert set(rows) == {"alice", "bob"}
    for adviser in (alice, bob):
        expected = {name: len(pks) for name, pks in _expected_cases(adviser).items()}
        assert rows[adviser.username]["figures"].counts == expected, adviser.username


def test_the_independent_counts_cover_every_figure_at_least_once(caseloads, alice, bob):
    # So that the comparison above cannot pass with zeros everywhere.
    alices, bobs = _expected_cases(alice), _expected_cases(bob)

    assert all(alices[name] or bobs[name] for name in FIGURES)


def test_the_team_total_is_the_sum_of_its_advisers(caseloads, alice, bob, carol):
    response = _dashboard(carol)

    (section,) = response.context["sections"]
    alices, bobs = _expected_cases(alice), _expected_cases(bob)
    assert {cell.figure: cell.value for cell in section["totals"]} == {
        name: len(alices[name]) + len(bobs[name]) for name in FIGURES
    }


def test_each_figure_links_to_exactly_the_cases_it_counted(caseloads, alice, bob, carol):
    as_carol = client_for(carol)
    rows = _rows_by_name(_dashboard(carol))

    for adviser in (alice, bob):
        expected = _expected_cases(adviser)
        for cell in rows[adviser.username]["cells"]:
            response = as_carol.get(cell.url)
            assert response.status_code == 200
            shown = {case.pk for case in response.context["rows"]}
            assert shown == expected[cell.figure], (adviser.username, cell.figure)
            assert len(shown) == cell.value


def test_a_team_total_links_to_the_cases_of_every_adviser_in_the_team(
    caseloads, alice, bob, carol, north
):
    url = reverse("reviews:dashboard_cases")

    response = client_for(carol).get(url, {"team": north.pk, "figure": "breached"})

    shown = {case.pk for case in response.context["rows"]}
    assert shown == _expected_cases(alice)["breached"] | _expected_cases(bob)["breached"]
    assert len(shown) == 1


def test_a_figure_list_links_each_case_to_its_page_and_records_the_access(caseloads, alice, carol):
    (red,) = _expected_cases(alice)["red"]
    url = reverse("reviews:dashboard_cases")

    html = client_for(carol).get(url, {"adviser": alice.pk, "figure": "red"}).content.decode()

    assert f'href="{reverse("cases:case_detail", args=[red])}"' in html
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, actor=carol, object_pk=str(red)
    ).exists()


def test_the_dashboard_shows_the_last_signed_off_review_and_whether_one_is_due(
    caseloads, alice, bob, carol
):
    rows = _rows_by_name(_dashboard(carol))

    alices, bobs = rows["alice"]["figures"], rows["bob"]["figures"]
    assert alices.last_review_on == timezone.localdate() - dt.timedelta(days=10)
    assert not alices.review_due
    assert bobs.last_review_on is None
    assert bobs.review_due


# --- sorting ---------------------------------------------------------------------------


def test_the_advisers_are_sorted_by_the_column_asked_for(caseloads, carol):
    response = _dashboard(carol, sort="breached", dir="desc")

    (section,) = response.context["sections"]
    assert [row["figures"].adviser.username for row in section["rows"]] == ["bob", "alice"]
    assert 'aria-sort="descending"' in response.content.decode()


def test_sorting_the_other_way_reverses_the_order(caseloads, carol):
    response = _dashboard(carol, sort="breached", dir="asc")

    (section,) = response.context["sections"]
    assert [row["figures"].adviser.username for row in section["rows"]] == ["alice", "bob"]
    assert 'aria-sort="ascending"' in response.content.decode()


def test_the_sorted_column_heading_links_to_the_opposite_direction(caseloads, carol):
    html = _dashboard(carol, sort="red", dir="desc").content.decode()

    assert 'href="?sort=red&amp;dir=asc"' in html
    assert 'href="?sort=amber&amp;dir=desc"' in html


def test_an_unknown_sort_column_falls_back_to_the_advisers_names(caseloads, carol):
    response = _dashboard(carol, sort="password", dir="sideways")

    (section,) = response.context["sections"]
    assert [row["figures"].adviser.username for row in section["rows"]] == ["alice", "bob"]


# --- needs attention now -----------------------------------------------------------------


def test_needs_attention_lists_red_without_action_unallocated_breached_and_break_glass(
    alice, bob, carol, dave, sam, north
):
    published_criteria()
    red_idle = CaseFactory(assigned_to=alice)
    _assess(red_idle, RED, alice)
    red_busy = CaseFactory(assigned_to=alice)
    _assess(red_busy, RED, alice)
    _open_action(red_busy, alice)
    breached = CaseFactory(assigned_to=bob)
    _flag(breached, DeadlineFlag.Stage.BREACHED)
    waiting = case_services.referral_in(
        team=north,
        case_type=CaseTypeFactory(),
        agency="Council",
        contact="Duty desk",
        reason="Eviction",
        presenting_issue="Notice",
        received_by=carol,
        client=ClientFactory(created_by=carol),
    )
    restricted = CaseFactory(assigned_to=alice, restricted=True)
    case_services.break_glass(case=restricted, user=bob, reason="Client rang in crisis today")
    south_red = CaseFactory(assigned_to=dave)
    _assess(south_red, RED, dave)

    attention = _dashboard(carol).context["attention"]

    assert [c.pk for c in attention["red_no_action"]] == [red_idle.pk]
    assert [c.pk for c in attention["unallocated"]] == [waiting.pk]
    assert [c.pk for c in attention["breached"]] == [breached.pk]
    assert [a.case_id for a in attention["break_glass"]] == [restricted.pk]


def test_break_glass_access_older_than_a_week_is_not_listed(alice, bob, carol):
    restricted = CaseFactory(assigned_to=alice, restricted=True)
    case_services.break_glass(
        case=restricted,
        user=bob,
        reason="Client rang in crisis that day",
        now=timezone.now() - dt.timedelta(days=8),
    )

    assert _dashboard(carol).context["attention"]["break_glass"] == []


# --- charts ------------------------------------------------------------------------------


def test_the_weekly_series_fold_openings_closures_and_the_levels_then(alice, carol, north):
    published_criteria()
    now = timezone.now()
    today = timezone.localdate(now)
    this_monday = today - dt.timedelta(days=today.weekday())
    five_weeks_ago = this_monday - dt.timedelta(weeks=5)
    case = CaseFactory(assigned_to=alice, now=now - dt.timedelta(weeks=5))
    Case.objects.filter(pk=case.pk).update(opened_on=five_weeks_ago + dt.timedelta(days=1))
    _assess(
        case,
        GREEN,
        alice,
        now=timezone.make_aware(
            dt.datetime.combine(five_weeks_ago, dt.time(12)) + dt.timedelta(days=2)
        ),
    )
    _assess(
        case,
        RED,
        alice,
        now=timezone.make_aware(
            dt.datetime.combine(this_monday - dt.timedelta(weeks=2), dt.time(12))
        ),
    )
    closing = CaseFactory(assigned_to=alice)
    Case.objects.filter(pk=closing.pk).update(opened_on=five_weeks_ago)
    Case.objects.filter(pk=closing.pk).update(
        status=Case.Status.CLOSED,
        closed_on=this_monday - dt.timedelta(weeks=3, days=-2),
        closure_reason="outcomes_met",
    )

    weeks = team_trends([north], now=now)[north.pk]

    assert len(weeks) == 12
    assert [w["week_starting"] for w in weeks][-6:] == [
        this_monday - dt.timedelta(weeks=n) for n in range(5, -1, -1)
    ]
    by_start = {w["week_starting"]: w for w in weeks}
    opening_week = by_start[five_weeks_ago]
    assert (opening_week["opened"], opening_week["caseload"], opening_week["closed"]) == (2, 2, 0)
    assert (opening_week["green"], opening_week["unassessed"]) == (1, 1)
    closing_week = by_start[this_monday - dt.timedelta(weeks=3)]
    assert (closing_week["closed"], closing_week["caseload"]) == (1, 1)
    assert by_start[this_monday - dt.timedelta(weeks=3)]["green"] == 1
    assert by_start[this_monday - dt.timedelta(weeks=2)]["red"] == 1
    assert by_start[this_monday]["red"] == 1
    assert by_start[this_monday - dt.timedelta(weeks=6)]["caseload"] == 0


def _weekly_series_by_python(teams, now, weeks=12):
    """The weekly series folded in plain Python over every case and assessment, one
    case and week at a time: the reference the aggregate query must agree with."""
    today = timezone.localdate(now)
    this_monday = today - dt.timedelta(days=today.weekday())
    mondays = [this_monday - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    series = {}
    for team in teams:
        rows = []
        for monday in mondays:
            end = min(monday + dt.timedelta(days=6), today)
            cutoff = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
            week = dict.fromkeys(WEEKLY_FIGURES, 0)
            for case in Case.objects.filter(team=team):
                began = case.opened_on or timezone.localdate(case.created_at)
                if monday <= began <= end:
                    week["opened"] += 1
                if case.closed_on is not None and monday <= case.closed_on <= end:
                    week["closed"] += 1
                if began <= end and (case.closed_on is None or case.closed_on > end):
                    week["caseload"] += 1
                    latest = (
                        Assessment.objects.filter(case=case, assessed_at__lt=cutoff)
                        .order_by("-assessed_at", "-pk")
                        .first()
                    )
                    week[latest.level if latest else "unassessed"] += 1
            rows.append({"week_starting": monday, "week_ending": end, **week})
        series[team.pk] = rows
    return series


def test_the_weekly_series_equal_a_fold_made_independently_in_python(
    alice, bob, dave, north, south
):
    """Openings, closures and levels at the edges: midnight cutoffs, two assessments at
    the same moment, referrals never opened, closures before the window, another team."""
    published_criteria()
    now = timezone.now()
    today = timezone.localdate(now)
    this_monday = today - dt.timedelta(days=today.weekday())

    def at(day, hour=12, minute=0):
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    levels = [RED, AMBER, GREEN]
    for n in range(14):
        adviser = [alice, bob, dave][n % 3]
        case = CaseFactory(assigned_to=adviser, now=now - dt.timedelta(weeks=16))
        opened = this_monday - dt.timedelta(days=7 * (n % 13) + n % 7)
        Case.objects.filter(pk=case.pk).update(opened_on=None if n % 5 == 4 else opened)
        Case.objects.filter(pk=case.pk).update(created_at=at(opened, 23, 30))
        for k in range(n % 4):
            when = at(opened + dt.timedelta(days=3 * k + n % 3), 0 if k == 1 else 12)
            _assess(case, levels[(n + k) % 3], adviser, now=min(when, now))
        if n % 4 == 1:
            _assess(case, levels[n % 3], adviser, now=at(opened, 9))
            _assess(case, levels[(n + 1) % 3], adviser, now=at(opened, 9))
        if n % 3 == 2:
            closed_on = min(opened + dt.timedelta(days=9 + n), today)
            Case.objects.filter(pk=case.pk).update(
                status=Case.Status.CLOSED, closed_on=closed_on, closure_reason="outcomes_met"
            )
    gone = CaseFactory(assigned_to=alice)
    Case.objects.filter(pk=gone.pk).update(
        status=Case.Status.CLOSED,
        opened_on=this_monday - dt.timedelta(weeks=30),
        closed_on=this_monday - dt.timedelta(weeks=20),
        closure_reason="outcomes_met",
    )

    assert team_trends([north, south], now=now) == _weekly_series_by_python([north, south], now)


def test_the_weekly_series_take_two_queries_for_many_teams_and_cases_as_for_one(
    alice, dave, north, south
):
    published_criteria()
    _assess(CaseFactory(assigned_to=alice), RED, alice)
    with CaptureQueriesContext(connection) as few:
        team_trends([north], now=timezone.now())
    for n in range(6):
        _assess(CaseFactory(assigned_to=[alice, dave][n % 2]), [RED, AMBER, GREEN][n % 3], alice)

    with CaptureQueriesContext(connection) as many:
        team_trends([north, south], now=timezone.now())

    assert len(few.captured_queries) == len(many.captured_queries) == 2


def test_each_chart_has_its_numbers_in_a_captioned_table_and_an_image_role(alice, carol):
    CaseFactory(assigned_to=alice)

    html = _dashboard(carol).content.decode()

    assert html.count('role="img"') == 3
    assert html.count("<details>") == 3
    assert "<caption>Caseload, intake and closures per week in North</caption>" in html
    assert "<caption>Open cases by priority level at each week's end in North</caption>" in html
    assert "<caption>Weighted load and capacity in points per adviser in North</caption>" in html
    assert "vendor/chart.js/chart.umd.min.js" in html


def test_the_chart_data_is_carried_as_json_not_as_script(alice, carol, north):
    CaseFactory(assigned_to=alice)

    response = _dashboard(carol)

    html = response.content.decode()
    start = html.index(f'id="chart-data-{north.pk}"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    data = json.loads(body)
    assert data["caseload"][-1] == 1
    assert data["advisers"] == ["Alice Adams"]
    assert data["load"] == [1.0]


# --- weighting ---------------------------------------------------------------------------


def _default_weight(level, points):
    """Set the default weight of a level (migrations seed one for each level)."""
    CaseWeight.objects.update_or_create(case_type=None, level=level, defaults={"points": points})


def test_a_case_types_own_weight_beats_the_default_for_its_level():
    housing, debt = CaseTypeFactory(name="Housing"), CaseTypeFactory(name="Debt")
    _default_weight("red", Decimal("2"))
    CaseWeight.objects.create(case_type=housing, level="red", points=Decimal("3"))

    table = weight_table()

    assert case_points(table, case_type_id=housing.pk, level="red") == Decimal("3")
    assert case_points(table, case_type_id=debt.pk, level="red") == Decimal("2")


def test_a_level_with_no_weight_counts_one_point():
    CaseWeight.objects.filter(level="amber").delete()

    assert case_points(weight_table(), case_type_id=None, level="amber") == Decimal("1")


def test_capacity_is_scaled_by_fte_and_load_is_a_percentage_of_it(alice):
    alice.adviser_profile.capacity_points = 40
    alice.adviser_profile.fte = Decimal("0.50")
    alice.adviser_profile.save()

    assert alice.adviser_profile.capacity == Decimal("20.0")
    assert load_percent(Decimal("5"), alice.adviser_profile.capacity) == 25
    assert load_percent(Decimal("5"), None) is None


def test_the_dashboard_load_sums_the_weights_in_sql_as_python_would(alice, carol):
    published_criteria()
    housing, debt = CaseTypeFactory(name="Housing"), CaseTypeFactory(name="Debt")
    _default_weight("red", Decimal("2"))
    CaseWeight.objects.create(case_type=housing, level="red", points=Decimal("3"))
    _assess(CaseFactory(assigned_to=alice, case_type=housing), RED, alice)
    _assess(CaseFactory(assigned_to=alice, case_type=debt), RED, alice)
    _assess(CaseFactory(assigned_to=alice, case_type=debt), AMBER, alice)
    CaseWeight.objects.filter(level="amber").delete()
    alice.adviser_profile.fte = Decimal("0.50")
    alice.adviser_profile.save()

    figures = adviser_figures([alice])[alice.pk]

    table = weight_table()
    assert figures.load == sum(
        case_points(table, case_type_id=c.case_type_id, level=c.level)
        for c in Case.objects.filter(assigned_to=alice)
    )
    assert figures.load == Decimal("6")
    assert figures.capacity == Decimal("20.0")
    assert figures.load_percent == 30
    assert (
        '6.0<span class="visually-hidden"> points</span></a> of 20.0'
        in _dashboard(carol).content.decode()
    )


# --- queries -----------------------------------------------------------------------------


def _queries_for_dashboard(user):
    as_user = client_for(user)
    as_user.get(reverse("reviews:team_dashboard"))  # caches and one-off rows out of the way
    with CaptureQueriesContext(connection) as captured:
        response = as_user.get(reverse("reviews:team_dashboard"))
    assert response.status_code == 200
    return len(captured.captured_queries)


def _busy_adviser(team, n, cases, *, by):
    adviser = AdviserFactory(username=f"busy{n}")
    team.members.add(adviser)
    for i in range(cases):
        case = CaseFactory(assigned_to=adviser)
        _assess(case, [RED, AMBER, GREEN][i % 3], adviser)
        if i % 2:
            _flag(case, DeadlineFlag.Stage.BREACHED)
        if i % 3 == 1:
            _overdue_action(case, adviser)
    _signed_off_review(adviser, by, days_ago=n + 1, due_in_days=n)
    return adviser


def test_the_dashboard_makes_as_many_queries_for_many_advisers_and_cases_as_for_few(
    alice, carol, north
):
    published_criteria()
    _assess(CaseFactory(assigned_to=alice), RED, alice)
    few = _queries_for_dashboard(carol)

    for n in range(6):
        _busy_adviser(north, n, 5, by=carol)
    second = Team.objects.create(name="North East")
    second.supervisors.add(carol)
    for n in range(6, 9):
        _busy_adviser(second, n, 4, by=carol)
    many = _queries_for_dashboard(carol)

    assert many == few


def test_a_figure_list_makes_as_many_queries_for_many_cases_as_for_few(alice, carol):
    published_criteria()
    url = reverse("reviews:dashboard_cases")
    as_carol = client_for(carol)
    params = {"adviser": alice.pk, "figure": "open"}
    CaseFactory(assigned_to=alice)
    as_carol.get(url, params)
    with CaptureQueriesContext(connection) as few:
        as_carol.get(url, params)
    for _ in range(8):
        _assess(CaseFactory(assigned_to=alice), AMBER, alice)
    with CaptureQueriesContext(connection) as many:
        as_carol.get(url, params)

    assert len(many.captured_queries) == len(few.captured_queries)


# --- who may see what --------------------------------------------------------------------


def test_an_adviser_is_refused_the_dashboard_and_its_lists(alice):
    as_alice = client_for(alice)

    assert as_alice.get(reverse("reviews:team_dashboard")).status_code == 403
    response = as_alice.get(
        reverse("reviews:dashboard_cases"), {"adviser": alice.pk, "figure": "open"}
    )
    assert response.status_code == 403


def test_a_supervisor_of_another_team_gets_404_for_an_adviser_they_do_not_lead(alice, sam):
    response = client_for(sam).get(
        reverse("reviews:dashboard_cases"), {"adviser": alice.pk, "figure": "open"}
    )

    assert response.status_code == 404


def test_a_supervisor_of_another_team_gets_404_for_a_team_they_do_not_lead(alice, sam, north):
    response = client_for(sam).get(
        reverse("reviews:dashboard_cases"), {"team": north.pk, "figure": "open"}
    )

    assert response.status_code == 404


def test_a_supervisor_sees_only_the_teams_they_lead(alice, dave, carol, sam):
    html = _dashboard(sam).content.decode()

    assert "Dave Davies" in html
    assert "Alice Adams" not in html


@pytest.mark.parametrize(
    "params",
    [{"figure": "open"}, {"adviser": "x", "figure": "open"}, {"team": "", "figure": "red"}],
)
def test_a_list_without_a_valid_adviser_or_team_is_404(carol, alice, params):
    response = client_for(carol).get(reverse("reviews:dashboard_cases"), params)

    assert response.status_code == 404


def test_an_unknown_figure_is_404(carol, alice):
    response = client_for(carol).get(
        reverse("reviews:dashboard_cases"), {"adviser": alice.pk, "figure": "salary"}
    )

    assert response.status_code == 404


def test_an_admin_sees_every_teams_counts_without_any_case_or_client(caseloads, erin):
    adviser = Team.objects.get(name="North").members.first()
    CaseFactory(
        assigned_to=adviser, client=ClientFactory(created_by=adviser, family_name="Zyxwvutsonby")
    )

    response = client_for(erin).get(reverse("reviews:organisation_teams"))

    html = response.content.decode()
    counts = {row.team.name: row for row in response.context["teams"]}
    assert (counts["North"].advisers, counts["North"].counts["open"]) == (2, 7)
    assert counts["North"].counts["breached"] == 1
    assert (counts["South"].counts["red"], counts["South"].counts["breached"]) == (1, 1)
    assert "CASE-" not in html
    assert "Zyxwvutsonby" not in html


def test_an_admin_is_refused_the_supervisor_dashboard_and_its_client_lists(caseloads, erin, north):
    as_erin = client_for(erin)

    assert as_erin.get(reverse("reviews:team_dashboard")).status_code == 403
    response = as_erin.get(reverse("reviews:dashboard_cases"), {"team": north.pk, "figure": "open"})
    assert response.status_code == 403


def test_a_supervisor_is_refused_the_admins_view_across_teams(carol):
    assert client_for(carol).get(reverse("reviews:organisation_teams")).status_code == 403
