use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The repository root (the directory of the workspace `Cargo.toml`).
pub fn workspace_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .expect("crates/testkit sits two levels below the workspace root")
            .to_path_buf()
    })
}

/// Path of a built Wasm component, e.g. `wasm("todos_list")`.
///
/// Components are built by `make build-wasm` before `cargo test` (a nested cargo build from a
/// test would fight over the target directory lock).
pub fn wasm(name: &str) -> PathBuf {
    let path = workspace_root().join(format!("target/wasm32-wasip2/release/{name}.wasm"));
    assert!(path.exists(), "{} is missing: run `make build-wasm` first", path.display());
    path
}

/// A TCP port that was free a moment ago on 127.0.0.1, for servers that cannot bind port 0 and
/// report back (PostgreSQL) or tests of an address where nothing listens. Never the same port
/// twice in one test process, so two tests running in parallel are never handed one port; a
/// port the kernel gives out again after its release is skipped.
pub fn free_port() -> u16 {
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let mut handed_out = HANDED_OUT.lock().unwrap();
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("bind an ephemeral port on 127.0.0.1")
            .port();
        if handed_out.insert(port) {
            return port;
        }
    }
}
