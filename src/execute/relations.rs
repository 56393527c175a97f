//! The relation cache of a run: the catalog listing taken at the start + every relation
//! the run builds -> what exists under a name, without a catalog query per node.
//!
//! dbt keeps the same kind of cache. A lookup per node cost ~2.8 ms on DuckDB, a third of
//! the pure-DuckDB time of a 1000-model build.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::adapter::RelationKind;

pub struct RelationCache {
    kinds: Mutex<HashMap<String, RelationKind>>,
}

/// The cache key: the lower-cased `database.schema.identifier`, as the catalog listing
/// spells it (DuckDB's identifiers are case-insensitive).
fn key(database: &str, schema: &str, identifier: &str) -> String {
    format!("{database}.{schema}.{identifier}").to_lowercase()
}

impl RelationCache {
    /// A cache from the adapter's listing (`Adapter::relations`).
    pub fn new(listing: impl IntoIterator<Item = (String, RelationKind)>) -> RelationCache {
        RelationCache {
            kinds: Mutex::new(listing.into_iter().collect()),
        }
    }

    pub fn kind(&self, database: &str, schema: &str, identifier: &str) -> Option<RelationKind> {
        self.kinds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key(database, schema, identifier))
            .copied()
    }

    /// Records a relation this run created or replaced.
    pub fn built(&self, database: &str, schema: &str, identifier: &str, kind: RelationKind) {
        self.kinds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key(database, schema, identifier), kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_from_the_listing_then_from_what_was_built() {
        let cache = RelationCache::new([("db.main.orders".to_string(), RelationKind::View)]);
        assert_eq!(cache.kind("DB", "Main", "Orders"), Some(RelationKind::View));
        assert_eq!(cache.kind("db", "main", "customers"), None);
        cache.built("db", "main", "orders", RelationKind::Table);
        cache.built("db", "main", "customers", RelationKind::Table);
        assert_eq!(
            cache.kind("db", "main", "orders"),
            Some(RelationKind::Table)
        );
        assert_eq!(
            cache.kind("db", "main", "customers"),
            Some(RelationKind::Table)
        );
    }
}
