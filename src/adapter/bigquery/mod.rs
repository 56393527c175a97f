//! Google BigQuery over its REST API (gcp-bigquery-client): SQL in, rows, relations and
//! byte estimates out. Works against real BigQuery and the local emulator alike.
//!
//! Every statement is one query job (a plan's atomic steps are one multi-statement
//! script job). Metadata comes from dataset-qualified INFORMATION_SCHEMA views, which
//! both BigQuery and the emulator answer; the emulator has no region-qualified ones.

mod auth;
mod copy;
pub mod jobs;
mod schema_update;
pub mod settings;
mod values;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use gcp_bigquery_client::Client;
use gcp_bigquery_client::error::BQError;
use gcp_bigquery_client::model::data_format_options::DataFormatOptions;
use gcp_bigquery_client::model::get_query_results_parameters::GetQueryResultsParameters;
use gcp_bigquery_client::model::get_query_results_response::GetQueryResultsResponse;
use gcp_bigquery_client::model::job::Job;
use gcp_bigquery_client::model::job_configuration::JobConfiguration;
use gcp_bigquery_client::model::job_configuration_query::JobConfigurationQuery;
use gcp_bigquery_client::model::job_reference::JobReference;
use gcp_bigquery_client::model::query_request::QueryRequest;
use gcp_bigquery_client::model::query_response::QueryResponse;
use serde_json::Value as Json;

pub use auth::AuthError;
use jobs::{CallError, Policy, Transport};
pub use settings::{Credentials, Settings};

use super::{Adapter, AdapterError, Column, RelationKind, Rows};
use crate::dialect::Dialect;

/// A connection to one BigQuery project (or the emulator).
pub struct BigQuery {
    http: Http,
    settings: Settings,
    /// Job labels: dbt's `dbt_invocation_id` plus anything the profile adds.
    labels: HashMap<String, String>,
}

impl BigQuery {
    /// Builds the client; nothing is sent until the first statement.
    pub fn connect(settings: Settings, invocation_id: &str) -> Result<BigQuery, AdapterError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| AdapterError::Connect {
                message: e.to_string(),
            })?;
        let http = reqwest::Client::builder()
            .timeout(settings.call_timeout)
            .build()
            .map_err(|e| AdapterError::Connect {
                message: e.to_string(),
            })?;
        let (client, tokens) = runtime
            .block_on(auth::client(&settings.credentials, http.clone()))
            .map_err(|e| AdapterError::Connect {
                message: e.to_string(),
            })?;
        let base_url = match &settings.credentials {
            Credentials::Emulator(url) => format!("{url}/bigquery/v2"),
            _ => "https://bigquery.googleapis.com/bigquery/v2".to_string(),
        };
        let mut labels = HashMap::new();
        labels.insert("dbt_invocation_id".to_string(), label_value(invocation_id));
        Ok(BigQuery {
            http: Http {
                client,
                rest: http,
                tokens,
                base_url,
                runtime,
                project: settings.project.clone(),
                batch: settings.batch_priority,
            },
            settings,
            labels,
        })
    }

    fn request(&self, sql: &str, dry_run: bool) -> QueryRequest {
        let mut request = QueryRequest::new(sql);
        request.use_legacy_sql = false;
        request.dry_run = dry_run.then_some(true);
        request.location = self.settings.location.clone();
        request.maximum_bytes_billed = self.settings.maximum_bytes_billed.map(|b| b.to_string());
        request.format_options = Some(DataFormatOptions {
            use_int64_timestamp: Some(true),
        });
        request.request_id = Some(request_id());
        request.timeout_ms = Some(10_000);
        request.labels = Some(self.labels());
        request
    }

    /// A job's labels: the run's, plus the node it works for.
    fn labels(&self) -> HashMap<String, String> {
        let mut labels = self.labels.clone();
        if let Some(node) = super::current_node() {
            labels.insert("dbt_node_id".to_string(), label_value(&node));
        }
        labels
    }

    fn policy(&self) -> Policy {
        Policy {
            retries: self.settings.job_retries,
            backoff: self.settings.backoff,
            job_timeout: self.settings.job_timeout,
        }
    }

    fn run(&self, sql: &str, dry_run: bool) -> Result<jobs::Finished, AdapterError> {
        jobs::run(&self.http, &self.request(sql, dry_run), &self.policy()).map_err(|e| {
            AdapterError::Sql {
                message: e.to_string(),
            }
        })
    }

    /// A tables.get or tables.patch call with job_retries' backoff.
    fn table_call(
        &self,
        method: reqwest::Method,
        (database, schema, identifier): (&str, &str, &str),
        body: Option<&Json>,
    ) -> Result<Json, AdapterError> {
        let url = format!(
            "{}/projects/{}/datasets/{}/tables/{}",
            self.http.base_url,
            path_segment(database),
            path_segment(schema),
            path_segment(identifier)
        );
        jobs::with_retries(&self.http, &self.policy(), || {
            self.http.rest(method.clone(), &url, body)
        })
        .map_err(|e| AdapterError::Sql {
            message: e.to_string(),
        })
    }

    /// Datasets of the project in the target's location. The region-qualified view is
    /// the one real BigQuery answers for a whole project; the emulator answers it too.
    fn datasets(&self) -> Result<Vec<String>, AdapterError> {
        let region = format!(
            "region-{}",
            self.settings
                .location
                .as_deref()
                .unwrap_or("us")
                .to_ascii_lowercase()
        );
        let sql = format!(
            "select schema_name from {}.INFORMATION_SCHEMA.SCHEMATA",
            Dialect::BigQuery.relation(&self.http.project, &region, "")
        );
        Ok(self
            .query(&sql)?
            .rows
            .into_iter()
            .filter_map(|r| r.first().and_then(Json::as_str).map(str::to_string))
            .collect())
    }

    /// A metadata query on one dataset; a dataset that does not exist has nothing in it.
    fn metadata(&self, sql: &str) -> Result<Rows, AdapterError> {
        match self.query(sql) {
            Err(AdapterError::Sql { message }) if is_not_found(&message) => Ok(Rows::default()),
            other => other,
        }
    }
}

