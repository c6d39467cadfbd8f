"""Scoring an assessment: pure arithmetic on the criteria and the answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol


# Read-only members (properties), so that a model whose fields accept more types
# on assignment than they return (as django-stubs types them) still matches.
class CriterionLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def weight(self) -> int: ...
    @property
    def forces_red_at(self) -> int | None: ...
    @property
    def max_answer(self) -> int: ...


class VersionLike(Protocol):
    red_threshold: int
    amber_threshold: int
    red_if_deadline_within: int | None


@dataclass(frozen=True)
class Score:
    score: int
    forced_red: bool
    level: str


def score_answers(
    *,
    version: VersionLike,
    criteria: Iterable[CriterionLike],
    answers: Mapping[str, int],
    working_days_to_deadline: int | None = None,
) -> Score:
    """Weighted score and level. A criterion's forces-red answer, or a statutory deadline
    within the version's limit, makes the case red whatever the score. A criterion not
    answered counts as 0."""
    total = 0
    forced = False
    for criterion in criteria:
        answer = answers.get(criterion.key, 0)
        if not 0 <= answer <= criterion.max_answer:
            raise ValueError(f"Answer {answer} is out of range for {criterion.key}.")
        total += criterion.weight * answer
        if criterion.forces_red_at is not None and answer >= criterion.forces_red_at:
            forced = True
    limit = version.red_if_deadline_within
    if limit is not None and working_days_to_deadline is not None:
        forced = forced or working_days_to_deadline <= limit
    if forced or total >= version.red_threshold:
        level = "red"
    elif total >= version.amber_threshold:
        level = "amber"
    else:
        level = "green"
    return Score(score=total, forced_red=forced, level=level)
