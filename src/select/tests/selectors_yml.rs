//! selectors.yml definitions (unions, intersections, defaults, errors) -> selected names.

use super::*;

fn by_selector(name: &str, mode: IndirectSelection) -> Vec<String> {
    let mut a = args(&[], &[], mode);
    a.selector = Some(name.into());
    run(&a)
}

#[test]
fn yaml_selectors() {
    assert_eq!(
        by_selector("staging_no_pii", Eager),
        sorted(&[
            "stg_orders",
            "not_null_stg_orders_id",
            "assert_int_matches_stg"
        ])
    );
    assert_eq!(
        by_selector("core_plus", Eager),
        sorted(&["countries", "fct_orders", "int_orders"])
    );
    assert_eq!(by_selector("ref", Eager), by_selector("core_plus", Eager));
    assert_eq!(
        by_selector("nested", Empty),
        sorted(&["fct_orders", "stg_orders"])
    );
    assert_eq!(
        by_selector("cli_set", Empty),
        sorted(&["countries", "stg_orders"])
    );
    assert_eq!(
        by_selector("at_dim", Empty),
        sorted(&[
            "dim_customers",
            "relationships_fct_orders_customer_id",
            "stg_customers",
            "customers",
            "fct_orders",
            "int_orders",
            "stg_orders",
            "orders",
            "countries",
        ])
    );
    assert_eq!(
        by_selector("kids", Empty),
        sorted(&[
            "stg_customers",
            "int_orders",
            "dim_customers",
            "accepted_values_stg_customers_status"
        ])
    );
    assert_eq!(
        by_selector("with_exclude", Empty),
        sorted(&["fct_orders", "stg_customers"])
    );
    // `selector:` works inside --select and composes with other atoms.
    check!("selector:nested", Empty, ["fct_orders", "stg_orders"]);
    check!("selector:core_plus,tag:nightly", Empty, ["fct_orders"]);
}

#[test]
fn default_selector_applies_only_without_cli_selection() {
    assert_eq!(
        run(&args(&[], &[], Empty)),
        sorted(&["fct_orders", "stg_customers", "stg_orders"])
    );
    assert_eq!(
        run(&args(&["countries"], &[], Empty)),
        vec!["countries".to_string()]
    );
    let with_exclude = run(&args(&[], &["tag:nightly"], Empty));
    assert!(with_exclude.contains(&"countries".to_string()));
    let g = graph();
    let sels = Selectors::parse(&selectors()).unwrap_or_default();
    assert_eq!(sels.default_name(), Some("default_sel"));
    assert_eq!(
        sels.description("core_plus"),
        Some("fct_orders and its direct parents")
    );
    assert_eq!(sels.names().count(), 9);
    assert!(select(&g, &SelectionArgs::default()).is_ok());
}

#[test]
fn selection_errors() {
    assert_eq!(
        sel_err("tagg:x"),
        "unknown selector method `tagg` in `tagg:x`; did you mean `tag`? valid methods: fqn, tag, \
         source, resource_type, path, file, package, config, test_type, test_name, exposure, \
         group, access, unit_test, selector"
    );
    assert_eq!(
        sel_err("state:modified"),
        "selector method `state` (in `state:modified`) is not supported by xform"
    );
    assert_eq!(
        sel_err("@fct_orders+"),
        "malformed graph operator in `@fct_orders+`: the `@` prefix and the `+` suffix cannot be combined"
    );
    let twice = "write parents as `N+name` and children as `name+N`, each at most once";
    assert_eq!(
        sel_err("++a"),
        format!("malformed graph operator in `++a`: {twice}")
    );
    assert_eq!(
        sel_err("a++"),
        format!("malformed graph operator in `a++`: {twice}")
    );
    assert_eq!(
        sel_err("a+b"),
        format!("malformed graph operator in `a+b`: {twice}")
    );
    assert_eq!(
        sel_err("2@a"),
        "malformed graph operator in `2@a`: `@` takes no depth"
    );
    assert_eq!(
        sel_err("+"),
        "invalid selector `+`: nothing to select after the method and graph operators"
    );
    assert_eq!(
        sel_err("a,,b"),
        "invalid selector `a,,b`: empty selector (stray `,`?)"
    );
    assert_eq!(
        sel_err("source:a.b.c.d"),
        "invalid selector `source:a.b.c.d`: expected `source_name`, `source_name.table_name` or `package.source_name.table_name`"
    );
    assert_eq!(
        sel_err("config:table"),
        "invalid selector `config:table`: `config` needs a key, like `config.materialized:table`"
    );
    assert_eq!(
        sel_err("tag.x:y"),
        "invalid selector `tag.x:y`: only `config` takes `.` arguments, not `tag`"
    );
    assert_eq!(
        sel_err("resource_type:modle"),
        "invalid selector `resource_type:modle`: unknown resource type; did you mean `model`? expected one of model, seed, snapshot, test, analysis, source, exposure, unit_test"
    );
    assert_eq!(
        sel_err("test_type:schemaa"),
        "invalid selector `test_type:schemaa`: expected `generic`, `singular` or `unit`"
    );
    assert_eq!(
        sel_err("selector:nested+"),
        "malformed graph operator in `selector:nested+`: graph operators cannot be applied to `selector:`"
    );
    assert_eq!(
        sel_err("selector:nestd"),
        "no selector named `nestd` in selectors.yml; did you mean `nested`?"
    );
    let mut a = args(&["x"], &[], Eager);
    a.selector = Some("nested".into());
    assert_eq!(
        err(&a),
        "--selector cannot be combined with --select or --exclude; use `--select selector:nested` instead"
    );
    let mut a = args(&[], &[], Eager);
    a.selector = Some("nested".into());
    a.selectors = None;
    assert_eq!(
        err(&a),
        "selector `nested` was requested but the project has no selectors.yml"
    );
}

