//! Check a current data file for drift against a reference, and gate on the verdict: exit 0
//! when the check passes, 1 when the data drifted (or the check is incomplete), as
//! `mlwb drift --fail-on-drift` does in CI.
//!
//! Run: `cargo run --example drift_gate [-- REFERENCE CURRENT]` (default: the bundled Seattle
//! weather pair `assets/demo/weather_reference.csv` (winters) and `weather_current.csv`
//! (summers), which drifts, so the default run exits 1). Works without the TUI
//! (`--no-default-features`): only the headless `pipeline` is used, and nothing is stored.

use std::path::PathBuf;
use std::process::ExitCode;

use mlwb::pipeline::Result;
use mlwb::pipeline::drift::report::{score_text, verdict_line, verdict_text};
use mlwb::pipeline::drift::{self, DriftOptions, Verdict};
use mlwb::pipeline::progress::{CancelFlag, no_progress};
use mlwb::pipeline::text::escape_control;

/// The exit code of a failed gate. An error exits with its own code (2 for a bad request, 3
/// for bad input, 70 for a bug), so a CI job can tell "drifted" from "could not check".
const GATE_FAILED: u8 = 1;

fn main() -> ExitCode {
    match run() {
        Ok(verdict) if verdict.passes() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(GATE_FAILED),
        Err(e) => {
            eprintln!("drift_gate: {}", escape_control(&e.to_string()));
            ExitCode::from(mlwb::cli::exit::for_error(e.kind()))
        }
    }
}

fn run() -> Result<Verdict> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let reference_path = args
        .next()
        .unwrap_or_else(|| demo_file("weather_reference.csv"));
    let current_path = args
        .next()
        .unwrap_or_else(|| demo_file("weather_current.csv"));
    let cancel = CancelFlag::new();

    // The gate: the dataset drifts when at least this share of the tested columns drift.
    // Each column's test is chosen as Evidently chooses it (K-S or chi-square on small data,
    // Wasserstein or Jensen–Shannon distances on large data), with its default threshold;
    // `DriftOptions::set` overrides the test or the threshold of one column or of all.
    // `check` refuses options that mean nothing (a share outside (0, 1], a p-value threshold
    // above 1); what passes is the only form the check takes.
    let options = DriftOptions {
        drift_share: 0.5,
        ..DriftOptions::default()
    }
    .check()?;

    // Each side is read whole (`stream = false`); a reference may also be a baseline file
    // written earlier (`mlwb drift REFERENCE --baseline-out F`), so no reference data is needed.
    let reference = drift::load_reference(&reference_path, false, &cancel, &no_progress)?;
    let current = drift::load_side(&current_path, false, &cancel, &no_progress)?;
    let (meta, report) =
        drift::check_loaded(&reference, &current, &options, &cancel, &no_progress)?;

    println!(
        "{} ({} rows) → {} ({} rows)",
        escape_control(&meta.reference.path),
        meta.reference.rows,
        escape_control(&meta.current.path),
        meta.current.rows
    );
    // Most drifted first; every column says which test ran and why that test was chosen.
    for i in report.by_drift() {
        let c = &report.columns[i];
        println!(
            "  {:<16} {:<14} {:>12}  {}",
            escape_control(&c.name),
            verdict_text(c),
            score_text(c),
            escape_control(&c.reason)
        );
    }
    // Schema problems (a column missing or of another type) are findings, not drift; they
    // make the check incomplete, which fails the gate too.
    for f in &report.findings {
        println!("  ! {}", escape_control(&f.message));
    }
    println!("{}", verdict_line(&report));
    println!(
        "gate: {}",
        if report.verdict.passes() {
            "passed"
        } else {
            "FAILED"
        }
    );
    Ok(report.verdict)
}

/// A bundled demo dataset, found from the crate's directory (so the example runs from anywhere).
fn demo_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo")
        .join(name)
}
