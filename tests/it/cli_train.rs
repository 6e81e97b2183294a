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
    let status =
        |id: mlwb::pipeline::runs::RunId| runs.iter().find(|r| r.run_id == id).unwrap().status;
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

fn run_cmd(store: &std::path::Path, args: &[&str]) -> std::process::Output {
    mlwb().env("MLWB_STORE", store).args(args).output().unwrap()
}

/// Issue 13, item 5: `runs rerun` refused every lasso run ("l1_ratio is always 1"). A stored
/// run's parameters must always rerun: one run of every model, reran and reproduced.
#[test]
fn every_model_reruns_and_reproduces_its_metrics() {
    let store = tempfile::tempdir().unwrap();
    let penguins = demo_file("penguins.csv");
    let diabetes = demo_file("diabetes.csv");
    let (p, d) = (penguins.to_str().unwrap(), diabetes.to_str().unwrap());
    let studies: [&[&str]; 3] = [
        &["--data", p, "--target", "species"],
        &["--data", d, "--target", "progression"],
        &[
            "--data",
            p,
            "--model",
            "kmeans:n_clusters=3",
            "--model",
            "dbscan:eps=2",
            "--model",
            "gaussian_mixture:n_components=3",
        ],
    ];
    let mut models = Vec::new();
    for args in studies {
        let mut args = args.to_vec();
        args.push("--in-process");
        let (doc, code) = train_json(store.path(), &args);
        assert_eq!(code, 0, "{doc}");
        for r in doc["runs"].as_array().unwrap() {
            assert_eq!(r["status"], "finished", "{r}");
            let id = r["run_id"].as_i64().unwrap().to_string();
            let out = run_cmd(
                store.path(),
                &["runs", "rerun", &id, "--json", "--in-process"],
            );
            assert_eq!(out.status.code(), Some(0), "{}: {out:?}", r["model"]);
            let again: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(again["rerun"]["identical_metrics"], true, "{}", r["model"]);
            models.push(r["model"].as_str().unwrap().to_string());
        }
    }
    models.sort();
    models.dedup();
    assert_eq!(models.len(), 11, "every model once: {models:?}");
}

/// Issue 13, item 6: `train --spec F` ignored the spec's target and trained clustering.
#[test]
fn the_spec_s_target_is_the_study_s_target() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_file("penguins.csv");
    let spec = dir.path().join("spec.toml");
    let out = mlwb()
        .args(["features", "--target", "species", "--out"])
        .arg(&spec)
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let (doc, code) = train_json(
        dir.path(),
        &[
            "--data",
            data.to_str().unwrap(),
            "--spec",
            spec.to_str().unwrap(),
            "--model",
            "gaussian_nb",
            "--in-process",
        ],
    );
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["task"], "classification");
    assert_eq!(doc["target"], "species");
    // No target anywhere: clustering, and stderr says why.
    let out = mlwb()
        .env("MLWB_STORE", dir.path())
        .args([
            "train",
            "--model",
            "kmeans:n_clusters=3",
            "--in-process",
            "--data",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("clustering"));
}

/// Issue 13, item 8: a continuous target forced to classification, or a test file without a
/// feature, failed once per model (four failed runs stored). One error now, no run stored.
#[test]
fn what_can_be_checked_before_the_runs_is_one_error_and_no_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_file("diabetes.csv");
    let out = run_cmd(
        dir.path(),
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--target",
            "bmi",
            "--task",
            "classification",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("continuous") && err.contains("diabetes.csv"),
        "{err}"
    );
    let test = dir.path().join("test.csv");
    let text = std::fs::read_to_string(&data).unwrap();
    let without_bp: String = text
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(3);
            f.join(",") + "\n"
        })
        .collect();
    std::fs::write(&test, without_bp).unwrap();
    let out = run_cmd(
        dir.path(),
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--target",
            "progression",
            "--test",
            test.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("test.csv") && err.contains("bp"), "{err}");
    assert_eq!(err.matches("error").count(), 1, "one message: {err}");
    let list = run_cmd(dir.path(), &["runs", "list", "--json"]);
    let doc: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(doc["runs"].as_array().unwrap().len(), 0, "no run stored");
}

/// Issue 13, item 9: impossible parameters are refused; degenerate clusterings say so.
#[test]
fn impossible_parameters_are_refused_and_degenerate_results_warned() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_file("penguins.csv");
    let out = run_cmd(
        dir.path(),
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--model",
            "kmeans:n_clusters=1000",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("n_clusters is 1000, more than the") && err.contains("penguins.csv"),
        "{err}"
    );
    let (doc, code) = train_json(
        dir.path(),
        &[
            "--data",
            data.to_str().unwrap(),
            "--model",
            "dbscan:eps=0.05",
            "--in-process",
        ],
    );
    assert_eq!(code, 0, "{doc}");
    let warnings = doc["runs"][0]["warnings"].to_string();
    assert!(warnings.contains("noise"), "{doc}");
}

