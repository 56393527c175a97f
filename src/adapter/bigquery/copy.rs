//! One table partition copied over another -> a BigQuery copy job (jobs.insert), polled
//! until BigQuery reports it done, with job_retries' backoff on each call.

use std::time::{Duration, Instant};

use gcp_bigquery_client::model::job::Job;
use gcp_bigquery_client::model::job_configuration::JobConfiguration;
use gcp_bigquery_client::model::job_configuration_table_copy::JobConfigurationTableCopy;
use gcp_bigquery_client::model::job_reference::JobReference;
use gcp_bigquery_client::model::table_reference::TableReference;

use super::jobs::{self, CallError, JobError, Policy, Transport};
use super::{BigQuery, call_error, request_id};

/// `source$partition` over `target$partition` (WRITE_TRUNCATE), both in one dataset.
pub(super) fn copy_partition(
    bq: &BigQuery,
    (database, schema): (&str, &str),
    source: &str,
    target: &str,
    partition: &str,
) -> Result<(), JobError> {
    let table = |name: &str| TableReference::new(database, schema, &format!("{name}${partition}"));
    let reference = JobReference {
        project_id: Some(bq.http.project.clone()),
        job_id: Some(request_id()),
        location: bq.settings.location.clone(),
    };
    let job = Job {
        configuration: Some(JobConfiguration {
            labels: Some(bq.labels()),
            copy: Some(JobConfigurationTableCopy {
                source_table: Some(table(source)),
                destination_table: Some(table(target)),
                write_disposition: Some("WRITE_TRUNCATE".into()),
                create_disposition: Some("CREATE_NEVER".into()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        job_reference: Some(reference.clone()),
        ..Default::default()
    };
    let policy = bq.policy();
    let http = &bq.http;
    let project = http.project.clone();
    let inserted = jobs::with_retries(http, &policy, || {
        match http
            .runtime
            .block_on(http.client.job().insert(&project, job.clone()))
            .map_err(call_error)
        {
            // A retried insert whose first try reached BigQuery: the job exists.
            Err(CallError::Status { code: 409, .. }) => Ok(Job {
                job_reference: Some(reference.clone()),
                ..Default::default()
            }),
            other => other,
        }
    })?;
    let id = reference.job_id.clone().unwrap_or_default();
    wait_for(http, &policy, &reference, inserted, || {
        http.runtime
            .block_on(
                http.client
                    .job()
                    .get_job(&project, &id, reference.location.as_deref()),
            )
            .map_err(call_error)
    })
}

/// Polls a job (`get` is jobs.get) from its first state until it is done, backing off
/// from 250 ms to 5 s between polls, within job_execution_timeout_seconds.
fn wait_for(
    t: &dyn Transport,
    policy: &Policy,
    reference: &JobReference,
    first: Job,
    mut get: impl FnMut() -> Result<Job, CallError>,
) -> Result<(), JobError> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(250);
    let mut job = first;
    loop {
        if let Some(done) = outcome(&job) {
            return done;
        }
        jobs::within_deadline(t, policy, started, reference)?;
        t.sleep(pause);
        pause = (pause * 2).min(Duration::from_secs(5));
        job = jobs::with_retries(t, policy, &mut get)?;
    }
}

/// A job's end: `None` while it runs, BigQuery's reason when it failed.
fn outcome(job: &Job) -> Option<Result<(), JobError>> {
    let status = job.status.as_ref()?;
    if status.state.as_deref() != Some("DONE") {
        return None;
    }
    Some(match &status.error_result {
        Some(e) => Err(JobError::Rejected(
            e.message
                .clone()
                .or_else(|| e.reason.clone())
                .unwrap_or_else(|| "the copy job failed".into()),
        )),
        None => Ok(()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(v: serde_json::Value) -> Job {
        serde_json::from_value(v).expect("a job")
    }

    /// Records sleeps and cancels; a copy job needs nothing else of the transport.
    #[derive(Default)]
    struct Clock {
        sleeps: std::sync::Mutex<Vec<Duration>>,
        cancels: std::sync::Mutex<Vec<String>>,
    }

    impl Transport for Clock {
        fn query(
            &self,
            _: &gcp_bigquery_client::model::query_request::QueryRequest,
        ) -> Result<gcp_bigquery_client::model::query_response::QueryResponse, CallError> {
            Err(CallError::Client("not a query".into()))
        }
        fn results(
            &self,
            _: &JobReference,
            _: &gcp_bigquery_client::model::get_query_results_parameters::GetQueryResultsParameters,
        ) -> Result<
            gcp_bigquery_client::model::get_query_results_response::GetQueryResultsResponse,
            CallError,
        > {
            Err(CallError::Client("not a query".into()))
        }
        fn cancel(&self, job: &JobReference) {
            let id = job.job_id.clone().unwrap_or_default();
            self.cancels.lock().unwrap().push(id);
        }
        fn sleep(&self, pause: Duration) {
            self.sleeps.lock().unwrap().push(pause);
        }
    }

    fn policy(job_timeout: Option<Duration>) -> Policy {
        Policy {
            retries: 2,
            backoff: Duration::from_millis(100),
            job_timeout,
        }
    }

    fn reference() -> JobReference {
        JobReference {
            project_id: Some("p".into()),
            job_id: Some("copy-1".into()),
            location: None,
        }
    }

    #[test]
    fn a_running_copy_job_is_polled_with_backoff_and_retries_until_done() {
        let clock = Clock::default();
        let mut answers = vec![
            Ok(job(serde_json::json!({"status": {"state": "DONE"}}))),
            Err(CallError::Status {
                code: 503,
                message: "backend error".into(),
                reason: "backendError".into(),
            }),
            Ok(job(serde_json::json!({"status": {"state": "RUNNING"}}))),
        ];
        let first = job(serde_json::json!({"status": {"state": "PENDING"}}));
        let done = wait_for(&clock, &policy(None), &reference(), first, || {
            answers.pop().expect("no more polls than answers")
        });
        assert_eq!(done, Ok(()));
        assert!(answers.is_empty(), "every answer was asked for");
        // Two polls' pauses, and the retry's backoff after the 503 between them.
        assert_eq!(
            *clock.sleeps.lock().unwrap(),
            [
                Duration::from_millis(250),
                Duration::from_millis(500),
                Duration::from_millis(100)
            ]
        );
    }

    #[test]
    fn a_copy_job_past_its_timeout_is_cancelled() {
        let clock = Clock::default();
        let first = job(serde_json::json!({"status": {"state": "RUNNING"}}));
        let done = wait_for(
            &clock,
            &policy(Some(Duration::ZERO)),
            &reference(),
            first,
            || panic!("no poll after the deadline"),
        );
        assert_eq!(done, Err(JobError::Timeout(0)));
        assert_eq!(*clock.cancels.lock().unwrap(), ["copy-1"]);
    }

    #[test]
    fn a_copy_job_is_done_only_when_bigquery_says_so_and_fails_with_its_reason() {
        assert!(outcome(&job(serde_json::json!({}))).is_none());
        assert!(outcome(&job(serde_json::json!({"status": {"state": "RUNNING"}}))).is_none());
        assert_eq!(
            outcome(&job(serde_json::json!({"status": {"state": "DONE"}}))),
            Some(Ok(()))
        );
        let failed = job(serde_json::json!({"status": {"state": "DONE",
            "errorResult": {"reason": "invalid", "message": "Partition $2024 is not valid"}}}));
        assert_eq!(
            outcome(&failed),
            Some(Err(JobError::Rejected(
                "Partition $2024 is not valid".into()
            )))
        );
    }
}
