//! Drift checks as application services, shared by the CLI and the TUI: check two files and
//! record the check, record a check made elsewhere, save a baseline, read a stored check back.

use std::path::Path;

use crate::pipeline::drift::report::CheckMeta;
use crate::pipeline::drift::{self, DriftOptions, DriftReport, ValidDriftOptions};
use crate::pipeline::progress::{CancelFlag, ProgressFn};
use crate::pipeline::runs::{CheckId, DriftCheck, Store};
use crate::pipeline::{PipelineError, Result};

/// A check and what it was run on, as a screen or a report shows it.
#[derive(Clone, Debug)]
pub struct CheckedDrift {
    pub meta: CheckMeta,
    pub report: DriftReport,
}

/// Record a finished check in `store`; its id goes into `meta`. The one place a check is
/// written, for the CLI and the TUI alike.
pub fn record(
    store: &Store,
    meta: &mut CheckMeta,
    options: &DriftOptions,
    report: &DriftReport,
) -> Result<CheckId> {
    let id = store.record_drift(meta, options, report)?;
    meta.check_id = Some(id);
    Ok(id)
}

/// Check `current` against `reference` and record the check (the Drift pane's job).
pub fn check_and_record(
    reference: &Path,
    current: &Path,
    options: &ValidDriftOptions,
    store_dir: &Path,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<CheckedDrift> {
    // Opened first: a store that cannot be written fails before the files are read.
    let store = Store::open(store_dir)?;
    let (mut meta, report) = drift::check_files(reference, current, options, cancel, progress)?;
    record(&store, &mut meta, options, &report)?;
    Ok(CheckedDrift { meta, report })
}

/// Save a baseline of `reference` (data, or a baseline already) to `out`; the message says
/// how to use it.
pub fn save_baseline(
    reference: &Path,
    out: &Path,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<String> {
    let stream = drift::should_stream(&[reference]);
    let side = drift::load_reference(reference, stream, cancel, progress)?;
    let baseline = drift::make_baseline(&side, cancel)?;
    baseline.write(out)?;
    let sketched = baseline
        .summary
        .columns
        .iter()
        .filter(|c| c.numbers().is_some_and(|s| !s.is_exact()))
        .count();
    let out = out.display().to_string();
    Ok(format!(
        "baseline saved: {out} ({} columns, {sketched} sketched); :reference {out} checks \
         against it",
        baseline.summary.columns.len()
    ))
}

/// The drift checks stored in the project, newest first.
pub fn stored_checks(store_dir: &Path) -> Result<Vec<DriftCheck>> {
    Store::open_to_read(store_dir)?.drift_checks()
}

/// Read one stored check back, as it was shown when it ran.
pub fn open_check(store_dir: &Path, check: &DriftCheck) -> Result<CheckedDrift> {
    let store = Store::open_to_read(store_dir)?;
    let report = store.drift_report(check.check_id)?.ok_or_else(|| {
        PipelineError::Internal(format!(
            "drift check {} cannot be read back from the store",
            check.check_id
        ))
    })?;
    let meta = check.meta(&report);
    Ok(CheckedDrift { meta, report })
}
