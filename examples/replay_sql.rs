//! The DuckDB floor for bench/build_bench.sh: a statement log written by xform
//! (`XFORM_STATEMENT_LOG`) -> every statement run in order on one connection, nothing else.
//!
//! usage: replay_sql LOG DATABASE

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, log, database] = args.as_slice() else {
        return Err("usage: replay_sql LOG DATABASE".into());
    };
    let text = std::fs::read_to_string(log)?;
    let conn = duckdb::Connection::open(database)?;
    let started = Instant::now();
    let mut count = 0usize;
    for statement in text.split(xform::adapter::duckdb::LOG_SEPARATOR) {
        if statement.trim().is_empty() {
            continue;
        }
        conn.execute_batch(statement)?;
        count += 1;
    }
    eprintln!(
        "replayed {count} statements in {:.3} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
