//! `mlwb drift`: the JSON contract, the CI gate's exit codes, reports by extension, the store
//! record, and bad input, on the demo drift pair (`assets/demo/weather_*.csv`).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::cli::mlwb;
use super::demo_file;

fn pair() -> (PathBuf, PathBuf) {
    (
        demo_file("weather_reference.csv"),
        demo_file("weather_current.csv"),
    )
}

fn drift(store: &Path, extra: &[&str]) -> std::process::Output {
    let (r, c) = pair();
    drift_files(store, &r, &c, extra)
}

#[test]
fn json_has_the_contract_fields_and_the_check_is_stored() {
    let store = tempfile::tempdir().unwrap();
    let out = drift(store.path(), &["--json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["dataset_drift"], true);
    assert_eq!(doc["n_tested"], 5);
    assert_eq!(doc["drift_share"], 1.0);
    assert!(doc["check_id"].as_i64().unwrap() >= 1);
    let cols = doc["columns"].as_array().unwrap();
    let temp = cols.iter().find(|c| c["name"] == "temp_max").unwrap();
    for key in [
        "kind",
        "tested",
        "test",
        "statistic",
        "p_value",
        "score_kind",
        "threshold",
        "drifted",
        "reason",
    ] {
        assert!(temp.get(key).is_some(), "{key} missing in {temp}");
    }
    assert_eq!(temp["test"], "ks");
    assert_eq!(temp["score_kind"], "p_value");
    assert!(temp["reference"]["null_share"].is_number());
    let date = cols.iter().find(|c| c["name"] == "date").unwrap();
    assert_eq!(date["tested"], false);
    assert!(!date["reason"].as_str().unwrap().is_empty());
    // A second check gets the next id: both are in the store.
    let again: Value = serde_json::from_slice(&drift(store.path(), &["--json"]).stdout).unwrap();
    assert_eq!(
        again["check_id"].as_i64().unwrap(),
        doc["check_id"].as_i64().unwrap() + 1
    );
}

#[test]
fn the_gate_exits_1_on_drift_and_0_without() {
    let store = tempfile::tempdir().unwrap();
    let out = drift(store.path(), &["--fail-on-drift", "-q"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("DATASET DRIFT"), "{text}");
    // One column, a threshold no distance reaches: no drift, exit 0.
    let out = drift(
        store.path(),
        &[
            "--fail-on-drift",
            "--columns",
            "wind",
            "--method",
            "wind=psi",
            "--threshold",
            "wind=100",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("no dataset drift"));
}

#[test]
fn reports_follow_the_extension_and_are_refused_for_unknown_ones() {
    let store = tempfile::tempdir().unwrap();
    let md = store.path().join("drift.md");
    let json = store.path().join("drift.json");
    let html = store.path().join("drift.html");
    for path in [&md, &json, &html] {
        let out = drift(store.path(), &["--report", path.to_str().unwrap(), "-q"]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("| temp_max | numeric | K-S p-value |"),
        "{text}"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc["n_drifted"], 5);
    // Self-contained HTML: an inline SVG chart per tested column, no script, no raw rows
    // (the reference's first date is nowhere in it).
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(page.matches("<svg").count(), 5);
    for external in ["<script", "<link", "src=", "href=\"http"] {
        assert!(!page.contains(external), "{external} in the page");
    }
    assert!(!page.contains("2012-01-01"));
    let bad = store.path().join("drift.txt");
    let out = drift(store.path(), &["--report", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!bad.exists());
}

#[test]
fn bad_input_keeps_its_own_exit_codes_even_with_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let (r, _) = pair();
    let empty = dir.path().join("empty.csv");
    std::fs::write(
        &empty,
        "date,precipitation,temp_max,temp_min,wind,weather\n",
    )
    .unwrap();
    let out = mlwb()
        .env("MLWB_STORE", dir.path())
        .args(["drift", "--fail-on-drift", "--json"])
        .arg(&r)
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no rows"),
        "{err}"
    );
    let missing = dir.path().join("nope.csv");
    let out = mlwb()
        .env("MLWB_STORE", dir.path())
        .args(["drift", "--fail-on-drift"])
        .arg(&r)
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = drift(dir.path(), &["--method", "bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a drift test"));
    let out = drift(dir.path(), &["--columns", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn no_store_writes_nothing_in_the_working_directory() {
    let cwd = tempfile::tempdir().unwrap();
    let (r, c) = pair();
    let out = mlwb()
        .current_dir(cwd.path())
        .env_remove("MLWB_STORE")
        .args(["drift", "--no-store", "--json"])
        .arg(&r)
        .arg(&c)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["check_id"].is_null());
    assert_eq!(std::fs::read_dir(cwd.path()).unwrap().count(), 0);
}

#[test]
fn a_store_that_cannot_be_written_costs_the_record_not_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let out = drift(&not_a_dir.join("store"), &["--json", "--fail-on-drift"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["check_id"].is_null());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not recorded"));
}

fn run(store: &Path, args: &[&std::ffi::OsStr]) -> std::process::Output {
    mlwb()
        .env("MLWB_STORE", store)
        .arg("drift")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_baseline_checks_without_the_reference_and_gives_the_same_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = pair();
    let base = dir.path().join("weather.baseline.json");
    // REFERENCE --baseline-out F, without CURRENT: only the baseline.
    let out = run(
        dir.path(),
        &[
            r.as_os_str(),
            "--baseline-out".as_ref(),
            base.as_os_str(),
            "--json".as_ref(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["columns"], 6);
    assert_eq!(doc["source"]["rows"], 481);
    assert!(base.exists());
    let direct = drift(dir.path(), &["--json", "--no-store"]);
    let want: Value = serde_json::from_slice(&direct.stdout).unwrap();
    for args in [
        vec!["--baseline".as_ref(), base.as_os_str(), c.as_os_str()],
        // A baseline also stands where REFERENCE goes.
        vec![base.as_os_str(), c.as_os_str()],
    ] {
        let mut args: Vec<&std::ffi::OsStr> = args;
        args.extend([
            std::ffi::OsStr::new("--json"),
            std::ffi::OsStr::new("--fail-on-drift"),
        ]);
        let out = run(dir.path(), &args);
        assert_eq!(out.status.code(), Some(1), "the gate holds with a baseline");
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(got["drifted_columns"], want["drifted_columns"]);
        assert_eq!(got["columns"], want["columns"]);
        assert_eq!(got["approximate"], false);
        assert_eq!(got["reference"]["path"], base.display().to_string());
        assert!(
            got["reference"]["note"]
                .as_str()
                .unwrap()
                .starts_with("baseline of")
        );
    }
}

#[test]
fn baseline_usage_and_bad_baselines_have_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = pair();
    let base = dir.path().join("b.json");
    for args in [
        vec![
            "--baseline".as_ref(),
            base.as_os_str(),
            r.as_os_str(),
            c.as_os_str(),
        ],
        vec![r.as_os_str()],
        vec![
            r.as_os_str(),
            "--baseline".as_ref(),
            base.as_os_str(),
            "--baseline-out".as_ref(),
            base.as_os_str(),
        ],
    ] {
        let out = run(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    }
    std::fs::write(&base, "{\"format\": \"something else\"}").unwrap();
    let out = run(
        dir.path(),
        &[
            "--baseline".as_ref(),
            base.as_os_str(),
            c.as_os_str(),
            "--fail-on-drift".as_ref(),
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("b.json") && err.contains("not an mlwb drift baseline"),
        "{err}"
    );
}

#[test]
fn stream_reads_in_batches_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = pair();
    let out = run(
        dir.path(),
        &[
            r.as_os_str(),
            c.as_os_str(),
            "--stream".as_ref(),
            "--json".as_ref(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let want: Value = serde_json::from_slice(&drift(dir.path(), &["--json"]).stdout).unwrap();
    assert!(
        got["reference"]["note"]
            .as_str()
            .unwrap()
            .contains("streaming")
    );
    // A small file stays exact in a streaming pass: same verdicts and tests.
    assert_eq!(got["approximate"], false);
    assert_eq!(got["drifted_columns"], want["drifted_columns"]);
    let human = run(
        dir.path(),
        &[r.as_os_str(), c.as_os_str(), "--stream".as_ref()],
    );
    assert!(String::from_utf8_lossy(&human.stdout).contains("read in a streaming pass"));
}

/// Write `text` to `name` in `dir` and return its path.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn drift_files(dir: &Path, r: &Path, c: &Path, extra: &[&str]) -> std::process::Output {
    mlwb()
        .env("MLWB_STORE", dir)
        .arg("drift")
        .arg(r)
        .arg(c)
        .args(extra)
        .output()
        .unwrap()
}

/// Issue 13, item 1: a check that tested nothing, or that lost a reference column, is not
/// "no drift" (before the fix: exit 0, `dataset_drift: false`).
#[test]
fn an_incomplete_check_fails_the_gate_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.csv", "x,y\n1,2\n2,3\n3,4\n");
    let b = write(dir.path(), "b.csv", "p,q\n1,2\n2,3\n3,4\n");
    let out = drift_files(dir.path(), &a, &b, &["--fail-on-drift", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["dataset_drift"].is_null(), "{doc}");
    assert_eq!(doc["verdict"], "incomplete");
    assert_eq!(doc["gate_passes"], false);
    assert!(String::from_utf8_lossy(&out.stderr).contains("incomplete"));
    // The human line says so too.
    let out = drift_files(dir.path(), &a, &b, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "without the gate the check itself is fine"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("INCOMPLETE CHECK"));
    // The old behaviour, asked for by name.
    for flag in ["--allow-incomplete", "--allow-missing-columns"] {
        let out = drift_files(dir.path(), &a, &b, &["--fail-on-drift", flag, "--json"]);
        assert_eq!(out.status.code(), Some(0), "{flag}: {out:?}");
    }
    // One reference column missing in the current data, the other steady: incomplete.
    let c = write(dir.path(), "c.csv", "x\n1\n2\n3\n");
    let out = drift_files(dir.path(), &a, &c, &["--fail-on-drift", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["dataset_drift"], false);
    assert_eq!(doc["verdict"], "incomplete");
    assert!(
        doc["incomplete"][0]
            .as_str()
            .unwrap()
            .contains("y is missing")
    );
    // A column new in the current data does not make a check incomplete.
    let d = write(dir.path(), "d.csv", "x,y,z\n1,2,0\n2,3,0\n3,4,0\n");
    let out = drift_files(dir.path(), &a, &d, &["--fail-on-drift"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // A column left with no values in the current data is not "no drift" either.
    let e = write(dir.path(), "e.csv", "x,y\n1,\n2,\n3,\n");
    let out = drift_files(dir.path(), &a, &e, &["--fail-on-drift", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["incomplete"][0].as_str().unwrap().starts_with("y "),
        "{doc}"
    );
}

/// A column of whole numbers, unique but in no order and with gaps (a sample of ids).
fn sampled_ids(n: usize, seed: u64) -> Vec<u64> {
    let mut x = seed;
    (0..n)
        .map(|i| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (i as u64) * 1000 + (x >> 54)
        })
        .rev()
        .collect()
}

/// Issue 13, items 2 and 4: identifiers (unique integers in any order, near-unique labels)
/// are listed as not tested, as the profile calls them (before the fix: Wasserstein and
/// chi-square verdicts on them).
#[test]
fn identifiers_are_not_tested_whatever_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let table = |seed: u64, shift: f64| {
        let mut t = String::from("id,ticket,value\n");
        for (i, id) in sampled_ids(300, seed).into_iter().enumerate() {
            let ticket = format!("T{}", (id * 7 + seed) % 100_003 / (1 + (i % 3) as u64));
            t.push_str(&format!("{id},{ticket},{}\n", (i % 17) as f64 + shift));
        }
        t
    };
    let r = write(dir.path(), "r.csv", &table(1, 0.0));
    let c = write(dir.path(), "c.csv", &table(2, 0.0));
    let out = drift_files(dir.path(), &r, &c, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let col = |name: &str| {
        doc["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    for name in ["id", "ticket"] {
        let c = col(name);
        assert_eq!(c["tested"], false, "{c}");
        assert_eq!(c["kind"], "id", "{c}");
        assert!(c["reason"].as_str().unwrap().contains("identifier"), "{c}");
    }
    assert_eq!(col("value")["tested"], true);
    assert_eq!(doc["drifted_columns"], serde_json::json!([]));
    // The profile gives the same columns the role id.
    let out = mlwb().args(["profile", "--json"]).arg(&r).output().unwrap();
    let prof: Value = serde_json::from_slice(&out.stdout).unwrap();
    for c in prof["columns"].as_array().unwrap() {
        let want = if c["name"] == "value" {
            "numeric"
        } else {
            "id"
        };
        assert_eq!(c["role"], want, "{c}");
    }
    // Asked for by name, an identifier is tested anyway.
    let out = drift_files(dir.path(), &r, &c, &["--json", "--method", "id=ks"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = doc["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "id")
        .unwrap();
    assert_eq!(id["tested"], true, "{id}");
    // --exclude leaves columns out; an unknown one is a usage error.
    let out = drift_files(dir.path(), &r, &c, &["--json", "--exclude", "ticket,id"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["columns"].as_array().unwrap().len(), 1);
    let out = drift_files(dir.path(), &r, &c, &["--exclude", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'nope'"));
}

/// Issue 13, item 3: the Z-test only where a column has two values, chi-square only for
/// categories and few-valued numbers; asking for them elsewhere, or for a p-value threshold
/// above 1, is a usage error naming the column (before the fix: a p-value and a verdict).
#[test]
fn tests_are_offered_only_where_they_apply() {
    let store = tempfile::tempdir().unwrap();
    let out = drift(store.path(), &["--method", "temp_max=z"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("temp_max") && err.contains("binary"), "{err}");
    let out = drift(store.path(), &["--method", "weather=z"]);
    assert_eq!(out.status.code(), Some(2), "a five-level category: {out:?}");
    let out = drift(store.path(), &["--method", "temp_max=chisquare"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = drift(store.path(), &["--method", "weather=chisquare", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // No Z among the tests a many-valued column can switch to.
    let doc: Value = serde_json::from_slice(&drift(store.path(), &["--json"]).stdout).unwrap();
    for c in doc["columns"].as_array().unwrap() {
        let tests: Vec<&str> = c["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["test"].as_str().unwrap())
            .collect();
        if c["distinct"].as_u64().is_some_and(|d| d > 2) {
            assert!(!tests.contains(&"z"), "{}: {tests:?}", c["name"]);
        }
    }
    for args in [
        &["--threshold", "5"][..],
        &["--method", "ks", "--threshold", "5"],
        &["--method", "wind=ks", "--threshold", "wind=1.5"],
    ] {
        let out = drift(store.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("between 0 and 1"));
    }
    // A distance threshold above 1 is fine.
    let out = drift(
        store.path(),
        &["--method", "wasserstein", "--threshold", "5"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}
