//! A seed CSV file + its node config -> column names, dbt's SQL type for each column and
//! the row count (`SeedTable`), or a `SeedError` naming the offending line.
//!
//! This reproduces what dbt-core 1.12 (agate 1.9) + dbt-duckdb 1.11 do before loading a
//! seed, checked against them (see `tests/fixtures/seeds_types/EXPECTED.md`):
//!
//! - The file is UTF-8; one leading byte-order mark is dropped. Fields are split on the
//!   `delimiter` config (default `,`) with `"` quoting and `""` for a quote inside one.
//! - Header names are kept as written (case and spaces too). An empty name becomes the
//!   letter of its position (`a`, `b`, ... `aa`), a repeated one gets `_2`, `_3`, ... as
//!   agate does; both come back as warnings. Names that differ only in case are an error:
//!   DuckDB would refuse the `create table`.
//! - Types: see `infer` (agate's tester: number, date, datetime, ISO datetime, boolean,
//!   text) mapped to the names dbt-duckdb writes: `integer`, `float8`, `date`,
//!   `timestamp without time zone`, `boolean`, `text`. A seed without rows, or a column
//!   that is only nulls, is `integer`. Note DuckDB's `integer` is 32 bits: dbt itself fails
//!   to load larger whole numbers, and so will we.
//! - `column_types` entries replace the type verbatim for the column of that exact name;
//!   those columns are not inferred (agate reads them as text). Entries naming no column
//!   are ignored with a warning, as dbt does.
//! - Not reproduced, all places where dbt fails or could only fail later: numbers written
//!   with non-ASCII digits (Python reads them; DuckDB's load would reject them), fields over
//!   Python csv's 131072-character limit (dbt errors), exponents past Python's decimal
//!   range (dbt crashes), and Python csv's lenient reading of text after a closing quote
//!   or an unclosed quote (errors here).

mod csv;
mod datetime;
mod infer;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::diagnostics::{Diagnostic, Location};

/// What goes wrong reading a seed; `line` is 1-based in the CSV file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeedError {
    #[error("could not read the seed file: {0}")]
    Read(String),
    #[error("the seed file is not valid UTF-8 (line {line})")]
    InvalidUtf8 { line: u32 },
    #[error("the seed file is empty: it needs a header row")]
    NoHeader,
    #[error("the header row at line {line} is empty")]
    EmptyHeader { line: u32 },
    #[error("columns `{first}` and `{second}` differ only in case; DuckDB treats them as one")]
    DuplicateColumn {
        line: u32,
        first: String,
        second: String,
    },
    #[error("the quoted field opened at line {line} is never closed")]
    UnterminatedQuote { line: u32 },
    #[error(
        "text follows a closing quote at line {line} (write a quote inside a quoted field as \"\")"
    )]
    TextAfterQuote { line: u32 },
    #[error("row at line {line} has {found} fields, the header has {expected}")]
    Ragged {
        line: u32,
        found: usize,
        expected: usize,
    },
    #[error("seed config `{key}`: {message}")]
    Config { key: String, message: String },
}

impl SeedError {
    /// The line the problem is on, 0 when it is not about one line.
    pub fn line(&self) -> u32 {
        match self {
            SeedError::InvalidUtf8 { line }
            | SeedError::EmptyHeader { line }
            | SeedError::DuplicateColumn { line, .. }
            | SeedError::UnterminatedQuote { line }
            | SeedError::TextAfterQuote { line }
            | SeedError::Ragged { line, .. } => *line,
            SeedError::Read(_) | SeedError::NoHeader | SeedError::Config { .. } => 0,
        }
    }

    /// An error diagnostic at `file` (the seed's path relative to the project root).
    pub fn to_diagnostic(&self, file: &str) -> Diagnostic {
        Diagnostic::error(self.to_string()).at(Location::new(file, self.line(), 0))
    }
}

/// Something dbt accepts silently or with a warning, worth telling the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedWarning {
    pub line: u32,
    pub message: String,
}

impl SeedWarning {
    pub fn to_diagnostic(&self, file: &str) -> Diagnostic {
        Diagnostic::warning(self.message.clone()).at(Location::new(file, self.line, 0))
    }
}

/// The column types dbt infers for seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeedType {
    Integer,
    Float,
    Date,
    Timestamp,
    Boolean,
    Text,
}

