//! The vocabulary between the app and its background work: the [`Effect`]s that `update`
//! asks for and the [`JobOutput`]s that jobs hand back. [`super::runner`] interprets them.

use std::path::PathBuf;
use std::sync::Arc;

pub use super::panes::JobOutput;
use crate::jobs::runs::RunsQuery;
use crate::jobs::study::StudySpec;
use crate::jobs::{JobEvent, JobHandle};
use crate::pipeline::data::Dataset;
use crate::pipeline::drift::ValidDriftOptions;
use crate::pipeline::features::{FeatureSpec, ValidFeatureSpec};
use crate::pipeline::profile::DatasetProfile;
use crate::pipeline::runs::DriftCheck;
use crate::pipeline::view::ViewSpec;

/// Work the runtime must start for the app. Jobs report back as [`JobMessage`]s.
#[derive(Debug)]
pub enum Effect {
    Load {
        job: JobHandle,
        path: PathBuf,
        preview: bool,
        /// Where to read what was kept for this table in earlier sessions (`None`: nothing).
        store_dir: Option<PathBuf>,
    },
    /// Keep the panes' state (pane, JSON) of the table at `dataset` for the next session.
    Remember {
        job: JobHandle,
        store_dir: PathBuf,
        dataset: PathBuf,
        states: Vec<(String, String)>,
    },
    ComputeView {
        job: JobHandle,
        dataset: Arc<Dataset>,
        spec: ViewSpec,
    },
    /// Fit a feature spec on the table and preview it.
    FitFeatures {
        job: JobHandle,
        dataset: Arc<Dataset>,
        /// The table's profile: a linear step's After is drawn on its bins.
        profile: Option<Arc<DatasetProfile>>,
        spec: Box<ValidFeatureSpec>,
    },
    SaveSpec {
        job: JobHandle,
        spec: Box<FeatureSpec>,
        path: PathBuf,
    },
    LoadSpec {
        job: JobHandle,
        path: PathBuf,
    },
    /// Train a study in the background, recording its runs in the store.
    TrainStudy {
        job: JobHandle,
        spec: Box<StudySpec>,
        store_dir: PathBuf,
    },
    /// Read the comparable runs from the store (`None`: only open it, which marks orphaned
    /// runs interrupted).
    LoadRuns {
        job: JobHandle,
        store_dir: PathBuf,
        query: Option<RunsQuery>,
        /// The table the query's spec is checked on (for the spec's hash).
        dataset: Option<Arc<Dataset>>,
    },
    /// Load both files, check drift, record the check in the store.
    DriftCheck {
        job: JobHandle,
        reference: PathBuf,
        current: PathBuf,
        options: Box<ValidDriftOptions>,
        store_dir: PathBuf,
    },
    /// Save a baseline of the reference file to `out`.
    SaveBaseline {
        job: JobHandle,
        reference: PathBuf,
        out: PathBuf,
    },
    /// List the stored drift checks.
    LoadDriftChecks {
        job: JobHandle,
        store_dir: PathBuf,
    },
    /// Read one stored drift check's report.
    OpenDriftCheck {
        job: JobHandle,
        store_dir: PathBuf,
        check: Box<DriftCheck>,
    },
    Quit,
}

impl Effect {
    /// The job this effect starts and its name (for thread names and logs); `None` for an
    /// effect that starts no job.
    pub fn job(&self) -> Option<(&'static str, &JobHandle)> {
        Some(match self {
            Effect::Load {
                job, preview: true, ..
            } => ("preview", job),
            Effect::Load { job, .. } => ("load", job),
            Effect::Remember { job, .. } => ("remember", job),
            Effect::ComputeView { job, .. } => ("view", job),
            Effect::FitFeatures { job, .. } => ("features", job),
            Effect::SaveSpec { job, .. } => ("save spec", job),
            Effect::LoadSpec { job, .. } => ("open spec", job),
            Effect::TrainStudy { job, .. } => ("train", job),
            Effect::LoadRuns { job, .. } => ("runs", job),
            Effect::DriftCheck { job, .. } => ("drift", job),
            Effect::SaveBaseline { job, .. } => ("baseline", job),
            Effect::LoadDriftChecks { job, .. } => ("drift checks", job),
            Effect::OpenDriftCheck { job, .. } => ("drift check", job),
            Effect::Quit => return None,
        })
    }
}

/// Messages from jobs to the app.
pub type JobMessage = JobEvent<JobOutput>;
