//! Python `strftime` format codes + a date, time and offset -> text.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};

use super::datetime::{DateTime, micros};
use super::pytz::{format_offset, tz_name};

pub(super) const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub(super) const MONTHS: [&str; 12] = [
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
pub(super) fn strftime(fmt: &str, d: NaiveDate, t: NaiveTime, tz: Option<i32>) -> String {
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

#[cfg(test)]
mod tests {
    use super::super::test_env::{DT, render};

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
}
