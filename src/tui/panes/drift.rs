//! The Drift pane's state: the reference and current files, the check running in the
//! background, its report (columns sorted by drift, the selected column, a test switched in
//! place), and the stored checks that can be reopened.

pub mod layout;
pub mod view;

use std::path::{Path, PathBuf};
use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::Rect;
use serde::Deserialize;

use crate::jobs::drift::CheckedDrift;
use crate::jobs::{JobEvent, JobHandle, JobId};
use crate::pipeline::PipelineError;
use crate::pipeline::drift::{DriftOptions, Method, ValidDriftOptions};
use crate::pipeline::progress::Stage;
use crate::pipeline::runs::DriftCheck;
use crate::pipeline::text::escape_control;
use crate::tui::action::Nav;
use crate::tui::effect::Effect;
use crate::tui::pane::{JobSlot, JobStatus, Launch, ListCursor, Outcome, PaneState, Shared, owned};
use crate::tui::theme::Theme;

/// The Drift pane's actions (its keys in `assets/keymap.toml`, section `drift`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftAction {
    RunDrift,
    NextTest,
    PrevTest,
    UseAsReference,
    UseAsCurrent,
    DriftHistory,
    Details,
    #[serde(untagged)]
    Nav(Nav),
}

/// What the Drift pane's jobs hand back.
#[derive(Debug)]
pub enum DriftOutput {
    /// A drift check, run now or read from the store.
    Checked(Box<CheckedDrift>),
    /// The drift checks stored in the project, newest first.
    Checks(Vec<DriftCheck>),
    /// A drift baseline was written; what to tell the user.
    BaselineSaved(String),
}

/// The list of stored checks (open while `Some`).
pub struct History {
    pub checks: Vec<DriftCheck>,
    pub list: ListCursor,
}

pub struct DriftState {
    pub store_dir: PathBuf,
    pub reference: Option<PathBuf>,
    pub current: Option<PathBuf>,
    pub options: ValidDriftOptions,
    pub check: Option<JobSlot>,
    pub result: Option<CheckedDrift>,
    /// Column indices in display order (most drifted first).
    pub order: Vec<usize>,
    /// Position in `order`, and the first row on screen.
    pub list: ListCursor,
    pub history: Option<History>,
    pub history_job: Option<JobHandle>,
    /// Saving a baseline of the reference (`:baseline FILE`).
    pub baseline_job: Option<JobHandle>,
}

impl DriftState {
    pub fn new(store_dir: PathBuf) -> DriftState {
        DriftState {
            store_dir,
            reference: None,
            current: None,
            options: ValidDriftOptions::default(),
            check: None,
            result: None,
            order: Vec::new(),
            list: ListCursor::default(),
            history: None,
            history_job: None,
            baseline_job: None,
        }
    }

    pub fn set_reference(&mut self, path: PathBuf) {
        self.reference = Some(path);
    }

    pub fn set_current(&mut self, path: PathBuf) {
        self.current = Some(path);
    }

    /// `:method [COL=]TEST`, `:threshold [COL=]X`, `:driftshare X`, `:exclude COLS` (empty:
    /// back to the default).
    pub fn set_option(&mut self, what: &str, text: &str) -> Result<String, String> {
        let mut next = DriftOptions::clone(&self.options);
        next.set(what, text)?;
        self.options = next.check().map_err(|e| e.to_string())?;
        Ok("drift options set: r checks again with them".into())
    }

    /// Start a check of the chosen pair.
    pub fn start(&mut self) -> Result<Vec<Effect>, String> {
        if self.check.is_some() {
            return Err("a drift check is already running (Esc cancels it)".into());
        }
        let (Some(reference), Some(current)) = (self.reference.clone(), self.current.clone())
        else {
            return Err(
                "choose both files first: :drift REFERENCE CURRENT, or R / C to take the Data \
                 pane's file"
                    .into(),
            );
        };
        let (slot, job) = JobSlot::start();
        let effect = Effect::DriftCheck {
            job,
            reference,
            current,
            options: Box::new(self.options.clone()),
            store_dir: self.store_dir.clone(),
        };
        self.check = Some(slot);
        self.history = None;
        Ok(vec![effect])
    }

