//! `modules.pytz` and fixed-offset tzinfo values: zone names and offsets in seconds -> tzinfo objects, `+HH:MM` text.

use std::fmt;
use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr, Value};
use minijinja::{Error, State};

use super::args::{bind, err, given, required, str_of, unknown_method};
use super::datetime::DateTime;
use super::timedelta::TimeDelta;

/// A fixed-offset tzinfo (`pytz.utc`, or an offset parsed from text).
#[derive(Debug, Clone, Copy)]
pub(super) struct TzInfo(pub(super) i32);

pub(super) fn tz_arg(v: &Option<Value>) -> Result<Option<i32>, Error> {
    match given(v) {
        None => Ok(None),
        Some(v) => v
            .downcast_object_ref::<TzInfo>()
            .map(|t| Some(t.0))
            .ok_or_else(|| err("tzinfo argument must be None or a tzinfo (e.g. modules.pytz.utc)")),
    }
}

/// `+HH:MM` (with `:SS` when needed), `sep` between the parts.
pub(super) fn format_offset(off: i32, sep: &str) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.unsigned_abs();
    let (h, m, s) = (a / 3600, a % 3600 / 60, a % 60);
    if s != 0 {
        format!("{sign}{h:02}{sep}{m:02}{sep}{s:02}")
    } else {
        format!("{sign}{h:02}{sep}{m:02}")
    }
}

pub(super) fn tz_name(off: i32) -> String {
    if off == 0 {
        "UTC".to_string()
    } else {
        format!("UTC{}", format_offset(off, ":"))
    }
}

impl Object for TzInfo {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "zone" => Some(Value::from(tz_name(self.0))),
            _ => None,
        }
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match name {
            "utcoffset" | "dst" => {
                let us = if name == "dst" {
                    0
                } else {
                    i64::from(self.0) * 1_000_000
                };
                Ok(TimeDelta { us }.into_value())
            }
            "tzname" => Ok(Value::from(tz_name(self.0))),
            // pytz: attach this zone to a naive datetime.
            "localize" => {
                let [dt, _dst] = bind(name, args, ["dt", "is_dst"])?;
                let dt = required(&dt, name, "dt")?
                    .downcast_object_ref::<DateTime>()
                    .ok_or_else(|| err("localize() takes a naive datetime"))?;
                if dt.tz.is_some() {
                    return Err(err("Not naive datetime (tzinfo is already set)"));
                }
                Ok(DateTime {
                    dt: dt.dt,
                    tz: Some(self.0),
                }
                .into_value())
            }
            _ => Err(unknown_method("tzinfo", name)),
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&tz_name(self.0))
    }
}

/// `modules.pytz`: without a time zone database only UTC is available.
#[derive(Debug)]
pub(super) struct PytzModule;

impl Object for PytzModule {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "utc" | "UTC" => Some(Value::from_object(TzInfo(0))),
            _ => None,
        }
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match name {
            "timezone" => {
                let [zone] = bind(name, args, ["zone"])?;
                let zone = str_of(required(&zone, name, "zone")?, name)?;
                match zone.to_ascii_uppercase().as_str() {
                    "UTC" | "ETC/UTC" | "GMT" | "ETC/GMT" | "ZULU" | "UNIVERSAL"
                    | "ETC/UNIVERSAL" => Ok(Value::from_object(TzInfo(0))),
                    _ => Err(err(format!(
                        "pytz.timezone('{zone}'): only UTC is available (xform has no time zone database)"
                    ))),
                }
            }
            _ => Err(unknown_method("pytz", name)),
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<module 'pytz'>")
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_env::{render, render_err};

    #[test]
    fn pytz_utc_only() {
        assert_eq!(render("{{ modules.pytz.timezone('UTC') }}"), "UTC");
        assert_eq!(
            render("{{ modules.pytz.utc.localize(modules.datetime.datetime(2024, 1, 1)) }}"),
            "2024-01-01 00:00:00+00:00"
        );
        assert_eq!(
            render(
                "{{ modules.datetime.datetime.fromisoformat('2024-01-01T05:00:00+05:00').astimezone(modules.pytz.utc) }}"
            ),
            "2024-01-01 00:00:00+00:00"
        );
        assert!(render_err("{{ modules.pytz.timezone('America/New_York') }}").contains("only UTC"));
    }
}
