"""Working-day arithmetic against the UK bank holidays of each nation.

Every expected date below was checked against the holidays package and a calendar.
"""

from datetime import date

import pytest

from priorities.calendar import Nation, WorkingCalendar

ENGLAND = WorkingCalendar(nation="ENG")
SCOTLAND = WorkingCalendar(nation="SCT")
NORTHERN_IRELAND = WorkingCalendar(nation="NIR")


def test_weekends_are_not_working_days_and_are_skipped() -> None:
    assert not ENGLAND.is_working_day(date(2026, 1, 10))  # Saturday
    assert not ENGLAND.is_working_day(date(2026, 1, 11))  # Sunday
    assert ENGLAND.is_working_day(date(2026, 1, 12))  # Monday
    assert ENGLAND.add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 12)  # Fri -> Mon
    assert ENGLAND.add_working_days(date(2026, 1, 9), 5) == date(2026, 1, 16)


def test_christmas_and_the_boxing_day_substitute_are_skipped_in_england() -> None:
    assert not ENGLAND.is_working_day(date(2026, 12, 25))  # Christmas Day, Friday
    assert not ENGLAND.is_working_day(date(2026, 12, 28))  # Boxing Day (observed), Monday
    assert ENGLAND.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_new_years_day_is_skipped_across_the_year_end() -> None:
    assert ENGLAND.add_working_days(date(2026, 12, 30), 1) == date(2026, 12, 31)
    assert ENGLAND.add_working_days(date(2026, 12, 30), 2) == date(2027, 1, 4)


def test_second_of_january_is_a_bank_holiday_in_scotland_only() -> None:
    assert not SCOTLAND.is_working_day(date(2026, 1, 2))  # Friday
    assert ENGLAND.is_working_day(date(2026, 1, 2))
    assert ENGLAND.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)
    assert SCOTLAND.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)


def test_scotlands_new_year_holiday_substitute_moves_a_deadline_into_the_next_week() -> None:
    # 1 Jan 2027 is a Friday; 2 Jan falls on Saturday, so Scotland observes Monday 4 Jan.
    assert SCOTLAND.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 5)
    assert ENGLAND.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_good_friday_is_a_holiday_in_every_nation() -> None:
    for calendar in (ENGLAND, SCOTLAND, NORTHERN_IRELAND):
        assert not calendar.is_working_day(date(2026, 4, 3))


def test_easter_monday_is_a_holiday_in_england_and_northern_ireland_but_not_scotland() -> None:
    assert not ENGLAND.is_working_day(date(2026, 4, 6))
    assert not NORTHERN_IRELAND.is_working_day(date(2026, 4, 6))
    assert SCOTLAND.is_working_day(date(2026, 4, 6))
    assert ENGLAND.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert NORTHERN_IRELAND.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert SCOTLAND.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 6)


def test_st_patricks_day_is_a_holiday_in_northern_ireland_only() -> None:
    assert not NORTHERN_IRELAND.is_working_day(date(2026, 3, 17))  # Tuesday
    assert ENGLAND.is_working_day(date(2026, 3, 17))
    assert SCOTLAND.is_working_day(date(2026, 3, 17))
    assert NORTHERN_IRELAND.add_working_days(date(2026, 3, 16), 1) == date(2026, 3, 18)


def test_st_andrews_day_or_its_substitute_is_a_holiday_in_scotland_only() -> None:
    assert not SCOTLAND.is_working_day(date(2026, 11, 30))  # Monday
    assert ENGLAND.is_working_day(date(2026, 11, 30))
    # 30 Nov 2025 was a Sunday, so Scotland observed Monday 1 December.
    assert not SCOTLAND.is_working_day(date(2025, 12, 1))
    assert ENGLAND.is_working_day(date(2025, 12, 1))
    assert SCOTLAND.add_working_days(date(2026, 11, 27), 1) == date(2026, 12, 1)


def test_the_summer_bank_holiday_is_early_august_in_scotland_and_late_august_in_england() -> None:
    assert not SCOTLAND.is_working_day(date(2026, 8, 3))
    assert ENGLAND.is_working_day(date(2026, 8, 3))
    assert not ENGLAND.is_working_day(date(2026, 8, 31))
    assert SCOTLAND.is_working_day(date(2026, 8, 31))


def test_organisation_closure_days_are_skipped() -> None:
    closed = WorkingCalendar(closures=[date(2026, 12, 23), date(2026, 12, 24)])
    assert not closed.is_working_day(date(2026, 12, 23))
    assert closed.add_working_days(date(2026, 12, 22), 1) == date(2026, 12, 29)
    assert closed.next_working_day(date(2026, 12, 23)) == date(2026, 12, 29)


