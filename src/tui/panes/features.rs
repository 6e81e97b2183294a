//! The Features pane's state: the spec being edited, its problems, the fitted preview, and the
//! jobs that fit it and read or write spec files. Its rendering lives in `features/view.rs`.

pub mod view;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::jobs::{JobHandle, JobId};
use crate::pipeline::data::Dataset;
use crate::pipeline::features::{
    self, ColumnRole, ColumnSpec, Encode, FeaturePreview, FeatureSpec, FillValue, Impute, Kind,
    Scale, SpecProblem, Transform,
};
use crate::pipeline::profile::DatasetProfile;
use crate::pipeline::progress::Progress;
use crate::pipeline::text::escape_control;
use crate::pipeline::{PipelineError, Result};
use crate::tui::app::{Action, Effect, JobOutput, progress_label};

/// Rows of the table transformed for the preview.
pub const PREVIEW_HEAD_ROWS: usize = 50;
/// Rows the after-distributions are computed on (spread evenly through the table).
pub const PREVIEW_SAMPLE_ROWS: usize = 20_000;

/// Where the spec on screen came from.
#[derive(Clone, Debug, PartialEq)]
pub enum SpecOrigin {
    Automatic,
    Edited,
    File(PathBuf),
}

/// A fit in flight.
#[derive(Clone, Debug)]
pub struct FitJob {
    pub job: JobHandle,
    pub started: Instant,
    pub progress: Option<Progress>,
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
    pub fit_job: Option<FitJob>,
    /// A spec file being read or written.
    pub file_job: Option<(JobHandle, PathBuf)>,
    /// Selected column (index into the spec), and the first one on screen.
    pub row: usize,
    pub offset: usize,
    pub dataset: Option<Arc<Dataset>>,
    pub profile: Option<Arc<DatasetProfile>>,
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
            row: 0,
            offset: 0,
            dataset: None,
            profile: None,
            revision: 0,
        }
    }
}

impl FeaturesState {
    /// Whether a job of this pane has this id.
    pub fn owns(&self, id: JobId) -> bool {
        self.fit_job.as_ref().is_some_and(|j| j.job.id == id)
            || self.file_job.as_ref().is_some_and(|(j, _)| j.id == id)
    }

    pub fn busy(&self) -> bool {
        self.fit_job.is_some() || self.file_job.is_some()
    }

    /// The selected column's spec.
    pub fn selected(&self) -> Option<&ColumnSpec> {
        self.spec.as_ref()?.columns.get(self.row)
    }

    /// Problems `check` found with the selected column.
    pub fn selected_problems(&self) -> impl Iterator<Item = &SpecProblem> {
        let name = self.selected().map(|c| c.name.clone());
        self.problems
            .iter()
            .filter(move |p| p.column.is_some() && p.column == name)
    }

    /// A fully loaded and profiled table arrived: propose its automatic spec, unless the spec
    /// on screen was made for a table with the same columns (the same file, reloaded).
    pub fn on_dataset(
        &mut self,
        dataset: Arc<Dataset>,
        profile: Arc<DatasetProfile>,
    ) -> Vec<Effect> {
        let names: Vec<&str> = profile.columns.iter().map(|c| c.name.as_str()).collect();
        let same_columns = self.spec.as_ref().is_some_and(|s| {
            s.columns.len() == names.len()
                && s.columns.iter().zip(&names).all(|(c, n)| c.name == *n)
        });
        self.dataset = Some(dataset);
        self.profile = Some(profile);
        if !same_columns {
            let target = self
                .spec
                .as_ref()
                .and_then(|s| s.target().map(str::to_string));
            self.make_automatic(target.as_deref());
            self.row = 0;
            self.offset = 0;
            self.preview = None;
        }
        self.refit()
    }

    /// Replace the spec with the automatic one (keeping `target` if the table has it).
    fn make_automatic(&mut self, target: Option<&str>) {
        if let Some(profile) = &self.profile {
            let target = target.filter(|t| profile.column(t).is_some());
            self.spec = Some(features::auto_spec(profile, target));
            self.origin = SpecOrigin::Automatic;
        }
    }

