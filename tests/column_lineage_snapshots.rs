//! Column lineage fixtures (tests/fixtures/column_lineage: renames and expressions, a CTE
//! with a join and `select *`, aggregates, a window function, a union) -> insta snapshot of
//! the column_lineage.json that `xform compile --column-lineage` writes.

mod common;

#[test]
fn column_lineage_json_of_the_fixture_project() {
    let project = common::copy_fixture("column_lineage");
    let p = project.path();
    let r = common::xform(p, &["compile", "--column-lineage", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let text = std::fs::read_to_string(p.join("target/column_lineage.json")).expect("written");
    insta::assert_snapshot!("column_lineage_fixture", text);
}
