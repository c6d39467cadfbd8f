"""The demo tells each open case's story (on time, approaching, breached) whichever day of
the week it is loaded: each test loads it as of another day."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Case
from demo.load import demo_load
from demo.timeline import Shows, planned_cases

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("weekday", ["Saturday", "Sunday", "Monday"])
def test_every_case_shows_its_story_whichever_day_of_the_week_the_demo_is_loaded(weekday):
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    now = timezone.now()
    back = (timezone.localdate(now).weekday() - days.index(weekday)) % 7
    demo_load(now=now - datetime.timedelta(days=back))

    shown = {}
    for case, plan in planned_cases():
        if not plan.is_open:
            continue
        one = Case.objects.filter(pk=case.pk)
        if one.breached().exists():
            shown[plan.n] = Shows.BREACHED
        elif one.approaching().exists():
            shown[plan.n] = Shows.APPROACHING
        else:
            shown[plan.n] = Shows.ON_TIME
    planned = {plan.n: plan.shows for _, plan in planned_cases() if plan.is_open}
    assert shown == planned
    assert 2 <= list(planned.values()).count(Shows.BREACHED) <= 5
