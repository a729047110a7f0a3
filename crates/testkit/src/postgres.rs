//! Throwaway PostgreSQL servers for tests: a fresh data directory, a free port, trust auth on
//! 127.0.0.1 only, and no trace left when the test process ends.

use std::ffi::CString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::free_port;
use crate::process::spawn_tied_to_process;

/// The database bounds every `db_url` carries (scripts/db-url-bounds, one line read by the
/// scripts too): a 5 s TCP connect, keepalives that notice a vanished server within about a
/// minute, and statements or lock waits ended by the server after 10 s / 5 s. Spin 3.6 adds
/// none of its own.
const DB_URL_BOUNDS: &str = include_str!("../../../scripts/db-url-bounds");

/// A database of a [`Postgres`]: its name (for `psql`) and its connection URL.
#[derive(Debug, Clone)]
pub struct Database {
    pub name: String,
    pub url: String,
}

/// A PostgreSQL server owned by the test process.
pub struct Postgres {
    port: u16,
    data_dir: TempDir,
    bin_dir: PathBuf,
    owner: Option<(u32, u32)>,
    server: Mutex<Option<Child>>,
    databases_created: AtomicU32,
}

impl Postgres {
    /// Initialises a data directory and starts a server on a free port.
    ///
    /// PostgreSQL refuses to run as root, so when the tests run as root the server runs as
    /// the `postgres` user.
    pub fn start() -> Postgres {
        let bin_dir = postgres_bin_dir();
        let owner = unprivileged_owner();
        let data_dir = tempfile::Builder::new().prefix("testkit-pg-").tempdir().expect("temp dir");
        if let Some((uid, gid)) = owner {
            chown(data_dir.path(), uid, gid);
        }
        let mut initdb = Command::new(bin_dir.join("initdb"));
        initdb
            .arg("--pgdata")
            .arg(data_dir.path().join("data"))
            .args(["--username=postgres", "--auth=trust", "--encoding=UTF8", "--no-sync"])
            .stdout(Stdio::null());
        run_as(&mut initdb, owner);
        let status = initdb.status().expect("run initdb");
        assert!(status.success(), "initdb failed: {status}");

        let postgres = Postgres {
            port: free_port(),
            data_dir,
            bin_dir,
            owner,
            server: Mutex::new(None),
            databases_created: AtomicU32::new(0),
        };
        postgres.start_again();
        postgres
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `host:port`, the form `allowed_outbound_hosts` takes after `postgres://`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A connection URL for `database` (TLS disabled: a local test server has no certificate),
    /// with the bounds that `make up` and the Kubernetes secret put in theirs.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}?sslmode=disable&{}", self.port, DB_URL_BOUNDS.trim_end())
    }

    /// Creates an empty database with a unique name.
    pub fn create_database(&self) -> Database {
        let n = self.databases_created.fetch_add(1, Ordering::Relaxed);
        let name = format!("test_{}_{n}", std::process::id());
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        Database { url: self.url(&name), name }
    }

    /// Runs one SQL command with `psql` and returns its unaligned output.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        String::from_utf8(self.run_psql(database, sql).stdout).expect("psql prints UTF-8")
    }

    /// Runs SQL with `psql` and returns the messages the server sent beside the results: notices,
    /// and log lines when `client_min_messages` asks for them (auto_explain's plans).
    pub fn psql_messages(&self, database: &str, sql: &str) -> String {
        String::from_utf8(self.run_psql(database, sql).stderr).expect("psql prints UTF-8")
    }

    fn run_psql(&self, database: &str, sql: &str) -> std::process::Output {
        let output = Command::new(self.bin_dir.join("psql"))
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres"])
            .args(["-p", &self.port.to_string(), "-d", database, "-c", sql])
            .output()
            .expect("run psql");
        assert!(output.status.success(), "psql {sql:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        output
    }

    /// Stops the server (fast shutdown: open connections are closed, data is kept).
    pub fn stop(&self) {
        if let Some(mut server) = self.server.lock().unwrap().take() {
            signal(&server, libc::SIGINT);
            server.wait().expect("wait for postgres to stop");
        }
    }

    /// Starts the server again on the same port and data, after `stop`.
    pub fn start_again(&self) {
        let mut server = self.server.lock().unwrap();
        assert!(server.is_none(), "postgres is already running");
        let data = self.data_dir.path().join("data");
        let mut command = Command::new(self.bin_dir.join("postgres"));
        command
            .arg("-D")
            .arg(&data)
            .args(["-p", &self.port.to_string(), "-c", "listen_addresses=127.0.0.1"])
            .arg("-c")
            .arg(format!("unix_socket_directories={}", self.data_dir.path().display()))
            // Durability is not what these tests measure; speed is welcome.
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
            // Several hosts, each with a pool of up to 64 connections, may share one server.
            .args(["-c", "max_connections=500", "-c", "shared_buffers=64MB"])
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(self.data_dir.path().join("server.log")).expect("log file")));
        run_as(&mut command, self.owner);
        *server = Some(spawn_tied_to_process(command).expect("spawn postgres"));
        drop(server);
        self.wait_until_ready();
    }

    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = Command::new(self.bin_dir.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .expect("run pg_isready")
                .success();
            if ready {
                return;
            }
            assert!(Instant::now() < deadline, "postgres did not start: see {}", self.log_path().display());
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn log_path(&self) -> PathBuf {
        self.data_dir.path().join("server.log")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(mut server) = self.server.get_mut().unwrap().take() {
            // Immediate shutdown: the data directory is deleted next anyway.
            signal(&server, libc::SIGQUIT);
            let _ = server.wait();
        }
    }
}

/// One server per test binary, for tests that only need a fresh database
/// (`shared_postgres().create_database()`). It is stopped and deleted when the process exits.
pub fn shared_postgres() -> &'static Postgres {
    static SHARED: OnceLock<Postgres> = OnceLock::new();
    SHARED.get_or_init(|| {
        extern "C" fn stop_shared() {
            if let Some(postgres) = SHARED.get() {
                if let Some(mut server) = postgres.server.lock().unwrap().take() {
                    signal(&server, libc::SIGQUIT);
                    let _ = server.wait();
                }
                let _ = std::fs::remove_dir_all(postgres.data_dir.path());
            }
        }
        // SAFETY: registering a plain `extern "C" fn` with no captured state.
        unsafe { libc::atexit(stop_shared) };
        Postgres::start()
    })
}

fn signal(child: &Child, signal: i32) {
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as libc::pid_t, signal) };
}

fn run_as(command: &mut Command, owner: Option<(u32, u32)>) {
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
    }
}

/// The `postgres` user's uid and gid when running as root, else `None`.
fn unprivileged_owner() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let name = CString::new("postgres").unwrap();
    // SAFETY: getpwnam returns a pointer to static storage or null; read once, right away.
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    assert!(!entry.is_null(), "running as root needs a `postgres` user to run PostgreSQL");
    // SAFETY: checked non-null above.
    let entry = unsafe { &*entry };
    Some((entry.pw_uid, entry.pw_gid))
}

fn chown(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown the data directory");
}

/// Where `initdb`, `postgres`, `pg_isready` and `psql` live: `$PG_BIN`, or the newest
/// Debian-style `/usr/lib/postgresql/<version>/bin`.
fn postgres_bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("PostgreSQL server binaries not found: install postgresql or set PG_BIN")
}
