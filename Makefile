# The two commands of the README: `make run` and `make test`. Both install into .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test bench docs lint clean registry-resign

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: install
	$(BIN)/verifier serve --host 127.0.0.1 --port 8000

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/run.py
	$(BIN)/python bench/screen.py

# The documentation site (docs/, mkdocs.yml): --strict, so a broken link or page fails.
docs: install
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# The monthly re-signing (docs/registry.md): serial+1, issued_at=now, expires_at=now+60 days,
# signed with the maintainers' key, checked with the stock minisign against a pinned key, then
# the registry tests. KEY is the maintainers' minisign secret key; it never enters this repo.
registry-resign: install
	@test -n "$(KEY)" || { echo "usage: make registry-resign KEY=/path/to/registry-primary.key (the maintainers' minisign secret key; the backup key if the primary is lost)" >&2; exit 2; }
	@command -v minisign >/dev/null || { echo "the stock minisign is needed to check the result: apt-get install minisign" >&2; exit 2; }
	$(BIN)/verifier registry sign --key "$(KEY)" --bump
	@ok=; for pub in verifier/keys/*.pub; do \
	  minisign -Vm data/official_channels.json -H -p "$$pub" && { ok=$$pub; break; }; \
	done; test -n "$$ok" || { echo "stock minisign could not verify data/official_channels.json with any pinned key" >&2; exit 1; }
	VERIFIER_REQUIRE_MINISIGN=1 $(BIN)/python -m pytest -q tests/test_shipped_registry.py tests/test_minisign_interop.py tests/test_trust.py
	@echo "now commit data/official_channels.json and its .minisig, publish both, and reload the servers (docs/registry.md)"

clean:
	rm -rf $(VENV) var build *.egg-info