    /// A check finished (or a stored one was read): show it from the most drifted column.
    fn on_result(&mut self, id: JobId, result: CheckedDrift) -> String {
        if owned(&self.check, id) {
            self.check = None;
        }
        if self.history_job.as_ref().is_some_and(|j| j.id == id) {
            self.history_job = None;
        }
        self.history = None;
        self.order = result.report.by_drift();
        self.list.reset();
        let line = crate::pipeline::drift::report::verdict_line(&result.report);
        let id = result.meta.check_id;
        self.result = Some(result);
        match id {
            Some(id) => format!("drift check {id}: {line}"),
            None => line,
        }
    }

    fn on_history(&mut self, id: JobId, checks: Vec<DriftCheck>) -> Option<String> {
        if self.history_job.as_ref().is_none_or(|j| j.id != id) {
            return None;
        }
        self.history_job = None;
        if checks.is_empty() {
            return Some("no drift check is stored yet: r runs one".into());
        }
        self.history = Some(History {
            checks,
            list: ListCursor::default(),
        });
        None
    }

    /// `:baseline FILE`: save a baseline of the reference, so later checks (`:reference FILE`)
    /// need no reference data.
    pub fn save_baseline(&mut self, out: Option<PathBuf>) -> Result<Vec<Effect>, String> {
        if self.baseline_job.is_some() {
            return Err("a baseline is already being saved".into());
        }
        let Some(reference) = self.reference.clone() else {
            return Err("choose the reference first (:reference PATH, or R)".into());
        };
        let Some(out) = out else {
            return Err("usage: :baseline FILE (where to save the reference's baseline)".into());
        };
        let job = JobHandle::new();
        self.baseline_job = Some(job.clone());
        Ok(vec![Effect::SaveBaseline {
            job,
            reference,
            out,
        }])
    }

    /// A baseline was saved: say where and how to use it.
    fn on_baseline_saved(&mut self, id: JobId, message: String) -> Option<String> {
        if self.baseline_job.as_ref().is_some_and(|j| j.id == id) {
            self.baseline_job = None;
            Some(message)
        } else {
            None
        }
    }

    /// A job of this pane failed.
    fn on_error(&mut self, id: JobId) {
        if self.baseline_job.as_ref().is_some_and(|j| j.id == id) {
            self.baseline_job = None;
        }
        if owned(&self.check, id) {
            self.check = None;
        }
        if self.history_job.as_ref().is_some_and(|j| j.id == id) {
            self.history_job = None;
        }
    }

    /// Open or close the list of stored checks.
    fn toggle_history(&mut self) -> Vec<Effect> {
        if self.history.take().is_some() {
            return Vec::new();
        }
        let job = JobHandle::new();
        self.history_job = Some(job.clone());
        vec![Effect::LoadDriftChecks {
            job,
            store_dir: self.store_dir.clone(),
        }]
    }

    /// Reopen the stored check under the history cursor.
    fn open_selected(&mut self) -> Vec<Effect> {
        let Some(check) = self
            .history
            .as_ref()
            .and_then(|h| h.checks.get(h.list.row).cloned())
        else {
            return Vec::new();
        };
        let job = JobHandle::new();
        self.history_job = Some(job.clone());
        vec![Effect::OpenDriftCheck {
            job,
            store_dir: self.store_dir.clone(),
            check: Box::new(check),
        }]
    }

    /// The selected column's index in the report.
    pub fn selected(&self) -> Option<usize> {
        self.order.get(self.list.row).copied()
    }

