//! The local BigQuery emulator for tests: where it is, a dataset per test, and an adapter
//! to check what a run left behind.

use std::path::Path;

use xform::adapter::bigquery::{BigQuery, Credentials, Settings};

/// The emulator's `host:port`, or None after printing why BigQuery tests skip here.
/// `.ci/run` sets XFORM_REQUIRE_BIGQUERY=1, so in CI a missing emulator fails instead.
pub fn emulator() -> Option<String> {
    let host = std::env::var("BIGQUERY_EMULATOR_HOST")
        .ok()
        .filter(|h| !h.is_empty());
    let required = std::env::var("XFORM_REQUIRE_BIGQUERY").is_ok_and(|v| v == "1");
    let reachable = host
        .as_deref()
        .is_some_and(|h| std::net::TcpStream::connect(h).is_ok());
    match (host, reachable) {
        (Some(h), true) => Some(h),
        (host, _) => {
            let why = match host {
                Some(h) => format!("no BigQuery emulator answers at BIGQUERY_EMULATOR_HOST={h}"),
                None => "BIGQUERY_EMULATOR_HOST is not set".to_string(),
            };
            assert!(!required, "{why}, and XFORM_REQUIRE_BIGQUERY=1");
            // Straight to stderr: libtest captures eprintln! of passing tests.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "skipping a BigQuery test: {why} (start one with scripts/bigquery_emulator.sh start)"
            );
            None
        }
    }
}

/// A dataset name no other test (or earlier run) uses: the emulator is shared.
pub fn dataset(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("t_{test}_{}_{nanos}", std::process::id())
}

/// An adapter on the emulator, for checking tables.
pub fn adapter(host: &str) -> BigQuery {
    let settings = Settings {
        project: "xform-test".into(),
        credentials: Credentials::Emulator(format!("http://{host}")),
        location: None,
        batch_priority: false,
        maximum_bytes_billed: None,
        job_retries: 1,
        backoff: std::time::Duration::from_millis(100),
        job_timeout: None,
        call_timeout: std::time::Duration::from_secs(60),
    };
    BigQuery::connect(settings, "tests").expect("connect to the emulator")
}

/// A profiles.yml with one BigQuery target `prod` on project xform-test; `extra` lines
/// are added to the output (indented by six spaces).
pub fn write_profile(dir: &Path, profile: &str, dataset: &str, extra: &[&str]) {
    let mut text = format!(
        "{profile}:\n  target: prod\n  outputs:\n    prod:\n      type: bigquery\n      method: oauth\n      project: xform-test\n      dataset: {dataset}\n      threads: 2\n"
    );
    for line in extra {
        text.push_str("      ");
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(dir.join("profiles.yml"), text).expect("write profiles.yml");
}
