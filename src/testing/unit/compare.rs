//! Actual and expected rows -> whether they hold the same rows (order ignored, duplicates
//! counted) and, when not, a table diff in the style dbt prints (daff's hilite format).

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::Value as Json;

type Row = Vec<Json>;

/// A total order over one column's values; nulls sort last, as dbt sorts rows before diffing.
fn cmp_value(a: &Json, b: &Json) -> Ordering {
    match (a, b) {
        (Json::Null, Json::Null) => Ordering::Equal,
        (Json::Null, _) => Ordering::Greater,
        (_, Json::Null) => Ordering::Less,
        (Json::Number(x), Json::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x.total_cmp(&y)
        }
        // Decimals arrive as text: order them as numbers so the diff reads naturally.
        (Json::String(x), Json::String(y)) => match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(p), Ok(q)) => p.total_cmp(&q).then_with(|| x.cmp(y)),
            _ => x.cmp(y),
        },
        (Json::Bool(x), Json::Bool(y)) => x.cmp(y),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

fn cmp_row(a: &Row, b: &Row) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| cmp_value(x, y))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

/// One line of the diff.
#[derive(Debug, Clone, PartialEq)]
enum Line {
    Same(Row),
    Added(Row),
    Removed(Row),
    /// (expected, actual): the same row with some values changed.
    Changed(Row, Row),
}

impl Line {
    fn key(&self) -> &Row {
        match self {
            Line::Same(r) | Line::Added(r) | Line::Removed(r) | Line::Changed(_, r) => r,
        }
    }

    fn is_change(&self) -> bool {
        !matches!(self, Line::Same(_))
    }
}

/// `None` when both sides hold the same rows; otherwise the rendered diff.
pub fn diff(columns: &[String], expected: &[Row], actual: &[Row]) -> Option<String> {
    let mut expected = expected.to_vec();
    let mut actual = actual.to_vec();
    expected.sort_by(cmp_row);
    actual.sort_by(cmp_row);
    if expected == actual {
        return None;
    }
    Some(render(columns, &align(&expected, &actual)))
}

/// Pairs equal rows; then pairs a leftover expected row with a leftover actual row when
/// some column's value identifies exactly one row on each side (a key-like column), so a
/// row with a wrong value shows as changed rather than as removed plus added.
fn align(expected: &[Row], actual: &[Row]) -> Vec<Line> {
    let mut used_actual = vec![false; actual.len()];
    let mut lines: Vec<Line> = Vec::new();
    let mut left: Vec<usize> = Vec::new();
    for (i, e) in expected.iter().enumerate() {
        let found = actual
            .iter()
            .enumerate()
            .position(|(j, a)| !used_actual[j] && a == e);
        match found {
            Some(j) => {
                used_actual[j] = true;
                lines.push(Line::Same(e.clone()));
            }
            None => left.push(i),
        }
    }
    let width = expected.first().or(actual.first()).map_or(0, Vec::len);
    let mut paired_expected = vec![false; expected.len()];
    for c in 0..width {
        let counts = |rows: &[Row]| {
            let mut m: HashMap<String, usize> = HashMap::new();
            for r in rows {
                *m.entry(r[c].to_string()).or_default() += 1;
            }
            m
        };
        let (ce, ca) = (counts(expected), counts(actual));
        for &i in &left {
            if paired_expected[i] || expected[i][c].is_null() {
                continue;
            }
            let key = expected[i][c].to_string();
            if ce.get(&key) != Some(&1) || ca.get(&key) != Some(&1) {
                continue;
            }
            if let Some(j) =
                (0..actual.len()).find(|&j| !used_actual[j] && actual[j][c] == expected[i][c])
            {
                used_actual[j] = true;
                paired_expected[i] = true;
                lines.push(Line::Changed(expected[i].clone(), actual[j].clone()));
            }
        }
    }
    for &i in &left {
        if !paired_expected[i] {
            lines.push(Line::Removed(expected[i].clone()));
        }
    }
    for (j, a) in actual.iter().enumerate() {
        if !used_actual[j] {
            lines.push(Line::Added(a.clone()));
        }
    }
    // Actual rows before expected ones where they sort equal, as the diff reads top-down.
    let rank = |l: &Line| match l {
        Line::Removed(_) => 1,
        _ => 0,
    };
    lines.sort_by(|a, b| cmp_row(a.key(), b.key()).then(rank(a).cmp(&rank(b))));
    lines
}

