//! The Features pane's state: the spec being edited, its problems, the fitted preview, and the
//! jobs that fit it and read or write spec files. Its rendering lives in `features/view.rs`.

pub mod layout;
pub mod view;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::Rect;
use serde::{Deserialize, Serialize};

use crate::jobs::{JobEvent, JobHandle, JobId};
use crate::pipeline::features::{
    self, ColumnRole, ColumnSpec, Encode, FeaturePreview, FeatureSpec, FillValue, Impute, Kind,
    Scale, SpecProblem, Transform,
};
use crate::pipeline::text::escape_control;
use crate::pipeline::{PipelineError, Result};
use crate::tui::action::Nav;
use crate::tui::effect::Effect;
use crate::tui::pane::{
    Changed, JobSlot, JobStatus, Launch, ListCursor, Outcome, PaneState, Shared, owned,
};
use crate::tui::panes::data::NO_DATASET;
use crate::tui::prompt::{Prompt, PromptKind, expand_home};
use crate::tui::theme::Theme;

/// The Features pane's actions (its keys in `assets/keymap.toml`, section `features`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeaturesAction {
    CycleRole,
    CycleKind,
    CycleImpute,
    CycleScale,
    CycleEncode,
    CycleTransform,
    AutoSpec,
    SaveSpec,
    OpenSpec,
    #[serde(untagged)]
    Nav(Nav),
}

/// What the Features pane's jobs hand back.
#[derive(Debug)]
pub enum FeaturesOutput {
    /// A feature spec fitted on the table, with its preview.
    Fitted(Box<FeaturePreview>),
    /// A spec file was written.
    SpecSaved(PathBuf),
    /// A spec file was read.
    SpecLoaded(Box<(FeatureSpec, PathBuf)>),
}

/// Rows of the table transformed for the preview.
pub const PREVIEW_HEAD_ROWS: usize = 50;
/// Rows the after-distributions are computed on (spread evenly through the table).
pub const PREVIEW_SAMPLE_ROWS: usize = 20_000;

/// A table's spec as kept between sessions.
#[derive(Serialize, Deserialize)]
struct KeptSpec {
    spec: FeatureSpec,
    origin: SpecOrigin,
}

/// Where the spec on screen came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecOrigin {
    Automatic,
    Edited,
    File(PathBuf),
}

/// Everything the Features pane shows.
#[derive(Clone, Debug)]
pub struct FeaturesState {
    pub spec: Option<FeatureSpec>,
    pub origin: SpecOrigin,
    /// What `check` says about the spec on screen.
    pub problems: Vec<SpecProblem>,
    /// The latest fitted preview; `stale` when it belongs to an earlier spec.
    pub preview: Option<Arc<FeaturePreview>>,
    pub stale: bool,
    /// Why the last fit failed (for example: a column with no values).
    pub fit_error: Option<String>,
    pub fit_job: Option<JobSlot>,
    /// A spec file being read or written.
    pub file_job: Option<(JobHandle, PathBuf)>,
    /// Selected column (index into the spec), and the first one on screen.
    pub list: ListCursor,
    /// The file the spec on screen was made for, and the specs of the other files opened in
    /// this session (with their targets), taken back on returning to one.
    pub spec_for: Option<PathBuf>,
    pub remembered: std::collections::HashMap<PathBuf, (FeatureSpec, SpecOrigin)>,
    /// Counts the spec's changes (every change ends in [`FeaturesState::refit`]), so other
    /// panes can tell a new spec in O(1) instead of comparing every column.
    pub revision: u64,
}

impl Default for FeaturesState {
    fn default() -> Self {
        FeaturesState {
            spec: None,
            origin: SpecOrigin::Automatic,
            problems: Vec::new(),
            preview: None,
            stale: false,
            fit_error: None,
            fit_job: None,
            file_job: None,
            list: ListCursor::default(),
            spec_for: None,
            remembered: std::collections::HashMap::new(),
            revision: 0,
        }
    }
}

