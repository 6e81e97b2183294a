//! The one interpreter of effects: [`Runner::execute`] does an effect's work and returns its
//! output. The event loop runs it on a job thread ([`Runner::spawn`]); the TUI tests call the
//! same function, so what they check is what the app runs.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::effect::{Effect, JobMessage, JobOutput};
use super::panes::data::DataOutput;
use super::panes::drift::DriftOutput;
use super::panes::features::{FeaturesOutput, PREVIEW_HEAD_ROWS, PREVIEW_SAMPLE_ROWS};
use super::panes::train::TrainOutput;
use crate::jobs;
use crate::jobs::study::{self, Executor};
use crate::jobs::worker::WorkerCommand;
use crate::pipeline::features::{self, FeatureSpec};
use crate::pipeline::progress::{CancelFlag, Progress};
use crate::pipeline::runs::Store;
use crate::pipeline::view as data_view;
use crate::pipeline::{PipelineError, Result};

/// Runs effects. Files are loaded and models trained in worker processes of `worker`, so no
/// file can crash the UI and Esc kills the work outright.
#[derive(Clone, Debug)]
pub struct Runner {
    worker: WorkerCommand,
}

impl Runner {
    /// A runner whose workers are started from `exe` (the mlwb binary).
    pub fn new(exe: PathBuf) -> Runner {
        Runner {
            worker: WorkerCommand { exe },
        }
    }

    /// A runner whose workers are this process's own binary.
    pub fn current() -> Result<Runner> {
        Ok(Runner {
            worker: WorkerCommand::current()?,
        })
    }

    /// Start `effect`'s job on its own thread; its reports and result go to `tx`.
    pub fn spawn(self: &Arc<Self>, effect: Effect, tx: UnboundedSender<JobMessage>) {
        let Some((name, job)) = effect.job().map(|(n, j)| (n, j.clone())) else {
            return;
        };
        let runner = Arc::clone(self);
        jobs::spawn_with_updates(
            name,
            &job,
            move |cancel, progress, update| runner.execute(effect, cancel, progress, update),
            move |event: JobMessage| {
                let _ = tx.send(event);
            },
        );
    }

    /// Do an effect's work: report progress and partial results as it goes, stop soon after
    /// `cancel`, and return the output the app's `on_job` takes.
    pub fn execute(
        &self,
        effect: Effect,
        cancel: &CancelFlag,
        progress: &(dyn Fn(Progress) + Sync),
        update: &(dyn Fn(JobOutput) + Sync),
    ) -> Result<JobOutput> {
        match effect {
            Effect::Load {
                path,
                preview: true,
                ..
            } => self
                .worker
                .preview(&path, cancel, progress)
                .map(|dataset| JobOutput::Data(DataOutput::Preview(Box::new(dataset)))),
            Effect::Load {
                path, store_dir, ..
            } => {
                let (dataset, profile) = self.worker.load_profile(&path, None, cancel, progress)?;
                // What was kept is a convenience: a store that cannot be read costs it, not
                // the file (the Train pane reports the store's problem).
                let memory = store_dir
                    .and_then(|dir| jobs::memory::recall(&dir, &path).ok())
                    .unwrap_or_default();
                Ok(JobOutput::Data(DataOutput::Loaded(Box::new((
                    dataset, profile, memory,
                )))))
            }
            Effect::Remember {
                store_dir,
                dataset,
                states,
                ..
            } => jobs::memory::remember(&store_dir, &dataset, &states)
                .map(|()| JobOutput::Data(DataOutput::Remembered)),
            Effect::ComputeView { dataset, spec, .. } => {
                data_view::compute(&dataset.df, &spec, cancel)
                    .map(|rows| JobOutput::Data(DataOutput::View(rows)))
            }
            Effect::FitFeatures {
                dataset,
                profile,
                spec,
                ..
            } => features::preview(
                &spec,
                &dataset.df,
                PREVIEW_HEAD_ROWS,
                PREVIEW_SAMPLE_ROWS,
                profile.as_deref(),
                cancel,
                progress,
            )
            .map(|p| JobOutput::Features(FeaturesOutput::Fitted(Box::new(p)))),
            Effect::SaveSpec { spec, path, .. } => {
                spec.write(&path)?;
                Ok(JobOutput::Features(FeaturesOutput::SpecSaved(path)))
            }
            Effect::LoadSpec { path, .. } => {
                let spec = FeatureSpec::read(&path)?;
                Ok(JobOutput::Features(FeaturesOutput::SpecLoaded(Box::new((
                    spec, path,
                )))))
            }
            Effect::TrainStudy {
                spec, store_dir, ..
            } => {
                let store = Store::open(&store_dir)?;
                let executor = Executor::Worker(self.worker.clone());
                let on_event = |e| update(JobOutput::Train(TrainOutput::Study(Box::new(e))));
                study::run_study(&spec, &store, &executor, cancel, &on_event)
                    .map(|outcome| JobOutput::Train(TrainOutput::StudyDone(Box::new(outcome))))
            }
            Effect::LoadRuns {
                store_dir,
                query,
                dataset,
                ..
            } => jobs::runs::load(&store_dir, query, dataset.as_deref(), cancel)
                .map(|l| JobOutput::Train(TrainOutput::Runs(Box::new(l)))),
            Effect::DriftCheck {
                reference,
                current,
                options,
                store_dir,
                ..
            } => jobs::drift::check_and_record(
                &reference, &current, &options, &store_dir, cancel, progress,
            )
            .map(|r| JobOutput::Drift(DriftOutput::Checked(Box::new(r)))),
            Effect::SaveBaseline { reference, out, .. } => {
                jobs::drift::save_baseline(&reference, &out, cancel, progress)
                    .map(|m| JobOutput::Drift(DriftOutput::BaselineSaved(m)))
            }
            Effect::LoadDriftChecks { store_dir, .. } => jobs::drift::stored_checks(&store_dir)
                .map(|c| JobOutput::Drift(DriftOutput::Checks(c))),
            Effect::OpenDriftCheck {
                store_dir, check, ..
            } => jobs::drift::open_check(&store_dir, &check)
                .map(|r| JobOutput::Drift(DriftOutput::Checked(Box::new(r)))),
            Effect::Quit => Err(PipelineError::Internal(
                "quitting is not a job: the event loop handles it".into(),
            )),
        }
    }
}
