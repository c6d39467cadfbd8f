"""Caseload points: how much of an adviser's capacity each open case takes.

Admins set points per case type and level (``CaseWeight``); a row without a
case type is the default for its level, and a level with no row counts one
point. The same table gives both the points of one case in Python and an
SQL expression summing them, so a page and a report always agree.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models.functions import Coalesce

from reviews.models import CaseWeight

DEFAULT_POINTS = Decimal("1")

WeightTable = dict[tuple[int | None, str], Decimal]


def weight_table() -> WeightTable:
    """Every configured weight, keyed by (case type id or None, level)."""
    return {
        (case_type_id, level): points
        for case_type_id, level, points in CaseWeight.objects.values_list(
            "case_type_id", "level", "points"
        )
    }


def case_points(table: WeightTable, *, case_type_id: int | None, level: str) -> Decimal:
    """The points one case counts for: its type's weight, else the level's default, else 1."""
    if (case_type_id, level) in table:
        return table[(case_type_id, level)]
    return table.get((None, level), DEFAULT_POINTS)


def points_expression(table: WeightTable, *, prefix: str = "") -> models.Expression:
    """An SQL expression for a case row's points, following ``case_points``' rules.

    ``prefix`` reaches the case through a relation (for example ``"case__"``).
    """
    field = models.DecimalField(max_digits=7, decimal_places=1)
    whens = [
        models.When(
            **{f"{prefix}case_type_id": case_type_id, f"{prefix}level": level},
            then=models.Value(points, output_field=field),
        )
        for (case_type_id, level), points in table.items()
        if case_type_id is not None
    ]
    whens += [
        models.When(**{f"{prefix}level": level}, then=models.Value(points, output_field=field))
        for (case_type_id, level), points in table.items()
        if case_type_id is None
    ]
    if not whens:
        return models.Value(DEFAULT_POINTS, output_field=field)
    return models.Case(
        *whens, default=models.Value(DEFAULT_POINTS, output_field=field), output_field=field
    )


def weighted_sum(table: WeightTable, *, filter: models.Q | None = None) -> Coalesce:
    """Sum of points over the rows of a Case aggregate, 0 where there are none."""
    return Coalesce(
        models.Sum(points_expression(table), filter=filter),
        models.Value(Decimal("0")),
        output_field=models.DecimalField(max_digits=9, decimal_places=1),
    )


def load_percent(load: Decimal, capacity: Decimal | None) -> int | None:
    """Load as a whole percentage of capacity; None when no capacity is set."""
    if not capacity:
        return None
    return int((load * 100 / capacity).to_integral_value())
