//! Hostile input, directory-driven (as arrow-rs does with its bad_data files): every file in
//! `tests/fixtures/hostile/` (written by `scripts/make_hostile_fixtures.py`, listed with what
//! should happen in its `EXPECT.tsv`) goes through `mlwb profile`, `features`, `train` and
//! `drift`. None may hang, crash, panic or report an internal error; a failure is exit 3 with
//! a short JSON error naming the file; no output dumps the data; and `profile` loads or refuses
//! each file as EXPECT.tsv says, with the rows a careful human counts. Every problem across all
//! fixtures is collected and printed at once, so one run shows everything.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::cli::mlwb;
use super::fixture;

/// The longest any one command may take on a fixture of at most 64 KB.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Fixtures checked at once (the machine has 2 cores).
const THREADS: usize = 2;
/// The most a command may print (stdout + stderr) about a fixture: no data dumps in logs.
const MAX_OUTPUT: usize = 64 * 1024;
/// More output allowed per column of the table: a wide table's profile is long, not a dump.
const OUTPUT_PER_COLUMN: usize = 4 * 1024;
/// The longest error message: the pipeline caps messages at 1,000 characters plus the path.
const MAX_MESSAGE_CHARS: usize = 1_500;
/// Fewer fixtures than this means the directory was not generated (or lost files).
const MIN_FIXTURES: usize = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// `mlwb profile` exits 0.
    Load,
    /// `mlwb profile` exits 3.
    Refuse,
    /// Either, as long as nothing crashes.
    Any,
}

/// One line of EXPECT.tsv.
#[derive(Debug)]
struct Case {
    file: String,
    path: PathBuf,
    expect: Expect,
    /// Data rows when the file loads (rows + rejected_rows in the profile), if they can be
    /// stated.
    rows: Option<u64>,
}

fn hostile_dir() -> PathBuf {
    fixture("hostile")
}

fn cases() -> Vec<Case> {
    let tsv = std::fs::read_to_string(hostile_dir().join("EXPECT.tsv"))
        .expect("tests/fixtures/hostile/EXPECT.tsv: run scripts/make_hostile_fixtures.py");
    tsv.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 4, "EXPECT.tsv: not 4 fields: {line:?}");
            let expect = match fields[1] {
                "load" => Expect::Load,
                "refuse" => Expect::Refuse,
                "any" => Expect::Any,
                other => panic!("EXPECT.tsv: unknown expectation {other:?} in {line:?}"),
            };
            let rows = match fields[2] {
                "-" => None,
                n => Some(
                    n.parse()
                        .unwrap_or_else(|_| panic!("EXPECT.tsv: rows {n:?}")),
                ),
            };
            Case {
                file: fields[0].to_string(),
                path: hostile_dir().join(fields[0]),
                expect,
                rows,
            }
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmd {
    Profile,
    Features,
    Train,
    Drift,
}

impl Cmd {
    const ALL: [Cmd; 4] = [Cmd::Profile, Cmd::Features, Cmd::Train, Cmd::Drift];

    fn args(self, path: &Path) -> Vec<OsString> {
        let p = || path.as_os_str().to_owned();
        let s = |t: &str| OsString::from(t);
        match self {
            Cmd::Profile => vec![s("profile"), p(), s("--json")],
            Cmd::Features => vec![s("features"), p(), s("--json")],
            Cmd::Train => vec![
                s("train"),
                s("--data"),
                p(),
                s("--model"),
                s("kmeans:n_clusters=2"),
                s("--json"),
                s("--in-process"),
            ],
            Cmd::Drift => vec![s("drift"), p(), p(), s("--json"), s("--no-store")],
        }
    }

    fn label(self) -> &'static str {
        match self {
            Cmd::Profile => "profile --json",
            Cmd::Features => "features --json",
            Cmd::Train => "train --model kmeans:n_clusters=2 --json --in-process",
            Cmd::Drift => "drift FILE FILE --json --no-store",
        }
    }
}

/// What one command did.
struct Run {
    cmd: Cmd,
    code: Option<i32>,
    signal: Option<i32>,
    elapsed: Duration,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Run {
    fn code_text(&self) -> String {
        match (self.code, self.signal) {
            (Some(c), _) => c.to_string(),
            (None, Some(s)) => format!("signal {s}"),
            (None, None) => "none".into(),
        }
    }

    /// A finding about this run, with the exit code and the start of stderr (escaped, so a
    /// leaked control sequence cannot reach the terminal running the tests).
    fn finding(&self, case: &Case, what: impl std::fmt::Display) -> String {
        let stderr: String = String::from_utf8_lossy(&self.stderr)
            .chars()
            .take(300)
            .collect();
        format!(
            "{}: {}: {what} (exit {}, {:.1} s; stderr: {})",
            case.file,
            self.cmd.label(),
            self.code_text(),
            self.elapsed.as_secs_f64(),
            stderr.trim_end().escape_debug()
        )
    }
}

fn run_mlwb(cmd: Cmd, path: &Path, store: &Path) -> Run {
    let started = Instant::now();
    let out = mlwb()
        .env("MLWB_STORE", store)
        .current_dir(store)
        .args(cmd.args(path))
        .timeout(TIMEOUT)
        .output()
        .expect("cannot start mlwb");
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&out.status);
    #[cfg(not(unix))]
    let signal = None;
    Run {
        cmd,
        code: out.status.code(),
        signal,
        elapsed: started.elapsed(),
        stdout: out.stdout,
        stderr: out.stderr,
    }
}