fn is_not_found(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("not found") || m.contains("does not exist")
}

impl Adapter for BigQuery {
    fn dialect(&self) -> Dialect {
        Dialect::BigQuery
    }

    fn execute(&self, sql: &str) -> Result<(), AdapterError> {
        self.run(sql, false).map(|_| ())
    }

    /// One script job: BigQuery runs a script's statements in order and stops at the
    /// first failure; the plans keep every replacement a single atomic statement.
    fn execute_atomically(&self, sql: &[String]) -> Result<(), AdapterError> {
        if sql.is_empty() {
            return Ok(());
        }
        self.execute(&sql.join(";\n"))
    }

    fn query(&self, sql: &str) -> Result<Rows, AdapterError> {
        let done = self.run(sql, false)?;
        Ok(values::rows(done.schema.as_ref(), &done.rows))
    }

    fn relation_kind(
        &self,
        database: &str,
        schema: &str,
        identifier: &str,
    ) -> Result<Option<RelationKind>, AdapterError> {
        let sql = format!(
            "select table_type from {}.INFORMATION_SCHEMA.TABLES where table_name = {}",
            Dialect::BigQuery.relation(database, schema, ""),
            string_literal(identifier)
        );
        let rows = self.metadata(&sql)?;
        Ok(rows
            .rows
            .first()
            .and_then(|r| r.first())
            .and_then(Json::as_str)
            .map(kind_of))
    }

    fn relations(&self) -> Result<Vec<(String, RelationKind)>, AdapterError> {
        let datasets = self.datasets()?;
        if datasets.is_empty() {
            return Ok(Vec::new());
        }
        let project = &self.http.project;
        let parts: Vec<String> = datasets
            .iter()
            .map(|d| {
                format!(
                    "select table_catalog, table_schema, table_name, table_type from {}.INFORMATION_SCHEMA.TABLES",
                    Dialect::BigQuery.relation(project, d, "")
                )
            })
            .collect();
        let rows = self.query(&parts.join("\nunion all\n"))?;
        Ok(rows
            .rows
            .into_iter()
            .filter_map(|r| {
                let part = |i: usize| r.get(i).and_then(Json::as_str).map(str::to_lowercase);
                let name = format!("{}.{}.{}", part(0)?, part(1)?, part(2)?);
                Some((name, kind_of(r.get(3)?.as_str()?)))
            })
            .collect())
    }

