//! Template calls on `modules.datetime`/`re`/`pytz`, `run_started_at`, `invocation_id` -> Python-compatible values.
//!
//! minijinja has no operator overloading for objects (`ops::add`/`ops::sub` only know numbers,
//! strings and sequences), so `dt - modules.datetime.timedelta(days=1)` fails there with "tried
//! to use - operator on unsupported types". `prepare` rewrites such date arithmetic into
//! `__xf_add`/`__xf_sub`/`__xf_mul` calls (see `operators` and `pyops`); `dt.sub(td)`,
//! `dt.add(td)` and `dt1.sub(dt2)` work too. Comparisons (`<`, `==`, sorting) work through
//! `Object::custom_cmp`.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{
    Datelike, Local, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike, Utc,
};
use minijinja::value::{DynObject, Kwargs, Object, ObjectRepr, Value};
use minijinja::{Environment, Error, ErrorKind, State};

/// Adds the globals `modules`, `run_started_at` and `invocation_id`.
pub fn register(env: &mut Environment<'static>) {
    env.add_global("modules", modules());
    env.add_global("run_started_at", run_started_at());
    env.add_global("invocation_id", Value::from(invocation_id()));
    pyops::register(env);
}

#[path = "pyops.rs"]
mod pyops;

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

// ---------------------------------------------------------------------------------------------
// Argument binding

fn err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

/// Binds positional and keyword arguments to `names` the way Python does.
fn bind<const N: usize>(
    func: &str,
    args: &[Value],
    names: [&str; N],
) -> Result<[Option<Value>; N], Error> {
    let mut out: [Option<Value>; N] = std::array::from_fn(|_| None);
    let (pos, kwargs) = match args.last() {
        Some(last) if last.is_kwargs() => (
            &args[..args.len() - 1],
            Some(Kwargs::try_from(last.clone())?),
        ),
        _ => (args, None),
    };
    if pos.len() > N {
        return Err(Error::new(
            ErrorKind::TooManyArguments,
            format!("{func}() takes at most {N} arguments ({} given)", pos.len()),
        ));
    }
    for (slot, v) in out.iter_mut().zip(pos) {
        *slot = Some(v.clone());
    }
    if let Some(kwargs) = kwargs {
        for key in kwargs.args() {
            let Some(i) = names.iter().position(|n| *n == key) else {
                return Err(err(format!(
                    "{func}() got an unexpected keyword argument '{key}'"
                )));
            };
            if out[i].is_some() {
                return Err(err(format!(
                    "{func}() got multiple values for argument '{key}'"
                )));
            }
            out[i] = Some(kwargs.get::<Value>(key)?);
        }
    }
    Ok(out)
}

/// A present, non-None argument.
fn given(v: &Option<Value>) -> Option<&Value> {
    v.as_ref().filter(|v| !v.is_none() && !v.is_undefined())
}

fn int_of(v: &Value, what: &str) -> Result<i64, Error> {
    if v.is_integer()
        && let Some(i) = v.as_i64()
    {
        return Ok(i);
    }
    Err(err(format!(
        "{what}: an integer is required (got {})",
        v.kind()
    )))
}

fn opt_int(v: &Option<Value>, what: &str, default: i64) -> Result<i64, Error> {
    given(v).map_or(Ok(default), |v| int_of(v, what))
}

fn required<'a>(v: &'a Option<Value>, func: &str, name: &str) -> Result<&'a Value, Error> {
    given(v).ok_or_else(|| {
        Error::new(
            ErrorKind::MissingArgument,
            format!("{func}() missing required argument '{name}'"),
        )
    })
}

fn str_of<'a>(v: &'a Value, what: &str) -> Result<&'a str, Error> {
    v.as_str()
        .ok_or_else(|| err(format!("{what}: a string is required (got {})", v.kind())))
}

fn number_of(v: &Value, what: &str) -> Result<f64, Error> {
    if v.is_number() {
        f64::try_from(v.clone()).map_err(|_| err(format!("{what}: not a number")))
    } else {
        Err(err(format!(
            "{what}: a number is required (got {})",
            v.kind()
        )))
    }
}

fn unknown_method(kind: &str, name: &str) -> Error {
    Error::new(
        ErrorKind::UnknownMethod,
        format!("{kind} has no method named {name}"),
    )
}

// ---------------------------------------------------------------------------------------------
// datetime: module and classes

#[derive(Debug)]
struct DatetimeModule;

impl Object for DatetimeModule {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "datetime" => Some(Value::from_object(DatetimeClass)),
            "date" => Some(Value::from_object(DateClass)),
            "timedelta" => Some(Value::from_object(TimedeltaClass)),
            "MINYEAR" => Some(Value::from(1)),
            "MAXYEAR" => Some(Value::from(9999)),
            _ => None,
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<module 'datetime'>")
    }
}

/// `modules.datetime.datetime`: callable, plus its class methods.
#[derive(Debug)]
struct DatetimeClass;

