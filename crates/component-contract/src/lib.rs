//! The import contract: a built component may import only what the WIT world in `wit/`
//! lists (what Spin 3.6 on SpinKube provides), and must export `wasi:http/incoming-handler`.
//!
//! Versions are compared as the component model links them: `0.2.x` matches any `0.2.y`,
//! `4.0.0` any `4.y.z`, so a component built against another WASI 0.2 patch release passes.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use wasmparser::{Encoding, Parser, Payload};

/// The interfaces of one WIT world, by name (`wasi:io/streams@0.2.6`).
pub struct Contract {
    imports: Vec<String>,
    exports: Vec<String>,
}

impl Contract {
    /// The world `world` (e.g. `component`) of the WIT package in `dir` (e.g. `wit/`).
    pub fn from_wit(dir: &Path, world: &str) -> Result<Self> {
        let mut resolve = wit_parser::Resolve::new();
        let (package, _) = resolve.push_dir(dir).with_context(|| format!("cannot parse WIT in {}", dir.display()))?;
        let world = &resolve.worlds[resolve.select_world(&[package], Some(world))?];
        let names = |items: &wit_parser::IndexMap<wit_parser::WorldKey, wit_parser::WorldItem>| {
            items.keys().map(|key| resolve.name_world_key(key)).collect()
        };
        Ok(Self { imports: names(&world.imports), exports: names(&world.exports) })
    }

