//! `devhost up --from spin.toml --listen 127.0.0.1:3000`: serve a Spin app until SIGINT/SIGTERM.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::signal::unix::{SignalKind, signal};

const USAGE: &str = "usage: devhost up [--from spin.toml] [--listen 127.0.0.1:3000] [--variable name=value]...
                  [--request-timeout 30s] [--max-instance-memory BYTES]
Application variables are also read from SPIN_VARIABLE_<NAME> environment variables, the memory
limit from SPIN_MAX_INSTANCE_MEMORY.";

fn main() {
    if let Err(error) = run() {
        eprintln!("devhost: {error:#}");
        std::process::exit(1);
    }
}

/// Serves on a runtime of its own and waits for the signal on the main thread: a guest stuck
/// in a loop holds its worker thread for good (without `--request-timeout` nothing preempts
/// it, as in Spin), and every worker may be held so.
fn run() -> Result<()> {
    let options = parse_args(std::env::args().skip(1))?;
    let serving = tokio::runtime::Runtime::new()?;
    let host = serving.block_on(devhost::start(options))?;
    println!("Serving http://{}", host.addr());

    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(stop_signal())?;
    eprintln!("devhost: shutting down, finishing in-flight requests");
    let (stopped, finished) = std::sync::mpsc::channel();
    serving.spawn(async move {
        host.shutdown().await;
        let _ = stopped.send(());
    });
    if finished.recv_timeout(devhost::SHUTDOWN_GRACE + Duration::from_secs(1)).is_err() {
        eprintln!("devhost: a guest is still running after {:?}, stopping anyway", devhost::SHUTDOWN_GRACE);
    }
    // Dropping the runtime would wait for the worker threads, which a looping guest never frees.
    std::process::exit(0);
}

async fn stop_signal() -> Result<()> {
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    Ok(())
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<devhost::HostOptions> {
    if args.next().as_deref() != Some("up") {
        bail!("{USAGE}");
    }
    let mut manifest = PathBuf::from("spin.toml");
    let mut listen: SocketAddr = "127.0.0.1:3000".parse()?;
    // `--variable` wins over the environment, as in `spin up`.
    let mut variables: HashMap<String, String> = devhost::overrides_from_env(std::env::vars());
    let mut limits = devhost::GuestLimits {
        request_timeout: None,
        max_instance_memory: std::env::var("SPIN_MAX_INSTANCE_MEMORY")
            .ok()
            .map(|bytes| parse_bytes(&bytes))
            .transpose()?,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--from" | "-f" => manifest = value()?.into(),
            "--listen" => listen = value()?.parse().context("--listen takes an address like 127.0.0.1:3000")?,
            "--variable" => {
                let pair = value()?;
                let (name, value) = pair.split_once('=').context("--variable takes name=value")?;
                variables.insert(name.to_owned(), value.to_owned());
            }
            "--request-timeout" => {
                let text = value()?;
                limits.request_timeout =
                    Some(devhost::parse_duration(&text).with_context(|| {
                        format!("--request-timeout takes a duration like 30s or 500ms, not {text:?}")
                    })?);
            }
            "--max-instance-memory" => limits.max_instance_memory = Some(parse_bytes(&value()?)?),
            _ => bail!("unknown argument {flag:?}\n{USAGE}"),
        }
    }
    Ok(devhost::HostOptions { manifest, listen, variables, limits })
}

fn parse_bytes(text: &str) -> Result<usize> {
    text.parse().with_context(|| format!("the instance memory limit is a number of bytes, not {text:?}"))
}