fn yaml_err(definitions: serde_json::Value) -> String {
    match Selectors::parse(&json!({ "selectors": definitions })) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn selectors_file_errors() {
    assert_eq!(
        yaml_err(json!([{"name": "bad", "definition": {"union": "tag:a"}}])),
        "invalid definition for selector `bad`: `union` must be a list"
    );
    assert_eq!(
        yaml_err(json!([{"name": "bad", "definition": {"tagg": "x"}}])),
        "in selector `bad`: unknown selector method `tagg` in `tagg:x`; did you mean `tag`? valid methods: fqn, tag, \
         source, resource_type, path, file, package, config, test_type, test_name, exposure, \
         group, access, unit_test, selector"
    );
    assert_eq!(
        yaml_err(json!([{"name": "bad", "definition": ""}])),
        "invalid definition for selector `bad`: empty definition"
    );
    assert_eq!(
        yaml_err(json!([{"name": "bad"}])),
        "invalid definition for selector `bad`: missing `definition`"
    );
    assert_eq!(
        yaml_err(
            json!([{"name": "bad", "definition": {"method": "tag", "value": "a", "childen": true}}])
        ),
        "invalid definition for selector `bad`: unknown key `childen` (expected method, value, children, \
         parents, childrens_parents, children_depth, parents_depth, indirect_selection, exclude, description)"
    );
    assert_eq!(
        yaml_err(json!([{"name": "bad", "definition": {"tag": "a", "fqn": "b"}}])),
        "invalid definition for selector `bad`: expected one `method: value` pair, or `method` and `value` keys; found tag, fqn"
    );
    assert_eq!(
        yaml_err(json!([{"name": "bad", "definition": {"union": ["a"], "intersection": ["b"]}}])),
        "invalid definition for selector `bad`: a root definition may hold only one `union` or `intersection` key; found union, intersection"
    );
    assert_eq!(
        yaml_err(
            json!([{"name": "bad", "definition": {"union": ["a", {"exclude": ["b"]}, {"exclude": ["c"]}]}}])
        ),
        "invalid definition for selector `bad`: only one `exclude` is allowed per `union` list"
    );
    assert_eq!(
        yaml_err(json!([{"name": "bad", "definition": {"exclude": ["a"]}}])),
        "invalid definition for selector `bad`: `exclude` must be an item of a `union` or `intersection` list, or sit next to `method` and `value`"
    );
    assert_eq!(
        yaml_err(
            json!([{"name": "bad", "definition": {"method": "tag", "value": "a", "indirect_selection": "lazy"}}])
        ),
        "invalid definition for selector `bad`: `indirect_selection` must be eager, cautious, buildable or empty"
    );
    assert_eq!(
        yaml_err(json!([
            {"name": "a", "definition": {"method": "selector", "value": "b"}},
            {"name": "b", "definition": {"union": ["x", {"method": "selector", "value": "a"}]}}
        ])),
        "selectors refer to each other in a loop: a -> b -> a"
    );
    assert_eq!(
        yaml_err(json!([
            {"name": "a", "definition": "x"},
            {"name": "b", "definition": {"method": "selector", "value": "zzz"}}
        ])),
        "in selector `b`: no selector named `zzz` in selectors.yml; defined: a, b"
    );
    assert_eq!(
        yaml_err(json!([
            {"name": "a", "default": true, "definition": "x"},
            {"name": "b", "default": true, "definition": "y"}
        ])),
        "invalid selectors.yml: only one selector may have `default: true`; found a, b"
    );
    assert_eq!(
        yaml_err(json!([{"name": "a", "definition": "x"}, {"name": "a", "definition": "y"}])),
        "invalid selectors.yml: selector `a` is defined twice"
    );
    match Selectors::parse(&json!({"other": 1})) {
        Err(e) => assert_eq!(
            e.to_string(),
            "invalid selectors.yml: expected a top-level `selectors:` list"
        ),
        Ok(_) => panic!("expected an error"),
    }
}
