//! Each dataset's workbench state between sessions (the feature spec and target, the training
//! set-up): kept in the project's store, keyed by the file's canonical path, one JSON text per
//! pane. The TUI and any other front end use these two calls.

use std::collections::BTreeMap;
use std::path::Path;

use crate::pipeline::Result;
use crate::pipeline::runs::Store;

/// What was kept for one dataset: pane → its state (JSON).
pub type Memory = BTreeMap<String, String>;

/// The key a dataset is kept under: its canonical path (the same file reached by another
/// relative path is the same dataset), or the path as given when it cannot be resolved.
pub fn key(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

/// Keep each `(pane, state)` for the dataset at `path`.
pub fn remember(store_dir: &Path, path: &Path, states: &[(String, String)]) -> Result<()> {
    let store = Store::open(store_dir)?;
    let key = key(path);
    for (pane, state) in states {
        store.remember(&key, pane, state)?;
    }
    Ok(())
}

/// What was kept for the dataset at `path`; nothing when there is no store yet.
pub fn recall(store_dir: &Path, path: &Path) -> Result<Memory> {
    let Some(store) = Store::open_read_only(store_dir)? else {
        return Ok(Memory::new());
    };
    Ok(store.recall(&key(path))?.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dataset_reached_by_another_path_is_the_same_dataset() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        std::fs::write(data.join("a.csv"), "x\n1\n").unwrap();
        let store = dir.path().join(".mlwb");
        assert!(recall(&store, &data.join("a.csv")).unwrap().is_empty());
        let state = vec![("features".to_string(), "{}".to_string())];
        remember(&store, &data.join("a.csv"), &state).unwrap();
        let other = data.join("..").join("data").join("a.csv");
        assert_eq!(
            recall(&store, &other).unwrap().get("features").unwrap(),
            "{}"
        );
    }
}
