"""The release built by a real Celery worker from the Redis queue, delivered twice."""

import os

import pytest
from django.conf import settings

from dataprotection import sar_services
from dataprotection.models import SubjectAccessRequest
from dataprotection.tasks import build_subject_access_export_task
from tests.dataprotection.sar_world import sar_world
from tests.processes import start_worker, subprocess_env, wait_until


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_release_once_when_the_task_is_delivered_twice(alice, tmp_path):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "set REDIS_URL (bin/test does)"
    folder = tmp_path / "sar"
    world = sar_world(alice)
    sar_services.sar_mark_ready(request=world.request, marked_by=world.dpo)
    sar_services.sar_release(
        request=world.request,
        released_to="The client",
        method=SubjectAccessRequest.Method.SECURE_EMAIL,
        released_by=world.dpo,
    )
    queue = f"test-sar-{os.getpid()}"
    worker = start_worker(
        queue=queue, env=subprocess_env(tmp_path, CASELOAD_SAR_EXPORT_DIR=str(folder))
    )
    try:
        build_subject_access_export_task.apply_async(args=[world.request.pk], queue=queue)
        build_subject_access_export_task.apply_async(args=[world.request.pk], queue=queue)
        wait_until(
            lambda: SubjectAccessRequest.objects.filter(
                pk=world.request.pk, status=SubjectAccessRequest.Status.RELEASED
            ).exists(),
            what="the worker to release the copy",
            processes=[worker],
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    request = SubjectAccessRequest.objects.get(pk=world.request.pk)
    assert request.build == SubjectAccessRequest.Build.DONE
    assert [path.name for path in folder.iterdir()] == [request.export_file]
