//! The import contract holds for every component the repository builds: the components of
//! the root `spin.toml` and the host's test fixtures (all built by `make build-wasm`).

use std::path::PathBuf;

use devhost::contract::{Contract, manifest_components};

fn fixture_components() -> Vec<(String, PathBuf)> {
    let fixtures = testkit::workspace_root().join("crates/devhost/fixtures");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let cargo_toml = std::fs::read_to_string(entry.unwrap().path().join("Cargo.toml")).unwrap();
        let manifest: toml::Table = toml::from_str(&cargo_toml).unwrap();
        let name = manifest["package"]["name"].as_str().unwrap().to_owned();
        found.push((name.clone(), testkit::wasm(&name.replace('-', "_"))));
    }
    found
}

#[test]
fn every_built_component_imports_only_the_wit_world() {
    let contract = Contract::project().unwrap();
    let mut components = manifest_components(&testkit::workspace_root().join("spin.toml")).unwrap();
    components.extend(fixture_components());
    assert!(
        components.len() >= 8,
        "expected the app's six components and the fixtures: {components:?}"
    );

    let failures: Vec<String> = components
        .iter()
        .filter_map(|(id, path)| {
            contract
                .check_file(path)
                .err()
                .map(|e| format!("{id}: {e:#}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "components breaking the contract:\n{}",
        failures.join("\n")
    );
}
