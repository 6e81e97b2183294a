//! Data drift between a reference and a current table (DESIGN.md §8): per column, the test
//! Evidently would choose (or the one asked for), its score against a threshold, a verdict and
//! why that test; schema problems as findings; the dataset verdict from the share of drifted
//! columns. This module runs a check; its parts live by concern: [`options`] (what is asked),
//! [`column`] (the report's types), `plan` (which test where), [`sides`] (reading each side),
//! `battery` (the tests, one numeric battery for exact and sketched sides), `chart`.

pub mod baseline;
mod battery;
mod chart;
pub mod column;
mod measures;
mod method;
pub mod options;
mod plan;
pub mod pvalue;
pub mod report;
mod sample;
pub mod sides;
pub mod sketch;

use battery::*;
use chart::*;
pub use column::*;
pub use options::*;
use plan::*;
pub use sides::*;

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

/// Check two sides that are already read.
pub fn check_loaded(
    reference: &LoadedSide,
    current: &LoadedSide,
    options: &ValidDriftOptions,
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

/// Read both files and check them: whole tables when they fit in memory, else a streaming
/// pass over each (see [`should_stream`]). The reference may be a baseline file.
pub fn check_files(
    reference: &std::path::Path,
    current: &std::path::Path,
    options: &ValidDriftOptions,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<(report::CheckMeta, DriftReport)> {
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
    options: &ValidDriftOptions,
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

/// Check every column of two sources: tables, summaries, or one of each. Between two tables
/// every statistic is exact; a compacted summary makes the columns it touches approximate,
/// each test with its bound.
pub fn check_sources(
    reference: Source,
    current: Source,
    options: &ValidDriftOptions,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<DriftReport> {
    for (side, source) in [("reference", &reference), ("current", &current)] {
        if source.rows() == 0 {
            return Err(PipelineError::BadColumns(format!(
                "the {side} dataset has no rows: drift needs data on both sides"
            )));
        }
    }
    let names = checked_columns(&reference, &current, options)?;
    catch_panics("the drift check", || {
        let started = std::time::Instant::now();
        let mut findings = Vec::new();
        let planned: Vec<(String, Plan)> = names
            .iter()
            .map(|name| {
                (
                    name.clone(),
                    plan_sides(name, &reference, &current, &mut findings),
                )
            })
            .collect();
        let total = planned
            .iter()
            .filter(|(_, p)| !matches!(p, Plan::Untested(_)))
            .count() as u64;
        let done = AtomicU64::new(0);
        progress(Progress::new(Stage::Drift, 0, total));
        let columns: Vec<ColumnDrift> = planned
            .into_par_iter()
            .map(|(name, plan)| -> Result<ColumnDrift> {
                if let Plan::Untested(col) = plan {
                    return Ok(*col);
                }
                cancel.check()?;
                let col = test_column(&name, &plan, reference, current, options)?;
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(Progress::new(Stage::Drift, n, total));
                Ok(col)
            })
            .collect::<Result<Vec<_>>>()?;
        cancel.check()?;
        for col in &columns {
            findings.extend(side_findings(col, reference.rows(), current.rows()));
        }
        let report = assemble(&reference, &current, columns, findings, options);
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

/// The columns to check: both sides' (the reference's first), narrowed to `--columns`, less
/// `--exclude`; every column a setting names must be among them.
fn checked_columns(
    reference: &Source,
    current: &Source,
    options: &DriftOptions,
) -> Result<Vec<String>> {
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
    Ok(names)
}

/// How column `name` will be read, or why it is not tested (missing on one side).
fn plan_sides(
    name: &str,
    reference: &Source,
    current: &Source,
    findings: &mut Vec<Finding>,
) -> Plan {
    let missing = |kind, what: &str, reason: &str| {
        (
            Finding::about(name, kind, what),
            Plan::Untested(Box::new(ColumnDrift::untested(
                name,
                ColumnKind::Missing,
                reason.into(),
            ))),
        )
    };
    let (finding, plan) = match (reference.info(name), current.info(name)) {
        (Some(r), Some(c)) => return plan_column(name, &r, &c, findings),
        (Some(_), None) => missing(
            FindingKind::MissingInCurrent,
            "in the reference but not in the current data",
            "missing in the current data",
        ),
        _ => missing(
            FindingKind::MissingInReference,
            "in the current data but not in the reference",
            "missing in the reference",
        ),
    };
    findings.push(finding);
    plan
}

/// Test one planned column: numbers from two tables as exact sketches, from summaries as
/// they are; labels from their counts.
fn test_column(
    name: &str,
    plan: &Plan,
    reference: Source,
    current: Source,
    options: &DriftOptions,
) -> Result<ColumnDrift> {
    let (Some(ri), Some(ci)) = (reference.info(name), current.info(name)) else {
        return Err(PipelineError::Internal(format!("'{name}' vanished")));
    };
    match (plan, reference, current) {
        (Plan::Number, Source::Frame(r), Source::Frame(c)) => {
            let (r, c) = (r.column(name)?, c.column(name)?);
            let (r, c) = (r.as_materialized_series(), c.as_materialized_series());
            numeric_column(name, r, c, &ri, &ci, options)
        }
        (Plan::Number, ..) => {
            let (r, c) = rayon::join(|| reference.numbers(name), || current.numbers(name));
            numeric_from_sketches(name, &*r?, &*c?, &ri, &ci, options)
        }
        _ => {
            let (r, c) = rayon::join(|| reference.labels(name), || current.labels(name));
            labels_from_summaries(name, &*r?, &*c?, &ri, &ci, options)
        }
    }
}

/// The report of tested columns: the dataset verdict, and a finding when nothing was tested.
fn assemble(
    reference: &Source,
    current: &Source,
    columns: Vec<ColumnDrift>,
    findings: Vec<Finding>,
    options: &DriftOptions,
) -> DriftReport {
    let mut report = DriftReport {
        reference_rows: reference.rows(),
        current_rows: current.rows(),
        dataset_drift: false,
        drift_share: 0.0,
        drift_share_threshold: options.drift_share,
        n_tested: 0,
        n_drifted: 0,
        drifted_columns: Vec::new(),
        approximate: columns.iter().any(|c| c.approximate),
        columns,
        findings,
        verdict: Verdict::NoDrift,
        incomplete: Vec::new(),
        allow_incomplete: options.allow_incomplete,
    };
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
    report
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