impl FeaturesState {
    /// The selected column's spec.
    pub fn selected(&self) -> Option<&ColumnSpec> {
        self.spec.as_ref()?.columns.get(self.list.row)
    }

    /// Problems `check` found with the selected column.
    pub fn selected_problems(&self) -> impl Iterator<Item = &SpecProblem> {
        let name = self.selected().map(|c| c.name.clone());
        self.problems
            .iter()
            .filter(move |p| p.column.is_some() && p.column == name)
    }

    /// A fully loaded and profiled table arrived: take back the spec this file had earlier in
    /// the session (keeping the one left for its own file), else keep the spec on screen if it
    /// was made for a table with the same columns (the same file, reloaded), else propose the
    /// automatic spec.
    pub fn on_dataset(&mut self, shared: &Shared) -> Vec<Effect> {
        let (Some(profile), Some(dataset)) = (&shared.profile, &shared.dataset) else {
            return Vec::new();
        };
        let names: Vec<&str> = profile.columns.iter().map(|c| c.name.as_str()).collect();
        let fits = |s: &FeatureSpec| {
            s.columns.len() == names.len()
                && s.columns.iter().zip(&names).all(|(c, n)| c.name == *n)
        };
        // Another file: keep the spec left (its edits and target), and take back the one
        // this file had earlier in the session, if its columns are still the same.
        if self.spec_for.as_ref() != Some(&dataset.path) {
            if let (Some(left), Some(spec)) = (self.spec_for.take(), &self.spec) {
                self.remembered
                    .insert(left, (spec.clone(), self.origin.clone()));
            }
            // This session's spec of the table, else the one of an earlier session. An
            // automatic spec is proposed afresh (as the profile sees the table now), with its
            // target.
            let kept = || {
                let json = shared.memory.get(<Self as PaneState>::SECTION)?;
                let kept: KeptSpec = serde_json::from_str(json).ok()?;
                Some((kept.spec, kept.origin))
            };
            if let Some((spec, origin)) = self.remembered.remove(&dataset.path).or_else(kept)
                && fits(&spec)
            {
                if origin == SpecOrigin::Automatic {
                    let target = spec.target().map(str::to_string);
                    self.make_automatic(target.as_deref(), shared);
                } else {
                    self.spec = Some(spec);
                    self.origin = origin;
                }
                self.list.reset();
                self.preview = None;
            }
            self.spec_for = Some(dataset.path.clone());
        }
        let same_columns = self.spec.as_ref().is_some_and(fits);
        if !same_columns {
            let target = self
                .spec
                .as_ref()
                .and_then(|s| s.target().map(str::to_string));
            self.make_automatic(target.as_deref(), shared);
            self.list.reset();
            self.preview = None;
        }
        self.refit(shared)
    }

    /// Replace the spec with the automatic one (keeping `target` if the table has it).
    fn make_automatic(&mut self, target: Option<&str>, shared: &Shared) {
        if let Some(profile) = &shared.profile {
            let target = target.filter(|t| profile.column(t).is_some());
            self.spec = Some(features::auto_spec(profile, target));
            self.origin = SpecOrigin::Automatic;
        }
    }

    /// Check the spec; if it is valid, fit it in the background.
    pub fn refit(&mut self, shared: &Shared) -> Vec<Effect> {
        self.revision = self.revision.wrapping_add(1);
        if let Some(j) = self.fit_job.take() {
            j.cancel();
        }
        let (Some(spec), Some(dataset)) = (&self.spec, &shared.dataset) else {
            return Vec::new();
        };
        self.fit_error = None;
        match features::check(spec, dataset.df.schema()) {
            Err(p) => {
                self.problems = p.0;
                self.stale = self.preview.is_some();
                Vec::new()
            }
            Ok(valid) => {
                self.problems.clear();
                self.stale = self.preview.is_some();
                let (slot, job) = JobSlot::start();
                self.fit_job = Some(slot);
                vec![Effect::FitFeatures {
                    job,
                    dataset: dataset.clone(),
                    profile: shared.profile.clone(),
                    spec: Box::new(valid),
                }]
            }
        }
    }

