//! `modules.datetime.timedelta(...)` and timedelta values: units -> microseconds, and back to days/seconds/text.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use minijinja::value::{DynObject, Object, ObjectRepr, Value};
use minijinja::{Error, State};

use super::args::{bind, err, given, int_of, number_of, required, unknown_method};

/// A `datetime.timedelta`, in microseconds.
#[derive(Debug, Clone, Copy)]
pub(super) struct TimeDelta {
    pub(super) us: i64,
}

const MAX_TIMEDELTA_US: i128 = 999_999_999 * 86_400_000_000 + 86_399_999_999;

/// `modules.datetime.timedelta`.
#[derive(Debug)]
pub(super) struct TimedeltaClass;

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

impl TimeDelta {
    pub(super) fn new(us: i128) -> Result<TimeDelta, Error> {
        if us.abs() > MAX_TIMEDELTA_US {
            return Err(err("timedelta out of range"));
        }
        Ok(TimeDelta { us: us as i64 })
    }

    pub(super) fn into_value(self) -> Value {
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

#[cfg(test)]
mod tests {
    use super::super::test_env::{DT, render, render_err};

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
}
