//! Data drift between a reference and a current table (DESIGN.md §8): per column, the test
//! Evidently would choose (or the one asked for), its score against a threshold, a verdict and
//! why that test; schema problems as findings; the dataset verdict from the share of drifted
//! columns. Every numeric statistic comes from one sort per column and side.

pub mod baseline;
mod measures;
mod method;
pub mod pvalue;
pub mod report;
mod sample;
pub mod sketch;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use method::{Method, ScoreKind};
use sample::DtypeClass;
use sketch::{LabelSummary, NumericSketch};

use crate::pipeline::error::{PipelineError, Result, catch_panics};
use crate::pipeline::profile::{self, IdValues};
use crate::pipeline::progress::{CancelFlag, Progress, ProgressFn, Stage};
use crate::pipeline::text::{format_count, number_label};

/// Reference values (after dropping missing ones) up to which p-value tests are the default.
pub const SMALL_REFERENCE: u64 = 1000;
/// Default share of drifted tested columns that makes the dataset drifted.
pub const DEFAULT_DRIFT_SHARE: f64 = 0.5;
/// Per-value counts are kept (for chi-square and Z on numbers) up to this many distinct values.
const KEEP_VALUES: usize = 100;
/// Numeric columns with at most this many distinct reference values are binned per value for
/// Jensen–Shannon (Evidently's rule); above it, Sturges' bins on the pooled values.
const PER_VALUE_BINS: u64 = 20;
/// Categories drawn in a bar chart before the rest are pooled.
const CHART_CATEGORIES: usize = 12;

/// What to check and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftOptions {
    /// Only these columns (all when `None`).
    pub columns: Option<Vec<String>>,
    /// One test for every column it applies to.
    pub method: Option<Method>,
    /// A test per column, over `method`.
    pub column_methods: BTreeMap<String, Method>,
    /// One threshold for every column's chosen test.
    pub threshold: Option<f64>,
    /// A threshold per column, over `threshold`.
    pub column_thresholds: BTreeMap<String, f64>,
    /// The dataset drifts when drifted / tested ≥ this.
    pub drift_share: f64,
    /// Columns left out of the check (by name).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Let a check that could not test every reference column (one missing in the current
    /// data, a changed type, no values left, or nothing tested at all) pass the gate on the
    /// columns it did test. Off by default: an incomplete check is not "no drift".
    #[serde(default)]
    pub allow_incomplete: bool,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            columns: None,
            method: None,
            column_methods: BTreeMap::new(),
            threshold: None,
            column_thresholds: BTreeMap::new(),
            drift_share: DEFAULT_DRIFT_SHARE,
            exclude: Vec::new(),
            allow_incomplete: false,
        }
    }
}

impl DriftOptions {
    /// Refuse values that cannot mean anything.
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(PipelineError::BadRequest(m));
        if !(self.drift_share > 0.0 && self.drift_share <= 1.0) {
            return bad(format!(
                "drift share {} must be in (0, 1]: the share of tested columns that must drift",
                self.drift_share
            ));
        }
        let thresholds = self
            .threshold
            .iter()
            .map(|t| ("--threshold".to_string(), *t))
            .chain(
                self.column_thresholds
                    .iter()
                    .map(|(c, t)| (format!("the threshold of {c}"), *t)),
            );
        for (what, t) in thresholds {
            if !(t.is_finite() && t >= 0.0) {
                return bad(format!("{what} is {t}; it must be a number ≥ 0"));
            }
        }
        // A threshold given with a p-value test must be a probability.
        let mut pairs: Vec<(String, Method, f64)> = Vec::new();
        if let (Some(m), Some(t)) = (self.method, self.threshold) {
            pairs.push(("--threshold".into(), m, t));
        }
        for (c, &m) in &self.column_methods {
            if let Some(t) = self.threshold_for(c) {
                pairs.push((format!("the threshold of {c}"), m, t));
            }
        }
        for (what, m, t) in pairs {
            p_value_threshold(&what, m, t)?;
        }
        Ok(())
    }

    /// Apply one `[COL=]VALUE` setting, as `--method`/`--threshold` and the TUI's palette give
    /// them: `method` (a test name; `auto` or nothing goes back to the default), `threshold` (a
    /// number; nothing clears it), `exclude` (`COL,COL,…`) or `drift_share`. A column name may
    /// itself hold `=`: the value is after the last one. The options are checked afterwards by
    /// [`Self::check`].
    pub fn set(&mut self, key: &str, text: &str) -> std::result::Result<(), String> {
        if key == "exclude" {
            // `COL,COL,…` (nothing: exclude none).
            self.exclude = text
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect();
            return Ok(());
        }
        let (col, value) = match text.rsplit_once('=') {
            Some((c, v)) if !c.trim().is_empty() => (Some(c.trim().to_string()), v.trim()),
            _ => (None, text.trim()),
        };
        let number = |v: &str| {
            v.parse::<f64>()
                .map_err(|_| format!("'{v}' is not a number"))
        };
        match key {
            "method" => {
                let m = match value {
                    "" | "auto" => None,
                    v => Some(Method::parse(v).ok_or_else(|| {
                        format!("'{v}' is not a drift test; use one of {}", Method::names())
                    })?),
                };
                set_setting(&mut self.column_methods, &mut self.method, col, m);
            }
            "threshold" => {
                let t = if value.is_empty() {
                    None
                } else {
                    Some(number(value)?)
                };
                set_setting(&mut self.column_thresholds, &mut self.threshold, col, t);
            }
            _ => {
                self.drift_share = if value.is_empty() {
                    DEFAULT_DRIFT_SHARE
                } else {
                    number(value)?
                };
            }
        }
        Ok(())
    }

    fn method_for(&self, column: &str) -> Option<(Method, &'static str)> {
        if let Some(&m) = self.column_methods.get(column) {
            return Some((m, "set for this column"));
        }
        self.method.map(|m| (m, "chosen for all columns"))
    }

    fn threshold_for(&self, column: &str) -> Option<f64> {
        self.column_thresholds
            .get(column)
            .copied()
            .or(self.threshold)
    }
}

/// A p-value test's threshold is a probability strictly between 0 and 1 (0.05, 0.01, …).
fn p_value_threshold(what: &str, test: Method, t: f64) -> Result<()> {
    if test.score_kind() == ScoreKind::PValue && !(t > 0.0 && t < 1.0) {
        return Err(PipelineError::BadRequest(format!(
            "{what} is {t}, but the {} is a p-value: give a threshold between 0 and 1 (such as \
             0.05)",
            test.label()
        )));
    }
    Ok(())
}

/// Set a value for one column (`None` clears it) or for every column.
fn set_setting<T>(
    per_column: &mut BTreeMap<String, T>,
    global: &mut Option<T>,
    column: Option<String>,
    value: Option<T>,
) {
    match (column, value) {
        (Some(c), Some(v)) => {
            per_column.insert(c, v);
        }
        (Some(c), None) => {
            per_column.remove(&c);
        }
        (None, v) => *global = v,
    }
}

