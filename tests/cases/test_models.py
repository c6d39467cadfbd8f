from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError

from cases.models import AdviserProfile

pytestmark = pytest.mark.django_db


def test_capacity_is_the_adviser_points_scaled_by_fte(alice):
    profile = alice.adviser_profile
    profile.capacity_points = 35
    profile.fte = Decimal("0.60")

    assert profile.capacity == Decimal("21.0")


@pytest.mark.parametrize("fte", [Decimal("0.00"), Decimal("1.50")])
def test_the_database_refuses_an_fte_outside_zero_to_one(alice, fte):
    with pytest.raises(IntegrityError):
        AdviserProfile.objects.filter(pk=alice.adviser_profile.pk).update(fte=fte)


def test_the_three_roles_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Adviser", "Supervisor", "Admin"}


def test_no_role_holds_a_model_wide_permission_to_view_people_data_other_than_staff():
    perms = set(
        Group.objects.filter(name__in=["Adviser", "Supervisor"]).values_list(
            "permissions__codename", flat=True
        )
    )

    assert perms == {None}


def test_a_team_change_is_written_to_the_audit_trail(north, alice):
    from auditlog.models import LogEntry

    north.name = "North East"
    north.save()

    assert LogEntry.objects.get_for_object(north).filter(action=LogEntry.Action.UPDATE).exists()