    /// Switch the selected column to its next (or previous) applicable test.
    fn cycle_test(&mut self, forward: bool) -> Result<String, String> {
        let Some(result) = self.result.as_mut() else {
            return Err("no drift check yet: r runs one".into());
        };
        let Some(col) = self
            .order
            .get(self.list.row)
            .and_then(|&i| result.report.columns.get(i))
        else {
            return Err("no column is selected".into());
        };
        if col.tests.is_empty() {
            return Err(format!("{} is not tested: {}", col.name, col.reason));
        }
        let tests: Vec<Method> = col.tests.iter().map(|t| t.test).collect();
        let at = tests.iter().position(|t| Some(*t) == col.test).unwrap_or(0);
        let n = tests.len();
        let next = tests[if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        }];
        let name = col.name.clone();
        result
            .report
            .set_test(&name, next, None)
            .map_err(|e| e.to_string())?;
        let col = result
            .report
            .columns
            .iter()
            .find(|c| c.name == name)
            .ok_or("the column went away")?;
        Ok(format!(
            "{name}: {} {} → {}; {}",
            next.label(),
            col.score
                .map(crate::pipeline::text::format_number)
                .unwrap_or_default(),
            if col.drifted { "drift" } else { "no drift" },
            crate::pipeline::drift::report::verdict_line(&result.report)
        ))
    }

    fn navigate(&mut self, nav: Nav, size: (u16, u16)) {
        let page = self.table_height(size);
        match self.history.as_mut() {
            Some(h) => {
                // The stored checks scroll as the whole list is on screen: no half pages.
                if !matches!(nav, Nav::HalfPageDown | Nav::HalfPageUp) {
                    h.list.navigate(nav, h.checks.len(), h.checks.len());
                }
            }
            None => self.list.navigate(nav, self.order.len(), page),
        }
    }

    /// Rows the column table shows at this terminal size (see `layout::split`).
    pub fn table_height(&self, size: (u16, u16)) -> usize {
        let body = crate::tui::panes::data::layout::body(size);
        let inner = layout::split(body, self.table_wanted())
            .table
            .height
            .saturating_sub(2);
        let findings = self.result.as_ref().map_or(0, |r| r.report.findings.len());
        layout::table_lines(inner, self.order.len(), findings).0
    }

    /// The table's height that shows every column and finding: borders, the header line,
    /// the rows, and the findings after a blank line.
    pub fn table_wanted(&self) -> u16 {
        let findings = self.result.as_ref().map_or(0, |r| r.report.findings.len());
        let lines = 3 + self.order.len() + if findings > 0 { 1 + findings } else { 0 };
        u16::try_from(lines).unwrap_or(u16::MAX)
    }
}

impl PaneState for DriftState {
    type Action = DriftAction;
    type Output = DriftOutput;
    const TITLE: &'static str = "Drift";
    const SECTION: &'static str = "drift";

    /// Two files given whose names say reference and current are the pair to compare.
    fn create(launch: &Launch) -> DriftState {
        let mut drift = DriftState::new(launch.store_dir.to_path_buf());
        if let Some((r, c)) = reference_pair(launch.catalog) {
            drift.set_reference(r);
            drift.set_current(c);
        }
        drift
    }

    fn nav(action: DriftAction) -> Option<Nav> {
        match action {
            DriftAction::Nav(n) => Some(n),
            _ => None,
        }
    }

    /// Esc: close the list of stored checks, else cancel the check.
    fn escape(&mut self) -> Option<Outcome> {
        if self.history.take().is_some() {
            return Some(Outcome::none());
        }
        self.cancel_jobs().map(Outcome::cancelled)
    }

    fn render(&self, frame: &mut Frame, area: Rect, _shared: &Shared, theme: &Theme) {
        view::render(frame, area, self, theme);
    }

