//! What the workbench keeps per dataset between sessions: each pane's state for a table (its
//! feature spec and target, its training set-up), as JSON text keyed by the dataset and the
//! pane. The store does not read it; the pane that wrote it does.

use rusqlite::params;

use super::{Store, db_error, now_s};
use crate::pipeline::Result;

/// Largest state kept for one pane and dataset: a spec of a very wide table fits; more is
/// refused rather than stored.
pub const MAX_MEMORY_BYTES: usize = 8 << 20;

impl Store {
    /// Keep `state` as `pane`'s memory of `dataset` (replacing what was kept).
    pub fn remember(&self, dataset: &str, pane: &str, state: &str) -> Result<()> {
        if state.len() > MAX_MEMORY_BYTES {
            return Err(crate::pipeline::PipelineError::BadRequest(format!(
                "the {pane} state of {dataset} is {} bytes, over the {MAX_MEMORY_BYTES} kept",
                state.len()
            )));
        }
        self.conn
            .execute(
                "INSERT INTO memories (dataset, pane, state, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (dataset, pane) DO UPDATE
                 SET state = excluded.state, updated_at = excluded.updated_at",
                params![dataset, pane, state, now_s()],
            )
            .map_err(|e| db_error(&self.dir, e))?;
        Ok(())
    }

    /// Every pane's memory of `dataset`, as `(pane, state)`.
    pub fn recall(&self, dataset: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT pane, state FROM memories WHERE dataset = ?1 ORDER BY pane")
            .map_err(|e| db_error(&self.dir, e))?;
        let rows = stmt
            .query_map([dataset], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| db_error(&self.dir, e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| db_error(&self.dir, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memory_is_replaced_per_dataset_and_pane_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.remember("/d/a.csv", "features", "{\"v\":1}").unwrap();
        store.remember("/d/a.csv", "train", "{\"t\":1}").unwrap();
        store.remember("/d/a.csv", "features", "{\"v\":2}").unwrap();
        store.remember("/d/b.csv", "features", "{\"v\":3}").unwrap();
        assert_eq!(
            store.recall("/d/a.csv").unwrap(),
            vec![
                ("features".to_string(), "{\"v\":2}".to_string()),
                ("train".to_string(), "{\"t\":1}".to_string())
            ]
        );
        assert!(store.recall("/d/c.csv").unwrap().is_empty());
        let huge = "x".repeat(MAX_MEMORY_BYTES + 1);
        assert!(store.remember("/d/a.csv", "features", &huge).is_err());
    }
}
