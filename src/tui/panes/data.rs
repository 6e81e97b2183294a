//! The Data pane's state: the open dataset, its profile, the sorted/filtered view, the cursor,
//! and the jobs that load and sort. Its rendering lives in `data/view.rs`.

pub mod layout;
pub mod view;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use polars::prelude::{DataType, IdxSize};
use ratatui::Frame;
use ratatui::layout::Rect;
use serde::Deserialize;

use crate::jobs::memory::Memory;
use crate::jobs::{JobEvent, JobHandle, JobId};
use crate::pipeline::data::Dataset;
use crate::pipeline::profile::DatasetProfile;
use crate::pipeline::text::escape_control;
use crate::pipeline::view::{Filter, Sort, ViewSpec};
use crate::pipeline::{PipelineError, Result};
use crate::tui::action::Nav;
use crate::tui::effect::Effect;
use crate::tui::pane::{
    Changed, JobSlot, JobStatus, Launch, ListCursor, Outcome, PaneState, Shared, owned,
};
use crate::tui::prompt::{Prompt, PromptKind};
use crate::tui::theme::Theme;

/// The Data pane's actions (its keys in `assets/keymap.toml`, section `data`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataAction {
    Left,
    Right,
    FirstColumn,
    LastColumn,
    Sort,
    Filter,
    Details,
    #[serde(untagged)]
    Nav(Nav),
}

/// What the Data pane's jobs hand back.
#[derive(Debug)]
pub enum DataOutput {
    /// The first rows of a file, shown while the whole file loads.
    Preview(Box<Dataset>),
    /// The whole file, its profile, and what the workbench kept for it in earlier sessions.
    Loaded(Box<(Dataset, DatasetProfile, Memory)>),
    /// The panes' state of a table was kept in the store.
    Remembered,
    /// Row order of a sorted/filtered view (`None`: file order).
    View(Option<Vec<IdxSize>>),
}

/// A file being loaded: a quick preview job and the full load + profile job.
#[derive(Clone, Debug)]
pub struct Loading {
    pub path: PathBuf,
    pub preview: Option<JobHandle>,
    pub full: JobSlot,
}

/// A sort/filter computation in flight.
#[derive(Clone, Debug)]
pub struct ViewJob {
    pub slot: JobSlot,
    pub spec: ViewSpec,
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
    pub rows: ListCursor,
    /// Selected column, and the first column on screen.
    pub col: usize,
    pub col_offset: usize,
    /// Show the selected column's full profile.
    pub details: bool,
    /// The project's store, where each table's workbench state is kept between sessions.
    pub store_dir: PathBuf,
    /// What was kept for the table on screen in earlier sessions.
    pub memory: Arc<Memory>,
    /// Keeping the panes' state of a table left (not shown, not waited for, except at quit).
    pub memory_job: Option<JobSlot>,
}

