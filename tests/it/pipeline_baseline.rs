//! Drift from summaries instead of rows: baselines (`--baseline-out` / `--baseline`) and the
//! streaming pass. Against the exact check on the same data (itself checked against scipy in
//! `pipeline_drift`): exact summaries give the same numbers; compacted ones give every score
//! within the bound they report, PSI from a baseline stays exact, and the verdicts agree.

use std::path::Path;

use mlwb::pipeline::PipelineError;
use mlwb::pipeline::data;
use mlwb::pipeline::drift::baseline::{Baseline, Summary};
use mlwb::pipeline::drift::report::SideMeta;
use mlwb::pipeline::drift::{
    self, DriftReport, LoadedSide, Method, SideData, Source, check_sources,
};
use mlwb::pipeline::progress::{CancelFlag, no_progress};
use polars::prelude::*;
use proptest::prelude::*;

use super::demo_file;

fn exact(r: &DataFrame, c: &DataFrame) -> DriftReport {
    drift::check(
        r,
        c,
        &drift::ValidDriftOptions::default(),
        &CancelFlag::new(),
        &no_progress,
    )
    .unwrap()
}

/// The check of `c` against a baseline of `r`, the baseline written and read back.
fn from_baseline(r: &DataFrame, c: &DataFrame, dir: &Path) -> DriftReport {
    let side = LoadedSide {
        meta: SideMeta {
            path: "r".into(),
            rows: r.height() as u64,
            fingerprint: "f".into(),
            note: None,
        },
        data: SideData::Frame(r.clone()),
    };
    let path = dir.join("baseline.json");
    drift::make_baseline(&side, &CancelFlag::new())
        .unwrap()
        .write(&path)
        .unwrap();
    let b = Baseline::read(&path).unwrap();
    check_sources(
        Source::Summary(&b.summary),
        Source::Frame(c),
        &drift::ValidDriftOptions::default(),
        &CancelFlag::new(),
        &no_progress,
    )
    .unwrap()
}

/// Every test of every column: the approximate score within its bound of the exact one (or
/// equal when it carries none), and the verdict the same unless the threshold is within it.
fn assert_within_bounds(exact: &DriftReport, approx: &DriftReport, rel: f64) {
    for (e, a) in exact.columns.iter().zip(&approx.columns) {
        assert_eq!(e.name, a.name);
        assert_eq!(
            (e.kind, e.tested, e.test),
            (a.kind, a.tested, a.test),
            "{}",
            e.name
        );
        assert_eq!(e.tests.len(), a.tests.len(), "{}", e.name);
        for (te, ta) in e.tests.iter().zip(&a.tests) {
            let err = (te.score - ta.score).abs();
            let what = format!(
                "{} {:?}: exact {} vs {}",
                e.name, te.test, te.score, ta.score
            );
            match ta.bound {
                Some(b) => {
                    assert!(err <= b * (1.0 + 1e-9) + 1e-15, "{what} beyond ±{b}");
                    if (ta.score - ta.threshold).abs() > b {
                        assert_eq!(te.drifted, ta.drifted, "{what}");
                    }
                }
                None => assert!(err <= rel * te.score.abs().max(1e-300), "{what} (no bound)"),
            }
        }
    }
}

fn read(path: &Path) -> DataFrame {
    data::load(path, &Default::default(), &CancelFlag::new(), &no_progress)
        .unwrap()
        .df
}

#[test]
fn an_exact_baseline_gives_the_datas_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let r = read(&demo_file("weather_reference.csv"));
    let c = read(&demo_file("weather_current.csv"));
    let want = exact(&r, &c);
    let got = from_baseline(&r, &c, dir.path());
    assert!(!got.approximate);
    assert_eq!(got.columns, want.columns);
    assert_eq!(got.drifted_columns, want.drifted_columns);
}

