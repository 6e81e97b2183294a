//! Feature pipeline: parity with scikit-learn 1.9.1, no leakage between fit and apply, stable
//! hashes and files, named errors, and property tests of the transforms.
//!
//! Reference: `tests/fixtures/parity/features.sklearn.json`, written by
//! `scripts/sklearn_features_reference.py` (scikit-learn 1.9.1: SimpleImputer mean / median /
//! most_frequent, StandardScaler, MinMaxScaler and RobustScaler after a median SimpleImputer,
//! OneHotEncoder(handle_unknown="ignore"), and the peer benchmark's ColumnTransformer), fitted on
//! `features_train.csv` and applied to it and to `features_test.csv`. Tolerance: 1e-9 absolute.

use mlwb::pipeline::PipelineError;
use mlwb::pipeline::data::{self, LoadOptions};
use mlwb::pipeline::features::{
    self, ColumnRole, ColumnSpec, Encode, FeatureSpec, FillValue, FittedFeatures, Impute, Kind,
    SPEC_FORMAT, Scale, SpecFormat, Transform,
};
use mlwb::pipeline::profile;
use mlwb::pipeline::progress::{CancelFlag, no_progress};
use polars::prelude::*;
use proptest::prelude::*;
use serde_json::Value;

use super::{demo_file, fixture};

fn load(path: &std::path::Path) -> DataFrame {
    data::load(
        path,
        &LoadOptions::default(),
        &CancelFlag::new(),
        &no_progress,
    )
    .unwrap()
    .df
}

fn fit(spec: &FeatureSpec, df: &DataFrame) -> FittedFeatures {
    let valid = features::check(spec, df.schema()).unwrap();
    features::fit(&valid, df, &CancelFlag::new(), &no_progress).unwrap()
}

fn transform(fitted: &FittedFeatures, df: &DataFrame) -> features::Transformed {
    fitted
        .transform(df, &CancelFlag::new(), &no_progress)
        .unwrap()
}

fn spec_of(columns: Vec<ColumnSpec>) -> FeatureSpec {
    FeatureSpec {
        format: SPEC_FORMAT,
        columns,
    }
}

fn numeric(name: &str, impute: Impute, scale: Scale) -> ColumnSpec {
    let mut c = ColumnSpec::new(name, ColumnRole::Feature, Kind::Numeric);
    c.impute = Some(impute);
    c.scale = Some(scale);
    c
}

fn categorical(name: &str) -> ColumnSpec {
    let mut c = ColumnSpec::new(name, ColumnRole::Feature, Kind::Categorical);
    c.encode = Some(Encode::OneHot);
    c
}

/// The spec that does what one reference case did.
fn case_spec(case: &Value) -> FeatureSpec {
    let p = &case["params"];
    let impute = match p["impute"].as_str() {
        Some("mean") => Impute::Mean,
        Some("most_frequent") => Impute::MostFrequent,
        _ => Impute::Median,
    };
    let scale = match p["scale"].as_str() {
        Some("standard") => Scale::Standard,
        Some("minmax") => Scale::MinMax,
        Some("robust") => Scale::Robust,
        _ => Scale::None,
    };
    spec_of(
        case["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .map(|c| match c {
                "color" | "size" => categorical(c),
                _ => numeric(c, impute, scale),
            })
            .collect(),
    )
}

/// Compare one matrix with scikit-learn's, column by column by name. mlwb's extra `(unseen)`
/// column must be 1 exactly on the rows where scikit-learn's block for that column is all zeros.
fn compare(case: &str, split: &str, t: &features::Transformed, reference: &Value, names: &[&str]) {
    let rows = reference.as_array().unwrap();
    assert_eq!(t.x.nrows(), rows.len(), "{case}/{split}: rows");
    for (j, name) in names.iter().enumerate() {
        let ours = t
            .names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("{case}: no output named {name}; ours: {:?}", t.names));
        for (i, row) in rows.iter().enumerate() {
            let want = row[j].as_f64().unwrap();
            let got = t.x[[i, ours]];
            assert!(
                (got - want).abs() <= 1e-9,
                "{case}/{split}: {name} row {i}: mlwb {got:e}, scikit-learn {want:e}"
            );
        }
    }
    for (u, unseen) in t.names.iter().enumerate() {
        let Some(column) = unseen.strip_suffix("=(unseen)") else {
            continue;
        };
        let block: Vec<usize> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| n.starts_with(&format!("{column}=")))
            .map(|(j, _)| j)
            .collect();
        for (i, row) in rows.iter().enumerate() {
            let hot: f64 = block.iter().map(|j| row[*j].as_f64().unwrap()).sum();
            assert_eq!(t.x[[i, u]], 1.0 - hot, "{case}/{split}: {unseen} row {i}");
        }
    }
    // Nothing else: every output is one of scikit-learn's or an unseen bucket.
    for n in &t.names {
        assert!(
            names.contains(&n.as_str()) || n.ends_with("=(unseen)"),
            "{case}: extra output {n}"
        );
    }
}