/// The JSON error object a failed command wrote on stderr (the last one, if several).
fn stderr_error(run: &Run) -> Option<Value> {
    String::from_utf8_lossy(&run.stderr)
        .lines()
        .rev()
        .filter(|l| l.trim_start().starts_with('{'))
        .find_map(|l| {
            serde_json::from_str::<Value>(l)
                .ok()
                .filter(|doc| doc["error"].is_object())
        })
        .map(|doc| doc["error"].clone())
}

/// The checks every run must pass, whatever the file; `columns` (from the profile, 0 when it
/// failed) widens the output budget for wide tables.
fn check_run(case: &Case, run: &Run, columns: usize, found: &mut Vec<String>) {
    let Some(code) = run.code else {
        found.push(if run.elapsed >= TIMEOUT {
            run.finding(case, format!("did not finish within {TIMEOUT:?} (a hang?)"))
        } else {
            run.finding(case, "killed by a signal")
        });
        return;
    };
    match code {
        70 => found.push(run.finding(case, "internal error (exit 70): a bug")),
        101 => found.push(run.finding(case, "Rust panic (exit 101)")),
        134 => found.push(run.finding(case, "aborted (exit 134)")),
        _ => {}
    }
    let stderr = String::from_utf8_lossy(&run.stderr);
    for needle in ["panicked", "stack backtrace", "RUST_BACKTRACE"] {
        if stderr.contains(needle) {
            found.push(run.finding(case, format!("stderr holds {needle:?}")));
        }
    }
    for line in stderr.lines().filter(|l| l.trim_start().starts_with('{')) {
        match serde_json::from_str::<Value>(line) {
            Ok(doc) if doc["error"].is_object() => {
                let e = &doc["error"];
                if !e["message"].is_string() || e["exit_code"].as_i64() != Some(i64::from(code)) {
                    found.push(run.finding(
                        case,
                        "the JSON error lacks a message or its exit_code differs from the exit code",
                    ));
                }
            }
            Ok(_) => found.push(run.finding(case, "a JSON line on stderr without an error object")),
            Err(e) => found.push(run.finding(case, format!("a stderr line is not JSON: {e}"))),
        }
    }
    let budget = MAX_OUTPUT + OUTPUT_PER_COLUMN * columns;
    let printed = run.stdout.len() + run.stderr.len();
    if printed > budget {
        found.push(run.finding(
            case,
            format!("printed {printed} bytes, more than {budget}: a data dump?"),
        ));
    }
    // With --json every control character is escaped: a raw one is a leak to the terminal.
    let raw_control = |bytes: &[u8]| {
        bytes
            .iter()
            .any(|&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t'))
    };
    if raw_control(&run.stdout) || raw_control(&run.stderr) {
        found.push(run.finding(case, "raw control bytes (ESC, BEL, ...) in the output"));
    }
    if code == 0 {
        if let Err(e) = serde_json::from_slice::<Value>(&run.stdout) {
            found.push(run.finding(
                case,
                format!("exit 0 but stdout is not one JSON document: {e}"),
            ));
        }
        return;
    }
    if code != 3 {
        found.push(run.finding(case, "a failure must exit 3 (bad input)"));
    }
    let message = match stderr_error(run) {
        Some(e) => {
            let message = e["message"].as_str().unwrap_or_default().to_string();
            if !message.contains(&case.file) {
                found.push(run.finding(case, "the error message does not name the file"));
            }
            message
        }
        // A study that ran but in which no model finished exits 3 with its document on stdout:
        // each run's error says why (about the model and the data, not the file).
        None if run.cmd == Cmd::Train => {
            let doc: Value = serde_json::from_slice(&run.stdout).unwrap_or(Value::Null);
            let errors: Vec<String> = doc["runs"]
                .as_array()
                .map(|runs| {
                    runs.iter()
                        .map(|r| r["error"].as_str().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default();
            if errors.is_empty() || errors.iter().any(String::is_empty) {
                found.push(run.finding(
                    case,
                    "failed with neither a JSON error on stderr nor failed runs saying why",
                ));
            }
            errors.join("; ")
        }
        None => {
            found.push(run.finding(case, "failed without a JSON error object on stderr"));
            String::new()
        }
    };
    let chars = message.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        found.push(run.finding(
            case,
            format!("the error message is {chars} characters long (at most {MAX_MESSAGE_CHARS})"),
        ));
    }
}

/// Run every command on one fixture; the findings, empty when all is well.
fn check_fixture(case: &Case) -> Vec<String> {
    let store = tempfile::tempdir().unwrap();
    let mut found = Vec::new();
    let mut columns = 0;
    for cmd in Cmd::ALL {
        let run = run_mlwb(cmd, &case.path, store.path());
        if cmd == Cmd::Profile {
            let doc: Value = serde_json::from_slice(&run.stdout).unwrap_or(Value::Null);
            columns = doc["columns"].as_array().map_or(0, Vec::len);
            match (case.expect, run.code) {
                (Expect::Refuse, Some(3)) | (Expect::Any, _) => {}
                (Expect::Refuse, _) => {
                    found.push(run.finding(case, "EXPECT.tsv says refuse (exit 3)"));
                }
                (Expect::Load, Some(0)) => {}
                (Expect::Load, _) => found.push(run.finding(case, "EXPECT.tsv says load (exit 0)")),
            }
            if let (Some(want), Some(0)) = (case.rows, run.code) {
                let rows = doc["rows"].as_u64();
                let rejected = doc["rejected_rows"].as_u64().unwrap_or(0);
                if rows.map(|r| r + rejected) != Some(want) {
                    found.push(run.finding(
                        case,
                        format!(
                            "rows {} + rejected_rows {rejected}, but EXPECT.tsv counts {want}",
                            rows.map_or_else(|| "missing".to_string(), |r| r.to_string())
                        ),
                    ));
                }
            }
        }
        // A file one command refuses, the others refuse too: they share the loader.
        if case.expect == Expect::Refuse && cmd != Cmd::Profile && run.code != Some(3) {
            found.push(run.finding(case, "EXPECT.tsv says refuse: every command exits 3"));
        }
        check_run(case, &run, columns, &mut found);
    }
    found
}

/// Check the cases on a few threads; every finding, in the cases' order.
fn check_all(cases: &[Case]) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let findings = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let found = check_fixture(case);
                    findings
                        .lock()
                        .unwrap()
                        .extend(found.into_iter().map(|f| (i, f)));
                }
            });
        }
    });
    let mut findings = findings.into_inner().unwrap();
    findings.sort();
    findings.into_iter().map(|(_, f)| f).collect()
}