    fn estimate_bytes(&self, sql: &str) -> Result<Option<u64>, AdapterError> {
        Ok(Some(self.run(sql, true)?.bytes_processed.unwrap_or(0)))
    }

    fn describe(&self, sql: &str) -> Result<Vec<Column>, AdapterError> {
        let done = self.run(sql, true)?;
        Ok(values::columns(done.schema.as_ref()))
    }

    /// tables.get, the column's nested fields appended to the schema as BigQuery gave
    /// it, tables.patch with the whole schema (BigQuery's way to add a nested field).
    fn widen_struct(
        &self,
        database: &str,
        schema: &str,
        identifier: &str,
        column: &str,
        data_type: &str,
    ) -> Result<(), AdapterError> {
        let refused = |why: String| AdapterError::Sql {
            message: format!(
                "cannot add the new fields of {column} to {database}.{schema}.{identifier}: {why}"
            ),
        };
        let ty = crate::sql::bigquery_type::parse(data_type)
            .ok_or_else(|| refused(format!("`{data_type}` is not a type xform reads")))?;
        let table = (database, schema, identifier);
        let current = self.table_call(reqwest::Method::GET, table, None)?;
        let mut fields = current
            .pointer("/schema/fields")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        schema_update::widen(&mut fields, column, &ty).map_err(refused)?;
        let patch = serde_json::json!({"schema": {"fields": fields}});
        self.table_call(reqwest::Method::PATCH, table, Some(&patch))?;
        Ok(())
    }

    fn copy_partition(
        &self,
        (database, schema): (&str, &str),
        source: &str,
        target: &str,
        partition: &str,
    ) -> Result<(), AdapterError> {
        copy::copy_partition(self, (database, schema), source, target, partition).map_err(|e| {
            AdapterError::Sql {
                message: format!(
                    "copying partition {partition} of {schema}.{source} over {schema}.{target}: {e}"
                ),
            }
        })
    }

    fn columns(
        &self,
        database: &str,
        schema: &str,
        identifier: &str,
    ) -> Result<Vec<Column>, AdapterError> {
        let sql = format!(
            "select column_name, data_type from {}.INFORMATION_SCHEMA.COLUMNS where table_name = {} order by ordinal_position",
            Dialect::BigQuery.relation(database, schema, ""),
            string_literal(identifier)
        );
        Ok(self
            .metadata(&sql)?
            .rows
            .into_iter()
            .map(|r| Column {
                name: r.first().and_then(Json::as_str).unwrap_or_default().into(),
                data_type: r.get(1).and_then(Json::as_str).unwrap_or_default().into(),
            })
            .collect())
    }
}

fn kind_of(table_type: &str) -> RelationKind {
    if table_type.eq_ignore_ascii_case("VIEW") {
        RelationKind::View
    } else {
        RelationKind::Table
    }
}

