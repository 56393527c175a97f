//! Mutable Python-style `list`/`dict` values for templates: Jinja values in, `Object`s with `append`/`update`/`pop`/... out.
//!
//! Stock minijinja lists and maps are immutable, but dbt templates mutate them
//! (`{% do cols.append(x) %}`). [`List`] and [`Dict`] keep their items behind a mutex and
//! present themselves to the engine as an ordinary sequence / map, so filters, loops,
//! tests, `tojson` and printing treat them like stock values. `literals::rewrite_literals`
//! turns `[..]`/`{..}` literals into calls of the constructors [`register`] adds.
//!
//! Locking rule: a lock is never held while other values are compared, hashed or
//! iterated (that could re-enter this object, e.g. `cols.extend(cols)`); methods work on
//! snapshots and lock again only to write.

use std::cmp::Ordering;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use indexmap::IndexMap;
use minijinja::value::{
    DynObject, Enumerator, Kwargs, Object, ObjectRepr, Rest, Tuple, ValueKind, from_args,
};
use minijinja::{Environment, Error, ErrorKind, State, Value};

/// A mutable, Python-like list. Create one with [`new_list`].
#[derive(Default)]
pub struct List(Mutex<Vec<Value>>);

/// A mutable, insertion-ordered, Python-like dict. Create one with [`new_dict`].
#[derive(Default)]
pub struct Dict(Mutex<IndexMap<Value, Value>>);

/// Wraps `items` into a mutable list value.
pub fn new_list(items: Vec<Value>) -> Value {
    Value::from_object(List(Mutex::new(items)))
}

/// Wraps `items` into a mutable dict value (keys keep their order).
pub fn new_dict(items: IndexMap<Value, Value>) -> Value {
    Value::from_object(Dict(Mutex::new(items)))
}

/// Adds the literal constructors `__xf_list(*items)` / `__xf_dict(k1, v1, ...)` used by
/// the literal rewriter, and replaces the `dict(...)` global, adds a `list(...)` global
/// and replaces the `|list` filter so that all of them return mutable values.
pub fn register(env: &mut Environment<'_>) {
    env.add_function("__xf_list", |items: Rest<Value>| new_list(items.0));
    env.add_function("__xf_dict", xf_dict);
    env.add_function("dict", py_dict);
    env.add_function("list", |value: Option<Value>| py_list(value));
    env.add_filter("list", |value: Value| py_list(Some(value)));
}

/// `__xf_dict(k1, v1, k2, v2, ...)`; a single argument is a mapping (or pairs) to copy,
/// which the rewriter uses for literals too large for a call's argument list.
fn xf_dict(args: Rest<Value>) -> Result<Value, Error> {
    let args = args.0;
    if args.len() == 1 {
        return Ok(new_dict(collect_map(pairs_of(&args[0])?)?));
    }
    if !args.len().is_multiple_of(2) {
        return Err(op_err("__xf_dict expects key/value pairs"));
    }
    let mut it = args.into_iter();
    let mut pairs = Vec::with_capacity(it.len() / 2);
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        pairs.push((k, v));
    }
    Ok(new_dict(collect_map(pairs)?))
}

/// Python's `dict()`, `dict(mapping_or_pairs)`, `dict(a=1)` and combinations.
fn py_dict(source: Option<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let mut pairs = match source {
        Some(v) => pairs_of(&v)?,
        None => Vec::new(),
    };
    pairs.extend(kwarg_pairs(&kwargs)?);
    Ok(new_dict(collect_map(pairs)?))
}

/// Python's `list()` / `list(iterable)`; also the `|list` filter.
fn py_list(value: Option<Value>) -> Result<Value, Error> {
    match value {
        Some(v) => Ok(new_list(v.try_iter()?.collect())),
        None => Ok(new_list(Vec::new())),
    }
}

fn op_err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

/// Lists and dicts are unhashable in Python; rejecting them as keys also keeps a
/// dict from hashing itself while locked.
fn is_unhashable(v: &Value) -> bool {
    v.downcast_object_ref::<List>().is_some() || v.downcast_object_ref::<Dict>().is_some()
}