/// 30,000 vs 20,000 rows: a shifted normal-like column, a heavy tail, ties, a few whole
/// numbers, labels and nulls; more distinct values than a baseline keeps exactly.
fn large_pair() -> (DataFrame, DataFrame) {
    let make = |n: u64, seed: u64, shift: f64| {
        let u = |i: u64, k: u64| {
            let x = (i.wrapping_mul(6_364_136_223_846_793_005)
                ^ (seed * 1_442_695_040_888_963_407 + k))
                .wrapping_mul(2_862_933_555_777_941_757)
                >> 11;
            (x as f64 + 0.5) / (1u64 << 53) as f64
        };
        let rows = 0..n;
        let normal: Vec<f64> = rows
            .clone()
            .map(|i| {
                let s: f64 = (0..6).map(|k| u(i, k)).sum();
                (s - 3.0) * 1.4 + shift
            })
            .collect();
        let tail: Vec<f64> = rows.clone().map(|i| 1.0 / u(i, 7).powf(0.7)).collect();
        let ties: Vec<Option<f64>> = rows
            .clone()
            .map(|i| (i % 13 != 0).then(|| (u(i, 8) * 40.0).floor() / 4.0 + (u(i, 9) * 1e-3)))
            .collect();
        let few: Vec<i64> = rows
            .clone()
            .map(|i| (u(i, 10) * (6.0 + shift)) as i64)
            .collect();
        let label: Vec<&str> = rows
            .map(|i| ["a", "b", "c", "d"][((u(i, 11) + shift / 8.0) * 4.0) as usize % 4])
            .collect();
        df!("normal" => normal, "tail" => tail, "ties" => ties, "few" => few, "label" => label)
            .unwrap()
    };
    (make(30_000, 1, 0.0), make(20_000, 2, 0.3))
}

#[test]
fn a_sketched_baseline_keeps_every_score_within_its_bound_and_psi_exact() {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = large_pair();
    let want = exact(&r, &c);
    let got = from_baseline(&r, &c, dir.path());
    assert!(got.approximate);
    assert_within_bounds(&want, &got, 1e-12);
    let normal = got.columns.iter().find(|c| c.name == "normal").unwrap();
    assert!(normal.approximate && normal.reason.contains("sketch"));
    for name in ["normal", "tail", "ties"] {
        let (e, a) = (
            want.columns.iter().find(|c| c.name == name).unwrap(),
            got.columns.iter().find(|c| c.name == name).unwrap(),
        );
        let psi = |c: &drift::ColumnDrift| c.tests.iter().find(|t| t.test == Method::Psi).cloned();
        let (pe, pa) = (psi(e).unwrap(), psi(a).unwrap());
        assert_eq!(pa.bound, None, "{name}: PSI from kept deciles is exact");
        assert!(
            (pe.score - pa.score).abs() <= 1e-12 * pe.score.max(1.0),
            "{name} PSI"
        );
        let ks = a.tests.iter().find(|t| t.test == Method::Ks).unwrap();
        assert!(
            ks.bound.is_some(),
            "{name}: KS from a sketch carries a bound"
        );
    }
    // The few-valued and label columns are kept exactly: chi-square and Z need no bound.
    let few = got.columns.iter().find(|c| c.name == "few").unwrap();
    assert!(!few.approximate && few.tests.iter().all(|t| t.bound.is_none()));
    assert_eq!(got.drifted_columns, want.drifted_columns);
}

fn write_csv(df: &mut DataFrame, path: &Path) {
    let mut f = std::fs::File::create(path).unwrap();
    CsvWriter::new(&mut f).finish(df).unwrap();
}

#[test]
fn a_streaming_pass_summarises_csv_and_parquet_as_the_whole_table() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = large_pair();
    // Quoted labels with commas and newlines, so chunks must cut between records only.
    let notes: Vec<String> = (0..r.height())
        .map(|i| match i % 5 {
            0 => format!("line {i}\nnext, \"quoted\""),
            _ => format!("n{}", i % 7),
        })
        .collect();
    r.with_column(Column::new("note".into(), notes)).unwrap();
    let csv = dir.path().join("r.csv");
    let pq = dir.path().join("r.parquet");
    write_csv(&mut r, &csv);
    ParquetWriter::new(std::fs::File::create(&pq).unwrap())
        .with_row_group_size(Some(4_000))
        .finish(&mut r.clone())
        .unwrap();
    let whole = Summary::of_frame(&read(&csv), &CancelFlag::new()).unwrap();
    for path in [&csv, &pq] {
        let mut s = Summary {
            rows: 0,
            columns: Vec::new(),
        };
        let mut batches = 0;
        let read =
            data::for_each_batch(path, 100_000, &CancelFlag::new(), &no_progress, &mut |df| {
                batches += 1;
                s.add_batch(&df, &CancelFlag::new())
                    .map_err(PipelineError::BadColumns)
            })
            .unwrap();
        assert!(
            read.batched && batches > 3,
            "{}: {batches} batches",
            path.display()
        );
        assert_eq!((read.rows, s.rows), (30_000, 30_000));
        for (a, b) in s.columns.iter().zip(&whole.columns) {
            assert_eq!((&a.name, a.rows, a.nulls), (&b.name, b.rows, b.nulls));
            match (a.numbers(), b.numbers()) {
                (Some(x), Some(y)) => {
                    assert_eq!((&x.values, &x.weights, x.error), (&y.values, &y.weights, 0));
                    assert!((x.std() - y.std()).abs() < 1e-12 * y.std());
                }
                _ => assert_eq!(a.labels(), b.labels(), "{}", a.name),
            }
        }
    }
}

