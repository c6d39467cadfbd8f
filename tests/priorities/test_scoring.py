from dataclasses import dataclass

import pytest

from priorities.scoring import score_answers


@dataclass
class V:
    red_threshold: int = 6
    amber_threshold: int = 3
    red_if_deadline_within: int | None = None


@dataclass
class C:
    key: str
    weight: int
    max_answer: int = 1
    forces_red_at: int | None = None


CRITERIA = [C("safeguarding", 5, 1, forces_red_at=1), C("complexity", 2, 3)]


@pytest.mark.parametrize(
    ("answers", "score", "level"),
    [
        ({"safeguarding": 0, "complexity": 0}, 0, "green"),
        ({"safeguarding": 0, "complexity": 1}, 2, "green"),
        ({"safeguarding": 0, "complexity": 2}, 4, "amber"),
        ({"safeguarding": 0, "complexity": 3}, 6, "red"),
    ],
)
def test_the_weighted_score_sets_the_level_by_the_thresholds(answers, score, level):
    result = score_answers(version=V(), criteria=CRITERIA, answers=answers)

    assert (result.score, result.level, result.forced_red) == (score, level, False)


def test_a_forces_red_answer_makes_the_case_red_whatever_the_score():
    result = score_answers(
        version=V(red_threshold=50, amber_threshold=40),
        criteria=CRITERIA,
        answers={"safeguarding": 1, "complexity": 0},
    )

    assert (result.score, result.level, result.forced_red) == (5, "red", True)


@pytest.mark.parametrize(("days", "level"), [(5, "red"), (3, "red"), (6, "green"), (None, "green")])
def test_a_statutory_deadline_within_the_limit_forces_red(days, level):
    result = score_answers(
        version=V(red_if_deadline_within=5),
        criteria=CRITERIA,
        answers={"safeguarding": 0, "complexity": 0},
        working_days_to_deadline=days,
    )

    assert result.level == level


def test_an_unanswered_criterion_counts_as_zero():
    assert score_answers(version=V(), criteria=CRITERIA, answers={}).score == 0


def test_an_answer_out_of_range_is_refused():
    with pytest.raises(ValueError, match="out of range"):
        score_answers(version=V(), criteria=CRITERIA, answers={"complexity": 4})