def test_working_days_between_counts_forwards_backwards_and_not_at_all_for_the_same_day() -> None:
    assert ENGLAND.working_days_between(date(2026, 1, 9), date(2026, 1, 16)) == 5
    assert ENGLAND.working_days_between(date(2026, 1, 16), date(2026, 1, 9)) == -5
    assert ENGLAND.working_days_between(date(2026, 1, 9), date(2026, 1, 9)) == 0


def test_working_days_between_leaves_out_bank_holidays() -> None:
    assert ENGLAND.working_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 1
    assert ENGLAND.working_days_between(date(2026, 4, 2), date(2026, 4, 9)) == 3
    assert SCOTLAND.working_days_between(date(2026, 4, 2), date(2026, 4, 9)) == 4
    assert SCOTLAND.working_days_between(date(2026, 4, 9), date(2026, 4, 2)) == -4


def test_working_days_between_undoes_add_working_days() -> None:
    start = date(2026, 12, 18)
    for days in range(1, 15):
        end = SCOTLAND.add_working_days(start, days)
        assert SCOTLAND.working_days_between(start, end) == days


def test_adding_no_working_days_on_a_saturday_gives_the_monday() -> None:
    assert ENGLAND.add_working_days(date(2026, 1, 10), 0) == date(2026, 1, 12)
    assert ENGLAND.add_working_days(date(2026, 1, 12), 0) == date(2026, 1, 12)


def test_next_working_day_returns_a_working_day_itself() -> None:
    assert ENGLAND.next_working_day(date(2026, 1, 12)) == date(2026, 1, 12)
    assert ENGLAND.next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)


def test_adding_a_negative_number_of_working_days_raises_value_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        ENGLAND.add_working_days(date(2026, 1, 12), -1)


def test_an_unknown_nation_raises_value_error() -> None:
    with pytest.raises(ValueError, match="WLS"):
        WorkingCalendar(nation="WLS")


def test_nation_accepts_the_enum_or_its_value() -> None:
    assert WorkingCalendar(nation=Nation.SCOTLAND).nation is Nation.SCOTLAND
    assert WorkingCalendar().nation is Nation.ENGLAND_AND_WALES


def test_holidays_in_lists_a_years_bank_holidays_in_order_with_their_names() -> None:
    listed = ENGLAND.holidays_in(2026)
    assert list(listed) == sorted(listed)
    assert listed[date(2026, 12, 28)] == "Boxing Day (observed)"
    assert listed[date(2026, 8, 31)] == "Late Summer Bank Holiday"
    assert date(2026, 3, 17) not in listed
    assert NORTHERN_IRELAND.holidays_in(2026)[date(2026, 3, 17)] == "Saint Patrick's Day"


def test_the_first_and_last_years_supported_have_their_holidays() -> None:
    assert not ENGLAND.is_working_day(date(2000, 12, 25))  # Monday
    assert not ENGLAND.is_working_day(date(2100, 12, 27))  # Christmas Day (observed), Monday
    assert ENGLAND.add_working_days(date(2100, 12, 24), 1) == date(2100, 12, 29)


def test_a_due_date_approaches_from_the_first_day_it_is_n_working_days_away() -> None:
    # Due Tuesday 29 December 2026: Christmas and the Boxing Day substitute do not count.
    assert ENGLAND.approaching_from(date(2026, 12, 29), days=2) == date(2026, 12, 23)
    assert ENGLAND.add_working_days(date(2026, 12, 23), 2) == date(2026, 12, 29)
    assert ENGLAND.add_working_days(date(2026, 12, 22), 2) < date(2026, 12, 29)


def test_with_zero_days_a_due_date_approaches_only_on_the_day() -> None:
    assert ENGLAND.approaching_from(date(2026, 12, 29), days=0) == date(2026, 12, 29)


def test_a_share_of_the_window_is_counted_in_working_days_rounded_up() -> None:
    # Monday 7 to Monday 21 December 2026 is ten working days.
    assert ENGLAND.share_elapsed_on(date(2026, 12, 7), date(2026, 12, 21), percent=50) == date(
        2026, 12, 14
    )
    assert ENGLAND.share_elapsed_on(date(2026, 12, 7), date(2026, 12, 21), percent=75) == date(
        2026, 12, 17
    )


def test_a_share_of_the_window_skips_the_christmas_bank_holidays() -> None:
    # Monday 21 to Thursday 31 December 2026 is six working days.
    assert ENGLAND.share_elapsed_on(date(2026, 12, 21), date(2026, 12, 31), percent=60) == date(
        2026, 12, 29
    )
