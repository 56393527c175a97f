//! One query request -> a finished BigQuery job with all its rows: retries with
//! exponential backoff on 429, 5xx and broken connections, polling while the job runs,
//! paging through results, and errors reported inside a 200 answer (the emulator's way).
//!
//! The HTTP side sits behind [`Transport`], so the protocol is tested on canned answers:
//! the emulator always answers at once and in one page, real BigQuery does not.

use std::time::{Duration, Instant};

use gcp_bigquery_client::model::error_proto::ErrorProto;
use gcp_bigquery_client::model::get_query_results_parameters::GetQueryResultsParameters;
use gcp_bigquery_client::model::get_query_results_response::GetQueryResultsResponse;
use gcp_bigquery_client::model::job_reference::JobReference;
use gcp_bigquery_client::model::query_request::QueryRequest;
use gcp_bigquery_client::model::query_response::QueryResponse;
use gcp_bigquery_client::model::table_row::TableRow;
use gcp_bigquery_client::model::table_schema::TableSchema;

/// How long one poll waits inside BigQuery for the job to finish.
const POLL_WAIT_MS: i32 = 10_000;

/// The HTTP calls a query job needs. Implementations block the calling thread.
pub trait Transport: Send + Sync {
    /// `jobs.query` (or `jobs.insert` for batch priority, answered as not complete).
    fn query(&self, request: &QueryRequest) -> Result<QueryResponse, CallError>;
    /// `jobs.getQueryResults` for a submitted job.
    fn results(
        &self,
        job: &JobReference,
        params: &GetQueryResultsParameters,
    ) -> Result<GetQueryResultsResponse, CallError>;
    /// `jobs.cancel`, best effort.
    fn cancel(&self, job: &JobReference);
    fn sleep(&self, pause: Duration) {
        std::thread::sleep(pause);
    }
}

/// A failed HTTP call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// An error status with Google's error body (`code`, `message`, first `reason`).
    Status {
        code: i64,
        message: String,
        reason: String,
    },
    /// No usable answer: refused, reset, timed out, or a body that is not BigQuery's.
    Transport(String),
    /// The request could not be sent at all (built wrong): trying again cannot help.
    Client(String),
}

impl CallError {
    /// Google's advice: retry 429 and 5xx (and their reasons), and lost connections.
    pub fn retryable(&self) -> bool {
        match self {
            CallError::Status { code, reason, .. } => {
                matches!(code, 429 | 500 | 502 | 503 | 504)
                    || matches!(
                        reason.as_str(),
                        "rateLimitExceeded" | "backendError" | "internalError"
                    )
            }
            CallError::Transport(_) => true,
            CallError::Client(_) => false,
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Status { code, message, .. } => write!(f, "HTTP {code}: {message}"),
            CallError::Transport(m) | CallError::Client(m) => f.write_str(m),
        }
    }
}

/// Why a job produced no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// BigQuery refused or failed the statement; its own words.
    #[error("{0}")]
    Rejected(String),
    #[error(
        "the query was still running after {0} s (job_execution_timeout_seconds) and was cancelled"
    )]
    Timeout(u64),
    #[error("BigQuery did not answer after {tries} tries: {last}")]
    GaveUp { tries: u32, last: String },
}

/// Retry and time limits for one job.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub retries: u32,
    pub backoff: Duration,
    pub job_timeout: Option<Duration>,
}

/// A finished job.
#[derive(Debug, Clone, Default)]
pub struct Finished {
    pub schema: Option<TableSchema>,
    pub rows: Vec<TableRow>,
    pub bytes_processed: Option<u64>,
    pub rows_affected: Option<u64>,
}

/// Runs one request to completion.
pub fn run(
    t: &dyn Transport,
    request: &QueryRequest,
    policy: &Policy,
) -> Result<Finished, JobError> {
    let started = Instant::now();
    let first = with_retries(t, policy, || t.query(request))?;
    rejected(first.errors.as_deref())?;
    let mut done = Finished {
        schema: first.schema,
        rows: first.rows.unwrap_or_default(),
        bytes_processed: parse(first.total_bytes_processed.as_deref()),
        rows_affected: parse(first.num_dml_affected_rows.as_deref()),
    };
    if request.dry_run == Some(true) {
        return Ok(done);
    }
    let job = first.job_reference.unwrap_or_default();
    let mut complete = first.job_complete.unwrap_or(true);
    let mut page_token = first.page_token;
    while !complete || page_token.is_some() {
        if !complete {
            within_deadline(t, policy, started, &job)?;
        }
        // No `formatOptions` here: the client puts these parameters in the URL query,
        // which cannot carry a nested object (every poll failed before any request was
        // sent). Timestamps then come back as float seconds, which values.rs reads too.
        let params = GetQueryResultsParameters {
            location: job.location.clone(),
            page_token: page_token.clone(),
            timeout_ms: Some(POLL_WAIT_MS),
            ..Default::default()
        };
        let page = with_retries(t, policy, || t.results(&job, &params))?;
        rejected(page.errors.as_deref())?;
        if !page.job_complete.unwrap_or(true) {
            complete = false;
            continue;
        }
        if !complete {
            // The first complete answer carries the schema and the first page.
            complete = true;
            done.schema = page.schema;
            done.bytes_processed = parse(page.total_bytes_processed.as_deref());
            done.rows_affected = parse(page.num_dml_affected_rows.as_deref());
        }
        done.rows.extend(page.rows.unwrap_or_default());
        page_token = page.page_token;
    }
    Ok(done)
}

