//! Training: metric parity with scikit-learn 1.9, model accuracy close to scikit-learn's on the
//! same rows, determinism, the run store's ownership rules, and named errors for bad targets.
//!
//! References, written by `scripts/sklearn_train_reference.py` (scikit-learn 1.9.1):
//! - `train_metrics.sklearn.json`: seeded random labels, predictions and probabilities with
//!   accuracy_score, balanced_accuracy_score, precision/recall/f1_score(average="macro",
//!   zero_division=0), roc_auc_score (binary; multi_class="ovr", average="macro"), log_loss,
//!   confusion_matrix, r2_score, mean_squared_error, mean_absolute_error, silhouette_score and
//!   adjusted_rand_score on them. Tolerance 1e-12.
//! - `train_models.sklearn.json`: test accuracy / R² of scikit-learn models with the named
//!   hyperparameters, fitted on `train_models_train.csv` after a StandardScaler fitted on it,
//!   scored on `train_models_test.csv`. mlwb fits the same standard scaling through its feature
//!   spec. Tolerance: 2 points (0.02), tighter for the closed-form linear models.

use mlwb::pipeline::data::{self, LoadOptions};
use mlwb::pipeline::features::FeatureSpec;
use mlwb::pipeline::progress::{CancelFlag, no_progress};
use mlwb::pipeline::runs::{RunResult, RunSetup, RunStatus, Store};
use mlwb::pipeline::train::metrics;
use mlwb::pipeline::train::models::ModelSpec;
use mlwb::pipeline::train::{self, RunRequest, TaskKind, Validation};
use ndarray::Array2;
use polars::prelude::*;
use serde_json::Value;

use super::fixture;

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

fn read_json(rel: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixture(rel)).unwrap()).unwrap()
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol,
        "{what}: mlwb {a} vs scikit-learn {b} (tolerance {tol})"
    );
}