impl SeedType {
    /// The type name dbt-duckdb writes in the `create table` (its SQL adapter defaults).
    pub fn duckdb_name(self) -> &'static str {
        match self {
            SeedType::Integer => "integer",
            SeedType::Float => "float8",
            SeedType::Date => "date",
            SeedType::Timestamp => "timestamp without time zone",
            SeedType::Boolean => "boolean",
            SeedType::Text => "text",
        }
    }
}

/// One seed column: its name, what inference said, and the type the table gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedColumn {
    pub name: String,
    /// `Text` for a column named in `column_types` (dbt does not infer those).
    pub inferred: SeedType,
    /// The `column_types` entry for this column, as written.
    pub override_type: Option<String>,
}

impl SeedColumn {
    /// The column's type in the `create table` on DuckDB.
    pub fn duckdb_type(&self) -> &str {
        self.override_type
            .as_deref()
            .unwrap_or(self.inferred.duckdb_name())
    }
}

/// A read seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedTable {
    pub columns: Vec<SeedColumn>,
    /// Rows after the header, counting blank lines as agate does.
    pub rows: usize,
    pub warnings: Vec<SeedWarning>,
    /// Every data row's fields as written (unquoted), one entry per header column; a
    /// blank line is a row of empty fields. Kept only when `SeedOptions::keep_rows` is
    /// set: a BigQuery load carries the rows in its SQL.
    pub cells: Option<Vec<Vec<String>>>,
}

/// The seed configs that shape reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedOptions {
    pub delimiter: char,
    /// `column_types`: column name (exact) -> SQL type.
    pub column_types: IndexMap<String, String>,
    /// Keep every row's text in `SeedTable::cells` (BigQuery targets; DuckDB reads the
    /// file itself).
    pub keep_rows: bool,
}

impl Default for SeedOptions {
    fn default() -> SeedOptions {
        SeedOptions {
            delimiter: ',',
            column_types: IndexMap::new(),
            keep_rows: false,
        }
    }
}

impl SeedOptions {
    /// From a seed node's final config (`delimiter`, `column_types`).
    pub fn from_config(config: &IndexMap<String, Json>) -> Result<SeedOptions, SeedError> {
        let bad = |key: &str, message: String| SeedError::Config {
            key: key.to_string(),
            message,
        };
        let delimiter = match config.get("delimiter") {
            None | Some(Json::Null) => ',',
            Some(Json::String(s)) => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !matches!(c, '"' | '\n' | '\r') => c,
                    _ => {
                        return Err(bad(
                            "delimiter",
                            format!(
                                "must be one character other than a quote or newline, got {s:?}"
                            ),
                        ));
                    }
                }
            }
            Some(other) => return Err(bad("delimiter", format!("must be a string, got {other}"))),
        };
        let mut column_types = IndexMap::new();
        match config.get("column_types") {
            None | Some(Json::Null) => {}
            Some(Json::Object(map)) => {
                for (name, ty) in map {
                    let Json::String(ty) = ty else {
                        return Err(bad(
                            "column_types",
                            format!("the type of `{name}` must be a string, got {ty}"),
                        ));
                    };
                    column_types.insert(name.clone(), ty.clone());
                }
            }
            Some(other) => {
                return Err(bad(
                    "column_types",
                    format!("must be a mapping of column names to types, got {other}"),
                ));
            }
        }
        Ok(SeedOptions {
            delimiter,
            column_types,
            keep_rows: false,
        })
    }
}

/// Reads and infers the seed at `path`.
pub fn read_seed(path: &Path, options: &SeedOptions) -> Result<SeedTable, SeedError> {
    let bytes =
        std::fs::read(path).map_err(|e| SeedError::Read(format!("{}: {e}", path.display())))?;
    infer_seed(&bytes, options)
}

/// The column names of the seed at `path`, from its header alone (no type inference).
pub fn seed_header(path: &Path, options: &SeedOptions) -> Result<Vec<String>, SeedError> {
    let bytes =
        std::fs::read(path).map_err(|e| SeedError::Read(format!("{}: {e}", path.display())))?;
    let text = decode(&bytes)?;
    let mut delimiter = [0u8; 4];
    let delimiter = options.delimiter.encode_utf8(&mut delimiter);
    let mut raw = Vec::new();
    csv::Records::new(text, delimiter)
        .next_record(|_, v| raw.push(v.to_string()))?
        .ok_or(SeedError::NoHeader)?;
    header_names(&raw, &mut Vec::new())
}

/// The text of a CSV file, without its byte-order mark.
fn decode(bytes: &[u8]) -> Result<&str, SeedError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| SeedError::InvalidUtf8 {
        line: line_of(bytes, e.valid_up_to()),
    })
}

