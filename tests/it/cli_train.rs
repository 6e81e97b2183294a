//! `mlwb train` and `mlwb runs`: the JSON contract, exit codes, bit-identical results in two
//! separate processes, reruns, per-model time limits, and the human leaderboard.

use serde_json::Value;

use super::cli::mlwb;
use super::demo_file;

fn train_json(store: &std::path::Path, args: &[&str]) -> (Value, i32) {
    let out = mlwb()
        .env("MLWB_STORE", store)
        .arg("train")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("no JSON: {}", String::from_utf8_lossy(&out.stderr)));
    (doc, out.status.code().unwrap())
}

#[test]
fn train_json_lists_every_run_with_status_metrics_and_duration() {
    let store = tempfile::tempdir().unwrap();
    let data = demo_file("penguins.csv");
    let (doc, code) = train_json(
        store.path(),
        &[
            "--data",
            data.to_str().unwrap(),
            "--target",
            "species",
            "--cv",
            "3",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["task"], "classification");
    assert!(doc["study_id"].as_i64().unwrap() >= 1);
    let runs = doc["runs"].as_array().unwrap();
    let models: Vec<&str> = runs.iter().map(|r| r["model"].as_str().unwrap()).collect();
    assert_eq!(
        models,
        [
            "logistic_regression",
            "gaussian_nb",
            "decision_tree",
            "random_forest"
        ]
    );
    for r in runs {
        assert_eq!(r["status"], "finished", "{r}");
        assert_eq!(r["task"], "classification");
        assert!(r["run_id"].as_i64().is_some());
        assert!(r["duration_s"].as_f64().unwrap() >= 0.0);
        let m = &r["metrics"];
        for key in [
            "accuracy",
            "balanced_accuracy",
            "f1_macro",
            "roc_auc",
            "log_loss",
        ] {
            assert!(m[key].as_f64().is_some(), "{key} missing in {m}");
        }
        // Gaussian NB scores about 0.72 here, as scikit-learn's does: one-hot columns that are
        // constant within a class get a tiny variance.
        assert!(m["accuracy"].as_f64().unwrap() > 0.65, "{m}");
        assert_eq!(r["fold_metrics"].as_array().unwrap().len(), 3);
        assert_eq!(
            r["confusion_matrix"]["classes"],
            serde_json::json!(["Adelie", "Chinstrap", "Gentoo"])
        );
    }
    assert!(
        runs[0]["metrics"]["accuracy"].as_f64().unwrap() > 0.98,
        "logistic regression, as scikit-learn's 0.991"
    );
    assert_eq!(runs[0]["dropped_rows"], 0);

    let list = mlwb()
        .env("MLWB_STORE", store.path())
        .args(["runs", "list", "--json"])
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list["runs"].as_array().unwrap().len(), 4);
    let id = runs[0]["run_id"].as_i64().unwrap().to_string();
    let show = mlwb()
        .env("MLWB_STORE", store.path())
        .args(["runs", "show", &id])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(text.contains("confusion matrix"), "{text}");
    assert!(text.contains("Chinstrap"), "{text}");
}

#[test]
fn two_processes_give_bit_identical_metrics_and_rerun_says_so() {
    let store = tempfile::tempdir().unwrap();
    let data = demo_file("diabetes.csv");
    let args = [
        "--data",
        data.to_str().unwrap(),
        "--target",
        "progression",
        "--model",
        "random_forest:n_estimators=30",
        "--model",
        "lasso:alpha=0.5",
        "--seed",
        "3",
    ];
    let (a, _) = train_json(store.path(), &args);
    let (b, _) = train_json(store.path(), &args);
    assert_eq!(a["task"], "regression");
    for (ra, rb) in a["runs"]
        .as_array()
        .unwrap()
        .iter()
        .zip(b["runs"].as_array().unwrap())
    {
        assert_eq!(
            ra["metrics"], rb["metrics"],
            "same seed, same data, same spec"
        );
        assert_eq!(ra["fitted_features_hash"], rb["fitted_features_hash"]);
        assert!(ra["metrics"]["r2"].as_f64().is_some());
    }
    let id = a["runs"][0]["run_id"].as_i64().unwrap().to_string();
    let out = mlwb()
        .env("MLWB_STORE", store.path())
        .args(["runs", "rerun", &id, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["rerun"]["identical_metrics"], true);
    assert_eq!(doc["rerun"]["same_data"], true);
}

#[test]
fn a_model_over_its_time_limit_is_recorded_as_timed_out_and_the_others_finish() {
    let store = tempfile::tempdir().unwrap();
    let data = demo_file("penguins.csv");
    let (doc, code) = train_json(
        store.path(),
        &[
            "--data",
            data.to_str().unwrap(),
            "--target",
            "species",
            "--model",
            "random_forest:n_estimators=200000",
            "--model",
            "gaussian_nb",
            "--time-limit",
            "1",
        ],
    );
    assert_eq!(code, 0, "one model finished");
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs[0]["status"], "timed_out");
    assert!(runs[0]["duration_s"].as_f64().unwrap() < 5.0);
    assert_eq!(runs[1]["status"], "finished");
}