    /// A job of this pane finished. Returns a notice for the status line, if any.
    fn on_finished(
        &mut self,
        id: JobId,
        result: Result<FeaturesOutput>,
        shared: &Shared,
    ) -> Result<(Vec<Effect>, Option<String>)> {
        if owned(&self.fit_job, id) {
            self.fit_job = None;
            return match result {
                Ok(FeaturesOutput::Fitted(p)) => {
                    self.preview = Some(Arc::new(*p));
                    self.stale = false;
                    Ok((Vec::new(), None))
                }
                Ok(_) | Err(PipelineError::Cancelled) => Ok((Vec::new(), None)),
                Err(e) => {
                    self.fit_error = Some(escape_control(&e.to_string()).into_owned());
                    self.stale = self.preview.is_some();
                    Ok((Vec::new(), None))
                }
            };
        }
        if self.file_job.as_ref().is_some_and(|(j, _)| j.id == id) {
            self.file_job = None;
            return match result? {
                FeaturesOutput::SpecSaved(path) => {
                    self.origin = SpecOrigin::File(path.clone());
                    Ok((
                        Vec::new(),
                        Some(format!(
                            "spec saved to {}",
                            escape_control(&path.display().to_string())
                        )),
                    ))
                }
                FeaturesOutput::SpecLoaded(loaded) => {
                    let (spec, path) = *loaded;
                    self.spec = Some(spec);
                    self.origin = SpecOrigin::File(path.clone());
                    self.list.reset();
                    let msg = format!(
                        "spec loaded from {}",
                        escape_control(&path.display().to_string())
                    );
                    Ok((self.refit(shared), Some(msg)))
                }
                FeaturesOutput::Fitted(_) => Ok((Vec::new(), None)),
            };
        }
        Ok((Vec::new(), None))
    }