fn collect_map(pairs: Vec<(Value, Value)>) -> Result<IndexMap<Value, Value>, Error> {
    let mut map = IndexMap::with_capacity(pairs.len());
    for (k, v) in pairs {
        if is_unhashable(&k) {
            return Err(op_err(format!("unhashable dict key: {k}")));
        }
        map.insert(k, v);
    }
    Ok(map)
}

/// Key/value pairs of a mapping, or of a sequence of 2-item sequences (as `dict()` takes).
fn pairs_of(v: &Value) -> Result<Vec<(Value, Value)>, Error> {
    if v.is_undefined() || v.is_none() {
        return Ok(Vec::new());
    }
    if v.kind() == ValueKind::Map {
        if let Some(obj) = v.as_object() {
            return Ok(obj.try_iter_pairs().into_iter().flatten().collect());
        }
        let mut pairs = Vec::new();
        for key in v.try_iter()? {
            let value = v.get_item(&key)?;
            pairs.push((key, value));
        }
        return Ok(pairs);
    }
    let mut pairs = Vec::new();
    for (idx, item) in v.try_iter()?.enumerate() {
        let kv: Vec<Value> = item.try_iter()?.collect();
        match <[Value; 2]>::try_from(kv) {
            Ok([k, val]) => pairs.push((k, val)),
            Err(kv) => {
                return Err(op_err(format!(
                    "dictionary update sequence element #{idx} has length {}; 2 is required",
                    kv.len()
                )));
            }
        }
    }
    Ok(pairs)
}

fn kwarg_pairs(kwargs: &Kwargs) -> Result<Vec<(Value, Value)>, Error> {
    let keys: Vec<String> = kwargs.args().map(str::to_string).collect();
    let mut pairs = Vec::with_capacity(keys.len());
    for key in keys {
        let value: Value = kwargs.get(&key)?;
        pairs.push((Value::from(key), value));
    }
    Ok(pairs)
}

/// Python index normalisation: negative counts from the end; `None` if out of range.
fn norm_index(idx: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let idx = if idx < 0 { idx + len } else { idx };
    (0..len).contains(&idx).then_some(idx as usize)
}

/// Python slice-bound normalisation (clamped to `0..=len`), used by `insert` and `index`.
fn clamp_index(idx: i64, len: usize) -> usize {
    let ilen = i64::try_from(len).unwrap_or(i64::MAX);
    let idx = if idx < 0 {
        (idx + ilen).max(0)
    } else {
        idx.min(ilen)
    };
    usize::try_from(idx).unwrap_or(0)
}

impl List {
    fn lock(&self) -> MutexGuard<'_, Vec<Value>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the current items.
    pub fn snapshot(&self) -> Vec<Value> {
        self.lock().clone()
    }

