//! Spin's `{{ variable }}` templates, used by component variables and allowed hosts.

use anyhow::{Context, Result, bail};

use crate::manifest::is_snake_id;

/// Expands every `{{ name }}` in `template` with `lookup(name)`.
pub(crate) fn render<'a>(template: &str, lookup: impl Fn(&str) -> Option<&'a str>) -> Result<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after_open = &rest[start + 2..];
        let end = after_open.find("}}").with_context(|| format!("unterminated `{{{{` in template {template:?}"))?;
        let name = after_open[..end].trim();
        if !is_snake_id(name) {
            bail!("invalid variable name {name:?} in template {template:?}");
        }
        let value =
            lookup(name).with_context(|| format!("template {template:?} refers to undefined variable {name:?}"))?;
        out.push_str(value);
        rest = &after_open[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<&'static str> {
        match name {
            "host" => Some("127.0.0.1:5432"),
            "db" => Some("todo"),
            _ => None,
        }
    }

    #[test]
    fn expands_variables_with_or_without_spaces() {
        assert_eq!(render("postgres://{{ host }}/{{db}}", vars).unwrap(), "postgres://127.0.0.1:5432/todo");
        assert_eq!(render("plain", vars).unwrap(), "plain");
    }

    #[test]
    fn rejects_bad_templates() {
        assert!(render("{{ nope }}", vars).unwrap_err().to_string().contains("nope"));
        assert!(render("{{ host", vars).unwrap_err().to_string().contains("unterminated"));
        assert!(render("{{ Host }}", vars).unwrap_err().to_string().contains("invalid variable name"));
    }
}
