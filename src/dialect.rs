//! The target SQL dialect (pure, no I/O): quoting, relation names and the sqlparser dialect.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    DuckDb,
    BigQuery,
}

impl Dialect {
    /// From a profile output's `type:`.
    pub fn from_adapter_type(kind: &str) -> Option<Dialect> {
        match kind {
            "duckdb" => Some(Dialect::DuckDb),
            "bigquery" => Some(Dialect::BigQuery),
            _ => None,
        }
    }

    pub fn adapter_type(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::BigQuery => "bigquery",
        }
    }

    /// dbt's `adapter.quote`: DuckDB uses ANSI double quotes, BigQuery backticks.
    pub fn quote(self, ident: &str) -> String {
        match self {
            Dialect::DuckDb => format!("\"{}\"", ident.replace('"', "\"\"")),
            Dialect::BigQuery => format!("`{}`", ident.replace('`', "\\`")),
        }
    }

    /// A fully-qualified relation as dbt renders it: every part quoted, empty parts skipped.
    pub fn relation(self, database: &str, schema: &str, identifier: &str) -> String {
        self.relation_quoted(QuotePolicy::default(), database, schema, identifier)
    }

    /// A relation with dbt's `quoting:` policy applied part by part.
    pub fn relation_quoted(
        self,
        policy: QuotePolicy,
        database: &str,
        schema: &str,
        identifier: &str,
    ) -> String {
        let mut parts = Vec::with_capacity(3);
        for (part, quoted) in [
            (database, policy.database),
            (schema, policy.schema),
            (identifier, policy.identifier),
        ] {
            if !part.is_empty() {
                parts.push(if quoted {
                    self.quote(part)
                } else {
                    part.to_string()
                });
            }
        }
        parts.join(".")
    }

    /// The sqlparser dialect used to check rendered SQL.
    pub fn parser(self) -> Box<dyn sqlparser::dialect::Dialect + Send + Sync> {
        match self {
            Dialect::DuckDb => Box::new(sqlparser::dialect::DuckDbDialect {}),
            Dialect::BigQuery => Box::new(sqlparser::dialect::BigQueryDialect {}),
        }
    }
}

/// Which relation parts are quoted (dbt's `quoting:` config; both adapters default to all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotePolicy {
    pub database: bool,
    pub schema: bool,
    pub identifier: bool,
}

impl Default for QuotePolicy {
    fn default() -> Self {
        QuotePolicy {
            database: true,
            schema: true,
            identifier: true,
        }
    }
}

impl QuotePolicy {
    /// `self` with the booleans a `quoting:` mapping sets.
    pub fn with(self, config: &indexmap::IndexMap<String, serde_json::Value>) -> QuotePolicy {
        let get = |k: &str, d: bool| {
            config
                .get(k)
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(d)
        };
        QuotePolicy {
            database: get("database", self.database),
            schema: get("schema", self.schema),
            identifier: get("identifier", self.identifier),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_quote_each_part() {
        assert_eq!(
            Dialect::DuckDb.relation("dev", "main", "orders"),
            r#""dev"."main"."orders""#
        );
        assert_eq!(
            Dialect::BigQuery.relation("proj", "ds", "orders"),
            "`proj`.`ds`.`orders`"
        );
        assert_eq!(Dialect::DuckDb.relation("", "main", "o"), r#""main"."o""#);
        let mut q = indexmap::IndexMap::new();
        q.insert("identifier".to_string(), serde_json::Value::Bool(false));
        let policy = QuotePolicy::default().with(&q);
        assert_eq!(
            Dialect::DuckDb.relation_quoted(policy, "d", "s", "t"),
            r#""d"."s".t"#
        );
    }
}