fn show(v: &Json, null: &str) -> String {
    match v {
        Json::Null => null.to_string(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Unchanged rows next to a change are shown for context; longer runs of unchanged rows
/// collapse into one `...` line.
fn render(columns: &[String], lines: &[Line]) -> String {
    let shown: Vec<bool> = (0..lines.len())
        .map(|i| {
            lines[i].is_change()
                || (i > 0 && lines[i - 1].is_change())
                || lines.get(i + 1).is_some_and(Line::is_change)
        })
        .collect();
    let mut table: Vec<(bool, Vec<String>)> = Vec::new();
    let mut header = vec!["@@".to_string()];
    header.extend(columns.iter().cloned());
    table.push((false, header));
    let mut skipping = false;
    for (line, show_it) in lines.iter().zip(&shown) {
        if !show_it {
            if !skipping {
                table.push((false, vec!["...".to_string(); columns.len() + 1]));
            }
            skipping = true;
            continue;
        }
        skipping = false;
        let (mark, cells, changed): (&str, Vec<String>, bool) = match line {
            Line::Same(r) => ("", r.iter().map(|v| show(v, "NULL")).collect(), false),
            Line::Added(r) => ("+++", r.iter().map(|v| show(v, "null")).collect(), false),
            Line::Removed(r) => ("---", r.iter().map(|v| show(v, "null")).collect(), false),
            Line::Changed(e, a) => (
                "→",
                e.iter()
                    .zip(a)
                    .map(|(x, y)| {
                        if x == y {
                            show(x, "NULL")
                        } else {
                            format!("{}→{}", show(x, "NULL"), show(y, "NULL"))
                        }
                    })
                    .collect(),
                true,
            ),
        };
        let mut row = vec![mark.to_string()];
        row.extend(cells);
        table.push((changed, row));
    }
    // Widths ignore changed cells; a line that overflows catches up with the columns
    // further right instead of pushing every later cell out.
    let mut widths = vec![0usize; columns.len() + 1];
    for (changed, row) in &table {
        for (k, cell) in row.iter().enumerate() {
            if !(*changed && cell.contains('→') && k > 0) {
                widths[k] = widths[k].max(cell.chars().count());
            }
        }
    }
    let mut out = Vec::with_capacity(table.len());
    for (_, row) in &table {
        let mut text = String::new();
        let mut target = 0;
        for (k, cell) in row.iter().enumerate() {
            if k > 0 {
                text.push(',');
                target += 1;
            }
            text.push_str(cell);
            target += widths[k];
            let len = text.chars().count();
            if k + 1 < row.len() && len < target {
                text.push_str(&" ".repeat(target - len));
            }
        }
        out.push(text);
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn order_does_not_matter_but_duplicates_do() {
        let a = vec![vec![json!(1)], vec![json!(2)]];
        let b = vec![vec![json!(2)], vec![json!(1)]];
        assert_eq!(diff(&cols(&["id"]), &a, &b), None);
        let twice = vec![vec![json!(1)], vec![json!(1)]];
        let once = vec![vec![json!(1)]];
        assert!(diff(&cols(&["id"]), &twice, &once).is_some());
    }

    #[test]
    fn the_diff_marks_changed_added_and_removed_rows() {
        // The case dbt 1.12.6 prints as:
        //   @@ ,id,name,score / →  ,1 ,a   ,6→5 / ...
        let expected = vec![
            vec![json!(1), json!("a"), json!(6)],
            vec![json!(2), json!("b"), Json::Null],
            vec![json!(4), json!("d"), Json::Null],
        ];
        let actual = vec![
            vec![json!(3), json!("c"), Json::Null],
            vec![json!(2), json!("b"), Json::Null],
            vec![json!(1), json!("a"), json!(5)],
        ];
        let got = diff(&cols(&["id", "name", "score"]), &expected, &actual).unwrap();
        assert_eq!(
            got,
            "@@ ,id,name,score\n→  ,1 ,a   ,6→5\n   ,2 ,b   ,NULL\n+++,3 ,c   ,null\n---,4 ,d   ,null"
        );
    }

    #[test]
    fn long_unchanged_runs_collapse_and_ambiguous_rows_are_not_paired() {
        let mut expected: Vec<Row> = (1..=6).map(|i| vec![json!(i), json!("x")]).collect();
        let mut actual = expected.clone();
        actual[0][1] = json!("y");
        expected.push(vec![json!(9), json!("zz")]);
        expected.push(vec![json!(9), json!("zz")]);
        actual.push(vec![json!(9), json!("i")]);
        let got = diff(&cols(&["id", "name"]), &expected, &actual).unwrap();
        assert_eq!(
            got,
            "@@ ,id ,name\n→  ,1  ,x→y\n   ,2  ,x\n...,...,...\n   ,6  ,x\n+++,9  ,i\n---,9  ,zz\n---,9  ,zz"
        );
    }
}
