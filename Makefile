# The development loop. `make demo` and `make test` are the README's two commands.
.PHONY: demo test lint format setup lock typecheck bench previous-release-dump

demo:
	bin/demo

test:
	bin/test

setup:
	bin/setup dev test

# Regenerates requirements/*.txt (exact versions with hashes) from the ranges
# in pyproject.toml. LOCK_ARGS="--upgrade" moves every package to its newest
# allowed version; LOCK_ARGS="--upgrade-package django" moves one.
lock:
	bin/lock $(LOCK_ARGS)

typecheck:
	.venv/bin/mypy

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

# Seeds an organisation in the caseload_bench database (reused by later runs),
# serves it with gunicorn, drives it and writes bench/results.json (bench/README.md).
# BENCH_ARGS="--scale 1.0" for the full size; the default is the quick --scale 0.01.
bench:
	bench/run $(or $(BENCH_ARGS),--scale 0.01)

# Remakes tests/fixtures/demo_previous_release.* (the database the upgrade test migrates)
# from release REF: run it when a release is cut, e.g. make previous-release-dump REF=v1.4.
previous-release-dump:
	bin/previous-release-dump $(REF)
