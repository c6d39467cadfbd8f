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
    always = {name for name, spec in COMPOSE["services"].items() if "profiles" not in spec}
    assert always == {"migrate", "web", "worker", "beat", "db", "pgbouncer", "redis"}
    assert COMPOSE["services"]["db"]["image"].startswith("postgres:16")
    assert COMPOSE["services"]["redis"]["image"].startswith("redis:7")
    assert "gunicorn" in Path(ROOT / "Dockerfile").read_text()
    assert "worker" in COMPOSE["services"]["worker"]["command"]
    assert "beat" in COMPOSE["services"]["beat"]["command"]


@pytest.mark.parametrize("service", ["db", "pgbouncer", "redis", "web"])
def test_compose_health_checks_the_stateful_services_and_the_web(service):
    assert COMPOSE["services"][service]["healthcheck"]["test"]


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_the_app_waits_for_migrations_to_finish(service):
    depends = COMPOSE["services"][service]["depends_on"]

    assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_migrations_run_once_per_deploy_then_grant_the_applications_role_its_privileges():
    migrate = COMPOSE["services"]["migrate"]

    assert migrate["command"][:2] == ["sh", "-c"]
    steps = [step.strip() for step in migrate["command"][2].split("&&")]
    assert steps == [
        "python manage.py migrate --noinput",
        "python manage.py grant_app_role --create",
    ]
    assert migrate["restart"] == "no"


def _database_user(service: str) -> str:
    # Not urlsplit: the ${...:?message} placeholder in the password is no URL syntax.
    url = COMPOSE["services"][service]["environment"]["DATABASE_URL"]
    return re.match(r"postgres://([a-z_]+):", url).group(1)


def _database_host(service: str, url: str | None = None) -> str:
    url = url or COMPOSE["services"][service]["environment"]["DATABASE_URL"]
    return re.search(r"@([a-z_]+):5432/", url).group(1)


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_the_app_connects_through_pgbouncer_in_transaction_mode(service):
    environment = COMPOSE["services"][service]["environment"]
    pgbouncer = COMPOSE["services"]["pgbouncer"]["environment"]

    assert _database_host(service) == "pgbouncer"
    assert environment["CASELOAD_PGBOUNCER"] == "true"
    assert pgbouncer["POOL_MODE"] == "transaction"
    assert _database_host("pgbouncer", pgbouncer["DATABASE_URL"]) == "db"
    assert COMPOSE["services"][service]["depends_on"]["pgbouncer"]["condition"] == (
        "service_healthy"
    )


def test_migrations_connect_to_postgresql_directly():
    environment = COMPOSE["services"]["migrate"]["environment"]

    assert _database_host("migrate") == "db"
    assert environment["CASELOAD_PGBOUNCER"] == "false"


def test_migrations_run_as_the_owner_of_the_tables():
    owner = COMPOSE["services"]["db"]["environment"]["POSTGRES_USER"]
    migrate = COMPOSE["services"]["migrate"]["environment"]

    assert _database_user("migrate") == owner
    assert "${POSTGRES_PASSWORD:?" in migrate["DATABASE_URL"]
    assert migrate["CASELOAD_DB_APP_ROLE"] == "caseload_app"


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_the_app_connects_as_its_own_role_with_its_own_password(service):
    url = COMPOSE["services"][service]["environment"]["DATABASE_URL"]

    assert _database_user(service) == "caseload_app"
    assert "${CASELOAD_DB_APP_PASSWORD:?" in url
    assert "POSTGRES_PASSWORD" not in url
    assert "CASELOAD_DB_APP_PASSWORD" not in COMPOSE["services"][service]["environment"]


def test_the_web_port_is_published_on_this_host_only():
    assert COMPOSE["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]
    for service in COMPOSE["services"].values():
        assert all(port.startswith("127.0.0.1:") for port in service.get("ports", []))


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
    return set(re.findall(r"^\| `([A-Z0-9_]+)` \|", section, flags=re.MULTILINE))


def test_the_readme_documents_every_variable_the_settings_read():
    assert set(VARIABLES) - _readme_variables() == set()


def test_the_readme_documents_no_variable_the_settings_ignore():
    assert _readme_variables() - set(VARIABLES) == set()


def test_the_clamav_scanner_is_optional_under_its_own_profile():
    assert COMPOSE["services"]["clamav"]["profiles"] == ["clamav"]
    assert COMPOSE["services"]["clamav"]["image"].startswith("clamav/clamav")
