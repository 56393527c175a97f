//! Seed reading tests: CSV text -> inferred dbt types, warnings and errors with lines.

use serde_json::json;

use super::*;

fn infer(text: &str) -> Result<SeedTable, SeedError> {
    infer_seed(text.as_bytes(), &SeedOptions::default())
}

fn types(table: &SeedTable) -> Vec<(&str, &str)> {
    table
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.duckdb_type()))
        .collect()
}

#[test]
fn one_column_of_each_type() {
    let t = infer(
        "id,price,day,at,iso,flag,label,empty\n\
         1,1.5,2024-01-02,2024-01-02 03:04:05,2024-01-02T03:04:05Z,true,a,\n\
         2,-2,1999-12-31,,2024-01-02T03:04:05.5+02:00,False,b,null\n",
    )
    .unwrap();
    assert_eq!(
        types(&t),
        [
            ("id", "integer"),
            ("price", "float8"),
            ("day", "date"),
            ("at", "timestamp without time zone"),
            ("iso", "timestamp without time zone"),
            ("flag", "boolean"),
            ("label", "text"),
            ("empty", "integer"),
        ]
    );
    assert_eq!(t.rows, 2);
    assert!(t.warnings.is_empty());
}

#[test]
fn a_seed_without_rows_is_all_integer() {
    let t = infer("a,b\n").unwrap();
    assert_eq!(types(&t), [("a", "integer"), ("b", "integer")]);
    assert_eq!(t.rows, 0);
}

#[test]
fn bom_quotes_blank_lines_and_delimiters() {
    let t = infer_seed(
        b"\xef\xbb\xbfid;note\r\n1;\"a;b\"\r\n\r\n2;\"line\nbreak\"\r\n",
        &SeedOptions {
            delimiter: ';',
            ..SeedOptions::default()
        },
    )
    .unwrap();
    assert_eq!(types(&t), [("id", "integer"), ("note", "text")]);
    assert_eq!(t.rows, 3, "the blank line counts, as in dbt's `INSERT 3`");
}

#[test]
fn column_types_override_by_exact_name_and_skip_inference() {
    let config: IndexMap<String, Json> = [
        ("delimiter".to_string(), json!("|")),
        (
            "column_types".to_string(),
            json!({"zip": "varchar", "Amount": "decimal(10,2)", "missing": "int"}),
        ),
    ]
    .into_iter()
    .collect();
    let options = SeedOptions::from_config(&config).unwrap();
    let t = infer_seed(b"zip|Amount|amount2\n01234|1.5|2\n", &options).unwrap();
    assert_eq!(
        types(&t),
        [
            ("zip", "varchar"),
            ("Amount", "decimal(10,2)"),
            ("amount2", "integer")
        ]
    );
    assert_eq!(t.columns[0].inferred, SeedType::Text);
    assert_eq!(t.warnings.len(), 1);
    assert!(t.warnings[0].message.contains("`missing`"));
}

#[test]
fn bad_config_is_reported() {
    let config: IndexMap<String, Json> = [("delimiter".to_string(), json!(";;"))]
        .into_iter()
        .collect();
    let err = SeedOptions::from_config(&config).unwrap_err();
    assert!(err.to_string().contains("delimiter"), "{err}");
    let config: IndexMap<String, Json> = [("column_types".to_string(), json!({"a": 1}))]
        .into_iter()
        .collect();
    assert!(SeedOptions::from_config(&config).is_err());
}

#[test]
fn header_names_are_made_unique_as_agate_does() {
    let t = infer("a,a,,a_2,a\n1,2,3,4,5\n").unwrap();
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "a_2", "c", "a_2_2", "a_3"]);
    assert_eq!(t.warnings.len(), 4);
    assert_eq!(letter_name(0), "a");
    assert_eq!(letter_name(27), "bb");
}

