//! Everything wrong with an app is reported when the host starts, naming what is wrong.

use crate::common;

use common::{probe_manifest, start_app};

async fn start_error(manifest: &str) -> String {
    let error = start_app(manifest, &[]).await.err().expect("start-up must fail");
    format!("{error:#}")
}

#[tokio::test]
async fn unknown_keys_and_bad_values_are_named() {
    let error = start_error(&probe_manifest("key_value_stores = [\"default\"]")).await;
    assert!(error.contains("key_value_stores"), "{error}");
    let error = start_error(&probe_manifest("allowed_outbound_hosts = \"http://x\"")).await;
    assert!(error.contains("allowed_outbound_hosts"), "{error}");
}

#[tokio::test]
async fn invalid_allowed_hosts_are_named() {
    let error = start_error(&probe_manifest("allowed_outbound_hosts = [\"example.com\"]")).await;
    assert!(error.contains("component.probe.allowed_outbound_hosts") && error.contains("example.com"), "{error}");
}

#[tokio::test]
async fn templates_must_refer_to_defined_variables() {
    let error = start_error(&probe_manifest("[component.probe.variables]\nurl = \"{{ nowhere }}\"")).await;
    assert!(error.contains("component.probe.variables.url") && error.contains("nowhere"), "{error}");
}

#[tokio::test]
async fn a_missing_component_file_is_named() {
    let manifest = probe_manifest("").replace("{probe}", "/nonexistent/probe.wasm");
    let error = start_error(&manifest).await;
    assert!(error.contains("component.probe.source") && error.contains("/nonexistent/probe.wasm"), "{error}");
}

#[tokio::test]
async fn a_file_that_is_not_a_component_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("bogus.wasm");
    std::fs::write(&bogus, b"not wasm").unwrap();
    let error = start_error(&probe_manifest("").replace("{probe}", &bogus.display().to_string())).await;
    assert!(error.contains("bogus.wasm"), "{error}");
}
