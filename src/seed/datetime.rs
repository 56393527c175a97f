//! One seed cell (already stripped) -> whether dbt's date, datetime or ISO-datetime type
//! tester accepts it.
//!
//! dbt's date and datetime testers are Python's `strptime` with `%Y-%m-%d` and
//! `%Y-%m-%d %H:%M:%S`: `%m`, `%d`, `%H`, `%M` and `%S` take one or two digits, `%d` also
//! " 5", a space in the format matches any run of whitespace, and the values must make a
//! real date (seconds 60 and 61 pass the pattern but not `datetime`). The ISO tester is
//! the `isodate` package's `parse_datetime`: exactly one `T`, any ISO 8601 date shape
//! (calendar, ordinal, week, reduced) before it, an ISO time (with `,` or `.` fractions on
//! its last part and an optional `Z`/`±hh[[:]mm]` zone) after it.

use chrono::{Datelike, Duration, NaiveDate};

use super::infer::py_isspace;

/// `datetime.strptime(s, "%Y-%m-%d")` succeeds.
pub(crate) fn is_date(s: &str) -> bool {
    let mut p = Cursor::new(s);
    let Some((y, m, d)) = p.ymd() else {
        return false;
    };
    p.done() && valid_ymd(y, m, d)
}

/// `datetime.strptime(s, "%Y-%m-%d %H:%M:%S")` succeeds.
pub(crate) fn is_datetime(s: &str) -> bool {
    let mut p = Cursor::new(s);
    let Some((y, m, d)) = p.ymd() else {
        return false;
    };
    if !p.whitespace() {
        return false;
    }
    let Some(hour) = p.alternatives(&[TwoDigits(b'2', b'0', b'3'), Below2Digit, OneDigit]) else {
        return false;
    };
    let Some(minute) = p
        .literal(b':')
        .then(|| p.alternatives(&[Below6Digit, OneDigit]))
        .flatten()
    else {
        return false;
    };
    let Some(second) = p
        .literal(b':')
        .then(|| p.alternatives(&[TwoDigits(b'6', b'0', b'1'), Below6Digit, OneDigit]))
        .flatten()
    else {
        return false;
    };
    p.done() && valid_ymd(y, m, d) && hour < 24 && minute < 60 && second < 60
}

/// `isodate.parse_datetime(s)` succeeds.
pub(crate) fn is_iso_datetime(s: &str) -> bool {
    let mut parts = s.split('T');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(date), Some(time), None) => iso_date(date.as_bytes()) && iso_time(time.as_bytes()),
        _ => false,
    }
}

/// One alternative of a strptime field, tried in the order Python's regex lists them.
#[derive(Clone, Copy)]
enum Alt {
    /// A first digit, then a second digit in a range: `2[0-3]`, `6[0-1]`, `3[0-1]`.
    TwoDigits(u8, u8, u8),
    /// `[0-1]\d`
    Below2Digit,
    /// `[1-2]\d`
    From1To2Digit,
    /// `[0-5]\d`
    Below6Digit,
    /// `0[1-9]`
    ZeroNonZero,
    /// `[1-9]`
    NonZero,
    /// `\d`
    OneDigit,
    /// ` [1-9]`
    SpaceNonZero,
}
use Alt::*;