impl Object for DatetimeClass {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        let [y, mo, d, h, mi, s, us, tz] = bind(
            "datetime",
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
        let date = make_date(
            int_of(required(&y, "datetime", "year")?, "year")?,
            int_of(required(&mo, "datetime", "month")?, "month")?,
            int_of(required(&d, "datetime", "day")?, "day")?,
        )?;
        let time = make_time(
            opt_int(&h, "hour", 0)?,
            opt_int(&mi, "minute", 0)?,
            opt_int(&s, "second", 0)?,
            opt_int(&us, "microsecond", 0)?,
        )?;
        Ok(DateTime {
            dt: date.and_time(time),
            tz: tz_arg(&tz)?,
        }
        .into_value())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match name {
            "now" | "today" => {
                let [tz] = bind(name, args, ["tz"])?;
                Ok(now(tz_arg(&tz)?).into_value())
            }
            "utcnow" => {
                bind::<0>(name, args, [])?;
                Ok(DateTime {
                    dt: truncate_to_micros(Utc::now().naive_utc()),
                    tz: None,
                }
                .into_value())
            }
            "strptime" => {
                let [s, f] = bind(name, args, ["date_string", "format"])?;
                let s = str_of(required(&s, name, "date_string")?, "strptime")?;
                let f = str_of(required(&f, name, "format")?, "strptime")?;
                let (dt, tz) = strptime(s, f)?;
                Ok(DateTime { dt, tz }.into_value())
            }
            "fromisoformat" => {
                let [s] = bind(name, args, ["date_string"])?;
                let s = str_of(required(&s, name, "date_string")?, name)?;
                let (dt, tz) = parse_iso_datetime(s)
                    .ok_or_else(|| err(format!("Invalid isoformat string: '{s}'")))?;
                Ok(DateTime { dt, tz }.into_value())
            }
            "fromtimestamp" | "utcfromtimestamp" => {
                let [ts, tz] = bind(name, args, ["timestamp", "tz"])?;
                let ts = number_of(required(&ts, name, "timestamp")?, name)?;
                let utc = utc_from_timestamp(ts)?;
                let tz = if name == "utcfromtimestamp" {
                    Some(None)
                } else {
                    tz_arg(&tz)?.map(Some)
                };
                Ok(match tz {
                    // utcfromtimestamp: naive UTC
                    Some(None) => DateTime { dt: utc, tz: None },
                    Some(Some(off)) => DateTime {
                        dt: utc + chrono::Duration::seconds(off.into()),
                        tz: Some(off),
                    },
                    None => DateTime {
                        dt: local_from_utc(utc),
                        tz: None,
                    },
                }
                .into_value())
            }
            "combine" => {
                let [d, t] = bind(name, args, ["date", "time"])?;
                let date = as_date(required(&d, name, "date")?)
                    .ok_or_else(|| err("combine() argument 1 must be a date"))?;
                let time = given(&t)
                    .and_then(|t| t.downcast_object_ref::<DateTime>())
                    .map_or(NaiveTime::MIN, |t| t.dt.time());
                Ok(DateTime {
                    dt: date.and_time(time),
                    tz: None,
                }
                .into_value())
            }
            _ => Err(unknown_method("datetime", name)),
        }
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let max = NaiveDate::from_ymd_opt(9999, 12, 31)?.and_hms_micro_opt(23, 59, 59, 999_999)?;
        match key.as_str()? {
            "min" => Some(
                DateTime {
                    dt: NaiveDate::from_ymd_opt(1, 1, 1)?.and_time(NaiveTime::MIN),
                    tz: None,
                }
                .into_value(),
            ),
            "max" => Some(DateTime { dt: max, tz: None }.into_value()),
            _ => None,
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<class 'datetime.datetime'>")
    }
}

/// `modules.datetime.date`.
#[derive(Debug)]
struct DateClass;

impl Object for DateClass {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        let [y, m, d] = bind("date", args, ["year", "month", "day"])?;
        Ok(Date(make_date(
            int_of(required(&y, "date", "year")?, "year")?,
            int_of(required(&m, "date", "month")?, "month")?,
            int_of(required(&d, "date", "day")?, "day")?,
        )?)
        .into_value())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match name {
            "today" => {
                bind::<0>(name, args, [])?;
                Ok(Date(now(None).dt.date()).into_value())
            }
            "fromisoformat" => {
                let [s] = bind(name, args, ["date_string"])?;
                let s = str_of(required(&s, name, "date_string")?, name)?;
                let d = parse_iso_date(s)
                    .filter(|(_, rest)| rest.is_empty())
                    .ok_or_else(|| err(format!("Invalid isoformat string: '{s}'")))?;
                Ok(Date(d.0).into_value())
            }
            "fromtimestamp" => {
                let [ts] = bind(name, args, ["timestamp"])?;
                let ts = number_of(required(&ts, name, "timestamp")?, name)?;
                Ok(Date(local_from_utc(utc_from_timestamp(ts)?).date()).into_value())
            }
            "fromordinal" => {
                let [n] = bind(name, args, ["ordinal"])?;
                let n = int_of(required(&n, name, "ordinal")?, name)?;
                let d = i32::try_from(n)
                    .ok()
                    .and_then(NaiveDate::from_num_days_from_ce_opt)
                    .filter(|d| (1..=9999).contains(&d.year()))
                    .ok_or_else(|| err(format!("ordinal {n} is out of range")))?;
                Ok(Date(d).into_value())
            }
            _ => Err(unknown_method("date", name)),
        }
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "min" => Some(Date(NaiveDate::from_ymd_opt(1, 1, 1)?).into_value()),
            "max" => Some(Date(NaiveDate::from_ymd_opt(9999, 12, 31)?).into_value()),
            _ => None,
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<class 'datetime.date'>")
    }
}

/// `modules.datetime.timedelta`.
#[derive(Debug)]
struct TimedeltaClass;

impl Object for TimedeltaClass {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        const UNITS: [i128; 7] = [
            86_400_000_000,
            1_000_000,
            1,
            1_000,
            60_000_000,
            3_600_000_000,
            604_800_000_000,
        ];
        let bound = bind(
            "timedelta",
            args,
            [
                "days",
                "seconds",
                "microseconds",
                "milliseconds",
                "minutes",
                "hours",
                "weeks",
            ],
        )?;
        let mut whole: i128 = 0;
        let mut frac: f64 = 0.0;
        for (v, unit) in bound.iter().zip(UNITS) {
            let Some(v) = given(v) else { continue };
            if v.is_integer() {
                let i = v
                    .as_i64()
                    .ok_or_else(|| err("timedelta: integer out of range"))?;
                whole += i128::from(i) * unit;
            } else {
                frac += number_of(v, "timedelta")? * unit as f64;
            }
        }
        let total = whole + frac.round_ties_even() as i128;
        TimeDelta::new(total).map(TimeDelta::into_value)
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "resolution" => TimeDelta::new(1).ok().map(TimeDelta::into_value),
            _ => None,
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<class 'datetime.timedelta'>")
    }
}

// ---------------------------------------------------------------------------------------------
// datetime values

/// A `datetime.datetime`: naive, or aware with a fixed UTC offset in seconds.
#[derive(Debug, Clone, Copy)]
struct DateTime {
    dt: NaiveDateTime,
    tz: Option<i32>,
}

/// A `datetime.date`.
#[derive(Debug, Clone, Copy)]
struct Date(NaiveDate);

/// A `datetime.timedelta`, in microseconds.
#[derive(Debug, Clone, Copy)]
struct TimeDelta {
    us: i64,
}

/// A fixed-offset tzinfo (`pytz.utc`, or an offset parsed from text).
#[derive(Debug, Clone, Copy)]
struct TzInfo(i32);

const MAX_TIMEDELTA_US: i128 = 999_999_999 * 86_400_000_000 + 86_399_999_999;

fn truncate_to_micros(dt: NaiveDateTime) -> NaiveDateTime {
    let ns = dt.nanosecond() % 1_000_000_000;
    dt.with_nanosecond(ns / 1000 * 1000).unwrap_or(dt)
}