    /// Check the spec; if it is valid, fit it in the background.
    pub fn refit(&mut self) -> Vec<Effect> {
        self.revision = self.revision.wrapping_add(1);
        if let Some(j) = self.fit_job.take() {
            j.job.cancel.cancel();
        }
        let (Some(spec), Some(dataset)) = (&self.spec, &self.dataset) else {
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
                let job = JobHandle::new();
                self.fit_job = Some(FitJob {
                    job: job.clone(),
                    started: Instant::now(),
                    progress: None,
                });
                vec![Effect::FitFeatures {
                    job,
                    dataset: dataset.clone(),
                    profile: self.profile.clone(),
                    spec: Box::new(valid),
                }]
            }
        }
    }

    pub fn on_progress(&mut self, id: JobId, p: Progress) {
        if let Some(j) = &mut self.fit_job
            && j.job.id == id
        {
            j.progress = Some(p);
        }
    }

    /// A job of this pane finished. Returns a notice for the status line, if any.
    pub fn on_finished(
        &mut self,
        id: JobId,
        result: Result<JobOutput>,
    ) -> Result<(Vec<Effect>, Option<String>)> {
        if self.fit_job.as_ref().is_some_and(|j| j.job.id == id) {
            self.fit_job = None;
            return match result {
                Ok(JobOutput::Features(p)) => {
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
                JobOutput::SpecSaved(path) => {
                    self.origin = SpecOrigin::File(path.clone());
                    Ok((
                        Vec::new(),
                        Some(format!(
                            "spec saved to {}",
                            escape_control(&path.display().to_string())
                        )),
                    ))
                }
                JobOutput::SpecLoaded(loaded) => {
                    let (spec, path) = *loaded;
                    self.spec = Some(spec);
                    self.origin = SpecOrigin::File(path.clone());
                    self.row = 0;
                    self.offset = 0;
                    let msg = format!(
                        "spec loaded from {}",
                        escape_control(&path.display().to_string())
                    );
                    Ok((self.refit(), Some(msg)))
                }
                _ => Ok((Vec::new(), None)),
            };
        }
        Ok((Vec::new(), None))
    }

    pub fn cancel_jobs(&mut self) -> Option<&'static str> {
        let mut what = None;
        if let Some(j) = self.fit_job.take() {
            j.job.cancel.cancel();
            self.stale = self.preview.is_some();
            what = Some("fitting the features");
        }
        if let Some((j, _)) = self.file_job.take() {
            j.cancel.cancel();
            what = what.or(Some("the spec file"));
        }
        what
    }

    pub fn job_status(&self, now: Instant) -> Option<(String, Option<f64>, Duration)> {
        if let Some(j) = &self.fit_job {
            let stage = j
                .progress
                .as_ref()
                .map(progress_label)
                .unwrap_or_else(|| "starting".into());
            return Some((
                format!("fitting the features · {stage}"),
                j.progress
                    .as_ref()
                    .filter(|p| p.total > 0)
                    .map(Progress::fraction),
                now.saturating_duration_since(j.started),
            ));
        }
        None
    }

    /// Move the selection.
    pub fn navigate(&mut self, action: &Action, size: (u16, u16)) {
        let n = self.spec.as_ref().map_or(0, |s| s.columns.len());
        let page = view::list_rows(size).max(1);
        let last = n.saturating_sub(1);
        self.row = match action {
            Action::Down => (self.row + 1).min(last),
            Action::Up => self.row.saturating_sub(1),
            Action::Top => 0,
            Action::Bottom => last,
            Action::HalfPageDown => (self.row + page / 2).min(last),
            Action::HalfPageUp => self.row.saturating_sub(page / 2),
            _ => self.row,
        };
        self.keep_visible(size);
    }

    pub fn keep_visible(&mut self, size: (u16, u16)) {
        let rows = view::list_rows(size).max(1);
        if self.row < self.offset {
            self.offset = self.row;
        } else if self.row >= self.offset + rows {
            self.offset = self.row + 1 - rows;
        }
    }

    /// Apply an edit key to the selected column. Edits that make no sense for the column are
    /// refused with a message; edits that give an invalid spec are kept and shown as problems.
    pub fn edit(&mut self, action: &Action) -> std::result::Result<Vec<Effect>, String> {
        if *action == Action::FeaturesAuto {
            if self.profile.is_none() {
                return Err("no dataset is loaded yet".into());
            }
            let target = self
                .spec
                .as_ref()
                .and_then(|s| s.target().map(str::to_string));
            self.make_automatic(target.as_deref());
            return Ok(self.refit());
        }
        let row = self.row;
        let Some(spec) = self.spec.as_mut() else {
            return Err("no dataset is loaded yet".into());
        };
        let Some(c) = spec.columns.get_mut(row) else {
            return Err("no column is selected".into());
        };
        let name = escape_control(&c.name).into_owned();
        match action {
            Action::FeaturesRole => {
                let next = match c.role {
                    ColumnRole::Feature => ColumnRole::Ignore,
                    ColumnRole::Ignore => ColumnRole::Target,
                    ColumnRole::Target => ColumnRole::Feature,
                };
                if next == ColumnRole::Target {
                    let n = c.name.clone();
                    spec.set_target(&n).map_err(|e| e.to_string())?;
                } else {
                    c.role = next;
                }
            }
            Action::FeaturesKind => {
                let i = Kind::ALL.iter().position(|k| *k == c.kind).unwrap_or(0);
                let kind = Kind::ALL[(i + 1) % Kind::ALL.len()];
                let mut fresh = ColumnSpec::new(&c.name, c.role, kind);
                if kind == Kind::Numeric {
                    fresh.scale = Some(Scale::Standard);
                }
                *c = fresh;
            }
            Action::FeaturesImpute => {
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
            Action::FeaturesScale => {
                let current = c.scale.unwrap_or(Scale::None);
                let i = Scale::ALL.iter().position(|s| *s == current).unwrap_or(0);
                c.scale = Some(Scale::ALL[(i + 1) % Scale::ALL.len()]);
            }
            Action::FeaturesEncode => {
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
            Action::FeaturesTransform => {
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
            _ => return Ok(Vec::new()),
        }
        self.edited();
        Ok(self.refit())
    }

    /// `:fill VALUE`: impute the selected column with a constant.
    pub fn set_fill(&mut self, value: &str) -> std::result::Result<Vec<Effect>, String> {
        let c = self.selected_mut()?;
        c.impute = Some(Impute::Constant);
        c.fill_value = Some(match value.parse::<f64>() {
            Ok(v) if c.kind != Kind::Categorical => FillValue::Number(v),
            _ => FillValue::Text(value.to_string()),
        });
        self.edited();
        Ok(self.refit())
    }

    /// `:transforms LIST`: set the selected column's transforms (comma-separated, may be empty).
    pub fn set_transforms(&mut self, list: &str) -> std::result::Result<Vec<Effect>, String> {
        let transforms = split_transforms(list)
            .iter()
            .map(|t| t.parse::<Transform>())
            .collect::<std::result::Result<Vec<_>, _>>()?;
        self.selected_mut()?.transforms = transforms;
        self.edited();
        Ok(self.refit())
    }

    /// `:target COL`: make COL the target.
    pub fn set_target(&mut self, column: &str) -> std::result::Result<Vec<Effect>, String> {
        let spec = self
            .spec
            .as_mut()
            .ok_or_else(|| "no dataset is loaded yet".to_string())?;
        spec.set_target(column).map_err(|e| e.to_string())?;
        self.edited();
        Ok(self.refit())
    }

    /// `:target none`, or no target chosen in the Train pane: clustering.
    pub fn clear_target(&mut self) -> std::result::Result<Vec<Effect>, String> {
        let spec = self
            .spec
            .as_mut()
            .ok_or_else(|| "no dataset is loaded yet".to_string())?;
        spec.clear_target();
        self.edited();
        Ok(self.refit())
    }

    /// The spec is the user's now; the selected column's automatic note no longer applies.
    fn edited(&mut self) {
        self.origin = SpecOrigin::Edited;
        let row = self.row;
        if let Some(c) = self.spec.as_mut().and_then(|s| s.columns.get_mut(row)) {
            c.note = None;
        }
    }

    fn selected_mut(&mut self) -> std::result::Result<&mut ColumnSpec, String> {
        let row = self.row;
        self.spec
            .as_mut()
            .and_then(|s| s.columns.get_mut(row))
            .ok_or_else(|| "no dataset is loaded yet".to_string())
    }

    /// Where `w` and `o` suggest to save and open: beside the working directory, named after
    /// the table.
    pub fn default_spec_path(&self) -> PathBuf {
        let stem = self
            .dataset
            .as_ref()
            .and_then(|d| d.path.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "features".into());
        PathBuf::from(format!("{stem}.features.toml"))
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
    pub fn open(&mut self, path: &Path) -> std::result::Result<Vec<Effect>, String> {
        if self.dataset.is_none() {
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
