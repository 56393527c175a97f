//! A BigQuery profile output (dbt-bigquery's keys) -> the connection settings xform uses
//! (pure: files are read later, by `auth`).
//!
//! Keys read, with dbt-bigquery's meaning and defaults:
//! - `method`: `oauth` (application default credentials), `service-account` (`keyfile`,
//!   a path), `service-account-json` (`keyfile_json`, the key itself).
//! - `api_endpoint` (xform), or the environment variable `BIGQUERY_EMULATOR_HOST`: a
//!   BigQuery-compatible endpoint such as the local emulator, used with no credentials.
//! - `location`, `priority` (`interactive` or `batch`), `maximum_bytes_billed`.
//! - `job_retries` (default 1: a failed call is tried once more), with exponential
//!   backoff on 429, 5xx and broken connections; `job_execution_timeout_seconds` (how
//!   long a query may run before it is cancelled); `job_creation_timeout_seconds` (how
//!   long one HTTP call may take before it counts as failed and is retried).

use std::time::Duration;

use indexmap::IndexMap;
use serde_json::Value as Json;

/// How xform proves who it is to BigQuery.
#[derive(Clone, PartialEq)]
pub enum Credentials {
    /// No token: a local emulator at this base URL (`http://host:port`).
    Emulator(String),
    /// Application default credentials (gcloud login, GOOGLE_APPLICATION_CREDENTIALS,
    /// the metadata server).
    Oauth,
    /// A service-account key file.
    KeyFile(String),
    /// A service-account key given inline, as JSON text.
    KeyJson(String),
}

impl std::fmt::Debug for Credentials {
    // Key material never reaches a log line, not even through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Emulator(url) => write!(f, "Emulator({url})"),
            Credentials::Oauth => f.write_str("Oauth"),
            Credentials::KeyFile(_) => f.write_str("KeyFile(..)"),
            Credentials::KeyJson(_) => f.write_str("KeyJson(..)"),
        }
    }
}

/// Everything the BigQuery adapter needs to connect and submit jobs.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The GCP project jobs run in (the profile's `project`).
    pub project: String,
    pub credentials: Credentials,
    pub location: Option<String>,
    pub batch_priority: bool,
    pub maximum_bytes_billed: Option<u64>,
    /// Extra tries after a retryable failure.
    pub job_retries: u32,
    /// The first backoff delay; each retry doubles it.
    pub backoff: Duration,
    pub job_timeout: Option<Duration>,
    pub call_timeout: Duration,
}

/// Why a profile output does not describe a usable BigQuery connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("`{key}` {problem}")]
    Invalid { key: String, problem: String },
}

fn invalid(key: &str, problem: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        key: key.into(),
        problem: problem.into(),
    }
}

impl Settings {
    /// Reads a profile output's fields; `emulator_host` is `BIGQUERY_EMULATOR_HOST`.
    pub fn from_profile(
        project: &str,
        fields: &IndexMap<String, Json>,
        emulator_host: Option<&str>,
    ) -> Result<Settings, SettingsError> {
        let text = |key: &str| fields.get(key).and_then(json_text);
        let endpoint = text("api_endpoint").or_else(|| {
            emulator_host
                .filter(|h| !h.trim().is_empty())
                .map(str::to_string)
        });
        let credentials = match endpoint {
            Some(url) => Credentials::Emulator(base_url(&url)),
            None => match text("method").as_deref().unwrap_or("oauth") {
                "oauth" => Credentials::Oauth,
                "service-account" => {
                    Credentials::KeyFile(text("keyfile").ok_or_else(|| {
                        invalid("keyfile", "is required by method service-account")
                    })?)
                }
                "service-account-json" => {
                    let key = fields.get("keyfile_json").ok_or_else(|| {
                        invalid("keyfile_json", "is required by method service-account-json")
                    })?;
                    Credentials::KeyJson(match key {
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                }
                other => {
                    return Err(invalid(
                        "method",
                        format!(
                            "`{other}` is not supported; use oauth, service-account or service-account-json"
                        ),
                    ));
                }
            },
        };
        let batch_priority = match text("priority").as_deref() {
            None | Some("interactive") => false,
            Some("batch") => true,
            Some(other) => {
                return Err(invalid(
                    "priority",
                    format!("is `{other}`; expected interactive or batch"),
                ));
            }
        };
        let location = text("location").map(|l| l.trim().to_string());
        if let Some(l) = location.as_deref().filter(|l| !is_location(l)) {
            return Err(invalid(
                "location",
                format!(
                    "is `{l}`, which is not a BigQuery location: a multi-region (US, EU) or a region such as us-central1 or europe-west2"
                ),
            ));
        }
        Ok(Settings {
            project: project.to_string(),
            credentials,
            location,
            batch_priority,
            maximum_bytes_billed: number(fields, "maximum_bytes_billed")?,
            job_retries: number(fields, "job_retries")?.map_or(1, |n| n.min(20) as u32),
            backoff: Duration::from_millis(number(fields, "job_retry_backoff_ms")?.unwrap_or(1000)),
            job_timeout: seconds(fields, "job_execution_timeout_seconds")?,
            call_timeout: seconds(fields, "job_creation_timeout_seconds")?
                .unwrap_or(Duration::from_secs(120)),
        })
    }
}

/// The shape of a BigQuery location: `US`, `EU`, or a region (`us-central1`,
/// `europe-west2`, `aws-us-east-1`), always dashed and ending in its number. A misspelt
/// region of the right shape is left to BigQuery, which names it in its refusal.
fn is_location(l: &str) -> bool {
    let l = l.to_ascii_lowercase();
    l == "us"
        || l == "eu"
        || (l.starts_with(|c: char| c.is_ascii_lowercase())
            && l.ends_with(|c: char| c.is_ascii_digit())
            && l.contains('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
}

/// `host:port` or a URL -> the URL's origin without a trailing slash.
fn base_url(endpoint: &str) -> String {
    let trimmed = endpoint.trim().trim_end_matches('/');
    if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("http://{trimmed}")
    }
}

fn json_text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) if !s.is_empty() => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(fields: &IndexMap<String, Json>, key: &str) -> Result<Option<u64>, SettingsError> {
    match fields.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| invalid(key, "must be a whole number of at least 0")),
        Some(Json::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| invalid(key, format!("is `{s}`; expected a whole number"))),
        Some(_) => Err(invalid(key, "must be a whole number")),
    }
}

