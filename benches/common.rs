//! Helpers shared by the benches (included with `#[path]`): peak-memory readings and the peer
//! harness's feature spec.
#![allow(dead_code)]

use mlwb::pipeline::features::{
    self, ColumnRole, ColumnSpec, Encode, FeatureSpec, Impute, Kind, Scale,
};

/// A `/proc/self/status` field in MB (`VmRSS:` now, `VmHWM:` the peak); 0 elsewhere.
pub fn rss_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The peer's preprocessing (`peers.py`): median imputation + standard scaling of f00..f11 and
/// one-hot encoding of c0..c2.
pub fn peer_spec() -> FeatureSpec {
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
    FeatureSpec {
        format: features::SPEC_FORMAT,
        columns,
    }
}
