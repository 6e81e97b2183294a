//! `mlwb drift REFERENCE CURRENT`: per-column drift tests, the dataset verdict, reports, the
//! store record, and the CI gate (`--fail-on-drift` exits 1 on dataset drift).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{Output, exit};
use crate::pipeline::PipelineError;
use crate::pipeline::drift::report::{self, CheckMeta};
use crate::pipeline::drift::{self, DriftOptions, DriftReport};
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::text::{escape_control, format_count, format_number};

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The reference dataset (what the model was trained on).
    pub reference: PathBuf,
    /// The current dataset (what the model sees now).
    pub current: PathBuf,
    /// Check only these columns (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "C,...")]
    pub columns: Vec<String>,
    /// The test for every column (ks, chisquare, z, wasserstein, jensenshannon, psi), or
    /// COL=TEST for one column. Repeatable.
    #[arg(long, value_name = "[COL=]TEST")]
    pub method: Vec<String>,
    /// The threshold of every column's test, or COL=X for one column. Repeatable.
    #[arg(long, value_name = "[COL=]X")]
    pub threshold: Vec<String>,
    /// The dataset drifts when at least this share of the tested columns drift.
    #[arg(long, default_value_t = drift::DEFAULT_DRIFT_SHARE, value_name = "X")]
    pub drift_share: f64,
    /// One JSON document on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write a report: .html (self-contained, with SVG charts), .md or .json, by extension.
    #[arg(long, value_name = "OUT")]
    pub report: Option<PathBuf>,
    /// Exit 1 when the dataset drifted (0 when not); input errors keep their own codes.
    #[arg(long)]
    pub fail_on_drift: bool,
    /// Do not record the check in the store.
    #[arg(long)]
    pub no_store: bool,
}

/// The options the arguments ask for, or a usage error.
pub fn options(args: &DriftArgs) -> Result<DriftOptions, PipelineError> {
    let mut o = DriftOptions {
        drift_share: args.drift_share,
        ..DriftOptions::default()
    };
    if !args.columns.is_empty() {
        o.columns = Some(args.columns.iter().map(|c| c.trim().to_string()).collect());
    }
    let settings = (args.method.iter().map(|m| ("method", m)))
        .chain(args.threshold.iter().map(|t| ("threshold", t)));
    for (key, text) in settings {
        o.set(key, text)
            .map_err(|e| PipelineError::BadRequest(format!("--{key} {text}: {e}")))?;
    }
    o.check()?;
    Ok(o)
}

pub fn run(args: &DriftArgs, store: Option<&Path>, out: Output) -> ExitCode {
    let options = match options(args) {
        Ok(o) => o,
        Err(e) => return out.fail(&e),
    };
    if let Some(path) = &args.report
        && let Err(e) = report::ReportFormat::for_path(path)
    {
        return out.fail(&e);
    }
    let cancel = CancelFlag::new();
    let progress = super::stderr_progress(out);
    let result = drift::check_files(&args.reference, &args.current, &options, &cancel, &progress);
    super::clear_progress(out);
    let (mut meta, report) = match result {
        Ok(r) => r,
        Err(e) => return out.fail(&e),
    };
    // The verdict does not depend on the store: a store that cannot be written (a read-only
    // checkout in CI) costs the record, not the check.
    if !args.no_store {
        let recorded =
            super::train::open_store(store).and_then(|s| s.record_drift(&meta, &options, &report));
        match recorded {
            Ok(id) => meta.check_id = Some(id),
            Err(e) if !out.quiet => eprintln!(
                "mlwb: warning: the check is not recorded ({}); --no-store skips the store",
                escape_control(&e.to_string())
            ),
            Err(_) => {}
        }
    }
    if let Some(path) = &args.report
        && let Err(e) = report::write(path, &meta, &report)
    {
        return out.fail(&e);
    }
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    let written = if out.json {
        writeln!(w, "{}", report::to_json(&meta, &report))
    } else {
        write_human(&mut w, &meta, &report, out)
    };
    let code = super::finish_output(written);
    if code == ExitCode::from(exit::OK) && args.fail_on_drift && report.dataset_drift {
        return ExitCode::from(exit::GATE_FAILED);
    }
    code
}

fn write_human(
    w: &mut impl Write,
    meta: &CheckMeta,
    report: &DriftReport,
    out: Output,
) -> std::io::Result<()> {
    writeln!(
        w,
        "{} ({} rows) → {} ({} rows), {} columns in {:.2} s",
        escape_control(&meta.reference.path),
        format_count(meta.reference.rows),
        escape_control(&meta.current.path),
        format_count(meta.current.rows),
        report.columns.len(),
        meta.duration_s
    )?;
    let header = [
        "column",
        "verdict",
        "kind",
        "test",
        "score",
        "threshold",
        "why",
    ];
    let rows: Vec<[String; 7]> = report
        .by_drift()
        .into_iter()
        .map(|i| {
            let c = &report.columns[i];
            let verdict = report::verdict_text(c);
            let verdict = if out.color && c.drifted {
                format!("\x1b[31m{verdict}\x1b[0m")
            } else {
                verdict.to_string()
            };
            [
                escape_control(&c.name).into_owned(),
                verdict,
                c.kind.name().to_string(),
                c.test.map(|t| t.label().to_string()).unwrap_or_default(),
                report::score_text(c),
                c.threshold.map(format_number).unwrap_or_default(),
                c.reason.clone(),
            ]
        })
        .collect();
    super::write_table(w, &header, &rows, 4, true)?;
    writeln!(w)?;
    let line = report::verdict_line(report);
    if out.color && report.dataset_drift {
        writeln!(w, "\x1b[1;31m{line}\x1b[0m")?;
    } else {
        writeln!(w, "{line}")?;
    }
    if !report.findings.is_empty() && !out.quiet {
        writeln!(w, "\nfindings:")?;
        for f in &report.findings {
            writeln!(w, "  ! {}", escape_control(&f.message))?;
        }
    }
    if let Some(id) = meta.check_id
        && !out.quiet
    {
        writeln!(w, "\nrecorded as drift check {id}")?;
    }
    Ok(())
}
