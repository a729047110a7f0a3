"""`make up` stopped by TERM to its process group, as a terminal's Ctrl-C or a supervisor does, at
any moment from PostgreSQL's start to serving, leaves no process behind; a PostgreSQL that an
earlier run left running is stopped with a message, and the run serves."""

import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILT = [ROOT / "target/release/migrate", ROOT / "target/release/image-sidecar"]
# When to stop: as soon as make up has said that line. The first run initialises the data
# directory (initdb), the next ones start the existing one (pg_ctl start, the riskiest moment).
STOP_AT = ["starting PostgreSQL", "ready:", "starting PostgreSQL", "starting PostgreSQL", "starting PostgreSQL",
           "applying migrations", "starting the image sidecar", "serving with", "ready:", "ready:"]


def running(stat: str) -> bool:
    """From a /proc/PID/stat line: not a zombie (one waits for its adopter to reap it)."""
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", autouse=True)
def built():
    missing = [str(p.relative_to(ROOT)) for p in BUILT if not p.exists()]
    assert not missing, f"run `make build` first: {missing} missing"


@pytest.fixture
def dev_dir():
    # Not under pytest's tmp_path (mode 700): the postgres user must reach the data directory.
    with tempfile.TemporaryDirectory(prefix="todo-up-test.") as directory:
        os.chmod(directory, 0o755)
        yield Path(directory) / "dev"


class MakeUp:
    def __init__(self, dev_dir: Path):
        self.dev_dir = dev_dir
        self.ports = {"LISTEN": free_port(), "IMAGE_LISTEN": free_port(), "PG_PORT": free_port()}
        self.log = dev_dir.parent / "make-up.log"
        env = {k: v for k, v in os.environ.items() if k != "DB_URL"}
        env.update(DEV_DIR=str(dev_dir), PG_PORT=str(self.ports["PG_PORT"]),
                   LISTEN=f"127.0.0.1:{self.ports['LISTEN']}", IMAGE_LISTEN=f"127.0.0.1:{self.ports['IMAGE_LISTEN']}")
        # `-o build-served`: the build is `make test`'s own step; what is tested is up's start and stop.
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(["make", "-s", "-o", "build-served", "up"], cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text()

    def wait_for(self, step: str, timeout=60):
        """Until make up has printed `==> {step}`."""
        deadline = time.monotonic() + timeout
        while f"==> {step}" not in self.output():
            assert self.process.poll() is None, f"make up exited early:\n{self.output()}"
            assert time.monotonic() < deadline, f"no `{step}` after {timeout} s:\n{self.output()}"
            time.sleep(0.01)

    def terminate(self, timeout=30):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"make up still running {timeout} s after TERM:\n{self.output()}")

    def leftovers(self) -> list[str]:
        """Processes of its process group, or started on its data directory (the postmaster has a
        session of its own), and ports still listening."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                line = stat.read_text()
                pgid = int(line.rsplit(")", 1)[1].split()[2])
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            if running(line) and (pgid == self.process.pid or str(self.dev_dir) in cmdline):
                found.append(f"pid {stat.parent.name}: {cmdline}")
        for name, port in self.ports.items():
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    found.append(f"{name} {port} still accepts connections")
        if (self.dev_dir / "postgres" / "postmaster.pid").exists():
            found.append("postmaster.pid left in the data directory")
        return found


def test_term_at_any_moment_leaves_no_process_behind(dev_dir):
    for run, step in enumerate(STOP_AT):
        up = MakeUp(dev_dir)
        up.wait_for(step)
        up.terminate()
        assert up.leftovers() == [], f"run {run + 1} (TERM at `{step}`):\n{up.output()}"
        assert "==> stopping PostgreSQL" in up.output()


def test_a_postgres_left_by_an_earlier_run_is_stopped_with_a_message(dev_dir):
    stale = dev_dir / "postgres"
    port = free_port()
    subprocess.run(["bash", "-c", f'source scripts/stack.sh && pg_start "{stale}" {port}'], cwd=ROOT, check=True,
                   timeout=60)
    stale_pid = int((stale / "postmaster.pid").read_text().split()[0])

    up = MakeUp(dev_dir)
    up.wait_for("ready:")
    up.terminate()

    assert "PostgreSQL left running on" in up.output() and f"(pid {stale_pid}): stopping it" in up.output()
    stat = Path(f"/proc/{stale_pid}/stat")
    assert not stat.exists() or not running(stat.read_text()), "the stale postmaster still runs"
    assert up.leftovers() == []


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands PostgreSQL to the postgres user")
def test_as_root_in_a_clone_postgres_cannot_enter_it_serves_with_the_data_elsewhere():
    with tempfile.TemporaryDirectory(prefix="todo-up-private.") as private:
        os.chmod(private, 0o700)  # like a home directory: the postgres user cannot enter
        up = MakeUp(Path(private) / "dev")
        try:
            up.wait_for("ready:")
            assert "the postgres user cannot enter" in up.output()
            data_dir = up.output().split("(data in ", 1)[1].split(")", 1)[0]
        finally:
            up.terminate()
        assert up.leftovers() == [], up.output()
        subprocess.run(["rm", "-rf", data_dir], check=True)
