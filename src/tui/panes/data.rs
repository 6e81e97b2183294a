//! The Data pane's state: the open dataset, its profile, the sorted/filtered view, the cursor,
//! and the jobs that load and sort. Its rendering lives in `data/view.rs`.

pub mod layout;
pub mod view;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use polars::prelude::{DataType, IdxSize};

use crate::jobs::{JobHandle, JobId};
use crate::pipeline::data::Dataset;
use crate::pipeline::profile::DatasetProfile;
use crate::pipeline::progress::Progress;
use crate::pipeline::text::escape_control;
use crate::pipeline::view::ViewSpec;
use crate::pipeline::{PipelineError, Result};
use crate::tui::app::{Action, Effect, JobOutput, progress_label};

/// A file being loaded: a quick preview job and the full load + profile job.
#[derive(Clone, Debug)]
pub struct Loading {
    pub path: PathBuf,
    pub preview: Option<JobHandle>,
    pub full: JobHandle,
    pub progress: Option<Progress>,
    pub started: Instant,
}

/// A sort/filter computation in flight.
#[derive(Clone, Debug)]
pub struct ViewJob {
    pub job: JobHandle,
    pub spec: ViewSpec,
    pub started: Instant,
}

/// Everything the Data pane shows.
#[derive(Clone, Debug, Default)]
pub struct DataState {
    /// Datasets the user can switch between (demo files, opened files).
    pub catalog: Vec<PathBuf>,
    pub current: usize,
    pub dataset: Option<Arc<Dataset>>,
    pub profile: Option<Arc<DatasetProfile>>,
    /// Display width of each column.
    pub widths: Vec<u16>,
    pub loading: Option<Loading>,
    /// The view the user asked for.
    pub view: ViewSpec,
    /// The view `view_rows` shows (differs from `view` while a view job runs).
    pub shown_view: ViewSpec,
    pub view_rows: Option<Arc<Vec<IdxSize>>>,
    pub view_job: Option<ViewJob>,
    /// Cursor row within the view, and the first row on screen.
    pub row: usize,
    pub offset: usize,
    /// Selected column, and the first column on screen.
    pub col: usize,
    pub col_offset: usize,
    /// Show the selected column's full profile.
    pub details: bool,
}

impl DataState {
    pub fn new(catalog: Vec<PathBuf>) -> DataState {
        DataState {
            catalog,
            ..DataState::default()
        }
    }

    /// Rows in the current view.
    pub fn view_len(&self) -> usize {
        match (&self.view_rows, &self.dataset) {
            (Some(rows), _) => rows.len(),
            (None, Some(ds)) => ds.df.height(),
            (None, None) => 0,
        }
    }

    pub fn selected_column_name(&self) -> Option<String> {
        let ds = self.dataset.as_ref()?;
        ds.df
            .get_column_names()
            .get(self.col)
            .map(|s| s.to_string())
    }

    pub fn has_column(&self, name: &str) -> bool {
        self.dataset
            .as_ref()
            .is_some_and(|d| d.df.column(name).is_ok())
    }

    /// Start loading `path`: a preview for the first rows and the full load.
    pub fn open(&mut self, path: PathBuf) -> Vec<Effect> {
        self.cancel_jobs();
        match self.catalog.iter().position(|p| *p == path) {
            Some(i) => self.current = i,
            None => {
                self.catalog.push(path.clone());
                self.current = self.catalog.len() - 1;
            }
        }
        let preview = JobHandle::new();
        let full = JobHandle::new();
        self.loading = Some(Loading {
            path: path.clone(),
            preview: Some(preview.clone()),
            full: full.clone(),
            progress: None,
            started: Instant::now(),
        });
        vec![
            Effect::Load {
                job: preview,
                path: path.clone(),
                preview: true,
            },
            Effect::Load {
                job: full,
                path,
                preview: false,
            },
        ]
    }

