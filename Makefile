# The two commands a newcomer needs: `make up` and `make test`. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
WASM_TARGET := wasm32-wasip2
COMPONENTS := todos-list todo-create todo-update health daily-photo web
FIXTURES := fixture-hello

.PHONY: build build-wasm build-native up test test-rust test-schema test-deploy bench loadtest

## build: every Wasm component (what `spin build` builds) and the native binaries
build: build-wasm build-native

build-wasm:
	$(CARGO) build --release --target $(WASM_TARGET) $(addprefix -p ,$(COMPONENTS) $(FIXTURES))

build-native:
	$(CARGO) build --release -p devhost -p image-sidecar -p migrate

## up: the whole app on http://127.0.0.1:3000 (Postgres, migrations, image sidecar, Spin host)
up: build
	scripts/up.sh

## test: everything CI runs
test: build test-rust test-schema test-deploy

test-rust:
	$(CARGO) test --release --workspace

test-schema:
	@echo "test-schema: not yet"

test-deploy:
	@echo "test-deploy: not yet"

## bench: every endpoint under wrk at 1, 16 and 64 connections, and the host overhead benchmark
## (bench/results/: JSON, Markdown, plot; quoted by BENCHMARKS.md)
bench: build
	bench/run.sh

## loadtest: Locust headless on the original scenario against a throwaway stack
## (`make loadtest USERS=200 SPAWN_RATE=20 DURATION=60s`; CSV and HTML in artifacts/loadtest/)
USERS ?= 20
SPAWN_RATE ?= 10
DURATION ?= 20s
loadtest: build
	USERS=$(USERS) SPAWN_RATE=$(SPAWN_RATE) DURATION=$(DURATION) scripts/with-stack.sh loadtest/run.sh
