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
        if target.dialect != Dialect::DuckDb {
            return Err(Diagnostic::error(format!(
                "running on {} is not supported yet; use a DuckDB target",
                target.dialect.adapter_type()
            )));
        }
        let path = database_path(parsed);
        let created =
            (path != ":memory:" && !Path::new(&path).exists()).then(|| PathBuf::from(&path));
        let adapter = open_duckdb(parsed)?;
        Ok(Warehouse {
            adapter: Arc::from(adapter),
            created,
        })
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
            let _ = std::fs::remove_file(&path);
            let mut wal = path.into_os_string();
            wal.push(".wal");
            let _ = std::fs::remove_file(wal);
        }
    }
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
    let path = database_path(parsed);
    crate::adapter::duckdb::DuckDb::open(std::path::Path::new(&path))
        .map(|db| Box::new(db) as Box<dyn crate::adapter::Adapter>)
        .map_err(|e| Diagnostic::error(e.to_string()))
}

#[cfg(not(feature = "duckdb"))]
fn open_duckdb(_: &Parsed) -> Result<Box<dyn crate::adapter::Adapter>, Diagnostic> {
    Err(Diagnostic::error(
        "this xform was built without the `duckdb` feature",
    ))
}
