"""The demo shows the data protection officer a client due for disposal, one on legal
hold and one restricted."""

import pytest
from django.core.management import call_command

from dataprotection.models import DisposalItem, LegalHold, ProcessingRestriction

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_client_due_one_on_hold_and_one_restricted_once_however_often_loaded():
    call_command("demo")
    call_command("demo")

    listed = DisposalItem.objects.filter(state=DisposalItem.State.LISTED)
    assert listed.count() == 1
    assert LegalHold.objects.active().count() == 1
    assert ProcessingRestriction.objects.active().count() == 1
    assert listed.get().client_id != LegalHold.objects.get().client_id
