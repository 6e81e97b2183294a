//! `mlwb drift REFERENCE CURRENT`: per-column drift tests, the dataset verdict, reports, the
//! store record, and the CI gate (`--fail-on-drift` exits 1 on dataset drift).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::term::{Out, Paint};
use super::{Output, exit};
use crate::pipeline::PipelineError;
use crate::pipeline::drift::report::{self, CheckMeta};
use crate::pipeline::drift::{self, DriftOptions, DriftReport, ValidDriftOptions};
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::text::{escape_control, format_count, format_number};

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// REFERENCE CURRENT: the data the model was trained on and the data it sees now. With
    /// --baseline, only CURRENT; with --baseline-out, CURRENT may be left out.
    #[arg(value_name = "REFERENCE CURRENT", num_args = 1..=2, required = true)]
    pub files: Vec<PathBuf>,
    /// Use a baseline file (from --baseline-out) as the reference instead of its data.
    #[arg(long, value_name = "F")]
    pub baseline: Option<PathBuf>,
    /// Save the reference as a baseline file (binned statistics and a quantile sketch, the
    /// values themselves when few), so later checks need no reference data.
    #[arg(long, value_name = "F")]
    pub baseline_out: Option<PathBuf>,
    /// Read the files in a streaming pass that keeps only summaries, as is done on its own
    /// for files larger than memory (results are then approximate, each with its bound).
    #[arg(long)]
    pub stream: bool,
    /// Check only these columns (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "C,...")]
    pub columns: Vec<String>,
    /// Leave these columns out of the check (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "C,...")]
    pub exclude: Vec<String>,
    /// Let an incomplete check pass the gate on the columns it tested: by default a reference
    /// column missing in the current data (or of another type there, or left with no values),
    /// or a check that could test nothing, fails --fail-on-drift.
    #[arg(long, alias = "allow-missing-columns")]
    pub allow_incomplete: bool,
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
    /// Exit 1 when the dataset drifted, or when the check is incomplete (a reference column
    /// could not be compared, or nothing was tested); 0 when not. Input errors keep their codes.
    #[arg(long)]
    pub fail_on_drift: bool,
    /// Do not record the check in the store.
    #[arg(long)]
    pub no_store: bool,
}

/// The options the arguments ask for, or a usage error.
pub fn options(args: &DriftArgs) -> Result<ValidDriftOptions, PipelineError> {
    let mut o = DriftOptions {
        drift_share: args.drift_share,
        ..DriftOptions::default()
    };
    if !args.columns.is_empty() {
        o.columns = Some(args.columns.iter().map(|c| c.trim().to_string()).collect());
    }
    o.exclude = args.exclude.iter().map(|c| c.trim().to_string()).collect();
    o.allow_incomplete = args.allow_incomplete;
    let settings = (args.method.iter().map(|m| ("method", m)))
        .chain(args.threshold.iter().map(|t| ("threshold", t)));
    for (key, text) in settings {
        o.set(key, text)
            .map_err(|e| PipelineError::BadRequest(format!("--{key} {text}: {e}")))?;
    }
    o.check()
}

