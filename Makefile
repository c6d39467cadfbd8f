# The development loop. `make demo` and `make test` are the README's two commands.
.PHONY: demo test lint format setup

demo:
	bin/demo

test:
	bin/test

setup:
	bin/setup dev test

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .
