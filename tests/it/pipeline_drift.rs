//! The drift engine against scipy 1.17.1 and Evidently 0.7.23 on the same data, and its
//! properties.
//!
//! Reference: `tests/fixtures/parity/drift_parity.json`, written by
//! `scripts/drift_reference.py`: for the deterministic tables of [`table`] (a small pair, 400 vs
//! 300 rows, where p-value tests are the default; a large pair, 3,000 vs 2,500 rows, where
//! distances are) and for the demo pair `assets/demo/weather_*.csv`, per column:
//! `scipy.stats.ks_2samp(method="auto")` D and p, `wasserstein_distance / max(np.std(ref),
//! 0.001)`, `scipy.spatial.distance.jensenshannon` on Evidently's bins, PSI on 10 reference
//! deciles floored at 1e-4, `scipy.stats.chisquare(cur, ref · n_cur / n_ref)`, and Evidently's
//! DataDriftPreset method, score and verdict. Tolerances: KS D exact, KS p 1e-6 absolute (the
//! issue's bound), the rest 1e-9 (absolute, or relative below 1e-9).

use mlwb::pipeline::data::{self, LoadOptions};
use mlwb::pipeline::drift::{
    self, Chart, ColumnDrift, ColumnKind, DriftOptions, DriftReport, FindingKind, Method,
};
use mlwb::pipeline::progress::{CancelFlag, no_progress};
use polars::prelude::*;
use proptest::prelude::*;
use serde_json::Value;

use super::{demo_file, fixture};

/// The tables of `scripts/drift_reference.py`'s `table(n, cur)`.
fn table(n: u64, cur: bool) -> DataFrame {
    let rows = || 0..n;
    let x: Vec<f64> = rows()
        .map(|i| match cur {
            false => ((i * 7919) % 10007) as f64 / 1000.0,
            true => ((i * 104729) % 10009) as f64 / 950.0 + 0.2,
        })
        .collect();
    let k: Vec<i64> = rows()
        .map(|i| if cur { (i * 17) % 6 } else { (i * 31) % 5 } as i64)
        .collect();
    let b: Vec<&str> = rows()
        .map(|i| {
            if i % (if cur { 2 } else { 3 }) == 0 {
                "yes"
            } else {
                "no"
            }
        })
        .collect();
    let c: Vec<&str> = rows()
        .map(|i| match cur {
            false => ["a", "b", "c", "d"][((i * 7) % 4) as usize],
            true if i % 9 != 0 => ["a", "b", "c", "e"][((i * 5) % 4) as usize],
            true => ["a", "b", "c", "d"][(i % 4) as usize],
        })
        .collect();
    let m: Vec<Option<f64>> = rows()
        .map(|i| match cur {
            false => (i % 10 != 0).then(|| (i % 97) as f64 / 7.0),
            true => (i % 4 != 0).then(|| (i % 89) as f64 / 7.0),
        })
        .collect();
    let same: Vec<f64> = rows().map(|i| ((i * 13) % 101) as f64).collect();
    df!("x" => x, "k" => k, "b" => b, "c" => c, "m" => m, "same" => same).unwrap()
}

fn check(r: &DataFrame, c: &DataFrame, options: &DriftOptions) -> DriftReport {
    let options = options.clone().check().unwrap();
    drift::check(r, c, &options, &CancelFlag::new(), &no_progress).unwrap()
}

fn col<'a>(report: &'a DriftReport, name: &str) -> &'a ColumnDrift {
    report.columns.iter().find(|c| c.name == name).unwrap()
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    let ok = (got - want).abs() <= tol || (got - want).abs() <= tol * want.abs();
    assert!(ok, "{what}: got {got:e}, scipy/Evidently {want:e}");
}

fn evidently_method(label: &str) -> Method {
    match label {
        "K-S p_value" => Method::Ks,
        "chi-square p_value" => Method::ChiSquare,
        "Z-test p_value" => Method::ZTest,
        "Wasserstein distance (normed)" => Method::Wasserstein,
        "Jensen-Shannon distance" => Method::JensenShannon,
        other => panic!("unexpected Evidently method {other}"),
    }
}