impl DataState {
    pub fn new(catalog: Vec<PathBuf>, store_dir: PathBuf) -> DataState {
        DataState {
            catalog,
            store_dir,
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
        let (slot, full) = JobSlot::start();
        self.loading = Some(Loading {
            path: path.clone(),
            preview: Some(preview.clone()),
            full: slot,
        });
        vec![
            Effect::Load {
                job: preview,
                path: path.clone(),
                preview: true,
                store_dir: None,
            },
            Effect::Load {
                job: full,
                path,
                preview: false,
                store_dir: Some(self.store_dir.clone()),
            },
        ]
    }

    /// Keep the panes' `states` (pane, JSON) of the table at `path` in the store, for the
    /// next session.
    pub fn remember(&mut self, path: PathBuf, states: Vec<(String, String)>) -> Vec<Effect> {
        if states.is_empty() {
            return Vec::new();
        }
        let (slot, job) = JobSlot::start();
        self.memory_job = Some(slot);
        vec![Effect::Remember {
            job,
            store_dir: self.store_dir.clone(),
            dataset: path,
            states,
        }]
    }

    /// Ask for the rows of `self.view` to be computed (or reset to file order).
    pub fn recompute_view(&mut self) -> Vec<Effect> {
        if let Some(v) = self.view_job.take() {
            v.slot.cancel();
        }
        let Some(dataset) = self.dataset.clone() else {
            return Vec::new();
        };
        if self.view.is_identity() {
            self.shown_view = ViewSpec::default();
            self.view_rows = None;
            self.rows.reset();
            return Vec::new();
        }
        let (slot, job) = JobSlot::start();
        self.view_job = Some(ViewJob {
            slot,
            spec: self.view.clone(),
        });
        vec![Effect::ComputeView {
            job,
            dataset,
            spec: self.view.clone(),
        }]
    }

    /// Sort by the selected column: ascending, descending, off.
    fn toggle_sort(&mut self, name: String) -> Vec<Effect> {
        self.view.sort = match &self.view.sort {
            Some(s) if s.column == name && !s.descending => Some(Sort {
                column: name,
                descending: true,
            }),
            Some(s) if s.column == name => None,
            _ => Some(Sort {
                column: name,
                descending: false,
            }),
        };
        self.recompute_view()
    }

    /// Filter `column` (or the selected one) by `text` (`> 5`, `null`, `adelie`, …).
    pub fn apply_filter(
        &mut self,
        column: Option<String>,
        text: &str,
    ) -> std::result::Result<Vec<Effect>, String> {
        let column = column
            .or_else(|| self.selected_column_name())
            .ok_or(NO_DATASET)?;
        let filter = Filter::parse(&column, text).map_err(|e| e.to_string())?;
        self.view.filter = Some(filter);
        Ok(self.recompute_view())
    }

    /// A job finished. Results of jobs that are no longer current are dropped.
    fn on_finished(
        &mut self,
        id: JobId,
        result: Result<DataOutput>,
        size: (u16, u16),
    ) -> Result<Vec<Effect>> {
        let is_preview = self
            .loading
            .as_ref()
            .and_then(|l| l.preview.as_ref())
            .is_some_and(|p| p.id == id);
        let is_full = self.loading.as_ref().is_some_and(|l| l.full.owns(id));
        let is_view = self.view_job.as_ref().is_some_and(|v| v.slot.owns(id));
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
                Ok(DataOutput::View(rows)) => {
                    let empty = rows.as_ref().is_some_and(Vec::is_empty);
                    self.view_rows = rows.map(Arc::new);
                    self.shown_view = job.map(|j| j.spec).unwrap_or_default();
                    self.rows.reset();
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
            Ok(DataOutput::Preview(ds)) => {
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
            Ok(DataOutput::Loaded(loaded)) => {
                let (ds, profile, memory) = *loaded;
                self.memory = Arc::new(memory);
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
            v.slot.cancel();
        }
        self.widths = column_widths(&ds, profile.as_ref());
        self.dataset = Some(Arc::new(ds));
        self.profile = profile.map(Arc::new);
        if !same_file {
            self.rows.reset();
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
        self.rows.row = self.rows.row.min(self.view_len().saturating_sub(1));
        self.keep_visible(size);
        if self.view.is_identity() {
            Vec::new()
        } else {
            self.recompute_view()
        }
    }

    /// Move the cursor or the column selection.
    fn navigate(&mut self, action: DataAction, size: (u16, u16)) {
        let n = self.view_len();
        let page = layout::table_rows(size, self.details).max(1);
        let cols = self.widths.len();
        match action {
            DataAction::Nav(nav) => {
                self.rows.navigate(nav, n, page);
            }
            DataAction::Left => self.col = self.col.saturating_sub(1),
            DataAction::Right => self.col = (self.col + 1).min(cols.saturating_sub(1)),
            DataAction::FirstColumn => self.col = 0,
            DataAction::LastColumn => self.col = cols.saturating_sub(1),
            DataAction::Details => self.details = !self.details,
            DataAction::Sort | DataAction::Filter => {}
        }
        self.keep_visible(size);
    }
}

impl PaneState for DataState {
    type Action = DataAction;
    type Output = DataOutput;
    const TITLE: &'static str = "Data";
    const SECTION: &'static str = "data";

    fn create(launch: &Launch) -> DataState {
        DataState::new(launch.catalog.to_vec(), launch.store_dir.to_path_buf())
    }

    /// Load the first file given.
    fn start(&mut self, _shared: &Shared) -> Vec<Effect> {
        match self.catalog.first().cloned() {
            Some(path) => self.open(path),
            None => Vec::new(),
        }
    }

    fn nav(action: DataAction) -> Option<Nav> {
        match action {
            DataAction::Nav(n) => Some(n),
            _ => None,
        }
    }

    /// The filter's answer.
    fn on_prompt(&mut self, kind: PromptKind, text: &str, _shared: &Shared) -> Outcome {
        match kind {
            PromptKind::Filter => Outcome::from_result(self.apply_filter(None, text)),
            _ => Outcome::none(),
        }
    }

    /// Esc: cancel loading or sorting, else clear the filter.
    fn escape(&mut self) -> Option<Outcome> {
        if let Some(what) = self.cancel_jobs() {
            return Some(Outcome::cancelled(what));
        }
        self.view.filter.take()?;
        Some(Outcome {
            notice: Some("filter cleared".into()),
            ..Outcome::effects(self.recompute_view())
        })
    }

    /// The table on screen, and the table fully loaded and profiled (never a preview).
    fn publish(&self, shared: &mut Shared) -> Changed {
        let shown = self.dataset.as_ref();
        if shared.shown_path.as_ref() != shown.map(|d| &d.path) {
            shared.shown_path = shown.map(|d| d.path.clone());
        }
        let complete = shown.filter(|d| d.complete && self.profile.is_some());
        let new_table = complete.is_some_and(|d| {
            shared
                .dataset
                .as_ref()
                .is_none_or(|old| !Arc::ptr_eq(old, d))
        });
        if new_table {
            shared.dataset = complete.cloned();
            shared.profile = self.profile.clone();
            shared.memory = Arc::clone(&self.memory);
        }
        Changed {
            table: new_table,
            ..Changed::default()
        }
    }

    fn render(&self, frame: &mut Frame, area: Rect, _shared: &Shared, theme: &Theme) {
        view::render(frame, area, self, theme);
    }

    /// Apply one of this pane's actions.
    fn update(&mut self, action: DataAction, shared: &Shared) -> Outcome {
        match action {
            DataAction::Sort => match self.selected_column_name() {
                Some(name) => Outcome::effects(self.toggle_sort(name)),
                None => Outcome::error(NO_DATASET),
            },
            DataAction::Filter if self.dataset.is_none() => Outcome::error(NO_DATASET),
            DataAction::Filter => Outcome::prompt(Prompt::new(PromptKind::Filter, "")),
            other => {
                self.navigate(other, shared.size);
                Outcome::none()
            }
        }
    }

    /// A job of this pane reported.
    fn on_job(&mut self, event: JobEvent<DataOutput>, shared: &Shared) -> Outcome {
        match event {
            JobEvent::Progress(id, p) => {
                if let Some(l) = self.loading.as_mut().filter(|l| l.full.owns(id)) {
                    l.full.progress = Some(p);
                }
                Outcome::none()
            }
            JobEvent::Update(..) => Outcome::none(),
            JobEvent::Finished(id, result) if owned(&self.memory_job, id) => {
                self.memory_job = None;
                match result {
                    Err(e) => Outcome::error(format!(
                        "could not keep this table's spec and set-up for the next session: {}",
                        escape_control(&e.to_string())
                    )),
                    Ok(_) => Outcome::none(),
                }
            }
            JobEvent::Finished(id, result) => {
                let was_loading = self.loading.is_some();
                match self.on_finished(id, result, shared.size) {
                    Ok(effects) => {
                        let loaded = was_loading && self.loading.is_none();
                        // Say how the file was read when that needed care (encoding, ragged rows).
                        let notice = self
                            .dataset
                            .as_ref()
                            .filter(|d| loaded && d.complete && !d.warnings.is_empty())
                            .map(|ds| {
                                format!(
                                    "⚠ {} (Enter shows the column profile and file notes)",
                                    escape_control(&ds.warnings.join("; "))
                                )
                            });
                        Outcome {
                            effects,
                            notice,
                            ..Outcome::none()
                        }
                    }
                    Err(e) => Outcome::error(escape_control(&e.to_string())),
                }
            }
        }
    }

    /// Whether a job of this pane has this id.
    fn owns(&self, id: JobId) -> bool {
        self.loading
            .as_ref()
            .is_some_and(|l| l.full.owns(id) || l.preview.as_ref().is_some_and(|p| p.id == id))
            || self.view_job.as_ref().is_some_and(|v| v.slot.owns(id))
            || owned(&self.memory_job, id)
    }

    fn busy(&self) -> bool {
        self.loading.is_some() || self.view_job.is_some()
    }

    /// Cancel running jobs; returns what was cancelled, if anything.
    fn cancel_jobs(&mut self) -> Option<&'static str> {
        let mut what = None;
        if let Some(l) = self.loading.take() {
            l.full.cancel();
            if let Some(p) = l.preview {
                p.cancel.cancel();
            }
            what = Some("loading");
        }
        if let Some(v) = self.view_job.take() {
            v.slot.cancel();
            self.view = self.shown_view.clone();
            what = what.or(Some("sorting/filtering"));
        }
        what
    }

    /// The running job, for the status line.
    fn job_status(&self, now: Instant) -> Option<JobStatus> {
        if let Some(l) = &self.loading {
            let name = l
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            return Some(
                l.full
                    .status(&format!("loading {}", escape_control(&name)), now),
            );
        }
        self.view_job.as_ref().map(|v| JobStatus {
            label: "sorting/filtering".to_string(),
            fraction: None,
            elapsed: now.saturating_duration_since(v.slot.started),
        })
    }

    /// Scroll so the cursor row and the selected column are on screen.
    fn keep_visible(&mut self, size: (u16, u16)) {
        let rows = layout::table_rows(size, self.details).max(1);
        self.rows.keep_visible(rows);
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
}

/// What actions that need a table say without one.
pub const NO_DATASET: &str = "no dataset is loaded yet";

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