/// What a run did: a check, or (without CURRENT) only saved a baseline.
enum Outcome<'a> {
    Checked(CheckMeta, DriftReport),
    Saved(Option<(&'a Path, drift::baseline::Baseline)>),
}

/// Which files the positionals name: (reference data, current data).
fn sides(args: &DriftArgs) -> Result<(Option<&Path>, Option<&Path>), PipelineError> {
    let files: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
    let usage = |m: &str| Err(PipelineError::BadRequest(m.into()));
    match (&args.baseline, files.as_slice()) {
        (Some(_), _) if args.baseline_out.is_some() => {
            usage("--baseline and --baseline-out do not go together: a baseline is made from data")
        }
        (Some(_), [current]) => Ok((None, Some(current))),
        (Some(_), _) => usage("with --baseline, give only the CURRENT file"),
        (None, [reference]) if args.baseline_out.is_some() => Ok((Some(reference), None)),
        (None, [_]) => usage(
            "give REFERENCE and CURRENT (or --baseline F CURRENT, or REFERENCE --baseline-out F)",
        ),
        (None, [reference, current]) => Ok((Some(reference), Some(current))),
        _ => usage("give at most two files: REFERENCE CURRENT"),
    }
}

pub fn run(args: &DriftArgs, store: Option<&Path>, out: Output) -> ExitCode {
    let options = match options(args) {
        Ok(o) => o,
        Err(e) => return out.fail(&e),
    };
    let (reference_path, current_path) = match sides(args) {
        Ok(s) => s,
        Err(e) => return out.fail(&e),
    };
    if let Some(path) = &args.report
        && let Err(e) = report::ReportFormat::for_path(path)
    {
        return out.fail(&e);
    }
    let cancel = CancelFlag::new();
    let progress = super::stderr_progress(out);
    let data_files: Vec<&Path> = reference_path
        .iter()
        .chain(&current_path)
        .copied()
        .collect();
    let stream = args.stream || drift::should_stream(&data_files);
    if stream && !args.stream && !out.quiet {
        crate::say!(
            "mlwb: the files look larger than the memory available: reading them in a \
             streaming pass (results approximate where a column has many values)"
        );
    }
    let result = (|| {
        let reference = match (&args.baseline, reference_path) {
            (Some(path), _) => drift::baseline_side(path)?,
            (None, Some(path)) => drift::load_reference(path, stream, &cancel, &progress)?,
            (None, None) => return Err(PipelineError::BadRequest("no reference given".into())),
        };
        let mut saved = None;
        if let Some(path) = &args.baseline_out {
            let baseline = drift::make_baseline(&reference, &cancel)?;
            baseline.write(path)?;
            saved = Some((path.as_path(), baseline));
        }
        let Some(current_path) = current_path else {
            // Only a baseline was asked for (`sides` allows no CURRENT only then).
            return Ok(Outcome::Saved(saved));
        };
        let current = drift::load_side(current_path, stream, &cancel, &progress)?;
        drift::check_loaded(&reference, &current, &options, &cancel, &progress)
            .map(|(meta, report)| Outcome::Checked(meta, report))
    })();
    super::clear_progress(out);
    let (mut meta, report) = match result {
        Ok(Outcome::Checked(meta, report)) => (meta, report),
        Ok(Outcome::Saved(Some((path, baseline)))) => {
            return baseline_written(path, &baseline, out);
        }
        Ok(Outcome::Saved(None)) => return ExitCode::from(exit::OK),
        Err(e) => return out.fail(&e),
    };
    if let Some(path) = &args.baseline_out
        && !out.quiet
        && !out.json
    {
        crate::say!("mlwb: wrote the baseline {}", path.display());
    }
    // The verdict does not depend on the store: a store that cannot be written (a read-only
    // checkout in CI) costs the record, not the check.
    if !args.no_store {
        let recorded = super::train::open_store(store)
            .and_then(|s| crate::jobs::drift::record(&s, &mut meta, &options, &report));
        match recorded {
            Ok(_) => {}
            Err(e) if !out.quiet => crate::say!(
                "mlwb: warning: the check is not recorded ({e}); --no-store skips the store"
            ),
            Err(_) => {}
        }
    }
    if let Some(path) = &args.report
        && let Err(e) = report::write(path, &meta, &report)
    {
        return out.fail(&e);
    }
    let mut w = super::term::stdout(out.color);
    let written = if out.json {
        w.json(&report::to_json(&meta, &report))
    } else {
        write_human(&mut w, &meta, &report, out)
    };
    let code = super::finish_output(written);
    if code == ExitCode::from(exit::OK) && args.fail_on_drift && !report.verdict.passes() {
        if report.verdict == drift::Verdict::Incomplete && !out.quiet {
            crate::say!(
                "mlwb: the gate fails: the check is incomplete ({}); --allow-incomplete passes \
                 it on the tested columns",
                report.incomplete.join("; ")
            );
        }
        return ExitCode::from(exit::GATE_FAILED);
    }
    code
}

/// The output of `mlwb drift REFERENCE --baseline-out F` (no check).
fn baseline_written(path: &Path, baseline: &drift::baseline::Baseline, out: Output) -> ExitCode {
    let sketched = |kept: bool| -> Vec<&str> {
        let columns = baseline.summary.columns.iter();
        columns
            .filter(|c| {
                c.numbers()
                    .is_some_and(|s| !s.is_exact() && s.deciles.is_some() == kept)
            })
            .map(|c| c.name.as_str())
            .collect()
    };
    let (psi_exact, psi_approx) = (sketched(true), sketched(false));
    let approximate: Vec<&str> = psi_exact.iter().chain(&psi_approx).copied().collect();
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut w = super::term::stdout(out.color);
    let written = if out.json {
        let doc = serde_json::json!({
            "schema_version": report::SCHEMA_VERSION,
            "baseline": path.display().to_string(),
            "source": baseline.source,
            "columns": baseline.summary.columns.len(),
            "sketched_columns": approximate,
            "bytes": bytes,
        });
        w.json(&doc)
    } else {
        let mut sketched = Vec::new();
        if !psi_exact.is_empty() {
            sketched.push(format!(
                "sketched, PSI's bins kept exact: {}",
                psi_exact.join(", ")
            ));
        }
        if !psi_approx.is_empty() {
            sketched.push(format!(
                "sketched in a streaming pass (PSI approximate too): {}",
                psi_approx.join(", ")
            ));
        }
        let sketched = if sketched.is_empty() {
            "every column kept exactly".to_string()
        } else {
            sketched.join("; ")
        };
        writeln!(
            w,
            "wrote the baseline {} ({} bytes): {} columns of {} ({} rows); {}",
            escape_control(&path.display().to_string()),
            format_count(bytes),
            baseline.summary.columns.len(),
            escape_control(&baseline.source.path),
            format_count(baseline.source.rows),
            escape_control(&sketched)
        )
    };
    super::finish_output(written)
}

fn write_human(
    w: &mut Out<impl Write>,
    meta: &CheckMeta,
    report: &DriftReport,
    out: Output,
) -> std::io::Result<()> {
    let side = |s: &report::SideMeta| {
        let text = format!(
            "{} ({} rows{})",
            s.path,
            format_count(s.rows),
            report::side_note(s)
        );
        escape_control(&text).into_owned()
    };
    writeln!(
        w,
        "{} → {}, {} columns in {:.2} s",
        side(&meta.reference),
        side(&meta.current),
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
            [
                escape_control(&c.name).into_owned(),
                report::verdict_text(c).to_string(),
                c.kind.name().to_string(),
                c.test.map(|t| t.label().to_string()).unwrap_or_default(),
                report::score_text(c),
                c.threshold.map(format_number).unwrap_or_default(),
                c.reason.clone(),
            ]
        })
        .collect();
    // The verdict column of a drifted column in red.
    let order = report.by_drift();
    let drifted = |row: usize, col: usize| {
        (col == 1 && order.get(row).is_some_and(|&i| report.columns[i].drifted))
            .then_some(Paint::Red)
    };
    super::write_table(w, &header, &rows, 4, true, drifted)?;
    writeln!(w)?;
    let line = report::verdict_line(report);
    match report.verdict {
        drift::Verdict::Drift => w.paint(Paint::BoldRed, &line)?,
        drift::Verdict::Incomplete => w.paint(Paint::BoldYellow, &line)?,
        drift::Verdict::NoDrift => w.write_all(line.as_bytes())?,
    }
    writeln!(w)?;
    if report.approximate {
        writeln!(w, "{}", report::approximate_line(report))?;
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
