//! Application variables (manifest defaults, overridden like Spin's `SPIN_VARIABLE_<NAME>`)
//! and the `fermyon:spin/variables@2.0.0` interface that components read them through.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use anyhow::{Result, bail};

use crate::manifest::{VariableDef, is_snake_id};
use crate::template;

/// The prefix of the environment variables that override application variables.
pub const ENV_PREFIX: &str = "SPIN_VARIABLE_";

/// The `SPIN_VARIABLE_<NAME>` overrides found in an environment, keyed by variable name.
pub fn overrides_from_env(env: impl IntoIterator<Item = (String, String)>) -> HashMap<String, String> {
    env.into_iter()
        .filter_map(|(key, value)| Some((key.strip_prefix(ENV_PREFIX)?.to_ascii_lowercase(), value)))
        .collect()
}

/// The resolved values of the application's `[variables]`.
pub(crate) struct AppVariables(HashMap<String, String>);

impl AppVariables {
    /// Defaults from the manifest, overridden by `overrides`; every required variable must be set.
    pub fn resolve(defs: &BTreeMap<String, VariableDef>, overrides: &HashMap<String, String>) -> Result<Self> {
        let overrides: HashMap<String, &String> =
            overrides.iter().map(|(name, value)| (name.to_ascii_lowercase(), value)).collect();
        let mut values = HashMap::new();
        let mut missing = Vec::new();
        for (name, def) in defs {
            match overrides.get(name).map(|v| v.as_str()).or(def.default.as_deref()) {
                Some(value) => {
                    values.insert(name.clone(), value.to_owned());
                }
                None => missing.push(format!("{name} (set {ENV_PREFIX}{})", name.to_ascii_uppercase())),
            }
        }
        if !missing.is_empty() {
            bail!("missing required variable(s): {}", missing.join(", "));
        }
        Ok(Self(values))
    }

    pub fn render(&self, template: &str) -> Result<String> {
        template::render(template, |name| self.0.get(name).map(String::as_str))
    }
}

/// One component's `[component.<id>.variables]`, resolved once at start-up.
pub(crate) struct ComponentVariables {
    component_id: String,
    values: HashMap<String, String>,
}

impl ComponentVariables {
    pub fn resolve(component_id: &str, templates: &BTreeMap<String, String>, app: &AppVariables) -> Result<Self> {
        let values = templates
            .iter()
            .map(|(name, template)| {
                let value = app
                    .render(template)
                    .map_err(|e| e.context(format!("component.{component_id}.variables.{name}")))?;
                Ok((name.clone(), value))
            })
            .collect::<Result<_>>()?;
        Ok(Self { component_id: component_id.to_owned(), values })
    }

    fn get(&self, name: &str) -> Result<String, bindings::Error> {
        if let Some(reason) = invalid_name(name) {
            return Err(bindings::Error::InvalidName(format!("{name:?}: {reason}")));
        }
        self.values
            .get(name)
            .cloned()
            .ok_or_else(|| bindings::Error::Undefined(format!("no variable for {:?}.{name:?}", self.component_id)))
    }
}

/// Why Spin 3.6 refuses `name` in a `get`, in Spin's words (a guest may show or log them); the
/// same names as `is_snake_id` accepts, checked in Spin's order.
fn invalid_name(name: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
    Some(if name.is_empty() {
        "must not be empty".to_owned()
    } else if let Some(invalid) = name.chars().find(|c| !allowed(*c)) {
        format!(
            "invalid character {invalid:?}. Variable names may contain only lower-case letters, numbers, and underscores."
        )
    } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        "must start with a lowercase ASCII letter".to_owned()
    } else if !name.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        "must end with a lowercase ASCII letter or digit".to_owned()
    } else if name.contains("__") {
        "must not contain multiple consecutive underscores".to_owned()
    } else {
        debug_assert!(is_snake_id(name));
        return None;
    })
}

mod generated {
    wasmtime::component::bindgen!({
        path: "../../wit",
        inline: "
            package devhost:variables;
            world host { import fermyon:spin/variables@2.0.0; }
        ",
        world: "devhost:variables/host",
    });
}

pub(crate) mod bindings {
    pub use super::generated::fermyon::spin::variables::{Error, Host, add_to_linker};
}

/// Shared by all the instances of a component: the values are resolved once.
impl bindings::Host for Arc<ComponentVariables> {
    fn get(&mut self, name: String) -> Result<String, bindings::Error> {
        ComponentVariables::get(self, &name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs() -> BTreeMap<String, VariableDef> {
        toml::from_str(
            r#"
            db_url = { required = true, secret = true }
            db_host = { default = "127.0.0.1:5432" }
            "#,
        )
        .unwrap()
    }

    fn overrides(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_apply_and_overrides_win() {
        let app = AppVariables::resolve(&defs(), &overrides(&[("db_url", "u")])).unwrap();
        assert_eq!(app.render("{{ db_host }} {{ db_url }}").unwrap(), "127.0.0.1:5432 u");
        let app = AppVariables::resolve(&defs(), &overrides(&[("db_url", "u"), ("DB_HOST", "h:1")])).unwrap();
        assert_eq!(app.render("{{ db_host }}").unwrap(), "h:1");
    }

    #[test]
    fn missing_required_variable_is_named() {
        let error = AppVariables::resolve(&defs(), &HashMap::new()).err().unwrap().to_string();
        assert!(error.contains("db_url") && error.contains("SPIN_VARIABLE_DB_URL"), "{error}");
    }

    #[test]
    fn env_overrides_are_picked_by_prefix() {
        let env = [("SPIN_VARIABLE_DB_URL", "x"), ("PATH", "/bin")].map(|(k, v)| (k.into(), v.into()));
        assert_eq!(overrides_from_env(env), overrides(&[("db_url", "x")]));
    }

    #[test]
    fn component_get_distinguishes_invalid_and_undefined() {
        let app = AppVariables::resolve(&defs(), &overrides(&[("db_url", "u")])).unwrap();
        let templates = [("url".to_string(), "x{{ db_url }}".to_string())].into();
        let vars = ComponentVariables::resolve("c", &templates, &app).unwrap();
        assert_eq!(vars.get("url").unwrap(), "xu");
        assert!(matches!(vars.get("other"), Err(bindings::Error::Undefined(_))));
        assert!(matches!(vars.get("URL"), Err(bindings::Error::InvalidName(_))));
    }
}
