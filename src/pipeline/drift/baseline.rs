//! Baselines: a table's columns as summaries (numeric sketches, label counts) that a later
//! drift check uses in place of the reference data, built from a table in memory or batch by
//! batch in a streaming pass, and saved to / read from a versioned JSON file.

use std::path::Path;

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::report::SideMeta;
use super::sample::{self, DtypeClass};
use super::sketch::{
    BASELINE_EXACT_POINTS, BASELINE_POINTS, Deciles, EXACT_POINTS, LABEL_COUNT_LIMIT, LabelSummary,
    NumericSketch, STREAM_POINTS,
};
use super::{ColumnInfo, label_role};
use crate::pipeline::error::{PipelineError, Result};
use crate::pipeline::files::write_atomic;
use crate::pipeline::progress::CancelFlag;

/// The `format` field of a baseline file.
pub const FORMAT: &str = "mlwb-drift-baseline";
/// The layout version of a baseline file.
pub const VERSION: u32 = 1;

/// What is kept of one column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnData {
    Numbers(NumericSketch),
    Labels(LabelSummary),
    /// Dates, other types and all-null columns: only the counts are kept.
    Unread,
}

/// One column's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    pub name: String,
    pub dtype: String,
    pub class: DtypeClass,
    pub rows: u64,
    pub nulls: u64,
    pub data: ColumnData,
}

impl ColumnSummary {
    pub fn info(&self) -> ColumnInfo {
        ColumnInfo {
            class: self.class,
            dtype: self.dtype.clone(),
            rows: self.rows,
            nulls: self.nulls,
        }
    }

    pub fn numbers(&self) -> Option<&NumericSketch> {
        match &self.data {
            ColumnData::Numbers(s) => Some(s),
            _ => None,
        }
    }

    pub fn labels(&self) -> Option<&LabelSummary> {
        match &self.data {
            ColumnData::Labels(l) => Some(l),
            _ => None,
        }
    }

    /// Summarise one column of a table (one batch of a streaming pass, or the whole table).
    fn of(series: &Series) -> Result<ColumnSummary> {
        let info = ColumnInfo::of(series);
        let data = match info.class {
            DtypeClass::Number { .. } => {
                let n = sample::numbers(series)?;
                ColumnData::Numbers(NumericSketch::from_sorted(&n.sorted, n.nulls, n.infinite))
            }
            DtypeClass::Label => ColumnData::Labels(sample::labels(series)?),
            _ => ColumnData::Unread,
        };
        Ok(ColumnSummary {
            name: series.name().to_string(),
            dtype: info.dtype,
            class: info.class,
            rows: info.rows,
            nulls: info.nulls,
            data,
        })
    }

    /// Add a later batch of the same column. Numbers compact once they pass
    /// [`EXACT_POINTS`]; a column whose values change kind between batches is bad input.
    fn merge(&mut self, other: ColumnSummary, rows_before: u64) -> std::result::Result<(), String> {
        self.rows += other.rows;
        self.nulls += other.nulls;
        if matches!(other.class, DtypeClass::Null) {
            // A batch with no values at all (a CSV chunk of blanks): nulls only.
            match &mut self.data {
                ColumnData::Numbers(s) => s.nulls += other.rows,
                ColumnData::Labels(l) => l.nulls += other.rows,
                ColumnData::Unread => {}
            }
            return Ok(());
        }
        if matches!(self.class, DtypeClass::Null) {
            let nulls = self.rows - other.rows;
            *self = ColumnSummary {
                rows: self.rows,
                nulls: self.nulls,
                ..other
            };
            match &mut self.data {
                ColumnData::Numbers(s) => s.nulls += nulls,
                ColumnData::Labels(l) => l.nulls += nulls,
                ColumnData::Unread => {}
            }
            return Ok(());
        }
        match (&mut self.data, other.data) {
            (ColumnData::Numbers(a), ColumnData::Numbers(b)) => {
                a.merge(&b);
                if a.values.len() > EXACT_POINTS {
                    a.compact(STREAM_POINTS);
                }
                if let (
                    DtypeClass::Number { integer: true },
                    DtypeClass::Number { integer: false },
                ) = (self.class, other.class)
                {
                    self.class = other.class;
                    self.dtype = other.dtype;
                }
            }
            (ColumnData::Labels(a), ColumnData::Labels(b)) => {
                a.merge(&b);
                if a.distinct > LABEL_COUNT_LIMIT && label_role(a).is_some() {
                    a.counts = Vec::new();
                    a.uncounted = true;
                }
            }
            (ColumnData::Unread, ColumnData::Unread) if self.class == other.class => {}
            _ => {
                return Err(format!(
                    "column '{}' holds {} in the first rows but {} from about row {}; a \
                     streaming pass (for files larger than memory, or --stream) reads the \
                     file in pieces and needs one kind of value per column: clean the column",
                    self.name,
                    self.dtype,
                    other.dtype,
                    rows_before + 1
                ));
            }
        }
        Ok(())
    }