fn assert_parity(case: &str, report: &DriftReport, reference: &Value) {
    for (name, want) in reference.as_object().unwrap() {
        let c = col(report, name);
        let what = |s: &str| format!("{case}/{name}: {s}");
        let test = |m: Method| c.tests.iter().find(|t| t.test == m).unwrap();
        if let Some(d) = want.get("ks_d") {
            let ks = test(Method::Ks);
            assert_eq!(ks.statistic, d.as_f64(), "{}", what("KS D"));
            close(
                ks.p_value.unwrap(),
                want["ks_p"].as_f64().unwrap(),
                1e-6,
                &what("KS p"),
            );
            close(
                test(Method::Wasserstein).score,
                want["wasserstein"].as_f64().unwrap(),
                1e-9,
                &what("Wasserstein normed"),
            );
            close(
                test(Method::Psi).score,
                want["psi"].as_f64().unwrap(),
                1e-9,
                &what("PSI"),
            );
        }
        close(
            test(Method::JensenShannon).score,
            want["js"].as_f64().unwrap(),
            1e-9,
            &what("Jensen-Shannon"),
        );
        // Chi-square is offered for categories and numbers with at most 20 values only.
        match (
            want.get("chi_p"),
            c.tests.iter().find(|t| t.test == Method::ChiSquare),
        ) {
            (Some(p), Some(chi)) => {
                close(chi.score, p.as_f64().unwrap(), 1e-9, &what("chi-square p"))
            }
            (Some(_), None) => assert!(
                c.kind == drift::ColumnKind::Numeric && c.distinct.unwrap() > 20,
                "{}",
                what("chi-square missing")
            ),
            _ => {}
        }
        let ev = &want["evidently"];
        let method = evidently_method(ev["method"].as_str().unwrap());
        assert_eq!(c.test, Some(method), "{}", what("Evidently's test"));
        close(
            c.score.unwrap(),
            ev["score"].as_f64().unwrap(),
            1e-9,
            &what("Evidently's score"),
        );
        assert_eq!(
            c.drifted,
            ev["drifted"].as_bool().unwrap(),
            "{}",
            what("Evidently's verdict")
        );
    }
}

