"""A property of the figures: on any caseload, the dashboard, the weekly report and the
lists behind the dashboard's figures agree, for every adviser and every team.

Caseloads are generated from a seeded random source (several seeds, each the
same on every run): advisers in two teams, cases with random levels, due dates,
last contact, assessments (some under criteria since replaced), actions (open,
done or cancelled, due in the past or the future) and deadline flags.
"""

import datetime as dt
import random

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from notes import services as note_services
from priorities.models import DeadlineFlag
from reviews import selectors
from reviews.services import report_data, week_of
from tests.factories import AdviserFactory, CaseFactory, CaseTypeFactory, published_criteria

pytestmark = pytest.mark.django_db

SEEDS = [1, 7, 2026]
CASES = 30
LEVELS = {"red": 0, "amber": 1, "green": 2, "": 3}


def _generate(rng, *, teams, now):
    """A random caseload spread over advisers of ``teams``, seen from ``now``."""
    today = timezone.localdate(now)
    old_criteria = published_criteria()
    criteria = published_criteria()  # the one published now; ``old_criteria`` is retired
    advisers = [person for team in teams for person in team.members.all()]
    for n in range(4):
        extra = AdviserFactory(username=f"extra{n}")
        rng.choice(teams).members.add(extra)
        advisers.append(extra)
    # Someone in both teams: both supervisors see all of their cases.
    teams[1].members.add(advisers[0])
    case_types = [CaseTypeFactory(name=name) for name in ("Housing", "Debt")]

    def day(spread):
        return today + dt.timedelta(days=rng.randint(-spread, spread))

    for _ in range(CASES):
        adviser = rng.choice(advisers)
        case = CaseFactory(assigned_to=adviser, case_type=rng.choice(case_types))
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            action = note_services.action_create(
                case=case,
                description="Chase the landlord",
                owner="adviser",
                due_on=day(10),
                created_by=adviser,
                today=today - dt.timedelta(days=20),
            )
            outcome = rng.choice(["open", "open", "done", "cancelled"])
            if outcome == "done":
                note_services.action_complete(action=action, completed_by=adviser, now=now)
            elif outcome == "cancelled":
                note_services.action_cancel(
                    action=action, reason="No longer needed", cancelled_by=adviser, now=now
                )
        for _ in range(rng.choice([0, 0, 1, 2])):
            DeadlineFlag.objects.get_or_create(
                case=case,
                deadline=rng.choice(DeadlineFlag.Deadline.values),
                due_on=day(5),
                stage=rng.choice(DeadlineFlag.Stage.values),
                defaults={
                    "cleared_at": rng.choice([None, None, now]),
                    "cleared_reason": "Met or no longer due",
                },
            )
        level = rng.choice(list(LEVELS))
        assessed = level != "" or rng.random() < 0.2
        columns = {
            "level": level,
            "level_rank": LEVELS[level],
            "assessed_at": now - dt.timedelta(days=rng.randint(1, 90)) if assessed else None,
            "assessment_version": rng.choice([criteria, criteria, old_criteria])
            if assessed
            else None,
            "next_review_due_on": day(30) if assessed and rng.random() < 0.8 else None,
            "opened_on": today - dt.timedelta(days=rng.randint(0, 60)),
            "last_contact_at": (
                now - dt.timedelta(days=rng.randint(0, 40)) if rng.random() < 0.7 else None
            ),
            "team": rng.choice(teams),
        }
        if rng.random() < 0.15:
            columns["assigned_to"] = None
        Case.objects.filter(pk=case.pk).update(**columns)
        if rng.random() < 0.15:
            case.refresh_from_db()
            case_services.case_status_change(
                case=case,
                status=Case.Status.CLOSED,
                changed_by=adviser,
                closure_reason="outcomes_met",
                closure_outcome="Housed",
                # A generated case may still have actions or flags open.
                open_work_confirmed=True,
                open_work_reason="Generated caseload",
            )
        elif rng.random() < 0.15:
            Case.objects.filter(pk=case.pk).update(status=Case.Status.ON_HOLD)


def _report(supervisor, now):
    start, end = week_of(timezone.localdate(now) - dt.timedelta(days=7))
    return report_data(supervisor=supervisor, period_start=start, period_end=end, now=now)


def _report_figure(row, name):
    """A report's figure: a count, or a list of case references for the listed figures."""
    value = row[name]
    return len(value) if isinstance(value, list) else value


@pytest.mark.parametrize("seed", SEEDS)
def test_every_dashboard_figure_equals_the_report_and_the_list_behind_it(
    seed, north, south, alice, bob, carol, dave, sam
):
    now = timezone.now()
    teams = [north, south]
    _generate(random.Random(seed), teams=teams, now=now)  # noqa: S311 - test data

    for supervisor, team in ((carol, north), (sam, south)):
        team.refresh_from_db()
        (dashboard,) = selectors.team_figures([team], now=now)
        report = _report(supervisor, now)
        report_rows = {row["adviser"]: row for row in report["advisers"]}
        assert set(report_rows) == {row.adviser.display_name for row in dashboard.rows}
        for row in dashboard.rows:
            for name in selectors.FIGURES:
                listed = selectors.figure_cases([row.adviser], name, viewer=supervisor, now=now)
                shown = row.counts[name]
                assert shown == _report_figure(report_rows[row.adviser.display_name], name), (
                    seed,
                    row.adviser.username,
                    name,
                )
                assert shown == listed.count(), (seed, row.adviser.username, name)
        advisers = selectors.advisers_of_teams([team])[team.pk]
        for name in selectors.FIGURES:
            listed = selectors.figure_cases(advisers, name, viewer=supervisor, now=now)
            assert dashboard.totals[name] == report["totals"][name], (seed, team.name, name)
            assert dashboard.totals[name] == listed.count(), (seed, team.name, name)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_generated_caseloads_show_every_figure(seed, north, south, alice, bob, dave):
    # So that the agreement above cannot hold with zeros everywhere.
    now = timezone.now()
    _generate(random.Random(seed), teams=[north, south], now=now)  # noqa: S311 - test data

    figures = selectors.team_figures([north, south], now=now)
    assert all(any(team.totals[name] for team in figures) for name in selectors.FIGURES)
