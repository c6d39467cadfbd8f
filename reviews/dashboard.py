"""The supervisor dashboard, the lists of cases behind its figures, and the admin's counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from caseload.audit import access_record
from caseload.db_router import replica_view
from caseload.formats import human_date
from caseload.params import parse_id
from caseload.roles import Role, role_required
from caseload.web import AuthenticatedRequest
from cases.models import User
from cases.selectors import supervised_teams
from reviews import selectors
from reviews.selectors import FIGURES, AdviserFigures, TeamFigures

# The adviser table's columns in order: (key, heading, short heading for the header).
COLUMNS = [
    ("adviser", "Adviser"),
    ("open", FIGURES["open"]),
    ("load", "Load (points of capacity)"),
    ("load_percent", "Load %"),
    *[(name, label) for name, label in FIGURES.items() if name != "open"],
    ("last_review", "Last review signed off"),
]
SORTABLE = dict(COLUMNS)
# Columns that read best with the largest first when first chosen.
_DESCENDING_FIRST = set(SORTABLE) - {"adviser"}

CASES_PER_PAGE = 100


@dataclass(frozen=True)
class Header:
    key: str
    label: str
    url: str
    aria_sort: str
    next_direction: str


@dataclass(frozen=True)
class FigureCell:
    figure: str
    label: str
    value: int
    url: str


def _sorting(request: AuthenticatedRequest) -> tuple[str, bool]:
    """The column and direction asked for in ``?sort=&dir=``; unknown values fall back."""
    column = request.GET.get("sort", "adviser")
    if column not in SORTABLE:
        column = "adviser"
    direction = request.GET.get("dir")
    if direction not in ("asc", "desc"):
        direction = "desc" if column in _DESCENDING_FIRST else "asc"
    return column, direction == "desc"


def _headers(column: str, descending: bool) -> list[Header]:
    headers = []
    for key, label in COLUMNS:
        if key == column:
            aria_sort = "descending" if descending else "ascending"
            next_direction = "asc" if descending else "desc"
        else:
            aria_sort = ""
            next_direction = "desc" if key in _DESCENDING_FIRST else "asc"
        query = urlencode({"sort": key, "dir": next_direction})
        headers.append(Header(key, label, f"?{query}", aria_sort, next_direction))
    return headers


def _cells(counts: dict[str, int], **scope: int) -> list[FigureCell]:
    """Each figure with the link to its cases (the list's address reversed once per
    row, not once per figure: a team's table has ten links per adviser)."""
    base = reverse("reviews:dashboard_cases")
    return [
        FigureCell(name, label, counts[name], f"{base}?{urlencode({**scope, 'figure': name})}")
        for name, label in FIGURES.items()
    ]


def _sorted_rows(rows: list[AdviserFigures], column: str, descending: bool) -> list[Any]:
    by_name = sorted(rows, key=lambda row: row.adviser.display_name.lower())
    ordered = sorted(by_name, key=lambda row: row.sort_key(column), reverse=descending)
    return [
        {"figures": row, "cells": _cells(row.counts, adviser=row.adviser.pk)} for row in ordered
    ]


def _chart_data(figures: TeamFigures, weeks: list[dict[str, Any]]) -> dict[str, Any]:
    """What the team's charts draw (static/js/dashboard-charts.js), as plain JSON values."""
    return {
        "weeks": [human_date(week["week_starting"]) for week in weeks],
        **{name: [week[name] for week in weeks] for name in selectors.WEEKLY_FIGURES},
        "advisers": [row.adviser.display_name for row in figures.rows],
        "load": [float(row.load) for row in figures.rows],
        "capacity": [
            float(row.capacity) if row.capacity is not None else None for row in figures.rows
        ],
    }


@require_GET
@role_required(Role.SUPERVISOR)
@replica_view
def team_dashboard(request: AuthenticatedRequest) -> HttpResponse:
    now = timezone.now()
    column, descending = _sorting(request)
    teams = list(supervised_teams(request.user).order_by("name"))
    trends = selectors.team_trends(teams, now=now)
    sections = [
        {
            "team": figures.team,
            "figures": figures,
            "rows": _sorted_rows(figures.rows, column, descending),
            "totals": _cells(figures.totals, team=figures.team.pk),
            "weeks": trends[figures.team.pk],
            "chart_data": _chart_data(figures, trends[figures.team.pk]),
            "chart_id": f"chart-data-{figures.team.pk}",
        }
        for figures in selectors.team_figures(teams, now=now)
    ]
    attention = selectors.needs_attention_now(request.user, teams, now=now)
    shown = [
        *attention["red_no_action"],
        *attention["unallocated"],
        *attention["breached"],
        *(access.case for access in attention["break_glass"]),
    ]
    access_record(request=request, actor=request.user, objects=shown, via="team dashboard")
    return render(
        request,
        "reviews/dashboard.html",
        {
            "sections": sections,
            "headers": _headers(column, descending),
            "attention": attention,
            "concerns": list(selectors.capacity_concerns_for(request.user)[:20]),
            "awaiting_sign_off": list(selectors.reviews_awaiting_sign_off(request.user)[:20]),
        },
    )


def _advisers_in_scope(request: AuthenticatedRequest) -> tuple[str, list[User], dict[str, int]]:
    """The advisers a figure list covers, from ``?adviser=`` or ``?team=``.

    Only an adviser of a team the signed-in supervisor leads, or such a team;
    404 for anything else, whether it exists or not.
    """
    if "adviser" in request.GET:
        adviser_id = parse_id(request.GET["adviser"])
        if adviser_id is None:
            raise Http404("No such adviser in the teams you lead.")
        adviser = (
            User.objects.filter(
                pk=adviser_id, is_active=True, teams__in=supervised_teams(request.user)
            )
            .distinct()
            .first()
        )
        if adviser is None:
            raise Http404("No such adviser in the teams you lead.")
        return adviser.display_name, [adviser], {"adviser": adviser.pk}
    team_id = parse_id(request.GET.get("team"))
    team = supervised_teams(request.user).filter(pk=team_id).first() if team_id else None
    if team is None:
        raise Http404("No such team among those you lead.")
    advisers = selectors.advisers_of_teams([team])[team.pk]
    return f"Advisers of {team.name}", advisers, {"team": team.pk}


@require_GET
@role_required(Role.SUPERVISOR)
@replica_view
def dashboard_cases(request: AuthenticatedRequest) -> HttpResponse:
    """The cases behind one figure of the dashboard, found by the condition that counted them."""
    whose, advisers, scope = _advisers_in_scope(request)
    figure = request.GET.get("figure", "")
    if figure not in FIGURES:
        raise Http404("No such figure.")
    cases = selectors.figure_cases(advisers, figure, viewer=request.user)
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    access_record(request=request, actor=request.user, objects=rows, via="dashboard figure")
    return render(
        request,
        "reviews/dashboard_cases.html",
        {
            "whose": whose,
            "figure": figure,
            "figure_label": FIGURES[figure],
            "page": page,
            "rows": rows,
            "query": urlencode({**scope, "figure": figure}),
        },
    )


@require_GET
@role_required(Role.ADMIN)
@replica_view
def organisation_teams(request: AuthenticatedRequest) -> HttpResponse:
    """Every team's counts, for admins: numbers only, no case or client."""
    return render(
        request,
        "reviews/dashboard_organisation.html",
        {"teams": selectors.organisation_team_counts()},
    )
