//! profiles.yml, found as dbt finds it -> the validated `Target` (dialect, database, schema, ...).

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::values::ValueRenderer;
use super::yaml::{self, Yaml};
use crate::diagnostics::{Diagnostic, Location, did_you_mean};
use crate::dialect::Dialect;

/// Keys whose values are secrets: never printed, logged or written to artifacts.
const SECRET_KEYS: &[&str] = &[
    "pass",
    "token",
    "keyfile",
    "secret",
    "private_key",
    "private_key_id",
    "private_key_passphrase",
];

/// Whether a profile key (at any depth) holds a secret value.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    SECRET_KEYS.contains(&k.as_str())
        || k.contains("password")
        || k.contains("secret")
        || k.ends_with("_token")
        || k.ends_with("_key")
            && (k.contains("access") || k.contains("private") || k.contains("api"))
}

/// Keys whose whole value is credential material, shown nowhere (their secret leaves are
/// still collected for scrubbing).
const CREDENTIAL_BLOBS: &[&str] = &["keyfile_json"];

/// `v` with every secret key removed, at any depth.
fn without_secrets(v: &Json) -> Json {
    match v {
        Json::Object(m) => Json::Object(
            m.iter()
                .filter(|(k, _)| !is_secret_key(k))
                .map(|(k, v)| (k.clone(), without_secrets(v)))
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.iter().map(without_secrets).collect()),
        other => other.clone(),
    }
}

/// Every string under a secret key, at any depth.
fn secret_leaves(key: &str, v: &Json, out: &mut Vec<String>) {
    if is_secret_key(key) {
        collect_strings(v, out);
        return;
    }
    match v {
        Json::Object(m) => m.iter().for_each(|(k, v)| secret_leaves(k, v, out)),
        Json::Array(items) => items.iter().for_each(|v| secret_leaves(key, v, out)),
        _ => {}
    }
}

/// One output of one profile, rendered and validated.
#[derive(Debug, Clone)]
pub struct Target {
    pub profile_name: String,
    pub name: String,
    pub dialect: Dialect,
    /// DuckDB: the catalog (file stem or `database:`); BigQuery: the GCP project.
    pub database: String,
    /// DuckDB schema / BigQuery dataset.
    pub schema: String,
    pub threads: usize,
    /// Every rendered field of the output, secrets included (use `public_fields` to show).
    pub fields: IndexMap<String, Json>,
    /// Where the profiles file was found, relative to nothing (as a path).
    pub profiles_file: PathBuf,
}

impl Target {
    /// The fields safe to show (`target` in Jinja, `xform debug`, artifacts): no secrets.
    pub fn public_fields(&self) -> IndexMap<String, Json> {
        let mut out: IndexMap<String, Json> = self
            .fields
            .iter()
            .filter(|(k, _)| !is_secret_key(k) && !CREDENTIAL_BLOBS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), without_secrets(v)))
            .collect();
        out.insert("name".into(), Json::from(self.name.clone()));
        out.insert("target_name".into(), Json::from(self.name.clone()));
        out.insert("profile_name".into(), Json::from(self.profile_name.clone()));
        out.insert("type".into(), Json::from(self.dialect.adapter_type()));
        out.insert("database".into(), Json::from(self.database.clone()));
        out.insert("schema".into(), Json::from(self.schema.clone()));
        out.insert("threads".into(), Json::from(self.threads));
        if self.dialect == Dialect::BigQuery {
            out.insert("project".into(), Json::from(self.database.clone()));
            out.insert("dataset".into(), Json::from(self.schema.clone()));
        }
        out
    }

    /// Every secret value, so log and error output can be scrubbed of them.
    pub fn secret_values(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in &self.fields {
            secret_leaves(k, v, &mut out);
        }
        // Very short values would mask unrelated text; they are not worth scrubbing.
        out.retain(|s| s.len() >= 4);
        out
    }
}

