//! `datetime.datetime` and `datetime.date` values: attribute and method calls -> strings, numbers and new values.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use chrono::{
    Datelike, Local, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike, Utc,
};
use minijinja::value::{DynObject, Object, ObjectRepr, Value};
use minijinja::{Error, State};

use super::args::{bind, err, given, opt_int, required, str_of, unknown_method};
use super::pyops;
use super::pytz::{TzInfo, format_offset, tz_arg, tz_name};
use super::strftime::strftime;
use super::timedelta::TimeDelta;

/// A `datetime.datetime`: naive, or aware with a fixed UTC offset in seconds.
#[derive(Debug, Clone, Copy)]
pub(super) struct DateTime {
    pub(super) dt: NaiveDateTime,
    pub(super) tz: Option<i32>,
}

/// A `datetime.date`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Date(pub(super) NaiveDate);

pub(super) fn truncate_to_micros(dt: NaiveDateTime) -> NaiveDateTime {
    let ns = dt.nanosecond() % 1_000_000_000;
    dt.with_nanosecond(ns / 1000 * 1000).unwrap_or(dt)
}

pub(super) fn now(tz: Option<i32>) -> DateTime {
    match tz {
        Some(off) => {
            let utc = truncate_to_micros(Utc::now().naive_utc());
            DateTime {
                dt: utc + chrono::Duration::seconds(off.into()),
                tz: Some(off),
            }
        }
        None => DateTime {
            dt: truncate_to_micros(Local::now().naive_local()),
            tz: None,
        },
    }
}

pub(super) fn utc_from_timestamp(ts: f64) -> Result<NaiveDateTime, Error> {
    let us = (ts * 1e6).round();
    if !us.is_finite() || us.abs() > 1e17 {
        return Err(err("timestamp out of range"));
    }
    chrono::DateTime::<Utc>::from_timestamp_micros(us as i64)
        .map(|d| d.naive_utc())
        .ok_or_else(|| err("timestamp out of range"))
}

pub(super) fn local_from_utc(utc: NaiveDateTime) -> NaiveDateTime {
    Local.from_utc_datetime(&utc).naive_local()
}

fn local_offset_at_utc(utc: NaiveDateTime) -> i32 {
    Local.offset_from_utc_datetime(&utc).fix().local_minus_utc()
}

fn local_offset_of_local(local: NaiveDateTime) -> i32 {
    Local
        .offset_from_local_datetime(&local)
        .earliest()
        .map_or(0, |o| o.fix().local_minus_utc())
}

pub(super) fn make_date(y: i64, m: i64, d: i64) -> Result<NaiveDate, Error> {
    if !(1..=9999).contains(&y) {
        return Err(err(format!("year {y} is out of range")));
    }
    if !(1..=12).contains(&m) {
        return Err(err("month must be in 1..12"));
    }
    u32::try_from(d)
        .ok()
        .and_then(|d| NaiveDate::from_ymd_opt(y as i32, m as u32, d))
        .ok_or_else(|| err("day is out of range for month"))
}

pub(super) fn make_time(h: i64, mi: i64, s: i64, us: i64) -> Result<NaiveTime, Error> {
    for (v, hi, what) in [
        (h, 23, "hour"),
        (mi, 59, "minute"),
        (s, 59, "second"),
        (us, 999_999, "microsecond"),
    ] {
        if !(0..=hi).contains(&v) {
            return Err(err(format!("{what} must be in 0..{hi}")));
        }
    }
    NaiveTime::from_hms_micro_opt(h as u32, mi as u32, s as u32, us as u32)
        .ok_or_else(|| err("invalid time"))
}

pub(super) fn in_range(dt: NaiveDateTime) -> Result<NaiveDateTime, Error> {
    if (1..=9999).contains(&dt.year()) {
        Ok(dt)
    } else {
        Err(err("date value out of range"))
    }
}

pub(super) fn as_date(v: &Value) -> Option<NaiveDate> {
    if let Some(d) = v.downcast_object_ref::<Date>() {
        return Some(d.0);
    }
    v.downcast_object_ref::<DateTime>().map(|d| d.dt.date())
}