/// job_execution_timeout_seconds: a job still running after it is cancelled.
pub(super) fn within_deadline(
    t: &dyn Transport,
    policy: &Policy,
    started: Instant,
    job: &JobReference,
) -> Result<(), JobError> {
    match policy.job_timeout {
        Some(limit) if started.elapsed() > limit => {
            t.cancel(job);
            Err(JobError::Timeout(limit.as_secs()))
        }
        _ => Ok(()),
    }
}

pub(super) fn with_retries<R>(
    t: &dyn Transport,
    policy: &Policy,
    mut call: impl FnMut() -> Result<R, CallError>,
) -> Result<R, JobError> {
    let mut pause = policy.backoff;
    let mut tries = 0;
    loop {
        tries += 1;
        match call() {
            Ok(r) => return Ok(r),
            Err(e) if e.retryable() && tries <= policy.retries => {
                t.sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(60));
            }
            Err(e) if e.retryable() => {
                return Err(JobError::GaveUp {
                    tries,
                    last: e.to_string(),
                });
            }
            Err(CallError::Status { message, .. }) => return Err(JobError::Rejected(message)),
            Err(CallError::Transport(m) | CallError::Client(m)) => {
                return Err(JobError::Rejected(m));
            }
        }
    }
}

fn rejected(errors: Option<&[ErrorProto]>) -> Result<(), JobError> {
    let messages: Vec<&str> = errors
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.message.as_deref())
        .collect();
    if messages.is_empty() {
        Ok(())
    } else {
        Err(JobError::Rejected(messages.join("; ")))
    }
}

