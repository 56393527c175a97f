//! xform on the local BigQuery emulator: builds checked by querying the emulator, a
//! failing statement, retries through a fault-injecting proxy, and secrets kept out of
//! every output. Skips (saying why) when no emulator runs; `.ci/run` starts one.
#![cfg(feature = "bigquery")]

mod common;

use std::path::Path;
use std::time::Duration;

use common::bigquery::{adapter, dataset, emulator, write_profile};
use common::fault_proxy::{Fault, FaultProxy};
use common::xform;
use serde_json::json;
use xform::adapter::{Adapter, RelationKind};

const PROJECT: &str = "name: shop\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: shop\n";

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A staging view, an ephemeral filter and a table over them.
fn shop(dir: &Path, dataset: &str, extra_profile: &[&str]) {
    write(dir, "dbt_project.yml", PROJECT);
    write_profile(dir, "shop", dataset, extra_profile);
    write(
        dir,
        "models/stg_orders.sql",
        "select 1 as id, 'a' as customer, 10 as amount\nunion all select 2, 'b', 5\nunion all select 3, 'a', 7",
    );
    write(
        dir,
        "models/big_orders.sql",
        "{{ config(materialized='ephemeral') }}\nselect * from {{ ref('stg_orders') }} where amount > 6",
    );
    write(
        dir,
        "models/customer_totals.sql",
        "{{ config(materialized='table') }}\nselect customer, sum(amount) as total, count(*) as orders\nfrom {{ ref('big_orders') }}\ngroup by customer",
    );
}

fn totals(host: &str, dataset: &str) -> Vec<Vec<serde_json::Value>> {
    adapter(host)
        .query(&format!(
            "select customer, total, orders from `xform-test`.`{dataset}`.customer_totals order by customer"
        ))
        .expect("query customer_totals")
        .rows
}

#[test]
fn run_builds_views_and_tables_on_the_emulator() {
    let Some(host) = emulator() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let ds = dataset("build");
    shop(dir.path(), &ds, &[]);
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let bq = adapter(&host);
    assert_eq!(
        bq.relation_kind("xform-test", &ds, "stg_orders").unwrap(),
        Some(RelationKind::View)
    );
    assert_eq!(
        bq.relation_kind("xform-test", &ds, "customer_totals")
            .unwrap(),
        Some(RelationKind::Table)
    );
    assert_eq!(
        bq.relation_kind("xform-test", &ds, "big_orders").unwrap(),
        None
    );
    assert_eq!(totals(&host, &ds), [[json!("a"), json!(17), json!(2)]]);
    // A second run replaces what the first built.
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(totals(&host, &ds), [[json!("a"), json!(17), json!(2)]]);
}

#[test]
fn a_rejected_statement_names_the_model_and_keeps_the_old_table() {
    let Some(host) = emulator() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let ds = dataset("reject");
    shop(dir.path(), &ds, &[]);
    write(
        dir.path(),
        "models/report.sql",
        "{{ config(materialized='table') }}\nselect * from {{ ref('customer_totals') }}",
    );
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    write(
        dir.path(),
        "models/customer_totals.sql",
        "{{ config(materialized='table') }}\nselect customer, sum(no_such_column) as total\nfrom {{ ref('big_orders') }}\ngroup by customer",
    );
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert!(out.contains("models/customer_totals.sql"), "{out}");
    assert!(
        out.contains("no_such_column"),
        "BigQuery's reason is quoted: {out}"
    );
    assert!(out.contains("SKIP"), "the descendant is skipped: {out}");
    assert_eq!(totals(&host, &ds), [[json!("a"), json!(17), json!(2)]]);
}

#[test]
fn a_source_in_an_unknown_dataset_names_the_model_and_the_dataset() {
    let Some(_host) = emulator() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let ds = dataset("nods");
    shop(dir.path(), &ds, &[]);
    write(
        dir.path(),
        "models/sources.yml",
        "version: 2\nsources:\n  - name: landing\n    schema: no_such_dataset_xform\n    tables:\n      - name: events\n",
    );
    write(
        dir.path(),
        "models/landing_events.sql",
        "{{ config(materialized='table') }}\nselect * from {{ source('landing', 'events') }}",
    );
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert!(out.contains("models/landing_events.sql"), "{out}");
    assert!(
        out.contains("Not found: Dataset xform-test:no_such_dataset_xform"),
        "BigQuery's reason is quoted: {out}"
    );
    assert!(!out.contains("panicked"), "{out}");
}

