//! Seed cells, one at a time -> the column type dbt-core's agate type tester settles on.
//!
//! dbt tries integer, number, date, datetime, ISO datetime, boolean and text in that order
//! and keeps the first type every cell of the column passes. Its integer type only passes
//! Python ints, never CSV text, so a column with at least one row is never "integer" by
//! that route; a number column becomes `integer` or `float8` by its most decimal places.
//! Every tester strips whitespace (Python's `str.isspace`, which adds U+001C..U+001F to
//! Unicode's White_Space) and takes "" and "null" in any case as null.

use super::SeedType;
use super::datetime::{is_date, is_datetime, is_iso_datetime};

const NUMBER: u8 = 1;
const DATE: u8 = 2;
const DATETIME: u8 = 4;
const ISO_DATETIME: u8 = 8;
const BOOLEAN: u8 = 16;
const ALL: u8 = NUMBER | DATE | DATETIME | ISO_DATETIME | BOOLEAN;

/// agate's default currency symbols, stripped from both ends of a number in this order.
const CURRENCY: [char; 19] = [
    '؋', '$', 'ƒ', '៛', '¥', '₡', '₱', '£', '€', '¢', '﷼', '₪', '₩', '₭', '₮', '₦', '฿', '₤', '₫',
];

/// Python's decimal context precision: numbers are rounded to it before their decimal
/// places are counted.
const PRECISION: i64 = 28;

/// Python's `str.isspace`.
pub(crate) fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn py_strip(s: &str) -> &str {
    s.trim_matches(py_isspace)
}

/// A tester for one candidate type.
type Check = fn(&str) -> bool;

/// The types a column may still be, and what its numbers look like so far.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    candidates: u8,
    rows: usize,
    /// agate's `max_precision`: most digits before and after the point, over all numbers.
    max_whole: i64,
    max_decimals: i64,
}

impl Default for Column {
    fn default() -> Column {
        Column {
            candidates: ALL,
            rows: 0,
            max_whole: 1,
            max_decimals: 0,
        }
    }
}

impl Column {
    /// Narrows the candidates with one cell.
    pub fn observe(&mut self, cell: &str) {
        self.rows += 1;
        if self.candidates == 0 {
            return;
        }
        let t = py_strip(cell);
        if t.is_empty() || t.eq_ignore_ascii_case("null") {
            return;
        }
        if self.candidates & NUMBER != 0 {
            match number(t) {
                Some(Number::Finite { whole, decimals }) => {
                    self.max_whole = self.max_whole.max(whole);
                    self.max_decimals = self.max_decimals.max(decimals);
                }
                Some(Number::NotFinite) => {}
                None => self.candidates &= !NUMBER,
            }
        }
        let checks: [(u8, Check); 4] = [
            (DATE, is_date),
            (DATETIME, is_datetime),
            (ISO_DATETIME, is_iso_datetime),
            (BOOLEAN, is_boolean),
        ];
        for (bit, check) in checks {
            if self.candidates & bit != 0 && !check(t) {
                self.candidates &= !bit;
            }
        }
    }

    /// The type dbt settles on after every cell was observed.
    pub fn finish(&self) -> SeedType {
        let c = self.candidates;
        if self.rows == 0 || c & NUMBER != 0 {
            return if self.rows > 0 && self.has_decimals() {
                SeedType::Float
            } else {
                SeedType::Integer
            };
        }
        if c & DATE != 0 {
            SeedType::Date
        } else if c & (DATETIME | ISO_DATETIME) != 0 {
            SeedType::Timestamp
        } else if c & BOOLEAN != 0 {
            SeedType::Boolean
        } else {
            SeedType::Text
        }
    }

    /// dbt-adapters' `convert_number_type`: float when `max_precision` is non-zero. agate
    /// caps the places at the decimal precision, which can leave them at 0 or below zero
    /// (still "non-zero", so float) next to a very long whole number.
    fn has_decimals(&self) -> bool {
        let mut decimals = self.max_decimals;
        if self.max_whole + decimals > PRECISION {
            decimals = PRECISION - self.max_whole;
        }
        decimals != 0
    }
}

/// agate's Boolean with dbt's spellings: commas are dropped first, then "true"/"false" in
/// any case (a cell that is only commas is null).
fn is_boolean(t: &str) -> bool {
    let check = |s: &str| {
        let s = py_strip(s);
        ["true", "false", "null", ""]
            .iter()
            .any(|w| s.eq_ignore_ascii_case(w))
    };
    if t.contains(',') {
        check(&t.replace(',', ""))
    } else {
        check(t)
    }
}