    /// Apply an edit key to the selected column. Edits that make no sense for the column are
    /// refused with a message; edits that give an invalid spec are kept and shown as problems.
    /// Returns the effects and, when the edit did more than the key says, a notice.
    fn edit(
        &mut self,
        action: FeaturesAction,
        shared: &Shared,
    ) -> std::result::Result<(Vec<Effect>, Option<String>), String> {
        if action == FeaturesAction::AutoSpec {
            if shared.profile.is_none() {
                return Err(NO_DATASET.into());
            }
            let target = self
                .spec
                .as_ref()
                .and_then(|s| s.target().map(str::to_string));
            self.make_automatic(target.as_deref(), shared);
            return Ok((self.refit(shared), None));
        }
        let row = self.list.row;
        let mut notice = None;
        let Some(spec) = self.spec.as_mut() else {
            return Err("no dataset is loaded yet".into());
        };
        let Some(c) = spec.columns.get_mut(row) else {
            return Err("no column is selected".into());
        };
        let name = escape_control(&c.name).into_owned();
        match action {
            FeaturesAction::CycleRole => {
                let next = match c.role {
                    ColumnRole::Feature => ColumnRole::Ignore,
                    ColumnRole::Ignore => ColumnRole::Target,
                    ColumnRole::Target => ColumnRole::Feature,
                };
                if next == ColumnRole::Target {
                    let n = c.name.clone();
                    let old = spec.target().map(|t| escape_control(t).into_owned());
                    spec.set_target(&n).map_err(|e| e.to_string())?;
                    // Moving the target is not quiet: the old one is set aside, and said so.
                    notice = Some(match old {
                        Some(old) => format!(
                            "target: {name} (was {old}, which is now ignored; r on it makes it \
                             a feature)"
                        ),
                        None => format!("target: {name}"),
                    });
                } else {
                    c.role = next;
                }
            }
            FeaturesAction::CycleKind => {
                let i = Kind::ALL.iter().position(|k| *k == c.kind).unwrap_or(0);
                let kind = Kind::ALL[(i + 1) % Kind::ALL.len()];
                let mut fresh = ColumnSpec::new(&c.name, c.role, kind);
                if kind == Kind::Numeric {
                    fresh.scale = Some(Scale::Standard);
                }
                *c = fresh;
            }
            FeaturesAction::CycleImpute => {
                let choices: &[Impute] = match c.kind {
                    Kind::Categorical => &[Impute::MostFrequent, Impute::Constant],
                    _ => &Impute::ALL,
                };
                let current = c.impute.unwrap_or(choices[0]);
                let i = choices.iter().position(|x| *x == current).unwrap_or(0);
                let next = choices[(i + 1) % choices.len()];
                c.impute = Some(next);
                c.fill_value = (next == Impute::Constant).then(|| match c.kind {
                    Kind::Categorical => FillValue::Text("(missing)".into()),
                    _ => FillValue::Number(0.0),
                });
            }
            FeaturesAction::CycleScale => {
                let current = c.scale.unwrap_or(Scale::None);
                let i = Scale::ALL.iter().position(|s| *s == current).unwrap_or(0);
                c.scale = Some(Scale::ALL[(i + 1) % Scale::ALL.len()]);
            }
            FeaturesAction::CycleEncode => {
                if c.kind != Kind::Categorical {
                    return Err(format!(
                        "{name} is {}; encodings apply to categorical columns (t changes the kind)",
                        c.kind.name()
                    ));
                }
                c.encode = Some(match c.encode.unwrap_or(Encode::OneHot) {
                    Encode::OneHot => Encode::Ordinal,
                    Encode::Ordinal => Encode::OneHot,
                });
            }
            FeaturesAction::CycleTransform => {
                if c.kind != Kind::Numeric {
                    return Err(format!(
                        "{name} is {}; transforms apply to numeric columns",
                        c.kind.name()
                    ));
                }
                let cycle: [Vec<Transform>; 4] = [
                    Vec::new(),
                    vec![Transform::Log1p],
                    vec![Transform::Clip {
                        lower: 0.01,
                        upper: 0.99,
                    }],
                    vec![Transform::Bins { n: 10 }],
                ];
                let i = cycle.iter().position(|t| *t == c.transforms);
                c.transforms = match i {
                    Some(i) => cycle[(i + 1) % cycle.len()].clone(),
                    None => Vec::new(),
                };
            }
            FeaturesAction::AutoSpec
            | FeaturesAction::SaveSpec
            | FeaturesAction::OpenSpec
            | FeaturesAction::Nav(_) => return Ok((Vec::new(), None)),
        }
        self.edited();
        Ok((self.refit(shared), notice))
    }

    /// `:fill VALUE`: impute the selected column with a constant.
    pub fn set_fill(
        &mut self,
        value: &str,
        shared: &Shared,
    ) -> std::result::Result<Vec<Effect>, String> {
        let c = self.selected_mut()?;
        c.impute = Some(Impute::Constant);
        c.fill_value = Some(match value.parse::<f64>() {
            Ok(v) if c.kind != Kind::Categorical => FillValue::Number(v),
            _ => FillValue::Text(value.to_string()),
        });
        self.edited();
        Ok(self.refit(shared))
    }

    /// `:transforms LIST`: set the selected column's transforms (comma-separated, may be empty).
    pub fn set_transforms(
        &mut self,
        list: &str,
        shared: &Shared,
    ) -> std::result::Result<Vec<Effect>, String> {
        let transforms = split_transforms(list)
            .iter()
            .map(|t| t.parse::<Transform>())
            .collect::<std::result::Result<Vec<_>, _>>()?;
        self.selected_mut()?.transforms = transforms;
        self.edited();
        Ok(self.refit(shared))
    }

    /// `:target COL`: make COL the target.
    pub fn set_target(
        &mut self,
        column: &str,
        shared: &Shared,
    ) -> std::result::Result<Vec<Effect>, String> {
        let spec = self.spec.as_mut().ok_or_else(|| NO_DATASET.to_string())?;
        spec.set_target(column).map_err(|e| e.to_string())?;
        self.edited();
        Ok(self.refit(shared))
    }

