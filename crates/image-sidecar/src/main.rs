use std::process::ExitCode;

use image_sidecar::{Config, log_fatal, run, termination_signal};

#[tokio::main]
async fn main() -> ExitCode {
    let result = match Config::from_env() {
        Ok(config) => run(config, termination_signal()).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            log_fatal(&error);
            ExitCode::FAILURE
        }
    }
}