fn parity() -> Value {
    let text = std::fs::read_to_string(fixture("parity/drift_parity.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn statistics_and_verdicts_match_scipy_and_evidently_on_generated_tables() {
    let want = parity();
    for (case, nr, nc) in [("small", 400, 300), ("large", 3000, 2500)] {
        let report = check(
            &table(nr, false),
            &table(nc, true),
            &DriftOptions::default(),
        );
        assert_parity(case, &report, &want[case]);
        assert_eq!(report.n_tested, 6);
    }
}

#[test]
fn statistics_and_verdicts_match_on_the_demo_weather_pair() {
    let load = |f: &str| {
        data::load(
            &demo_file(f),
            &LoadOptions::default(),
            &CancelFlag::new(),
            &no_progress,
        )
        .unwrap()
        .df
    };
    let report = check(
        &load("weather_reference.csv"),
        &load("weather_current.csv"),
        &DriftOptions::default(),
    );
    assert_parity("weather", &report, &parity()["weather"]);
    let date = col(&report, "date");
    assert!(!date.tested, "{date:?}");
    assert!(report.dataset_drift);
    assert_eq!(report.n_tested, 5);
}

#[test]
fn identical_data_gives_no_drift_and_switching_a_test_recomputes_the_verdict() {
    let t = table(2000, false);
    let mut report = check(&t, &t, &DriftOptions::default());
    assert!(!report.dataset_drift);
    for c in &report.columns {
        assert!(!c.drifted, "{c:?}");
        for r in &c.tests {
            match r.test.score_kind() {
                drift::ScoreKind::Distance => assert_eq!(r.score, 0.0, "{c:?}"),
                drift::ScoreKind::PValue => assert_eq!(r.score, 1.0, "{c:?}"),
            }
        }
    }
    // Drift every column by hand: thresholds above any distance flip the verdicts.
    let cur = table(2000, true);
    report = check(&t, &cur, &DriftOptions::default());
    let before = report.n_drifted;
    report.set_test("same", Method::Psi, Some(0.0)).unwrap();
    assert_eq!(col(&report, "same").test, Some(Method::Psi));
    assert_eq!(report.n_drifted, before + 1);
    let err = report.set_test("b", Method::Ks, None).unwrap_err();
    assert!(err.to_string().contains("does not apply"), "{err}");
}

#[test]
fn options_choose_tests_thresholds_and_columns() {
    let (r, c) = (table(400, false), table(300, true));
    let mut options = DriftOptions {
        method: Some(Method::Psi),
        columns: Some(vec!["x".into(), "b".into(), "k".into()]),
        ..DriftOptions::default()
    };
    options
        .column_methods
        .insert("k".into(), Method::JensenShannon);
    options.column_thresholds.insert("x".into(), 0.01);
    let report = check(&r, &c, &options);
    assert_eq!(report.columns.len(), 3);
    assert_eq!(col(&report, "x").test, Some(Method::Psi));
    assert_eq!(col(&report, "x").threshold, Some(0.01));
    assert!(col(&report, "x").drifted);
    assert_eq!(col(&report, "k").test, Some(Method::JensenShannon));
    assert!(col(&report, "k").reason.contains("set for this column"));
    // PSI applies to categories too; KS would not, and says so.
    assert_eq!(col(&report, "b").test, Some(Method::Psi));
    options.method = Some(Method::Ks);
    let report = check(&r, &c, &options);
    assert_eq!(col(&report, "b").test, Some(Method::ZTest));
    assert!(col(&report, "b").reason.contains("ks does not apply"));
    // A threshold given with a test stays with it: the fallback keeps its own default.
    options.threshold = Some(0.2);
    let report = check(&r, &c, &options);
    assert_eq!(col(&report, "b").threshold, Some(0.05));
    assert_eq!(col(&report, "x").threshold, Some(0.01));
    options.threshold = None;
    options.columns = Some(vec!["nope".into()]);
    let valid = options.clone().check().unwrap();
    let err = drift::check(&r, &c, &valid, &CancelFlag::new(), &no_progress).unwrap_err();
    assert!(err.to_string().contains("'nope'"), "{err}");
    options.columns = None;
    options.drift_share = 0.0;
    // A share that means nothing is refused when the options are checked, before any check.
    assert!(options.check().is_err());
}

#[test]
fn schema_problems_are_findings_not_failures() {
    let r = df!(
        "a" => [1.0, 2.0, 3.0, 4.0],
        "gone" => [1, 2, 3, 4],
        "t" => [1.0, 2.0, 3.0, 4.0],
        "empty" => [None::<f64>, None, None, None],
        "k" => ["x", "x", "x", "x"],
    )
    .unwrap();
    let mut c = df!(
        "a" => [1.5, 2.0, 3.0, 9.0],
        "t" => ["p", "q", "r", "s"],
        "empty" => [Some(1.0), None, Some(2.0), None],
        "k" => ["x", "x", "y", "x"],
        "new" => [true, false, true, true],
    )
    .unwrap();
    // A column of the null type (JSON/Parquet with no values at all).
    c.with_column(Series::new_null("gone_null".into(), 4).into_column())
        .unwrap();
    let mut r = r;
    r.with_column(Series::new("gone_null".into(), [1.0, 2.0, 3.0, 4.0]).into_column())
        .unwrap();
    let report = check(&r, &c, &DriftOptions::default());
    let kinds: Vec<(Option<&str>, FindingKind)> = report
        .findings
        .iter()
        .map(|f| (f.column.as_deref(), f.kind))
        .collect();
    for want in [
        (Some("gone"), FindingKind::MissingInCurrent),
        (Some("new"), FindingKind::MissingInReference),
        (Some("t"), FindingKind::TypeChanged),
        (Some("empty"), FindingKind::AllNull),
        (Some("k"), FindingKind::Constant),
        (Some("gone_null"), FindingKind::AllNull),
    ] {
        assert!(kinds.contains(&want), "{want:?} not in {kinds:?}");
    }
    assert_eq!(col(&report, "gone").kind, ColumnKind::Missing);
    assert!(!col(&report, "t").tested && !col(&report, "empty").tested);
    assert!(col(&report, "a").tested && col(&report, "k").tested);
    assert_eq!(report.n_tested, 2);
    // An empty current table is bad input, not a finding.
    let empty = c.head(Some(0));
    let err = drift::check(
        &r,
        &empty,
        &drift::ValidDriftOptions::default(),
        &CancelFlag::new(),
        &no_progress,
    )
    .unwrap_err();
    assert_eq!(mlwb::cli::exit::for_error(err.kind()), 3, "{err}");
}

#[test]
fn identifiers_and_free_text_are_listed_but_not_tested() {
    let n = 200u32;
    let ids: Vec<u32> = (0..n).collect();
    let text: Vec<String> = (0..n)
        .map(|i| format!("free text note number {i} about a customer"))
        .collect();
    let x: Vec<f64> = (0..n).map(|i| f64::from(i % 17)).collect();
    let r = df!("id" => &ids, "note" => &text, "x" => &x).unwrap();
    let ids2: Vec<u32> = (n..2 * n).collect();
    let c = df!("id" => &ids2, "note" => &text, "x" => &x).unwrap();
    let report = check(&r, &c, &DriftOptions::default());
    assert_eq!(col(&report, "id").kind, ColumnKind::Id);
    assert_eq!(col(&report, "note").kind, ColumnKind::Text);
    assert!(!col(&report, "id").tested && !col(&report, "note").tested);
    assert_eq!(report.n_tested, 1);
    assert!(!report.dataset_drift);
}

fn one_column(values: &[f64]) -> DataFrame {
    df!("v" => values).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn statistics_stay_in_range_are_symmetric_and_ignore_row_order(
        a in prop::collection::vec(-50i32..50, 1..300),
        b in prop::collection::vec(-60i32..40, 1..300),
        scale in 0.01f64..100.0,
    ) {
        let a: Vec<f64> = a.iter().map(|&v| f64::from(v) * scale).collect();
        let b: Vec<f64> = b.iter().map(|&v| f64::from(v) * scale).collect();
        let opts = DriftOptions::default();
        let ab = check(&one_column(&a), &one_column(&b), &opts);
        let ba = check(&one_column(&b), &one_column(&a), &opts);
        let (x, y) = (col(&ab, "v"), col(&ba, "v"));
        let get = |c: &ColumnDrift, m: Method| c.tests.iter().find(|t| t.test == m).cloned().unwrap();
        let (ks, ks_rev) = (get(x, Method::Ks), get(y, Method::Ks));
        let d = ks.statistic.unwrap();
        prop_assert!((0.0..=1.0).contains(&d));
        prop_assert_eq!(ks.statistic, ks_rev.statistic);
        prop_assert_eq!(ks.p_value, ks_rev.p_value);
        prop_assert!((0.0..=1.0).contains(&ks.p_value.unwrap()));
        let js = get(x, Method::JensenShannon).score;
        prop_assert!((0.0..=2f64.ln().sqrt() + 1e-12).contains(&js));
        prop_assert!(get(x, Method::Psi).score >= 0.0);
        prop_assert!(get(x, Method::Wasserstein).score >= 0.0);
        // Reversed rows: every number identical.
        let mut ar = a.clone();
        ar.reverse();
        let mut br = b.clone();
        br.rotate_left(b.len() / 3);
        let shuffled = check(&one_column(&ar), &one_column(&br), &opts);
        prop_assert_eq!(&col(&shuffled, "v").tests, &x.tests);
    }
}

#[test]
fn extreme_values_stay_finite_and_survive_the_store() {
    // A small pair (p-value tests by default) and a large one (distances by default), both
    // reaching ±1e308: sums, spreads and bin widths overflow unless they are computed with care.
    let small = (
        one_column(&[-1e308, 0.0, 1e308, 5.0]),
        one_column(&[1e308, 1e308, -3.0, 2.0]),
    );
    let big = |shift: f64| {
        let v: Vec<f64> = (0..1_200)
            .map(|i| match i % 7 {
                0 => -1e308,
                1 => 1e308,
                _ => (i % 101) as f64 + shift,
            })
            .collect();
        one_column(&v)
    };
    let large = (big(0.0), big(3.0));
    for (what, (r, c)) in [("small", small), ("large", large)] {
        let report = check(&r, &c, &DriftOptions::default());
        let v = col(&report, "v");
        assert!(v.tested, "{what}");
        assert!(!v.tests.is_empty(), "{what}");
        assert_all_finite(&report, what);

        let store =
            mlwb::pipeline::runs::Store::open(&tempfile::tempdir().unwrap().keep()).unwrap();
        let side = |path: &str| mlwb::pipeline::drift::report::SideMeta {
            path: path.into(),
            rows: r.height() as u64,
            fingerprint: "x".into(),
            note: None,
        };
        let meta = mlwb::pipeline::drift::report::CheckMeta {
            reference: side("r"),
            current: side("c"),
            check_id: None,
            duration_s: 0.0,
        };
        let id = store
            .record_drift(&meta, &DriftOptions::default(), &report)
            .unwrap();
        let back = store
            .drift_report(id)
            .unwrap()
            .expect("the report reads back");
        assert_eq!(back.columns.len(), 1);
        assert_eq!(back.n_tested, report.n_tested);
        // Infinity would be written as null and read back as NaN: nothing may change.
        assert_all_finite(&back, &format!("{what}, read back"));
        let scores = |rep: &DriftReport| -> Vec<f64> {
            rep.columns[0].tests.iter().map(|t| t.score).collect()
        };
        assert_eq!(scores(&back), scores(&report), "{what}");
    }
}

/// Every number of a report that is shown, compared with a threshold or stored must be
/// finite (JSON has no infinity; `is_nan` alone would let ±inf through).
fn assert_all_finite(report: &DriftReport, what: &str) {
    let finite = |x: f64, field: &str| assert!(x.is_finite(), "{what}: {field} = {x}");
    finite(report.drift_share, "drift_share");
    finite(report.drift_share_threshold, "drift_share_threshold");
    for c in &report.columns {
        for t in &c.tests {
            let name = format!("{} {:?}", c.name, t.test);
            finite(t.score, &format!("{name} score"));
            finite(t.threshold, &format!("{name} threshold"));
            for (field, x) in [
                ("statistic", t.statistic),
                ("p_value", t.p_value),
                ("bound", t.bound),
            ] {
                if let Some(x) = x {
                    finite(x, &format!("{name} {field}"));
                }
            }
            if let Some(p) = t.p_value {
                assert!((0.0..=1.0).contains(&p), "{what}: {name} p = {p}");
            }
        }
        for (field, x) in [
            ("statistic", c.statistic),
            ("p_value", c.p_value),
            ("score", c.score),
            ("threshold", c.threshold),
        ] {
            if let Some(x) = x {
                finite(x, &format!("{} {field}", c.name));
            }
        }
        finite(c.reference.null_share, "reference null_share");
        finite(c.current.null_share, "current null_share");
        let shares: Vec<f64> = match &c.chart {
            Some(Chart::Histogram {
                edges,
                reference,
                current,
            }) => edges
                .iter()
                .chain(reference)
                .chain(current)
                .copied()
                .collect(),
            Some(Chart::Bars {
                reference, current, ..
            }) => reference.iter().chain(current).copied().collect(),
            None => Vec::new(),
        };
        for x in shares {
            finite(x, &format!("{} chart", c.name));
        }
    }
}