struct Cursor<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Cursor<'a> {
        Cursor {
            s,
            b: s.as_bytes(),
            pos: 0,
        }
    }

    fn digit(&self, at: usize) -> Option<u32> {
        self.b
            .get(self.pos + at)
            .filter(|c| c.is_ascii_digit())
            .map(|c| u32::from(c - b'0'))
    }

    fn literal(&mut self, c: u8) -> bool {
        let hit = self.b.get(self.pos) == Some(&c);
        self.pos += usize::from(hit);
        hit
    }

    /// The first alternative that matches here, as a number. Python's regex would also
    /// backtrack into a field, but every field below is followed by a separator no
    /// alternative can end with, so the first match is the only one that can succeed.
    fn alternatives(&mut self, alts: &[Alt]) -> Option<u32> {
        let in_range = |c: Option<u32>, lo: u8, hi: u8| {
            c.filter(|&d| d >= u32::from(lo - b'0') && d <= u32::from(hi - b'0'))
        };
        for alt in alts {
            let (d0, d1) = (self.digit(0), self.digit(1));
            let hit = match *alt {
                TwoDigits(first, lo, hi) => (d0 == Some(u32::from(first - b'0')))
                    .then(|| in_range(d1, lo, hi))
                    .flatten()
                    .map(|d| (d0.unwrap_or(0) * 10 + d, 2)),
                Below2Digit => in_range(d0, b'0', b'1')
                    .zip(d1)
                    .map(|(a, b)| (a * 10 + b, 2)),
                From1To2Digit => in_range(d0, b'1', b'2')
                    .zip(d1)
                    .map(|(a, b)| (a * 10 + b, 2)),
                Below6Digit => in_range(d0, b'0', b'5')
                    .zip(d1)
                    .map(|(a, b)| (a * 10 + b, 2)),
                ZeroNonZero => (d0 == Some(0))
                    .then(|| in_range(d1, b'1', b'9'))
                    .flatten()
                    .map(|d| (d, 2)),
                NonZero => in_range(d0, b'1', b'9').map(|d| (d, 1)),
                OneDigit => d0.map(|d| (d, 1)),
                SpaceNonZero => (self.b.get(self.pos) == Some(&b' '))
                    .then(|| in_range(d1, b'1', b'9'))
                    .flatten()
                    .map(|d| (d, 2)),
            };
            if let Some((value, len)) = hit {
                self.pos += len;
                return Some(value);
            }
        }
        None
    }

    /// `%Y-%m-%d`
    fn ymd(&mut self) -> Option<(i32, u32, u32)> {
        let mut year = 0;
        for i in 0..4 {
            year = year * 10 + self.digit(i)?;
        }
        self.pos += 4;
        if !self.literal(b'-') {
            return None;
        }
        let month = self.alternatives(&[TwoDigits(b'1', b'0', b'2'), ZeroNonZero, NonZero])?;
        if !self.literal(b'-') {
            return None;
        }
        let day = self.alternatives(&[
            TwoDigits(b'3', b'0', b'1'),
            From1To2Digit,
            ZeroNonZero,
            NonZero,
            SpaceNonZero,
        ])?;
        Some((i32::try_from(year).ok()?, month, day))
    }

    /// A format space: one or more whitespace characters.
    fn whitespace(&mut self) -> bool {
        // Everything before `pos` is ASCII, so `pos` is a char boundary.
        let skipped: usize = self
            .s
            .get(self.pos..)
            .unwrap_or("")
            .chars()
            .take_while(|&c| py_isspace(c))
            .map(char::len_utf8)
            .sum();
        self.pos += skipped;
        skipped > 0
    }

    fn done(&self) -> bool {
        self.pos == self.b.len()
    }
}

/// Python's `date(y, m, d)` accepts it (years 1 to 9999).
fn valid_ymd(y: i32, m: u32, d: u32) -> bool {
    (1..=9999).contains(&y) && NaiveDate::from_ymd_opt(y, m, d).is_some()
}

fn in_python_range(d: NaiveDate) -> bool {
    (1..=9999).contains(&d.year())
}

fn number(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    b.iter().try_fold(0u32, |n, c| {
        n.checked_mul(10)?.checked_add(u32::from(c - b'0'))
    })
}

/// `isodate.parse_date` with four-digit years and no sign.
fn iso_date(b: &[u8]) -> bool {
    // The patterns differ only in where the '-' and 'W' go, so the shape picks one.
    let mut shape = [0u8; 10];
    if b.len() > shape.len() {
        return false;
    }
    for (s, c) in shape.iter_mut().zip(b) {
        *s = if c.is_ascii_digit() { b'9' } else { *c };
    }
    let n = |range: std::ops::Range<usize>| number(&b[range]);
    let year = || n(0..4).and_then(|y| i32::try_from(y).ok());
    let calendar = |m: Option<u32>, d: Option<u32>| {
        let (Some(y), Some(m), Some(d)) = (year(), m, d) else {
            return false;
        };
        // isodate reads month "00" as January (`int(month) or 1`).
        valid_ymd(y, if m == 0 { 1 } else { m }, d)
    };
    match &shape[..b.len()] {
        b"9999-99-99" => calendar(n(5..7), n(8..10)),
        b"99999999" => calendar(n(4..6), n(6..8)),
        b"9999-W99-9" => week(year(), n(6..8), n(9..10)),
        b"9999W999" => week(year(), n(5..7), n(7..8)),
        b"9999-999" => ordinal(year(), n(5..8)),
        b"9999999" => ordinal(year(), n(4..7)),
        b"9999-W99" => week(year(), n(6..8), Some(1)),
        b"9999W99" => week(year(), n(5..7), Some(1)),
        b"9999-99" => calendar(n(5..7), Some(1)),
        b"999999" => calendar(n(4..6), Some(1)),
        b"9999" => year().is_some_and(|y| valid_ymd(y, 1, 1)),
        // A century: its first year.
        b"99" => true,
        _ => false,
    }
}

/// isodate's week date: 1 January plus whole weeks, back to that week's Monday, plus the day.
fn week(year: Option<i32>, week: Option<u32>, day: Option<u32>) -> bool {
    let (Some(y), Some(w), Some(d)) = (year, week, day) else {
        return false;
    };
    if !valid_ymd(y, 1, 1) {
        return false;
    }
    let Some(jan1) = NaiveDate::from_ymd_opt(y, 1, 1) else {
        return false;
    };
    let first_week = u32::from(jan1.iso_week().week() == 1);
    let weeks = i64::from(w) - i64::from(first_week);
    let days = i64::from(d) - i64::from(jan1.weekday().number_from_monday());
    jan1.checked_add_signed(Duration::weeks(weeks) + Duration::days(days))
        .is_some_and(in_python_range)
}

