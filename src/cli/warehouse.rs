//! The target's warehouse for commands that run SQL: profile target -> an open adapter and
//! the relations it already holds (what `is_incremental()` needs at compile time).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::output::Printer;
use crate::adapter::{Adapter, RelationKind};
use crate::diagnostics::Diagnostic;
use crate::dialect::Dialect;
use crate::pipeline::Parsed;

/// The target's open warehouse. A DuckDB file that did not exist is created by opening
/// it; `discard` removes it again when the run stops on bad input before writing anything.
pub struct Warehouse {
    pub adapter: Arc<dyn Adapter>,
    created: Option<PathBuf>,
}

impl Warehouse {
    /// Opens the target's database; reports why not as a diagnostic.
    pub fn connect(parsed: &Parsed) -> Result<Warehouse, Diagnostic> {
        let target = &parsed.project.target;
        if target.dialect == Dialect::BigQuery {
            return Ok(Warehouse {
                adapter: Arc::from(open_bigquery(parsed)?),
                created: None,
            });
        }
        let path = database_path(parsed);
        let created =
            (path != ":memory:" && !Path::new(&path).exists()).then(|| PathBuf::from(&path));
        match open_duckdb(parsed) {
            Ok(adapter) => Ok(Warehouse {
                adapter: Arc::from(adapter),
                created,
            }),
            Err(d) => {
                // A refused profile setting must not leave a new empty database behind.
                if let Some(path) = created {
                    remove_database(&path);
                }
                Err(d)
            }
        }
    }

    /// Lower-cased `database.schema.identifier` of every existing relation.
    pub fn existing(&self) -> Result<HashSet<String>, Diagnostic> {
        Ok(self.catalog()?.into_iter().map(|(name, _)| name).collect())
    }

    /// Every existing relation (lower-cased `database.schema.identifier`) with its kind.
    pub fn catalog(&self) -> Result<Vec<(String, RelationKind)>, Diagnostic> {
        self.adapter
            .relations()
            .map_err(|e| Diagnostic::error(e.to_string()))
    }

    /// Closes the database and deletes it if this run created it (bad input found before
    /// anything ran must leave no trace).
    pub fn discard(self) {
        let Warehouse { adapter, created } = self;
        drop(adapter);
        if let Some(path) = created {
            remove_database(&path);
        }
    }
}

fn remove_database(path: &Path) {
    let _ = std::fs::remove_file(path);
    let mut wal = path.as_os_str().to_owned();
    wal.push(".wal");
    let _ = std::fs::remove_file(wal);
}

/// Prints a diagnostic and returns the invalid-input exit code, for `?`-less call sites.
pub fn fail(p: &Printer, d: &Diagnostic) -> i32 {
    p.diagnostic(d);
    super::commands::INVALID
}

fn database_path(parsed: &Parsed) -> String {
    parsed
        .project
        .target
        .fields
        .get("path")
        .and_then(|v| v.as_str())
        .unwrap_or(":memory:")
        .to_string()
}

/// The target's database; only DuckDB runs today. A file another process holds is an
/// input problem (exit 2), reported before anything is compiled or written.
#[cfg(feature = "duckdb")]
fn open_duckdb(parsed: &Parsed) -> Result<Box<dyn crate::adapter::Adapter>, Diagnostic> {
    let target = &parsed.project.target;
    let in_profile = |message: String| {
        Diagnostic::error(message).at(crate::diagnostics::Location::file(
            target.profiles_file.display().to_string(),
        ))
    };
    let settings = duckdb_settings(target).map_err(in_profile)?;
    let extensions = duckdb_extensions(target).map_err(in_profile)?;
    let path = database_path(parsed);
    let mut db = crate::adapter::duckdb::DuckDb::open(std::path::Path::new(&path))
        .map_err(|e| Diagnostic::error(e.to_string()))?;
    db.configure(&settings, &extensions)
        .map_err(|e| in_profile(format!("target `{}`: {e}", target.name)))?;
    Ok(Box::new(db))
}

/// dbt-duckdb's `settings:` map, each value as DuckDB reads it in `SET key = 'value'`.
fn duckdb_settings(
    target: &crate::project::profiles::Target,
) -> Result<Vec<(String, String)>, String> {
    let Some(value) = target.fields.get("settings") else {
        return Ok(Vec::new());
    };
    let Some(map) = value.as_object() else {
        return Err(format!(
            "target `{}`: `settings` must be a mapping of DuckDB setting names to values",
            target.name
        ));
    };
    map.iter()
        .map(|(key, v)| match v {
            serde_json::Value::String(s) => Ok((key.clone(), s.clone())),
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) => {
                Ok((key.clone(), v.to_string()))
            }
            _ => Err(format!(
                "target `{}`: setting `{key}` must be a string, number or boolean",
                target.name
            )),
        })
        .collect()
}

/// dbt-duckdb's `extensions:` list: names, or mappings with a `name`.
fn duckdb_extensions(target: &crate::project::profiles::Target) -> Result<Vec<String>, String> {
    let Some(value) = target.fields.get("extensions") else {
        return Ok(Vec::new());
    };
    let bad = || {
        format!(
            "target `{}`: `extensions` must be a list of extension names",
            target.name
        )
    };
    let items = value.as_array().ok_or_else(bad)?;
    items
        .iter()
        .map(|item| {
            item.as_str()
                .or_else(|| item.get("name").and_then(|n| n.as_str()))
                .map(str::to_string)
                .ok_or_else(bad)
        })
        .collect()
}

/// The target's BigQuery project (or the emulator `BIGQUERY_EMULATOR_HOST` names).
#[cfg(feature = "bigquery")]
fn open_bigquery(parsed: &Parsed) -> Result<Box<dyn crate::adapter::Adapter>, Diagnostic> {
    use crate::adapter::bigquery::{BigQuery, Settings};
    let target = &parsed.project.target;
    let at_profile = crate::diagnostics::Location::file(target.profiles_file.display().to_string());
    let emulator = std::env::var("BIGQUERY_EMULATOR_HOST").ok();
    let settings = Settings::from_profile(&target.database, &target.fields, emulator.as_deref())
        .map_err(|e| {
            Diagnostic::error(format!("target `{}`: {e}", target.name)).at(at_profile.clone())
        })?;
    let invocation = crate::render::builtins::invocation_id();
    BigQuery::connect(settings, invocation)
        .map(|bq| Box::new(bq) as Box<dyn crate::adapter::Adapter>)
        .map_err(|e| Diagnostic::error(format!("target `{}`: {e}", target.name)).at(at_profile))
}

#[cfg(not(feature = "bigquery"))]
fn open_bigquery(_: &Parsed) -> Result<Box<dyn crate::adapter::Adapter>, Diagnostic> {
    Err(Diagnostic::error(
        "this xform was built without the `bigquery` feature",
    ))
}

#[cfg(not(feature = "duckdb"))]
fn open_duckdb(_: &Parsed) -> Result<Box<dyn crate::adapter::Adapter>, Diagnostic> {
    Err(Diagnostic::error(
        "this xform was built without the `duckdb` feature",
    ))
}