fn seconds(fields: &IndexMap<String, Json>, key: &str) -> Result<Option<Duration>, SettingsError> {
    match fields.get(key) {
        Some(Json::Number(n)) => match n.as_f64() {
            Some(s) if s > 0.0 => Ok(Some(Duration::from_secs_f64(s))),
            _ => Err(invalid(key, "must be a positive number of seconds")),
        },
        _ => number(fields, key).map(|n| n.map(Duration::from_secs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn locations_are_checked_for_shape_only() {
        for ok in [
            "US",
            "eu",
            "us-central1",
            "europe-west2",
            "asia-northeast1",
            "aws-us-east-1",
        ] {
            assert!(is_location(ok), "{ok}");
        }
        for bad in [
            "us-centrall",
            "europe",
            "USA",
            "us central1",
            "us_central1",
            "",
        ] {
            assert!(!is_location(bad), "{bad}");
        }
        let f = fields(json!({"method": "oauth", "location": "us-centrall"}));
        let e = Settings::from_profile("p", &f, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("`location` is `us-centrall`, which is not a BigQuery location"),
            "{e}"
        );
    }

    fn fields(v: Json) -> IndexMap<String, Json> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_emulator_wins_over_credentials_and_defaults_follow_dbt_bigquery() {
        let f = fields(json!({"method": "service-account", "keyfile": "/k.json"}));
        let s = Settings::from_profile("p", &f, Some("127.0.0.1:9050")).unwrap();
        assert_eq!(
            s.credentials,
            Credentials::Emulator("http://127.0.0.1:9050".into())
        );
        assert_eq!(s.job_retries, 1);
        assert!(!s.batch_priority);
        assert_eq!(s.job_timeout, None);
        let s = Settings::from_profile("p", &f, None).unwrap();
        assert_eq!(s.credentials, Credentials::KeyFile("/k.json".into()));
    }

    #[test]
    fn job_settings_are_read_and_checked() {
        let f = fields(json!({
            "method": "oauth", "location": "EU", "priority": "batch", "job_retries": 3,
            "job_execution_timeout_seconds": 30, "maximum_bytes_billed": "1000000",
            "job_creation_timeout_seconds": 2.5
        }));
        let s = Settings::from_profile("p", &f, None).unwrap();
        assert_eq!(s.location.as_deref(), Some("EU"));
        assert!(s.batch_priority);
        assert_eq!(s.job_retries, 3);
        assert_eq!(s.job_timeout, Some(Duration::from_secs(30)));
        assert_eq!(s.call_timeout, Duration::from_millis(2500));
        assert_eq!(s.maximum_bytes_billed, Some(1_000_000));
        let bad = fields(json!({"priority": "urgent"}));
        let e = Settings::from_profile("p", &bad, None).unwrap_err();
        assert!(e.to_string().contains("`priority` is `urgent`"), "{e}");
        let bad = fields(json!({"job_retries": "many"}));
        assert!(Settings::from_profile("p", &bad, None).is_err());
    }

    #[test]
    fn key_material_is_not_printed_by_debug() {
        let f = fields(json!({"method": "service-account-json",
            "keyfile_json": {"private_key": "-----BEGIN PRIVATE KEY-----SECRET"}}));
        let s = Settings::from_profile("p", &f, None).unwrap();
        assert!(!format!("{s:?}").contains("SECRET"));
    }
}
