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

use std::path::PathBuf;
use std::time::Instant;

use mlwb::pipeline::data::{self, LoadOptions};
use mlwb::pipeline::features::{
    self, ColumnRole, ColumnSpec, Encode, FeatureSpec, Impute, Kind, Scale,
};
use mlwb::pipeline::progress::{CancelFlag, no_progress};

fn rss_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

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
    let mut columns = Vec::new();
    for i in 0..12 {
        let mut c = ColumnSpec::new(&format!("f{i:02}"), ColumnRole::Feature, Kind::Numeric);
        c.impute = Some(Impute::Median);
        c.scale = Some(Scale::Standard);
        columns.push(c);
    }
    for name in ["c0", "c1", "c2"] {
        let mut c = ColumnSpec::new(name, ColumnRole::Feature, Kind::Categorical);
        c.encode = Some(Encode::OneHot);
        columns.push(c);
    }
    let spec = FeatureSpec {
        format: features::SPEC_FORMAT,
        columns,
    };
    let valid = features::check(&spec, ds.df.schema()).unwrap();
    let base = rss_mb("VmRSS:");
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
        rss_mb("VmHWM:"),
    );
}
