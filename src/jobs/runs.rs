//! The leaderboard's data as an application service: which runs are comparable under a
//! set-up (a [`RunsQuery`]) and reading them from the store.

use std::path::Path;
use std::sync::Arc;

use crate::jobs::study::{self, ValidationChoice};
use crate::pipeline::Result;
use crate::pipeline::data::Dataset;
use crate::pipeline::features::{self, FeatureSpec};
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::runs::{RunRecord, Store};
use crate::pipeline::train::TaskKind;

/// Which runs the leaderboard compares: one dataset and target, and one task, validation
/// (rows included: the seed) and feature spec.
#[derive(Clone, Debug)]
pub struct RunsQuery {
    pub fingerprint: String,
    pub target: Option<String>,
    /// `None` while the set-up has no task (then nothing is comparable).
    pub task: Option<TaskKind>,
    pub seed: u64,
    /// The feature spec as the Features pane has it (its hash is taken on the data's schema).
    pub spec: Option<Arc<FeatureSpec>>,
    /// Which of the Features pane's specs that is (queries compare this, not every column).
    pub spec_revision: u64,
    pub validation: ValidationChoice,
    /// The validation's comparability key, when known (a test file's needs its fingerprint).
    pub key: Option<String>,
}

impl RunsQuery {
    /// The same set-up, whatever key a study resolved for it (the key a study plans with is
    /// the one its set-up computes).
    pub fn same_setup(&self, other: &Self) -> bool {
        self.fingerprint == other.fingerprint
            && self.target == other.target
            && self.task == other.task
            && self.seed == other.seed
            && self.spec_revision == other.spec_revision
            && self.validation == other.validation
    }
}

/// What a leaderboard load hands back.
#[derive(Clone, Debug)]
pub struct RunsLoaded {
    pub query: Option<RunsQuery>,
    pub key: Option<String>,
    pub runs: Vec<RunRecord>,
    /// Runs found orphaned and marked interrupted when the store was opened.
    pub interrupted: usize,
}

/// Open the store and read the runs comparable under `query` (its spec checked on
/// `dataset`'s schema for the spec's hash). `None`: only open the store, which marks runs
/// whose process has gone as interrupted.
pub fn load(
    store_dir: &Path,
    query: Option<RunsQuery>,
    dataset: Option<&Dataset>,
    cancel: &CancelFlag,
) -> Result<RunsLoaded> {
    let store = Store::open_to_read(store_dir)?;
    let interrupted = store.interrupted_at_open();
    let Some(q) = query else {
        return Ok(RunsLoaded {
            query: None,
            key: None,
            runs: Vec::new(),
            interrupted,
        });
    };
    let key = match &q.key {
        Some(k) => k.clone(),
        None => {
            // Nothing is comparable while the set-up has no task or no valid spec.
            let hash = q.spec.as_ref().zip(dataset).and_then(|(spec, ds)| {
                let spec =
                    crate::pipeline::train::spec_for_target(spec, q.target.as_deref()).ok()?;
                features::check(&spec, ds.df.schema())
                    .ok()
                    .map(|v| v.hash())
            });
            let (Some(task), Some(hash)) = (q.task, hash) else {
                return Ok(RunsLoaded {
                    query: Some(q),
                    key: None,
                    runs: Vec::new(),
                    interrupted,
                });
            };
            study::resolve_validation(&q.validation, None, cancel)?
                .0
                .comparison_key(task, q.seed, &hash)
        }
    };
    let runs = store.comparable(&q.fingerprint, q.target.as_deref(), &key)?;
    Ok(RunsLoaded {
        query: Some(q),
        key: Some(key),
        runs,
        interrupted,
    })
}