    /// Shrink the numbers for a baseline file: above [`BASELINE_EXACT_POINTS`] distinct
    /// values, keep [`BASELINE_POINTS`] points, and PSI's bins while the sketch is still exact.
    fn for_file(&mut self) {
        if let ColumnData::Numbers(s) = &mut self.data
            && s.values.len() > BASELINE_EXACT_POINTS
        {
            if s.is_exact() && s.deciles.is_none() {
                let cum = s.cumulative();
                let (edges, counts, _) = s.decile_bins(&cum);
                s.deciles = Some(Deciles {
                    edges,
                    counts: counts.into_iter().map(|c| c as u64).collect(),
                });
            }
            s.compact(BASELINE_POINTS);
        }
        if let ColumnData::Labels(l) = &mut self.data
            && label_role(l).is_some()
        {
            // Identifiers and free text are not tested: their counts would only take room.
            l.counts = Vec::new();
        }
    }
}

/// Summaries of every column of a table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub rows: u64,
    pub columns: Vec<ColumnSummary>,
}

impl Summary {
    pub fn column(&self, name: &str) -> Option<&ColumnSummary> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Summarise a whole table (columns in parallel).
    pub fn of_frame(df: &DataFrame, cancel: &CancelFlag) -> Result<Summary> {
        let columns = df
            .columns()
            .par_iter()
            .map(|c| {
                cancel.check()?;
                ColumnSummary::of(c.as_materialized_series())
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Summary {
            rows: df.height() as u64,
            columns,
        })
    }

    /// Add the next batch of a streaming pass. Its columns must be the first batch's.
    pub fn add_batch(
        &mut self,
        df: &DataFrame,
        cancel: &CancelFlag,
    ) -> std::result::Result<(), String> {
        let mut batch = Summary::of_frame(df, cancel).map_err(|e| e.to_string())?;
        // A batch's own points are few enough to hold only while they stay exact.
        for c in &mut batch.columns {
            if let ColumnData::Numbers(s) = &mut c.data
                && s.values.len() > EXACT_POINTS
            {
                s.compact(STREAM_POINTS);
            }
        }
        if self.columns.is_empty() && self.rows == 0 {
            *self = batch;
            return Ok(());
        }
        let names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        let theirs: Vec<&str> = batch.columns.iter().map(|c| c.name.as_str()).collect();
        if names != theirs {
            return Err(format!(
                "the columns change from about row {}; every batch must have the same header",
                self.rows + 1
            ));
        }
        let before = self.rows;
        for (mine, other) in self.columns.iter_mut().zip(batch.columns) {
            mine.merge(other, before)?;
        }
        self.rows += batch.rows;
        Ok(())
    }

    /// True when some column's numbers are compacted (its tests will be approximate).
    pub fn approximate(&self) -> bool {
        self.columns
            .iter()
            .any(|c| c.numbers().is_some_and(|s| !s.is_exact()))
    }
}

/// A stored reference: the summaries of a table, where they came from, and the layout version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub format: String,
    pub version: u32,
    pub created_by: String,
    pub source: SideMeta,
    pub summary: Summary,
}

impl Baseline {
    /// A baseline of `summary` (shrunk for the file: see [`ColumnSummary::for_file`]).
    pub fn new(source: SideMeta, mut summary: Summary) -> Baseline {
        summary.columns.par_iter_mut().for_each(|c| c.for_file());
        Baseline {
            format: FORMAT.into(),
            version: VERSION,
            created_by: format!("mlwb {}", env!("CARGO_PKG_VERSION")),
            source,
            summary,
        }
    }

