//! The report's types: each column's tests, scores, verdict and chart; schema findings; the
//! dataset verdict.

use super::*;

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
    pub(super) fn new(
        test: Method,
        statistic: f64,
        p_value: Option<f64>,
        threshold: f64,
    ) -> TestResult {
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
    pub(super) fn at_default(test: Method, statistic: f64, p_value: Option<f64>) -> TestResult {
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

pub(super) fn f64_or_nan<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<f64, D::Error> {
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
    pub(super) fn untested(name: &str, kind: ColumnKind, reason: String) -> ColumnDrift {
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
    pub(super) fn untested_with(
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

    pub(super) fn apply(&mut self, chosen: &TestResult) {
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
    pub(super) fn about(name: &str, kind: FindingKind, what: &str) -> Finding {
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
    pub(super) fn incomplete_reasons(&self) -> Vec<String> {
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
