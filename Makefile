# CampusGuard — everything installs from nothing: python3, make and git are all this needs.
# `make demo` and `make test` create .venv and install into it when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test bench lint docs tools clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian peers used by the tests: mbpoll is an independent Modbus master; chromium runs the console.
tools:
	@command -v mbpoll >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "installing mbpoll (Debian package)"; \
	  $$SUDO apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq mbpoll >/dev/null; }
	@# The guard console's tests drive Debian's chromium (never `playwright install`).
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "installing chromium (Debian package)"; \
	  $$SUDO apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@# ... and a CJK font, or the Chinese console renders as empty boxes.
	@test -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "installing fonts-wqy-microhei (Debian package)"; \
	  $$SUDO apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null; }

demo: $(STAMP) tools
	$(BIN)/campusguard demo

test: $(STAMP) tools
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# BENCH_ARGS="--quick" for a 2-minute run; "--trials 20 --report docs/BENCHMARKS.md" for a report.
BENCH_ARGS ?=
bench: $(STAMP) tools
	$(BIN)/campusguard bench --out bench-results $(BENCH_ARGS)

docs: $(STAMP)
	$(BIN)/python tools/gen_register_doc.py --write docs/registers.md

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) bench-results .pytest_cache