/// Infers a seed from the bytes of its CSV file.
pub fn infer_seed(bytes: &[u8], options: &SeedOptions) -> Result<SeedTable, SeedError> {
    let text = decode(bytes)?;
    let mut delimiter = [0u8; 4];
    let delimiter = options.delimiter.encode_utf8(&mut delimiter);
    let mut records = csv::Records::new(text, delimiter);

    let mut raw = Vec::new();
    let header = records
        .next_record(|_, v| raw.push(v.to_string()))?
        .ok_or(SeedError::NoHeader)?;
    if header.fields == 0 {
        return Err(SeedError::EmptyHeader { line: 1 });
    }
    let mut warnings = Vec::new();
    let names = header_names(&raw, &mut warnings)?;
    for key in options.column_types.keys() {
        if !raw.contains(key) {
            warnings.push(SeedWarning {
                line: 1,
                message: format!("`column_types` names `{key}`, which is not a column of this seed; it is ignored"),
            });
        }
    }
    // agate forces a column to text only when its name is in the header as written.
    let forced: Vec<bool> = names
        .iter()
        .map(|n| options.column_types.contains_key(n) && raw.contains(n))
        .collect();

    let mut columns = vec![infer::Column::default(); names.len()];
    let mut rows = 0;
    let mut cells: Option<Vec<Vec<String>>> = options.keep_rows.then(Vec::new);
    let mut row: Vec<String> = Vec::new();
    while let Some(record) = records.next_record(|i, v| {
        if let Some(c) = columns.get_mut(i).filter(|_| !forced[i]) {
            c.observe(v);
        }
        if options.keep_rows {
            row.push(v.to_string());
        }
    })? {
        // agate counts a blank line as a row of nulls (DuckDB loads it as one only in a
        // one-column seed); it only matters to whether there is anything to load.
        if record.fields != names.len() && record.fields != 0 {
            return Err(SeedError::Ragged {
                line: record.line,
                found: record.fields,
                expected: names.len(),
            });
        }
        rows += 1;
        if let Some(cells) = cells.as_mut() {
            let mut fields = std::mem::take(&mut row);
            fields.resize(names.len(), String::new());
            cells.push(fields);
        }
    }
    let columns = names
        .into_iter()
        .zip(columns)
        .zip(forced)
        .map(|((name, column), forced)| SeedColumn {
            inferred: if forced {
                SeedType::Text
            } else {
                column.finish()
            },
            override_type: options.column_types.get(&name).cloned(),
            name,
        })
        .collect();
    Ok(SeedTable {
        columns,
        rows,
        warnings,
        cells,
    })
}

/// agate's column names: empty ones become letters, repeats get `_2`, `_3`, ...
fn header_names(raw: &[String], warnings: &mut Vec<SeedWarning>) -> Result<Vec<String>, SeedError> {
    let mut names: Vec<String> = Vec::with_capacity(raw.len());
    let mut taken = HashSet::new();
    let mut folded: HashMap<String, usize> = HashMap::new();
    for (i, name) in raw.iter().enumerate() {
        let base = if name.is_empty() {
            let letter = letter_name(i);
            warnings.push(SeedWarning {
                line: 1,
                message: format!("column {} has no name; dbt names it `{letter}`", i + 1),
            });
            letter
        } else {
            name.clone()
        };
        let mut unique = base.clone();
        let mut n = 2;
        while taken.contains(&unique) {
            unique = format!("{base}_{n}");
            n += 1;
        }
        if unique != base {
            warnings.push(SeedWarning {
                line: 1,
                message: format!(
                    "column `{base}` appears more than once; dbt names this one `{unique}`"
                ),
            });
        }
        if let Some(&j) = folded.get(&unique.to_ascii_lowercase()) {
            return Err(SeedError::DuplicateColumn {
                line: 1,
                first: names[j].clone(),
                second: unique,
            });
        }
        folded.insert(unique.to_ascii_lowercase(), names.len());
        taken.insert(unique.clone());
        names.push(unique);
    }
    Ok(names)
}

/// agate's `letter_name`: a, b, ... z, aa, bb, ...
fn letter_name(index: usize) -> String {
    let letter = char::from(b'a' + (index % 26) as u8);
    std::iter::repeat_n(letter, index / 26 + 1).collect()
}

/// The 1-based line holding byte `offset`.
fn line_of(bytes: &[u8], offset: usize) -> u32 {
    let newlines = bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod tests;