fn parse(n: Option<&str>) -> Option<u64> {
    n.and_then(|s| s.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Mutex;

    /// Answers from a script of canned JSON bodies, recording what was asked.
    struct Canned {
        answers: Mutex<Vec<Result<serde_json::Value, CallError>>>,
        calls: Mutex<Vec<String>>,
        sleeps: Mutex<Vec<Duration>>,
    }

    impl Canned {
        fn new(answers: Vec<Result<serde_json::Value, CallError>>) -> Canned {
            Canned {
                answers: Mutex::new(answers.into_iter().rev().collect()),
                calls: Mutex::new(Vec::new()),
                sleeps: Mutex::new(Vec::new()),
            }
        }
        fn next<T: serde::de::DeserializeOwned>(&self, call: String) -> Result<T, CallError> {
            self.calls.lock().unwrap().push(call);
            let answer = self.answers.lock().unwrap().pop().expect("an answer left");
            answer.map(|v| serde_json::from_value(v).unwrap())
        }
    }

    impl Transport for Canned {
        fn query(&self, _: &QueryRequest) -> Result<QueryResponse, CallError> {
            self.next("query".into())
        }
        fn results(
            &self,
            job: &JobReference,
            params: &GetQueryResultsParameters,
        ) -> Result<GetQueryResultsResponse, CallError> {
            let token = params.page_token.clone().unwrap_or_default();
            self.next(format!(
                "results {} {token}",
                job.job_id.clone().unwrap_or_default()
            ))
        }
        fn cancel(&self, job: &JobReference) {
            let id = job.job_id.clone().unwrap_or_default();
            self.calls.lock().unwrap().push(format!("cancel {id}"));
        }
        fn sleep(&self, pause: Duration) {
            self.sleeps.lock().unwrap().push(pause);
        }
    }

    fn policy() -> Policy {
        Policy {
            retries: 3,
            backoff: Duration::from_millis(100),
            job_timeout: None,
        }
    }

    fn schema() -> serde_json::Value {
        json!({"fields": [{"name": "n", "type": "INTEGER", "mode": "NULLABLE"}]})
    }

    fn row(n: i64) -> serde_json::Value {
        json!({"f": [{"v": n.to_string()}]})
    }

    fn ints(done: &Finished) -> Vec<String> {
        done.rows
            .iter()
            .map(|r| {
                let cell = &r.columns.as_ref().unwrap()[0];
                cell.value.as_ref().unwrap().as_str().unwrap().to_string()
            })
            .collect()
    }

    #[test]
    fn a_running_job_is_polled_and_every_page_is_read() {
        let job = json!({"projectId": "p", "jobId": "j1", "location": "EU"});
        let t = Canned::new(vec![
            Ok(json!({"jobReference": job, "jobComplete": false})),
            Ok(json!({"jobReference": job, "jobComplete": false})),
            Ok(
                json!({"jobReference": job, "jobComplete": true, "schema": schema(),
                "rows": [row(1), row(2)], "pageToken": "t2", "totalBytesProcessed": "640"}),
            ),
            Ok(
                json!({"jobReference": job, "jobComplete": true, "schema": schema(),
                "rows": [row(3)], "pageToken": "t3"}),
            ),
            Ok(
                json!({"jobReference": job, "jobComplete": true, "schema": schema(),
                "rows": [row(4)]}),
            ),
        ]);
        let done = run(&t, &QueryRequest::new("select n"), &policy()).unwrap();
        assert_eq!(ints(&done), ["1", "2", "3", "4"]);
        assert_eq!(done.bytes_processed, Some(640));
        assert_eq!(
            *t.calls.lock().unwrap(),
            [
                "query",
                "results j1 ",
                "results j1 ",
                "results j1 t2",
                "results j1 t3"
            ]
        );
    }

    #[test]
    fn rate_limits_and_server_errors_are_retried_with_growing_pauses() {
        let busy = CallError::Status {
            code: 429,
            message: "Exceeded rate limits".into(),
            reason: "rateLimitExceeded".into(),
        };
        let t = Canned::new(vec![
            Err(busy),
            Err(CallError::Transport("connection reset".into())),
            Err(CallError::Status {
                code: 503,
                message: "Service unavailable".into(),
                reason: "backendError".into(),
            }),
            Ok(json!({"jobComplete": true, "schema": schema(), "rows": [row(7)]})),
        ]);
        let done = run(&t, &QueryRequest::new("select 7"), &policy()).unwrap();
        assert_eq!(ints(&done), ["7"]);
        assert_eq!(
            *t.sleeps.lock().unwrap(),
            [100, 200, 400].map(Duration::from_millis)
        );
    }

    #[test]
    fn retries_end_and_other_errors_are_not_retried() {
        let t = Canned::new(vec![
            Err(CallError::Status {
                code: 500,
                message: "oops".into(),
                reason: "internalError".into(),
            });
            4
        ]);
        let e = run(&t, &QueryRequest::new("x"), &policy()).unwrap_err();
        assert_eq!(
            e,
            JobError::GaveUp {
                tries: 4,
                last: "HTTP 500: oops".into()
            }
        );
        let t = Canned::new(vec![Err(CallError::Status {
            code: 400,
            message: "Syntax error: Unexpected keyword FROM at [1:8]".into(),
            reason: "invalidQuery".into(),
        })]);
        let e = run(&t, &QueryRequest::new("select from"), &policy()).unwrap_err();
        assert_eq!(
            e,
            JobError::Rejected("Syntax error: Unexpected keyword FROM at [1:8]".into())
        );
        assert!(t.sleeps.lock().unwrap().is_empty());
        let t = Canned::new(vec![Err(CallError::Client("builder error".into()))]);
        let e = run(&t, &QueryRequest::new("x"), &policy()).unwrap_err();
        assert_eq!(e, JobError::Rejected("builder error".into()));
        assert!(
            t.sleeps.lock().unwrap().is_empty(),
            "a request built wrong is not retried"
        );
    }

    #[test]
    fn errors_inside_a_200_answer_fail_the_job() {
        let t = Canned::new(vec![Ok(json!({"jobComplete": true,
            "errors": [{"reason": "invalidQuery", "message": "Table not found: d.t"}]}))]);
        let e = run(&t, &QueryRequest::new("select * from d.t"), &policy()).unwrap_err();
        assert_eq!(e, JobError::Rejected("Table not found: d.t".into()));
    }

    #[test]
    fn a_job_past_its_timeout_is_cancelled() {
        let job = json!({"projectId": "p", "jobId": "slow"});
        let t = Canned::new(vec![
            Ok(json!({"jobReference": job, "jobComplete": false})),
            Ok(json!({"jobReference": job, "jobComplete": false})),
        ]);
        let p = Policy {
            job_timeout: Some(Duration::ZERO),
            ..policy()
        };
        let e = run(&t, &QueryRequest::new("select 1"), &p).unwrap_err();
        assert_eq!(e, JobError::Timeout(0));
        assert_eq!(*t.calls.lock().unwrap(), ["query", "cancel slow"]);
    }
}