#[test]
fn a_streamed_check_of_files_agrees_with_the_exact_one() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, mut c) = large_pair();
    let (rp, cp) = (dir.path().join("r.csv"), dir.path().join("c.csv"));
    write_csv(&mut r, &rp);
    write_csv(&mut c, &cp);
    let want = exact(&read(&rp), &read(&cp));
    let load = |p: &Path| drift::load_side(p, true, &CancelFlag::new(), &no_progress).unwrap();
    let (rs, cs) = (load(&rp), load(&cp));
    assert!(rs.meta.note.as_deref().unwrap().contains("streaming"));
    let (_, got) = drift::check_loaded(
        &rs,
        &cs,
        &drift::ValidDriftOptions::default(),
        &CancelFlag::new(),
        &no_progress,
    )
    .unwrap();
    // 30,000 rows stay exact in a streaming pass: only summation order differs.
    assert!(!got.approximate);
    assert_within_bounds(&want, &got, 1e-9);
    assert_eq!(got.drifted_columns, want.drifted_columns);
}

#[test]
fn bad_baseline_files_are_named_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (r, _) = large_pair();
    let good = dir.path().join("good.json");
    let side = LoadedSide {
        meta: SideMeta {
            path: "r".into(),
            rows: 1,
            fingerprint: String::new(),
            note: None,
        },
        data: SideData::Frame(r),
    };
    drift::make_baseline(&side, &CancelFlag::new())
        .unwrap()
        .write(&good)
        .unwrap();
    let text = std::fs::read_to_string(&good).unwrap();
    assert!(Baseline::is_baseline(&good));
    let cases = [
        ("notjson.json", "a,b\n1,2\n".to_string(), "not JSON"),
        (
            "other.json",
            "{\"format\": \"x\"}".to_string(),
            "not an mlwb drift baseline",
        ),
        (
            "future.json",
            text.replacen("\"version\":1", "\"version\":99", 1),
            "version 99",
        ),
        ("cut.json", text[..text.len() / 2].to_string(), "not JSON"),
        (
            "unsorted.json",
            text.replacen("\"values\":[", "\"values\":[1e300,", 1),
            "not ascending",
        ),
        (
            "tails.json",
            text.replacen("\"exact_below\":", "\"lost\":", 1),
            "inconsistent",
        ),
        (
            "labels.json",
            text.replacen("[\"a\",", "[\"z\",", 1),
            "label counts",
        ),
    ];
    for (name, body, want) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let err = Baseline::read(&path).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, PipelineError::BadData { .. }),
            "{name}: {msg}"
        );
        assert!(msg.contains(name) && msg.contains(want), "{name}: {msg}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any sample, any compaction: KS D, Wasserstein and the histogram JS read from the sketch
    /// stay within the bounds they report. Every case is compacted for real (a sketch keeps
    /// `keep` points plus 2 × 512 exact tail points, so each sample has more distinct values
    /// than that): an exact sketch would only compare the exact check with itself.
    #[test]
    fn compacted_sketches_stay_within_their_bounds(
        a in prop::collection::btree_set(-1_000_000i64..1_000_000, 1300..6000),
        b in prop::collection::btree_set(-1_000_000i64..1_000_000, 1300..6000),
        keep in 8usize..200,
        ties in 0usize..4,
    ) {
        // Distinct values in -1e3..1e3 (in descending order: the summary sorts them), and `ties`
        // more copies of every fifth one (points that stand for several rows).
        let tidy = |v: &std::collections::BTreeSet<i64>| -> Vec<f64> {
            let mut out: Vec<f64> = v.iter().rev().map(|&x| x as f64 / 1000.0).collect();
            let copies: Vec<f64> = out.iter().step_by(5).copied().collect();
            for _ in 0..ties {
                out.extend(&copies);
            }
            out
        };
        let (a, b) = (tidy(&a), tidy(&b));
        let r = df!("x" => &a).unwrap();
        let c = df!("x" => &b).unwrap();
        let want = exact(&r, &c);
        let mut s = Summary::of_frame(&r, &CancelFlag::new()).unwrap();
        let mut t = Summary::of_frame(&c, &CancelFlag::new()).unwrap();
        for summary in [&mut s, &mut t] {
            let drift::baseline::ColumnData::Numbers(n) = &mut summary.columns[0].data else {
                panic!("a numeric column is summarised as numbers");
            };
            n.compact(keep);
            prop_assert!(!n.is_exact(), "not compacted: {} points, keep {keep}", n.values.len());
        }
        let got = check_sources(
            Source::Summary(&s), Source::Summary(&t), &drift::ValidDriftOptions::default(),
            &CancelFlag::new(), &no_progress,
        ).unwrap();
        prop_assert!(got.approximate);
        assert_within_bounds(&want, &got, 1e-12);
    }
}

