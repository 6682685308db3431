# Two commands for a new user: `make run` and `make test`. Only Python 3.11 and make are needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installe

.PHONY: install run test lint audit pytest bench clean

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

# Known vulnerabilities of the pinned set, with pip-audit (docs/securite.md, « Déploiement »).
audit: install
	$(BIN)/python scripts/audit_dependances.py

test: lint audit pytest

bench: install
	# --- Bancs (issue 8) : tous les bancs, un tableau, var/bench/resultats.csv et docs/bench-derniers-resultats.csv
	$(BIN)/python bench/tout.py --docs

clean:
	rm -rf $(VENV) var
