//! A model's `partition_by` and `cluster_by` configs -> checked values and the clauses and
//! partition expressions the BigQuery plans write (dbt-bigquery's PartitionConfig).
//!
//! `partition_by` is a mapping: `field` (required), `data_type` (`date` by default;
//! `timestamp`, `datetime`, `int64`), `granularity` (`day` by default; `hour`, `month`,
//! `year`; a date cannot be split by hour), `range: {start, end, interval}` (int64 only,
//! required there) and `copy_partitions` (insert_overwrite only). Strings are read
//! case-insensitively as in dbt. `time_ingestion_partitioning` is refused: xform does not
//! build ingestion-time partitioned tables yet.

use serde_json::Value as Json;

use super::super::PlanError;
use crate::node::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionType {
    Timestamp,
    Date,
    Datetime,
    Int64,
}

impl PartitionType {
    pub fn as_str(self) -> &'static str {
        match self {
            PartitionType::Timestamp => "timestamp",
            PartitionType::Date => "date",
            PartitionType::Datetime => "datetime",
            PartitionType::Int64 => "int64",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntRange {
    pub start: i64,
    pub end: i64,
    pub interval: i64,
}

/// A checked `partition_by`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionBy {
    /// The column, as written (a SQL identifier).
    pub field: String,
    pub data_type: PartitionType,
    /// `hour`, `day`, `month` or `year`.
    pub granularity: &'static str,
    /// Set for int64 partitions only.
    pub range: Option<IntRange>,
    pub copy_partitions: bool,
}

const DATA_TYPES: &str = "timestamp, date, datetime, int64";
const GRANULARITIES: &str = "hour, day, month, year";

impl PartitionBy {
    /// The node's `partition_by`, `None` when unset.
    pub fn from_node(node: &Node) -> Result<Option<PartitionBy>, PlanError> {
        let invalid = |problem: String| PlanError::InvalidConfig {
            node: node.unique_id.clone(),
            key: "partition_by".into(),
            problem,
        };
        let map = match node.config.get("partition_by") {
            None | Some(Json::Null) => return Ok(None),
            Some(Json::Object(map)) => map,
            Some(other) => {
                return Err(invalid(format!(
                    "must be a mapping with `field` and `data_type`, got {other}"
                )));
            }
        };
        let text = |key: &str| -> Result<Option<String>, PlanError> {
            match map.get(key) {
                None | Some(Json::Null) => Ok(None),
                Some(Json::String(s)) => Ok(Some(s.trim().to_string())),
                Some(other) => Err(invalid(format!("`{key}` must be a string, got {other}"))),
            }
        };
        let field = text("field")?
            .filter(|f| !f.is_empty())
            .ok_or_else(|| invalid("needs a `field` (the column to partition by)".into()))?;
        let data_type = match text("data_type")?.map(|t| t.to_lowercase()).as_deref() {
            None | Some("date") => PartitionType::Date,
            Some("timestamp") => PartitionType::Timestamp,
            Some("datetime") => PartitionType::Datetime,
            Some("int64") => PartitionType::Int64,
            Some(other) => {
                return Err(invalid(format!(
                    "has data_type `{other}`; expected one of: {DATA_TYPES}"
                )));
            }
        };
        let granularity = match text("granularity")?.map(|g| g.to_lowercase()).as_deref() {
            None | Some("day") => "day",
            Some("hour") if data_type == PartitionType::Date => {
                return Err(invalid(
                    "has granularity `hour`, which a date partition cannot have; use day, month or year".into(),
                ));
            }
            Some("hour") => "hour",
            Some("month") => "month",
            Some("year") => "year",
            Some(other) => {
                return Err(invalid(format!(
                    "has granularity `{other}`; expected one of: {GRANULARITIES}"
                )));
            }
        };
        let range = match (data_type, map.get("range")) {
            (PartitionType::Int64, Some(Json::Object(r))) => {
                let bound = |key: &str| {
                    r.get(key)
                        .and_then(Json::as_i64)
                        .ok_or_else(|| invalid(format!("`range` needs an integer `{key}`")))
                };
                let range = IntRange {
                    start: bound("start")?,
                    end: bound("end")?,
                    interval: bound("interval")?,
                };
                if range.interval <= 0 || range.end <= range.start {
                    return Err(invalid(
                        "`range` needs start < end and a positive interval".into(),
                    ));
                }
                Some(range)
            }
            (PartitionType::Int64, _) => {
                return Err(invalid(
                    "has data_type int64 and needs `range: {start, end, interval}`".into(),
                ));
            }
            (_, None | Some(Json::Null)) => None,
            (_, Some(_)) => {
                return Err(invalid(
                    "sets `range`, which only an int64 partition takes".into(),
                ));
            }
        };
        let flag = |key: &str| match map.get(key) {
            None | Some(Json::Null) => Ok(false),
            Some(Json::Bool(b)) => Ok(*b),
            Some(other) => Err(invalid(format!(
                "`{key}` must be true or false, got {other}"
            ))),
        };
        if flag("time_ingestion_partitioning")? {
            return Err(PlanError::UnsupportedConfig {
                node: node.unique_id.clone(),
                key: "partition_by.time_ingestion_partitioning".into(),
            });
        }
        Ok(Some(PartitionBy {
            field,
            data_type,
            granularity,
            range,
            copy_partitions: flag("copy_partitions")?,
        }))
    }