    /// The project's contract: the world `component` in the repository's `wit/`.
    pub fn project() -> Result<Self> {
        Self::from_wit(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit"), "component")
    }

    /// Checks a component's binary: every import within the world, every world export
    /// (the HTTP handler) exported.
    pub fn check(&self, wasm: &[u8]) -> Result<()> {
        let (imports, exports) = top_level_names(wasm)?;
        let outside: Vec<&str> = imports
            .iter()
            .filter(|name| !self.imports.iter().any(|allowed| compatible(name, allowed)))
            .map(String::as_str)
            .collect();
        if !outside.is_empty() {
            bail!("imports outside the WIT world: {}", outside.join(", "));
        }
        for required in &self.exports {
            if !exports.iter().any(|name| compatible(name, required)) {
                bail!("does not export {required} (exports: {})", exports.join(", "));
            }
        }
        Ok(())
    }

    pub fn check_file(&self, path: &Path) -> Result<()> {
        let wasm =
            std::fs::read(path).with_context(|| format!("cannot read {} (run `make build`?)", path.display()))?;
        self.check(&wasm).with_context(|| format!("{} breaks the import contract", path.display()))
    }
}

/// Each component of a Spin manifest with its `source` file, resolved against the manifest's
/// directory.
pub fn manifest_components(manifest: &Path) -> Result<Vec<(String, PathBuf)>> {
    let text = std::fs::read_to_string(manifest).with_context(|| format!("cannot read {}", manifest.display()))?;
    let parsed: toml::Table = toml::from_str(&text).with_context(|| format!("{} is not TOML", manifest.display()))?;
    let base = manifest.parent().unwrap_or(Path::new("."));
    let components = parsed.get("component").and_then(toml::Value::as_table).context("no [component.*] tables")?;
    components
        .iter()
        .map(|(id, component)| {
            let source = component.get("source").and_then(toml::Value::as_str);
            let source = source.with_context(|| format!("component {id} has no local `source` file"))?;
            Ok((id.clone(), base.join(source)))
        })
        .collect()
}

/// The import and export names of the outermost component (not of nested ones).
fn top_level_names(wasm: &[u8]) -> Result<(Vec<String>, Vec<String>)> {
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    let mut depth = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.context("not a valid WebAssembly binary")? {
            Payload::Version { encoding, .. } => {
                if depth == 0 && encoding != Encoding::Component {
                    bail!("a core module, not a component");
                }
                depth += 1;
            }
            Payload::End(_) => depth -= 1,
            Payload::ComponentImportSection(section) if depth == 1 => {
                for import in section {
                    imports.push(import?.name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(section) if depth == 1 => {
                for export in section {
                    exports.push(export?.name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    Ok((imports, exports))
}

/// Same interface, and versions the component model would link (`0.2.0` and `0.2.6`).
fn compatible(name: &str, allowed: &str) -> bool {
    let (name, version) = name.split_once('@').unwrap_or((name, ""));
    let (allowed, allowed_version) = allowed.split_once('@').unwrap_or((allowed, ""));
    name == allowed && version_track(version) == version_track(allowed_version)
}

/// The part of a semver version that must match: `0.2` for `0.2.6`, `4` for `4.0.0`.
fn version_track(version: &str) -> Option<&str> {
    if version.is_empty() {
        return Some("");
    }
    let mut parts = version.splitn(3, '.');
    let major = parts.next()?;
    let minor = parts.next()?;
    if major == "0" { Some(&version[..major.len() + 1 + minor.len()]) } else { Some(major) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(imports: &[&str], exports: &[&str]) -> Vec<u8> {
        let imports: String = imports.iter().map(|name| format!("(import \"{name}\" (instance))\n")).collect();
        let exports: String = exports
            .iter()
            .enumerate()
            .map(|(i, name)| format!("(instance $e{i})\n(export \"{name}\" (instance $e{i}))\n"))
            .collect();
        wat::parse_str(format!("(component\n{imports}{exports})")).unwrap()
    }

    const HANDLES: &[&str] = &["wasi:http/incoming-handler@0.2.0"];

    #[test]
    fn the_project_world_accepts_what_spin_sdk_imports() {
        let contract = Contract::project().unwrap();
        let imports = [
            "wasi:io/streams@0.2.0",
            "wasi:cli/environment@0.2.3",
            "wasi:http/types@0.2.9",
            "wasi:http/outgoing-handler@0.2.0",
            "spin:postgres/postgres@4.0.0",
            "fermyon:spin/variables@2.0.0",
        ];
        contract.check(&component(&imports, HANDLES)).unwrap();
    }

    #[test]
    fn imports_outside_the_world_are_named() {
        let contract = Contract::project().unwrap();
        let wasm = component(&["wasi:io/streams@0.2.0", "fermyon:spin/key-value@2.0.0"], HANDLES);
        let error = contract.check(&wasm).unwrap_err().to_string();
        assert!(error.contains("fermyon:spin/key-value@2.0.0") && !error.contains("streams"), "{error}");
    }

    #[test]
    fn incompatible_versions_are_outside() {
        let contract = Contract::project().unwrap();
        for import in ["wasi:io/streams@0.3.0", "spin:postgres/postgres@3.0.0", "fermyon:spin/variables@1.0.0"] {
            assert!(contract.check(&component(&[import], HANDLES)).is_err(), "{import}");
        }
    }

    #[test]
    fn the_http_handler_must_be_exported() {
        let contract = Contract::project().unwrap();
        let error = contract.check(&component(&[], &["wasi:cli/run@0.2.0"])).unwrap_err().to_string();
        assert!(error.contains("incoming-handler"), "{error}");
    }

    #[test]
    fn core_modules_are_rejected() {
        let contract = Contract::project().unwrap();
        assert!(contract.check(&wat::parse_str("(module)").unwrap()).is_err());
    }

    #[test]
    fn version_tracks() {
        assert_eq!(version_track("0.2.6"), Some("0.2"));
        assert_eq!(version_track("4.1.0"), Some("4"));
        assert_eq!(version_track(""), Some(""));
        assert!(compatible("a:b/c@0.2.0", "a:b/c@0.2.6"));
        assert!(!compatible("a:b/c@0.2.0", "a:b/d@0.2.0"));
        assert!(!compatible("a:b/c", "a:b/c@1.0.0"));
    }
}