    /// Apply one of this pane's actions.
    fn update(&mut self, action: DriftAction, shared: &Shared) -> Outcome {
        let outcome = match action {
            DriftAction::RunDrift => Outcome::from_result(self.start()),
            DriftAction::NextTest | DriftAction::PrevTest => {
                Outcome::said(self.cycle_test(action == DriftAction::NextTest))
            }
            DriftAction::UseAsReference | DriftAction::UseAsCurrent => {
                let Some(path) = shared.shown_path.clone() else {
                    return Outcome::error("no dataset is open in the Data pane");
                };
                let name = escape_control(&path.display().to_string()).into_owned();
                if action == DriftAction::UseAsReference {
                    self.set_reference(path);
                    Outcome::notice(format!("reference: {name}"))
                } else {
                    self.set_current(path);
                    Outcome::notice(format!("current: {name}"))
                }
            }
            DriftAction::DriftHistory => Outcome::effects(self.toggle_history()),
            DriftAction::Details => Outcome::effects(self.open_selected()),
            DriftAction::Nav(nav) => {
                self.navigate(nav, shared.size);
                Outcome::none()
            }
        };
        self.keep_visible(shared.size);
        outcome
    }

    /// A job of this pane reported.
    fn on_job(&mut self, event: JobEvent<DriftOutput>, shared: &Shared) -> Outcome {
        let outcome = match event {
            JobEvent::Progress(id, p) => {
                if let Some(c) = self.check.as_mut().filter(|c| c.owns(id)) {
                    c.progress = Some(p);
                }
                Outcome::none()
            }
            JobEvent::Update(..) => Outcome::none(),
            JobEvent::Finished(id, Ok(DriftOutput::Checked(r))) => {
                Outcome::notice(self.on_result(id, *r))
            }
            JobEvent::Finished(id, Ok(DriftOutput::Checks(list))) => self
                .on_history(id, list)
                .map_or_else(Outcome::none, Outcome::notice),
            JobEvent::Finished(id, Ok(DriftOutput::BaselineSaved(m))) => self
                .on_baseline_saved(id, m)
                .map_or_else(Outcome::none, Outcome::notice),
            JobEvent::Finished(id, Err(e)) => {
                self.on_error(id);
                match e {
                    PipelineError::Cancelled => Outcome::none(),
                    e => Outcome::error(escape_control(&e.to_string())),
                }
            }
        };
        self.keep_visible(shared.size);
        outcome
    }

    fn owns(&self, id: JobId) -> bool {
        owned(&self.check, id)
            || self.history_job.as_ref().is_some_and(|j| j.id == id)
            || self.baseline_job.as_ref().is_some_and(|j| j.id == id)
    }

    fn busy(&self) -> bool {
        self.check.is_some() || self.history_job.is_some() || self.baseline_job.is_some()
    }

    /// Cancel what runs; returns what was cancelled.
    fn cancel_jobs(&mut self) -> Option<&'static str> {
        let mut what = None;
        if let Some(c) = self.check.take() {
            c.cancel();
            what = Some("the drift check");
        }
        if let Some(j) = self.history_job.take() {
            j.cancel.cancel();
            what = what.or(Some("reading the stored checks"));
        }
        what
    }

    /// For the status line.
    fn job_status(&self, now: Instant) -> Option<JobStatus> {
        let c = self.check.as_ref()?;
        let (label, fraction) = match &c.progress {
            Some(p) if p.stage == Stage::Drift => (
                format!("drift: column {}/{}", p.done, p.total),
                Some(p.fraction()),
            ),
            Some(p) => (format!("drift: {}", p.label()), None),
            None => ("drift: loading".to_string(), None),
        };
        Some(JobStatus {
            label,
            fraction,
            elapsed: now.saturating_duration_since(c.started),
        })
    }

    fn keep_visible(&mut self, size: (u16, u16)) {
        self.list.keep_visible(self.table_height(size));
    }
}

/// File name for narrow places.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A reference/current pair among the catalog's files: `X_reference.*` and `X_current.*` (or
/// `reference`/`current` anywhere in the names, with the same rest).
pub fn reference_pair(catalog: &[PathBuf]) -> Option<(PathBuf, PathBuf)> {
    let name = |p: &PathBuf| {
        p.file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default()
    };
    catalog.iter().find_map(|r| {
        let rn = name(r);
        if !rn.contains("reference") {
            return None;
        }
        let want = rn.replacen("reference", "current", 1);
        catalog
            .iter()
            .find(|c| name(c) == want)
            .map(|c| (r.clone(), c.clone()))
    })
}
