//! Template calls on `modules.datetime`/`re`/`pytz`, `run_started_at`, `invocation_id` -> Python-compatible values.
//!
//! minijinja has no operator overloading for objects (`ops::add`/`ops::sub` only know numbers,
//! strings and sequences), so `dt - modules.datetime.timedelta(days=1)` fails there with "tried
//! to use - operator on unsupported types". `prepare` rewrites such date arithmetic into
//! `__xf_add`/`__xf_sub`/`__xf_mul` calls (see `operators` and `pyops`); `dt.sub(td)`,
//! `dt.add(td)` and `dt1.sub(dt2)` work too. Comparisons (`<`, `==`, sorting) work through
//! `Object::custom_cmp`.

mod args;
mod datetime;
mod datetime_module;
mod pyops;
mod pytz;
mod re;
mod re_syntax;
mod strftime;
mod strptime;
mod timedelta;

use std::sync::OnceLock;

use chrono::{NaiveDateTime, Utc};
use minijinja::Environment;
use minijinja::value::Value;

use datetime::{DateTime, truncate_to_micros};
use datetime_module::DatetimeModule;
use pytz::PytzModule;
use re::ReModule;

/// Adds the globals `modules`, `run_started_at` and `invocation_id`.
pub fn register(env: &mut Environment<'static>) {
    env.add_global("modules", modules());
    env.add_global("run_started_at", run_started_at());
    env.add_global("invocation_id", Value::from(invocation_id()));
    pyops::register(env);
}

/// The `modules` object: `modules.datetime`, `modules.re`, `modules.pytz`.
pub fn modules() -> Value {
    map_value([
        ("datetime".to_string(), Value::from_object(DatetimeModule)),
        ("re".to_string(), Value::from_object(ReModule)),
        ("pytz".to_string(), Value::from_object(PytzModule)),
    ])
}

/// A string-keyed map value (`Value::from_iter` of pairs would make a list of pairs).
fn map_value(pairs: impl IntoIterator<Item = (String, Value)>) -> Value {
    Value::from_object(
        pairs
            .into_iter()
            .collect::<std::collections::BTreeMap<String, Value>>(),
    )
}

/// The UTC time this process started, as a timezone-aware datetime (like dbt's).
pub fn run_started_at() -> Value {
    static STARTED: OnceLock<NaiveDateTime> = OnceLock::new();
    let dt = *STARTED.get_or_init(|| truncate_to_micros(Utc::now().naive_utc()));
    Value::from_object(DateTime { dt, tz: Some(0) })
}

/// A UUID-shaped id generated once per process.
pub fn invocation_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let seed = format!("{nanos}-{}-{:p}", std::process::id(), &ID);
        uuid_from_hex(&crate::project::nodes::md5_hex(&seed))
    })
}

/// 32 hex digits -> `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx` (version 4, RFC 4122 variant).
fn uuid_from_hex(hex: &str) -> String {
    let mut h: Vec<char> = hex.chars().chain(std::iter::repeat('0')).take(32).collect();
    h[12] = '4';
    let variant = h[16].to_digit(16).unwrap_or(0) & 0x3 | 0x8;
    h[16] = char::from_digit(variant, 16).unwrap_or('8');
    let s: String = h.into_iter().collect();
    format!(
        "{}-{}-{}-{}-{}",
        &s[0..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..32]
    )
}

#[cfg(test)]
#[path = "../cross_db_tests.rs"]
mod cross_db_tests;

/// Shared by the tests of every file here: an environment with `modules` registered.
#[cfg(test)]
mod test_env {
    use super::*;

    pub(super) fn env() -> Environment<'static> {
        let mut env = Environment::new();
        minijinja_contrib::add_to_environment(&mut env);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        register(&mut env);
        env
    }

    pub(super) fn render(src: &str) -> String {
        match env().render_str(src, ()) {
            Ok(s) => s,
            Err(e) => panic!("render failed for {src:?}: {e:#}"),
        }
    }

    pub(super) fn render_err(src: &str) -> String {
        match env().render_str(src, ()) {
            Ok(s) => panic!("expected an error for {src:?}, got {s:?}"),
            Err(e) => format!("{e:#}"),
        }
    }

    pub(super) const DT: &str = "{% set dt = modules.datetime.datetime(2024, 1, 31, 12, 0, 0) %}";
}

#[cfg(test)]
mod tests {
    use chrono::Datelike;

    use super::test_env::render;
    use super::*;

    #[test]
    fn run_started_at_and_invocation_id() {
        let s = render("{{ run_started_at }}");
        assert!(s.ends_with("+00:00"), "{s}");
        assert_eq!(render("{{ run_started_at.tzinfo }}"), "UTC");
        assert_eq!(
            render("{{ run_started_at.strftime('%Y') }}"),
            Utc::now().year().to_string()
        );
        assert!(render("{{ run_started_at.isoformat() }}").contains('T'));
        assert_eq!(render("{{ run_started_at }}"), s, "fixed for the process");
        let id = render("{{ invocation_id }}");
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12],
            "{id}"
        );
        assert!(parts[2].starts_with('4'));
        assert_eq!(id, invocation_id());
        assert_eq!(
            uuid_from_hex("0123456789abcdef0123456789abcdef"),
            "01234567-89ab-4def-8123-456789abcdef"
        );
    }
}
