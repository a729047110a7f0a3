//! `devhost up --from spin.toml --listen 127.0.0.1:3000`: serve a Spin app until SIGINT/SIGTERM.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use tokio::signal::unix::{SignalKind, signal};

const USAGE: &str =
    "usage: devhost up [--from spin.toml] [--listen 127.0.0.1:3000] [--variable name=value]...
Application variables are also read from SPIN_VARIABLE_<NAME> environment variables.";

#[tokio::main]
async fn main() {
    if let Err(error) = run().await {
        eprintln!("devhost: {error:#}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let options = parse_args(std::env::args().skip(1))?;
    let host = devhost::start(options).await?;
    println!("Serving http://{}", host.addr());

    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    eprintln!("devhost: shutting down, finishing in-flight requests");
    host.shutdown().await;
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
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--from" | "-f" => manifest = value()?.into(),
            "--listen" => {
                listen = value()?
                    .parse()
                    .context("--listen takes an address like 127.0.0.1:3000")?
            }
            "--variable" => {
                let pair = value()?;
                let (name, value) = pair
                    .split_once('=')
                    .context("--variable takes name=value")?;
                variables.insert(name.to_owned(), value.to_owned());
            }
            _ => bail!("unknown argument {flag:?}\n{USAGE}"),
        }
    }
    Ok(devhost::HostOptions {
        manifest,
        listen,
        variables,
    })
}
