//! The command line contract: exit codes, `--json` documents, messages on stderr.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use super::{demo_file, fixture};

pub(super) fn mlwb() -> Command {
    let mut cmd = Command::cargo_bin("mlwb").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

#[test]
fn profile_json_has_the_documented_fields() {
    let out = mlwb()
        .args(["profile", "--json"])
        .arg(demo_file("penguins.csv"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["rows"], 344);
    let cols = doc["columns"].as_array().unwrap();
    assert_eq!(cols.len(), 8);
    let mass = cols.iter().find(|c| c["name"] == "body_mass_g").unwrap();
    for key in [
        "dtype", "role", "nulls", "distinct", "min", "max", "mean", "std",
    ] {
        assert!(!mass[key].is_null(), "missing {key}");
    }
    assert_eq!(mass["role"], "numeric");
    assert_eq!(mass["nulls"], 2);
    assert_eq!(mass["min"], 2700.0);
    assert!(doc["warnings"].is_array());
    assert_eq!(doc["fingerprint"].as_str().unwrap().len(), 64);
}

#[test]
fn profile_prints_a_table() {
    mlwb()
        .arg("profile")
        .arg(demo_file("diabetes.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains("442 rows × 11 columns"))
        .stdout(predicate::str::contains("progression"));
}

#[test]
fn bad_input_exits_3_and_names_the_file() {
    mlwb()
        .args(["profile", "/no/such/data.csv"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("/no/such/data.csv"));
    mlwb()
        .arg("profile")
        .arg(fixture("messy/empty.csv"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("empty"));
}

#[test]
fn json_errors_are_json_on_stderr() {
    let out = mlwb()
        .args(["profile", "--json", "/no/such/data.csv"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    let doc: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(doc["error"]["kind"], "io");
    assert_eq!(doc["error"]["exit_code"], 3);
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    mlwb().arg("profile").assert().code(2);
    mlwb().args(["profile", "x.csv", "--nope"]).assert().code(2);
    mlwb()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("profile"));
    mlwb().arg("--version").assert().success();
}

#[test]
fn control_sequences_never_reach_the_terminal() {
    let out = mlwb()
        .arg("profile")
        .arg(fixture("messy/control_chars.csv"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        !out.contains(&0x1b) && !out.contains(&0x07),
        "raw control bytes in output"
    );
    // A file name holding an escape sequence is escaped in the error too.
    let dir = tempfile::tempdir().unwrap();
    let evil = dir.path().join("evil\u{1b}]0;pwned\u{7}.csv");
    let out = mlwb()
        .arg("profile")
        .arg(&evil)
        .assert()
        .code(3)
        .get_output()
        .clone();
    assert!(!out.stderr.contains(&0x1b) && !out.stderr.contains(&0x07));
    assert!(String::from_utf8_lossy(&out.stderr).contains("evil\\e]0;pwned"));
}

#[test]
fn warnings_are_listed() {
    mlwb()
        .arg("profile")
        .arg(fixture("messy/ragged.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains("warnings:"))
        .stdout(predicate::str::contains("more fields"));
}

#[test]
fn verbose_logs_go_to_stderr() {
    let out = mlwb()
        .args(["-v", "profile", "--json"])
        .arg(demo_file("penguins.csv"))
        .assert()
        .success()
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("loaded") && err.contains("profiled"), "{err}");
    // stdout stays one JSON document.
    serde_json::from_slice::<Value>(&out.stdout).unwrap();
}

#[cfg(feature = "tui")]
#[test]
fn the_tui_refuses_to_start_without_a_terminal() {
    mlwb()
        .arg("demo")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a terminal"));
}

#[cfg(not(feature = "tui"))]
#[test]
fn a_headless_build_says_it_has_no_tui() {
    mlwb()
        .arg("demo")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("built without the TUI"));
}

/// Issue 13, item 23: with `--json`, argument errors were plain text.
#[test]
fn argument_errors_are_json_with_json() {
    let out = mlwb()
        .args(["profile", "--json", "--no-such-flag", "x.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["kind"], "usage");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--no-such-flag")
    );
    // Without --json: clap's own text.
    let out = mlwb().args(["profile", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(serde_json::from_slice::<Value>(&out.stderr).is_err());
}

/// Issue 13, item 25: a boolean column's mean (the share of true) was blank in the table.
#[test]
fn the_profile_table_shows_a_boolean_s_mean() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flags.csv");
    std::fs::write(&path, "flag\ntrue\nfalse\ntrue\ntrue\n").unwrap();
    let out = mlwb().arg("profile").arg(&path).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let row = text.lines().find(|l| l.starts_with("flag")).unwrap();
    assert!(row.contains("0.75"), "{text}");
}
