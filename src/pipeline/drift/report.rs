//! Drift reports as files: the JSON document of the CLI contract (DESIGN.md §9), Markdown, and
//! a self-contained HTML page with SVG charts, chosen by the output's extension and written
//! atomically. No raw data goes into a report:
//! only statistics and binned shares.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ColumnDrift, DriftReport, Verdict};
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
    /// How the side was read when not as a whole table ("baseline of …", "streaming pass").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a report says besides the statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckMeta {
    pub reference: SideMeta,
    pub current: SideMeta,
    /// The check's id in the store, when it was recorded.
    pub check_id: Option<crate::pipeline::runs::CheckId>,
    pub duration_s: f64,
}

/// The report file formats, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Markdown,
    Html,
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
            Some("html" | "htm") => Ok(ReportFormat::Html),
            _ => Err(PipelineError::BadRequest(format!(
                "{}: the report format follows the extension: .html, .md or .json",
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
        // Nothing tested says nothing: neither drift nor no drift.
        "dataset_drift": (report.n_tested > 0).then_some(report.dataset_drift),
        "verdict": report.verdict,
        "incomplete": report.incomplete,
        "gate_passes": report.verdict.passes(),
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
    let what = incomplete_columns(report);
    if report.n_tested == 0 {
        return if report.verdict.passes() {
            format!("no column tested: nothing is known about drift{what} (allowed)")
        } else {
            format!(
                "INCOMPLETE CHECK: no column could be tested, so nothing is known about \
                 drift{what}; the gate fails"
            )
        };
    }
    // Enough digits that the comparison reads right near the limit (49.7% < 50%).
    let digits = usize::from((share.round() - limit.round()).abs() < 1.0 && share != limit);
    let line = format!(
        "{}: {} of {} tested columns drifted ({share:.digits$}% {} {limit:.0}%)",
        if report.dataset_drift {
            "DATASET DRIFT"
        } else {
            "no dataset drift"
        },
        report.n_drifted,
        report.n_tested,
        if report.dataset_drift { "≥" } else { "<" },
    );
    match report.verdict {
        Verdict::Incomplete => format!("{line}; INCOMPLETE{what}: the gate fails"),
        Verdict::Drift if !report.incomplete.is_empty() => format!("{line}; also incomplete{what}"),
        _ if !report.incomplete.is_empty() && report.allow_incomplete => {
            format!("{line}; incomplete{what}, allowed")
        }
        _ => line,
    }
}

/// " (x is missing in the current data and 2 more)": the reference columns that could not
/// be compared, for the verdict line.
fn incomplete_columns(report: &DriftReport) -> String {
    let columns: Vec<&String> = report
        .incomplete
        .iter()
        .filter(|r| r.as_str() != super::NOTHING_TESTED)
        .collect();
    match columns.len() {
        0 => String::new(),
        1 => format!(" ({})", columns[0]),
        2 => format!(
            " ({}, and 1 more reference column not compared)",
            columns[0]
        ),
        n => format!(
            " ({}, and {} more reference columns not compared)",
            columns[0],
            n - 1
        ),
    }
}

/// ", baseline of …" after a side that was not read as a whole table.
pub fn side_note(side: &SideMeta) -> String {
    side.note
        .as_ref()
        .map(|n| format!(", {n}"))
        .unwrap_or_default()
}

/// What an approximate check says about its numbers (a sketch stood in for some data).
pub fn approximate_line(report: &DriftReport) -> String {
    let (mut n, mut worst) = (0, 0.0f64);
    for c in report.columns.iter().filter(|c| c.approximate) {
        n += 1;
        if let Some(b) = c.result().and_then(|r| r.bound) {
            worst = worst.max(b);
        }
    }
    format!(
        "approximate: {n} column{} from quantile sketches (scores marked ≈, each within its \
         bound, at most ±{} here): a baseline or a streaming pass stood in for the rows",
        if n == 1 { "" } else { "s" },
        format_number(worst)
    )
}

/// A column's score as text: a p-value or a distance, compactly.
/// An approximate score (from a compacted sketch) reads "≈x".
pub fn score_text(col: &ColumnDrift) -> String {
    col.result().map(test_score_text).unwrap_or_default()
}

/// One test's score as text, "≈x" when approximate.
pub fn test_score_text(t: &super::TestResult) -> String {
    let approx = if t.bound.is_some() { "≈" } else { "" };
    format!("{approx}{}", format_number(t.score))
}

/// The dataset verdict's symbol: ✗ drift, ✓ no drift, ! incomplete.
pub fn verdict_symbol_of(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Drift => "✗",
        Verdict::NoDrift => "✓",
        Verdict::Incomplete => "!",
    }
}

/// A column's verdict as a word with a symbol (never colour alone).
pub fn verdict_text(col: &ColumnDrift) -> &'static str {
    match (col.tested, col.drifted) {
        (false, _) => "– not tested",
        (true, true) => "✗ drift",
        (true, false) => "✓ ok",
    }
}

/// The symbol of [`verdict_text`] alone, for narrow tables.
pub fn verdict_symbol(col: &ColumnDrift) -> &'static str {
    verdict_text(col).split(' ').next().unwrap_or("")
}

