# GridEdge's entry points. The README's two set-up commands are `make demo` and `make test`.
# Every target installs what it needs itself (cached under $GRIDEDGE_CACHE_DIR).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help demo demo-stop test test-unit lint bench lock provision clean

help:
	@echo "make demo       run GridEdge's main job on its embedded default (local end-to-end demo)"
	@echo "make demo-stop  stop the services the demo left running (the Airflow UI)"
	@echo "make test       provision Kafka + two Kubernetes control planes, lint, type-check, run all tests"
	@echo "make test-unit  the fast unit-only subset (no services), for the inner loop"
	@echo "make lint       ruff + mypy + import-linter only"
	@echo "make bench      benchmarks; writes bench/results.md"
	@echo "make provision  build/download every cached binary without running tests"

demo:
	@bash scripts/demo.sh

demo-stop:
	@source scripts/env.sh && python -m gridedge.demo stop

test:
	@bash scripts/test.sh

test-unit:
	@bash scripts/test.sh --unit

lint:
	@source scripts/env.sh && ruff check . && ruff format --check . && mypy && lint-imports --no-cache

bench:
	@source scripts/env.sh && python -m bench

provision:
	@bash scripts/bootstrap_python.sh >/dev/null && bash scripts/provision_kafka.sh && bash scripts/provision_k8s.sh

lock:
	@bash scripts/lock.sh

clean:
	rm -rf .gridedge