#[test]
fn bad_requests_and_bad_targets_have_their_exit_codes() {
    let store = tempfile::tempdir().unwrap();
    let data = demo_file("penguins.csv");
    let d = data.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = mlwb()
            .env("MLWB_STORE", store.path())
            .arg("train")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["--data", d, "--target", "species", "--model", "ridge"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does not do classification"), "{err}");
    let (code, err) = run(&["--data", d, "--target", "nope"]);
    assert_eq!(code, 2, "{err}");
    let (code, err) = run(&["--data", d, "--target", "species", "--cv", "500"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("fewer than the 500 folds"), "{err}");
    // Nothing was recorded for requests that were refused up front.
    let list = mlwb()
        .env("MLWB_STORE", store.path())
        .args(["runs", "list", "--json"])
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list["runs"].as_array().unwrap().len(), 0);
    let (code, _) = run(&["--data", d, "--target", "sex", "--model", "gaussian_nb"]);
    assert_eq!(code, 0, "rows with no sex are dropped and counted");
    let out = mlwb()
        .env("MLWB_STORE", store.path())
        .args([
            "train",
            "--data",
            d,
            "--target",
            "sex",
            "--model",
            "gaussian_nb",
            "--json",
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["runs"][0]["dropped_rows"], 11);
    assert!(
        doc["notes"][0]
            .as_str()
            .unwrap()
            .contains("11 row(s) with no target value were dropped")
    );
}

/// `kill -9` of a training process leaves a store that opens, with that process's run marked
/// interrupted at the next open; a run that another live process is training is not touched,
/// and the killed process's worker does not keep training.
#[test]
fn kill_9_marks_the_run_interrupted_and_spares_a_live_one() {
    use mlwb::pipeline::runs::{RunStatus, Store};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let store = tempfile::tempdir().unwrap();
    let data = demo_file("penguins.csv");
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_mlwb"))
            .env("MLWB_STORE", store.path())
            .args([
                "train",
                "--data",
                data.to_str().unwrap(),
                "--target",
                "species",
            ])
            .args(["--model", "random_forest:n_estimators=500000"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut doomed = start();
    let mut live = start();
    let deadline = Instant::now() + Duration::from_secs(60);
    let running = |pid: u32| {
        Store::open(store.path())
            .unwrap()
            .list()
            .unwrap()
            .into_iter()
            .find(|r| r.pid == Some(pid) && r.status == RunStatus::Running)
    };
    while running(doomed.id()).is_none() || running(live.id()).is_none() {
        assert!(Instant::now() < deadline, "the runs never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let doomed_run = running(doomed.id()).unwrap().run_id;
    // Its worker: a child process (polled for, as it starts just after the run does).
    let children = |pid: u32| -> Vec<u32> {
        std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let status = std::fs::read_to_string(e.path().join("status")).ok()?;
                let ppid = status.lines().find_map(|l| l.strip_prefix("PPid:"))?.trim();
                (ppid == pid.to_string()).then(|| e.file_name().to_str()?.parse().ok())?
            })
            .collect()
    };
    let workers = loop {
        let w = children(doomed.id());
        if !w.is_empty() {
            break w;
        }
        assert!(Instant::now() < deadline, "no worker process started");
        std::thread::sleep(Duration::from_millis(20));
    };
    doomed.kill().unwrap(); // SIGKILL
    doomed.wait().unwrap();

    let reopened = Store::open(store.path()).unwrap();
    assert_eq!(reopened.interrupted_at_open(), 1);
    let runs = reopened.list().unwrap();
    let status = |id: i64| runs.iter().find(|r| r.run_id == id).unwrap().status;
    assert_eq!(status(doomed_run), RunStatus::Interrupted);
    let live_run = runs.iter().find(|r| r.pid == Some(live.id())).unwrap();
    assert_eq!(
        live_run.status,
        RunStatus::Running,
        "a live process's run is left alone"
    );

    // The killed process's worker notices its parent is gone and exits (it is reparented and
    // reaped, or left a zombie if nothing reaps it).
    let alive = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/status")).is_ok_and(|s| {
            !s.lines()
                .any(|l| l.starts_with("State:") && l.contains('Z'))
        })
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while workers.iter().any(|p| alive(*p)) {
        assert!(
            Instant::now() < deadline,
            "the orphaned worker kept running"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    live.kill().unwrap();
    live.wait().unwrap();
}