pub(super) fn micros(t: NaiveTime) -> u32 {
    (t.nanosecond() % 1_000_000_000) / 1000
}

pub(super) fn iso_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

impl DateTime {
    pub(super) fn into_value(self) -> Value {
        Value::from_object(self)
    }

    /// The same instant as a naive UTC datetime (naive values are taken as they are).
    pub(super) fn utc_key(&self) -> NaiveDateTime {
        match self.tz {
            Some(off) => self.dt - chrono::Duration::seconds(off.into()),
            None => self.dt,
        }
    }

    fn isoformat(&self, sep: &str, timespec: &str) -> Result<String, Error> {
        let t = self.dt.time();
        let (h, m, s, us) = (t.hour(), t.minute(), t.second(), micros(t));
        let time = match timespec {
            "auto" if us == 0 => format!("{h:02}:{m:02}:{s:02}"),
            "auto" | "microseconds" => format!("{h:02}:{m:02}:{s:02}.{us:06}"),
            "hours" => format!("{h:02}"),
            "minutes" => format!("{h:02}:{m:02}"),
            "seconds" => format!("{h:02}:{m:02}:{s:02}"),
            "milliseconds" => format!("{h:02}:{m:02}:{s:02}.{:03}", us / 1000),
            other => return Err(err(format!("Unknown timespec value: '{other}'"))),
        };
        let tz = self.tz.map(|o| format_offset(o, ":")).unwrap_or_default();
        Ok(format!("{}{sep}{time}{tz}", iso_date(self.dt.date())))
    }

    pub(super) fn timestamp(&self) -> f64 {
        let utc = match self.tz {
            Some(_) => self.utc_key(),
            None => self.dt - chrono::Duration::seconds(local_offset_of_local(self.dt).into()),
        };
        let secs = utc.and_utc().timestamp();
        secs as f64 + f64::from(micros(utc.time())) / 1e6
    }

    fn replace(&self, args: &[Value]) -> Result<DateTime, Error> {
        let [y, mo, d, h, mi, s, us, tz] = bind(
            "replace",
            args,
            [
                "year",
                "month",
                "day",
                "hour",
                "minute",
                "second",
                "microsecond",
                "tzinfo",
            ],
        )?;
        let (date, time) = (self.dt.date(), self.dt.time());
        let date = make_date(
            opt_int(&y, "year", date.year().into())?,
            opt_int(&mo, "month", date.month().into())?,
            opt_int(&d, "day", date.day().into())?,
        )?;
        let time = make_time(
            opt_int(&h, "hour", time.hour().into())?,
            opt_int(&mi, "minute", time.minute().into())?,
            opt_int(&s, "second", time.second().into())?,
            opt_int(&us, "microsecond", micros(time).into())?,
        )?;
        // tzinfo=None makes the value naive; leaving it out keeps the current one.
        let tz = match tz {
            Some(v) if v.is_none() => None,
            Some(_) => tz_arg(&tz)?,
            None => self.tz,
        };
        Ok(DateTime {
            dt: date.and_time(time),
            tz,
        })
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.isoformat(" ", "auto").unwrap_or_default())
    }
}

