//! `__xf_add`/`__xf_sub`/`__xf_mul`: the `+`/`-`/`*` operators with Python's datetime
//! semantics, for the calls `operators::rewrite_operators` puts in place of date arithmetic.
//!
//! With a datetime, date or timedelta on either side they do what Python does (`date +
//! timedelta`, `datetime - datetime` -> timedelta, `timedelta * 2`...); anything else goes to
//! minijinja's own operator, so rewritten ordinary math behaves exactly like the original.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use minijinja::value::Value;
use minijinja::{Environment, Error, ErrorKind, Expression};

use super::args::{err, int_of, number_of};
use super::datetime::{Date, DateTime, in_range};
use super::timedelta::TimeDelta;

const DAY_US: i64 = 86_400_000_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
        }
    }
}

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_function("__xf_add", |a: Value, b: Value| binop(Op::Add, &a, &b));
    env.add_function("__xf_sub", |a: Value, b: Value| binop(Op::Sub, &a, &b));
    env.add_function("__xf_mul", |a: Value, b: Value| binop(Op::Mul, &a, &b));
}

/// A datetime value as one of the three kinds.
enum Py {
    DateTime(DateTime),
    Date(chrono::NaiveDate),
    Delta(i64),
}

fn py(v: &Value) -> Option<Py> {
    if let Some(dt) = v.downcast_object_ref::<DateTime>() {
        return Some(Py::DateTime(*dt));
    }
    if let Some(d) = v.downcast_object_ref::<Date>() {
        return Some(Py::Date(d.0));
    }
    v.downcast_object_ref::<TimeDelta>()
        .map(|td| Py::Delta(td.us))
}

fn binop(op: Op, a: &Value, b: &Value) -> Result<Value, Error> {
    let (pa, pb) = (py(a), py(b));
    if pa.is_none() && pb.is_none() {
        return stock(op, a, b);
    }
    if op == Op::Mul
        && let Some(result) = scale(a, b)
    {
        return result;
    }
    date_op(op, pa, pb).unwrap_or_else(|| Err(unsupported(op, a, b)))
}

/// Python's result, `None` for a combination Python rejects.
fn date_op(op: Op, a: Option<Py>, b: Option<Py>) -> Option<Result<Value, Error>> {
    use Py::{Date as D, DateTime as Dt, Delta as Td};
    Some(match (op, a?, b?) {
        (Op::Add, Dt(dt), Td(us)) | (Op::Add, Td(us), Dt(dt)) => shift_datetime(dt, us, 1),
        (Op::Sub, Dt(dt), Td(us)) => shift_datetime(dt, us, -1),
        (Op::Add, D(d), Td(us)) | (Op::Add, Td(us), D(d)) => shift_date(d, us.div_euclid(DAY_US)),
        (Op::Sub, D(d), Td(us)) => shift_date(d, -us.div_euclid(DAY_US)),
        (Op::Sub, Dt(x), Dt(y)) => datetime_diff(x, y),
        (Op::Sub, D(x), D(y)) => delta(i128::from((x - y).num_days()) * i128::from(DAY_US)),
        (Op::Add, Td(x), Td(y)) => delta(i128::from(x) + i128::from(y)),
        (Op::Sub, Td(x), Td(y)) => delta(i128::from(x) - i128::from(y)),
        _ => return None,
    })
}

fn delta(us: i128) -> Result<Value, Error> {
    TimeDelta::new(us).map(TimeDelta::into_value)
}

/// `dt + sign * us` microseconds, keeping the timezone.
pub(super) fn shift_datetime(dt: DateTime, us: i64, sign: i64) -> Result<Value, Error> {
    let d = chrono::TimeDelta::microseconds(us);
    let shifted = if sign < 0 {
        dt.dt.checked_sub_signed(d)
    } else {
        dt.dt.checked_add_signed(d)
    }
    .ok_or_else(|| err("date value out of range"))?;
    Ok(DateTime {
        dt: in_range(shifted)?,
        tz: dt.tz,
    }
    .into_value())
}

/// `d` moved by whole `days`.
pub(super) fn shift_date(d: chrono::NaiveDate, days: i64) -> Result<Value, Error> {
    let shifted = chrono::TimeDelta::try_days(days)
        .and_then(|delta| d.checked_add_signed(delta))
        .ok_or_else(|| err("date value out of range"))?;
    Ok(Date(in_range(shifted.and_time(chrono::NaiveTime::MIN))?.date()).into_value())
}

/// `x - y` for two datetimes, both naive or both aware.
pub(super) fn datetime_diff(x: DateTime, y: DateTime) -> Result<Value, Error> {
    if x.tz.is_some() != y.tz.is_some() {
        return Err(err(
            "can't subtract offset-naive and offset-aware datetimes",
        ));
    }
    let diff = x.utc_key() - y.utc_key();
    delta(diff.num_microseconds().map_or(i128::MAX, i128::from))
}

/// `timedelta * n` (either order); `None` when neither side is a timedelta and a number.
fn scale(a: &Value, b: &Value) -> Option<Result<Value, Error>> {
    let (td, n) = match (py(a), py(b)) {
        (Some(Py::Delta(us)), None) => (us, b),
        (None, Some(Py::Delta(us))) => (us, a),
        _ => return None,
    };
    if !n.is_number() {
        return None;
    }
    Some(if n.is_integer() {
        int_of(n, "timedelta * n").and_then(|n| delta(i128::from(td) * i128::from(n)))
    } else {
        number_of(n, "timedelta * n").and_then(|f| delta((td as f64 * f).round_ties_even() as i128))
    })
}

fn unsupported(op: Op, a: &Value, b: &Value) -> Error {
    let name = |v: &Value| match py(v) {
        Some(Py::DateTime(_)) => "datetime.datetime".to_string(),
        Some(Py::Date(_)) => "datetime.date".to_string(),
        Some(Py::Delta(_)) => "datetime.timedelta".to_string(),
        None => v.kind().to_string(),
    };
    Error::new(
        ErrorKind::InvalidOperation,
        format!(
            "unsupported operand type(s) for {}: '{}' and '{}'",
            op.symbol(),
            name(a),
            name(b)
        ),
    )
}

/// minijinja's own `a <op> b`, evaluated by a compiled expression.
fn stock(op: Op, a: &Value, b: &Value) -> Result<Value, Error> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    static EXPRS: OnceLock<Vec<Expression<'static, 'static>>> = OnceLock::new();
    let exprs = EXPRS.get_or_init(|| {
        let env = ENV.get_or_init(Environment::new);
        ["a + b", "a - b", "a * b"]
            .into_iter()
            .map(|src| env.compile_expression(src).expect("static expression"))
            .collect()
    });
    let vars = BTreeMap::from([("a", a.clone()), ("b", b.clone())]);
    exprs[op as usize].eval(vars)
}