#[test]
fn matches_scikit_learn_on_the_same_data() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("parity/features.sklearn.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(reference["sklearn"], "1.9.1");
    let train = load(&fixture("parity/features_train.csv"));
    let test = load(&fixture("parity/features_test.csv"));
    let cases = reference["cases"].as_object().unwrap();
    assert_eq!(cases.len(), 8);
    for (name, case) in cases {
        let fitted = fit(&case_spec(case), &train);
        let names: Vec<&str> = case["names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        compare(
            name,
            "train",
            &transform(&fitted, &train),
            &case["train"],
            &names,
        );
        compare(
            name,
            "test",
            &transform(&fitted, &test),
            &case["test"],
            &names,
        );
    }
}

#[test]
fn unseen_levels_are_counted_and_missing_values_reported() {
    let train = load(&fixture("parity/features_train.csv"));
    let test = load(&fixture("parity/features_test.csv"));
    let spec = spec_of(vec![
        numeric("normal", Impute::Median, Scale::Standard),
        categorical("color"),
        categorical("size"),
    ]);
    let t = transform(&fit(&spec, &train), &test);
    let magenta = test
        .column("color")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .filter(|v| *v == Some("magenta"))
        .count() as u64;
    assert!(magenta > 0);
    let unseen = |c: &str| t.unseen.iter().find(|u| u.column == c).map(|u| u.count);
    assert_eq!(unseen("color"), Some(magenta));
    assert!(unseen("size").unwrap() > 0);
    assert_eq!(unseen("normal"), None);
    let nulls = test.column("normal").unwrap().null_count() as u64;
    assert_eq!(
        t.filled
            .iter()
            .find(|f| f.column == "normal")
            .map(|f| f.count),
        Some(nulls)
    );
    assert!(t.x.iter().all(|v| v.is_finite()));
    assert!(t.x.t().is_standard_layout(), "column-major matrix");
}

/// A spec that uses every kind of step, for the leakage and file tests.
fn rich_spec() -> FeatureSpec {
    let mut log = numeric("skewed", Impute::Mean, Scale::Robust);
    log.transforms = vec![Transform::Log1p];
    let mut clip = numeric("normal", Impute::Constant, Scale::MinMax);
    clip.fill_value = Some(FillValue::Number(0.0));
    clip.transforms = vec![Transform::Clip {
        lower: 0.05,
        upper: 0.95,
    }];
    let mut bins = numeric("ties", Impute::MostFrequent, Scale::None);
    bins.transforms = vec![Transform::Bins { n: 3 }];
    let mut rare = categorical("size");
    rare.min_share = Some(0.05);
    rare.max_levels = Some(4);
    let mut ordinal = ColumnSpec::new("color", ColumnRole::Feature, Kind::Categorical);
    ordinal.encode = Some(Encode::Ordinal);
    ordinal.scale = Some(Scale::Standard);
    spec_of(vec![
        log,
        clip,
        bins,
        numeric("constant", Impute::Median, Scale::Standard),
        rare,
        ordinal,
    ])
}

#[test]
fn fitting_on_train_and_applying_to_test_leaks_nothing() {
    let train = load(&fixture("parity/features_train.csv"));
    let test = load(&fixture("parity/features_test.csv"));
    let spec = rich_spec();
    // Fit once, apply to both; then a fresh fit applied to test alone; then test again after
    // applying to other data in between: all the same.
    let once = fit(&spec, &train);
    let a = transform(&once, &test);
    let _ = transform(&once, &train);
    let b = transform(&once, &test);
    let fresh = fit(&spec, &train);
    let c = transform(&fresh, &test);
    assert_eq!(a.x, b.x);
    assert_eq!(a.x, c.x);
    assert_eq!(once, fresh);
    // Fitting on test gives different learned values: the fit really comes from its rows.
    assert_ne!(fit(&spec, &test).columns, once.columns);
}

