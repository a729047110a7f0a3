#!/usr/bin/env bash
# bootstrap.sh (`make deps`, run first by `make up`, `make test` and so `.ci/run`): installs what
# building, serving, testing and linting need and is missing, and says what it installs. Idempotent;
# a fraction of a second when everything is there. Needs Rust via rustup, and root or sudo for apt.
# Spin: the Makefile puts the shared Spin 3.6.3 (../shared/tools/spin) on PATH; under CI (CI set)
# a missing `spin` is an error, elsewhere `make up` then serves with the project's own host.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_TARGET=wasm32-wasip2
CARGO_MACHETE_VERSION=0.9.2

installing() {
  printf '==> bootstrap: installing %s\n' "$*" >&2
}

fail() {
  printf 'bootstrap: %s\n' "$*" >&2
  exit 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    fail "installing Debian packages needs root or sudo: $*"
  fi
}

rust_toolchain() {
  command -v rustup >/dev/null || fail "Rust is missing: install it with rustup (https://rustup.rs), then run make again"
  local sysroot
  sysroot=$(rustc --print sysroot)
  if [ ! -d "$sysroot/lib/rustlib/$WASM_TARGET" ]; then
    installing "the Rust target $WASM_TARGET (rustup)"
    rustup target add "$WASM_TARGET"
  fi
  if [ ! -x "$sysroot/bin/rustfmt" ] || [ ! -x "$sysroot/bin/cargo-clippy" ]; then
    installing "rustfmt and clippy (rustup)"
    rustup component add rustfmt clippy
  fi
  if [ "$(cargo-machete --version 2>/dev/null)" != "$CARGO_MACHETE_VERSION" ]; then
    installing "cargo-machete $CARGO_MACHETE_VERSION (cargo install)"
    cargo install --quiet --locked "cargo-machete@$CARGO_MACHETE_VERSION"
  fi
}

# Debian packages: PostgreSQL 15 for the tests and `make up`, Chromium and its driver for the
# browser test, age for the secrets, a local OCI registry for the artifact test (`spin registry
# push`), curl and xz for the scripts (and the shared Spin archive).
debian_packages() {
  local missing=()
  [ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v age-keygen >/dev/null || missing+=(age)
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  command -v curl >/dev/null || missing+=(curl)
  command -v xz >/dev/null || missing+=(xz-utils)
  command -v runuser >/dev/null || missing+=(util-linux)
  [ ${#missing[@]} -eq 0 ] && return
  installing "${missing[*]} (apt)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# requirements-dev.txt pins every tool (`name==version`), so a version lookup per line tells what
# pip has to do without pip's own (slow) resolver.
python_tools() {
  local missing
  missing=$(python3 - requirements-dev.txt <<'EOF'
import sys
from importlib.metadata import PackageNotFoundError, version

for line in open(sys.argv[1]):
    requirement = line.split("#", 1)[0].strip()
    if not requirement:
        continue
    name, _, pinned = requirement.partition("==")
    try:
        if version(name) != pinned:
            print(requirement)
    except PackageNotFoundError:
        print(requirement)
EOF
  )
  [ -z "$missing" ] && return
  installing "$(echo "$missing" | tr '\n' ' ')(pip)"
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  # pyenv only finds new commands (sops, ruff, ...) through shims made by a rehash.
  if command -v pyenv >/dev/null; then pyenv rehash; fi
}

spin_runtime() {
  command -v spin >/dev/null && return
  [ -z "${CI:-}" ] || fail "CI tests under the real Spin, and no \`spin\` is on PATH (expected ../shared/tools/spin/install.sh beside the repository, or an installed Spin 3.6)"
}

rust_toolchain
debian_packages
python_tools
spin_runtime
