//! Profile statistics against pandas 2.3.3 / numpy 2.4.6 on the same file.
//!
//! Reference: `tests/fixtures/parity/profile_parity.pandas.json`, written by
//! `scripts/pandas_reference.py` (pandas.read_csv with default options, then `count`, `isna`,
//! `nunique`, `mean`, `std` (ddof=1), `min`, `max`, `quantile([.25,.5,.75])` and
//! `numpy.histogram(bins=13)`). Tolerance: 1e-9 relative.

use std::collections::BTreeSet;

use mlwb::pipeline::data::{self, LoadOptions};
use mlwb::pipeline::profile::{self, ColumnProfile, DatasetProfile, Role, WarningKind};
use mlwb::pipeline::progress::{CancelFlag, no_progress};
use mlwb::pipeline::stats;
use proptest::prelude::*;
use serde_json::Value;

use super::{demo_file, fixture};

fn profile_of(path: &std::path::Path) -> DatasetProfile {
    let ds = data::load(
        path,
        &LoadOptions::default(),
        &CancelFlag::new(),
        &no_progress,
    )
    .unwrap();
    profile::profile(&ds.df, &CancelFlag::new(), &no_progress).unwrap()
}

fn close(got: f64, want: f64, what: &str) {
    let tol = 1e-9 * want.abs().max(1e-300);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:e}, pandas {want:e} (diff {:e})",
        (got - want).abs()
    );
}

fn check_numeric(c: &ColumnProfile, r: &Value) {
    let f = |k: &str| r[k].as_f64().unwrap();
    for (k, got) in [
        ("mean", c.mean),
        ("std", c.std),
        ("min", c.min),
        ("max", c.max),
        ("q25", c.q25),
        ("median", c.median),
        ("q75", c.q75),
    ] {
        close(got.unwrap_or(f64::NAN), f(k), &format!("{}.{k}", c.name));
    }
}

#[test]
fn statistics_match_pandas() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("parity/profile_parity.pandas.json")).unwrap(),
    )
    .unwrap();
    let p = profile_of(&fixture("parity/profile_parity.csv"));
    assert_eq!(p.rows, 5000);
    // The same columns on both sides, before any is compared: a column we dropped (or one
    // pandas never saw) would otherwise go unnoticed, since the loop below walks ours.
    let ours: BTreeSet<&str> = p.columns.iter().map(|c| c.name.as_str()).collect();
    let theirs: BTreeSet<&str> = reference
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| !k.starts_with('_'))
        .collect();
    assert_eq!(ours.len(), p.columns.len(), "duplicate column names");
    let missing: Vec<&&str> = theirs.difference(&ours).collect();
    let extra: Vec<&&str> = ours.difference(&theirs).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "columns pandas has and we lack: {missing:?}; columns we have and pandas lacks: {extra:?}"
    );
    // And the reference knows the columns it should (its _meta lists pandas' dtypes).
    let dtypes: BTreeSet<&str> = reference["_meta"]["dtypes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(dtypes, theirs);
    for c in &p.columns {
        let r = &reference[&c.name];
        assert!(r.is_object(), "no pandas reference for {}", c.name);
        assert_eq!(c.count, r["count"].as_u64().unwrap(), "{}.count", c.name);
        assert_eq!(c.nulls, r["nulls"].as_u64().unwrap(), "{}.nulls", c.name);
        assert_eq!(
            c.distinct,
            r["distinct"].as_u64().unwrap(),
            "{}.distinct",
            c.name
        );
        if r.get("mean").is_some() {
            check_numeric(c, r);
        }
        if let Some(top) = r.get("top").and_then(Value::as_array) {
            for (i, pair) in top.iter().enumerate() {
                assert_eq!(
                    c.top[i].value,
                    pair[0].as_str().unwrap(),
                    "{}.top[{i}]",
                    c.name
                );
                assert_eq!(
                    c.top[i].count,
                    pair[1].as_u64().unwrap(),
                    "{}.top[{i}]",
                    c.name
                );
            }
        }
    }
}

#[test]
fn histogram_matches_numpy() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("parity/profile_parity.pandas.json")).unwrap(),
    )
    .unwrap();
    let p = profile_of(&fixture("parity/profile_parity.csv"));
    let c = p.column("normal").unwrap();
    // Re-bin the column at numpy's bin count to compare with numpy.histogram(bins=13).
    let ds = data::load(
        &fixture("parity/profile_parity.csv"),
        &LoadOptions::default(),
        &CancelFlag::new(),
        &no_progress,
    )
    .unwrap();
    let mut v: Vec<f64> = ds
        .df
        .column("normal")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    v.sort_by(f64::total_cmp);
    let h = stats::histogram_sorted(&v, 13).unwrap();
    let want_counts: Vec<u64> = reference["normal"]["hist_counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert_eq!(h.counts, want_counts);
    for (got, want) in h
        .edges
        .iter()
        .zip(reference["normal"]["hist_edges"].as_array().unwrap())
    {
        close(*got, want.as_f64().unwrap(), "edge");
    }
    let total: u64 = c.histogram.as_ref().unwrap().counts.iter().sum();
    assert_eq!(total, c.count);
}