#[test]
fn a_saved_and_reloaded_spec_fits_byte_identically() {
    let train = load(&fixture("parity/features_train.csv"));
    let spec = rich_spec();
    let dir = tempfile::tempdir().unwrap();
    let first = fit(&spec, &train);
    for file in ["spec.toml", "spec.json"] {
        let path = dir.path().join(file);
        spec.write(&path).unwrap();
        let reloaded = FeatureSpec::read(&path).unwrap();
        assert_eq!(reloaded, spec);
        let again = fit(&reloaded, &train);
        assert_eq!(again.to_json().unwrap(), first.to_json().unwrap());
        assert_eq!(again.hash(), first.hash());
    }
    // The fitted pipeline itself round-trips byte for byte, and applies identically.
    let path = dir.path().join("fitted.json");
    first.write(&path).unwrap();
    let read = FittedFeatures::read(&path).unwrap();
    assert_eq!(read.to_json().unwrap(), first.to_json().unwrap());
    assert_eq!(transform(&read, &train).x, transform(&first, &train).x);
}

#[test]
fn spec_hash_ignores_notes_and_spelled_out_defaults() {
    let df = load(&fixture("parity/features_train.csv"));
    let mut a = spec_of(vec![ColumnSpec::new(
        "normal",
        ColumnRole::Feature,
        Kind::Numeric,
    )]);
    let mut b = spec_of(vec![numeric("normal", Impute::Median, Scale::None)]);
    b.columns[0].note = Some("a comment".into());
    let hash = |s: &FeatureSpec| features::check(s, df.schema()).unwrap().hash();
    assert_eq!(hash(&a), hash(&b));
    a.columns[0].scale = Some(Scale::Standard);
    assert_ne!(hash(&a), hash(&b));
}

fn problems(spec: &FeatureSpec, df: &DataFrame) -> Vec<String> {
    features::check(spec, df.schema())
        .unwrap_err()
        .0
        .iter()
        .map(|p| p.to_string())
        .collect()
}

#[test]
fn check_names_the_column_and_the_problem() {
    let df = load(&fixture("parity/features_train.csv"));
    let mut scaled_text = numeric("color", Impute::Median, Scale::Standard);
    scaled_text.kind = Kind::Numeric;
    let mut scaled_onehot = categorical("size");
    scaled_onehot.scale = Some(Scale::Standard);
    let mut no_fill = numeric("normal", Impute::Constant, Scale::None);
    no_fill.fill_value = None;
    let mut bad_clip = numeric("skewed", Impute::Median, Scale::None);
    bad_clip.transforms = vec![Transform::Clip {
        lower: 0.9,
        upper: 0.1,
    }];
    let spec = spec_of(vec![
        numeric("nope", Impute::Median, Scale::None),
        scaled_text,
        scaled_onehot,
        no_fill,
        bad_clip,
        ColumnSpec::new("ties", ColumnRole::Target, Kind::Numeric),
        ColumnSpec::new("constant", ColumnRole::Target, Kind::Numeric),
    ]);
    let p = problems(&spec, &df);
    assert_eq!(p.len(), 6, "{p:#?}");
    assert!(p[0].starts_with("column 'nope': not in the data (its columns are: normal,"));
    assert!(p[1].contains("column 'color': is text") && p[1].contains("kind = categorical"));
    assert!(p[2].contains("column 'size': scaling a one-hot encoded column"));
    assert!(p[3].contains("column 'normal': impute = constant needs a fill_value"));
    assert!(p[4].contains("column 'skewed': clip(0.9, 0.1)"));
    assert!(p[5].contains("2 columns have role = target (ties, constant)"));
    // A target that is not in the data, and a spec without features.
    let mut spec = spec_of(vec![numeric("normal", Impute::Median, Scale::None)]);
    assert!(spec.set_target("label").is_err());
    spec.columns[0].role = ColumnRole::Ignore;
    spec.columns.push(ColumnSpec::new(
        "label",
        ColumnRole::Target,
        Kind::Categorical,
    ));
    let p = problems(&spec, &df);
    assert!(p[0].starts_with("column 'label': not in the data"), "{p:?}");
    assert!(p[1].contains("no column has role = feature"), "{p:?}");
    // The CLI's exit code for a bad spec is 2 (usage).
    let e: PipelineError = features::check(&spec, df.schema()).unwrap_err().into();
    assert_eq!(mlwb::cli::exit::for_error(e.kind()), 2);
}