fn now(tz: Option<i32>) -> DateTime {
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

fn utc_from_timestamp(ts: f64) -> Result<NaiveDateTime, Error> {
    let us = (ts * 1e6).round();
    if !us.is_finite() || us.abs() > 1e17 {
        return Err(err("timestamp out of range"));
    }
    chrono::DateTime::<Utc>::from_timestamp_micros(us as i64)
        .map(|d| d.naive_utc())
        .ok_or_else(|| err("timestamp out of range"))
}

fn local_from_utc(utc: NaiveDateTime) -> NaiveDateTime {
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

fn tz_arg(v: &Option<Value>) -> Result<Option<i32>, Error> {
    match given(v) {
        None => Ok(None),
        Some(v) => v
            .downcast_object_ref::<TzInfo>()
            .map(|t| Some(t.0))
            .ok_or_else(|| err("tzinfo argument must be None or a tzinfo (e.g. modules.pytz.utc)")),
    }
}

fn make_date(y: i64, m: i64, d: i64) -> Result<NaiveDate, Error> {
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

fn make_time(h: i64, mi: i64, s: i64, us: i64) -> Result<NaiveTime, Error> {
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

fn in_range(dt: NaiveDateTime) -> Result<NaiveDateTime, Error> {
    if (1..=9999).contains(&dt.year()) {
        Ok(dt)
    } else {
        Err(err("date value out of range"))
    }
}

fn as_date(v: &Value) -> Option<NaiveDate> {
    if let Some(d) = v.downcast_object_ref::<Date>() {
        return Some(d.0);
    }
    v.downcast_object_ref::<DateTime>().map(|d| d.dt.date())
}

fn micros(t: NaiveTime) -> u32 {
    (t.nanosecond() % 1_000_000_000) / 1000
}

/// `+HH:MM` (with `:SS` when needed), `sep` between the parts.
fn format_offset(off: i32, sep: &str) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.unsigned_abs();
    let (h, m, s) = (a / 3600, a % 3600 / 60, a % 60);
    if s != 0 {
        format!("{sign}{h:02}{sep}{m:02}{sep}{s:02}")
    } else {
        format!("{sign}{h:02}{sep}{m:02}")
    }
}

fn tz_name(off: i32) -> String {
    if off == 0 {
        "UTC".to_string()
    } else {
        format!("UTC{}", format_offset(off, ":"))
    }
}

fn iso_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

impl DateTime {
    fn into_value(self) -> Value {
        Value::from_object(self)
    }

    /// The same instant as a naive UTC datetime (naive values are taken as they are).
    fn utc_key(&self) -> NaiveDateTime {
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

    fn timestamp(&self) -> f64 {
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
    fn into_value(self) -> Value {
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

impl TimeDelta {
    fn new(us: i128) -> Result<TimeDelta, Error> {
        if us.abs() > MAX_TIMEDELTA_US {
            return Err(err("timedelta out of range"));
        }
        Ok(TimeDelta { us: us as i64 })
    }

    fn into_value(self) -> Value {
        Value::from_object(self)
    }

    /// Python's normalized (days, seconds, microseconds).
    fn parts(&self) -> (i64, i64, i64) {
        let days = self.us.div_euclid(86_400_000_000);
        let rest = self.us.rem_euclid(86_400_000_000);
        (days, rest / 1_000_000, rest % 1_000_000)
    }
}

impl Object for TimeDelta {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let (d, s, us) = self.parts();
        Some(match key.as_str()? {
            "days" => Value::from(d),
            "seconds" => Value::from(s),
            "microseconds" => Value::from(us),
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
            "total_seconds" => Ok(Value::from(self.us as f64 / 1e6)),
            "add" | "sub" => {
                let [other] = bind(name, args, ["other"])?;
                let o = required(&other, name, "other")?
                    .downcast_object_ref::<TimeDelta>()
                    .ok_or_else(|| err(format!("timedelta.{name}() takes a timedelta")))?;
                let us = if name == "add" {
                    i128::from(self.us) + i128::from(o.us)
                } else {
                    i128::from(self.us) - i128::from(o.us)
                };
                TimeDelta::new(us).map(TimeDelta::into_value)
            }
            "mul" => {
                let [n] = bind(name, args, ["factor"])?;
                let n = required(&n, name, "factor")?;
                let us = if n.is_integer() {
                    i128::from(self.us) * i128::from(int_of(n, name)?)
                } else {
                    (self.us as f64 * number_of(n, name)?).round_ties_even() as i128
                };
                TimeDelta::new(us).map(TimeDelta::into_value)
            }
            _ => Err(unknown_method("timedelta", name)),
        }
    }

    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<Ordering> {
        let other = other.downcast_ref::<Self>()?;
        Some(self.us.cmp(&other.us))
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.us != 0
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (d, s, us) = self.parts();
        if d != 0 {
            write!(f, "{d} day{}, ", if d.abs() == 1 { "" } else { "s" })?;
        }
        write!(f, "{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)?;
        if us != 0 {
            write!(f, ".{us:06}")?;
        }
        Ok(())
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
struct PytzModule;

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

// ---------------------------------------------------------------------------------------------
// strftime / strptime / fromisoformat

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Python's `strftime` (C locale, glibc extensions such as `%-d` included).
fn strftime(fmt: &str, d: NaiveDate, t: NaiveTime, tz: Option<i32>) -> String {
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let nopad = chars.peek() == Some(&'-');
        if nopad {
            chars.next();
        }
        let Some(code) = chars.next() else {
            out.push('%');
            break;
        };
        let num = |out: &mut String, v: i64, w: usize| {
            if nopad {
                out.push_str(&v.to_string());
            } else {
                out.push_str(&format!("{v:0w$}"));
            }
        };
        let wd = d.weekday().num_days_from_monday() as usize;
        let sunday0 = i64::from(d.weekday().num_days_from_sunday());
        let yday0 = i64::from(d.ordinal0());
        let hour12 = match t.hour() % 12 {
            0 => 12,
            h => h,
        };
        match code {
            'a' => out.push_str(&WEEKDAYS[wd][..3]),
            'A' => out.push_str(WEEKDAYS[wd]),
            'w' => num(&mut out, sunday0, 1),
            'u' => num(&mut out, wd as i64 + 1, 1),
            'd' => num(&mut out, d.day().into(), 2),
            'e' => out.push_str(&if nopad {
                d.day().to_string()
            } else {
                format!("{:2}", d.day())
            }),
            'b' | 'h' => out.push_str(&MONTHS[d.month0() as usize][..3]),
            'B' => out.push_str(MONTHS[d.month0() as usize]),
            'm' => num(&mut out, d.month().into(), 2),
            'y' => num(&mut out, i64::from(d.year() % 100), 2),
            'Y' => out.push_str(&d.year().to_string()),
            'C' => num(&mut out, i64::from(d.year() / 100), 2),
            'G' => out.push_str(&d.iso_week().year().to_string()),
            'V' => num(&mut out, d.iso_week().week().into(), 2),
            'H' => num(&mut out, t.hour().into(), 2),
            'I' => num(&mut out, hour12.into(), 2),
            'p' => out.push_str(if t.hour() < 12 { "AM" } else { "PM" }),
            'M' => num(&mut out, t.minute().into(), 2),
            'S' => num(&mut out, t.second().into(), 2),
            'f' => out.push_str(&format!("{:06}", micros(t))),
            'j' => num(&mut out, yday0 + 1, 3),
            'U' => num(&mut out, (yday0 + 7 - sunday0) / 7, 2),
            'W' => num(&mut out, (yday0 + 7 - wd as i64) / 7, 2),
            'z' => out.push_str(&tz.map(|o| format_offset(o, "")).unwrap_or_default()),
            'Z' => out.push_str(&tz.map(tz_name).unwrap_or_default()),
            'c' => out.push_str(&strftime("%a %b %e %H:%M:%S %Y", d, t, tz)),
            'x' | 'D' => out.push_str(&strftime("%m/%d/%y", d, t, tz)),
            'X' | 'T' => out.push_str(&strftime("%H:%M:%S", d, t, tz)),
            'F' => out.push_str(&strftime("%Y-%m-%d", d, t, tz)),
            'R' => out.push_str(&strftime("%H:%M", d, t, tz)),
            's' => {
                let dt = DateTime {
                    dt: d.and_time(t),
                    tz,
                };
                out.push_str(&(dt.timestamp().floor() as i64).to_string());
            }
            'n' => out.push('\n'),
            't' => out.push('\t'),
            '%' => out.push('%'),
            other => {
                out.push('%');
                if nopad {
                    out.push('-');
                }
                out.push(other);
            }
        }
    }
    out
}

/// A cursor over the input of `strptime`.
struct Scan<'a> {
    s: &'a str,
    i: usize,
}

impl Scan<'_> {
    fn rest(&self) -> &str {
        &self.s[self.i..]
    }

    /// Up to `max` (at least `min`) ASCII digits, backing off while the value exceeds `hi`.
    fn digits(&mut self, min: usize, max: usize, hi: i64) -> Option<(i64, usize)> {
        let avail = self
            .rest()
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        let mut n = avail;
        while n >= min && n > 0 {
            let v: i64 = self.rest()[..n].parse().ok()?;
            if v <= hi {
                self.i += n;
                return Some((v, n));
            }
            n -= 1;
        }
        None
    }

    /// One of `names` (full names tried before 3-letter abbreviations), case-insensitively.
    fn name(&mut self, names: &[&str]) -> Option<usize> {
        let rest = self.rest().to_ascii_lowercase();
        for full in [true, false] {
            for (i, n) in names.iter().enumerate() {
                let n = if full {
                    n.to_ascii_lowercase()
                } else {
                    n[..3].to_ascii_lowercase()
                };
                if rest.starts_with(&n) {
                    self.i += n.len();
                    return Some(i);
                }
            }
        }
        None
    }

    /// `Z`, `+HH`, `+HHMM`, `+HH:MM`, `+HH:MM:SS`.
    fn offset(&mut self) -> Option<i32> {
        let rest = self.rest();
        if rest.starts_with(['Z', 'z']) {
            self.i += 1;
            return Some(0);
        }
        let sign = match rest.chars().next()? {
            '+' => 1,
            '-' => -1,
            _ => return None,
        };
        self.i += 1;
        let (h, _) = self.digits(2, 2, 23)?;
        let mut secs = h * 3600;
        for mult in [60, 1] {
            let colon = self.rest().starts_with(':');
            if colon {
                self.i += 1;
            }
            match self.digits(2, 2, 59) {
                Some((v, _)) => secs += v * mult,
                None if colon => return None,
                None => break,
            }
        }
        Some(sign * secs as i32)
    }
}

/// Python's `datetime.strptime`.
fn strptime(s: &str, fmt: &str) -> Result<(NaiveDateTime, Option<i32>), Error> {
    let mismatch = || err(format!("time data '{s}' does not match format '{fmt}'"));
    let mut sc = Scan { s, i: 0 };
    let (mut year, mut month, mut day) = (1900i64, 1i64, 1i64);
    let (mut hour, mut minute, mut second, mut us) = (0i64, 0i64, 0i64, 0i64);
    let (mut pm, mut yday, mut tz): (Option<bool>, Option<i64>, Option<i32>) = (None, None, None);
    let mut hour12 = false;
    let mut date_given = false;
    let mut f = fmt.chars().peekable();
    while let Some(c) = f.next() {
        if c.is_whitespace() {
            while f.peek().is_some_and(|c| c.is_whitespace()) {
                f.next();
            }
            let n = sc.rest().len() - sc.rest().trim_start().len();
            if n == 0 {
                return Err(mismatch());
            }
            sc.i += n;
            continue;
        }
        if c != '%' {
            let next = sc.rest().chars().next().ok_or_else(mismatch)?;
            if !next.to_lowercase().eq(c.to_lowercase()) {
                return Err(mismatch());
            }
            sc.i += next.len_utf8();
            continue;
        }
        let mut code = f.next().ok_or_else(|| err("stray % in format"))?;
        if code == '-' {
            code = f.next().ok_or_else(|| err("stray % in format"))?;
        }
        match code {
            'Y' => {
                year = sc.digits(4, 4, 9999).ok_or_else(mismatch)?.0;
                date_given = true;
            }
            'y' => {
                let v = sc.digits(2, 2, 99).ok_or_else(mismatch)?.0;
                year = if v < 69 { 2000 + v } else { 1900 + v };
                date_given = true;
            }
            'm' => {
                month = sc.digits(1, 2, 12).ok_or_else(mismatch)?.0;
                date_given = true;
            }
            'd' => {
                day = sc.digits(1, 2, 31).ok_or_else(mismatch)?.0;
                date_given = true;
            }
            'b' | 'B' | 'h' => {
                month = sc.name(&MONTHS).ok_or_else(mismatch)? as i64 + 1;
                date_given = true;
            }
            'a' | 'A' => {
                sc.name(&WEEKDAYS).ok_or_else(mismatch)?;
            }
            'w' => {
                sc.digits(1, 1, 6).ok_or_else(mismatch)?;
            }
            'u' => {
                sc.digits(1, 1, 7).ok_or_else(mismatch)?;
            }
            'U' | 'W' | 'V' => {
                sc.digits(1, 2, 53).ok_or_else(mismatch)?;
            }
            'G' => {
                sc.digits(4, 4, 9999).ok_or_else(mismatch)?;
            }
            'j' => yday = Some(sc.digits(1, 3, 366).ok_or_else(mismatch)?.0),
            'H' => hour = sc.digits(1, 2, 23).ok_or_else(mismatch)?.0,
            'I' => {
                hour = sc.digits(1, 2, 12).ok_or_else(mismatch)?.0;
                hour12 = true;
            }
            'p' => {
                let rest = sc.rest().to_ascii_lowercase();
                pm = Some(if rest.starts_with("pm") {
                    true
                } else if rest.starts_with("am") {
                    false
                } else {
                    return Err(mismatch());
                });
                sc.i += 2;
            }
            'M' => minute = sc.digits(1, 2, 59).ok_or_else(mismatch)?.0,
            'S' => second = sc.digits(1, 2, 61).ok_or_else(mismatch)?.0.min(59),
            'f' => {
                let (v, n) = sc.digits(1, 6, 999_999).ok_or_else(mismatch)?;
                us = v * 10i64.pow(6 - n as u32);
            }
            'z' => tz = Some(sc.offset().ok_or_else(mismatch)?),
            'Z' => {
                let n = sc
                    .rest()
                    .bytes()
                    .take_while(u8::is_ascii_alphabetic)
                    .count();
                if n == 0 {
                    return Err(mismatch());
                }
                sc.i += n;
            }
            '%' => {
                if !sc.rest().starts_with('%') {
                    return Err(mismatch());
                }
                sc.i += 1;
            }
            other => {
                return Err(err(format!(
                    "'{other}' is a bad directive in format '{fmt}'"
                )));
            }
        }
    }
    if !sc.rest().is_empty() {
        return Err(err(format!("unconverted data remains: {}", sc.rest())));
    }
    if hour12 {
        hour %= 12;
        if pm == Some(true) {
            hour += 12;
        }
    }
    let date = match yday {
        Some(n) if !date_given || (month == 1 && day == 1) => {
            NaiveDate::from_yo_opt(year as i32, n as u32)
                .ok_or_else(|| err("day of year is out of range"))?
        }
        _ => make_date(year, month, day)?,
    };
    Ok((date.and_time(make_time(hour, minute, second, us)?), tz))
}

/// `YYYY-MM-DD` or `YYYYMMDD` at the start of `s`, and what follows.
fn parse_iso_date(s: &str) -> Option<(NaiveDate, &str)> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (y, m, d, rest) = if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        (digits(0..4)?, digits(5..7)?, digits(8..10)?, &s[10..])
    } else {
        (digits(0..4)?, digits(4..6)?, digits(6..8)?, s.get(8..)?)
    };
    make_date(y, m, d).ok().map(|d| (d, rest))
}

/// Python 3.11's `datetime.fromisoformat`: date, optional time after any one-character
/// separator, optional fraction and UTC offset.
fn parse_iso_datetime(s: &str) -> Option<(NaiveDateTime, Option<i32>)> {
    let (date, rest) = parse_iso_date(s)?;
    let mut chars = rest.chars();
    let Some(_sep) = chars.next() else {
        return Some((date.and_time(NaiveTime::MIN), None));
    };
    let mut sc = Scan {
        s: chars.as_str(),
        i: 0,
    };
    let hour = sc.digits(2, 2, 23)?.0;
    let mut parts = [0i64; 2];
    for (k, part) in parts.iter_mut().enumerate() {
        let colon = sc.rest().starts_with(':');
        if colon {
            sc.i += 1;
        }
        match sc.digits(2, 2, 59) {
            Some((v, _)) => *part = v,
            None if colon
                || k == 0
                    && !sc.rest().is_empty()
                    && !sc.rest().starts_with(['+', '-', 'Z', 'z']) =>
            {
                return None;
            }
            None => break,
        }
    }
    let mut us = 0;
    if sc.rest().starts_with(['.', ',']) {
        sc.i += 1;
        let n = sc.rest().bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let frac = &sc.rest()[..n.min(6)];
        us = frac.parse::<i64>().ok()? * 10i64.pow(6 - frac.len() as u32);
        sc.i += n;
    }
    let tz = if sc.rest().is_empty() {
        None
    } else {
        Some(sc.offset()?)
    };
    if !sc.rest().is_empty() {
        return None;
    }
    let time = make_time(hour, parts[0], parts[1], us).ok()?;
    Some((date.and_time(time), tz))
}

// ---------------------------------------------------------------------------------------------
// re

const FLAG_I: i64 = 2;
const FLAG_M: i64 = 8;
const FLAG_S: i64 = 16;
const FLAG_U: i64 = 32;
const FLAG_X: i64 = 64;
const FLAG_A: i64 = 256;

#[derive(Debug)]
struct ReModule;

impl Object for ReModule {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(Value::from(match key.as_str()? {
            "I" | "IGNORECASE" => FLAG_I,
            "M" | "MULTILINE" => FLAG_M,
            "S" | "DOTALL" => FLAG_S,
            "U" | "UNICODE" => FLAG_U,
            "X" | "VERBOSE" => FLAG_X,
            "A" | "ASCII" => FLAG_A,
            "NOFLAG" => 0,
            _ => return None,
        }))
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let pattern_arg =
            |p: &Option<Value>, flags: &Option<Value>| -> Result<Arc<Pattern>, Error> {
                let p = required(p, name, "pattern")?;
                let flags = opt_int(flags, "flags", 0)?;
                if let Some(compiled) = p.downcast_object::<Pattern>() {
                    if flags != 0 {
                        return Err(err("cannot process flags argument with a compiled pattern"));
                    }
                    return Ok(compiled);
                }
                Pattern::get(str_of(p, name)?, flags)
            };
        match name {
            "match" | "search" | "fullmatch" => {
                let [p, s, fl] = bind(name, args, ["pattern", "string", "flags"])?;
                let pat = pattern_arg(&p, &fl)?;
                pat.find(name, str_of(required(&s, name, "string")?, name)?)
            }
            "sub" | "subn" => {
                let [p, repl, s, count, fl] =
                    bind(name, args, ["pattern", "repl", "string", "count", "flags"])?;
                let pat = pattern_arg(&p, &fl)?;
                let repl = required(&repl, name, "repl")?;
                let s = str_of(required(&s, name, "string")?, name)?;
                pat.sub(state, name == "subn", repl, s, opt_int(&count, "count", 0)?)
            }
            "findall" => {
                let [p, s, fl] = bind(name, args, ["pattern", "string", "flags"])?;
                Ok(pattern_arg(&p, &fl)?.findall(str_of(required(&s, name, "string")?, name)?))
            }
            "finditer" => {
                let [p, s, fl] = bind(name, args, ["pattern", "string", "flags"])?;
                Ok(pattern_arg(&p, &fl)?.finditer(str_of(required(&s, name, "string")?, name)?))
            }
            "split" => {
                let [p, s, max, fl] = bind(name, args, ["pattern", "string", "maxsplit", "flags"])?;
                let pat = pattern_arg(&p, &fl)?;
                Ok(pat.split(
                    str_of(required(&s, name, "string")?, name)?,
                    opt_int(&max, "maxsplit", 0)?,
                ))
            }
            "compile" => {
                let [p, fl] = bind(name, args, ["pattern", "flags"])?;
                Ok(Value::from_dyn_object(pattern_arg(&p, &fl)?))
            }
            "escape" => {
                let [p] = bind(name, args, ["pattern"])?;
                Ok(Value::from(py_escape(str_of(
                    required(&p, name, "pattern")?,
                    name,
                )?)))
            }
            "purge" => Ok(Value::from(())),
            _ => Err(unknown_method("re", name)),
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<module 're'>")
    }
}

/// Compiled patterns by (source, flags).
type PatternCache = HashMap<(String, i64), Arc<Pattern>>;

/// A compiled pattern: the unanchored, start-anchored and fully-anchored regexes.
#[derive(Debug)]
struct Pattern {
    source: String,
    flags: i64,
    search: regex::Regex,
    at_start: regex::Regex,
    full: regex::Regex,
}

impl Pattern {
    /// Compiles (or reuses) `source` with Python `flags`.
    fn get(source: &str, flags: i64) -> Result<Arc<Pattern>, Error> {
        static CACHE: OnceLock<Mutex<PatternCache>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let key = (source.to_string(), flags);
        if let Some(p) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(p);
        }
        let body = translate_pattern(source)?;
        let mut prefix = String::new();
        for (bit, c) in [(FLAG_I, 'i'), (FLAG_M, 'm'), (FLAG_S, 's'), (FLAG_X, 'x')] {
            if flags & bit != 0 {
                prefix.push(c);
            }
        }
        let prefix = if prefix.is_empty() {
            prefix
        } else {
            format!("(?{prefix})")
        };
        let build = |text: String| {
            regex::Regex::new(&text).map_err(|e| {
                err(format!(
                    "re: cannot compile pattern '{source}' (xform uses Rust regex syntax: no look-around or \
                     backreferences): {e}"
                ))
            })
        };
        let pattern = Arc::new(Pattern {
            source: source.to_string(),
            flags,
            search: build(format!("{prefix}{body}"))?,
            at_start: build(format!("{prefix}\\A(?:{body})"))?,
            full: build(format!("{prefix}\\A(?:{body})\\z"))?,
        });
        if let Ok(mut c) = cache.lock() {
            if c.len() > 512 {
                c.clear();
            }
            c.insert(key, pattern.clone());
        }
        Ok(pattern)
    }

    fn groups(&self) -> usize {
        self.search.captures_len() - 1
    }

    fn match_value(self: &Arc<Self>, caps: &regex::Captures<'_>, s: &str) -> Value {
        Value::from_object(Match {
            pattern: self.clone(),
            text: s.to_string(),
            spans: (0..caps.len())
                .map(|i| caps.get(i).map(|m| (m.start(), m.end())))
                .collect(),
        })
    }

    fn find(self: &Arc<Self>, how: &str, s: &str) -> Result<Value, Error> {
        let re = match how {
            "match" => &self.at_start,
            "fullmatch" => &self.full,
            _ => &self.search,
        };
        Ok(re
            .captures(s)
            .map_or(Value::from(()), |c| self.match_value(&c, s)))
    }

    fn findall(self: &Arc<Self>, s: &str) -> Value {
        let n = self.groups();
        let group =
            |c: &regex::Captures<'_>, i: usize| Value::from(c.get(i).map_or("", |m| m.as_str()));
        Value::from(
            self.search
                .captures_iter(s)
                .map(|c| match n {
                    0 => group(&c, 0),
                    1 => group(&c, 1),
                    _ => Value::from((1..=n).map(|i| group(&c, i)).collect::<Vec<_>>()),
                })
                .collect::<Vec<_>>(),
        )
    }

    fn finditer(self: &Arc<Self>, s: &str) -> Value {
        Value::from(
            self.search
                .captures_iter(s)
                .map(|c| self.match_value(&c, s))
                .collect::<Vec<_>>(),
        )
    }

    fn split(self: &Arc<Self>, s: &str, maxsplit: i64) -> Value {
        let mut out = Vec::new();
        let mut last = 0;
        for (n, c) in self.search.captures_iter(s).enumerate() {
            if maxsplit > 0 && n as i64 >= maxsplit {
                break;
            }
            let Some(m) = c.get(0) else { continue };
            out.push(Value::from(&s[last..m.start()]));
            for i in 1..c.len() {
                out.push(
                    c.get(i)
                        .map_or(Value::from(()), |g| Value::from(g.as_str())),
                );
            }
            last = m.end();
        }
        out.push(Value::from(&s[last..]));
        Value::from(out)
    }

    fn sub(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        with_count: bool,
        repl: &Value,
        s: &str,
        count: i64,
    ) -> Result<Value, Error> {
        let template = match repl.as_str() {
            Some(r) => Some(parse_repl(r, self)?),
            None => None,
        };
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        let mut n = 0;
        for c in self.search.captures_iter(s) {
            if count > 0 && n >= count {
                break;
            }
            let Some(m) = c.get(0) else { continue };
            out.push_str(&s[last..m.start()]);
            match &template {
                Some(pieces) => {
                    for p in pieces {
                        match p {
                            ReplPiece::Text(t) => out.push_str(t),
                            ReplPiece::Group(i) => {
                                out.push_str(c.get(*i).map_or("", |g| g.as_str()))
                            }
                        }
                    }
                }
                None => {
                    let m = self.match_value(&c, s);
                    out.push_str(&repl.call(state, &[m])?.to_string());
                }
            }
            last = m.end();
            n += 1;
        }
        out.push_str(&s[last..]);
        Ok(if with_count {
            Value::from(vec![Value::from(out), Value::from(n)])
        } else {
            Value::from(out)
        })
    }
}

impl Object for Pattern {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "pattern" => Some(Value::from(self.source.clone())),
            "flags" => Some(Value::from(self.flags)),
            "groups" => Some(Value::from(self.groups())),
            "groupindex" => Some(map_value(
                self.search
                    .capture_names()
                    .enumerate()
                    .filter_map(|(i, n)| n.map(|n| (n.to_string(), Value::from(i)))),
            )),
            _ => None,
        }
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match name {
            "match" | "search" | "fullmatch" => {
                let [s] = bind(name, args, ["string"])?;
                self.find(name, str_of(required(&s, name, "string")?, name)?)
            }
            "sub" | "subn" => {
                let [repl, s, count] = bind(name, args, ["repl", "string", "count"])?;
                let repl = required(&repl, name, "repl")?;
                let s = str_of(required(&s, name, "string")?, name)?;
                self.sub(state, name == "subn", repl, s, opt_int(&count, "count", 0)?)
            }
            "findall" => {
                let [s] = bind(name, args, ["string"])?;
                Ok(self.findall(str_of(required(&s, name, "string")?, name)?))
            }
            "finditer" => {
                let [s] = bind(name, args, ["string"])?;
                Ok(self.finditer(str_of(required(&s, name, "string")?, name)?))
            }
            "split" => {
                let [s, max] = bind(name, args, ["string", "maxsplit"])?;
                Ok(self.split(
                    str_of(required(&s, name, "string")?, name)?,
                    opt_int(&max, "maxsplit", 0)?,
                ))
            }
            _ => Err(unknown_method("re.Pattern", name)),
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "re.compile('{}')", self.source)
    }
}

/// A successful match: byte spans of every group (None when a group did not take part).
#[derive(Debug)]
struct Match {
    pattern: Arc<Pattern>,
    text: String,
    spans: Vec<Option<(usize, usize)>>,
}

impl Match {
    fn index(&self, g: &Value) -> Result<usize, Error> {
        if let Some(name) = g.as_str() {
            return self
                .pattern
                .search
                .capture_names()
                .position(|n| n == Some(name))
                .ok_or_else(|| err(format!("no such group: '{name}'")));
        }
        match g.as_i64() {
            Some(i) if i >= 0 && (i as usize) < self.spans.len() => Ok(i as usize),
            _ => Err(err(format!("no such group: {g}"))),
        }
    }

    fn group(&self, i: usize) -> Value {
        match self.spans.get(i).copied().flatten() {
            Some((a, b)) => Value::from(&self.text[a..b]),
            None => Value::from(()),
        }
    }

    /// Character (not byte) offsets, as Python reports them; -1 for a group that did not match.
    fn span(&self, i: usize) -> (i64, i64) {
        match self.spans.get(i).copied().flatten() {
            Some((a, b)) => (
                self.text[..a].chars().count() as i64,
                self.text[..b].chars().count() as i64,
            ),
            None => (-1, -1),
        }
    }
}

impl Object for Match {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        if let Some(name) = key.as_str() {
            return match name {
                "string" => Some(Value::from(self.text.clone())),
                "re" => Some(Value::from_dyn_object(self.pattern.clone())),
                "pos" => Some(Value::from(0)),
                "lastindex" => Some(
                    (1..self.spans.len())
                        .rev()
                        .find(|i| self.spans[*i].is_some())
                        .map_or(Value::from(()), Value::from),
                ),
                _ => self.index(key).ok().map(|i| self.group(i)),
            };
        }
        self.index(key).ok().map(|i| self.group(i))
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let one_group = |args: &[Value]| -> Result<usize, Error> {
            match args.first() {
                Some(g) => self.index(g),
                None => Ok(0),
            }
        };
        match name {
            "group" => match args.len() {
                0 | 1 => Ok(self.group(one_group(args)?)),
                _ => Ok(Value::from(
                    args.iter()
                        .map(|g| self.index(g).map(|i| self.group(i)))
                        .collect::<Result<Vec<_>, _>>()?,
                )),
            },
            "groups" | "groupdict" => {
                let [default] = bind(name, args, ["default"])?;
                let default = default.unwrap_or(Value::from(()));
                let value = |i: usize| {
                    let v = self.group(i);
                    if v.is_none() { default.clone() } else { v }
                };
                if name == "groups" {
                    Ok(Value::from(
                        (1..self.spans.len()).map(value).collect::<Vec<_>>(),
                    ))
                } else {
                    Ok(map_value(
                        self.pattern
                            .search
                            .capture_names()
                            .enumerate()
                            .filter_map(|(i, n)| n.map(|n| (n.to_string(), value(i)))),
                    ))
                }
            }
            "start" => Ok(Value::from(self.span(one_group(args)?).0)),
            "end" => Ok(Value::from(self.span(one_group(args)?).1)),
            "span" => {
                let (a, b) = self.span(one_group(args)?);
                Ok(Value::from(vec![Value::from(a), Value::from(b)]))
            }
            _ => Err(unknown_method("re.Match", name)),
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b) = self.span(0);
        write!(
            f,
            "<re.Match object; span=({a}, {b}), match='{}'>",
            self.group(0)
        )
    }
}

/// Python pattern syntax -> Rust regex syntax where the two differ: `\Z`, `{,n}`, a `{` that
/// is not a repetition, and `[` / `&&` / `~~` inside a character class.
fn translate_pattern(p: &str) -> Result<String, Error> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::with_capacity(p.len() + 8);
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err(err(format!("re: bad escape (end of pattern) in '{p}'")));
                };
                if n == 'Z' && !in_class {
                    out.push_str("\\z");
                } else {
                    out.push('\\');
                    out.push(n);
                }
                i += 2;
                continue;
            }
            '[' if in_class => out.push_str("\\["),
            '[' => {
                in_class = true;
                out.push('[');
                // `]` (after an optional `^`) right at the start is a literal.
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '(' if !in_class
                && chars.get(i + 1) == Some(&'?')
                && chars.get(i + 2) == Some(&'P')
                && chars.get(i + 3) == Some(&'=') =>
            {
                return Err(err(format!(
                    "re: backreferences (?P=...) are not supported: '{p}'"
                )));
            }
            '{' if !in_class => {
                let close = chars[i..].iter().position(|&c| c == '}').map(|k| i + k);
                let inner: Option<String> = close.map(|e| chars[i + 1..e].iter().collect());
                match inner {
                    Some(inner) if is_repetition(&inner) => {
                        if inner.starts_with(',') {
                            out.push_str(&format!("{{0{inner}}}"));
                        } else {
                            out.push_str(&format!("{{{inner}}}"));
                        }
                        i += inner.chars().count() + 2;
                        continue;
                    }
                    _ => out.push_str("\\{"),
                }
            }
            '}' if !in_class => out.push_str("\\}"),
            _ => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

fn is_repetition(inner: &str) -> bool {
    let (a, b) = match inner.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (inner, None),
    };
    let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    digits(a) && b.is_none_or(digits) && (!a.is_empty() || b.is_some_and(|b| !b.is_empty()))
}

