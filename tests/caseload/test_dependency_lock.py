"""The locks in requirements/ pin every dependency pyproject.toml names, with hashes."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = [Requirement(line) for line in PROJECT["dependencies"]]
EXTRAS = {
    name: [Requirement(line) for line in lines]
    for name, lines in PROJECT["optional-dependencies"].items()
}

# Which lock covers which extras (bin/setup picks the lock the same way).
LOCKS = {
    "base.txt": [],
    "test.txt": ["test"],
    "dev.txt": ["dev", "test"],
}

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
_HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def _entries(lock: str) -> dict[str, tuple[Version, int]]:
    """Each locked package's version and how many hashes it has, by canonical name."""
    text = (ROOT / "requirements" / lock).read_text()
    entries: dict[str, tuple[Version, int]] = {}
    # An entry is a `name==version \` line followed by its `--hash=` lines.
    for block in re.split(r"\n(?=\S)", text):
        match = _PIN.match(block)
        if match:
            name = canonicalize_name(match.group(1))
            entries[name] = (Version(match.group(2)), len(_HASH.findall(block)))
    return entries


def _named_in_pyproject(extras: list[str]) -> list[Requirement]:
    return RUNTIME + [requirement for extra in extras for requirement in EXTRAS[extra]]


@pytest.mark.parametrize("lock", LOCKS)
def test_every_dependency_pyproject_names_is_pinned_in_the_lock_within_its_range(lock):
    entries = _entries(lock)
    for requirement in _named_in_pyproject(LOCKS[lock]):
        name = canonicalize_name(requirement.name)
        assert name in entries, f"{requirement.name} is not in requirements/{lock}: run make lock"
        version, _ = entries[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements/{lock} pins {requirement.name} {version}, outside {requirement.specifier}"
        )


@pytest.mark.parametrize("lock", LOCKS)
def test_every_package_in_the_lock_is_pinned_exactly_with_a_hash(lock):
    text = (ROOT / "requirements" / lock).read_text()
    requirement_lines = [
        line for line in text.splitlines() if line and not line.startswith((" ", "#", "-"))
    ]
    assert requirement_lines
    for line in requirement_lines:
        assert _PIN.match(line), f"requirements/{lock}: {line!r} is not pinned with =="
    for name, (_, hashes) in _entries(lock).items():
        assert hashes, f"requirements/{lock}: {name} has no hash"


def test_the_extras_are_covered_by_every_lock_that_claims_them():
    assert set(EXTRAS) == {extra for extras in LOCKS.values() for extra in extras}


def test_a_package_has_the_same_version_in_every_lock():
    versions: dict[str, set[Version]] = {}
    for lock in LOCKS:
        for name, (version, _) in _entries(lock).items():
            versions.setdefault(name, set()).add(version)
    assert {name: found for name, found in versions.items() if len(found) > 1} == {}


def test_the_locks_name_no_index_of_this_machine():
    for lock in LOCKS:
        text = (ROOT / "requirements" / lock).read_text()
        assert "--extra-index-url" not in text
        assert "--find-links" not in text
        assert "file://" not in text


def test_setup_and_the_image_install_from_the_lock_with_hashes_required():
    setup = (ROOT / "bin" / "setup").read_text()
    assert '--require-hashes -r "$lock"' in setup
    assert "--no-deps -e ." in setup
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements/base.txt" in dockerfile
    assert "pip install --no-deps ." in dockerfile


def test_the_test_command_type_checks_before_the_suite():
    commands = [line.strip() for line in (ROOT / "bin" / "test").read_text().splitlines()]
    mypy = commands.index('echo "== mypy (django-stubs; loads the development settings)"; mypy')
    suite = next(n for n, line in enumerate(commands) if line.startswith("pytest "))
    assert mypy < suite