    fn method(&self, method: &str, args: &[Value]) -> Result<Value, Error> {
        match method {
            "append" => {
                let (item,): (Value,) = from_args(args)?;
                self.lock().push(item);
            }
            "extend" => {
                let (other,): (Value,) = from_args(args)?;
                let items: Vec<Value> = other.try_iter()?.collect();
                self.lock().extend(items);
            }
            "insert" => {
                let (idx, item): (i64, Value) = from_args(args)?;
                let mut items = self.lock();
                let at = clamp_index(idx, items.len());
                items.insert(at, item);
            }
            "pop" => {
                let (idx,): (Option<i64>,) = from_args(args)?;
                let mut items = self.lock();
                if items.is_empty() {
                    return Err(op_err("pop from empty list"));
                }
                let at = norm_index(idx.unwrap_or(-1), items.len())
                    .ok_or_else(|| op_err("pop index out of range"))?;
                return Ok(items.remove(at));
            }
            "remove" => {
                let (item,): (Value,) = from_args(args)?;
                let pos = self.position(&item, 0, None)?;
                let mut items = self.lock();
                if pos < items.len() {
                    items.remove(pos);
                }
            }
            "index" => {
                let (item, start, end): (Value, Option<i64>, Option<i64>) = from_args(args)?;
                return Ok(Value::from(self.position(
                    &item,
                    start.unwrap_or(0),
                    end,
                )?));
            }
            "count" => {
                let (item,): (Value,) = from_args(args)?;
                return Ok(Value::from(
                    self.snapshot().iter().filter(|v| **v == item).count(),
                ));
            }
            "reverse" => {
                let () = from_args(args)?;
                self.lock().reverse();
            }
            "sort" => {
                let (kwargs,): (Kwargs,) = from_args(args)?;
                let reverse: Option<bool> = kwargs.get("reverse")?;
                kwargs.assert_all_used()?;
                let mut items = self.snapshot();
                if reverse.unwrap_or(false) {
                    items.sort_by(|a, b| b.cmp(a));
                } else {
                    items.sort();
                }
                *self.lock() = items;
            }
            "copy" => {
                let () = from_args(args)?;
                return Ok(new_list(self.snapshot()));
            }
            "clear" => {
                let () = from_args(args)?;
                self.lock().clear();
            }
            _ => return Err(Error::from(ErrorKind::UnknownMethod)),
        }
        Ok(Value::from(()))
    }

    /// Position of the first `item` within Python-style `start..end`.
    fn position(&self, item: &Value, start: i64, end: Option<i64>) -> Result<usize, Error> {
        let items = self.snapshot();
        let lo = clamp_index(start, items.len());
        let hi = end.map_or(items.len(), |e| clamp_index(e, items.len()));
        items
            .get(lo..hi.max(lo))
            .and_then(|window| window.iter().position(|v| v == item))
            .map(|p| p + lo)
            .ok_or_else(|| op_err(format!("{item:?} is not in list")))
    }
}

impl fmt::Debug for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.snapshot().iter()).finish()
    }
}

impl Object for List {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let items = self.lock();
        let idx = norm_index(key.as_i64()?, items.len())?;
        items.get(idx).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.snapshot())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.lock().len())
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.lock().is_empty()
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        self.method(method, args)
    }

    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<Ordering> {
        let other = other.downcast_ref::<Self>()?.snapshot();
        Some(self.snapshot().cmp(&other))
    }
}

impl Dict {
    fn lock(&self) -> MutexGuard<'_, IndexMap<Value, Value>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the current entries, in insertion order.
    pub fn snapshot(&self) -> IndexMap<Value, Value> {
        self.lock().clone()
    }

    fn lookup(&self, key: &Value) -> Option<Value> {
        if is_unhashable(key) {
            return None;
        }
        self.lock().get(key).cloned()
    }

    fn method(&self, method: &str, args: &[Value]) -> Result<Value, Error> {
        match method {
            "get" => {
                let (key, default): (Value, Option<Value>) = from_args(args)?;
                Ok(self
                    .lookup(&key)
                    .unwrap_or_else(|| default.unwrap_or(Value::from(()))))
            }
            "items" => {
                let () = from_args(args)?;
                let items = self.snapshot().into_iter();
                Ok(Value::from(
                    items
                        .map(|(k, v)| Value::from(Tuple::from([k, v])))
                        .collect::<Vec<_>>(),
                ))
            }
            "keys" => {
                let () = from_args(args)?;
                Ok(Value::from(self.snapshot().into_keys().collect::<Vec<_>>()))
            }
            "values" => {
                let () = from_args(args)?;
                Ok(Value::from(
                    self.snapshot().into_values().collect::<Vec<_>>(),
                ))
            }
            "update" => {
                let (other, kwargs): (Option<Value>, Kwargs) = from_args(args)?;
                let mut pairs = match other {
                    Some(v) => pairs_of(&v)?,
                    None => Vec::new(),
                };
                pairs.extend(kwarg_pairs(&kwargs)?);
                let new = collect_map(pairs)?;
                self.lock().extend(new);
                Ok(Value::from(()))
            }
            "pop" => {
                let (key, default): (Value, Option<Value>) = from_args(args)?;
                let removed = if is_unhashable(&key) {
                    None
                } else {
                    self.lock().shift_remove(&key)
                };
                removed
                    .or(default)
                    .ok_or_else(|| op_err(format!("key {key:?} not in dict")))
            }
            "popitem" => {
                let () = from_args(args)?;
                let (k, v) = self
                    .lock()
                    .pop()
                    .ok_or_else(|| op_err("popitem(): dictionary is empty"))?;
                Ok(Value::from(Tuple::from([k, v])))
            }
            "setdefault" => {
                let (key, default): (Value, Option<Value>) = from_args(args)?;
                if is_unhashable(&key) {
                    return Err(op_err(format!("unhashable dict key: {key}")));
                }
                let default = default.unwrap_or(Value::from(()));
                Ok(self.lock().entry(key).or_insert(default).clone())
            }
            "copy" => {
                let () = from_args(args)?;
                Ok(new_dict(self.snapshot()))
            }
            "clear" => {
                let () = from_args(args)?;
                self.lock().clear();
                Ok(Value::from(()))
            }
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}

impl fmt::Debug for Dict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.snapshot().iter()).finish()
    }
}