#[test]
fn metrics_equal_scikit_learn_on_the_same_predictions() {
    let doc = read_json("parity/train_metrics.sklearn.json");
    for case in doc["classification"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let k = case["classes"].as_u64().unwrap() as usize;
        let y: Vec<u32> = case["y_true"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        let p: Vec<u32> = case["y_pred"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        let rows: Vec<Vec<f64>> = serde_json::from_value(case["proba"].clone()).unwrap();
        let proba = Array2::from_shape_fn((rows.len(), k), |(i, j)| rows[i][j]);
        let classes: Vec<String> = (0..k).map(|c| c.to_string()).collect();
        let (m, conf) = metrics::classification(&y, &p, Some(proba.view()), &classes);
        let reference = &case["sklearn"];
        for key in [
            "accuracy",
            "balanced_accuracy",
            "precision_macro",
            "recall_macro",
            "f1_macro",
            "roc_auc",
            "log_loss",
        ] {
            close(
                m[&metrics::Metric::parse(key).unwrap()],
                reference[key].as_f64().unwrap(),
                1e-12,
                &format!("{name} {key}"),
            );
        }
        let expected: Vec<Vec<u64>> =
            serde_json::from_value(reference["confusion"].clone()).unwrap();
        assert_eq!(conf.counts, expected, "{name} confusion matrix");
    }
    let reg = &doc["regression"];
    let yt: Vec<f64> = serde_json::from_value(reg["y_true"].clone()).unwrap();
    let yp: Vec<f64> = serde_json::from_value(reg["y_pred"].clone()).unwrap();
    let m = metrics::regression(&yt, &yp);
    for key in ["r2", "rmse", "mae"] {
        close(
            m[&metrics::Metric::parse(key).unwrap()],
            reg["sklearn"][key].as_f64().unwrap(),
            1e-12,
            key,
        );
    }
    let clu = &doc["clustering"];
    let rows: Vec<Vec<f64>> = serde_json::from_value(clu["x"].clone()).unwrap();
    let x = Array2::from_shape_fn((rows.len(), 3), |(i, j)| rows[i][j]);
    let labels: Vec<Option<u32>> = clu["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| Some(v.as_u64().unwrap() as u32))
        .collect();
    let truth: Vec<u32> = clu["truth"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect();
    close(
        metrics::silhouette(x.view(), &labels).unwrap(),
        clu["sklearn"]["silhouette"].as_f64().unwrap(),
        1e-12,
        "silhouette",
    );
    close(
        metrics::adjusted_rand(&truth, &labels),
        clu["sklearn"]["adjusted_rand"].as_f64().unwrap(),
        1e-12,
        "adjusted_rand",
    );
}

/// x0..x7 as numbers, median-imputed and standard-scaled (scikit-learn's StandardScaler).
fn scaled_spec() -> FeatureSpec {
    let mut text = String::from("format = 1\n");
    for i in 0..8 {
        text.push_str(&format!(
            "[[columns]]\nname = \"x{i}\"\nrole = \"feature\"\nkind = \"numeric\"\nimpute = \"median\"\nscale = \"standard\"\n"
        ));
    }
    for t in ["binary", "grade", "y"] {
        text.push_str(&format!(
            "[[columns]]\nname = \"{t}\"\nrole = \"ignore\"\nkind = \"categorical\"\n"
        ));
    }
    FeatureSpec::parse(&text, mlwb::pipeline::features::SpecFormat::Toml).unwrap()
}

fn run_on_test_file(target: Option<&str>, task: TaskKind, model: &ModelSpec) -> train::RunReport {
    let train_df = load(&fixture("parity/train_models_train.csv"));
    let test_df = load(&fixture("parity/train_models_test.csv"));
    let req = RunRequest {
        target: target.map(str::to_string),
        task,
        params: model.check(task).unwrap(),
        validation: Validation::TestFile {
            path: "test".into(),
            fingerprint: "x".into(),
        },
        seed: 0,
        features: scaled_spec(),
    };
    train::run(&req, &train_df, Some(&test_df), &CancelFlag::new(), &|_| {})
        .unwrap()
        .0
}

#[test]
fn models_score_within_two_points_of_scikit_learn() {
    let doc = read_json("parity/train_models.sklearn.json");
    for entry in doc["models"].as_array().unwrap() {
        let model = ModelSpec {
            model: entry["model"].as_str().unwrap().into(),
            params: serde_json::from_value(entry["params"].clone()).unwrap(),
        };
        let target = entry["target"].as_str();
        let metric = entry["metric"].as_str().unwrap();
        let reference = entry["sklearn"].as_f64().unwrap();
        let what = format!(
            "{} {:?} on {target:?} ({})",
            model.model, model.params, entry["how"]
        );
        match metric {
            "accuracy" => {
                let r = run_on_test_file(target, TaskKind::Classification, &model);
                close(
                    r.metrics[&mlwb::pipeline::train::metrics::Metric::Accuracy],
                    reference,
                    0.02,
                    &what,
                );
            }
            "r2" => {
                let r = run_on_test_file(target, TaskKind::Regression, &model);
                // The closed forms and coordinate descent solve the same problem exactly.
                let tol = if model.model.contains("tree") || model.model.contains("forest") {
                    0.02
                } else {
                    1e-4
                };
                close(
                    r.metrics[&mlwb::pipeline::train::metrics::Metric::R2],
                    reference,
                    tol,
                    &what,
                );
            }
            "inertia_per_row" => {
                let r = run_on_test_file(None, TaskKind::Clustering, &model);
                let per_row = r.metrics[&mlwb::pipeline::train::metrics::Metric::Inertia]
                    / r.test_rows as f64;
                close(per_row, reference, 0.05 * reference, &what);
            }
            other => panic!("unknown metric {other}"),
        }
    }
}

#[test]
fn the_same_seed_gives_bit_identical_results_and_another_seed_does_not() {
    let df = load(&fixture("parity/train_models_train.csv"));
    let run = |seed: u64| {
        let req = RunRequest {
            target: Some("grade".into()),
            task: TaskKind::Classification,
            params: ModelSpec::parse("random_forest:n_estimators=20")
                .unwrap()
                .check(TaskKind::Classification)
                .unwrap(),
            validation: Validation::CrossValidation { folds: 3 },
            seed,
            features: scaled_spec(),
        };
        train::run(&req, &df, None, &CancelFlag::new(), &|_| {}).unwrap()
    };
    let (a, ma) = run(7);
    let (b, mb) = run(7);
    assert_eq!(
        serde_json::to_string(&a.metrics).unwrap(),
        serde_json::to_string(&b.metrics).unwrap()
    );
    assert_eq!(a.fold_metrics, b.fold_metrics);
    assert_eq!(ma, mb);
    let (c, _) = run(8);
    assert_ne!(a.metrics, c.metrics);
    assert_eq!(a.fold_metrics.len(), 3);
    // Confusion counts add up to every row once over the folds.
    let total: u64 = a.confusion.unwrap().counts.iter().flatten().sum();
    assert_eq!(total, df.height() as u64);
}

fn frame(cols: Vec<Column>) -> DataFrame {
    DataFrame::new(cols[0].len(), cols).unwrap()
}

#[test]
fn bad_targets_are_named_errors_or_stated_handling() {
    let n = 60;
    let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let one_class = frame(vec![
        Column::new("x".into(), x.clone()),
        Column::new("t".into(), vec!["a"; n]),
    ]);
    let e = train::prepare_target(&one_class, Some("t"), TaskKind::Classification).unwrap_err();
    assert!(e.to_string().contains("one class ('a')"), "{e}");
    assert_eq!(mlwb::cli::exit::for_error(e.kind()), 3);

    let ids: Vec<String> = (0..n).map(|i| format!("id-{i}")).collect();
    let id_target = frame(vec![
        Column::new("x".into(), x.clone()),
        Column::new("t".into(), ids),
    ]);
    let task = train::detect_task(&id_target, Some("t"), None).unwrap();
    let e = train::prepare_target(&id_target, Some("t"), task).unwrap_err();
    assert!(e.to_string().contains("like an id"), "{e}");

    let with_nulls: Vec<Option<&str>> = (0..n)
        .map(|i| {
            if i % 6 == 0 {
                None
            } else if i % 2 == 0 {
                Some("a")
            } else {
                Some("b")
            }
        })
        .collect();
    let nulls = frame(vec![
        Column::new("x".into(), x.clone()),
        Column::new("t".into(), with_nulls),
    ]);
    let p = train::prepare_target(&nulls, Some("t"), TaskKind::Classification).unwrap();
    assert_eq!(p.dropped_null, 10);
    assert_eq!(p.rows.len(), 50);

    assert!(
        train::detect_task(&nulls, Some("nope"), None)
            .unwrap_err()
            .to_string()
            .contains("no column 'nope'")
    );
    let e = train::split::kfold(4, None, 5, 0).unwrap_err();
    assert!(e.to_string().contains("too few for 5 folds"), "{e}");

    // A text column given a numeric kind is refused before any fit.
    let text = frame(vec![
        Column::new("x".into(), x.clone()),
        Column::new(
            "note".into(),
            (0..n).map(|i| format!("free text {i}")).collect::<Vec<_>>(),
        ),
        Column::new(
            "t".into(),
            (0..n).map(|i| (i % 2) as i64).collect::<Vec<_>>(),
        ),
    ]);
    let spec = FeatureSpec::parse(
        "format = 1\n[[columns]]\nname = \"note\"\nrole = \"feature\"\nkind = \"numeric\"\n",
        mlwb::pipeline::features::SpecFormat::Toml,
    )
    .unwrap();
    let req = RunRequest {
        target: Some("t".into()),
        task: TaskKind::Classification,
        params: ModelSpec::parse("gaussian_nb")
            .unwrap()
            .check(TaskKind::Classification)
            .unwrap(),
        validation: Validation::Holdout { test_fraction: 0.2 },
        seed: 0,
        features: spec,
    };
    let e = train::run(&req, &text, None, &CancelFlag::new(), &|_| {}).unwrap_err();
    assert!(e.to_string().contains("note"), "{e}");
}

#[test]
fn model_specs_use_scikit_learn_names_and_refuse_bad_values() {
    let ok =
        ModelSpec::parse("random_forest:n_estimators=10,max_depth=4,max_features=sqrt").unwrap();
    assert!(ok.check(TaskKind::Classification).is_ok());
    let e = ModelSpec::parse("logistic_regression:C=-1")
        .unwrap()
        .check(TaskKind::Classification)
        .unwrap_err()
        .to_string();
    assert!(e.contains("C must be a positive number"), "{e}");
    let e = ModelSpec::parse("ridge:alfa=1")
        .unwrap()
        .check(TaskKind::Regression)
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("alfa"));
    let e = e.to_string();
    assert!(
        e.contains("ridge: alfa is not one of its parameters; did you mean alpha?"),
        "{e}"
    );
    let e = ModelSpec::parse("ridge")
        .unwrap()
        .check(TaskKind::Classification)
        .unwrap_err()
        .to_string();
    assert!(e.contains("does not do classification"), "{e}");
    let e = ModelSpec::parse("xgboost")
        .unwrap()
        .check(TaskKind::Classification)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown model 'xgboost'"), "{e}");
}

fn setup(study: i64) -> RunSetup {
    RunSetup {
        study_id: study,
        data_path: "d.csv".into(),
        data_fingerprint: "f".into(),
        target: Some("t".into()),
        task: "classification".into(),
        validation: Value::Null,
        validation_label: "holdout 0.2".into(),
        validation_key: "holdout:0.2".into(),
        model: "gaussian_nb".into(),
        params: Value::Null,
        seed: 0,
        feature_spec: Value::Null,
        time_limit_s: None,
    }
}

#[test]
fn the_store_marks_runs_of_dead_owners_interrupted_and_leaves_live_ones_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join(".mlwb");
    let (dead, live, done);
    {
        let store = Store::open(&store_dir).unwrap();
        let study = store
            .create_study("d.csv", "f", Some("t"), "classification")
            .unwrap();
        dead = store.queue_run(&setup(study), None).unwrap();
        live = store.queue_run(&setup(study), None).unwrap();
        done = store.queue_run(&setup(study), None).unwrap();
        for id in [dead, live, done] {
            store.start_run(id).unwrap();
        }
        store
            .finish_run(done, RunStatus::Finished, &RunResult::default())
            .unwrap();
    }
    // The "dead" run's owner is a process that has exited.
    let child = std::process::Command::new("true").spawn().unwrap();
    let gone = child.id();
    let mut child = child;
    child.wait().unwrap();
    let conn = rusqlite_set_pid(&store_dir, dead, gone);
    drop(conn);
    let store = Store::open(&store_dir).unwrap();
    assert_eq!(
        store.get(dead).unwrap().unwrap().status,
        RunStatus::Interrupted
    );
    assert_eq!(
        store.get(live).unwrap().unwrap().status,
        RunStatus::Running,
        "our own live run is untouched"
    );
    assert_eq!(
        store.get(done).unwrap().unwrap().status,
        RunStatus::Finished
    );
    assert!(store_dir.join(".gitignore").is_file());
}

/// Point a run at another pid, as another process would have recorded it.
fn rusqlite_set_pid(
    store_dir: &std::path::Path,
    run: mlwb::pipeline::runs::RunId,
    pid: u32,
) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(store_dir.join("mlwb.db")).unwrap();
    conn.execute(
        "UPDATE runs SET pid = ?1 WHERE id = ?2",
        rusqlite::params![pid, run.0],
    )
    .unwrap();
    conn
}

/// Issue 14: with cross-validation, the feature statistics of a fold (here the standard
/// scaler's mean and std) are fitted on that fold's training rows only, never on the rows it
/// is scored on. One row holds 1e6 among 99 values in [0, 1]. Scaled by a fold that never saw
/// it (std ≤ 0.5), it lies 2e6 standard deviations out, so the k-means inertia of the fold that
/// scores it (the squared distances of its validation rows to the nearest centroid) exceeds
/// 1e12. Scaled by statistics that saw it (the spec fitted on the whole table before
/// splitting), no value can lie more than √(n − 1) ≈ 10 deviations from the mean
/// (Samuelson's inequality), so no fold's inertia could reach 20 × (2 × 10)² = 8,000.
#[test]
fn features_are_fitted_on_each_fold_s_training_rows_only() {
    let x: Vec<f64> = (0..100)
        .map(|i| {
            if i == 37 {
                1e6
            } else {
                f64::from((i * 7919) % 100) / 99.0
            }
        })
        .collect();
    let df = df!("x" => &x).unwrap();
    let spec = FeatureSpec::parse(
        "format = 1\n[[columns]]\nname = \"x\"\nrole = \"feature\"\nkind = \"numeric\"\nscale = \"standard\"\n",
        mlwb::pipeline::features::SpecFormat::Toml,
    )
    .unwrap();
    let req = RunRequest {
        target: None,
        task: TaskKind::Clustering,
        params: ModelSpec::parse("kmeans:n_clusters=2")
            .unwrap()
            .check(TaskKind::Clustering)
            .unwrap(),
        validation: Validation::CrossValidation { folds: 5 },
        seed: 3,
        features: spec,
    };
    let (report, _) = train::run(&req, &df, None, &CancelFlag::new(), &|_| {}).unwrap();
    let inertia: Vec<f64> = report
        .fold_metrics
        .iter()
        .map(|m| m[&mlwb::pipeline::train::metrics::Metric::Inertia])
        .collect();
    assert_eq!(inertia.len(), 5);
    // Exactly one fold scores the extreme row, and it saw it as extreme; the other folds
    // trained on it, so their scaling spreads their own rows to almost nothing.
    let huge = inertia.iter().filter(|&&v| v > 1e12).count();
    let small = inertia.iter().filter(|&&v| v < 1e3).count();
    assert_eq!((huge, small), (1, 4), "per-fold inertia: {inertia:?}");
}