/// What a column was treated as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Numeric,
    Categorical,
    /// An identifier: different in every row, so not tested.
    Id,
    /// Free text: not tested as categories.
    Text,
    Datetime,
    Unsupported,
    /// No values on one side (all null), or the type differs between the sides.
    Untestable,
    /// In one table only.
    Missing,
}

impl ColumnKind {
    pub fn name(self) -> &'static str {
        match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Categorical => "categorical",
            ColumnKind::Id => "id",
            ColumnKind::Text => "text",
            ColumnKind::Datetime => "datetime",
            ColumnKind::Unsupported => "unsupported",
            ColumnKind::Untestable => "untestable",
            ColumnKind::Missing => "missing",
        }
    }
}

/// One test's outcome on one column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    pub test: Method,
    /// The test statistic: KS D, chi-square, z, or the distance itself.
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
    /// The value compared with the threshold (the p-value or the distance). JSON has no NaN
    /// or infinity: those are written as null and read back as NaN.
    #[serde(deserialize_with = "f64_or_nan")]
    pub score: f64,
    pub threshold: f64,
    pub drifted: bool,
    /// How far the score can be from the one computed on all rows, when it comes from a
    /// compacted sketch (a baseline or a streaming pass); absent when exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<f64>,
}

impl TestResult {
    fn new(test: Method, statistic: f64, p_value: Option<f64>, threshold: f64) -> TestResult {
        let score = p_value.unwrap_or(statistic);
        TestResult {
            test,
            statistic: Some(statistic).filter(|s| s.is_finite()),
            p_value,
            score,
            threshold,
            drifted: test.drifted(score, threshold),
            bound: None,
        }
    }

    /// A result at the test's default threshold.
    fn at_default(test: Method, statistic: f64, p_value: Option<f64>) -> TestResult {
        TestResult::new(test, statistic, p_value, test.default_threshold())
    }

    /// How far past its threshold the score is: ≥ 1 means drift. For p-values, ln p / ln t.
    pub fn severity(&self) -> f64 {
        match self.test.score_kind() {
            ScoreKind::Distance if self.threshold > 0.0 => self.score / self.threshold,
            ScoreKind::Distance => self.score,
            ScoreKind::PValue if self.score <= 0.0 => f64::INFINITY,
            ScoreKind::PValue if self.threshold > 0.0 && self.threshold < 1.0 => {
                self.score.ln() / self.threshold.ln()
            }
            ScoreKind::PValue => 1.0 - self.score,
        }
    }
}

fn f64_or_nan<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// One side's counts for one column.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SideStats {
    /// Values tested (not null, not NaN, finite).
    pub values: u64,
    pub nulls: u64,
    pub infinite: u64,
    /// (nulls + infinite) / rows.
    pub null_share: f64,
    pub distinct: u64,
    pub dtype: Option<String>,
}

/// Both distributions of a column, as shares, for a chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Chart {
    /// Shared bin edges (edges.len() = bins + 1).
    Histogram {
        edges: Vec<f64>,
        reference: Vec<f64>,
        current: Vec<f64>,
    },
    /// One bar pair per value; the largest values first, the rest pooled in a last bar.
    Bars {
        labels: Vec<String>,
        reference: Vec<f64>,
        current: Vec<f64>,
    },
}

/// The drift of one column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnDrift {
    pub name: String,
    pub kind: ColumnKind,
    pub tested: bool,
    pub test: Option<Method>,
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
    pub score: Option<f64>,
    pub score_kind: Option<ScoreKind>,
    pub threshold: Option<f64>,
    pub drifted: bool,
    /// Why this test (or why the column is not tested), in one line.
    pub reason: String,
    pub reference: SideStats,
    pub current: SideStats,
    /// Distinct values in reference ∪ current.
    pub distinct: Option<u64>,
    /// Every test that applies to the column, the chosen one included (to switch in place).
    pub tests: Vec<TestResult>,
    pub chart: Option<Chart>,
    /// True when a side comes from a compacted sketch: each test then carries its bound.
    #[serde(default)]
    pub approximate: bool,
}

impl ColumnDrift {
    fn untested(name: &str, kind: ColumnKind, reason: String) -> ColumnDrift {
        ColumnDrift {
            name: name.to_string(),
            kind,
            tested: false,
            test: None,
            statistic: None,
            p_value: None,
            score: None,
            score_kind: None,
            threshold: None,
            drifted: false,
            reason,
            reference: SideStats::default(),
            current: SideStats::default(),
            distinct: None,
            tests: Vec::new(),
            chart: None,
            approximate: false,
        }
    }

    /// A column that is not tested, with both sides' counts.
    fn untested_with(
        name: &str,
        kind: ColumnKind,
        reason: String,
        reference: SideStats,
        current: SideStats,
    ) -> ColumnDrift {
        ColumnDrift {
            reference,
            current,
            ..ColumnDrift::untested(name, kind, reason)
        }
    }

    /// The chosen test's result.
    pub fn result(&self) -> Option<&TestResult> {
        self.tests.iter().find(|t| Some(t.test) == self.test)
    }

    fn apply(&mut self, chosen: &TestResult) {
        self.test = Some(chosen.test);
        self.statistic = chosen.statistic;
        self.p_value = chosen.p_value;
        self.score = Some(chosen.score);
        self.score_kind = Some(chosen.test.score_kind());
        self.threshold = Some(chosen.threshold);
        self.drifted = chosen.drifted;
    }

    /// The sort key of "most drifted first".
    pub fn severity(&self) -> f64 {
        self.result()
            .map_or(f64::NEG_INFINITY, TestResult::severity)
    }
}

/// A schema problem: reported, never counted as drift.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    MissingInCurrent,
    MissingInReference,
    TypeChanged,
    AllNull,
    Constant,
    NothingTested,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub column: Option<String>,
    pub kind: FindingKind,
    pub message: String,
}

impl Finding {
    /// A finding about column `name`; the message starts with the name.
    fn about(name: &str, kind: FindingKind, what: &str) -> Finding {
        Finding {
            column: Some(name.to_string()),
            kind,
            message: format!("{name}: {what}"),
        }
    }
}

/// The reason of an incomplete check in which no column could be tested.
pub const NOTHING_TESTED: &str = "no column could be tested";

/// What a check says to a gate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The share of drifted tested columns reached the limit.
    Drift,
    /// Every reference column that could be compared was, and too few drifted.
    #[default]
    NoDrift,
    /// Too few drifted among the tested columns, but some reference column could not be
    /// compared (missing, type changed, no values left) or nothing was tested: not "no drift".
    Incomplete,
}

impl Verdict {
    /// Whether a gate (`--fail-on-drift`) passes.
    pub fn passes(self) -> bool {
        self == Verdict::NoDrift
    }
}