/// Issue 13, item 7: runs of another task, spec or seed are not on one leaderboard.
#[test]
fn the_comparison_key_holds_task_seed_and_spec() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_file("penguins.csv");
    let d = data.to_str().unwrap();
    let (a, _) = train_json(
        dir.path(),
        &[
            "--data",
            d,
            "--target",
            "species",
            "--model",
            "gaussian_nb",
            "--in-process",
        ],
    );
    let (b, _) = train_json(
        dir.path(),
        &[
            "--data",
            d,
            "--target",
            "species",
            "--model",
            "gaussian_nb",
            "--in-process",
            "--seed",
            "7",
        ],
    );
    let store = mlwb::pipeline::runs::Store::open(dir.path()).unwrap();
    let runs = store.list().unwrap();
    let key = |id: &Value| {
        runs.iter()
            .find(|r| Some(r.run_id.0) == id.as_i64())
            .unwrap()
            .setup
            .validation_key
            .clone()
    };
    let (ka, kb) = (key(&a["runs"][0]["run_id"]), key(&b["runs"][0]["run_id"]));
    assert_ne!(ka, kb, "another seed draws other validation rows");
    assert!(
        ka.starts_with("classification;") && ka.contains(";spec:"),
        "{ka}"
    );
    let human = run_cmd(dir.path(), &["runs", "list"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("spec"));
}

/// Issue 13, item 21: read-only commands never create a store where none exists.
#[test]
fn listing_runs_creates_no_store() {
    let cwd = tempfile::tempdir().unwrap();
    let out = mlwb()
        .current_dir(cwd.path())
        .env_remove("MLWB_STORE")
        .args(["runs", "list", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(std::fs::read_dir(cwd.path()).unwrap().count(), 0);
    let out = mlwb()
        .current_dir(cwd.path())
        .env_remove("MLWB_STORE")
        .args(["runs", "show", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_dir(cwd.path()).unwrap().count(), 0);
}

/// Issue 13, item 19: what a kill -9 leaves in `models/` is collected when the store opens.
#[test]
fn orphaned_model_files_are_collected_when_the_store_opens() {
    let dir = tempfile::tempdir().unwrap();
    drop(mlwb::pipeline::runs::Store::open(dir.path()).unwrap());
    let models = dir.path().join("models");
    // A temp file of a writer that is gone, a model of a run that never was, and a temp file
    // of this (live) process, which must stay.
    let dead = models.join(".run-5.mlwbm.tmp999999999");
    let stray = models.join("run-77.mlwbm");
    let live = models.join(format!(".run-6.mlwbm.tmp{}", std::process::id()));
    for f in [&dead, &stray, &live] {
        std::fs::write(f, b"x").unwrap();
    }
    drop(mlwb::pipeline::runs::Store::open(dir.path()).unwrap());
    assert!(!dead.exists() && !stray.exists());
    assert!(live.exists());
}

/// Issue 13, item 22: `pid_alive` counted a zombie as alive.
#[cfg(target_os = "linux")]
#[test]
fn a_zombie_is_not_alive() {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        !mlwb::pipeline::runs::pid_alive(pid),
        "exited, not yet reaped"
    );
    child.wait().unwrap();
    assert!(mlwb::pipeline::runs::pid_alive(std::process::id()));
}

/// Issue 13, item 22: SIGTERM (as Ctrl-C and SIGHUP) on `mlwb train` cancels: the runs are
/// recorded cancelled, the JSON printed, exit 130 (before: killed by the signal).
#[cfg(unix)]
#[test]
fn a_signal_cancels_training_and_exits_130() {
    let store = tempfile::tempdir().unwrap();
    let data = demo_file("penguins.csv");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("mlwb"))
        .env("MLWB_STORE", store.path())
        .args([
            "train",
            "--json",
            "--target",
            "species",
            "--model",
            "random_forest:n_estimators=500000",
            "--data",
        ])
        .arg(&data)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the run is training (recorded as running).
    let started = std::time::Instant::now();
    loop {
        let running = mlwb::pipeline::runs::Store::open_read_only(store.path())
            .ok()
            .flatten()
            .and_then(|s| s.list().ok())
            .is_some_and(|runs| runs.iter().any(|r| r.status.name() == "running"));
        if running || started.elapsed() > std::time::Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["runs"][0]["status"], "cancelled", "{doc}");
}

/// Issue 13, item 25: `runs show` of a cross-validated run said "0 test".
#[test]
fn a_cv_run_shows_its_folds_not_zero_test_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_file("penguins.csv");
    let (doc, _) = train_json(
        dir.path(),
        &[
            "--data",
            data.to_str().unwrap(),
            "--target",
            "species",
            "--cv",
            "3",
            "--model",
            "gaussian_nb",
            "--in-process",
        ],
    );
    let id = doc["runs"][0]["run_id"].as_i64().unwrap().to_string();
    let out = run_cmd(dir.path(), &["runs", "show", &id]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("0 test"), "{text}");
    assert!(text.contains("3 folds"), "{text}");
}

