#!/usr/bin/env bash
# bootstrap.sh (`make deps`, run first by `make up`, `make test` and so `.ci/run`): installs what
# building, serving, testing and linting need and is missing, and says what it installs. Idempotent;
# a fraction of a second when everything is there. Needs Rust via rustup, and root or sudo for apt.
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

# Spin 3.6 (what containerd-shim-spin v0.24 embeds): an installed one when it is 3.6.x, else
# into .tools/ (no root needed; the Makefile puts .tools/spin/bin first on PATH): the shared
# build beside the repository where there is one, otherwise the official release archive for
# this platform, checked against scripts/spin-release.sha256.
# SPIN_DIR and SPIN_SHARED (the shared build's install.sh) are settings for the tests.
SPIN_DIR=${SPIN_DIR:-.tools/spin}
SPIN_SHARED=${SPIN_SHARED:-../shared/tools/spin/install.sh}
spin_runtime() {
  local candidate
  for candidate in "$(command -v spin || true)" "$SPIN_DIR/bin/spin"; do
    [[ -x $candidate && $("$candidate" --version 2>/dev/null) == "spin 3.6."* ]] && return
  done
  local version
  version=$(awk '$1 == "version" { print $2 }' scripts/spin-release.sha256)
  if [ -x "$SPIN_SHARED" ]; then
    installing "Spin $version into $SPIN_DIR (${SPIN_SHARED%/install.sh})"
    rm -rf "$SPIN_DIR"
    local bin
    bin=$("$SPIN_SHARED" "$SPIN_DIR.unpacked")
    mkdir -p "$SPIN_DIR/bin"
    ln -sf "$(cd "$bin" && pwd)/spin" "$SPIN_DIR/bin/spin"
    return
  fi
  local platform archive digest
  platform=$(spin_platform)
  archive="spin-v$version-$platform.tar.gz"
  digest=$(awk -v name="$archive" '$2 == name { print $1 }' scripts/spin-release.sha256)
  [ -n "$digest" ] || fail "no pinned SHA-256 for $archive in scripts/spin-release.sha256: install Spin $version yourself (https://spinframework.dev) and run make again"
  installing "Spin $version into $SPIN_DIR ($archive, SHA-256 checked)"
  local download
  download=$(mktemp -d)
  curl -fsSL -o "$download/$archive" "https://github.com/spinframework/spin/releases/download/v$version/$archive"
  echo "$digest  $download/$archive" | sha256sum --check --strict --quiet || fail "$archive does not match its pinned SHA-256"
  rm -rf "$SPIN_DIR" && mkdir -p "$SPIN_DIR/bin"
  tar -xzf "$download/$archive" -C "$SPIN_DIR/bin" spin
  rm -rf "$download"
}

# The platform part of Spin's release archive names.
spin_platform() {
  local os arch
  case "$(uname -s)" in Linux) os=linux ;; *) fail "make deps installs on Debian or Ubuntu only, not $(uname -s)" ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=aarch64 ;; *) fail "no Spin release for $(uname -m)" ;; esac
  echo "$os-$arch"
}

rust_toolchain
debian_packages
python_tools
spin_runtime