/// A whole drift check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    pub reference_rows: u64,
    pub current_rows: u64,
    pub dataset_drift: bool,
    /// Drifted / tested columns.
    pub drift_share: f64,
    /// The share at which the dataset drifts.
    pub drift_share_threshold: f64,
    pub n_tested: usize,
    pub n_drifted: usize,
    pub drifted_columns: Vec<String>,
    pub columns: Vec<ColumnDrift>,
    pub findings: Vec<Finding>,
    /// True when some column comes from a compacted sketch (a baseline or a streaming pass):
    /// its tests then carry their bounds. False: every statistic is computed on all rows.
    pub approximate: bool,
    /// The gate's verdict (derived in [`DriftReport::recompute`]).
    #[serde(default)]
    pub verdict: Verdict,
    /// Why the check is incomplete: each reference column that could not be compared, or
    /// that nothing was tested. Empty when complete.
    #[serde(default)]
    pub incomplete: Vec<String>,
    /// The check was asked to pass the gate even when incomplete.
    #[serde(default)]
    pub allow_incomplete: bool,
}

impl DriftReport {
    /// Column indices, most drifted first: drifted columns by severity, then the others by
    /// severity, then the untested ones in table order.
    pub fn by_drift(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.columns.len()).collect();
        idx.sort_by(|&a, &b| {
            let (x, y) = (&self.columns[a], &self.columns[b]);
            y.tested
                .cmp(&x.tested)
                .then(y.drifted.cmp(&x.drifted))
                .then(y.severity().total_cmp(&x.severity()))
                .then(a.cmp(&b))
        });
        idx
    }

    /// Switch one column to another of its tests (with its default threshold unless one is
    /// given) and recompute the dataset verdict.
    pub fn set_test(&mut self, column: &str, test: Method, threshold: Option<f64>) -> Result<()> {
        let Some(col) = self.columns.iter_mut().find(|c| c.name == column) else {
            return Err(PipelineError::BadRequest(format!(
                "no column '{column}' in this drift check"
            )));
        };
        let Some(found) = col.tests.iter_mut().find(|t| t.test == test) else {
            let applicable: Vec<&str> = col.tests.iter().map(|t| t.test.name()).collect();
            return Err(PipelineError::BadRequest(format!(
                "{test} does not apply to {} column '{column}'; it can use: {}",
                col.kind.name(),
                if applicable.is_empty() {
                    "none (not tested)".to_string()
                } else {
                    applicable.join(", ")
                }
            )));
        };
        let t = threshold.unwrap_or(found.threshold);
        found.threshold = t;
        found.drifted = test.drifted(found.score, t);
        let chosen = found.clone();
        col.apply(&chosen);
        col.reason = format!("{} (chosen by hand)", test.label());
        self.recompute();
        Ok(())
    }

    /// Derive the counts, the dataset verdict and the gate's verdict from the columns (also for
    /// a report read back from the store, so older reports get a verdict too).
    pub fn recompute(&mut self) {
        let tested: Vec<&ColumnDrift> = self.columns.iter().filter(|c| c.tested).collect();
        self.n_tested = tested.len();
        self.drifted_columns = tested
            .iter()
            .filter(|c| c.drifted)
            .map(|c| c.name.clone())
            .collect();
        self.n_drifted = self.drifted_columns.len();
        self.drift_share = if self.n_tested == 0 {
            0.0
        } else {
            self.n_drifted as f64 / self.n_tested as f64
        };
        self.dataset_drift = self.n_tested > 0 && self.drift_share >= self.drift_share_threshold;
        self.incomplete = self.incomplete_reasons();
        self.verdict = if self.dataset_drift {
            Verdict::Drift
        } else if self.incomplete.is_empty() || self.allow_incomplete {
            Verdict::NoDrift
        } else {
            Verdict::Incomplete
        };
    }

    /// Each reference column that could not be compared, and whether anything was tested.
    fn incomplete_reasons(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.n_tested == 0 {
            out.push(NOTHING_TESTED.to_string());
        }
        for c in self.columns.iter().filter(|c| !c.tested) {
            let finding = |kind| {
                self.findings
                    .iter()
                    .any(|f| f.kind == kind && f.column.as_deref() == Some(c.name.as_str()))
            };
            if finding(FindingKind::MissingInCurrent) {
                out.push(format!("{} is missing in the current data", c.name));
            } else if c.kind == ColumnKind::Untestable && finding(FindingKind::TypeChanged) {
                out.push(format!("{} changed type", c.name));
            } else if c.kind == ColumnKind::Untestable
                && c.reference.values > 0
                && c.current.values == 0
            {
                out.push(format!("{} has no values in the current data", c.name));
            }
        }
        out
    }
}

/// How one column will be read, decided from the two dtypes before any value is touched.
enum Plan {
    Untested(Box<ColumnDrift>),
    Number,
    Label,
}

fn plan_column(name: &str, r: &ColumnInfo, c: &ColumnInfo, findings: &mut Vec<Finding>) -> Plan {
    let (rt, ct) = (r.class, c.class);
    let (rn, cn) = (r.dtype.as_str(), c.dtype.as_str());
    let changed = rn != cn;
    let untested = |kind, reason: String| {
        Plan::Untested(Box::new(ColumnDrift::untested_with(
            name,
            kind,
            reason,
            r.unread_side(),
            c.unread_side(),
        )))
    };
    if matches!(rt, DtypeClass::Null) || matches!(ct, DtypeClass::Null) {
        for (side, class) in [("reference", rt), ("current", ct)] {
            if matches!(class, DtypeClass::Null) {
                findings.push(Finding::about(
                    name,
                    FindingKind::AllNull,
                    &format!("every value is missing in the {side} data"),
                ));
            }
        }
        return untested(
            ColumnKind::Untestable,
            "no values on one side (null type)".into(),
        );
    }
    match (rt, ct) {
        (DtypeClass::Number { .. }, DtypeClass::Number { .. })
        | (DtypeClass::Label, DtypeClass::Label) => {
            if changed {
                findings.push(Finding::about(
                    name,
                    FindingKind::TypeChanged,
                    &format!("type changed from {rn} to {cn}; values are still compared"),
                ));
            }
            if matches!(rt, DtypeClass::Label) {
                Plan::Label
            } else {
                Plan::Number
            }
        }
        (DtypeClass::Temporal, DtypeClass::Temporal) => untested(
            ColumnKind::Datetime,
            "dates move by design; test a derived feature (age, weekday) instead".into(),
        ),
        (DtypeClass::Other, _) | (_, DtypeClass::Other) => untested(
            ColumnKind::Unsupported,
            format!("type {rn} / {cn} cannot be tested"),
        ),
        _ => {
            findings.push(Finding::about(
                name,
                FindingKind::TypeChanged,
                &format!(
                    "type changed from {rn} to {cn}; not tested — cast one side so \
                     both hold the same kind of values"
                ),
            ));
            untested(
                ColumnKind::Untestable,
                format!("type changed from {rn} to {cn}"),
            )
        }
    }
}

/// One side of a check once read: a whole table, or summaries of one (a stored baseline, or
/// a file read in a streaming pass).
pub enum SideData {
    Frame(DataFrame),
    Summary(baseline::Summary),
}

/// One side of a check and where it came from.
pub struct LoadedSide {
    pub meta: report::SideMeta,
    pub data: SideData,
}