/// Issue 13, item 20: a store write that fails mid-study (a full disk) abandoned the study:
/// finished runs were not reported and the rest stayed "running". Now the bookkeeping ends:
/// what finished is reported, the rest is marked failed, and the outcome says why.
#[test]
fn a_store_that_fills_up_mid_study_still_reports_what_finished() {
    use mlwb::jobs::study::{Executor, StudySpec, run_study};
    use mlwb::pipeline::progress::CancelFlag;
    use mlwb::pipeline::runs::{RunStatus, Store};
    let data = demo_file("penguins.csv");
    let spec = StudySpec {
        data: data.clone(),
        target: Some("species".into()),
        seed: 42,
        ..Default::default()
    };
    // Grow the cap until the study gets past its planning and fails while recording runs.
    let mut seen = false;
    for extra in 1..40 {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.cap_growth(extra).unwrap();
        let Ok(outcome) = run_study(
            &spec,
            &store,
            &Executor::InProcess,
            &CancelFlag::new(),
            &|_| {},
        ) else {
            continue; // the cap stopped the planning: one clear error, nothing half done
        };
        let Some(error) = &outcome.store_error else {
            break; // the cap no longer bites
        };
        seen = true;
        assert!(error.contains("full"), "{error}");
        assert_eq!(outcome.runs.len(), 4, "every planned run is reported");
        // Every run is reported as it ended: none "running" or "queued" (the store itself
        // may refuse even the marking; the next process to open it marks those interrupted).
        assert!(
            outcome.runs.iter().all(|r| r.status.is_done()),
            "{:?}",
            outcome.runs
        );
        let after = outcome
            .runs
            .iter()
            .skip_while(|r| r.status == RunStatus::Finished);
        for r in after {
            assert_eq!(r.status, RunStatus::Failed, "{:?}", r.result.error);
        }
    }
    assert!(seen, "no cap made the store fail mid-study");
}

/// Issue 13, item 21: reading a store wrote to it (so a read-only or full store could not be
/// listed). A read-only open changes nothing on disk and still reads every run.
#[test]
fn a_read_only_open_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_file("penguins.csv");
    let (doc, code) = train_json(
        dir.path(),
        &[
            "--data",
            data.to_str().unwrap(),
            "--target",
            "species",
            "--model",
            "gaussian_nb",
            "--in-process",
        ],
    );
    assert_eq!(code, 0, "{doc}");
    let snapshot = || {
        let mut files: Vec<(String, u64, std::time::SystemTime)> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let m = e.metadata().unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    m.len(),
                    m.modified().unwrap(),
                )
            })
            // SQLite's reader of a WAL database makes its shared-memory files where it may.
            .filter(|(name, ..)| !name.ends_with("-shm") && !name.ends_with("-wal"))
            .collect();
        files.sort();
        files
    };
    let before = snapshot();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let store = mlwb::pipeline::runs::Store::open_read_only(dir.path())
        .unwrap()
        .unwrap();
    assert_eq!(store.list().unwrap().len(), 1);
    drop(store);
    assert_eq!(snapshot(), before);
    assert!(
        mlwb::pipeline::runs::Store::open_read_only(&dir.path().join("none"))
            .unwrap()
            .is_none()
    );
}

/// Issue 13, item 25: `runs rerun` exited 0 when the result differed; CI needs to know.
#[test]
fn a_rerun_that_differs_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    let text = std::fs::read_to_string(demo_file("diabetes.csv")).unwrap();
    std::fs::write(&data, &text).unwrap();
    let (doc, code) = train_json(
        dir.path(),
        &[
            "--data",
            data.to_str().unwrap(),
            "--target",
            "progression",
            "--model",
            "ridge",
            "--in-process",
        ],
    );
    assert_eq!(code, 0, "{doc}");
    let id = doc["runs"][0]["run_id"].as_i64().unwrap().to_string();
    // Other data under the same name: the metrics cannot be the same.
    let fewer: String = text.lines().take(300).map(|l| format!("{l}\n")).collect();
    std::fs::write(&data, fewer).unwrap();
    let out = run_cmd(dir.path(), &["runs", "rerun", &id, "--in-process"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("different: the data file changed"));
}