fn collect_strings(v: &Json, out: &mut Vec<String>) {
    match v {
        Json::String(s) => out.push(s.clone()),
        Json::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Json::Object(m) => m.values().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}

/// Where to look for profiles.yml, in dbt's order.
pub fn find_profiles_dir(flag: Option<&Path>, project_dir: &Path) -> Option<PathBuf> {
    if let Some(dir) = flag {
        return Some(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("DBT_PROFILES_DIR") {
        return Some(PathBuf::from(dir));
    }
    if project_dir.join("profiles.yml").is_file() {
        return Some(project_dir.to_path_buf());
    }
    if let Ok(cwd) = std::env::current_dir()
        && cwd.join("profiles.yml").is_file()
    {
        return Some(cwd);
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".dbt"))
}

/// Loads `profile` from `dir/profiles.yml` and picks `target` (or the profile's default).
pub fn load_target(
    dir: &Path,
    profile: &str,
    target: Option<&str>,
    renderer: &ValueRenderer,
    display_path: &str,
) -> Result<Target, Vec<Diagnostic>> {
    let file = dir.join("profiles.yml");
    let text = std::fs::read_to_string(&file).map_err(|e| {
        vec![
            Diagnostic::error(format!("could not read profiles.yml: {e}"))
                .at(Location::file(display_path))
                .note("pass --profiles-dir, set DBT_PROFILES_DIR, or put profiles.yml in the project or ~/.dbt"),
        ]
    })?;
    let doc = yaml::parse_file(&text, display_path).map_err(|d| vec![d])?;
    let at = |y: &Yaml| Location::new(display_path, y.line, y.column);
    let Some(profiles) = doc.as_map() else {
        return Err(vec![
            Diagnostic::error("profiles.yml must be a mapping of profile names").at(at(&doc)),
        ]);
    };
    let Some(prof) = profiles.get(profile) else {
        let names = profiles
            .keys()
            .filter(|k| *k != "config")
            .map(String::as_str);
        let mut d = Diagnostic::error(format!("profile `{profile}` not found in profiles.yml"))
            .at(Location::file(display_path));
        if let Some(hint) = did_you_mean(profile, names) {
            d = d.note(hint);
        }
        return Err(vec![d]);
    };
    let outputs = prof.get("outputs").and_then(Yaml::as_map);
    let default_target = prof.get("target").and_then(Yaml::as_text);
    let target_name = match target.map(str::to_string).or(default_target) {
        Some(t) => t,
        None => {
            return Err(vec![
                Diagnostic::error(format!(
                    "profile `{profile}` has no `target:` and no --target was given"
                ))
                .at(at(prof)),
            ]);
        }
    };
    let target_name = match renderer.render_str(&target_name) {
        Ok(Json::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => return Err(vec![Diagnostic::error(e).at(at(prof))]),
    };
    let Some(output) = outputs.and_then(|o| o.get(&target_name)) else {
        let names: Vec<&str> = outputs
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut d = Diagnostic::error(format!(
            "target `{target_name}` not found in profile `{profile}` (it has: {})",
            names.join(", ")
        ))
        .at(at(prof));
        if let Some(hint) = did_you_mean(&target_name, names.iter().copied()) {
            d = d.note(hint);
        }
        return Err(vec![d]);
    };
    let rendered = renderer.render_yaml(output).map_err(|(line, msg)| {
        vec![Diagnostic::error(msg).at(Location::new(display_path, line, 0))]
    })?;
    validate_output(profile, &target_name, &rendered, display_path, &file)
}

fn validate_output(
    profile: &str,
    name: &str,
    output: &Yaml,
    display_path: &str,
    file: &Path,
) -> Result<Target, Vec<Diagnostic>> {
    let at = |y: &Yaml| Location::new(display_path, y.line, y.column);
    let Some(map) = output.as_map() else {
        return Err(vec![
            Diagnostic::error(format!("output `{name}` must be a mapping")).at(at(output)),
        ]);
    };
    let mut errors = Vec::new();
    let kind = map.get("type").and_then(Yaml::as_text).unwrap_or_default();
    let Some(dialect) = Dialect::from_adapter_type(&kind) else {
        return Err(vec![
            Diagnostic::error(format!(
                "output `{name}` has type `{kind}`; xform supports `duckdb` and `bigquery`"
            ))
            .at(map.get("type").map(at).unwrap_or_else(|| at(output))),
        ]);
    };
    let fields: IndexMap<String, Json> =
        map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
    let text = |k: &str| map.get(k).and_then(Yaml::as_text);
    let threads = match map.get("threads") {
        None => 1,
        Some(y) => match y.to_json().as_u64() {
            Some(n) if n > 0 => n as usize,
            _ => {
                errors.push(Diagnostic::error("`threads` must be a positive integer").at(at(y)));
                1
            }
        },
    };
    let (database, schema) = match dialect {
        Dialect::DuckDb => {
            let path = text("path").unwrap_or_else(|| ":memory:".to_string());
            let database = text("database").unwrap_or_else(|| duckdb_catalog(&path));
            (
                database,
                text("schema").unwrap_or_else(|| "main".to_string()),
            )
        }
        Dialect::BigQuery => {
            let project = text("project").or_else(|| text("database"));
            let dataset = text("dataset").or_else(|| text("schema"));
            if project.is_none() {
                errors.push(
                    Diagnostic::error(format!("bigquery output `{name}` needs `project`"))
                        .at(at(output)),
                );
            }
            if dataset.is_none() {
                errors.push(
                    Diagnostic::error(format!("bigquery output `{name}` needs `dataset`"))
                        .at(at(output)),
                );
            }
            validate_bigquery(map, display_path, &mut errors);
            (project.unwrap_or_default(), dataset.unwrap_or_default())
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Target {
        profile_name: profile.to_string(),
        name: name.to_string(),
        dialect,
        database,
        schema,
        threads,
        fields,
        profiles_file: file.to_path_buf(),
    })
}

/// dbt-duckdb names the catalog after the file's stem; `:memory:` is `memory`.
fn duckdb_catalog(path: &str) -> String {
    if path == ":memory:" || path.is_empty() {
        return "memory".to_string();
    }
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = base.split('.').next().unwrap_or(base);
    if stem.is_empty() {
        "memory".into()
    } else {
        stem.to_string()
    }
}

fn validate_bigquery(
    map: &IndexMap<String, Yaml>,
    display_path: &str,
    errors: &mut Vec<Diagnostic>,
) {
    let at = |y: &Yaml| Location::new(display_path, y.line, y.column);
    let method = map.get("method").and_then(Yaml::as_text);
    match method.as_deref() {
        Some("oauth") | Some("oauth-secrets") | None => {}
        Some("service-account") => {
            if !map.contains_key("keyfile") {
                errors.push(
                    Diagnostic::error("method `service-account` needs `keyfile`")
                        .at(at(&map["method"])),
                );
            }
        }
        Some("service-account-json") => {
            if !map.contains_key("keyfile_json") {
                errors.push(
                    Diagnostic::error("method `service-account-json` needs `keyfile_json`")
                        .at(at(&map["method"])),
                );
            }
        }
        Some(other) => errors.push(
            Diagnostic::error(format!(
                "unknown bigquery method `{other}`: use oauth, oauth-secrets, service-account or service-account-json"
            ))
            .at(at(&map["method"])),
        ),
    }
    for key in [
        "job_retries",
        "maximum_bytes_billed",
        "job_execution_timeout_seconds",
        "job_retry_deadline_seconds",
    ] {
        if let Some(y) = map.get(key)
            && y.to_json().as_u64().is_none()
        {
            errors.push(
                Diagnostic::error(format!("`{key}` must be a non-negative integer")).at(at(y)),
            );
        }
    }
    if let Some(y) = map.get("priority")
        && !matches!(y.as_str(), Some("interactive") | Some("batch"))
    {
        errors.push(Diagnostic::error("`priority` must be `interactive` or `batch`").at(at(y)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::values::ValueContext;

    fn load(text: &str, target: Option<&str>) -> Result<Target, Vec<Diagnostic>> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("profiles.yml"), text).unwrap();
        let r = ValueRenderer::new(ValueContext::default());
        load_target(dir.path(), "p", target, &r, "profiles.yml")
    }

    const PROFILES: &str = "p:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{ env_var('XFORM_T_UNSET', 'data/warehouse.duckdb') }}\"\n      threads: 4\n      settings:\n        s3_region: eu\n        s3_secret_access_key: NESTEDSECRET\n    prod:\n      type: bigquery\n      method: service-account-json\n      project: proj\n      dataset: ds\n      keyfile_json:\n        project_id: proj\n        private_key: SUPERSECRETKEY\n";

    #[test]
    fn duckdb_defaults_follow_dbt_duckdb() {
        let t = load(PROFILES, None).unwrap();
        assert_eq!(t.dialect, Dialect::DuckDb);
        assert_eq!(t.database, "warehouse");
        assert_eq!(t.schema, "main");
        assert_eq!(t.threads, 4);
    }

    #[test]
    fn bigquery_secrets_stay_out_of_public_fields() {
        let t = load(PROFILES, Some("prod")).unwrap();
        assert_eq!(t.database, "proj");
        assert_eq!(t.schema, "ds");
        let public = serde_json::to_string(&t.public_fields()).unwrap();
        assert!(!public.contains("SUPERSECRETKEY"));
        // Only the secret leaf is scrubbed, not the project id next to it.
        assert_eq!(t.secret_values(), vec!["SUPERSECRETKEY".to_string()]);
    }

    #[test]
    fn nested_secrets_are_hidden_and_scrubbed() {
        let t = load(PROFILES, None).unwrap();
        let public = serde_json::to_string(&t.public_fields()).unwrap();
        assert!(!public.contains("NESTEDSECRET"), "{public}");
        assert!(public.contains("s3_region"));
        assert_eq!(t.secret_values(), vec!["NESTEDSECRET".to_string()]);
    }

    #[test]
    fn unknown_target_suggests_a_name() {
        let errs = load(PROFILES, Some("prd")).unwrap_err();
        assert!(errs[0].message.contains("target `prd` not found"));
        assert_eq!(errs[0].notes, vec!["did you mean `prod`?".to_string()]);
    }
}