    /// Cancel running jobs; returns what was cancelled, if anything.
    pub fn cancel_jobs(&mut self) -> Option<&'static str> {
        let mut what = None;
        if let Some(l) = self.loading.take() {
            l.full.cancel.cancel();
            if let Some(p) = l.preview {
                p.cancel.cancel();
            }
            what = Some("loading");
        }
        if let Some(v) = self.view_job.take() {
            v.job.cancel.cancel();
            self.view = self.shown_view.clone();
            what = what.or(Some("sorting/filtering"));
        }
        what
    }

    /// Ask for the rows of `self.view` to be computed (or reset to file order).
    pub fn recompute_view(&mut self) -> Vec<Effect> {
        if let Some(v) = self.view_job.take() {
            v.job.cancel.cancel();
        }
        let Some(dataset) = self.dataset.clone() else {
            return Vec::new();
        };
        if self.view.is_identity() {
            self.shown_view = ViewSpec::default();
            self.view_rows = None;
            self.row = 0;
            self.offset = 0;
            return Vec::new();
        }
        let job = JobHandle::new();
        self.view_job = Some(ViewJob {
            job: job.clone(),
            spec: self.view.clone(),
            started: Instant::now(),
        });
        vec![Effect::ComputeView {
            job,
            dataset,
            spec: self.view.clone(),
        }]
    }

    pub fn on_progress(&mut self, id: JobId, p: Progress) {
        if let Some(l) = &mut self.loading
            && l.full.id == id
        {
            l.progress = Some(p);
        }
    }

    /// A job finished. Results of jobs that are no longer current are dropped.
    pub fn on_finished(
        &mut self,
        id: JobId,
        result: Result<JobOutput>,
        size: (u16, u16),
    ) -> Result<Vec<Effect>> {
        let is_preview = self
            .loading
            .as_ref()
            .and_then(|l| l.preview.as_ref())
            .is_some_and(|p| p.id == id);
        let is_full = self.loading.as_ref().is_some_and(|l| l.full.id == id);
        let is_view = self.view_job.as_ref().is_some_and(|v| v.job.id == id);
        if !(is_preview || is_full || is_view) {
            return Ok(Vec::new());
        }
        if is_preview && let Some(l) = &mut self.loading {
            l.preview = None;
        }
        if is_full {
            self.loading = None;
        }
        if is_view {
            let job = self.view_job.take();
            match result {
                Ok(JobOutput::View(rows)) => {
                    let empty = rows.as_ref().is_some_and(Vec::is_empty);
                    self.view_rows = rows.map(Arc::new);
                    self.shown_view = job.map(|j| j.spec).unwrap_or_default();
                    self.row = 0;
                    self.offset = 0;
                    // An empty result says so, with the way back.
                    if let Some(f) = self.shown_view.filter.as_ref().filter(|_| empty) {
                        return Err(PipelineError::BadRequest(format!(
                            "no rows match {} (Esc clears the filter)",
                            crate::pipeline::text::escape_control(&f.describe())
                        )));
                    }
                    return Ok(Vec::new());
                }
                Ok(_) => return Ok(Vec::new()),
                Err(e) => {
                    self.view = self.shown_view.clone();
                    return Err(e);
                }
            }
        }
        match result {
            Ok(JobOutput::Preview(ds)) => {
                // The full load may have won the race; never replace it with a preview.
                if self
                    .dataset
                    .as_ref()
                    .is_none_or(|d| d.path != ds.path || !d.complete)
                {
                    return Ok(self.set_dataset(*ds, None, size));
                }
                Ok(Vec::new())
            }
            Ok(JobOutput::Loaded(loaded)) => {
                let (ds, profile) = *loaded;
                Ok(self.set_dataset(ds, Some(profile), size))
            }
            Ok(_) => Ok(Vec::new()),
            Err(PipelineError::Cancelled) => Ok(Vec::new()),
            // A preview failing is not news: the full load reports the same problem.
            Err(_) if is_preview => Ok(Vec::new()),
            Err(e) => {
                // Keep a preview of this file on screen only if it is the one that failed.
                if is_full
                    && let Some(ds) = &self.dataset
                    && !ds.complete
                {
                    self.dataset = None;
                    self.profile = None;
                }
                Err(e)
            }
        }
    }

    /// Show a newly loaded table. A sort or filter computed for the previous table never
    /// applies to this one: it is cancelled, and asked for again if the file is the same.
    fn set_dataset(
        &mut self,
        ds: Dataset,
        profile: Option<DatasetProfile>,
        size: (u16, u16),
    ) -> Vec<Effect> {
        let same_file = self.dataset.as_ref().is_some_and(|d| d.path == ds.path);
        if let Some(v) = self.view_job.take() {
            v.job.cancel.cancel();
        }
        self.widths = column_widths(&ds, profile.as_ref());
        self.dataset = Some(Arc::new(ds));
        self.profile = profile.map(Arc::new);
        if !same_file {
            self.row = 0;
            self.offset = 0;
            self.col = 0;
            self.col_offset = 0;
            self.view = ViewSpec::default();
        }
        self.shown_view = ViewSpec::default();
        self.view_rows = None;
        // A sort or filter on a column this table lacks is dropped.
        if self
            .view
            .sort
            .as_ref()
            .is_some_and(|s| !self.has_column(&s.column))
        {
            self.view.sort = None;
        }
        if self
            .view
            .filter
            .as_ref()
            .is_some_and(|f| !self.has_column(&f.column))
        {
            self.view.filter = None;
        }
        self.col = self.col.min(self.widths.len().saturating_sub(1));
        self.row = self.row.min(self.view_len().saturating_sub(1));
        self.keep_cursor_visible(size);
        if self.view.is_identity() {
            Vec::new()
        } else {
            self.recompute_view()
        }
    }

    /// Move the cursor or the column selection.
    pub fn navigate(&mut self, action: &Action, size: (u16, u16)) {
        let n = self.view_len();
        let page = layout::table_rows(size, self.details).max(1);
        let cols = self.widths.len();
        match action {
            Action::Down => self.row = (self.row + 1).min(n.saturating_sub(1)),
            Action::Up => self.row = self.row.saturating_sub(1),
            Action::Top => self.row = 0,
            Action::Bottom => self.row = n.saturating_sub(1),
            Action::HalfPageDown => self.row = (self.row + page / 2).min(n.saturating_sub(1)),
            Action::HalfPageUp => self.row = self.row.saturating_sub(page / 2),
            Action::Left => self.col = self.col.saturating_sub(1),
            Action::Right => self.col = (self.col + 1).min(cols.saturating_sub(1)),
            Action::FirstColumn => self.col = 0,
            Action::LastColumn => self.col = cols.saturating_sub(1),
            Action::Details => self.details = !self.details,
            _ => {}
        }
        self.keep_cursor_visible(size);
    }

    /// Scroll so the cursor row and the selected column are on screen.
    pub fn keep_cursor_visible(&mut self, size: (u16, u16)) {
        let rows = layout::table_rows(size, self.details).max(1);
        if self.row < self.offset {
            self.offset = self.row;
        } else if self.row >= self.offset + rows {
            self.offset = self.row + 1 - rows;
        }
        let avail = layout::table_width(size, self.view_len()) as usize;
        if self.col < self.col_offset {
            self.col_offset = self.col;
        }
        while self.col_offset < self.col {
            let used: usize = self.widths[self.col_offset..=self.col]
                .iter()
                .map(|w| *w as usize + 1)
                .sum();
            if used <= avail {
                break;
            }
            self.col_offset += 1;
        }
    }

    /// The running job, for the status line: label, fraction done, elapsed.
    pub fn job_status(&self, now: Instant) -> Option<(String, Option<f64>, Duration)> {
        if let Some(l) = &self.loading {
            let name = l
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let stage = l
                .progress
                .as_ref()
                .map(progress_label)
                .unwrap_or_else(|| "starting".into());
            let fraction = l
                .progress
                .as_ref()
                .filter(|p| p.total > 0 && p.stage != "parse")
                .map(Progress::fraction);
            return Some((
                format!("loading {} · {stage}", escape_control(&name)),
                fraction,
                now.saturating_duration_since(l.started),
            ));
        }
        self.view_job.as_ref().map(|v| {
            (
                "sorting/filtering".to_string(),
                None,
                now.saturating_duration_since(v.started),
            )
        })
    }
}

