//! Drift reports as files: the JSON document of the CLI contract (DESIGN.md §9) and Markdown,
//! chosen by the output's extension and written atomically. No raw data goes into a report:
//! only statistics and binned shares.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ColumnDrift, DriftReport};
use crate::pipeline::error::{PipelineError, Result};
use crate::pipeline::files::write_atomic;
use crate::pipeline::text::{format_count, format_number};

/// Version of the drift JSON document's layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Where one side of a check came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SideMeta {
    pub path: String,
    pub rows: u64,
    pub fingerprint: String,
}

/// What a report says besides the statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckMeta {
    pub reference: SideMeta,
    pub current: SideMeta,
    /// The check's id in the store, when it was recorded.
    pub check_id: Option<i64>,
    pub duration_s: f64,
}

/// The report file formats, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Markdown,
}

impl ReportFormat {
    /// The format for `path`'s extension, or a usage error naming the ones there are.
    pub fn for_path(path: &Path) -> Result<ReportFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("json") => Ok(ReportFormat::Json),
            Some("md" | "markdown") => Ok(ReportFormat::Markdown),
            _ => Err(PipelineError::BadRequest(format!(
                "{}: the report format follows the extension: .json or .md",
                path.display()
            ))),
        }
    }
}

/// The drift JSON document (the same for `--json` and `--report OUT.json`).
pub fn to_json(meta: &CheckMeta, report: &DriftReport) -> serde_json::Value {
    json!({
        "schema_version": SCHEMA_VERSION,
        "check_id": meta.check_id,
        "reference": meta.reference,
        "current": meta.current,
        "dataset_drift": report.dataset_drift,
        "drift_share": report.drift_share,
        "drift_share_threshold": report.drift_share_threshold,
        "n_tested": report.n_tested,
        "n_drifted": report.n_drifted,
        "drifted_columns": report.drifted_columns,
        "approximate": report.approximate,
        "columns": report.columns,
        "findings": report.findings,
        "duration_s": meta.duration_s,
    })
}

/// The one-line dataset verdict.
pub fn verdict_line(report: &DriftReport) -> String {
    let share = report.drift_share * 100.0;
    let limit = report.drift_share_threshold * 100.0;
    if report.n_tested == 0 {
        return "no column could be tested: no dataset drift".into();
    }
    format!(
        "{}: {} of {} tested columns drifted ({share:.0}% {} {limit:.0}%)",
        if report.dataset_drift {
            "DATASET DRIFT"
        } else {
            "no dataset drift"
        },
        report.n_drifted,
        report.n_tested,
        if report.dataset_drift { "≥" } else { "<" },
    )
}

/// A column's score as text: a p-value or a distance, compactly.
pub fn score_text(col: &ColumnDrift) -> String {
    col.score.map(format_number).unwrap_or_default()
}

/// A column's verdict as a word with a symbol (never colour alone).
pub fn verdict_text(col: &ColumnDrift) -> &'static str {
    match (col.tested, col.drifted) {
        (false, _) => "– not tested",
        (true, true) => "✗ drift",
        (true, false) => "✓ ok",
    }
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The report as Markdown: verdict, a table sorted by drift, findings.
pub fn to_markdown(meta: &CheckMeta, report: &DriftReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Drift report\n");
    let _ = writeln!(
        s,
        "- reference: `{}` ({} rows)\n- current: `{}` ({} rows)\n",
        md_cell(&meta.reference.path),
        format_count(meta.reference.rows),
        md_cell(&meta.current.path),
        format_count(meta.current.rows)
    );
    let _ = writeln!(s, "**{}**\n", verdict_line(report));
    let _ = writeln!(
        s,
        "| column | kind | test | score | threshold | verdict | null share ref / cur | why this test |"
    );
    let _ = writeln!(s, "|---|---|---|---:|---:|---|---:|---|");
    for i in report.by_drift() {
        let c = &report.columns[i];
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {:.1}% / {:.1}% | {} |",
            md_cell(&c.name),
            c.kind.name(),
            c.test.map(|t| t.label()).unwrap_or("–"),
            score_text(c),
            c.threshold.map(format_number).unwrap_or_default(),
            verdict_text(c),
            c.reference.null_share * 100.0,
            c.current.null_share * 100.0,
            md_cell(&c.reason)
        );
    }
    if !report.findings.is_empty() {
        let _ = writeln!(s, "\n## Findings\n");
        for f in &report.findings {
            let _ = writeln!(s, "- {}", md_cell(&f.message));
        }
    }
    let _ = writeln!(
        s,
        "\n_mlwb {} · {:.2} s{}_",
        env!("CARGO_PKG_VERSION"),
        meta.duration_s,
        meta.check_id
            .map(|id| format!(" · check {id}"))
            .unwrap_or_default()
    );
    s
}

/// Write the report to `path` in the format its extension names, atomically.
pub fn write(path: &Path, meta: &CheckMeta, report: &DriftReport) -> Result<()> {
    let text = match ReportFormat::for_path(path)? {
        ReportFormat::Json => {
            let mut t = to_json(meta, report).to_string();
            t.push('\n');
            t
        }
        ReportFormat::Markdown => to_markdown(meta, report),
    };
    write_atomic(path, text.as_bytes())
}
