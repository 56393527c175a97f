//! Template call arguments (positional and keyword `Value`s) -> bound Python parameters, ints, strings, numbers, errors.

use minijinja::value::{Kwargs, Value};
use minijinja::{Error, ErrorKind};

pub(super) fn err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

/// Binds positional and keyword arguments to `names` the way Python does.
pub(super) fn bind<const N: usize>(
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
pub(super) fn given(v: &Option<Value>) -> Option<&Value> {
    v.as_ref().filter(|v| !v.is_none() && !v.is_undefined())
}

pub(super) fn int_of(v: &Value, what: &str) -> Result<i64, Error> {
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

pub(super) fn opt_int(v: &Option<Value>, what: &str, default: i64) -> Result<i64, Error> {
    given(v).map_or(Ok(default), |v| int_of(v, what))
}

pub(super) fn required<'a>(
    v: &'a Option<Value>,
    func: &str,
    name: &str,
) -> Result<&'a Value, Error> {
    given(v).ok_or_else(|| {
        Error::new(
            ErrorKind::MissingArgument,
            format!("{func}() missing required argument '{name}'"),
        )
    })
}

pub(super) fn str_of<'a>(v: &'a Value, what: &str) -> Result<&'a str, Error> {
    v.as_str()
        .ok_or_else(|| err(format!("{what}: a string is required (got {})", v.kind())))
}

pub(super) fn number_of(v: &Value, what: &str) -> Result<f64, Error> {
    if v.is_number() {
        f64::try_from(v.clone()).map_err(|_| err(format!("{what}: not a number")))
    } else {
        Err(err(format!(
            "{what}: a number is required (got {})",
            v.kind()
        )))
    }
}

pub(super) fn unknown_method(kind: &str, name: &str) -> Error {
    Error::new(
        ErrorKind::UnknownMethod,
        format!("{kind} has no method named {name}"),
    )
}