/// A BigQuery string literal (backslash escapes, as GoogleSQL reads them).
fn string_literal(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Label values: lower-case letters, digits, `_` and `-`, at most 63 characters.
/// A project, dataset or table name as one URL path segment.
fn path_segment(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn label_value(v: &str) -> String {
    v.chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(63)
        .collect()
}

/// A request id unique to this process and call, so BigQuery runs a retried
/// `jobs.query` once (its idempotency key).
fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "xform-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The gcp-bigquery-client calls, blocking on a small runtime of xform's own, and the
/// few REST calls made without it.
struct Http {
    client: Client,
    /// For calls outside the client's typed models, with the same token source.
    rest: reqwest::Client,
    tokens: auth::TokenSource,
    /// `.../bigquery/v2`, the emulator's when one is used.
    base_url: String,
    runtime: tokio::runtime::Runtime,
    project: String,
    batch: bool,
}

impl Transport for Http {
    fn query(&self, request: &QueryRequest) -> Result<QueryResponse, CallError> {
        if self.batch && request.dry_run != Some(true) {
            return self.insert_batch(request);
        }
        self.runtime
            .block_on(self.client.job().query(&self.project, request.clone()))
            .map_err(call_error)
    }

    fn results(
        &self,
        job: &JobReference,
        params: &GetQueryResultsParameters,
    ) -> Result<GetQueryResultsResponse, CallError> {
        let project = job.project_id.as_deref().unwrap_or(&self.project);
        let id = job.job_id.as_deref().unwrap_or_default();
        self.runtime
            .block_on(
                self.client
                    .job()
                    .get_query_results(project, id, params.clone()),
            )
            .map_err(call_error)
    }

    fn cancel(&self, job: &JobReference) {
        let project = job.project_id.as_deref().unwrap_or(&self.project);
        if let Some(id) = job.job_id.as_deref() {
            let _ = self.runtime.block_on(self.client.job().cancel_job(
                project,
                id,
                job.location.as_deref(),
            ));
        }
    }
}

impl Http {
    /// One REST call; the JSON answer, or Google's error from its body (HTTP 200 bodies
    /// with an `error` included, as the emulator answers).
    fn rest(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Json>,
    ) -> Result<Json, CallError> {
        self.runtime.block_on(async {
            let token = self.tokens.token().await.map_err(call_error)?;
            let mut request = self.rest.request(method, url).bearer_auth(token);
            if let Some(body) = body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.to_string());
            }
            let response = request.send().await.map_err(|e| {
                if e.is_builder() {
                    CallError::Client(with_causes(&e))
                } else {
                    CallError::Transport(with_causes(&e))
                }
            })?;
            let status = response.status();
            let text = response
                .text()
                .await
                .map_err(|e| CallError::Transport(with_causes(&e)))?;
            let json: Json = serde_json::from_str(&text).unwrap_or(Json::Null);
            match json.get("error") {
                None if status.is_success() => Ok(json),
                error => {
                    let error = error.unwrap_or(&Json::Null);
                    Err(CallError::Status {
                        code: error
                            .get("code")
                            .and_then(Json::as_i64)
                            .unwrap_or(i64::from(status.as_u16())),
                        message: error
                            .get("message")
                            .and_then(Json::as_str)
                            .map_or_else(|| format!("{status}: {text}"), str::to_string),
                        reason: error
                            .pointer("/errors/0/reason")
                            .and_then(Json::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    })
                }
            }
        })
    }

    /// Batch priority needs `jobs.insert`; the answer is a running job to poll.
    fn insert_batch(&self, request: &QueryRequest) -> Result<QueryResponse, CallError> {
        let job = Job {
            configuration: Some(JobConfiguration {
                labels: request.labels.clone(),
                query: Some(JobConfigurationQuery {
                    query: request.query.clone(),
                    use_legacy_sql: Some(false),
                    priority: Some("BATCH".into()),
                    maximum_bytes_billed: request.maximum_bytes_billed.clone(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            job_reference: Some(JobReference {
                project_id: Some(self.project.clone()),
                job_id: request.request_id.clone(),
                location: request.location.clone(),
            }),
            ..Default::default()
        };
        let inserted = self
            .runtime
            .block_on(self.client.job().insert(&self.project, job))
            .map_err(call_error)?;
        Ok(QueryResponse {
            job_complete: Some(false),
            job_reference: inserted.job_reference,
            ..Default::default()
        })
    }
}

fn call_error(e: BQError) -> CallError {
    match e {
        BQError::ResponseError { error } => CallError::Status {
            code: error.error.code,
            reason: error
                .error
                .errors
                .first()
                .and_then(|m| m.get("reason"))
                .cloned()
                .unwrap_or_default(),
            message: error.error.message,
        },
        BQError::RequestError(e) if e.is_builder() => CallError::Client(with_causes(&e)),
        other => CallError::Transport(with_causes(&other)),
    }
}

/// An error and its causes (`error sending request: operation timed out`): reqwest's
/// own message leaves out why.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let part = c.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = c.source();
    }
    text
}
