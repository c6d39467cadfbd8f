"""docker-compose.yml and the README agree with the settings (no Docker engine needed)."""

import re
from pathlib import Path

import pytest
import yaml

from caseload.env import VARIABLES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ["migrate", "web", "worker", "beat"]


def test_compose_runs_web_worker_beat_postgres_and_redis():
    assert set(COMPOSE["services"]) == {"migrate", "web", "worker", "beat", "db", "redis"}
    assert COMPOSE["services"]["db"]["image"].startswith("postgres:16")
    assert COMPOSE["services"]["redis"]["image"].startswith("redis:7")
    assert "gunicorn" in Path(ROOT / "Dockerfile").read_text()
    assert "worker" in COMPOSE["services"]["worker"]["command"]
    assert "beat" in COMPOSE["services"]["beat"]["command"]


@pytest.mark.parametrize("service", ["db", "redis", "web"])
def test_compose_health_checks_the_stateful_services_and_the_web(service):
    assert COMPOSE["services"][service]["healthcheck"]["test"]


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_the_app_waits_for_migrations_to_finish(service):
    depends = COMPOSE["services"][service]["depends_on"]

    assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_migrations_run_once_per_deploy():
    migrate = COMPOSE["services"]["migrate"]

    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_variable_compose_sets_is_one_the_settings_read(service):
    names = set(COMPOSE["services"][service]["environment"])

    assert names, "the app services share their environment"
    assert names - set(VARIABLES) == set()


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_runs_the_app_in_production(service):
    assert COMPOSE["services"][service]["environment"]["DJANGO_ENV"] == "production"


def _readme_variables() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.MULTILINE))


def test_the_readme_documents_every_variable_the_settings_read():
    assert set(VARIABLES) - _readme_variables() == set()


def test_the_readme_documents_no_variable_the_settings_ignore():
    assert _readme_variables() - set(VARIABLES) == set()
