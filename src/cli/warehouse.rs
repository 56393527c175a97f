//! The target's warehouse for commands that run SQL: profile target -> an open adapter and
//! the relations it already holds (what `is_incremental()` needs at compile time).

use std::collections::HashSet;

use super::output::Printer;
use crate::adapter::Adapter;
use crate::diagnostics::Diagnostic;
use crate::dialect::Dialect;
use crate::pipeline::Parsed;

/// An adapter that may not be opened yet: a DuckDB file that does not exist is only
/// created once the project compiled, so bad input never leaves a new file behind.
pub struct Warehouse {
    pub adapter: Option<Box<dyn Adapter>>,
}

impl Warehouse {
    /// Opens the target's database if it exists; reports why not as a diagnostic.
    pub fn connect(parsed: &Parsed) -> Result<Warehouse, Diagnostic> {
        let target = &parsed.project.target;
        if target.dialect != Dialect::DuckDb {
            return Err(Diagnostic::error(format!(
                "running on {} is not supported yet; use a DuckDB target",
                target.dialect.adapter_type()
            )));
        }
        let adapter = if database_exists(parsed) {
            Some(open_duckdb(parsed)?)
        } else {
            None
        };
        Ok(Warehouse { adapter })
    }

    /// Lower-cased `database.schema.identifier` of every existing relation.
    pub fn existing(&self) -> Result<HashSet<String>, Diagnostic> {
        match &self.adapter {
            None => Ok(HashSet::new()),
            Some(a) => a
                .relations()
                .map(|r| r.into_iter().map(|(name, _)| name).collect())
                .map_err(|e| Diagnostic::error(e.to_string())),
        }
    }

    /// The adapter, opening (and creating) the database now if needed.
    pub fn open(self, parsed: &Parsed) -> Result<Box<dyn Adapter>, Diagnostic> {
        match self.adapter {
            Some(a) => Ok(a),
            None => open_duckdb(parsed),
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

fn database_exists(parsed: &Parsed) -> bool {
    let path = database_path(parsed);
    path == ":memory:" || std::path::Path::new(&path).exists()
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
