//! Crash safety: `kill -9` at random moments of a build of the synthetic N=100 project, 20
//! times. After each kill, every relation that existed before still exists with its old or
//! its new contents; a rerun converges to the tables of an uninterrupted build.

#![cfg(feature = "duckdb")]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use common::copy_fixture;
use xform::adapter::Adapter;
use xform::adapter::duckdb::DuckDb;

const KILLS: usize = 20;

/// relation -> (kind, row count, order-independent content hash)
type State = BTreeMap<String, (String, String)>;

fn state(db_path: &Path) -> State {
    let db = DuckDb::open(db_path).unwrap();
    let relations = db
        .query("select table_schema, table_name, table_type from information_schema.tables where table_schema not in ('information_schema', 'pg_catalog') order by 1, 2")
        .unwrap();
    let mut out = State::new();
    for r in relations.rows {
        let (schema, table, kind) = (
            r[0].as_str().unwrap().to_string(),
            r[1].as_str().unwrap().to_string(),
            r[2].as_str().unwrap().to_string(),
        );
        let content = db
            .query(&format!(
                "select count(*)::varchar || ':' || coalesce(sum(hash(t))::varchar, '0') from \"{schema}\".\"{table}\" t"
            ))
            .unwrap();
        out.insert(
            format!("{schema}.{table}"),
            (kind, content.rows[0][0].as_str().unwrap().to_string()),
        );
    }
    out
}

fn build(dir: &Path, db: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xform"))
        .args(["build", "--profiles-dir", "."])
        .current_dir(dir)
        .env("SYNTH_DUCKDB_PATH", db)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn copy_db(from: &Path, to: &Path) {
    let _ = std::fs::remove_file(to);
    let wal = |p: &Path| p.with_extension("duckdb.wal");
    let _ = std::fs::remove_file(wal(to));
    std::fs::copy(from, to).unwrap();
    if wal(from).exists() {
        std::fs::copy(wal(from), wal(to)).unwrap();
    }
}

/// A small deterministic generator: the kill moments are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next_fraction(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// New and changed orders for the second build, so its tables differ from the first's.
fn change_the_data(dir: &Path) {
    let path = dir.join("seeds/raw_orders.csv");
    let mut csv = std::fs::read_to_string(&path).unwrap();
    for id in 2001..2051 {
        csv.push_str(&format!(
            "{id},{},2023-01-{:02},{},completed,web,2023-01-{:02} 12:00:00\n",
            id % 90 + 1,
            id % 28 + 1,
            id * 7,
            id % 28 + 1
        ));
    }
    std::fs::write(path, csv).unwrap();
}

#[test]
fn kill_9_never_leaves_a_missing_or_half_written_relation() {
    let project = copy_fixture("synth_n100");
    let dir = project.path();
    // References: an uninterrupted first build; then, with new orders, a second one.
    let before_db = dir.join("before.duckdb");
    let out = build(dir, &before_db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = state(&before_db);
    assert!(
        before.len() > 90,
        "the first build made {} relations",
        before.len()
    );
    change_the_data(dir);
    let after_db = dir.join("after.duckdb");
    copy_db(&before_db, &after_db);
    let started = Instant::now();
    let out = build(dir, &after_db);
    let duration = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = state(&after_db);
    let changed = before
        .iter()
        .filter(|(k, v)| v.0 == "BASE TABLE" && after.get(*k) != Some(*v))
        .count();
    assert!(
        changed > 10,
        "only {changed} tables differ between the builds"
    );

    // Kills are chained: each build starts from what the previous kill left, so later
    // rounds also interrupt builds over partly updated databases.
    let mut rng = Lcg(0x5eed);
    let crash_db = dir.join("crash.duckdb");
    copy_db(&before_db, &crash_db);
    let mut killed_mid_run = 0;
    for round in 0..KILLS {
        let delay = duration.mul_f64(rng.next_fraction());
        let mut child = Command::new(env!("CARGO_BIN_EXE_xform"))
            .args(["build", "--profiles-dir", "."])
            .current_dir(dir)
            .env("SYNTH_DUCKDB_PATH", &crash_db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        // SIGKILL: no destructor, no rollback, no flush.
        let _ = child.kill();
        let _ = child.wait();
        let crashed = state(&crash_db);
        for (name, old) in &before {
            let now = crashed.get(name).unwrap_or_else(|| {
                panic!("round {round} (kill after {delay:?}): {name} disappeared")
            });
            // A table holds exactly its old or its new rows. A view is a query over its
            // parents: it must exist and answer (state() ran it), whatever mix it reads.
            if old.0 == "BASE TABLE" {
                let new = after.get(name);
                assert!(
                    now == old || Some(now) == new,
                    "round {round} (kill after {delay:?}): {name} is {now:?}, neither the old {old:?} nor the new {new:?}"
                );
            }
        }
    }
    // A rerun converges to the uninterrupted result.
    let out = build(dir, &crash_db);
    assert!(
        out.status.success(),
        "rerun failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(state(&crash_db), after, "the rerun did not converge");
    assert!(
        killed_mid_run >= KILLS / 2,
        "only {killed_mid_run} of {KILLS} kills hit a running build (build took {duration:?})"
    );
}