#[test]
fn errors_name_their_line() {
    let cases: [(&[u8], SeedError); 8] = [
        (
            b"a,b,c,d\n1,2,3,4\n1,2,3\n",
            SeedError::Ragged {
                line: 3,
                found: 3,
                expected: 4,
            },
        ),
        (
            b"a,b\n1,2\n3,4,5\n",
            SeedError::Ragged {
                line: 3,
                found: 3,
                expected: 2,
            },
        ),
        (b"a,b\n1,\"x\ny\n", SeedError::UnterminatedQuote { line: 2 }),
        (b"a,b\n1,\"x\"y\n", SeedError::TextAfterQuote { line: 2 }),
        (b"", SeedError::NoHeader),
        (b"\n\na\n1\n", SeedError::EmptyHeader { line: 1 }),
        (
            b"ID,id\n1,2\n",
            SeedError::DuplicateColumn {
                line: 1,
                first: "ID".into(),
                second: "id".into(),
            },
        ),
        (b"a\nok\n\xff\n", SeedError::InvalidUtf8 { line: 3 }),
    ];
    for (text, want) in cases {
        assert_eq!(
            infer_seed(text, &SeedOptions::default()).unwrap_err(),
            want,
            "{}",
            String::from_utf8_lossy(text)
        );
    }
    let d = SeedError::Ragged {
        line: 3,
        found: 3,
        expected: 4,
    }
    .to_diagnostic("seeds/x.csv");
    assert_eq!(d.location, Some(Location::new("seeds/x.csv", 3, 0)));
    assert_eq!(d.message, "row at line 3 has 3 fields, the header has 4");
}

#[test]
fn read_seed_reports_a_missing_file() {
    let err = read_seed(Path::new("/nonexistent/seed.csv"), &SeedOptions::default()).unwrap_err();
    assert!(matches!(err, SeedError::Read(_)), "{err}");
}

/// Every case dbt-core + agate decided in `scripts/seed_type_oracle.py`.
#[test]
fn agrees_with_the_agate_oracle() {
    let oracle = include_str!("testdata/agate_oracle.jsonl");
    let mut failures = Vec::new();
    let mut count = 0;
    for line in oracle.lines() {
        let case: Json = serde_json::from_str(line).unwrap();
        let want = case["t"].as_str().unwrap();
        let mut column = infer::Column::default();
        let values: Vec<&str> = case["v"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        for v in &values {
            column.observe(v);
        }
        let got = column.finish().duckdb_name();
        if got != want {
            failures.push(format!("{values:?}: dbt {want}, xform {got}"));
        }
        count += 1;
    }
    assert!(count > 2000, "the oracle file looks truncated");
    assert!(
        failures.is_empty(),
        "{} of {count} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_large_seed_is_typed_in_one_pass() {
    let mut text = String::from("id,amount,day,at,flag,label\n");
    let mut i = 0u64;
    while text.len() < 1 << 20 {
        text.push_str(&format!(
            "{i},{}.{},2024-01-{:02},2024-01-02T03:04:{:02},{},\"name, {i}\"\n",
            i % 1000,
            i % 100,
            i % 28 + 1,
            i % 60,
            i.is_multiple_of(2)
        ));
        i += 1;
    }
    // Speed is measured by benchmarks, not here; this checks a megabyte types correctly.
    let t = infer(&text).unwrap();
    assert_eq!(t.rows as u64, i);
    assert_eq!(
        types(&t),
        [
            ("id", "integer"),
            ("amount", "float8"),
            ("day", "date"),
            ("at", "timestamp without time zone"),
            ("flag", "boolean"),
            ("label", "text"),
        ]
    );
}

#[test]
fn rows_are_kept_only_when_asked() {
    let csv = b"id,note\n1,\"a,b\"\n\n2,\n";
    let t = infer_seed(csv, &SeedOptions::default()).unwrap();
    assert_eq!(t.cells, None);
    let t = infer_seed(
        csv,
        &SeedOptions {
            keep_rows: true,
            ..SeedOptions::default()
        },
    )
    .unwrap();
    // A blank line is a row of empty fields, as agate counts it.
    let rows: Vec<Vec<&str>> = vec![vec!["1", "a,b"], vec!["", ""], vec!["2", ""]];
    let cells = t.cells.unwrap();
    assert_eq!(cells, rows);
    assert_eq!(t.rows, cells.len());
}