/// A number agate accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Number {
    /// Digits before and after the point once written without trailing zeros.
    Finite { whole: i64, decimals: i64 },
    /// NaN or infinity: agate skips them when counting places.
    NotFinite,
}

/// agate's Number cast of a stripped, non-null cell: `%` and a leading `-` and currency
/// symbols are peeled off, `,` (the en_US group symbol) is removed, and what is left must
/// be a Python `Decimal` literal (which also ignores `_` and surrounding whitespace).
pub(crate) fn number(t: &str) -> Option<Number> {
    let mut s = t.trim_matches('%');
    s = s.strip_prefix('-').unwrap_or(s);
    for symbol in CURRENCY {
        s = s.trim_matches(symbol);
    }
    // Decimal strips whitespace after agate removed the commas, then ignores `_`.
    let without_commas;
    if s.contains(',') {
        without_commas = s.replace(',', "");
        s = &without_commas;
    }
    s = py_strip(s);
    let without_underscores;
    if s.contains('_') {
        without_underscores = s.replace('_', "");
        s = &without_underscores;
    }
    decimal_literal(s.as_bytes())
}

/// Python's `Decimal(str)` grammar, ASCII only.
fn decimal_literal(b: &[u8]) -> Option<Number> {
    let b = match b.first() {
        Some(b'+' | b'-') => &b[1..],
        _ => b,
    };
    let lower = |s: &[u8], word: &[u8]| s.eq_ignore_ascii_case(word);
    if lower(b, b"inf") || lower(b, b"infinity") {
        return Some(Number::NotFinite);
    }
    if b.len() >= 3 && lower(&b[..3], b"nan") && b[3..].iter().all(u8::is_ascii_digit) {
        return Some(Number::NotFinite);
    }
    let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let (int, rest) = b.split_at(int_len);
    let (frac, rest) = match rest.split_first() {
        Some((b'.', after)) => {
            after.split_at(after.iter().take_while(|c| c.is_ascii_digit()).count())
        }
        _ => (&[][..], rest),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let exponent = match rest.split_first() {
        None => 0,
        Some((b'e' | b'E', digits)) => exponent(digits)?,
        Some(_) => return None,
    };
    Some(places(int, frac, exponent))
}

/// An exponent's `[sign] digits`, saturated far beyond what Python's decimal allows.
fn exponent(b: &[u8]) -> Option<i64> {
    let (negative, digits) = match b.split_first() {
        Some((b'-', d)) => (true, d),
        Some((b'+', d)) => (false, d),
        _ => (false, b),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits
        .iter()
        .fold(0i64, |n, c| (n * 10 + i64::from(c - b'0')).min(1 << 40));
    Some(if negative { -value } else { value })
}

/// agate's `max_precision` for one value: the decimal is rounded half-even to 28
/// significant digits (the `* sign` in agate's cast does that) and normalized.
fn places(int: &[u8], frac: &[u8], exponent: i64) -> Number {
    let mut kept = [0u8; PRECISION as usize + 1];
    let mut significant: i64 = 0;
    let mut sticky = false;
    for &c in int.iter().chain(frac) {
        let d = c - b'0';
        if significant == 0 && d == 0 {
            continue;
        }
        match usize::try_from(significant) {
            Ok(i) if i < kept.len() => kept[i] = d,
            _ => sticky |= d != 0,
        }
        significant += 1;
    }
    if significant == 0 {
        return Number::Finite {
            whole: 1,
            decimals: 0,
        };
    }
    // The value is int(kept digits) * 10^last.
    let frac_len = i64::try_from(frac.len()).unwrap_or(i64::MAX);
    let mut last = exponent - frac_len;
    let mut len = significant.min(PRECISION);
    if significant > PRECISION {
        last += significant - PRECISION;
        let guard = kept[PRECISION as usize];
        let odd = kept[PRECISION as usize - 1] % 2 == 1;
        if guard > 5 || (guard == 5 && (sticky || odd)) {
            let mut i = PRECISION as usize;
            loop {
                if i == 0 {
                    // 99..9 rounded up to a power of ten.
                    kept[0] = 1;
                    len = 1;
                    last += PRECISION;
                    break;
                }
                i -= 1;
                if kept[i] == 9 {
                    kept[i] = 0;
                } else {
                    kept[i] += 1;
                    break;
                }
            }
        }
    }
    while len > 1 && kept[len as usize - 1] == 0 {
        len -= 1;
        last += 1;
    }
    if beyond_f64(&kept[..len as usize], len + last) {
        return Number::NotFinite;
    }
    Number::Finite {
        whole: len + last,
        decimals: (-last).max(0),
    }
}

/// agate skips values `math.isinf` calls infinite: those a Python float cannot hold. The
/// rounding threshold 2^1024 - 2^970 has 309 whole digits and starts with these 28 (then
/// non-zero ones), so a 28-digit value reaches it only when its digits are greater.
fn beyond_f64(digits: &[u8], whole: i64) -> bool {
    const THRESHOLD: &[u8; 28] = b"1797693134862315807937289714";
    match whole.cmp(&309) {
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Equal => {
            let mut padded = [b'0'; 28];
            for (p, d) in padded.iter_mut().zip(digits) {
                *p = b'0' + d;
            }
            &padded > THRESHOLD
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(values: &[&str]) -> SeedType {
        let mut c = Column::default();
        for v in values {
            c.observe(v);
        }
        c.finish()
    }

    #[test]
    fn each_type_and_its_nulls() {
        assert_eq!(
            column(&["1", "-5", "+7", "007", "", "null"]),
            SeedType::Integer
        );
        assert_eq!(column(&["1.5", "2"]), SeedType::Float);
        assert_eq!(column(&["1.0", "2.00", "1e3"]), SeedType::Integer);
        assert_eq!(column(&["2E-2"]), SeedType::Float);
        assert_eq!(column(&["2024-01-02", "NULL"]), SeedType::Date);
        assert_eq!(column(&["2024-01-02 03:04:05"]), SeedType::Timestamp);
        assert_eq!(column(&["2024-01-02T03:04:05Z"]), SeedType::Timestamp);
        assert_eq!(column(&["true", "FALSE", " True "]), SeedType::Boolean);
        assert_eq!(column(&["yes", "no"]), SeedType::Text);
        assert_eq!(column(&["1", "0"]), SeedType::Integer);
        assert_eq!(column(&["1", "abc"]), SeedType::Text);
        // A date and a datetime in one column fit neither strptime format, and isodate
        // wants a `T`.
        assert_eq!(
            column(&["2024-01-02", "2024-01-02 03:04:05"]),
            SeedType::Text
        );
        assert_eq!(column(&["", " ", "null"]), SeedType::Integer);
        assert_eq!(column(&[]), SeedType::Integer);
        assert_eq!(column(&["none"]), SeedType::Text);
    }

    #[test]
    fn numbers_as_agate_reads_them() {
        let finite = |w, d| {
            Some(Number::Finite {
                whole: w,
                decimals: d,
            })
        };
        assert_eq!(number("1,000"), finite(4, 0));
        assert_eq!(number("$5"), finite(1, 0));
        assert_eq!(number("-$5.50"), finite(1, 1));
        assert_eq!(number("5%"), finite(1, 0));
        assert_eq!(number("1_000"), finite(4, 0));
        assert_eq!(number(".5"), finite(0, 1));
        assert_eq!(number("0.000"), finite(1, 0));
        assert_eq!(number("NaN"), Some(Number::NotFinite));
        assert_eq!(number("-Infinity"), Some(Number::NotFinite));
        for bad in ["sNaN", "0x10", "1e", ".", "1 2", "abc", "1.2.3", "-"] {
            assert_eq!(number(bad), None, "{bad}");
        }
        // 29 significant digits round to 28, and the last decimal disappears.
        assert_eq!(number("1234567890123456789012345678.5"), finite(28, 0));
        assert_eq!(number("9999999999999999999999999999.9"), finite(29, 0));
        // Past what a float holds, agate's `math.isinf` skips the value.
        assert_eq!(number("1.797693134862315807937289714e308"), finite(309, 0));
        assert_eq!(
            number("1.797693134862315807937289715e308"),
            Some(Number::NotFinite)
        );
        assert_eq!(number("1e999999"), Some(Number::NotFinite));
    }

    #[test]
    fn precision_is_capped_like_agate() {
        // 28 whole digits next to a decimal: agate's cap leaves 0 places, so integer.
        assert_eq!(
            column(&["1234567890123456789012345678", "0.5"]),
            SeedType::Integer
        );
        // 29 whole digits: the cap goes below zero, which Python still reads as true.
        assert_eq!(
            column(&["12345678901234567890123456789", "0.5"]),
            SeedType::Float
        );
    }
}
