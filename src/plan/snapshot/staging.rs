//! The staging select of a later snapshot run: source + current versions -> one row per
//! version to insert ('insert') and per version to close ('update', 'delete').

use super::{CheckCols, HardDeletes, Sql, Strategy, find};
use crate::adapter::Column;
use crate::plan::PlanError;

impl Sql<'_> {
    /// Every staged row has the same columns: `xform_change`, the query's columns, then the
    /// meta columns in the order `inserted_columns` lists them.
    pub(super) fn staging_select(&self, existing: &[Column]) -> Result<String, PlanError> {
        let c = &self.config.columns;
        let new_record = self.config.hard_deletes == HardDeletes::NewRecord;
        // Each key part evaluated once per side, so a composite key joins part by part.
        let keys: String = self
            .config
            .unique_key
            .iter()
            .enumerate()
            .map(|(i, k)| format!(",\n        {k} as xform_key_{}", i + 1))
            .collect();
        let join = (1..=self.config.unique_key.len())
            .map(|i| format!("current_rows.xform_key_{i} = source_rows.xform_key_{i}"))
            .collect::<Vec<_>>()
            .join(" and ");
        let mut changed = self.row_changed(existing)?;
        if new_record {
            // A key back after a recorded delete always starts a new version.
            changed = format!(
                "{changed} or current_rows.{} = 'True'",
                self.q(&c.is_deleted)
            );
        }
        let mut ctes = vec![
            format!(
                "source_rows as (\n    select *{keys},\n        {stamp} as xform_stamp,\n        \
                 {scd} as xform_scd_id\n    from (\n{sql}\n    ) as snapshot_query\n)",
                stamp = self.stamp,
                scd = self.scd_id(),
                sql = self.input.sql,
            ),
            format!(
                "current_rows as (\n    select *{keys}\n    from {target}\n    where {current}\n)",
                target = self.input.target,
                current = self.is_current(&self.q(&c.valid_to)),
            ),
            format!(
                "changed as (\n    select source_rows.*,\n        \
                 current_rows.xform_key_1 as xform_matched,\n        \
                 current_rows.{scd} as xform_closes\n    from source_rows\n    \
                 left join current_rows on {join}\n    \
                 where current_rows.xform_key_1 is null\n        \
                 or (current_rows.xform_key_1 is not null and ({changed}))\n)",
                scd = self.q(&c.scd_id),
            ),
        ];
        if self.config.hard_deletes != HardDeletes::Ignore {
            let mut gone = format!(
                "gone as (\n    select current_rows.*\n    from current_rows\n    \
                 left join source_rows on {join}\n    where source_rows.xform_key_1 is null"
            );
            if new_record {
                // A deletion record that is still current stays as it is.
                let valid_to = format!("current_rows.{}", self.q(&c.valid_to));
                let still_open = match &self.config.valid_to_current {
                    Some(marker) => format!("{valid_to} = {marker}"),
                    None => format!("{valid_to} is null"),
                };
                gone.push_str(&format!(
                    "\n        and not (current_rows.{} = 'True' and {still_open})",
                    self.q(&c.is_deleted)
                ));
            }
            gone.push_str("\n)");
            ctes.push(gone);
        }

        let source: Vec<String> = self
            .input
            .source_columns
            .iter()
            .map(|col| self.q(&col.name))
            .collect();
        let nulls = vec!["null".to_string(); source.len()];
        let meta =
            |updated_at: &str, valid_from: &str, valid_to: &str, scd: &str, deleted: &str| {
                let mut m = vec![
                    format!("{updated_at} as {}", self.q(&c.updated_at)),
                    format!("{valid_from} as {}", self.q(&c.valid_from)),
                    format!("{valid_to} as {}", self.q(&c.valid_to)),
                    format!("{scd} as {}", self.q(&c.scd_id)),
                ];
                if new_record {
                    m.push(format!("{deleted} as {}", self.q(&c.is_deleted)));
                }
                m
            };
        let branch = |change: &str, cols: &[String], meta: Vec<String>, from: &str| {
            let list: Vec<String> = std::iter::once(format!("'{change}' as xform_change"))
                .chain(cols.iter().cloned())
                .chain(meta)
                .collect();
            format!("select\n    {}\nfrom {from}", list.join(",\n    "))
        };
        let mut branches = vec![
            branch(
                "insert",
                &source,
                meta(
                    "xform_stamp",
                    "xform_stamp",
                    &self.open_valid_to("xform_stamp"),
                    "xform_scd_id",
                    "'False'",
                ),
                "changed",
            ),
            branch(
                "update",
                &nulls,
                meta("null", "null", "xform_stamp", "xform_closes", "null"),
                "changed\nwhere xform_matched is not null",
            ),
        ];
        if self.config.hard_deletes != HardDeletes::Ignore {
            branches.push(branch(
                "delete",
                &nulls,
                meta(
                    "null",
                    "null",
                    self.now(),
                    &format!("gone.{}", self.q(&c.scd_id)),
                    "null",
                ),
                "gone",
            ));
        }
        if new_record {
            // The deleted row's last values, for the columns the table already has.
            let kept: Vec<String> = self
                .input
                .source_columns
                .iter()
                .map(|col| match find(existing, &col.name) {
                    Some(_) => format!("gone.{}", self.q(&col.name)),
                    None => format!("null as {}", self.q(&col.name)),
                })
                .collect();
            let scd = self.hash(&[&format!("gone.{}", self.q(&c.scd_id)), self.now()]);
            branches.push(branch(
                "insert",
                &kept,
                meta(
                    self.now(),
                    self.now(),
                    &format!("gone.{}", self.q(&c.valid_to)),
                    &scd,
                    "'True'",
                ),
                "gone",
            ));
        }
        Ok(format!(
            "with {}\n{}",
            ctes.join(",\n"),
            branches.join("\nunion all\n")
        ))
    }

    /// When a matched source row differs from its current version, as a SQL condition.
    fn row_changed(&self, existing: &[Column]) -> Result<String, PlanError> {
        let columns = match &self.config.strategy {
            Strategy::Timestamp { .. } => {
                return Ok(format!(
                    "current_rows.{} < source_rows.xform_stamp",
                    self.q(&self.config.columns.valid_from)
                ));
            }
            Strategy::Check { columns, .. } => columns,
        };
        let checked: Vec<&str> = match columns {
            CheckCols::All => self
                .input
                .source_columns
                .iter()
                .map(|c| c.name.as_str())
                .collect(),
            CheckCols::List(names) => names
                .iter()
                .map(|name| {
                    find(self.input.source_columns, name)
                        .map(|c| c.name.as_str())
                        .ok_or_else(|| PlanError::SnapshotCheckColumnMissing {
                            node: self.input.node.unique_id.clone(),
                            column: name.clone(),
                        })
                })
                .collect::<Result<_, _>>()?,
        };
        // A checked column the table lacks yet: dbt counts every row as changed, once.
        if checked.iter().any(|name| find(existing, name).is_none()) {
            return Ok("true".to_string());
        }
        if checked.is_empty() {
            return Ok("false".to_string());
        }
        Ok(checked
            .iter()
            .map(|name| {
                let col = self.q(name);
                format!("current_rows.{col} is distinct from source_rows.{col}")
            })
            .collect::<Vec<_>>()
            .join(" or "))
    }
}