/// Python's `re.escape`.
fn py_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

enum ReplPiece {
    Text(String),
    Group(usize),
}

/// A Python replacement template: `\1`, `\g<1>`, `\g<name>` and the usual escapes.
fn parse_repl(r: &str, pat: &Pattern) -> Result<Vec<ReplPiece>, Error> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let chars: Vec<char> = r.chars().collect();
    let groups = pat.groups();
    let mut i = 0;
    let push_group =
        |pieces: &mut Vec<ReplPiece>, text: &mut String, g: usize| -> Result<(), Error> {
            if g > groups {
                return Err(err(format!("re: invalid group reference {g}")));
            }
            if !text.is_empty() {
                pieces.push(ReplPiece::Text(std::mem::take(text)));
            }
            pieces.push(ReplPiece::Group(g));
            Ok(())
        };
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' {
            text.push(c);
            i += 1;
            continue;
        }
        let Some(&n) = chars.get(i + 1) else {
            return Err(err("re: bad escape (end of replacement)"));
        };
        i += 2;
        match n {
            'g' => {
                let close = chars[i..].iter().position(|&c| c == '>');
                let (true, Some(close)) = (chars.get(i) == Some(&'<'), close) else {
                    return Err(err("re: missing < or > in \\g<...>"));
                };
                let name: String = chars[i + 1..i + close].iter().collect();
                let g = match name.parse::<usize>() {
                    Ok(g) => g,
                    Err(_) => pat
                        .search
                        .capture_names()
                        .position(|n| n == Some(name.as_str()))
                        .ok_or_else(|| err(format!("re: unknown group name '{name}'")))?,
                };
                push_group(&mut pieces, &mut text, g)?;
                i += close + 1;
            }
            '1'..='9' => {
                let mut g = n.to_digit(10).unwrap_or(0) as usize;
                if let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                    g = g * 10 + d as usize;
                    i += 1;
                }
                push_group(&mut pieces, &mut text, g)?;
            }
            'n' => text.push('\n'),
            't' => text.push('\t'),
            'r' => text.push('\r'),
            'f' => text.push('\x0c'),
            'v' => text.push('\x0b'),
            'a' => text.push('\x07'),
            'b' => text.push('\x08'),
            '\\' => text.push('\\'),
            c if c.is_ascii_alphabetic() => {
                return Err(err(format!("re: bad escape \\{c} in replacement")));
            }
            c => {
                text.push('\\');
                text.push(c);
            }
        }
    }
    if !text.is_empty() {
        pieces.push(ReplPiece::Text(text));
    }
    Ok(pieces)
}

