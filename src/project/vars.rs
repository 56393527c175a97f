//! `--vars '{a: 1}'` (YAML or JSON text) -> a map of var names to values.

use std::collections::HashMap;

use serde_json::Value as Json;

use super::yaml;
use crate::diagnostics::Diagnostic;

/// Parses --vars; it must be a mapping, as dbt requires.
pub fn parse_cli_vars(text: &str) -> Result<HashMap<String, Json>, Diagnostic> {
    let doc = yaml::parse(text).map_err(|e| {
        Diagnostic::error(format!(
            "--vars is not valid YAML or JSON: {} (line {}, column {})",
            e.message, e.line, e.column
        ))
        .note("pass a mapping, for example --vars '{start_date: \"2024-01-01\"}'")
    })?;
    if doc.is_null() {
        return Ok(HashMap::new());
    }
    match doc.to_json() {
        Json::Object(m) => Ok(m.into_iter().collect()),
        other => Err(Diagnostic::error(format!(
            "--vars must be a mapping of names to values, got `{other}`"
        ))
        .note("pass a mapping, for example --vars '{start_date: \"2024-01-01\"}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_yaml_and_json_mappings_only() {
        assert_eq!(parse_cli_vars("{a: 1}").unwrap()["a"], Json::from(1));
        assert_eq!(
            parse_cli_vars("{\"a\": \"x\"}").unwrap()["a"],
            Json::from("x")
        );
        assert!(
            parse_cli_vars("[1, 2]")
                .unwrap_err()
                .message
                .contains("mapping")
        );
        assert!(parse_cli_vars("{a: [").is_err());
    }
}
