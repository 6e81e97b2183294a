//! Fit + transform time of the feature pipeline against scikit-learn's ColumnTransformer
//! (issue #3: at least 2× faster on the peer harness's 1M-row classification table).
//!
//! Run: `cargo bench --bench features -- FILE.parquet [REPS]`, with FILE from
//! `../shared/bench/gen_data.py` (e.g. $BENCH_DATA/classification_1000000.parquet). The job is
//! the peer's: median imputation + standard scaling of f00..f11 and one-hot encoding of c0..c2,
//! fitted on all rows and applied to all rows. The file is loaded before the clock starts, as
//! the peer does. Prints the median time, the matrix shape, sum(|x|) (comparable with the
//! peer's checksum: mlwb's extra `(unseen)` columns are all zeros here) and the peak RSS.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common.rs"]
mod common;

use std::path::PathBuf;
use std::time::Instant;

use mlwb::pipeline::data::{self, LoadOptions};
use mlwb::pipeline::features;
use mlwb::pipeline::progress::{CancelFlag, no_progress};

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let Some(path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench features -- FILE.parquet [REPS]");
        return;
    };
    let reps: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(7);
    let ds = data::load(
        &path,
        &LoadOptions::default(),
        &CancelFlag::new(),
        &no_progress,
    )
    .unwrap();
    let spec = common::peer_spec();
    let valid = features::check(&spec, ds.df.schema()).unwrap();
    let base = common::rss_mb("VmRSS:");
    let mut times = Vec::new();
    let mut shape = (0, 0);
    let mut checksum = 0.0;
    for _ in 0..reps {
        let t0 = Instant::now();
        let fitted = features::fit(&valid, &ds.df, &CancelFlag::new(), &no_progress).unwrap();
        let t = fitted
            .transform(&ds.df, &CancelFlag::new(), &no_progress)
            .unwrap();
        times.push(t0.elapsed().as_secs_f64());
        shape = t.x.dim();
        checksum = t.x.iter().map(|v| v.abs()).sum();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "features fit+transform {} rows: median {:.4} s (min {:.4}, max {:.4}, {reps} reps); matrix {} × {}; sum|x| {checksum:.6}; baseline RSS {base:.0} MB, peak RSS {:.0} MB",
        ds.df.height(),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        shape.0,
        shape.1,
        common::rss_mb("VmHWM:"),
    );
}