#[cfg(test)]
#[path = "cross_db_tests.rs"]
mod cross_db_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Environment<'static> {
        let mut env = Environment::new();
        minijinja_contrib::add_to_environment(&mut env);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        register(&mut env);
        env
    }

    fn render(src: &str) -> String {
        match env().render_str(src, ()) {
            Ok(s) => s,
            Err(e) => panic!("render failed for {src:?}: {e:#}"),
        }
    }

    fn render_err(src: &str) -> String {
        match env().render_str(src, ()) {
            Ok(s) => panic!("expected an error for {src:?}, got {s:?}"),
            Err(e) => format!("{e:#}"),
        }
    }

    const DT: &str = "{% set dt = modules.datetime.datetime(2024, 1, 31, 12, 0, 0) %}";

    #[test]
    fn datetime_constructor_attributes_and_str() {
        assert_eq!(render(&format!("{DT}{{{{ dt }}}}")), "2024-01-31 12:00:00");
        assert_eq!(
            render(&format!(
                "{DT}{{{{ [dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond] }}}}"
            )),
            "[2024, 1, 31, 12, 0, 0, 0]"
        );
        assert_eq!(
            render("{{ modules.datetime.datetime(2024, 1, 31, 12, 5, 6, 7) }}"),
            "2024-01-31 12:05:06.000007"
        );
        assert_eq!(
            render("{{ modules.datetime.datetime(2024, 2, 1, hour=3) }}"),
            "2024-02-01 03:00:00"
        );
        assert!(
            render_err("{{ modules.datetime.datetime(2024, 2, 30) }}")
                .contains("day is out of range")
        );
        assert!(
            render_err("{{ modules.datetime.datetime(2024, 1, 1, 25) }}")
                .contains("hour must be in 0..23")
        );
    }

    #[test]
    fn strftime_codes() {
        let src = format!(
            "{DT}{{{{ dt.replace(microsecond=42).strftime('%Y|%m|%d|%H|%M|%S|%f|%j|%A|%a|%B|%b|%y|%z|%Z|%%|%-d|%I%p|%U|%W|%w|%u|%e|%c') }}}}"
        );
        assert_eq!(
            render(&src),
            "2024|01|31|12|00|00|000042|031|Wednesday|Wed|January|Jan|24|||%|31|12PM|04|05|3|3|31|Wed Jan 31 12:00:00 2024"
        );
        assert_eq!(
            render(
                "{{ modules.datetime.datetime(2024, 1, 31, tzinfo=modules.pytz.utc).strftime('%z %Z') }}"
            ),
            "+0000 UTC"
        );
        assert_eq!(
            render("{{ modules.datetime.date(2024, 3, 5).strftime('%Y-%m-%d %H:%M %j') }}"),
            "2024-03-05 00:00 065"
        );
    }

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
    fn class_methods() {
        assert_eq!(
            render(
                "{{ modules.datetime.datetime.strptime('2024-01-31 13:45:10.5', '%Y-%m-%d %H:%M:%S.%f') }}"
            ),
            "2024-01-31 13:45:10.500000"
        );
        assert_eq!(
            render(
                "{{ modules.datetime.datetime.strptime('31 jan 2024 01:02 PM +0130', '%d %b %Y %I:%M %p %z').isoformat() }}"
            ),
            "2024-01-31T13:02:00+01:30"
        );
        assert!(
            render_err("{{ modules.datetime.datetime.strptime('2024-01-31x', '%Y-%m-%d') }}")
                .contains("unconverted data remains: x")
        );
        assert!(
            render_err("{{ modules.datetime.datetime.strptime('2024/01/31', '%Y-%m-%d') }}")
                .contains("does not match format")
        );
        assert_eq!(
            render(
                "{{ modules.datetime.datetime.fromisoformat('2024-01-31T12:30:00.123Z').isoformat() }}"
            ),
            "2024-01-31T12:30:00.123000+00:00"
        );
        assert_eq!(
            render("{{ modules.datetime.datetime.fromisoformat('2024-01-31') }}"),
            "2024-01-31 00:00:00"
        );
        assert_eq!(
            render("{{ modules.datetime.datetime.fromisoformat('2024-01-31 07:08') }}"),
            "2024-01-31 07:08:00"
        );
        assert!(
            render_err("{{ modules.datetime.datetime.fromisoformat('nope') }}")
                .contains("Invalid isoformat")
        );
        assert_eq!(
            render("{{ modules.datetime.date.fromisoformat('2024-02-29') }}"),
            "2024-02-29"
        );
        assert_eq!(
            render("{{ modules.datetime.date(2024, 1, 1) }}"),
            "2024-01-01"
        );
        let today = Local::now().date_naive();
        assert_eq!(
            render("{{ modules.datetime.date.today() }}"),
            iso_date(today)
        );
        assert_eq!(
            render("{{ modules.datetime.datetime.now().year }}"),
            today.year().to_string()
        );
        assert_eq!(
            render("{{ modules.datetime.datetime.utcnow().tzinfo is none }}"),
            "True"
        );
        assert_eq!(
            render("{{ modules.datetime.datetime.now(modules.pytz.utc).tzinfo }}"),
            "UTC"
        );
        assert_eq!(
            render("{{ modules.datetime.datetime.utcfromtimestamp(0) }}"),
            "1970-01-01 00:00:00"
        );
    }

    #[test]
    fn timedelta_and_arithmetic_methods() {
        let td = "modules.datetime.timedelta(days=1, hours=2, minutes=3, seconds=4, weeks=1)";
        assert_eq!(render(&format!("{{{{ {td} }}}}")), "8 days, 2:03:04");
        assert_eq!(
            render(&format!("{{{{ {td}.total_seconds() }}}}")),
            "698584.0"
        );
        assert_eq!(
            render("{{ modules.datetime.timedelta(hours=1.5) }}"),
            "1:30:00"
        );
        assert_eq!(
            render("{{ modules.datetime.timedelta(seconds=-1) }}"),
            "-1 day, 23:59:59"
        );
        assert_eq!(
            render(&format!(
                "{DT}{{{{ dt.add(modules.datetime.timedelta(days=1)) }}}}"
            )),
            "2024-02-01 12:00:00"
        );
        assert_eq!(
            render(&format!(
                "{DT}{{{{ dt.sub(modules.datetime.timedelta(hours=13)) }}}}"
            )),
            "2024-01-30 23:00:00"
        );
        assert_eq!(
            render(&format!(
                "{DT}{{{{ dt.sub(modules.datetime.datetime(2024, 1, 1)).days }}}}"
            )),
            "30"
        );
        assert_eq!(
            render(
                "{{ modules.datetime.date(2024, 3, 1).sub(modules.datetime.timedelta(days=1)) }}"
            ),
            "2024-02-29"
        );
        assert_eq!(
            render(
                "{{ modules.datetime.date(2024, 3, 1).sub(modules.datetime.date(2024, 1, 1)) }}"
            ),
            "60 days, 0:00:00"
        );
        // Stock minijinja has no operator overloading for objects: without the `prepare`
        // rewrite (see `operators`) `-` is an error and `.sub()` is the way.
        let e = render_err(&format!(
            "{DT}{{{{ dt - modules.datetime.timedelta(days=1) }}}}"
        ));
        assert!(e.contains("unsupported types"), "{e}");
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

    #[test]
    fn re_match_search_fullmatch() {
        let m = "{% set m = modules.re.match('(\\\\w+)-(?P<num>\\\\d+)', 'abc-123 rest') %}";
        assert_eq!(
            render(&format!(
                "{m}{{{{ m.group(0) }}}}|{{{{ m.group(1) }}}}|{{{{ m.group('num') }}}}|{{{{ m.groups() }}}}|{{{{ m.start(2) }}}}|{{{{ m.end() }}}}"
            )),
            "abc-123|abc|123|['abc', '123']|4|7"
        );
        assert_eq!(
            render(&format!(
                "{m}{{{{ m.group(1, 2) }}}}|{{{{ m.groupdict() }}}}|{{{{ m[1] }}}}"
            )),
            "['abc', '123']|{'num': '123'}|abc"
        );
        assert_eq!(
            render("{% if modules.re.match('b', 'abc') %}yes{% else %}no{% endif %}"),
            "no"
        );
        assert_eq!(
            render("{% if modules.re.search('b', 'abc') %}yes{% else %}no{% endif %}"),
            "yes"
        );
        assert_eq!(
            render("{{ modules.re.fullmatch('a|ab', 'ab').group() }}"),
            "ab"
        );
        assert_eq!(
            render("{{ modules.re.fullmatch('a', 'ab') is none }}"),
            "True"
        );
        assert_eq!(
            render("{{ modules.re.search('ABC', 'xabc', modules.re.IGNORECASE).span() }}"),
            "[1, 4]"
        );
        assert_eq!(
            render("{{ modules.re.search('ABC', 'xabc', flags=modules.re.I).start() }}"),
            "1"
        );
        assert_eq!(
            render("{{ modules.re.search('é(x)', 'aéx').start(1) }}"),
            "2"
        );
        assert_eq!(
            render("{{ modules.re.search('(a)|(b)', 'b').groups('-') }}"),
            "['-', 'b']"
        );
    }

    #[test]
    fn re_sub_findall_split_compile() {
        assert_eq!(
            render("{{ modules.re.sub('(\\\\w+)@(\\\\w+)', '\\\\2 at \\\\1', 'me@host') }}"),
            "host at me"
        );
        assert_eq!(
            render("{{ modules.re.sub('(?P<w>o)', '[\\\\g<w>\\\\g<0>]', 'foo', count=1) }}"),
            "f[oo]o"
        );
        assert_eq!(
            render("{{ modules.re.sub('[^a-z0-9_]', '_', 'My Table-1'.lower()) }}"),
            "my_table_1"
        );
        assert_eq!(
            render("{{ modules.re.subn('o', '0', 'foo') }}"),
            "['f00', 2]"
        );
        assert_eq!(
            render("{{ modules.re.sub('\\\\s+$', '', 'trail  ') }}|"),
            "trail|"
        );
        assert_eq!(
            render("{{ modules.re.findall('\\\\d+', 'a1b22c333') }}"),
            "['1', '22', '333']"
        );
        assert_eq!(
            render("{{ modules.re.findall('(\\\\w)=(\\\\d)', 'a=1,b=2') }}"),
            "[['a', '1'], ['b', '2']]"
        );
        assert_eq!(
            render("{{ modules.re.split('[,;]', 'a,b;c') }}"),
            "['a', 'b', 'c']"
        );
        assert_eq!(
            render("{{ modules.re.split('(,)', 'a,b', maxsplit=1) }}"),
            "['a', ',', 'b']"
        );
        let p = "{% set p = modules.re.compile('^v(\\\\d+)$', modules.re.I) %}";
        assert_eq!(
            render(&format!(
                "{p}{{{{ p.match('V12').group(1) }}}}|{{{{ p.search('x') is none }}}}|{{{{ p.sub('n', 'v1') }}}}|{{{{ p.pattern }}}}|{{{{ p.findall('v3') }}}}|{{{{ p.split('v4') }}}}|{{{{ p.fullmatch('v5') is not none }}}}"
            )),
            "12|True|n|^v(\\d+)$|['3']|['', '4', '']|True"
        );
        assert_eq!(
            render(&format!("{p}{{{{ modules.re.match(p, 'v7').group(1) }}}}")),
            "7"
        );
        assert_eq!(render("{{ modules.re.escape('a.b*c') }}"), "a\\.b\\*c");
        assert_eq!(
            render(
                "{{ modules.re.match('a{,2}', 'aaa').group() }}|{{ modules.re.match('x{', 'x{').group() }}"
            ),
            "aa|x{"
        );
        assert_eq!(
            render(
                "{{ modules.re.search('[[]', 'a[').start() }}|{{ modules.re.search('x\\\\Z', 'ax').start() }}"
            ),
            "1|1"
        );
        assert!(render_err("{{ modules.re.match('(?<=a)b', 'ab') }}").contains("no look-around"));
        assert!(render_err("{{ modules.re.sub('a', '\\\\q', 'a') }}").contains("bad escape"));
    }

    #[test]
    fn re_sub_with_callable_repl() {
        let src = "{% macro up(m) %}{{ m.group(0) | upper }}{% endmacro %}{{ modules.re.sub('b+', up, 'abbc') }}";
        assert_eq!(render(src), "aBBc");
    }

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
