//! `modules.datetime` and its `datetime`/`date` classes: constructor and class-method calls -> datetime and date values.

use std::fmt;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, NaiveTime, Utc};
use minijinja::value::{Object, ObjectRepr, Value};
use minijinja::{Error, State};

use super::args::{bind, err, given, int_of, number_of, opt_int, required, str_of, unknown_method};
use super::datetime::{
    Date, DateTime, as_date, local_from_utc, make_date, make_time, now, truncate_to_micros,
    utc_from_timestamp,
};
use super::pytz::tz_arg;
use super::strptime::{parse_iso_date, parse_iso_datetime, strptime};
use super::timedelta::TimedeltaClass;

#[derive(Debug)]
pub(super) struct DatetimeModule;

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

#[cfg(test)]
mod tests {
    use super::super::test_env::{DT, render, render_err};
    use chrono::{Datelike, Local};

    use super::super::datetime::iso_date;

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
}