/// "ref% / cur%" missing shares, "–" for a side the column is not in.
fn missing_text(c: &ColumnDrift) -> String {
    let one = |s: &super::SideStats| match s.dtype {
        Some(_) => format!("{:.1}%", s.null_share * 100.0),
        None => "–".into(),
    };
    format!("{} / {}", one(&c.reference), one(&c.current))
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
        "- reference: `{}` ({} rows{})\n- current: `{}` ({} rows{})\n",
        md_cell(&meta.reference.path),
        format_count(meta.reference.rows),
        md_cell(&side_note(&meta.reference)),
        md_cell(&meta.current.path),
        format_count(meta.current.rows),
        md_cell(&side_note(&meta.current))
    );
    let _ = writeln!(s, "**{}**\n", verdict_line(report));
    if report.approximate {
        let _ = writeln!(s, "{}\n", md_cell(&approximate_line(report)));
    }
    let _ = writeln!(
        s,
        "| column | kind | test | score | threshold | verdict | null share ref / cur | why this test |"
    );
    let _ = writeln!(s, "|---|---|---|---:|---:|---|---:|---|");
    for i in report.by_drift() {
        let c = &report.columns[i];
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            md_cell(&c.name),
            c.kind.name(),
            c.test.map(|t| t.label()).unwrap_or("–"),
            score_text(c),
            c.threshold.map(format_number).unwrap_or_default(),
            verdict_text(c),
            missing_text(c),
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

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const HTML_STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;\
color:#222;padding:0 1em}table{border-collapse:collapse;width:100%;font-size:14px}\
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}td.n{text-align:right;\
font-variant-numeric:tabular-nums}tr.drift td{color:#b00020;font-weight:600}\
.verdict{font-size:1.3em;font-weight:700;padding:.5em .8em;border-radius:6px;display:inline-block}\
.yes{background:#fde7e9;color:#b00020}.no{background:#e6f4ea;color:#137333}.incomplete{background:#fff4e5;color:#8a5a00}\
section{margin:2em 0;border-top:1px solid #ccc;padding-top:1em}.why{color:#555}\
.findings li{color:#8a5a00}svg{max-width:100%;height:auto}";

/// The report as one self-contained HTML page: verdict, the table sorted by drift, findings,
/// and per tested column its chart (inline SVG drawn by plotters) and the reason for its test.
/// No script, no external resource, no raw data.
pub fn to_html(meta: &CheckMeta, report: &DriftReport) -> Result<String> {
    let mut s = String::new();
    let e = html_escape;
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Drift report: {} → {}</title><style>{HTML_STYLE}</style></head><body>\n",
        e(&meta.reference.path),
        e(&meta.current.path)
    );
    let _ = write!(
        s,
        "<h1>Drift report</h1><p>reference <code>{}</code> ({} rows{}) → current <code>{}</code> \
         ({} rows{})</p>\n<p class=\"verdict {}\">{} {}</p>\n",
        e(&meta.reference.path),
        format_count(meta.reference.rows),
        e(&side_note(&meta.reference)),
        e(&meta.current.path),
        format_count(meta.current.rows),
        e(&side_note(&meta.current)),
        match report.verdict {
            Verdict::Drift => "yes",
            Verdict::NoDrift => "no",
            Verdict::Incomplete => "incomplete",
        },
        verdict_symbol_of(report.verdict),
        e(&verdict_line(report))
    );
    if report.approximate {
        let _ = writeln!(s, "<p>{}</p>", e(&approximate_line(report)));
    }
    s.push_str(
        "<table><thead><tr><th>column</th><th>verdict</th><th>kind</th><th>test</th>\
         <th>score</th><th>threshold</th><th>missing ref / cur</th><th>why this test</th>\
         </tr></thead><tbody>\n",
    );
    let order = report.by_drift();
    for &i in &order {
        let c = &report.columns[i];
        let _ = writeln!(
            s,
            "<tr{}><td><a href=\"#col-{i}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td>{}</td></tr>",
            if c.drifted { " class=\"drift\"" } else { "" },
            e(&c.name),
            verdict_text(c),
            c.kind.name(),
            c.test.map(|t| t.label()).unwrap_or("–"),
            score_text(c),
            c.threshold.map(format_number).unwrap_or_default(),
            missing_text(c),
            e(&c.reason)
        );
    }
    s.push_str("</tbody></table>\n");
    if !report.findings.is_empty() {
        s.push_str("<h2>Findings</h2><ul class=\"findings\">");
        for f in &report.findings {
            let _ = write!(s, "<li>{}</li>", e(&f.message));
        }
        s.push_str("</ul>\n");
    }
    for &i in &order {
        let c = &report.columns[i];
        let Some(chart) = &c.chart else { continue };
        let _ = write!(
            s,
            "<section id=\"col-{i}\"><h2>{} — {}</h2><p class=\"why\">{}</p>",
            e(&c.name),
            verdict_text(c),
            e(&c.reason)
        );
        let others: Vec<String> = c
            .tests
            .iter()
            .map(|t| {
                let bound = t
                    .bound
                    .map(|b| format!(" ±{}", format_number(b)))
                    .unwrap_or_default();
                format!("{} {}{bound}", t.test.label(), test_score_text(t))
            })
            .collect();
        let _ = write!(
            s,
            "<p class=\"why\">all tests: {}</p>",
            e(&others.join(" · "))
        );
        s.push_str(&crate::pipeline::charts::drift_svg(chart)?);
        s.push_str("</section>\n");
    }
    let _ = writeln!(
        s,
        "<p class=\"why\">mlwb {} · {:.2} s{}</p></body></html>",
        env!("CARGO_PKG_VERSION"),
        meta.duration_s,
        meta.check_id
            .map(|id| format!(" · check {id}"))
            .unwrap_or_default()
    );
    Ok(s)
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
        ReportFormat::Html => to_html(meta, report)?,
    };
    write_atomic(path, text.as_bytes())
}