impl LoadedSide {
    pub fn source(&self) -> Source<'_> {
        match &self.data {
            SideData::Frame(df) => Source::Frame(df),
            SideData::Summary(s) => Source::Summary(s),
        }
    }

    pub fn rows(&self) -> u64 {
        self.source().rows()
    }
}

/// Read one side of a check from a data file: the whole table, or, with `stream`, a pass over
/// its batches that keeps only summaries (for files larger than memory). An empty table is bad
/// input naming its file.
pub fn load_side(
    path: &std::path::Path,
    stream: bool,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<LoadedSide> {
    use crate::pipeline::data::{self, LoadOptions};
    let empty = || {
        PipelineError::bad_data(
            path,
            "the table has no rows; drift needs data on both sides",
        )
    };
    let side = if stream {
        let mut summary = baseline::Summary {
            rows: 0,
            columns: Vec::new(),
        };
        let read = data::for_each_batch(path, data::BATCH_BYTES, cancel, progress, &mut |df| {
            summary
                .add_batch(&df, cancel)
                .map_err(|m| PipelineError::bad_data(path, m))
        })?;
        LoadedSide {
            meta: report::SideMeta {
                path: path.display().to_string(),
                rows: read.rows,
                fingerprint: read.fingerprint,
                note: Some("read in a streaming pass (summaries only)".into()),
            },
            data: SideData::Summary(summary),
        }
    } else {
        let d = data::load(path, &LoadOptions::default(), cancel, progress)?;
        LoadedSide {
            meta: report::SideMeta {
                path: d.path.display().to_string(),
                rows: d.df.height() as u64,
                fingerprint: d.fingerprint,
                note: None,
            },
            data: SideData::Frame(d.df),
        }
    };
    if side.rows() == 0 {
        return Err(empty());
    }
    Ok(side)
}

/// The reference side from a baseline file.
pub fn baseline_side(path: &std::path::Path) -> Result<LoadedSide> {
    let b = baseline::Baseline::read(path)?;
    Ok(LoadedSide {
        meta: report::SideMeta {
            path: path.display().to_string(),
            rows: b.source.rows,
            fingerprint: b.source.fingerprint.clone(),
            note: Some(format!("baseline of {}", b.source.path)),
        },
        data: SideData::Summary(b.summary),
    })
}

/// The reference side from a path: a baseline file (recognised by its first bytes) or data.
pub fn load_reference(
    path: &std::path::Path,
    stream: bool,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<LoadedSide> {
    if baseline::Baseline::is_baseline(path) {
        baseline_side(path)
    } else {
        load_side(path, stream, cancel, progress)
    }
}

/// A baseline of one side, ready to write.
pub fn make_baseline(side: &LoadedSide, cancel: &CancelFlag) -> Result<baseline::Baseline> {
    let summary = match &side.data {
        SideData::Frame(df) => baseline::Summary::of_frame(df, cancel)?,
        SideData::Summary(s) => s.clone(),
    };
    let mut source = side.meta.clone();
    source.note = None;
    Ok(baseline::Baseline::new(source, summary))
}

/// Check two sides that are already read.
pub fn check_loaded(
    reference: &LoadedSide,
    current: &LoadedSide,
    options: &DriftOptions,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<(report::CheckMeta, DriftReport)> {
    let started = std::time::Instant::now();
    let report = check_sources(
        reference.source(),
        current.source(),
        options,
        cancel,
        progress,
    )?;
    let meta = report::CheckMeta {
        reference: reference.meta.clone(),
        current: current.meta.clone(),
        check_id: None,
        duration_s: started.elapsed().as_secs_f64(),
    };
    Ok((meta, report))
}

/// Whether files this large should be streamed: when holding them as tables would take more
/// than half the memory available now (a rough estimate from their sizes on disk).
pub fn should_stream(paths: &[&std::path::Path]) -> bool {
    let need: f64 = paths
        .iter()
        .map(|p| {
            let bytes = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64;
            let name = p.to_string_lossy().to_ascii_lowercase();
            // Compressed and columnar files grow when decoded; text shrinks a little.
            let factor = if [".parquet", ".pq", ".gz", ".arrow", ".ipc", ".feather"]
                .iter()
                .any(|e| name.ends_with(e))
            {
                4.0
            } else {
                1.5
            };
            bytes * factor
        })
        .sum();
    crate::pipeline::files::available_memory().is_some_and(|avail| need > avail as f64 / 2.0)
}

/// Read both files and check them: whole tables when they fit in memory, else a streaming
/// pass over each (see [`should_stream`]). The reference may be a baseline file.
pub fn check_files(
    reference: &std::path::Path,
    current: &std::path::Path,
    options: &DriftOptions,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<(report::CheckMeta, DriftReport)> {
    options.check()?;
    let stream = should_stream(&[reference, current]);
    let r = load_reference(reference, stream, cancel, progress)?;
    let c = load_side(current, stream, cancel, progress)?;
    check_loaded(&r, &c, options, cancel, progress)
}

/// Check every column of `reference` and `current` (DESIGN.md §8). Columns run in parallel;
/// progress is reported per column on stage `drift`.
pub fn check(
    reference: &DataFrame,
    current: &DataFrame,
    options: &DriftOptions,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<DriftReport> {
    check_sources(
        Source::Frame(reference),
        Source::Frame(current),
        options,
        cancel,
        progress,
    )
}

/// One side of a check: a table in memory, or summaries of one (a stored baseline, or a file
/// read in a streaming pass).
#[derive(Clone, Copy)]
pub enum Source<'a> {
    Frame(&'a DataFrame),
    Summary(&'a baseline::Summary),
}

/// What the planning of a column needs to know of one side, before any value is read.
pub struct ColumnInfo {
    pub class: DtypeClass,
    pub dtype: String,
    pub rows: u64,
    pub nulls: u64,
}

impl ColumnInfo {
    pub fn of(s: &Series) -> ColumnInfo {
        ColumnInfo {
            class: DtypeClass::of(s.dtype()),
            dtype: s.dtype().to_string(),
            rows: s.len() as u64,
            nulls: s.null_count() as u64,
        }
    }

    /// Counts of a column that is not tested, from its null count alone.
    fn unread_side(&self) -> SideStats {
        side(self.rows - self.nulls, self.nulls, 0, 0, &self.dtype)
    }
}

impl Source<'_> {
    fn rows(&self) -> u64 {
        match self {
            Source::Frame(df) => df.height() as u64,
            Source::Summary(s) => s.rows,
        }
    }

    fn names(&self) -> Vec<String> {
        match self {
            Source::Frame(df) => df
                .get_column_names()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            Source::Summary(s) => s.columns.iter().map(|c| c.name.clone()).collect(),
        }
    }

    fn info(&self, name: &str) -> Option<ColumnInfo> {
        match self {
            Source::Frame(df) => df
                .column(name)
                .ok()
                .map(|c| ColumnInfo::of(c.as_materialized_series())),
            Source::Summary(s) => s.column(name).map(|c| c.info()),
        }
    }

    /// The column's numbers as a sketch (exact from a table).
    fn numbers(&self, name: &str) -> Result<std::borrow::Cow<'_, NumericSketch>> {
        use std::borrow::Cow;
        match self {
            Source::Frame(df) => {
                let col = df.column(name)?;
                let n = sample::numbers(col.as_materialized_series())?;
                Ok(Cow::Owned(NumericSketch::from_sorted(
                    &n.sorted, n.nulls, n.infinite,
                )))
            }
            Source::Summary(s) => s
                .column(name)
                .and_then(|c| c.numbers())
                .map(Cow::Borrowed)
                .ok_or_else(|| PipelineError::Internal(format!("no numbers kept for '{name}'"))),
        }
    }

    /// The column's label counts.
    fn labels(&self, name: &str) -> Result<std::borrow::Cow<'_, LabelSummary>> {
        use std::borrow::Cow;
        match self {
            Source::Frame(df) => {
                let col = df.column(name)?;
                Ok(Cow::Owned(sample::labels(col.as_materialized_series())?))
            }
            Source::Summary(s) => s
                .column(name)
                .and_then(|c| c.labels())
                .map(Cow::Borrowed)
                .ok_or_else(|| PipelineError::Internal(format!("no labels kept for '{name}'"))),
        }
    }
}

/// Check every column of two sources: tables, summaries, or one of each. Between two tables
/// every statistic is exact; a compacted summary makes the columns it touches approximate,
/// each test with its bound.
pub fn check_sources(
    reference: Source,
    current: Source,
    options: &DriftOptions,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<DriftReport> {
    options.check()?;
    if reference.rows() == 0 {
        return Err(PipelineError::BadColumns(
            "the reference dataset has no rows: drift needs data on both sides".into(),
        ));
    }
    if current.rows() == 0 {
        return Err(PipelineError::BadColumns(
            "the current dataset has no rows: drift needs data on both sides".into(),
        ));
    }
    let ref_names = reference.names();
    let cur_names = current.names();
    let mut names: Vec<String> = ref_names.clone();
    names.extend(cur_names.iter().filter(|n| !ref_names.contains(n)).cloned());
    if let Some(wanted) = &options.columns {
        let unknown: Vec<&String> = wanted.iter().filter(|w| !names.contains(w)).collect();
        if !unknown.is_empty() {
            return Err(PipelineError::BadRequest(format!(
                "no column {} in either table; columns are: {}",
                unknown
                    .iter()
                    .map(|u| format!("'{u}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
                names.join(", ")
            )));
        }
        names.retain(|n| wanted.contains(n));
    }
    if let Some(unknown) = options.exclude.iter().find(|e| !names.contains(e)) {
        return Err(PipelineError::BadRequest(format!(
            "--exclude names '{unknown}', which is in neither table; columns are: {}",
            names.join(", ")
        )));
    }
    names.retain(|n| !options.exclude.contains(n));
    for (what, map) in [
        ("method", options.column_methods.keys().collect::<Vec<_>>()),
        (
            "threshold",
            options.column_thresholds.keys().collect::<Vec<_>>(),
        ),
    ] {
        if let Some(n) = map.into_iter().find(|n| !names.contains(n)) {
            return Err(PipelineError::BadRequest(format!(
                "a {what} is set for column '{n}', which is not checked"
            )));
        }
    }
    catch_panics("the drift check", || {
        let started = std::time::Instant::now();
        let mut findings = Vec::new();
        let mut planned: Vec<(String, Plan)> = Vec::new();
        for name in &names {
            let plan = match (reference.info(name), current.info(name)) {
                (Some(r), Some(c)) => plan_column(name, &r, &c, &mut findings),
                (Some(_), None) => {
                    findings.push(Finding::about(
                        name,
                        FindingKind::MissingInCurrent,
                        "in the reference but not in the current data",
                    ));
                    Plan::Untested(Box::new(ColumnDrift::untested(
                        name,
                        ColumnKind::Missing,
                        "missing in the current data".into(),
                    )))
                }
                _ => {
                    findings.push(Finding::about(
                        name,
                        FindingKind::MissingInReference,
                        "in the current data but not in the reference",
                    ));
                    Plan::Untested(Box::new(ColumnDrift::untested(
                        name,
                        ColumnKind::Missing,
                        "missing in the reference".into(),
                    )))
                }
            };
            planned.push((name.clone(), plan));
        }
        let total = planned
            .iter()
            .filter(|(_, p)| !matches!(p, Plan::Untested(_)))
            .count() as u64;
        let done = AtomicU64::new(0);
        progress(Progress::new(Stage::Drift, 0, total));
        let columns: Vec<ColumnDrift> = planned
            .into_par_iter()
            .map(|(name, plan)| -> Result<ColumnDrift> {
                let col = match plan {
                    Plan::Untested(col) => return Ok(*col),
                    Plan::Number | Plan::Label => {
                        cancel.check()?;
                        let (ri, ci) = (reference.info(&name), current.info(&name));
                        let (Some(ri), Some(ci)) = (ri, ci) else {
                            return Err(PipelineError::Internal(format!("'{name}' vanished")));
                        };
                        match (plan, reference, current) {
                            (Plan::Number, Source::Frame(r), Source::Frame(c)) => {
                                let (r, c) = (r.column(&name)?, c.column(&name)?);
                                let (r, c) =
                                    (r.as_materialized_series(), c.as_materialized_series());
                                numeric_column(&name, r, c, &ri, &ci, options)?
                            }
                            (Plan::Number, ..) => {
                                let (r, c) = rayon::join(
                                    || reference.numbers(&name),
                                    || current.numbers(&name),
                                );
                                numeric_from_sketches(&name, &*r?, &*c?, &ri, &ci, options)?
                            }
                            _ => {
                                let (r, c) = rayon::join(
                                    || reference.labels(&name),
                                    || current.labels(&name),
                                );
                                labels_from_summaries(&name, &*r?, &*c?, &ri, &ci, options)?
                            }
                        }
                    }
                };
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(Progress::new(Stage::Drift, n, total));
                Ok(col)
            })
            .collect::<Result<Vec<_>>>()?;
        cancel.check()?;
        for col in &columns {
            findings.extend(side_findings(col, reference.rows(), current.rows()));
        }
        let mut report = DriftReport {
            reference_rows: reference.rows(),
            current_rows: current.rows(),
            dataset_drift: false,
            drift_share: 0.0,
            drift_share_threshold: options.drift_share,
            n_tested: 0,
            n_drifted: 0,
            drifted_columns: Vec::new(),
            columns,
            findings,
            approximate: false,
            verdict: Verdict::NoDrift,
            incomplete: Vec::new(),
            allow_incomplete: options.allow_incomplete,
        };
        report.approximate = report.columns.iter().any(|c| c.approximate);
        report.recompute();
        if report.n_tested == 0 {
            report.findings.push(Finding {
                column: None,
                kind: FindingKind::NothingTested,
                message: "no column could be tested, so the check says nothing about drift \
                          (a gate fails on it); see each column's reason"
                    .into(),
            });
        }
        tracing::info!(
            columns = report.columns.len(),
            tested = report.n_tested,
            drifted = report.n_drifted,
            seconds = started.elapsed().as_secs_f64(),
            "drift checked"
        );
        Ok(report)
    })
}

/// All-null and constant columns, once their values are known.
fn side_findings(col: &ColumnDrift, ref_rows: u64, cur_rows: u64) -> Vec<Finding> {
    let mut out = Vec::new();
    if !matches!(
        col.kind,
        ColumnKind::Numeric | ColumnKind::Categorical | ColumnKind::Untestable
    ) {
        return out;
    }
    for (side, s, rows) in [
        ("reference", &col.reference, ref_rows),
        ("current", &col.current, cur_rows),
    ] {
        if s.dtype.is_none() {
            continue;
        }
        // Values were read for this side (type-changed columns are not read at all).
        let read = s.values + s.nulls + s.infinite > 0;
        if read && s.values == 0 && rows > 0 {
            out.push(Finding::about(
                &col.name,
                FindingKind::AllNull,
                &format!("every value is missing in the {side} data"),
            ));
        } else if s.distinct == 1 {
            out.push(Finding::about(
                &col.name,
                FindingKind::Constant,
                &format!("a single value in the {side} data"),
            ));
        }
    }
    out
}

fn side(values: u64, nulls: u64, infinite: u64, distinct: u64, dtype: &str) -> SideStats {
    let rows = values + nulls + infinite;
    SideStats {
        values,
        nulls,
        infinite,
        null_share: if rows == 0 {
            0.0
        } else {
            (nulls + infinite) as f64 / rows as f64
        },
        distinct,
        dtype: Some(dtype.to_string()),
    }
}

/// The default test (DESIGN.md §8, Evidently's rules) and the one-line reason for it.
fn default_test(kind: ColumnKind, ref_values: u64, distinct: u64) -> (Method, String) {
    let small = ref_values <= SMALL_REFERENCE;
    let size = if small {
        format!("reference ≤ {SMALL_REFERENCE} values")
    } else {
        format!("reference > {SMALL_REFERENCE} values")
    };
    let values = format!("{} distinct values", format_count(distinct));
    let (m, why) = match (kind, small) {
        (ColumnKind::Numeric, true) if distinct > 5 => (Method::Ks, format!("numeric, {values}")),
        (ColumnKind::Numeric, true) if distinct > 2 => {
            (Method::ChiSquare, format!("numeric with only {values}"))
        }
        (ColumnKind::Numeric, true) => (Method::ZTest, format!("binary ({values})")),
        (ColumnKind::Numeric, false) if distinct > 5 => {
            (Method::Wasserstein, format!("numeric, {values}"))
        }
        (ColumnKind::Numeric, false) => {
            (Method::JensenShannon, format!("numeric with only {values}"))
        }
        (_, true) if distinct > 2 => (Method::ChiSquare, format!("categorical, {values}")),
        (_, true) => (Method::ZTest, format!("binary ({values})")),
        (_, false) => (Method::JensenShannon, format!("categorical, {values}")),
    };
    (m, format!("{why}, {size}: {}", m.label()))
}

/// Pick the test for a column: the one asked for when it applies, else the default.
fn choose(
    name: &str,
    kind: ColumnKind,
    ref_values: u64,
    distinct: u64,
    tests: &[TestResult],
    options: &DriftOptions,
) -> Result<(Method, String)> {
    let (auto, auto_reason) = default_test(kind, ref_values, distinct);
    match options.method_for(name) {
        Some((m, how)) if tests.iter().any(|t| t.test == m) => {
            Ok((m, format!("{} ({how})", m.label())))
        }
        // Asked for by name where it cannot mean anything: a usage error naming the column.
        Some((m, _)) if options.column_methods.contains_key(name) => {
            let usable: Vec<&str> = tests.iter().map(|t| t.test.name()).collect();
            Err(PipelineError::BadRequest(format!(
                "--method {name}={m}: {}, and '{name}' is {} with {} distinct values; tests \
                 that apply to it: {}",
                applies_to(m),
                kind.name(),
                format_count(distinct),
                usable.join(", ")
            )))
        }
        Some((m, _)) => Ok((
            auto,
            format!("{m} does not apply to this column; {auto_reason}"),
        )),
        None => Ok((auto, auto_reason)),
    }
}

/// Finish a tested column: thresholds, the chosen test, the verdict.
fn finish(mut col: ColumnDrift, options: &DriftOptions) -> Result<ColumnDrift> {
    let distinct = col.distinct.unwrap_or(0);
    let (m, reason) = choose(
        &col.name,
        col.kind,
        col.reference.values,
        distinct,
        &col.tests,
        options,
    )?;
    // A threshold goes with the test it was given for: when the requested test does not apply
    // and the default is used instead, so is the default's threshold.
    let requested = options.method_for(&col.name).map(|(r, _)| r);
    if let Some(t) = options.threshold_for(&col.name)
        && requested.is_none_or(|r| r == m)
        && let Some(r) = col.tests.iter_mut().find(|r| r.test == m)
    {
        p_value_threshold(&format!("the threshold of {}", col.name), m, t)?;
        r.threshold = t;
        r.drifted = m.drifted(r.score, t);
    }
    if let Some(chosen) = col.tests.iter().find(|r| r.test == m).cloned() {
        col.apply(&chosen);
        col.tested = true;
    }
    col.reason = reason;
    if let Some(r) = col.result()
        && let Some(bound) = r.bound
    {
        let near = (r.score - r.threshold).abs() <= bound;
        col.reason.push_str(if near {
            "; from a sketch, and the threshold lies within its error: the verdict on all \
             rows may differ"
        } else {
            "; from a sketch (approximate, the verdict holds within its error)"
        });
    }
    Ok(col)
}

fn untestable_side(name: &str, rs: SideStats, cs: SideStats) -> ColumnDrift {
    let which = match (rs.values, cs.values) {
        (0, 0) => "both sides",
        (0, _) => "the reference",
        _ => "the current data",
    };
    let reason = if rs.infinite + cs.infinite > 0 {
        format!("no finite values in {which} (all missing or ±inf)")
    } else {
        format!("no values in {which} (all missing)")
    };
    ColumnDrift::untested_with(name, ColumnKind::Untestable, reason, rs, cs)
}

/// A numeric column of two tables: each side's values, sorted, as an exact sketch (no bound),
/// through the one numeric test battery.
fn numeric_column(
    name: &str,
    r: &Series,
    c: &Series,
    ri: &ColumnInfo,
    ci: &ColumnInfo,
    options: &DriftOptions,
) -> Result<ColumnDrift> {
    let (rn, cn) = rayon::join(|| sample::numbers(r), || sample::numbers(c));
    let (rn, cn) = (rn?, cn?);
    let (a, b) = rayon::join(
        || NumericSketch::from_sorted(&rn.sorted, rn.nulls, rn.infinite),
        || NumericSketch::from_sorted(&cn.sorted, cn.nulls, cn.infinite),
    );
    numeric_from_sketches(name, &a, &b, ri, ci, options)
}

/// A whole-number column that the identifier rule (the profile's, [`profile::is_identifier`])
/// calls an identifier, as an untested column; `None` when it is a feature to test, or when
/// the user asked for a test on this column by name (that overrides the rule).
fn identifier_column(
    name: &str,
    integer: bool,
    values: u64,
    distinct: u64,
    options: &DriftOptions,
) -> Option<ColumnDrift> {
    let is_id = integer && profile::is_identifier(IdValues::Integers, values, distinct);
    (is_id && !options.column_methods.contains_key(name)).then(|| {
        ColumnDrift::untested(
            name,
            ColumnKind::Id,
            format!(
                "{} (--method {name}=TEST, or :method {name}=TEST in the TUI, tests it anyway)",
                profile::identifier_reason(values, distinct)
            ),
        )
    })
}

/// What a label column is when it is not a category to test: free text or an identifier, by
/// the profile's rule ([`profile::is_identifier`]), decided from the reference alone.
pub fn label_role(l: &LabelSummary) -> Option<(ColumnKind, String)> {
    if !profile::is_identifier(IdValues::Labels, l.values, l.distinct) {
        return None;
    }
    if l.mean_words() >= 3.0 || l.mean_chars() >= 40.0 {
        Some((
            ColumnKind::Text,
            "free text: too many distinct values to compare as categories".into(),
        ))
    } else {
        Some((
            ColumnKind::Id,
            profile::identifier_reason(l.values, l.distinct),
        ))
    }
}

fn labels_from_summaries(
    name: &str,
    rl: &LabelSummary,
    cl: &LabelSummary,
    ri: &ColumnInfo,
    ci: &ColumnInfo,
    options: &DriftOptions,
) -> Result<ColumnDrift> {
    let rs = side(rl.values, rl.nulls, 0, rl.distinct, &ri.dtype);
    let cs = side(cl.values, cl.nulls, 0, cl.distinct, &ci.dtype);
    if rs.values == 0 || cs.values == 0 {
        return Ok(untestable_side(name, rs, cs));
    }
    let by_name = options.column_methods.contains_key(name);
    if let Some((kind, reason)) = label_role(rl).filter(|_| !by_name) {
        return Ok(ColumnDrift::untested_with(name, kind, reason, rs, cs));
    }
    if cl.uncounted || rl.uncounted || (rl.counts.is_empty() && rl.values > 0) {
        let kind = label_role(cl).map_or(ColumnKind::Id, |(k, _)| k);
        let reason = if cl.uncounted {
            format!(
                "the current values look like {} (too many distinct ones to count in a \
                 streaming pass), unlike the reference's categories",
                if kind == ColumnKind::Text {
                    "free text"
                } else {
                    "identifiers"
                }
            )
        } else {
            // Asked for by name, but the baseline kept no counts of this identifier column.
            "the reference side kept no per-value counts of this column (a baseline or a \
             streaming pass drops them for identifiers and free text): check it against the \
             reference data instead"
                .to_string()
        };
        return Ok(ColumnDrift::untested_with(name, kind, reason, rs, cs));
    }
    let (keys, a, b) = sample::align(&rl.counts, &cl.counts);
    let mut tests = count_tests(&a, &b, true);
    let js = measures::jensen_shannon(&a, &b);
    tests.push(TestResult::at_default(Method::JensenShannon, js, None));
    let psi = measures::psi(&a, &b);
    tests.push(TestResult::at_default(Method::Psi, psi, None));
    let mut col = ColumnDrift::untested_with(name, ColumnKind::Categorical, String::new(), rs, cs);
    col.distinct = Some(keys.len() as u64);
    col.chart = Some(bars(&keys, &a, &b, true));
    col.tests = tests;
    finish(col, options)
}

/// Every numeric test from two sketches: exact ones (a table's values, or a small baseline),
/// or a baseline or a streaming pass on either side. A compacted side makes the tests
/// approximate, each with the bound of its score.
fn numeric_from_sketches(
    name: &str,
    a: &NumericSketch,
    b: &NumericSketch,
    ri: &ColumnInfo,
    ci: &ColumnInfo,
    options: &DriftOptions,
) -> Result<ColumnDrift> {
    let integer = matches!(ri.class, DtypeClass::Number { integer: true });
    let rs = side(a.n, a.nulls, a.infinite, a.distinct, &ri.dtype);
    let cs = side(b.n, b.nulls, b.infinite, b.distinct, &ci.dtype);
    let (Some((alo, ahi)), Some((blo, bhi))) = (a.min().zip(a.max()), b.min().zip(b.max())) else {
        return Ok(untestable_side(name, rs, cs));
    };
    // Without duplicates every value is distinct; a compacted sketch's count is a lower bound.
    let ref_distinct = if a.duplicates { a.distinct } else { a.n };
    if let Some(col) = identifier_column(name, integer, a.n, ref_distinct, options) {
        return Ok(ColumnDrift {
            reference: rs,
            current: cs,
            ..col
        });
    }
    let exact = a.is_exact() && b.is_exact();
    let (ca, cb) = (a.cumulative(), b.cumulative());
    let walk = measures::walk_sketches(a, &ca, b, &cb, KEEP_VALUES);
    let approx = |t: TestResult, bound: f64| TestResult {
        bound: (!exact).then_some(bound),
        ..t
    };
    let (nx, ny) = (a.n, b.n);
    let mut tests = Vec::new();
    // KS: D within the two CDF bounds; p is monotone in D, so its bound follows.
    let cdf_bound = a.cdf_bound() + b.cdf_bound();
    let (ks_d, ks_p) = if exact {
        let d = pvalue::ks_2samp_statistic(walk.d, nx, ny);
        (d, pvalue::ks_2samp_pvalue(walk.d, nx, ny))
    } else {
        (walk.d, pvalue::ks_2samp_pvalue(walk.d, nx, ny))
    };
    let p_at = |d: f64| pvalue::ks_2samp_pvalue(d.clamp(0.0, 1.0), nx, ny);
    let p_bound = if exact {
        0.0
    } else {
        (p_at(ks_d - cdf_bound) - ks_p)
            .abs()
            .max((ks_p - p_at(ks_d + cdf_bound)).abs())
    };
    tests.push(approx(
        TestResult::at_default(Method::Ks, ks_d, Some(ks_p)),
        p_bound,
    ));
    let std = a.std().max(0.001);
    let w_bound = (a.wasserstein_bound() + b.wasserstein_bound()) / std;
    tests.push(approx(
        TestResult::at_default(Method::Wasserstein, walk.wasserstein / std, None),
        w_bound,
    ));
    let every_value;
    let per_value = match &walk.values {
        _ if !exact => None,
        Some(v) => Some(v),
        None if a.distinct <= PER_VALUE_BINS => {
            every_value = measures::walk_sketches(a, &ca, b, &cb, usize::MAX).values;
            every_value.as_ref()
        }
        None => None,
    };
    let integer_bins = integer
        && matches!(ci.class, DtypeClass::Number { integer: true })
        && a.nulls + b.nulls == 0;
    let sturges = measures::sturges_edges(
        alo.min(blo),
        ahi.max(bhi),
        (a.n + b.n) as usize,
        integer_bins,
    );
    let by_value = per_value.filter(|_| a.distinct <= PER_VALUE_BINS);
    // A reference of few values against a compacted current: a bin per reference value and
    // one for every other value (where the reference has no rows each value's term is linear
    // in its share, so pooling them gives the same distance as a bin each).
    let few_against_sketch = by_value.is_none() && a.is_exact() && a.distinct <= PER_VALUE_BINS;
    let (js_ref, js_cur, rest_bound) = match by_value {
        Some(v) => (
            v.iter().map(|t| t.1 as f64).collect::<Vec<_>>(),
            v.iter().map(|t| t.2 as f64).collect::<Vec<_>>(),
            0.0,
        ),
        None if few_against_sketch => {
            let mut r: Vec<f64> = a.weights.iter().map(|&w| w as f64).collect();
            let mut c: Vec<f64> = a
                .values
                .iter()
                .map(|&v| (b.count_at(v, false, &cb) - b.count_at(v, true, &cb)).max(0.0))
                .collect();
            let rest = (b.n as f64 - c.iter().sum::<f64>()).max(0.0);
            r.push(0.0);
            c.push(rest);
            (
                r,
                c,
                (b.error as f64 * a.values.len() as f64).min(b.n as f64),
            )
        }
        None => (
            a.histogram_counts(&sturges, &ca),
            b.histogram_counts(&sturges, &cb),
            b.error as f64,
        ),
    };
    let js = measures::jensen_shannon(&js_ref, &js_cur);
    let last = js_cur.len().saturating_sub(1);
    let cur_bound = |k: usize| {
        if few_against_sketch && k == last {
            rest_bound
        } else {
            b.error as f64
        }
    };
    let (lo, hi) = sketch::divergence_interval(
        &sketch::share_boxes(&js_ref, &|_| a.error as f64),
        &sketch::share_boxes(&js_cur, &cur_bound),
        measures::js_term,
    );
    let js_bound = (js - lo.max(0.0).sqrt()).max(hi.max(0.0).sqrt() - js);
    tests.push(approx(
        TestResult::at_default(Method::JensenShannon, js, None),
        js_bound,
    ));
    // PSI: exact from kept deciles and an exact current; else bounded over every placement of
    // the data's deciles (and counts) the sketches allow.
    let (edges, ref_bins, ref_exact) = a.decile_bins(&ca);
    let cur_bins = b.open_bin_counts(&edges, &cb);
    let psi = measures::psi(&ref_bins, &cur_bins);
    let psi_test = TestResult::at_default(Method::Psi, psi, None);
    tests.push(if ref_exact && b.is_exact() {
        psi_test
    } else {
        let (ra, rb) = if ref_exact {
            (
                sketch::share_boxes(&ref_bins, &|_| 0.0),
                sketch::share_boxes(&cur_bins, &|_| b.error as f64),
            )
        } else {
            a.decile_share_boxes(&ca, &edges, b, &cb)
        };
        let (lo, hi) = sketch::divergence_interval(&ra, &rb, measures::psi_term);
        TestResult {
            bound: Some((psi - lo).max(hi - psi).max(0.0)),
            ..psi_test
        }
    });
    if let Some(v) = walk.values.as_ref().filter(|_| exact) {
        let x: Vec<f64> = v.iter().map(|t| t.1 as f64).collect();
        let y: Vec<f64> = v.iter().map(|t| t.2 as f64).collect();
        tests.extend(count_tests(&x, &y, false));
    }
    let chart = match by_value {
        Some(v) => {
            let labels: Vec<String> = v.iter().map(|t| number_label(t.0)).collect();
            bars(&labels, &js_ref, &js_cur, false)
        }
        None if few_against_sketch => {
            let mut labels: Vec<String> = a.values.iter().map(|&v| number_label(v)).collect();
            labels.push("(other values)".into());
            bars(&labels, &js_ref, &js_cur, false)
        }
        None => Chart::Histogram {
            reference: measures::shares(&js_ref),
            current: measures::shares(&js_cur),
            edges: sturges,
        },
    };
    let mut col = ColumnDrift::untested_with(name, ColumnKind::Numeric, String::new(), rs, cs);
    col.distinct = Some(if exact {
        walk.distinct
    } else {
        walk.distinct.max(a.distinct).max(b.distinct)
    });
    col.approximate = !exact;
    col.tests = tests;
    col.chart = Some(chart);
    finish(col, options)
}

/// The tests on two aligned count vectors that apply to them: chi-square for categories and
/// for numbers with few values (at most [`PER_VALUE_BINS`]), the Z-test for binary columns
/// (at most two values).
fn count_tests(a: &[f64], b: &[f64], categories: bool) -> Vec<TestResult> {
    let mut out = Vec::new();
    if categories || a.len() as u64 <= PER_VALUE_BINS {
        let (chi, p_chi) = measures::chi_square(a, b);
        out.push(TestResult::at_default(Method::ChiSquare, chi, Some(p_chi)));
    }
    if a.len() <= 2 {
        let (z, p_z) = measures::z_test(a, b);
        out.push(TestResult::at_default(Method::ZTest, z, Some(p_z)));
    }
    out
}

/// Where a test applies, for the message when it is asked for where it does not.
fn applies_to(test: Method) -> String {
    match test {
        Method::ZTest => "the Z-test applies only to binary columns (at most two values)".into(),
        Method::ChiSquare => format!(
            "chi-square applies to categories and to numbers with at most {PER_VALUE_BINS} values"
        ),
        Method::Ks | Method::Wasserstein => format!("{} applies only to numbers", test.label()),
        Method::JensenShannon | Method::Psi => {
            format!("{} applies to numbers and categories", test.label())
        }
    }
}

/// Bars per value: categories beyond [`CHART_CATEGORIES`] keep the most common (by pooled
/// share) and pool the rest; numbers (`categories == false`) stay in value order, pooled only
/// beyond twice as many.
fn bars(labels: &[String], a: &[f64], b: &[f64], categories: bool) -> Chart {
    let (pa, pb) = (measures::shares(a), measures::shares(b));
    let mut order: Vec<usize> = (0..labels.len()).collect();
    let limit = if categories {
        CHART_CATEGORIES
    } else {
        2 * CHART_CATEGORIES
    };
    if labels.len() > limit {
        order.sort_by(|&i, &j| (pa[j] + pb[j]).total_cmp(&(pa[i] + pb[i])).then(i.cmp(&j)));
        if !categories {
            order[..limit].sort_unstable();
        }
    }
    let keep = order.len().min(limit);
    let mut chart_labels: Vec<String> = order[..keep].iter().map(|&i| labels[i].clone()).collect();
    let mut reference: Vec<f64> = order[..keep].iter().map(|&i| pa[i]).collect();
    let mut current: Vec<f64> = order[..keep].iter().map(|&i| pb[i]).collect();
    if order.len() > keep {
        let rest = &order[keep..];
        chart_labels.push(format!("({} others)", format_count(rest.len() as u64)));
        reference.push(rest.iter().map(|&i| pa[i]).sum());
        current.push(rest.iter().map(|&i| pb[i]).sum());
    }
    Chart::Bars {
        labels: chart_labels,
        reference,
        current,
    }
}