    /// True when `path` starts like a baseline file (so it can stand where data is expected).
    pub fn is_baseline(path: &Path) -> bool {
        use std::io::Read;
        let mut head = [0u8; 64];
        // Never open a pipe or a device here: the load that follows refuses it by name.
        if crate::pipeline::files::regular_file(path).is_err() {
            return false;
        }
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .unwrap_or(0);
        let text = String::from_utf8_lossy(&head[..n]);
        let compact: String = text.split_whitespace().collect();
        compact.starts_with(&format!("{{\"format\":\"{FORMAT}\""))
    }

    /// Write the baseline as JSON, atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let bytes = serde_json::to_vec(self)
            .map_err(|e| PipelineError::Internal(format!("baseline to JSON: {e}")))?;
        write_atomic(path, &bytes)
    }

    /// Read a baseline file, checking that it is one and that this mlwb can read its version.
    pub fn read(path: &Path) -> Result<Baseline> {
        let bytes = crate::pipeline::files::read_document(
            path,
            crate::pipeline::files::MAX_DOCUMENT_BYTES,
        )?;
        let bad = |m: String| PipelineError::bad_data(path, m);
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            bad(format!(
                "not a baseline: the file is not JSON ({e}); make one with `mlwb drift REFERENCE --baseline-out FILE`"
            ))
        })?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(bad(format!(
                "not an mlwb drift baseline (no \"format\": \"{FORMAT}\"); make one with `mlwb drift REFERENCE --baseline-out FILE`"
            )));
        }
        let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if version != u64::from(VERSION) {
            return Err(bad(format!(
                "baseline version {version}, but this mlwb reads version {VERSION}; make it again with this mlwb"
            )));
        }
        let mut baseline: Baseline = serde_json::from_value(value)
            .map_err(|e| bad(format!("the baseline is damaged ({e}); make it again")))?;
        for c in &mut baseline.summary.columns {
            if let ColumnData::Numbers(s) = &mut c.data {
                s.fill_weights();
            }
        }
        baseline.validate().map_err(bad)?;
        Ok(baseline)
    }

    /// The invariants the tests rely on, so a damaged or hand-edited file cannot make them
    /// panic or claim an exactness it does not have.
    fn validate(&self) -> std::result::Result<(), String> {
        for c in &self.summary.columns {
            let bad = |what: &str| {
                Err(format!(
                    "column '{}': {what}; make the baseline again",
                    c.name
                ))
            };
            if c.nulls > c.rows {
                return bad("more nulls than rows");
            }
            let kind_matches = match (&c.data, c.class) {
                (ColumnData::Numbers(_), DtypeClass::Number { .. }) => true,
                (ColumnData::Labels(_), DtypeClass::Label) => true,
                (ColumnData::Unread, class) => {
                    !matches!(class, DtypeClass::Number { .. } | DtypeClass::Label)
                }
                _ => false,
            };
            if !kind_matches {
                return bad("its values do not match its type");
            }
            if let ColumnData::Numbers(s) = &c.data {
                let sorted = s.values.windows(2).all(|w| w[0] < w[1]);
                let finite = s.values.iter().all(|v| v.is_finite());
                let total = s.weights.iter().try_fold(0u64, |acc, &w| {
                    (w > 0).then(|| acc.checked_add(w)).flatten()
                });
                if !sorted || !finite || s.values.len() != s.weights.len() || total != Some(s.n) {
                    return bad(
                        "the sketch's points are not ascending finite values whose positive \
                         weights add up to its count",
                    );
                }
                let tails_ok = match (s.exact_below, s.exact_above) {
                    (None, None) => s.error == 0,
                    (Some(b), Some(a)) => b <= a && b.is_finite() && a.is_finite(),
                    _ => false,
                };
                if s.error > s.n
                    || !tails_ok
                    || !s.mean.is_finite()
                    || !s.m2.is_finite()
                    || s.m2 < 0.0
                {
                    return bad("the sketch's error, tails or moments are inconsistent");
                }
                if let Some(d) = &s.deciles {
                    let ascending = d.edges.windows(2).all(|w| w[0] < w[1]);
                    let sum = d.counts.iter().try_fold(0u64, |acc, &n| acc.checked_add(n));
                    if d.counts.len() != d.edges.len() + 1 || !ascending || sum != Some(s.n) {
                        return bad("PSI's bins do not match their counts");
                    }
                }
            }
            if let ColumnData::Labels(l) = &c.data {
                let ascending = l.counts.windows(2).all(|w| w[0].0 < w[1].0);
                let sum = l
                    .counts
                    .iter()
                    .try_fold(0u64, |acc, (_, n)| acc.checked_add(*n));
                let counted = l.counts.is_empty() || sum == Some(l.values);
                if !ascending || !counted || l.distinct < l.counts.len() as u64 {
                    return bad("the label counts are not sorted, unique and adding up");
                }
            }
        }
        Ok(())
    }
}