    /// `:target none`, or no target chosen in the Train pane: clustering.
    pub fn clear_target(&mut self, shared: &Shared) -> std::result::Result<Vec<Effect>, String> {
        let spec = self.spec.as_mut().ok_or_else(|| NO_DATASET.to_string())?;
        spec.clear_target();
        self.edited();
        Ok(self.refit(shared))
    }

    /// The spec is the user's now; the selected column's automatic note no longer applies.
    fn edited(&mut self) {
        self.origin = SpecOrigin::Edited;
        let row = self.list.row;
        if let Some(c) = self.spec.as_mut().and_then(|s| s.columns.get_mut(row)) {
            c.note = None;
        }
    }

    fn selected_mut(&mut self) -> std::result::Result<&mut ColumnSpec, String> {
        let row = self.list.row;
        self.spec
            .as_mut()
            .and_then(|s| s.columns.get_mut(row))
            .ok_or_else(|| NO_DATASET.to_string())
    }

    /// Start writing the spec to `path`.
    pub fn save(&mut self, path: &Path) -> std::result::Result<Vec<Effect>, String> {
        let spec = self
            .spec
            .clone()
            .ok_or_else(|| "no spec to save yet".to_string())?;
        let job = JobHandle::new();
        self.file_job = Some((job.clone(), path.to_path_buf()));
        Ok(vec![Effect::SaveSpec {
            job,
            spec: Box::new(spec),
            path: path.to_path_buf(),
        }])
    }

    /// Start reading a spec from `path`.
    pub fn open(
        &mut self,
        path: &Path,
        shared: &Shared,
    ) -> std::result::Result<Vec<Effect>, String> {
        if shared.dataset.is_none() {
            return Err("load a dataset first; a spec is checked against its columns".into());
        }
        let job = JobHandle::new();
        self.file_job = Some((job.clone(), path.to_path_buf()));
        Ok(vec![Effect::LoadSpec {
            job,
            path: path.to_path_buf(),
        }])
    }
}

impl PaneState for FeaturesState {
    type Action = FeaturesAction;
    type Output = FeaturesOutput;
    const TITLE: &'static str = "Features";
    const SECTION: &'static str = "features";

    fn create(_launch: &Launch) -> FeaturesState {
        FeaturesState::default()
    }

    fn nav(action: FeaturesAction) -> Option<Nav> {
        match action {
            FeaturesAction::Nav(n) => Some(n),
            _ => None,
        }
    }

    /// The answer to "save spec to" or "open spec".
    fn on_prompt(&mut self, kind: PromptKind, text: &str, shared: &Shared) -> Outcome {
        let path = expand_home(text.trim());
        match kind {
            PromptKind::SaveSpec => Outcome::from_result(self.save(&path)),
            PromptKind::OpenSpec => Outcome::from_result(self.open(&path, shared)),
            _ => Outcome::none(),
        }
    }

    /// The spec and its problems, when it changed.
    fn publish(&self, shared: &mut Shared) -> Changed {
        let new_spec = self.revision != shared.spec_revision;
        if new_spec {
            shared.spec = self.spec.clone().map(Arc::new);
            shared.spec_problems = self.problems.len();
            shared.spec_revision = self.revision;
        }
        Changed {
            spec: new_spec,
            ..Changed::default()
        }
    }

    /// A new table: propose its spec (or take back the one it had).
    fn on_shared(&mut self, changed: Changed, shared: &Shared) -> Vec<Effect> {
        if changed.table {
            self.on_dataset(shared)
        } else {
            Vec::new()
        }
    }

    /// The spec of the table on screen. An automatic one is kept too, so that going back to
    /// it (`a`) replaces an edited spec kept earlier; it comes back as the automatic spec of
    /// the table as it is then, with its target.
    fn memory(&self) -> Option<(PathBuf, String)> {
        let path = self.spec_for.as_ref()?;
        let spec = self.spec.as_ref()?;
        let kept = KeptSpec {
            spec: spec.clone(),
            origin: self.origin.clone(),
        };
        Some((path.clone(), serde_json::to_string(&kept).ok()?))
    }