fn report(findings: &[String], checked: usize) -> String {
    format!(
        "{} finding(s) over {checked} hostile input(s):\n  {}",
        findings.len(),
        findings.join("\n  ")
    )
}

#[test]
fn every_fixture_is_listed_in_expect_tsv() {
    let listed: std::collections::BTreeSet<String> = cases().into_iter().map(|c| c.file).collect();
    let on_disk: std::collections::BTreeSet<String> = std::fs::read_dir(hostile_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "EXPECT.tsv")
        .collect();
    assert!(
        on_disk.len() >= MIN_FIXTURES,
        "only {} files in tests/fixtures/hostile: run scripts/make_hostile_fixtures.py",
        on_disk.len()
    );
    let unlisted: Vec<&String> = on_disk.difference(&listed).collect();
    let missing: Vec<&String> = listed.difference(&on_disk).collect();
    assert!(
        unlisted.is_empty() && missing.is_empty(),
        "EXPECT.tsv and tests/fixtures/hostile disagree: not listed {unlisted:?}, no file {missing:?}"
    );
}

#[test]
fn hostile_files_never_crash_hang_or_dump_and_load_as_expected() {
    let cases = cases();
    assert!(cases.len() >= MIN_FIXTURES, "only {} cases", cases.len());
    let findings = check_all(&cases);
    assert!(findings.is_empty(), "{}", report(&findings, cases.len()));
}

/// Files that are not regular files, made at test time (they cannot be committed): a named
/// pipe would block a reader for ever, `/dev/zero` never ends, and a directory is no table.
#[cfg(unix)]
#[test]
fn special_files_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("named_pipe.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success(), "mkfifo failed");
    let zero = dir.path().join("dev_zero_link.csv");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let folder = dir.path().join("a_directory.csv");
    std::fs::create_dir(&folder).unwrap();
    let cases: Vec<Case> = [fifo, zero, folder]
        .into_iter()
        .map(|path| Case {
            file: path.file_name().unwrap().to_string_lossy().into_owned(),
            path,
            expect: Expect::Refuse,
            rows: None,
        })
        .collect();
    let findings = check_all(&cases);
    assert!(findings.is_empty(), "{}", report(&findings, cases.len()));
}