/// isodate's ordinal date: 1 January plus `day - 1` days (day 0 is the eve).
fn ordinal(year: Option<i32>, day: Option<u32>) -> bool {
    let (Some(y), Some(d)) = (year, day) else {
        return false;
    };
    valid_ymd(y, 1, 1)
        && NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|jan1| jan1.checked_add_signed(Duration::days(i64::from(d) - 1)))
            .is_some_and(in_python_range)
}

/// `isodate.parse_time`: `hh:mm:ss`, `hhmmss`, `hh:mm`, `hhmm` or `hh`, the last part
/// with an optional fraction, then an optional zone.
fn iso_time(b: &[u8]) -> bool {
    let two = |at: usize| b.get(at..at + 2).and_then(number);
    let colon = |at: usize| b.get(at) == Some(&b':');
    // (parts, length, extended): the patterns in isodate's order.
    for (parts, len, extended) in [
        (3, 8, true),
        (3, 6, false),
        (2, 5, true),
        (2, 4, false),
        (1, 2, false),
    ] {
        let step = if extended { 3 } else { 2 };
        if extended && (1..parts).any(|i| !colon(i * step - 1)) {
            continue;
        }
        let mut values = [0u32; 3];
        if (0..parts).any(|i| match two(i * step) {
            Some(v) => {
                values[i] = v;
                false
            }
            None => true,
        }) {
            continue;
        }
        let mut end = len;
        if matches!(b.get(end), Some(b',' | b'.')) && b.get(end + 1).is_some_and(u8::is_ascii_digit)
        {
            end += 1;
            while b.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
        }
        if !iso_zone(b.get(end..).unwrap_or_default()) {
            continue;
        }
        // Only the whole part of the last field is checked: a fraction never carries.
        return values[..parts]
            .iter()
            .zip([24, 60, 60])
            .all(|(&v, limit)| v < limit);
    }
    false
}

/// `Z`, `±hh`, `±hhmm`, `±hh:mm` or nothing.
fn iso_zone(b: &[u8]) -> bool {
    let digits = |s: &[u8]| s.len() == 2 && s.iter().all(u8::is_ascii_digit);
    match b {
        [] | [b'Z'] => true,
        [b'+' | b'-', rest @ ..] => match rest.len() {
            2 => digits(rest),
            4 => digits(&rest[..2]) && digits(&rest[2..]),
            5 => digits(&rest[..2]) && rest[2] == b':' && digits(&rest[3..]),
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strptime_dates_take_one_or_two_digit_fields() {
        for ok in [
            "2024-01-02",
            "2024-1-2",
            "2024-01- 2",
            "2024-02-29",
            "0001-01-01",
        ] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "2023-02-29",
            "0000-01-01",
            "2024-13-01",
            "2024-01-32",
            "24-01-02",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
        assert!(!is_date("2024-01-02 "), "trailing text is unconverted data");
    }

    #[test]
    fn strptime_datetimes_need_a_space_and_real_seconds() {
        for ok in [
            "2024-01-02 03:04:05",
            "2024-1-2 3:4:5",
            "2024-01-02\t 03:04:59",
        ] {
            assert!(is_datetime(ok), "{ok}");
        }
        for bad in [
            "2024-01-02T03:04:05",
            "2024-01-02 03:04:60",
            "2024-01-02 24:00:00",
            "2024-01-02 03:04",
            "2024-01-02 03:04:05.1",
        ] {
            assert!(!is_datetime(bad), "{bad}");
        }
    }

    #[test]
    fn iso_datetimes_follow_isodate() {
        for ok in [
            "2024-01-02T03:04:05",
            "2024-01-02T03:04:05.123456Z",
            "2024-01-02T03:04:05,5+02:00",
            "2024-01-02T03:04-0530",
            "20240102T0304",
            "2024-W01-1T10",
            "2024-366T10",
            "2024-00-05T10:00",
            "20T10",
            "2024-01-02T10:30.5+99:99",
        ] {
            assert!(is_iso_datetime(ok), "{ok}");
        }
        for bad in [
            "2024-01-02 03:04:05",
            "2024-01-02t03:04:05",
            "2024-01-02T24:00",
            "2024-01-02T03:04:60",
            "2024-01-00T10",
            "0000-01-01T10",
            "0001-000T10",
            "2024-01-02T03:04:05+2",
            "2024-01-02TT03",
        ] {
            assert!(!is_iso_datetime(bad), "{bad}");
        }
    }
}