impl Object for DateTime {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let (d, t) = (self.dt.date(), self.dt.time());
        Some(match key.as_str()? {
            "year" => Value::from(d.year()),
            "month" => Value::from(d.month()),
            "day" => Value::from(d.day()),
            "hour" => Value::from(t.hour()),
            "minute" => Value::from(t.minute()),
            "second" => Value::from(t.second()),
            "microsecond" => Value::from(micros(t)),
            "tzinfo" => self
                .tz
                .map_or(Value::from(()), |o| Value::from_object(TzInfo(o))),
            "fold" => Value::from(0),
            _ => return None,
        })
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match name {
            "strftime" => {
                let [f] = bind(name, args, ["format"])?;
                let f = str_of(required(&f, name, "format")?, name)?;
                Ok(Value::from(strftime(
                    f,
                    self.dt.date(),
                    self.dt.time(),
                    self.tz,
                )))
            }
            "isoformat" => {
                let [sep, spec] = bind(name, args, ["sep", "timespec"])?;
                let sep = given(&sep).map_or(Ok("T"), |v| str_of(v, name))?;
                let spec = given(&spec).map_or(Ok("auto"), |v| str_of(v, name))?;
                Ok(Value::from(self.isoformat(sep, spec)?))
            }
            "date" => Ok(Date(self.dt.date()).into_value()),
            "replace" => Ok(self.replace(args)?.into_value()),
            "weekday" => Ok(Value::from(self.dt.weekday().num_days_from_monday())),
            "isoweekday" => Ok(Value::from(self.dt.weekday().number_from_monday())),
            "isocalendar" => Ok(isocalendar(self.dt.date())),
            "toordinal" => Ok(Value::from(self.dt.date().num_days_from_ce())),
            "timestamp" => Ok(Value::from(self.timestamp())),
            "utcoffset" => Ok(self.tz.map_or(Value::from(()), |o| {
                TimeDelta {
                    us: i64::from(o) * 1_000_000,
                }
                .into_value()
            })),
            "tzname" => Ok(self.tz.map_or(Value::from(()), |o| Value::from(tz_name(o)))),
            "astimezone" => {
                let [tz] = bind(name, args, ["tz"])?;
                let utc = match self.tz {
                    Some(_) => self.utc_key(),
                    None => {
                        self.dt - chrono::Duration::seconds(local_offset_of_local(self.dt).into())
                    }
                };
                let off = tz_arg(&tz)?.unwrap_or_else(|| local_offset_at_utc(utc));
                let dt = in_range(utc + chrono::Duration::seconds(off.into()))?;
                Ok(DateTime { dt, tz: Some(off) }.into_value())
            }
            "add" => {
                let [other] = bind(name, args, ["other"])?;
                let td = required(&other, name, "other")?
                    .downcast_object_ref::<TimeDelta>()
                    .ok_or_else(|| err("datetime.add() takes a timedelta"))?;
                pyops::shift_datetime(**self, td.us, 1)
            }
            "sub" => {
                let [other] = bind(name, args, ["other"])?;
                let other = required(&other, name, "other")?;
                if let Some(td) = other.downcast_object_ref::<TimeDelta>() {
                    return pyops::shift_datetime(**self, td.us, -1);
                }
                let o = other
                    .downcast_object_ref::<DateTime>()
                    .ok_or_else(|| err("datetime.sub() takes a timedelta or a datetime"))?;
                pyops::datetime_diff(**self, *o)
            }
            _ => Err(unknown_method("datetime", name)),
        }
    }

    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<Ordering> {
        let other = other.downcast_ref::<Self>()?;
        Some(self.utc_key().cmp(&other.utc_key()))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl Date {
    pub(super) fn into_value(self) -> Value {
        Value::from_object(self)
    }
}

impl Object for Date {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(match key.as_str()? {
            "year" => Value::from(self.0.year()),
            "month" => Value::from(self.0.month()),
            "day" => Value::from(self.0.day()),
            _ => return None,
        })
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let d = self.0;
        match name {
            "strftime" => {
                let [f] = bind(name, args, ["format"])?;
                let f = str_of(required(&f, name, "format")?, name)?;
                Ok(Value::from(strftime(f, d, NaiveTime::MIN, None)))
            }
            "isoformat" => Ok(Value::from(iso_date(d))),
            "replace" => {
                let [y, m, dd] = bind(name, args, ["year", "month", "day"])?;
                Ok(Date(make_date(
                    opt_int(&y, "year", d.year().into())?,
                    opt_int(&m, "month", d.month().into())?,
                    opt_int(&dd, "day", d.day().into())?,
                )?)
                .into_value())
            }
            "weekday" => Ok(Value::from(d.weekday().num_days_from_monday())),
            "isoweekday" => Ok(Value::from(d.weekday().number_from_monday())),
            "isocalendar" => Ok(isocalendar(d)),
            "toordinal" => Ok(Value::from(d.num_days_from_ce())),
            "add" | "sub" => {
                let [other] = bind(name, args, ["other"])?;
                let other = required(&other, name, "other")?;
                if let Some(td) = other.downcast_object_ref::<TimeDelta>() {
                    // Like Python, only whole days of the timedelta count.
                    let days = td.us.div_euclid(86_400_000_000);
                    return pyops::shift_date(d, if name == "add" { days } else { -days });
                }
                match (name, other.downcast_object_ref::<Date>()) {
                    ("sub", Some(o)) => {
                        TimeDelta::new(i128::from((d - o.0).num_days()) * 86_400_000_000)
                            .map(TimeDelta::into_value)
                    }
                    _ => Err(err(format!(
                        "date.{name}() takes a timedelta (sub also takes a date)"
                    ))),
                }
            }
            _ => Err(unknown_method("date", name)),
        }
    }

    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<Ordering> {
        let other = other.downcast_ref::<Self>()?;
        Some(self.0.cmp(&other.0))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&iso_date(self.0))
    }
}

