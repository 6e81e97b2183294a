//! Drift check time against the peer harness (issue #5): `drift_numpy_fast` (one sort per column
//! and side, the same statistics) and Evidently's DataDriftPreset, on the harness's drift pairs.
//!
//! Run: `cargo bench --bench drift -- DIR [ROWS] [REPS]`, with DIR holding
//! `drift_reference_ROWS.parquet` and `drift_current_ROWS.parquet` from
//! `../shared/bench/gen_data.py` (ROWS = 1000000 by default). Both tables are loaded before the
//! clock starts, as the peer does. Timed: `drift::check` with the default options, which
//! computes for each of the 12 numeric columns KS D and p, Wasserstein-1 (normed), PSI and
//! Jensen–Shannon, and for each of the 3 categorical ones chi-square, Z, PSI and
//! Jensen–Shannon. Prints the median time, the columns flagged (to compare with Evidently's)
//! and the peak RSS; then the same check against a baseline of the reference (sketched).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common.rs"]
mod common;

use std::path::PathBuf;
use std::time::Instant;

use mlwb::pipeline::data::{self, LoadOptions};
use mlwb::pipeline::drift::{self, ValidDriftOptions};
use mlwb::pipeline::progress::{CancelFlag, no_progress};

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench drift -- DIR [ROWS] [REPS]");
        return;
    };
    let rows = args.next().unwrap_or_else(|| "1000000".into());
    let reps: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let load = |side: &str| {
        let path = dir.join(format!("drift_{side}_{rows}.parquet"));
        data::load(
            &path,
            &LoadOptions::default(),
            &CancelFlag::new(),
            &no_progress,
        )
        .unwrap()
        .df
    };
    let (reference, current) = (load("reference"), load("current"));
    let base = common::rss_mb("VmRSS:");
    let mut times = Vec::new();
    let mut report = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let r = drift::check(
            &reference,
            &current,
            &ValidDriftOptions::default(),
            &CancelFlag::new(),
            &no_progress,
        )
        .unwrap();
        times.push(t0.elapsed().as_secs_f64());
        report = Some(r);
    }
    times.sort_by(f64::total_cmp);
    let report = report.unwrap();
    println!(
        "drift {rows} rows: median {:.3}s (min {:.3}s, n={reps}); flagged {:?}; rss base {base:.0} MB, peak {:.0} MB",
        times[times.len() / 2],
        times[0],
        report.drifted_columns,
        common::rss_mb("VmHWM:")
    );
    for c in &report.columns {
        println!(
            "  {:<6} {:<14} score {:<12.6e} drifted {}",
            c.name,
            c.test.map(|t| t.name()).unwrap_or("-"),
            c.score.unwrap_or(f64::NAN),
            c.drifted
        );
    }
    // The same check against a baseline of the reference (as `--baseline` reads it): the
    // baseline is made once, the check timed.
    let side = drift::LoadedSide {
        meta: drift::report::SideMeta {
            path: "reference".into(),
            rows: reference.height() as u64,
            fingerprint: String::new(),
            note: None,
        },
        data: drift::SideData::Frame(reference.clone()),
    };
    let t0 = Instant::now();
    let baseline = drift::make_baseline(&side, &CancelFlag::new()).unwrap();
    let made = t0.elapsed().as_secs_f64();
    let mut times = Vec::new();
    let mut from_baseline = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let r = drift::check_sources(
            drift::Source::Summary(&baseline.summary),
            drift::Source::Frame(&current),
            &ValidDriftOptions::default(),
            &CancelFlag::new(),
            &no_progress,
        )
        .unwrap();
        times.push(t0.elapsed().as_secs_f64());
        from_baseline = Some(r);
    }
    times.sort_by(f64::total_cmp);
    let b = from_baseline.unwrap();
    let widest = b
        .columns
        .iter()
        .filter_map(|c| c.result().and_then(|r| r.bound))
        .fold(0.0, f64::max);
    println!(
        "against a baseline: made in {made:.3}s; check median {:.3}s; flagged {:?} (same: {}); widest bound of a chosen test {widest:.2e}",
        times[times.len() / 2],
        b.drifted_columns,
        b.drifted_columns == report.drifted_columns
    );
}