#[test]
fn roles_and_warnings_on_the_parity_file() {
    let p = profile_of(&fixture("parity/profile_parity.csv"));
    let role = |n: &str| p.column(n).unwrap().role;
    assert_eq!(role("normal"), Role::Numeric);
    assert_eq!(role("category"), Role::Categorical);
    assert_eq!(role("flag"), Role::Boolean);
    assert_eq!(role("constant"), Role::Constant);
    assert!(
        p.warnings
            .iter()
            .any(|w| w.column.as_deref() == Some("constant") && w.kind == WarningKind::Constant)
    );
}

#[test]
fn demo_penguins_profile() {
    let p = profile_of(&demo_file("penguins.csv"));
    assert_eq!(p.rows, 344);
    let species = p.column("species").unwrap();
    assert_eq!(species.role, Role::Categorical);
    assert_eq!(species.distinct, 3);
    let mass = p.column("body_mass_g").unwrap();
    assert_eq!(mass.nulls, 2);
    assert_eq!(mass.role, Role::Numeric);
}

#[test]
fn messy_columns_get_warnings() {
    let p = profile_of(&fixture("messy/inf_values.csv"));
    let x = p.column("x").unwrap();
    assert_eq!(x.infinite, 1);
    assert_eq!(x.max, Some(3.5));
    assert!(x.warnings.contains(&WarningKind::InfiniteValues));
    let p = profile_of(&fixture("messy/all_null.csv"));
    assert!(
        p.column("empty")
            .unwrap()
            .warnings
            .contains(&WarningKind::AllNull)
    );
    let p = profile_of(&fixture("messy/mixed_column.csv"));
    assert!(
        p.column("v")
            .unwrap()
            .warnings
            .contains(&WarningKind::MixedTypes)
    );
    let p = profile_of(&fixture("messy/header_only.csv"));
    assert_eq!(p.rows, 0);
    let p = profile_of(&fixture("messy/dates.csv"));
    let day = p.column("day").unwrap();
    assert_eq!(day.role, Role::Datetime);
    assert_eq!(day.min_label.as_deref(), Some("2024-01-01"));
    assert_eq!(day.max_label.as_deref(), Some("2024-03-31"));
}

proptest! {
    // Properties of the statistics on arbitrary finite data.
    #[test]
    fn stats_are_order_invariant_and_in_range(mut v in prop::collection::vec(-1e6f64..1e6, 1..400)) {
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let mean = stats::mean(&v).unwrap();
        prop_assert!(mean >= sorted[0] - 1e-6 && mean <= sorted[sorted.len() - 1] + 1e-6);
        let q1 = stats::quantile_sorted(&sorted, 0.25).unwrap();
        let q2 = stats::quantile_sorted(&sorted, 0.5).unwrap();
        let q3 = stats::quantile_sorted(&sorted, 0.75).unwrap();
        prop_assert!(sorted[0] <= q1 && q1 <= q2 && q2 <= q3 && q3 <= sorted[sorted.len() - 1]);
        v.reverse();
        let mean2 = stats::mean(&v).unwrap();
        prop_assert!((mean - mean2).abs() <= 1e-9 * mean.abs().max(1.0));
        if v.len() > 1 {
            prop_assert!(stats::std(&v, 1).unwrap() >= 0.0);
        }
        let h = stats::histogram_sorted(&sorted, stats::sturges_bins(sorted.len())).unwrap();
        prop_assert_eq!(h.counts.iter().sum::<u64>() as usize, sorted.len());
        prop_assert!(h.edges.windows(2).all(|w| w[0] <= w[1]));
    }
}

#[test]
fn untyped_null_columns_and_huge_unsigned_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nulls.json");
    std::fs::write(&p, r#"[{"a":null,"b":1},{"a":null,"b":2}]"#).unwrap();
    let prof = profile_of(&p);
    let a = prof.column("a").unwrap();
    assert_eq!(a.warnings, vec![WarningKind::AllNull]);
    // u64 values beyond i64::MAX are values, not nulls.
    use polars::prelude::NamedFrom;
    let s = polars::prelude::Series::new("u".into(), &[u64::MAX, 1, 2]);
    let c = profile::profile_column(&s).unwrap();
    assert_eq!((c.count, c.nulls), (3, 0));
    assert_eq!(c.max, Some(u64::MAX as f64));
}