fn isocalendar(d: NaiveDate) -> Value {
    let w = d.iso_week();
    Value::from(vec![
        Value::from(w.year()),
        Value::from(w.week()),
        Value::from(d.weekday().number_from_monday()),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::test_env::{DT, render, render_err};

    #[test]
    fn isoformat_date_replace_weekday_timestamp() {
        assert_eq!(
            render(&format!("{DT}{{{{ dt.isoformat() }}}}")),
            "2024-01-31T12:00:00"
        );
        assert_eq!(
            render(&format!("{DT}{{{{ dt.isoformat(' ', 'minutes') }}}}")),
            "2024-01-31 12:00"
        );
        assert_eq!(render(&format!("{DT}{{{{ dt.date() }}}}")), "2024-01-31");
        assert_eq!(
            render(&format!(
                "{DT}{{{{ dt.replace(year=2023, day=1, hour=0) }}}}"
            )),
            "2023-01-01 00:00:00"
        );
        assert!(
            render_err(&format!("{DT}{{{{ dt.replace(month=2) }}}}"))
                .contains("day is out of range")
        );
        assert_eq!(
            render(&format!(
                "{DT}{{{{ dt.weekday() }}}}/{{{{ dt.isoweekday() }}}}"
            )),
            "2/3"
        );
        assert_eq!(
            render(
                "{{ modules.datetime.datetime(2024, 1, 31, tzinfo=modules.pytz.utc).timestamp() }}"
            ),
            "1706659200.0"
        );
        assert_eq!(
            render(
                "{{ modules.datetime.datetime(2024, 1, 31, 1, 2, 3, 4, modules.pytz.utc).isoformat() }}"
            ),
            "2024-01-31T01:02:03.000004+00:00"
        );
        assert_eq!(
            render("{{ modules.datetime.date(2024, 1, 1).isocalendar() }}"),
            "[2024, 1, 1]"
        );
    }

    #[test]
    fn comparisons() {
        let a = "modules.datetime.datetime(2024, 1, 1)";
        let b = "modules.datetime.datetime(2024, 1, 2)";
        assert_eq!(
            render(&format!(
                "{{{{ {a} < {b} }}}}|{{{{ {a} == {a} }}}}|{{{{ {a} >= {b} }}}}"
            )),
            "True|True|False"
        );
        assert_eq!(
            render("{{ modules.datetime.date(2024, 1, 1) < modules.datetime.date(2023, 12, 31) }}"),
            "False"
        );
        assert_eq!(
            render(
                "{{ modules.datetime.timedelta(days=1) > modules.datetime.timedelta(hours=23) }}"
            ),
            "True"
        );
        assert_eq!(
            render(&format!("{{{{ [{b}, {a}] | sort | join(',') }}}}")),
            "2024-01-01 00:00:00,2024-01-02 00:00:00"
        );
    }
}