#[test]
fn rate_limits_server_errors_and_stalls_are_retried() {
    let Some(host) = emulator() else { return };
    let proxy = FaultProxy::start(
        &host,
        vec![
            Fault::Status(
                429,
                "rateLimitExceeded",
                "Exceeded rate limits: too many api requests",
            ),
            Fault::Status(500, "backendError", "Backend error"),
            Fault::Stall(Duration::from_secs(6)),
        ],
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let ds = dataset("retry");
    let endpoint = format!("api_endpoint: http://{}", proxy.addr);
    shop(
        dir.path(),
        &ds,
        &[
            &endpoint,
            // Slack for a busy machine: a slow forwarded answer may time out too.
            "job_retries: 6",
            "job_retry_backoff_ms: 50",
            "job_creation_timeout_seconds: 3",
        ],
    );
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(totals(&host, &ds), [[json!("a"), json!(17), json!(2)]]);
    let seen = proxy.requests();
    assert!(seen[0].starts_with("429 POST"), "{seen:?}");
    assert!(seen[1].starts_with("500 POST"), "{seen:?}");
    assert!(seen[2].starts_with("stall POST"), "{seen:?}");
    assert!(seen[3].starts_with("pass POST"), "{seen:?}");
    // Jobs carry dbt's labels: the invocation and the node that ran them.
    let bodies = proxy.bodies();
    assert!(
        bodies.iter().any(
            |b| b.contains(r#""dbt_node_id":"model_shop_customer_totals""#)
                && b.contains("dbt_invocation_id")
        ),
        "{bodies:?}"
    );
}

#[test]
fn a_non_retryable_error_and_exhausted_retries_are_reported_plainly() {
    let Some(host) = emulator() else { return };
    let denied =
        "Access Denied: Project xform-test: User does not have bigquery.jobs.create permission";
    let proxy = FaultProxy::start(&host, vec![Fault::Status(403, "accessDenied", denied)]);
    let dir = tempfile::tempdir().expect("temp dir");
    let endpoint = format!("api_endpoint: http://{}", proxy.addr);
    shop(
        dir.path(),
        &dataset("denied"),
        &[&endpoint, "job_retries: 3"],
    );
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains(denied), "{}\n{}", r.stdout, r.stderr);
    assert_eq!(proxy.requests().len(), 1, "a 403 is not retried");

    let busy = vec![Fault::Status(503, "backendError", "Service unavailable"); 3];
    let proxy = FaultProxy::start(&host, busy);
    let endpoint = format!("api_endpoint: http://{}", proxy.addr);
    shop(
        dir.path(),
        &dataset("busy"),
        &[&endpoint, "job_retries: 2", "job_retry_backoff_ms: 10"],
    );
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("BigQuery did not answer after 3 tries: HTTP 503: Service unavailable"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn key_material_never_reaches_output_or_artifacts() {
    let Some(host) = emulator() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let ds = dataset("secrets");
    let key =
        "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-----END PRIVATE KEY-----";
    let endpoint = format!("api_endpoint: http://{host}");
    let keyfile = format!(
        "keyfile_json: {{type: service_account, client_email: a@b.iam.gserviceaccount.com, token_uri: https://oauth2.googleapis.com/token, private_key: \"{key}\", private_key_id: KEYID0123456789}}"
    );
    shop(dir.path(), &ds, &[&endpoint, &keyfile]);
    std::fs::write(
        dir.path().join("profiles.yml"),
        std::fs::read_to_string(dir.path().join("profiles.yml"))
            .unwrap()
            .replace("method: oauth", "method: service-account-json"),
    )
    .unwrap();
    // A failing model too: error paths must not leak either.
    write(
        dir.path(),
        "models/broken.sql",
        "select * from `xform-test`.nope.nothing",
    );
    let r = xform(
        dir.path(),
        &["build", "--profiles-dir", ".", "--log-format", "json"],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for text in [&r.stdout, &r.stderr] {
        assert!(!text.contains("MIIEvQ") && !text.contains("KEYID0123456789"));
    }
    for entry in walkdir::WalkDir::new(dir.path().join("target")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            assert!(
                !text.contains("MIIEvQ") && !text.contains("KEYID0123456789"),
                "{} leaks key material",
                entry.path().display()
            );
        }
    }
}

#[test]
fn a_build_over_its_byte_budget_is_refused_before_anything_runs() {
    let Some(host) = emulator() else { return };
    // The emulator's dry runs report 0 bytes: the proxy makes each one 5 GiB.
    let proxy = FaultProxy::rewriting(
        &host,
        Vec::new(),
        Some((
            r#""totalBytesProcessed":"0""#,
            r#""totalBytesProcessed":"5368709120""#,
        )),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let ds = dataset("budget");
    let endpoint = format!("api_endpoint: http://{}", proxy.addr);
    shop(dir.path(), &ds, &[&endpoint]);
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Were this build to run, the table would change.
    write(
        dir.path(),
        "models/customer_totals.sql",
        "{{ config(materialized='table') }}\nselect 'z' as customer, 0 as total, 0 as orders",
    );
    let r = xform(
        dir.path(),
        &["run", "--profiles-dir", ".", "--max-bytes", "1GB"],
    );
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert!(
        out.contains("Estimated bytes for model.shop.customer_totals: 5.0 GiB"),
        "{out}"
    );
    assert!(out.contains("over the budget of 1.0 GiB"), "{out}");
    assert_eq!(totals(&host, &ds), [[json!("a"), json!(17), json!(2)]]);

    let r = xform(
        dir.path(),
        &["compile", "--profiles-dir", ".", "--estimate"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert!(out.contains("Estimated bytes in total: 5.0 GiB"), "{out}");

    // Under the budget (here from the profile) the build runs.
    write_profile(dir.path(), "shop", &ds, &[&endpoint, "max_bytes: 10GB"]);
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(totals(&host, &ds), [[json!("z"), json!(0), json!(0)]]);
}

const EVENTS_V1: &str = "id,day,amount\n1,2024-01-01,10\n2,2024-01-01,20\n3,2024-01-02,30\n";
const EVENTS_V2: &str =
    "id,day,amount\n1,2024-01-01,10\n2,2024-01-01,25\n3,2024-01-02,30\n4,2024-01-03,40\n";

fn rows(host: &str, sql: &str) -> Vec<Vec<serde_json::Value>> {
    adapter(host).query(sql).expect("query").rows
}

#[test]
fn seeds_merges_and_insert_overwrite_run_twice_on_the_emulator() {
    let Some(host) = emulator() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    let ds = dataset("incr");
    write(p, "dbt_project.yml", PROJECT);
    write_profile(p, "shop", &ds, &[]);
    write(p, "seeds/raw_events.csv", EVENTS_V1);
    write(
        p,
        "models/events_merged.sql",
        "{{ config(materialized='incremental', unique_key='id', \
         partition_by={'field': 'day', 'data_type': 'date'}) }}\n\
         select id, day, amount from {{ ref('raw_events') }}",
    );
    write(
        p,
        "models/daily_totals.sql",
        "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', \
         partition_by={'field': 'day', 'data_type': 'date'}) }}\n\
         select day, sum(amount) as total, count(*) as n from {{ ref('raw_events') }}\n\
         {% if is_incremental() %}where day >= '2024-01-02'{% endif %}\n\
         group by day",
    );
    let r = xform(p, &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let seed_types: Vec<String> = adapter(&host)
        .columns("xform-test", &ds, "raw_events")
        .unwrap()
        .into_iter()
        .map(|c| format!("{} {}", c.name, c.data_type))
        .collect();
    assert_eq!(seed_types, ["id INT64", "day DATE", "amount INT64"]);
    let merged = format!(
        "select id, cast(day as string), amount from `xform-test`.`{ds}`.events_merged order by id"
    );
    let daily = format!(
        "select cast(day as string), total, n from `xform-test`.`{ds}`.daily_totals order by day"
    );
    assert_eq!(rows(&host, &merged).len(), 3);
    assert_eq!(
        rows(&host, &daily),
        [
            [json!("2024-01-01"), json!(30), json!(2)],
            [json!("2024-01-02"), json!(30), json!(1)]
        ]
    );

    // An updated row and a new one: the merge updates id 2 and inserts id 4; the
    // overwrite replaces only the partitions its incremental query touches, so
    // 2024-01-01 keeps its old total although the seed changed under it.
    write(p, "seeds/raw_events.csv", EVENTS_V2);
    let r = xform(p, &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        rows(&host, &merged),
        [
            [json!(1), json!("2024-01-01"), json!(10)],
            [json!(2), json!("2024-01-01"), json!(25)],
            [json!(3), json!("2024-01-02"), json!(30)],
            [json!(4), json!("2024-01-03"), json!(40)]
        ]
    );
    assert_eq!(
        rows(&host, &daily),
        [
            [json!("2024-01-01"), json!(30), json!(2)],
            [json!("2024-01-02"), json!(30), json!(1)],
            [json!("2024-01-03"), json!(40), json!(1)]
        ]
    );
}

/// Runs xform with no emulator and no ambient Google credentials.
fn without_emulator(dir: &Path, home: &Path) -> common::Run {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xform"))
        .args(["run", "--profiles-dir", "."])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env_remove("BIGQUERY_EMULATOR_HOST")
        .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
        .env_remove("CLOUDSDK_CONFIG")
        .env_remove("GCE_METADATA_HOST")
        .output()
        .expect("run xform");
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

// Needs no emulator: credentials are checked before anything is sent.
#[test]
fn bad_credentials_are_named_and_stop_the_run_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    shop(p, "d", &[]);
    let profile = |lines: &str| {
        std::fs::write(
            p.join("profiles.yml"),
            format!("shop:\n  target: prod\n  outputs:\n    prod:\n      type: bigquery\n      project: xform-test\n      dataset: d\n{lines}"),
        )
        .unwrap();
    };
    let home = p.join("home");
    std::fs::create_dir_all(&home).unwrap();

    profile("      method: oauth\n");
    let r = without_emulator(p, &home);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("no Google Cloud credentials found; tried: the GOOGLE_APPLICATION_CREDENTIALS variable (unset)"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("application_default_credentials.json (missing)"),
        "{}",
        r.stderr
    );

    profile("      method: oauth\n      location: us-centrall\n");
    let r = without_emulator(p, &home);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`location` is `us-centrall`, which is not a BigQuery location"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("profiles.yml"), "{}", r.stderr);

    profile("      method: service-account\n      keyfile: /nonexistent/key.json\n");
    let r = without_emulator(p, &home);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the keyfile named in the profile cannot be read"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("profiles.yml"), "{}", r.stderr);

    let secret = "1//0gREFRESHTOKENSECRETVALUE";
    profile(&format!(
        "      method: service-account-json\n      keyfile_json:\n        type: authorized_user\n        refresh_token: \"{secret}\"\n"
    ));
    let r = without_emulator(p, &home);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("is not a service account key (its type is `authorized_user`)"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(secret) && !r.stdout.contains(secret));
}

#[test]
fn a_table_whose_clustering_changed_is_dropped_and_rebuilt_when_bigquery_refuses_the_replace() {
    let Some(host) = emulator() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let ds = dataset("respec");
    shop(dir.path(), &ds, &[]);
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(totals(&host, &ds), [[json!("a"), json!(17), json!(2)]]);

    // The emulator keeps no clustering metadata, so the proxy answers the replace the way
    // BigQuery does when the spec changed; every other request reaches the emulator.
    let refusal = "Cannot replace a table with a different clustering spec. Instead, DROP the \
                   table, and then recreate it. New clustering spec is clustering(customer) \
                   and existing spec is none";
    let proxy = FaultProxy::start(
        &host,
        vec![Fault::OnBody(
            "create or replace table",
            400,
            "invalidQuery",
            refusal,
        )],
    );
    let endpoint = format!("api_endpoint: http://{}", proxy.addr);
    shop(dir.path(), &ds, &[&endpoint]);
    write(
        dir.path(),
        "models/customer_totals.sql",
        "{{ config(materialized='table', cluster_by='customer') }}\nselect customer, sum(amount) as total, count(*) as orders\nfrom {{ ref('stg_orders') }}\ngroup by customer",
    );
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let seen = proxy.requests();
    assert!(seen.iter().any(|l| l.starts_with("400 POST")), "{seen:?}");
    let bodies = proxy.bodies();
    let drop = format!("drop table if exists `xform-test`.`{ds}`.`customer_totals`");
    assert!(
        bodies.iter().any(|b| b.contains(&drop)),
        "the refused replace is followed by a drop: {bodies:?}"
    );
    assert_eq!(
        totals(&host, &ds),
        [
            [json!("a"), json!(17), json!(2)],
            [json!("b"), json!(5), json!(1)]
        ],
        "the table holds the new model's rows"
    );
    assert!(!r.stdout.contains(refusal), "{}", r.stdout);
}

#[test]
fn batch_priority_inserts_jobs_and_polls_them() {
    let Some(host) = emulator() else { return };
    let proxy = FaultProxy::start(&host, Vec::new());
    let dir = tempfile::tempdir().expect("temp dir");
    let ds = dataset("batch");
    let endpoint = format!("api_endpoint: http://{}", proxy.addr);
    shop(dir.path(), &ds, &[&endpoint, "priority: batch"]);
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(totals(&host, &ds), [[json!("a"), json!(17), json!(2)]]);
    let seen = proxy.requests();
    let inserted = seen
        .iter()
        .filter(|l| l.starts_with("pass POST /bigquery/v2/projects/xform-test/jobs "))
        .count();
    assert!(
        inserted >= 2,
        "every statement is an inserted job: {seen:?}"
    );
    assert!(
        !seen.iter().any(|l| l.contains("/queries ")),
        "no jobs.query in batch priority: {seen:?}"
    );
    assert!(
        proxy
            .bodies()
            .iter()
            .any(|b| b.contains(r#""priority":"BATCH""#)),
        "{:?}",
        proxy.bodies()
    );
}

#[test]
fn a_seed_over_the_query_size_limit_loads_in_statements_under_it() {
    let Some(host) = emulator() else { return };
    let proxy = FaultProxy::start(&host, Vec::new());
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    let ds = dataset("bigseed");
    let endpoint = format!("api_endpoint: http://{}", proxy.addr);
    write(p, "dbt_project.yml", PROJECT);
    write_profile(p, "shop", &ds, &[&endpoint]);
    const ROWS: i64 = 18_000;
    let mut csv = String::from("id,note,amount\n");
    for i in 0..ROWS {
        csv.push_str(&format!(
            "{i},a note long enough to make the seed pass one megabyte {i:08},{}\n",
            i % 97
        ));
    }
    assert!(csv.len() > 1_100_000);
    write(p, "seeds/big.csv", &csv);
    let r = xform(p, &["seed", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let largest = proxy.bodies().iter().map(String::len).max().unwrap_or(0);
    assert!(largest < 1_000_000, "a request of {largest} bytes");
    assert_eq!(
        rows(
            &host,
            &format!("select count(*), sum(amount), max(note) from `xform-test`.`{ds}`.big")
        ),
        [[
            json!(ROWS),
            json!((0..ROWS).map(|i| i % 97).sum::<i64>()),
            json!("a note long enough to make the seed pass one megabyte 00017999")
        ]]
    );
    let kind = adapter(&host)
        .relation_kind("xform-test", &ds, "big__xform_seed")
        .unwrap();
    assert_eq!(kind, None, "the staging table is dropped");
}

#[test]
fn docs_generate_reads_the_catalog_from_bigquery() {
    let Some(_host) = emulator() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let ds = dataset("docs");
    shop(dir.path(), &ds, &[]);
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let r = xform(dir.path(), &["docs", "generate", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let text = std::fs::read_to_string(dir.path().join("target/catalog.json")).expect("catalog");
    let catalog: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let nodes = &catalog["nodes"];
    assert_eq!(nodes["model.shop.stg_orders"]["metadata"]["type"], "VIEW");
    let totals = &nodes["model.shop.customer_totals"];
    assert_eq!(totals["metadata"]["type"], "BASE TABLE");
    assert_eq!(totals["metadata"]["schema"], json!(ds));
    // (`total`, a SUM, is NUMERIC on the emulator where BigQuery says INT64.)
    assert_eq!(totals["columns"]["orders"]["type"], "INT64");
    assert_eq!(totals["columns"]["customer"]["type"], "STRING");
    assert_eq!(totals["columns"]["customer"]["index"], 1);
    assert!(
        nodes.get("model.shop.big_orders").is_none(),
        "ephemerals have no relation"
    );
}

#[test]
fn new_struct_fields_are_patched_into_the_table_before_the_merge() {
    let Some(host) = emulator() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    let ds = dataset("widen");
    write(p, "dbt_project.yml", PROJECT);
    write_profile(p, "shop", &ds, &[]);
    write(
        p,
        "seeds/raw_actors.csv",
        "id,login,score,org\n1,a,10,x\n2,b,20,y\n",
    );
    let model = |fields: &str| {
        format!(
            "{{{{ config(materialized='incremental', unique_key='id', \
             on_schema_change='append_new_columns') }}}}\n\
             select id, struct({fields}) as actor from {{{{ ref('raw_actors') }}}}\n\
             {{% if is_incremental() %}}where id > 1{{% endif %}}"
        )
    };
    write(
        p,
        "models/actors.sql",
        &model("login as login, score as score"),
    );
    let r = xform(p, &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // `org` appended to the STRUCT; row 1 is not in the increment, row 2 changes, row 3
    // is new. The emulator keeps a patched schema in its catalog only, so the proxy
    // rebuilds the table's storage with the new field right after the patch, as BigQuery
    // would have it; every request reaches the emulator.
    let table = format!("`xform-test`.`{ds}`.`actors`");
    let rebuild = format!(
        "create or replace table {table} as select id, struct(actor.login as login, \
         actor.score as score, cast(null as string) as org) as actor from {table}"
    );
    let proxy = FaultProxy::start(
        &host,
        vec![Fault::ThenPost(
            "PATCH ",
            "/bigquery/v2/projects/xform-test/queries".into(),
            json!({"query": rebuild, "useLegacySql": false}).to_string(),
        )],
    );
    let endpoint = format!("api_endpoint: http://{}", proxy.addr);
    write_profile(p, "shop", &ds, &[&endpoint]);
    write(
        p,
        "seeds/raw_actors.csv",
        "id,login,score,org\n1,a,10,x\n2,b,25,y\n3,c,30,z\n",
    );
    write(
        p,
        "models/actors.sql",
        &model("login as login, score as score, org as org"),
    );
    let r = xform(p, &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    let bodies = proxy.bodies();
    let patch = bodies.iter().position(|b| b.starts_with("{\"schema\""));
    let merge = bodies.iter().position(|b| b.contains("merge into"));
    assert!(
        patch.is_some() && merge.is_some() && patch < merge,
        "the schema is patched before the merge runs: {:?}",
        proxy.requests()
    );
    // What xform sent: the table's schema as tables.get gave it, `org` appended.
    let sent: serde_json::Value = proxy
        .bodies()
        .iter()
        .find_map(|b| {
            serde_json::from_str::<serde_json::Value>(b)
                .ok()
                .filter(|j| j.get("schema").is_some())
        })
        .expect("a tables.patch body");
    let actor = &sent["schema"]["fields"][1];
    assert_eq!(actor["name"], "actor", "{sent}");
    let nested: Vec<(&str, &str)> = actor["fields"]
        .as_array()
        .expect("nested fields")
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or_default(),
                f["type"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        nested,
        [("login", "STRING"), ("score", "INTEGER"), ("org", "STRING")],
        "{sent}"
    );
    assert_eq!(actor["fields"][2]["mode"], "NULLABLE");

    assert_eq!(
        rows(
            &host,
            &format!("select id, actor.login, actor.score, actor.org from {table} order by id")
        ),
        [
            [json!(1), json!("a"), json!(10), json!(null)],
            [json!(2), json!("b"), json!(25), json!("y")],
            [json!(3), json!("c"), json!(30), json!("z")]
        ]
    );
    let run_file = std::fs::read_to_string(p.join("target/run/shop/models/actors.sql"))
        .expect("target/run file");
    assert!(
        run_file.contains("-- tables.patch") && run_file.contains("added actor.org"),
        "{run_file}"
    );
}

/// A copy job of one day partition (`t$20240102` over `u$20240102`, WRITE_TRUNCATE) as
/// the emulator can run it: that day's rows deleted and inserted from the source.
fn play_partition_copy(job: &str) -> String {
    let job: serde_json::Value = serde_json::from_str(job).expect("a copy job");
    let copy = &job["configuration"]["copy"];
    assert_eq!(copy["writeDisposition"], "WRITE_TRUNCATE", "{job}");
    let table = |side: &str| {
        let t = &copy[side];
        let (name, id) = t["tableId"]
            .as_str()
            .and_then(|n| n.split_once('$'))
            .expect("a partition decorator");
        (
            format!(
                "`{}`.`{}`.`{name}`",
                t["projectId"].as_str().unwrap_or_default(),
                t["datasetId"].as_str().unwrap_or_default()
            ),
            id.to_string(),
        )
    };
    let ((source, from), (target, to)) = (table("sourceTable"), table("destinationTable"));
    assert_eq!(from, to, "the same partition on both sides: {job}");
    let day = format!("date '{}-{}-{}'", &to[..4], &to[4..6], &to[6..8]);
    format!(
        "delete from {target} where day = {day}; insert into {target} select * from {source} where day = {day}"
    )
}

#[test]
fn copy_partitions_replaces_the_touched_partitions_by_copy_jobs() {
    let Some(host) = emulator() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    let ds = dataset("copy");
    write(p, "dbt_project.yml", PROJECT);
    write_profile(p, "shop", &ds, &[]);
    write(p, "seeds/raw_events.csv", EVENTS_V1);
    write(
        p,
        "models/daily_copied.sql",
        "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', \
         partition_by={'field': 'day', 'data_type': 'date', 'copy_partitions': true}) }}\n\
         select day, sum(amount) as total, count(*) as n from {{ ref('raw_events') }}\n\
         {% if is_incremental() %}where day >= '2024-01-02' or day is null{% endif %}\n\
         group by day",
    );
    let r = xform(p, &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // Day 1 changes in the seed but is outside the increment; day 2 changes, day 3 is
    // new, and a row without a day lands in no partition a copy can carry.
    write(
        p,
        "seeds/raw_events.csv",
        "id,day,amount\n1,2024-01-01,10\n2,2024-01-01,25\n3,2024-01-02,35\n4,2024-01-03,40\n5,,50\n",
    );
    let proxy = FaultProxy::start(
        &host,
        vec![
            Fault::Instead("\"copy\"", play_partition_copy),
            Fault::Instead("\"copy\"", play_partition_copy),
        ],
    );
    write_profile(
        p,
        "shop",
        &ds,
        &[&format!("api_endpoint: http://{}", proxy.addr)],
    );
    let r = xform(p, &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    let copies: Vec<String> = proxy
        .bodies()
        .iter()
        .filter_map(|b| serde_json::from_str::<serde_json::Value>(b).ok())
        .filter_map(|j| {
            let c = j.pointer("/configuration/copy")?.clone();
            Some(format!(
                "{} -> {}",
                c["sourceTable"]["tableId"].as_str()?,
                c["destinationTable"]["tableId"].as_str()?
            ))
        })
        .collect();
    assert_eq!(
        copies,
        [
            "daily_copied__dbt_tmp$20240102 -> daily_copied$20240102",
            "daily_copied__dbt_tmp$20240103 -> daily_copied$20240103"
        ],
        "{:?}",
        proxy.requests()
    );
    assert!(
        !proxy.bodies().iter().any(|b| b.contains("merge into")),
        "no MERGE runs"
    );
    assert_eq!(
        rows(
            &host,
            &format!(
                "select cast(day as string), total, n from `xform-test`.`{ds}`.daily_copied \
                 order by day nulls first"
            )
        ),
        [
            [json!(null), json!(50), json!(1)],
            [json!("2024-01-01"), json!(30), json!(2)],
            [json!("2024-01-02"), json!(35), json!(1)],
            [json!("2024-01-03"), json!(40), json!(1)]
        ]
    );
    let staging_left = rows(
        &host,
        &format!(
            "select count(*) from `xform-test`.`{ds}`.INFORMATION_SCHEMA.TABLES \
             where table_name = 'daily_copied__dbt_tmp'"
        ),
    );
    assert_eq!(staging_left, [[json!(0)]], "the staging table is dropped");
    let run_file = std::fs::read_to_string(p.join("target/run/shop/models/daily_copied.sql"))
        .expect("target/run file");
    assert!(
        run_file.contains("-- copy job: daily_copied__dbt_tmp$20240103 over daily_copied$20240103"),
        "{run_file}"
    );
}
