"""The Celery application shared by the worker and beat.

Configuration lives in settings.py under the CELERY_ namespace; each
reliability setting there carries a comment saying why it is set.
"""

import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")

app = Celery("caseload")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """Create the folders of the file-based broker used on the embedded default."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@worker_init.connect
def _prepare_broker(**_kwargs: object) -> None:
    ensure_broker_folders()


@worker_init.connect
def _check_master_keys(**_kwargs: object) -> None:
    """A worker with master keys that are not the organisation's does not start."""
    from django.core.exceptions import ImproperlyConfigured

    from caseload.keycheck import key_check_at_startup

    try:
        key_check_at_startup("worker")
    except ImproperlyConfigured as error:
        # One line, and a non-zero exit, rather than a traceback from inside Celery.
        raise SystemExit(f"Caseload worker refused to start: {error}") from None