#[test]
fn new_data_with_missing_or_retyped_columns_is_a_named_error() {
    let train = load(&fixture("parity/features_train.csv"));
    let fitted = fit(&rich_spec(), &train);
    let mut other = train.drop("skewed").unwrap();
    other
        .with_column(Column::new("color".into(), vec![1.0f64; other.height()]))
        .unwrap();
    let err = fitted
        .transform(&other, &CancelFlag::new(), &no_progress)
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("'skewed' is missing"), "{msg}");
    assert!(
        msg.contains("'color' held text when fitted but is f64 here"),
        "{msg}"
    );
    assert_eq!(mlwb::cli::exit::for_error(err.kind()), 3);
}

#[test]
fn all_missing_training_column_and_overflow_are_named_errors() {
    let df = df!(
        "empty" => [None::<f64>, None, None],
        "huge" => [1e308, -1e308, 0.0],
    )
    .unwrap();
    let spec = spec_of(vec![numeric("empty", Impute::Median, Scale::None)]);
    let valid = features::check(&spec, df.schema()).unwrap();
    let err = features::fit(&valid, &df, &CancelFlag::new(), &no_progress).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("column 'empty': no value is present"),
        "{err}"
    );
    let spec = spec_of(vec![numeric("huge", Impute::Median, Scale::MinMax)]);
    let fitted = fit(&spec, &df);
    let err = fitted
        .transform(&df, &CancelFlag::new(), &no_progress)
        .unwrap_err();
    assert!(err.to_string().contains("column 'huge'"), "{err}");
}

#[test]
fn booleans_dates_and_ordinals() {
    let days = [19_782i32, 19_783, 0, 19_000];
    let df = df!(
        "answer" => [Some("yes"), Some("no"), None, Some("yes")],
        "flag" => [true, false, true, true],
        "day" => days,
        "grade" => [Some(3i64), Some(1), Some(2), None],
    )
    .unwrap()
    .lazy()
    .with_column(col("day").cast(DataType::Date))
    .collect()
    .unwrap();
    let mut answer = ColumnSpec::new("answer", ColumnRole::Feature, Kind::Boolean);
    answer.impute = Some(Impute::Constant);
    answer.fill_value = Some(FillValue::Number(0.0));
    let mut grade = ColumnSpec::new("grade", ColumnRole::Feature, Kind::Categorical);
    grade.encode = Some(Encode::Ordinal);
    let spec = spec_of(vec![
        answer,
        ColumnSpec::new("flag", ColumnRole::Feature, Kind::Boolean),
        ColumnSpec::new("day", ColumnRole::Feature, Kind::Datetime),
        grade,
    ]);
    let fitted = fit(&spec, &df);
    let t = transform(&fitted, &df);
    assert_eq!(
        t.names,
        [
            "answer",
            "flag",
            "day.year",
            "day.month",
            "day.day",
            "day.weekday",
            "grade"
        ]
    );
    let col = |j: usize| t.x.column(j).to_vec();
    assert_eq!(col(0), [1.0, 0.0, 0.0, 1.0]);
    assert_eq!(col(1), [1.0, 0.0, 1.0, 1.0]);
    assert_eq!(col(2), [2024.0, 2024.0, 1970.0, 2022.0]);
    assert_eq!(col(3), [2.0, 3.0, 1.0, 1.0]);
    assert_eq!(col(4), [29.0, 1.0, 1.0, 8.0]);
    // 2024-02-29 was a Thursday (3), 1970-01-01 a Thursday, 2022-01-08 a Saturday.
    assert_eq!(col(5), [3.0, 4.0, 3.0, 5.0]);
    // Levels 1, 2, 3 in numeric order; the missing grade gets the most frequent (a tie: 1).
    assert_eq!(col(6), [2.0, 0.0, 1.0, 0.0]);
}