impl Object for Dict {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.lookup(key)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let pairs: Vec<(Value, Value)> = self.snapshot().into_iter().collect();
        Enumerator::RevKeyValueIter(Box::new(pairs.into_iter()))
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.lock().len())
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.lock().is_empty()
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        self.method(method, args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::literals::rewrite_literals;

    fn env() -> Environment<'static> {
        let mut env = Environment::new();
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        register(&mut env);
        env
    }

    fn render(src: &str) -> Result<String, Error> {
        env().render_str(&rewrite_literals(src), ())
    }

    /// Each case is `template => expected output`.
    fn check(cases: &[&str]) {
        for case in cases {
            let Some((src, want)) = case.split_once(" => ") else {
                panic!("bad case {case}");
            };
            match render(src) {
                Ok(got) => assert_eq!(&got, want, "template: {src}"),
                Err(err) => panic!("template {src} failed: {err:#}"),
            }
        }
    }

    #[test]
    fn list_methods() {
        check(&[
            "{% set c = [] %}{% do c.append('a') %}{% do c.append('b') %}{{ c }} => ['a', 'b']",
            "{% set c = [1] %}{% do c.extend([2, 3]) %}{% do c.extend(c) %}{{ c }} => [1, 2, 3, 1, 2, 3]",
            "{% set c = [1, 2, 3] %}{% set x = c.pop() %}{{ x }} {{ c }} => 3 [1, 2]",
            "{% set c = [1, 2, 3] %}{{ c.pop(0) }}{{ c.pop(-1) }} {{ c }} => 13 [2]",
            "{% set c = [1, 3] %}{% do c.insert(1, 2) %}{% do c.insert(-99, 0) %}{% do c.insert(99, 4) %}{{ c }} => [0, 1, 2, 3, 4]",
            "{% set c = [1, 2, 1] %}{% do c.remove(1) %}{{ c }} => [2, 1]",
            "{% set c = ['a', 'b', 'a'] %}{{ c.index('a') }}{{ c.index('a', 1) }}{{ c.count('a') }} => 022",
            "{% set c = [1, 2, 3] %}{% do c.reverse() %}{{ c }} => [3, 2, 1]",
            "{% set c = [3, 1, 2] %}{% do c.sort() %}{{ c }}{% do c.sort(reverse=true) %}{{ c }} => [1, 2, 3][3, 2, 1]",
            "{% set c = [1] %}{% set d = c.copy() %}{% do d.append(2) %}{{ c }}{{ d }} => [1][1, 2]",
            "{% set c = [1] %}{% do c.clear() %}{{ c }}{{ c | length }} => []0",
        ]);
    }

    #[test]
    fn list_errors() {
        for src in [
            "{% set c = [] %}{{ c.pop() }}",
            "{% set c = [1] %}{{ c.pop(5) }}",
            "{% set c = [1] %}{% do c.remove(2) %}",
            "{% set c = [1] %}{{ c.index(2) }}",
            "{% set c = [1] %}{{ c.nope() }}",
        ] {
            assert!(render(src).is_err(), "{src} should fail");
        }
    }

    #[test]
    fn list_behaves_like_a_list() {
        check(&[
            "{% set c = ['a', 'b', 'c'] %}{{ c | length }}{{ c[0] }}{{ c[-1] }}{{ c[1:] }} => 3ac['b', 'c']",
            "{% set c = ['a', 'b'] %}{{ 'a' in c }}{{ 'z' in c }}{{ 'z' not in c }} => TrueFalseTrue",
            "{% set c = ['b', 'a'] %}{% for x in c %}{{ loop.index }}{{ x }}{% endfor %} => 1b2a",
            "{% set c = ['b', 'a'] %}{{ c | join(', ') }}|{{ c | sort | join }}|{{ c | sort }} => b, a|ab|['a', 'b']",
            r#"{% set c = ['a', 1, none, true] %}{{ c | tojson }} => ["a", 1, null, true]"#,
            "{% set c = [1, 2] %}{{ c == [1, 2] }}{{ c != [1] }}{{ [[1]] == [[1]] }} => TrueTrueTrue",
            "{% if [] %}x{% else %}empty{% endif %}{% if [0] %}full{% endif %} => emptyfull",
            "{{ [] is sequence }}{{ [] is iterable }}{{ [] is mapping }} => TrueTrueFalse",
            "{% set c = [2, 1] %}{% set l = c | list %}{% do l.append(3) %}{{ l }}{{ c }} => [2, 1, 3][2, 1]",
            "{{ [1, 2] + [3] }}{{ ([1] + [2]) | length }} => [1, 2, 3]2",
            "{% set c = [[2], [1]] %}{{ c | sort }}{{ c | reverse | list }} => [[1], [2]][[1], [2]]",
            "{% set c = [1, 2, 3] %}{{ c | first }}{{ c | last }}{{ c | max }}{{ c | sum }} => 1336",
            "{% set a, b = ['x', 'y'] %}{{ a }}{{ b }} => xy",
        ]);
    }

    #[test]
    fn dict_methods() {
        check(&[
            "{% set d = {} %}{% do d.update({'a': 1}) %}{% do d.update(b=2) %}{{ d }} => {'a': 1, 'b': 2}",
            r#"{% set d = {'a': 1} %}{% do d.update([('b', 2)], c=3) %}{{ d | tojson }} => {"a": 1, "b": 2, "c": 3}"#,
            "{% set d = {'a': 1, 'b': 2} %}{{ d.pop('a') }}{{ d.pop('z', 'dflt') }}{{ d }} => 1dflt{'b': 2}",
            "{% set d = {'a': 1} %}{{ d.setdefault('a', 5) }}{{ d.setdefault('b', 7) }}{{ d }} => 17{'a': 1, 'b': 7}",
            "{% set d = {'a': 1} %}{{ d.get('a') }}{{ d.get('z') }}{{ d.get('z', 3) }} => 1None3",
            "{% set d = {'a': 1, 'b': 2} %}{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} => a=1;b=2;",
            "{% set d = {'b': 1, 'a': 2} %}{{ d.keys() | join }}{{ d.values() | list }} => ba[1, 2]",
            "{% set d = {'a': 1} %}{% set e = d.copy() %}{% do e.update(b=2) %}{{ d }}{{ e }} => {'a': 1}{'a': 1, 'b': 2}",
            "{% set d = {'a': 1} %}{% do d.clear() %}{{ d }}{{ d | length }} => {}0",
            "{% set d = {'a': 1, 'b': 2} %}{{ d.popitem() }}{{ d }} => ('b', 2){'a': 1}",
        ]);
        assert!(render("{% set d = {} %}{{ d.pop('a') }}").is_err());
        assert!(render("{% set d = {} %}{% do d.update([1]) %}").is_err());
        assert!(render("{% set d = {} %}{% do d.setdefault([], 1) %}").is_err());
    }

    #[test]
    fn dict_behaves_like_a_map() {
        check(&[
            "{% set d = {'a': 1, 'b': 2} %}{{ d | length }}{{ d['a'] }}{{ d.b }}{{ d['z'] is undefined }} => 212True",
            "{% set d = {'a': 1} %}{{ 'a' in d }}{{ 'z' in d }} => TrueFalse",
            "{% set d = {'b': 1, 'a': 2} %}{% for k in d %}{{ k }}{% endfor %}{{ d | list }} => ba['b', 'a']",
            "{% set d = {'b': 1, 'a': 2} %}{{ d | dictsort }}{{ d | items | list }} => [('a', 2), ('b', 1)][('b', 1), ('a', 2)]",
            r#"{% set d = {'a': [1, {'b': none}]} %}{{ d | tojson }} => {"a": [1, {"b": null}]}"#,
            "{{ {'a': 1} == {'a': 1} }}{{ {'a': 1} == {'a': 2} }} => TrueFalse",
            "{% if {} %}x{% else %}empty{% endif %}{% if {'a': 0} %}full{% endif %} => emptyfull",
            "{{ {} is mapping }}{{ {} is iterable }}{{ {} is sequence }} => TrueTrueFalse",
            "{% set d = dict(a=1) %}{% do d.update(b=2) %}{{ d }} => {'a': 1, 'b': 2}",
            "{% set d = dict({'a': 1}, b=2) %}{% set e = dict() %}{% do e.update(d) %}{{ e }} => {'a': 1, 'b': 2}",
            "{% set l = list() %}{% do l.append(1) %}{{ l }}{{ list('ab') }} => [1]['a', 'b']",
            "{% set k = 'x' %}{% set d = {k: 1, 1 + 1: 2} %}{{ d }} => {'x': 1, 2: 2}",
        ]);
    }

    #[test]
    fn shared_mutation() {
        check(&[
            "{% macro cols(names) %}{% set out = [] %}{% for n in names %}{% do out.append(n | upper) %}{% endfor %}{{ out | join(', ') }}{% endmacro %}{{ cols(['a', 'b']) }} => A, B",
            "{% set ns = namespace(items=[]) %}{% do ns.items.append(1) %}{% do ns.items.append(2) %}{{ ns.items }} => [1, 2]",
            "{% macro add(l) %}{% do l.append(1) %}{% endmacro %}{% set c = [] %}{{ add(c) }}{{ add(c) }}{{ c }} => [1, 1]",
            "{% set d = {'cols': []} %}{% do d['cols'].append('x') %}{% do d.cols.append('y') %}{{ d }} => {'cols': ['x', 'y']}",
            "{% for i in range(2) %}{% set c = [] %}{% do c.append(i) %}{{ c }}{% endfor %} => [0][1]",
        ]);
    }

    #[test]
    fn rust_constructors() {
        let env = env();
        let mut map = IndexMap::new();
        map.insert(Value::from("k"), new_list(vec![Value::from(1)]));
        let ctx = minijinja::context! { d => new_dict(map) };
        let out = env.render_str("{% do d.k.append(2) %}{{ d }}", ctx);
        assert_eq!(out.ok().as_deref(), Some("{'k': [1, 2]}"));
        // Rust code reading rendered values (e.g. config(...)) sees plain JSON shapes.
        let v = env.render_str("{% set d = {'a': [1]} %}{{ d | tojson }}", ());
        assert_eq!(v.ok().as_deref(), Some(r#"{"a": [1]}"#));
        let d = new_dict(IndexMap::from([(
            Value::from("a"),
            new_list(vec![Value::from(1)]),
        )]));
        let json = serde_json::to_value(&d).ok();
        assert_eq!(json, Some(serde_json::json!({"a": [1]})));
    }
}
