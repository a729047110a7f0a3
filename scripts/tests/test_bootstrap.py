"""scripts/bootstrap.sh (`make deps`): quiet and well under a second when everything is installed;
Spin 3.6.3 installed into the project where none is on PATH, never unchecked."""

import os
import re
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = ROOT / "scripts" / "bootstrap.sh"


def bootstrap(env=None) -> subprocess.CompletedProcess:
    return subprocess.run([BOOTSTRAP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_every_python_tool_is_pinned():
    # The quick check compares installed versions with `==` pins; a range would mean a pip run each time.
    lines = [line.split("#", 1)[0].strip() for line in (ROOT / "requirements-dev.txt").read_text().splitlines()]
    unpinned = [line for line in lines if line and not re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.]+", line)]
    assert unpinned == []


def test_with_everything_installed_it_installs_nothing_and_takes_well_under_a_second():
    first = bootstrap()  # installs whatever a fresh machine still lacks
    assert first.returncode == 0, first.stderr
    timings = []
    for _ in range(3):
        started = time.monotonic()
        again = bootstrap()
        timings.append(time.monotonic() - started)
        assert again.returncode == 0, again.stderr
        assert again.stdout + again.stderr == "", "nothing to install, nothing to say"
    assert min(timings) < 0.8, f"bootstrap took {timings} s with everything installed"


def without_spin_on_path() -> dict:
    dirs = os.environ["PATH"].split(os.pathsep)
    return {**os.environ, "PATH": os.pathsep.join(d for d in dirs if not (Path(d) / "spin").exists())}


def test_without_spin_it_installs_the_shared_spin_into_the_project(tmp_path):
    env = {**without_spin_on_path(), "SPIN_DIR": str(tmp_path / "spin")}
    result = bootstrap(env)
    assert result.returncode == 0, result.stderr
    assert "installing Spin 3.6.3" in result.stderr
    version = subprocess.run([tmp_path / "spin/bin/spin", "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("spin 3.6.3")
    again = bootstrap(env)
    assert again.returncode == 0 and again.stderr == "", "installed once, then found"


def test_without_a_pinned_digest_the_release_is_refused(tmp_path):
    env = {**without_spin_on_path(), "SPIN_DIR": str(tmp_path / "spin"), "SPIN_SHARED": str(tmp_path / "none")}
    result = bootstrap(env)
    assert result.returncode != 0
    assert "no pinned SHA-256 for spin-v3.6.3-linux-amd64.tar.gz" in result.stderr
    assert not (tmp_path / "spin/bin/spin").exists()