#[test]
fn automatic_spec_ignores_ids_constants_and_empty_columns() {
    let n = 200;
    let df = df!(
        "id" => (0..n as i64).collect::<Vec<_>>(),
        "const" => vec![1.0f64; n],
        "empty" => vec![None::<f64>; n],
        "amount" => (0..n).map(|i| if i % 10 == 0 { None } else { Some(i as f64 * 1.5) }).collect::<Vec<_>>(),
        "city" => (0..n).map(|i| format!("city{}", i % 80)).collect::<Vec<_>>(),
        "label" => (0..n).map(|i| if i % 3 == 0 { "a" } else { "b" }).collect::<Vec<_>>(),
    )
    .unwrap();
    let profile = profile::profile(&df, &CancelFlag::new(), &no_progress).unwrap();
    let spec = features::auto_spec(&profile, Some("label"));
    let role = |c: &str| spec.column(c).unwrap().role;
    assert_eq!(role("id"), ColumnRole::Ignore);
    assert_eq!(role("const"), ColumnRole::Ignore);
    assert_eq!(role("empty"), ColumnRole::Ignore);
    assert_eq!(role("amount"), ColumnRole::Feature);
    assert_eq!(role("city"), ColumnRole::Feature);
    assert_eq!(role("label"), ColumnRole::Target);
    let city = spec.column("city").unwrap();
    assert_eq!(city.max_levels, Some(features::AUTO_MAX_LEVELS));
    for c in &spec.columns {
        let note = c.note.as_deref().unwrap_or("");
        assert!(
            !note.is_empty() && !note.contains('\n'),
            "{}: {note:?}",
            c.name
        );
    }
    let fitted = fit(&spec, &df);
    let t = transform(&fitted, &df);
    // 20 kept levels, (other) and (unseen), plus amount.
    assert_eq!(t.names.len(), 23, "{:?}", t.names);
    assert!(t.names.contains(&"city=(other)".to_string()));
    // The automatic spec of every demo dataset checks and fits.
    for name in ["penguins.csv", "diabetes.csv", "weather_reference.csv"] {
        let df = load(&demo_file(name));
        let profile = profile::profile(&df, &CancelFlag::new(), &no_progress).unwrap();
        let spec = features::auto_spec(&profile, None);
        let t = transform(&fit(&spec, &df), &df);
        assert!(t.x.iter().all(|v| v.is_finite()), "{name}");
        assert_eq!(
            SpecFormat::for_path(std::path::Path::new("a.json")),
            SpecFormat::Json
        );
    }
}

fn column_frame(values: &[Option<f64>]) -> DataFrame {
    df!("x" => values.to_vec()).unwrap()
}

fn one_column_spec(scale: Scale, transforms: Vec<Transform>) -> FeatureSpec {
    let mut c = numeric("x", Impute::Median, scale);
    c.transforms = transforms;
    spec_of(vec![c])
}

fn finite_values() -> impl Strategy<Value = Vec<Option<f64>>> {
    prop::collection::vec(
        prop_oneof![
            1 => Just(None),
            8 => (-1e100f64..1e100).prop_map(Some),
            2 => (-10.0f64..10.0).prop_map(Some),
            1 => Just(Some(0.0)),
        ],
        1..300,
    )
    .prop_filter("at least one value", |v| v.iter().any(Option::is_some))
}

fn transform_strategy() -> impl Strategy<Value = Vec<Transform>> {
    prop::collection::vec(
        prop_oneof![
            Just(Transform::Log1p),
            (0.0f64..0.4, 0.6f64..1.0).prop_map(|(lower, upper)| Transform::Clip { lower, upper }),
            (2usize..20).prop_map(|n| Transform::Bins { n }),
        ],
        0..3,
    )
}

