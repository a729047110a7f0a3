"""scripts/bootstrap.sh (`make deps`): quiet and well under a second when everything is installed,
and under CI, loud when no `spin` is found."""

import os
import re
import shutil
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


def test_under_ci_a_missing_spin_is_an_error():
    spin = shutil.which("spin")
    dirs = os.environ["PATH"].split(os.pathsep)
    path = os.pathsep.join(d for d in dirs if not (Path(d) / "spin").exists())
    result = bootstrap({**os.environ, "CI": "true", "PATH": path})
    assert result.returncode != 0, f"passed without spin (spin on PATH was {spin})"
    assert "no `spin` is on PATH" in result.stderr
