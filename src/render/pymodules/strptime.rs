//! Text -> naive datetime and optional UTC offset: Python's `strptime` and `fromisoformat`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use minijinja::Error;

use super::args::err;
use super::datetime::{make_date, make_time};
use super::strftime::{MONTHS, WEEKDAYS};

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
pub(super) fn strptime(s: &str, fmt: &str) -> Result<(NaiveDateTime, Option<i32>), Error> {
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
pub(super) fn parse_iso_date(s: &str) -> Option<(NaiveDate, &str)> {
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
pub(super) fn parse_iso_datetime(s: &str) -> Option<(NaiveDateTime, Option<i32>)> {
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