/// Rows of the reference decile bins, as `measures` counts them on sorted data.
#[cfg(test)]
fn exact_deciles(sorted: &[f64]) -> Deciles {
    use super::measures;
    let edges = measures::decile_edges(sorted);
    let counts = measures::open_bin_counts(sorted, &edges);
    Deciles {
        edges,
        counts: counts.into_iter().map(|c| c as u64).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::sketch::TAIL_POINTS;
    use super::*;

    #[test]
    fn kept_deciles_equal_the_datas() {
        let mut x: Vec<f64> = (0..250_000u64)
            .map(|i| ((i * 7_919) % 100_003) as f64 / 7.0)
            .collect();
        x.sort_by(f64::total_cmp);
        let df = df!("x" => &x).unwrap();
        let mut summary = Summary::of_frame(&df, &CancelFlag::new()).unwrap();
        summary.columns[0].for_file();
        let s = summary.columns[0].numbers().unwrap();
        assert!(!s.is_exact() && s.values.len() <= BASELINE_POINTS + 2 * TAIL_POINTS + 1);
        assert_eq!(s.deciles.as_ref(), Some(&exact_deciles(&x)));
    }

    #[test]
    fn batches_of_a_table_summarise_as_the_whole() {
        let a: Vec<Option<f64>> = (0..300)
            .map(|i| (i % 11 != 0).then_some((i % 37) as f64))
            .collect();
        let l: Vec<&str> = (0..300).map(|i| ["x", "y", "z"][i % 3]).collect();
        let df = df!("a" => &a, "l" => &l).unwrap();
        let whole = Summary::of_frame(&df, &CancelFlag::new()).unwrap();
        let mut batched = Summary {
            rows: 0,
            columns: Vec::new(),
        };
        for k in 0..3 {
            batched
                .add_batch(&df.slice(k * 100, 100), &CancelFlag::new())
                .unwrap();
        }
        assert_eq!(batched.rows, whole.rows);
        for (b, w) in batched.columns.iter().zip(&whole.columns) {
            assert_eq!((b.rows, b.nulls), (w.rows, w.nulls));
            match (&b.data, &w.data) {
                (ColumnData::Numbers(x), ColumnData::Numbers(y)) => {
                    assert_eq!(
                        (&x.values, &x.weights, x.nulls),
                        (&y.values, &y.weights, y.nulls)
                    );
                    assert!((x.std() - y.std()).abs() < 1e-12);
                }
                (x, y) => assert_eq!(x, y),
            }
        }
    }

    #[test]
    fn a_streaming_pass_stops_counting_identifiers() {
        let ids: Vec<String> = (0..130_000).map(|i| format!("user-{i:07}")).collect();
        let df = df!("id" => &ids).unwrap();
        let mut s = Summary {
            rows: 0,
            columns: Vec::new(),
        };
        for k in 0..3 {
            s.add_batch(&df.slice(k * 50_000, 50_000), &CancelFlag::new())
                .unwrap();
        }
        let l = s.columns[0].labels().unwrap();
        assert!(l.uncounted && l.counts.is_empty());
        assert_eq!((l.values, l.distinct), (130_000, 130_000));
        assert!(label_role(l).is_some());
    }

    #[test]
    fn a_kind_change_between_batches_is_named() {
        let mut s =
            Summary::of_frame(&df!("v" => &[1.0, 2.0]).unwrap(), &CancelFlag::new()).unwrap();
        let err = s
            .add_batch(&df!("v" => &["a", "b"]).unwrap(), &CancelFlag::new())
            .unwrap_err();
        assert!(err.contains("'v'") && err.contains("row 3"), "{err}");
    }
}