    /// The column, qualified by `alias` when given.
    pub fn column(&self, alias: Option<&str>) -> String {
        match alias {
            Some(a) => format!("{a}.{}", self.field),
            None => self.field.clone(),
        }
    }

    /// dbt's `render`: the expression BigQuery partitions by (a date by day is the column
    /// itself, int64 the raw value, the rest truncated to the granularity).
    pub fn render(&self, alias: Option<&str>) -> String {
        let column = self.column(alias);
        match (self.data_type, self.granularity) {
            (PartitionType::Int64, _) | (PartitionType::Date, "day") => column,
            (t, g) => format!("{}_trunc({column}, {g})", t.as_str()),
        }
    }

    /// dbt's `render_wrapped`: `render`, with a day-partitioned date wrapped in `date()`
    /// so the value always has the partition type.
    pub fn render_wrapped(&self, alias: Option<&str>) -> String {
        match (self.data_type, self.granularity) {
            (PartitionType::Date, "day") => format!("date({})", self.render(alias)),
            _ => self.render(alias),
        }
    }

    /// The id BigQuery gives the row's partition (what a decorator names: `t$20240101`),
    /// as a STRING expression. Time partitions are named in UTC by their granularity;
    /// an int64 partition by the start of its range bucket (dbt uses the raw value, which
    /// names a partition only when the interval is 1). Meaningful for rows that are not
    /// [`PartitionBy::unpartitioned`].
    pub fn partition_id(&self, alias: Option<&str>) -> String {
        let c = self.column(alias);
        if let Some(r) = self.range {
            let (start, interval) = (r.start, r.interval);
            return format!(
                "cast({start} + div({c} - {start}, {interval}) * {interval} as string)"
            );
        }
        let format = match self.granularity {
            "hour" => "%Y%m%d%H",
            "day" => "%Y%m%d",
            "month" => "%Y%m",
            _ => "%Y",
        };
        match self.data_type {
            PartitionType::Timestamp => format!("format_timestamp('{format}', {c}, 'UTC')"),
            PartitionType::Datetime => format!("format_datetime('{format}', {c})"),
            PartitionType::Date | PartitionType::Int64 => format!("format_date('{format}', {c})"),
        }
    }

    /// A condition true of rows in a partition with an id, not in BigQuery's `__NULL__`
    /// or `__UNPARTITIONED__`. Written on the bare column so that BigQuery prunes by it.
    pub fn partitioned(&self, alias: Option<&str>) -> String {
        let c = self.column(alias);
        match self.range {
            Some(r) => format!("{c} >= {} and {c} < {}", r.start, r.end),
            None => format!("{c} is not null"),
        }
    }

    /// The opposite of [`PartitionBy::partitioned`]: rows no decorator copy carries.
    pub fn unpartitioned(&self, alias: Option<&str>) -> String {
        let c = self.column(alias);
        match self.range {
            Some(r) => format!("({c} is null or {c} < {} or {c} >= {})", r.start, r.end),
            None => format!("{c} is null"),
        }
    }

    /// `partition by ...` for a `CREATE TABLE`.
    pub fn clause(&self) -> String {
        match self.range {
            Some(r) => format!(
                "partition by range_bucket({}, generate_array({}, {}, {}))",
                self.field, r.start, r.end, r.interval
            ),
            None => format!("partition by {}", self.render(None)),
        }
    }
}

/// `cluster_by` (one column or a list) -> `cluster by a, b`, `None` when unset.
pub fn cluster_clause(node: &Node) -> Result<Option<String>, PlanError> {
    let invalid = |problem: &str| PlanError::InvalidConfig {
        node: node.unique_id.clone(),
        key: "cluster_by".into(),
        problem: problem.into(),
    };
    let columns: Vec<&str> = match node.config.get("cluster_by") {
        None | Some(Json::Null) => return Ok(None),
        Some(Json::String(s)) => vec![s.as_str()],
        Some(Json::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .ok_or_else(|| invalid("must list column names only"))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid("must be a column name or a list of them")),
    };
    match columns.len() {
        0 => Ok(None),
        // BigQuery's own limit; saying so here beats a failed job.
        5.. => Err(invalid("lists more than 4 columns, BigQuery's limit")),
        _ => Ok(Some(format!("cluster by {}", columns.join(", ")))),
    }
}
