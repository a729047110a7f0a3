"""A throwaway PostgreSQL 15 shaped like a Cloud SQL instance, for the role bootstrap of
infra/cluster/sql/roles.sql.tftpl.

Cloud SQL's own superuser is hidden from customers; every user or database created through
its API is what `api_user` and `api_database` make here: a LOGIN role with CREATEROLE and
CREATEDB in cloudsqlsuperuser, a database owned by cloudsqlsuperuser. Clients log in over TCP
with a password (scram-sha-256), as they do through the Cloud SQL Auth Proxy."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER = "cloudsqladmin"


class SqlError(Exception):
    pass


def available() -> bool:
    return (PG_BIN / "postgres").exists() and shutil.which("runuser") is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CloudSqlLike:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="todo-roles-"))
        self.dir.chmod(0o755)
        self.data = self.dir / "data"
        self.port = _free_port()
        self.passwords: dict[str, str] = {}

    def _as_postgres(self, *command: str, **kwargs) -> subprocess.CompletedProcess:
        user = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        return subprocess.run([*user, *command], capture_output=True, text=True, timeout=120, **kwargs)

    def start(self) -> "CloudSqlLike":
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        init = self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                                 "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8")
        if init.returncode != 0:
            raise SqlError(init.stderr)
        started = self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.dir / "log"),
            "-o", f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir}", "start")
        if started.returncode != 0:
            raise SqlError(started.stderr + (self.dir / "log").read_text())
        self.superuser("CREATE ROLE cloudsqlsuperuser NOLOGIN CREATEROLE CREATEDB")
        return self

    def stop(self) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def superuser(self, sql: str, database: str = "postgres") -> str:
        """What Cloud SQL's hidden superuser does (over the local socket)."""
        return self._psql(["-h", str(self.dir), "-U", SUPERUSER, "-d", database], sql, env=os.environ)

    def api_user(self, name: str, password: str) -> None:
        """google_sql_user: a member of cloudsqlsuperuser with CREATEROLE and CREATEDB."""
        self.superuser(f"CREATE ROLE {name} LOGIN PASSWORD '{password}' CREATEROLE CREATEDB IN ROLE cloudsqlsuperuser")
        self.passwords[name] = password

    def api_database(self, name: str) -> None:
        """google_sql_database: owned by cloudsqlsuperuser."""
        self.superuser(f"CREATE DATABASE {name} OWNER cloudsqlsuperuser")

    def as_user(self, user: str, database: str, sql: str) -> str:
        """`sql` run by `user` logged in with its password over TCP; SqlError on any error."""
        env = {**os.environ, "PGPASSWORD": self.passwords[user]}
        return self._psql(["-h", "127.0.0.1", "-U", user, "-d", database], sql, env=env)

    def _psql(self, target: list[str], sql: str, env) -> str:
        for _ in range(50):
            result = subprocess.run(
                [str(PG_BIN / "psql"), "-p", str(self.port), *target, "-X", "-q", "-t", "-A",
                 "-v", "ON_ERROR_STOP=1", "-c", sql] if "\n" not in sql else
                [str(PG_BIN / "psql"), "-p", str(self.port), *target, "-X", "-q", "-t", "-A",
                 "-v", "ON_ERROR_STOP=1", "-f", "-"],
                input=sql if "\n" in sql else None, capture_output=True, text=True, timeout=60, env=env,
            )
            if "the database system is starting up" not in result.stderr:
                break
            time.sleep(0.1)
        if result.returncode != 0:
            raise SqlError(result.stderr.strip())
        return result.stdout.strip()