    fn render(&self, frame: &mut Frame, area: Rect, shared: &Shared, theme: &Theme) {
        view::render(frame, area, self, shared, theme);
    }

    /// Apply one of this pane's actions.
    fn update(&mut self, action: FeaturesAction, shared: &Shared) -> Outcome {
        match action {
            FeaturesAction::Nav(nav) => {
                let n = self.spec.as_ref().map_or(0, |s| s.columns.len());
                self.list.navigate(nav, n, layout::list_rows(shared.size));
                Outcome::none()
            }
            FeaturesAction::SaveSpec | FeaturesAction::OpenSpec => {
                if self.spec.is_none() {
                    return Outcome::error("no feature spec yet: load a dataset first");
                }
                let kind = if action == FeaturesAction::SaveSpec {
                    PromptKind::SaveSpec
                } else {
                    PromptKind::OpenSpec
                };
                let path = default_spec_path(shared);
                Outcome::prompt(Prompt::new(kind, &path.display().to_string()))
            }
            edit => {
                let result = self.edit(edit, shared);
                self.keep_visible(shared.size);
                match result {
                    Ok((effects, notice)) => Outcome {
                        effects,
                        notice,
                        ..Outcome::none()
                    },
                    Err(e) => Outcome::error(e),
                }
            }
        }
    }

    /// A job of this pane reported.
    fn on_job(&mut self, event: JobEvent<FeaturesOutput>, shared: &Shared) -> Outcome {
        match event {
            JobEvent::Progress(id, p) => {
                if let Some(j) = self.fit_job.as_mut().filter(|j| j.owns(id)) {
                    j.progress = Some(p);
                }
                Outcome::none()
            }
            JobEvent::Update(..) => Outcome::none(),
            JobEvent::Finished(id, result) => match self.on_finished(id, result, shared) {
                Ok((effects, notice)) => Outcome {
                    effects,
                    notice,
                    ..Outcome::none()
                },
                Err(e) => Outcome::error(escape_control(&e.to_string())),
            },
        }
    }

    /// Whether a job of this pane has this id.
    fn owns(&self, id: JobId) -> bool {
        owned(&self.fit_job, id) || self.file_job.as_ref().is_some_and(|(j, _)| j.id == id)
    }

    fn busy(&self) -> bool {
        self.fit_job.is_some() || self.file_job.is_some()
    }

    fn cancel_jobs(&mut self) -> Option<&'static str> {
        let mut what = None;
        if let Some(j) = self.fit_job.take() {
            j.cancel();
            self.stale = self.preview.is_some();
            what = Some("fitting the features");
        }
        if let Some((j, _)) = self.file_job.take() {
            j.cancel.cancel();
            what = what.or(Some("the spec file"));
        }
        what
    }

    fn job_status(&self, now: Instant) -> Option<JobStatus> {
        self.fit_job
            .as_ref()
            .map(|j| j.status("fitting the features", now))
    }

    fn keep_visible(&mut self, size: (u16, u16)) {
        self.list.keep_visible(layout::list_rows(size));
    }
}

/// Where `w` and `o` suggest to save and open: beside the working directory, named after
/// the table.
pub fn default_spec_path(shared: &Shared) -> PathBuf {
    let stem = shared
        .dataset
        .as_ref()
        .and_then(|d| d.path.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "features".into());
    PathBuf::from(format!("{stem}.features.toml"))
}

/// Split `log1p, clip(0.01, 0.99)` at the commas outside parentheses.
fn split_transforms(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for ch in list.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    out.push(current);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transform_lists_split_outside_parentheses() {
        assert_eq!(
            split_transforms("log1p, clip(0.01, 0.99) ,bins(4)"),
            ["log1p", "clip(0.01, 0.99)", "bins(4)"]
        );
        assert!(split_transforms("  ").is_empty());
    }
}
