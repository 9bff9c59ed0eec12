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

# Debian packages the tests use as real peers, each checked by a file it installs: mbpoll (an
# independent Modbus master), chromium and a CJK font (the console in real Chromium; never
# `playwright install`), mosquitto and postgresql (the district uplink and store).
APT_NEEDS := mbpoll:/usr/bin/mbpoll chromium:/usr/bin/chromium \
	fonts-wqy-microhei:/usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
	mosquitto:/usr/sbin/mosquitto postgresql:/usr/lib/postgresql/*/bin/initdb

tools:
	@missing=""; for need in $(APT_NEEDS); do \
	  ls $${need#*:} >/dev/null 2>&1 || missing="$$missing $${need%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "installing Debian packages:$$missing"; \
	  $$SUDO apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; fi

demo: $(STAMP) tools
	$(BIN)/campusguard demo

test: $(STAMP) tools
# --dist loadfile: a test module that shares one simulated campus runs on one worker, in order
# (xdist_group marks are not honoured by this pytest/xdist pair: checked, they split).
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

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