fn scale_strategy() -> impl Strategy<Value = Scale> {
    prop_oneof![
        Just(Scale::Standard),
        Just(Scale::MinMax),
        Just(Scale::Robust),
        Just(Scale::None)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Property: finite input (|x| ≤ 1e100, with missing values) never gives NaN or inf.
    #[test]
    fn transforms_of_finite_input_are_finite(
        values in finite_values(),
        scale in scale_strategy(),
        transforms in transform_strategy(),
    ) {
        let df = column_frame(&values);
        let fitted = fit(&one_column_spec(scale, transforms), &df);
        let t = transform(&fitted, &df);
        prop_assert!(t.x.iter().all(|v| v.is_finite()));
    }

    /// Property: a standard-scaled training column has mean ≈ 0 and std ≈ 1 unless constant.
    #[test]
    fn standard_scaled_training_columns_are_standardised(values in finite_values()) {
        let df = column_frame(&values);
        let fitted = fit(&one_column_spec(Scale::Standard, vec![]), &df);
        let t = transform(&fitted, &df);
        let x: Vec<f64> = t.x.column(0).to_vec();
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let std = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        prop_assert!(mean.abs() < 1e-9, "mean {mean}");
        let present: Vec<f64> = values.iter().flatten().copied().collect();
        let constant = present.iter().all(|v| *v == present[0]);
        // scikit-learn's rule also treats a variance within float error of zero as constant.
        let treated_constant = matches!(
            &fitted.columns[0].steps,
            features::FittedSteps::Numeric { steps } if steps.scale.is_some_and(|a| a.scale == 1.0)
        );
        if constant {
            prop_assert!(x.iter().all(|v| *v == 0.0));
        } else if !treated_constant {
            prop_assert!((std - 1.0).abs() < 1e-9, "std {std}");
        }
    }
}

/// Issue 13, item 27: the After histogram of a purely linear step (standard scaling) differed
/// from the Before one: values on bin edges moved between bins. On the profile's bins mapped
/// through the step, every bar is the same.
#[test]
fn a_linear_step_keeps_its_histogram_bar_for_bar() {
    // Whole numbers 0..=40, several per bin edge, with a long run at one value.
    let x: Vec<f64> = (0..400)
        .map(|i| f64::from((i * 7) % 41))
        .chain([20.0; 37])
        .collect();
    let df = df!("x" => &x, "y" => x.iter().map(|v| v * 2.0).collect::<Vec<_>>()).unwrap();
    let p = profile::profile(&df, &CancelFlag::new(), &no_progress).unwrap();
    let spec = features::auto_spec(&p, Some("y"));
    let valid = features::check(&spec, df.schema()).unwrap();
    let preview = features::preview(
        &valid,
        &df,
        10,
        20_000,
        Some(&p),
        &CancelFlag::new(),
        &no_progress,
    )
    .unwrap();
    let before = p.column("x").unwrap().histogram.clone().unwrap();
    let after = preview.outputs.iter().find(|o| o.name == "x").unwrap();
    let after = after.histogram.clone().unwrap();
    assert_eq!(after.counts, before.counts);
    // The edges are the profile's, scaled: (e − mean) / std.
    let (mean, std) = (
        x.iter().sum::<f64>() / x.len() as f64,
        (x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64
            - (x.iter().sum::<f64>() / x.len() as f64).powi(2))
        .sqrt(),
    );
    for (a, b) in after.edges.iter().zip(&before.edges) {
        assert!((a - (b - mean) / std).abs() < 1e-9, "{a} vs {b}");
    }
}

/// Issue 13, item 16: Parquet duration and time columns made the automatic spec fail its own
/// check (exit 2 on a command given no spec). The automatic spec always passes its check.
#[test]
fn the_automatic_spec_passes_its_own_check_on_times_and_durations() {
    let n = 30;
    let secs: Vec<i64> = (0..n).map(|i| i * 3_600_000_000).collect();
    let nanos: Vec<i64> = (0..n).map(|i| (i % 24) * 3_600_000_000_000).collect();
    let df = df!(
        "x" => (0..n).map(|i| i as f64).collect::<Vec<_>>(),
        "took" => secs,
        "at" => nanos
    )
    .unwrap()
    .lazy()
    .with_columns([
        col("took").cast(DataType::Duration(TimeUnit::Microseconds)),
        col("at").cast(DataType::Time),
    ])
    .collect()
    .unwrap();
    let p = profile::profile(&df, &CancelFlag::new(), &no_progress).unwrap();
    let spec = features::auto_spec(&p, None);
    let problems = features::check(&spec, df.schema()).err();
    assert!(problems.is_none(), "{problems:?}");
    for name in ["took", "at"] {
        let c = spec.columns.iter().find(|c| c.name == name).unwrap();
        assert_eq!(c.role, ColumnRole::Ignore, "{c:?}");
    }
}
