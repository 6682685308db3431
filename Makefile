# Two commands for a new user: `make run` and `make test`. Only Python 3.11 and make are needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installe

.PHONY: install run test lint pytest bench clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[test]'
	touch $(STAMP)

run: install
	$(BIN)/python manage.py lancer --preparer

lint: install
	$(BIN)/ruff check .

pytest: install
	bash scripts/paquets-systeme.sh
	$(BIN)/python -m pytest

test: lint pytest

bench: install
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var
