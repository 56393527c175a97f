//! CSV text (a unit test's `format: csv` rows or fixture file) -> rows keyed by header, with
//! Python `csv.DictReader` semantics: blank lines skipped, short rows padded with nulls.

use indexmap::IndexMap;
use serde_json::Value as Json;

/// Splits CSV text into records of fields; quoted fields may hold commas, quotes (doubled)
/// and line breaks.
fn records(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    // Whether the current line has produced anything, so blank lines yield no record.
    let mut started = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                other => field.push(other),
            }
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                started = true;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                started = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                if started || !field.is_empty() {
                    record.push(std::mem::take(&mut field));
                    out.push(std::mem::take(&mut record));
                }
                started = false;
            }
            other => {
                field.push(other);
                started = true;
            }
        }
    }
    if started || !field.is_empty() {
        record.push(field);
        out.push(record);
    }
    out
}

/// Rows as maps from header to value. Empty values become null, as dbt reads unit test
/// CSV (an empty cell means "no value", not an empty string).
pub fn rows(text: &str) -> Vec<IndexMap<String, Json>> {
    let mut recs = records(text).into_iter();
    let Some(header) = recs.next() else {
        return Vec::new();
    };
    recs.map(|rec| {
        header
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let value = match rec.get(i) {
                    Some(v) if !v.is_empty() => Json::String(v.clone()),
                    _ => Json::Null,
                };
                (name.clone(), value)
            })
            .collect()
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_blank_lines_and_short_rows() {
        let got = rows("id,name,note\n\n1,\"a, b\",\"say \"\"hi\"\"\"\r\n2,,\n3\n");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0]["name"], Json::from("a, b"));
        assert_eq!(got[0]["note"], Json::from("say \"hi\""));
        assert_eq!(got[1]["id"], Json::from("2"));
        assert_eq!(got[1]["name"], Json::Null, "an empty cell is null");
        assert_eq!(
            got[2]["note"],
            Json::Null,
            "a short row is padded with null"
        );
        assert_eq!(
            got[2].keys().collect::<Vec<_>>(),
            ["id", "name", "note"],
            "every row has the header's keys in order"
        );
    }

    #[test]
    fn a_header_without_rows_gives_no_rows() {
        assert!(rows("a,b\n").is_empty());
        assert!(rows("").is_empty());
    }
}
