//! One table partition copied over another -> a BigQuery copy job (jobs.insert), polled
//! until BigQuery reports it done, with job_retries' backoff on each call.

use std::time::{Duration, Instant};

use gcp_bigquery_client::model::job::Job;
use gcp_bigquery_client::model::job_configuration::JobConfiguration;
use gcp_bigquery_client::model::job_configuration_table_copy::JobConfigurationTableCopy;
use gcp_bigquery_client::model::job_reference::JobReference;
use gcp_bigquery_client::model::table_reference::TableReference;

use super::jobs::{self, CallError, JobError, Transport};
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
    let started = Instant::now();
    let mut pause = Duration::from_millis(250);
    let mut job = inserted;
    loop {
        if let Some(done) = outcome(&job) {
            return done;
        }
        if let Some(limit) = policy.job_timeout
            && started.elapsed() > limit
        {
            http.cancel(&reference);
            return Err(JobError::Timeout(limit.as_secs()));
        }
        http.sleep(pause);
        pause = (pause * 2).min(Duration::from_secs(5));
        let id = reference.job_id.as_deref().unwrap_or_default();
        job = jobs::with_retries(http, &policy, || {
            http.runtime
                .block_on(
                    http.client
                        .job()
                        .get_job(&project, id, reference.location.as_deref()),
                )
                .map_err(call_error)
        })?;
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
