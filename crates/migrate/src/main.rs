//! `migrate [--database-url URL]`: brings the database at URL (or `$DATABASE_URL`, better for
//! a secret: arguments are visible in the process list) up to date.

use anyhow::Context as _;
use std::process::ExitCode;

const USAGE: &str = "usage: migrate [--database-url URL]   (default: $DATABASE_URL)";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let url = match database_url() {
        Ok(url) => url,
        Err(error) => {
            eprintln!("migrate: {error:#}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match migrate::run(&url).await {
        Ok(report) => {
            println!("migrate: {report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("migrate: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn database_url() -> anyhow::Result<String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => std::env::var("DATABASE_URL").context("DATABASE_URL is not set"),
        [flag, url] if flag == "--database-url" => Ok(url.clone()),
        _ => anyhow::bail!("unexpected arguments {args:?}"),
    }
}
