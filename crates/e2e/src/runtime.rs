//! The runtimes an app can be served by: real Spin 3.6.3 (`spin up`, what SpinKube's shim
//! embeds), the same shaped as the deployment (one Spin per SpinApp behind the Ingress's routes),
//! and the project's host (`devhost up`, the fallback without Spin).

use std::path::PathBuf;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// `spin up` of the whole manifest.
    Spin,
    /// Each SpinApp of k8s/base/spinapps as its own `spin up --component-id ...` (SpinKube's
    /// selective deployment), behind a proxy that routes as k8s/base/ingress.yaml does.
    SpinKube,
    Devhost,
}

impl Runtime {
    /// This runtime, if it can run here: devhost always, Spin when a `spin` binary is on `PATH`.
    /// Without one a test on Spin is skipped with a note, except under CI (`CI` set), where
    /// testing only our own host would be a silent gap.
    pub fn available(self) -> Option<Runtime> {
        if self == Runtime::Devhost || spin_binary().is_some() {
            return Some(self);
        }
        assert!(std::env::var_os("CI").is_none(), "CI runs every end-to-end test on Spin, and no `spin` is on PATH");
        eprintln!("skipped: no `spin` on PATH (`make test` puts the shared Spin 3.6.3 there)");
        None
    }

    pub fn name(self) -> &'static str {
        match self {
            Runtime::Spin => "spin",
            Runtime::SpinKube => "spinkube",
            Runtime::Devhost => "devhost",
        }
    }

    /// The executable serving apps on this runtime.
    pub(crate) fn program(self) -> PathBuf {
        match self {
            Runtime::Spin | Runtime::SpinKube => {
                spin_binary().clone().expect("Runtime::Spin only exists when spin is installed")
            }
            Runtime::Devhost => {
                let path = testkit::workspace_root().join("target/release/devhost");
                assert!(path.exists(), "{} is missing: run `make build-native` first", path.display());
                path
            }
        }
    }
}

fn spin_binary() -> &'static Option<PathBuf> {
    static SPIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    SPIN.get_or_init(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path).map(|dir| dir.join("spin")).find(|candidate| candidate.is_file())
    })
}