/// Rows a compaction skipped just above the exact lower tail (a run that waits for the next
/// point): the CDF there is not exact, and the bounds must still hold.
#[test]
fn rows_skipped_just_above_the_lower_tail_stay_within_the_bounds() {
    let mut a: Vec<f64> = (0..512).map(f64::from).collect();
    a.extend(std::iter::repeat_n(600.0, 1008));
    a.extend(std::iter::repeat_n(1e6, 2000));
    a.extend((0..516).map(|i| 2e6 + f64::from(i)));
    // The current side has nothing between the tail and 1e6, where the reference's CDF
    // climbs through the skipped rows: D is reached there.
    let mut b: Vec<f64> = std::iter::repeat_n(1e6, 3520).collect();
    b.extend((0..516).map(|i| 2e6 + f64::from(i)));
    let (r, c) = (df!("x" => &a).unwrap(), df!("x" => &b).unwrap());
    let want = exact(&r, &c);
    let mut s = Summary::of_frame(&r, &CancelFlag::new()).unwrap();
    let mut cdf_bound = 0.0;
    if let drift::baseline::ColumnData::Numbers(n) = &mut s.columns[0].data {
        n.compact(4);
        assert!(n.error > 1000 && n.exact_below == Some(511.0));
        cdf_bound = n.cdf_bound();
    }
    let got = check_sources(
        Source::Summary(&s),
        Source::Frame(&c),
        &drift::ValidDriftOptions::default(),
        &CancelFlag::new(),
        &no_progress,
    )
    .unwrap();
    assert!(got.approximate);
    assert_within_bounds(&want, &got, 1e-12);
    // KS D itself (the score is its p-value) within the CDF bound.
    let d = |r: &DriftReport| r.columns[0].tests[0].statistic.unwrap();
    assert!(
        (d(&want) - d(&got)).abs() <= cdf_bound + 1e-12,
        "{} vs {}",
        d(&want),
        d(&got)
    );
}

/// A reference of five values against a compacted current with thousands: Jensen–Shannon on
/// a bin per reference value (and one for the rest), as on the data, within its bound.
#[test]
fn few_reference_values_against_a_sketched_current() {
    let a: Vec<f64> = (0..3000).map(|i| f64::from(i % 5 + 1)).collect();
    let mut b: Vec<f64> = (0..6000)
        .map(|i| 1.0 + 4.0 * f64::from(i) / 6000.0)
        .collect();
    b.extend(std::iter::repeat_n(3.0, 500));
    let (r, c) = (df!("x" => &a).unwrap(), df!("x" => &b).unwrap());
    let want = exact(&r, &c);
    let mut t = Summary::of_frame(&c, &CancelFlag::new()).unwrap();
    if let drift::baseline::ColumnData::Numbers(n) = &mut t.columns[0].data {
        n.compact(64);
        assert!(!n.is_exact());
    }
    let got = check_sources(
        Source::Frame(&r),
        Source::Summary(&t),
        &drift::ValidDriftOptions::default(),
        &CancelFlag::new(),
        &no_progress,
    )
    .unwrap();
    let js = |r: &DriftReport| {
        r.columns[0]
            .tests
            .iter()
            .find(|t| t.test == Method::JensenShannon)
            .cloned()
            .unwrap()
    };
    let (e, g) = (js(&want), js(&got));
    let bound = g.bound.unwrap();
    assert!(
        (e.score - g.score).abs() <= bound,
        "{} vs {} ± {bound}",
        e.score,
        g.score
    );
    assert!(bound < 0.1, "a useful bound: {bound}");
    assert_within_bounds(&want, &got, 1e-12);
}