/// Display widths per column, from the header, the type and (if known) the profile.
pub fn column_widths(ds: &Dataset, profile: Option<&DatasetProfile>) -> Vec<u16> {
    use unicode_width::UnicodeWidthStr;
    ds.df
        .columns()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            // Two extra cells for the sort marker (▲/▼).
            let name = escape_control(c.name()).width() + 2;
            let dtype = c.dtype().to_string().width();
            let values = match c.dtype() {
                d if d.is_float() => 10,
                d if d.is_integer() => profile
                    .and_then(|p| p.columns.get(i))
                    .and_then(|p| Some(p.min?.abs().max(p.max?.abs())))
                    .map(|m| (m.max(1.0).log10().floor() as usize) + 2)
                    .unwrap_or(8),
                DataType::Boolean => 5,
                DataType::Date => 10,
                DataType::Datetime(_, _) => 19,
                _ => {
                    let s = c.as_materialized_series();
                    let sample = s.slice(0, 200);
                    sample
                        .str()
                        .map(|ca| {
                            ca.iter()
                                .flatten()
                                .map(|v| escape_control(v).width())
                                .max()
                                .unwrap_or(4)
                        })
                        .unwrap_or(12)
                }
            };
            name.max(dtype).max(values).clamp(4, 24) as u16
        })
        .collect()
}
