//! `mlwb features`: the automatic spec, a given spec, saving and applying a fitted pipeline,
//! writing the transformed rows, and the exit codes of every failure.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use super::cli::mlwb;
use super::{demo_file, fixture};

fn json_of(cmd: &mut Command) -> Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn automatic_spec_summary_as_json_and_as_a_table() {
    let doc = json_of(
        mlwb()
            .args(["features", "--json", "--target", "species"])
            .arg(demo_file("penguins.csv")),
    );
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["rows"], 344);
    assert_eq!(doc["spec_source"], "automatic");
    assert_eq!(doc["target"], "species");
    let names: Vec<&str> = doc["feature_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(doc["output_columns"], names.len());
    assert!(names.contains(&"island=Biscoe") && names.contains(&"body_mass_g"));
    assert!(!names.iter().any(|n| n.starts_with("species")));
    assert_eq!(doc["spec_hash"].as_str().unwrap().len(), 64);
    assert_eq!(doc["fitted_hash"].as_str().unwrap().len(), 64);
    let filled = doc["filled"].as_array().unwrap();
    assert!(
        filled
            .iter()
            .any(|f| f["column"] == "sex" && f["count"] == 11)
    );
    mlwb()
        .args(["features", "--target", "species"])
        .arg(demo_file("penguins.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "fitted on 344 rows → matrix 344 × 13",
        ))
        .stdout(predicate::str::contains("categorical, 3 levels → one-hot"));
}

#[test]
fn fit_on_train_save_and_apply_to_test_without_refitting() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.toml");
    let fitted = dir.path().join("fitted.json");
    let out = dir.path().join("test.parquet");
    let train = json_of(
        mlwb()
            .args(["features", "--json", "--out"])
            .arg(&spec)
            .arg("--save-fitted")
            .arg(&fitted)
            .arg(fixture("parity/features_train.csv")),
    );
    assert!(spec.exists() && fitted.exists());
    // The written spec refits to the very same pipeline.
    let again = json_of(
        mlwb()
            .args(["features", "--json", "--spec"])
            .arg(&spec)
            .arg(fixture("parity/features_train.csv")),
    );
    assert_eq!(again["spec_source"], "file");
    assert_eq!(again["fitted_hash"], train["fitted_hash"]);
    assert_eq!(again["spec_hash"], train["spec_hash"]);
    // Applying it to the test file keeps the training fit and counts unseen levels.
    let test = json_of(
        mlwb()
            .args(["features", "--json", "--fitted"])
            .arg(&fitted)
            .arg("--transform")
            .arg(&out)
            .arg(fixture("parity/features_test.csv")),
    );
    assert_eq!(test["spec_source"], "fitted");
    assert_eq!(test["fitted_rows"], 400);
    assert_eq!(test["rows"], 120);
    assert_eq!(test["fitted_hash"], train["fitted_hash"]);
    assert!(
        test["unseen"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["column"] == "color")
    );
    let written = mlwb::pipeline::data::load(
        &out,
        &Default::default(),
        &mlwb::pipeline::progress::CancelFlag::new(),
        &mlwb::pipeline::progress::no_progress,
    )
    .unwrap();
    assert_eq!(written.df.height(), 120);
    assert_eq!(
        written.df.width(),
        test["output_columns"].as_u64().unwrap() as usize
    );
}

#[test]
fn transform_writes_csv_with_the_target_last() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rows.csv");
    mlwb()
        .args(["features", "-q", "--target", "species", "--transform"])
        .arg(&out)
        .arg(demo_file("penguins.csv"))
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("island=Biscoe,"), "{header}");
    assert!(header.ends_with(",species"), "{header}");
    assert_eq!(text.lines().count(), 345);
}

#[test]
fn failures_have_exit_codes_and_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    // A target that is not a column: bad input (3).
    mlwb()
        .args(["features", "--target", "nope"])
        .arg(demo_file("penguins.csv"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("'nope' is not in the data"));
    // A spec with problems: usage (2), every problem named, as JSON on stderr with --json.
    let spec = dir.path().join("bad.toml");
    std::fs::write(
        &spec,
        "[[columns]]\nname = \"island\"\nrole = \"feature\"\nkind = \"numeric\"\n\n[[columns]]\nname = \"ghost\"\nrole = \"feature\"\nkind = \"numeric\"\n",
    )
    .unwrap();
    let out = mlwb()
        .args(["features", "--json", "--spec"])
        .arg(&spec)
        .arg(demo_file("penguins.csv"))
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err: Value = serde_json::from_slice(&out).unwrap();
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(msg.contains("column 'island': is text"), "{msg}");
    assert!(msg.contains("column 'ghost': not in the data"), "{msg}");
    // A fitted pipeline applied to data without its columns: bad input (3).
    let fitted = dir.path().join("fitted.json");
    mlwb()
        .args(["features", "-q", "--save-fitted"])
        .arg(&fitted)
        .arg(demo_file("penguins.csv"))
        .assert()
        .success();
    mlwb()
        .args(["features", "--fitted"])
        .arg(&fitted)
        .arg(demo_file("diabetes.csv"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("'island' is missing"));
    // An output format it cannot write: usage (2), before any work; nothing is written.
    let bad_out = dir.path().join("rows.xlsx");
    mlwb()
        .args(["features", "--transform"])
        .arg(&bad_out)
        .arg(demo_file("penguins.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".csv or .parquet"));
    assert!(!bad_out.exists());
    // --spec and --fitted together is a usage error from clap.
    mlwb()
        .args(["features", "--spec", "a.toml", "--fitted", "b.json"])
        .arg(demo_file("penguins.csv"))
        .assert()
        .code(2);
}
