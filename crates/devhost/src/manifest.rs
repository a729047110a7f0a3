//! `spin.toml` (manifest version 2): the subset of Spin's schema this project uses.
//!
//! Keys are checked strictly: a key Spin does not know, or one this host does not implement
//! (for example `key_value_stores`), is an error naming the key and its line, never ignored.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail, ensure};
use serde::Deserialize;
use serde::de::IgnoredAny;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Manifest {
    pub spin_manifest_version: u32,
    /// Checked, but nothing in it changes how the host serves.
    #[serde(rename = "application")]
    _application: Application,
    #[serde(default)]
    pub variables: BTreeMap<String, VariableDef>,
    #[serde(default)]
    pub trigger: Triggers,
    #[serde(default)]
    pub component: BTreeMap<String, ComponentDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Application {
    #[serde(rename = "name")]
    _name: String,
    #[serde(default, rename = "version")]
    _version: Option<String>,
    #[serde(default, rename = "description")]
    _description: Option<String>,
    #[serde(default, rename = "authors")]
    _authors: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VariableDef {
    pub default: Option<String>,
    #[serde(default)]
    pub required: bool,
    /// Only hides the value from logs in Spin; this host never logs values.
    #[serde(default, rename = "secret")]
    _secret: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Triggers {
    #[serde(default)]
    pub http: Vec<HttpTrigger>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HttpTrigger {
    pub route: String,
    pub component: String,
    #[serde(default, rename = "id")]
    _id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ComponentDef {
    pub source: String,
    #[serde(default)]
    pub allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    #[serde(default, rename = "description")]
    _description: Option<String>,
    /// `spin build` settings: checked for unknown keys, otherwise ignored by the host.
    #[serde(default, rename = "build")]
    _build: Option<BuildDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BuildDef {
    #[serde(rename = "command")]
    _command: IgnoredAny,
    #[serde(default, rename = "workdir")]
    _workdir: Option<String>,
    #[serde(default, rename = "watch")]
    _watch: Vec<String>,
    #[serde(default, rename = "environment")]
    _environment: BTreeMap<String, String>,
}

impl Manifest {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read manifest {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("invalid manifest {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self> {
        let manifest: Manifest = toml::from_str(text)?;
        manifest.validate()?;
        Ok(manifest)
    }

    fn validate(&self) -> Result<()> {
        ensure!(
            self.spin_manifest_version == 2,
            "spin_manifest_version: only version 2 is supported, found {}",
            self.spin_manifest_version
        );
        for (name, def) in &self.variables {
            ensure!(is_snake_id(name), "variables.{name}: {NAME_RULE}");
            ensure!(
                !(def.required && def.default.is_some()),
                "variables.{name}: a variable cannot both be required and have a default"
            );
            ensure!(def.required || def.default.is_some(), "variables.{name}: needs a default or `required = true`");
        }
        for (id, component) in &self.component {
            ensure!(is_kebab_id(id), "component.{id}: component ids must be kebab-case");
            for name in component.variables.keys() {
                ensure!(is_snake_id(name), "component.{id}.variables.{name}: {NAME_RULE}");
            }
        }
        for (index, trigger) in self.trigger.http.iter().enumerate() {
            if !self.component.contains_key(&trigger.component) {
                bail!("trigger.http[{index}].component: no [component.{}] in the manifest", trigger.component);
            }
        }
        Ok(())
    }
}

const NAME_RULE: &str =
    "variable names must be lowercase letters, digits and single underscores, starting with a letter";

/// Spin's `SnakeId`: `db_url`, `host2`.
pub(crate) fn is_snake_id(name: &str) -> bool {
    is_id(name, '_')
}

/// Spin's `KebabId`: `todo-create`.
fn is_kebab_id(name: &str) -> bool {
    is_id(name, '-')
}

fn is_id(name: &str, separator: char) -> bool {
    name.split(separator)
        .all(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        && name.starts_with(|c: char| c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
spin_manifest_version = 2
[application]
name = "demo"
[[trigger.http]]
route = "/..."
component = "hello"
[component.hello]
source = "hello.wasm"
"#;

    fn error_of(text: &str) -> String {
        format!("{:#}", Manifest::parse(text).unwrap_err())
    }

    #[test]
    fn minimal_manifest_parses() {
        let manifest = Manifest::parse(MINIMAL).unwrap();
        assert_eq!(manifest.trigger.http[0].route, "/...");
        assert_eq!(manifest.component["hello"].source, "hello.wasm");
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let text = MINIMAL.replace("source = ", "key_value_stores = [\"default\"]\nsource = ");
        let error = error_of(&text);
        assert!(error.contains("key_value_stores"), "{error}");
        assert!(error.contains("line 9"), "{error}");
    }

    #[test]
    fn unsupported_trigger_types_are_rejected() {
        let error = error_of(&format!("{MINIMAL}\n[[trigger.redis]]\ncomponent = \"hello\"\n"));
        assert!(error.contains("redis"), "{error}");
    }

    #[test]
    fn the_application_needs_a_name() {
        let error = error_of(&MINIMAL.replace("name = \"demo\"", ""));
        assert!(error.contains("name"), "{error}");
    }

    #[test]
    fn invalid_values_are_named() {
        let error = error_of(&MINIMAL.replace("route = \"/...\"", "route = 3"));
        assert!(error.contains("route"), "{error}");
        let error = error_of(&MINIMAL.replace("= 2", "= 1"));
        assert!(error.contains("spin_manifest_version"), "{error}");
    }

    #[test]
    fn triggers_must_name_a_component() {
        let error = error_of(&MINIMAL.replace("component = \"hello\"", "component = \"nope\""));
        assert!(error.contains("trigger.http[0].component"), "{error}");
    }

    #[test]
    fn variables_are_checked() {
        let with_vars = |vars: &str| format!("{MINIMAL}\n[variables]\n{vars}\n");
        assert!(error_of(&with_vars("Bad = { default = \"x\" }")).contains("variables.Bad"));
        let both = error_of(&with_vars("x = { default = \"1\", required = true }"));
        assert!(both.contains("variables.x"), "{both}");
        assert!(error_of(&with_vars("x = {}")).contains("variables.x"));
        assert!(error_of(&with_vars("x = { default = \"1\", color = \"red\" }")).contains("color"));
    }

    #[test]
    fn build_sections_are_accepted_but_checked() {
        let text = format!("{MINIMAL}\n[component.hello.build]\ncommand = \"cargo build\"\nwatch = [\"src/**\"]\n");
        Manifest::parse(&text).unwrap();
        let error = error_of(&format!("{text}colour = 1\n"));
        assert!(error.contains("colour"), "{error}");
    }

    #[test]
    fn ids_follow_spin_rules() {
        assert!(is_snake_id("db_url") && is_snake_id("x2"));
        assert!(!is_snake_id("DB") && !is_snake_id("_a") && !is_snake_id("a__b") && !is_snake_id("a_"));
        assert!(is_kebab_id("todo-create") && !is_kebab_id("todo_create") && !is_kebab_id("-a"));
    }
}
