//! Worker processes: the full load + profile in `mlwb __worker` gives what the in-process
//! pipeline gives, keeps errors' kinds and exit codes, dies on cancel, and a dead worker is
//! reported rather than hanging.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use mlwb::jobs::worker::WorkerCommand;
use mlwb::pipeline::PipelineError;
use mlwb::pipeline::data::{self, LoadOptions};
use mlwb::pipeline::profile;
use mlwb::pipeline::progress::{CancelFlag, Progress, no_progress};

use super::{demo_file, fixture};

fn worker() -> WorkerCommand {
    WorkerCommand {
        exe: assert_cmd::cargo::cargo_bin("mlwb"),
    }
}

#[test]
fn a_worker_loads_and_profiles_like_the_pipeline() {
    let path = demo_file("penguins.csv");
    let seen = std::sync::Mutex::new(Vec::new());
    let progress = |p: Progress| seen.lock().unwrap().push(p.stage);
    let (ds, prof) = worker()
        .load_profile(&path, None, &CancelFlag::new(), &progress)
        .unwrap();
    let local = data::load(
        &path,
        &LoadOptions::default(),
        &CancelFlag::new(),
        &no_progress,
    )
    .unwrap();
    let local_prof = profile::profile(&local.df, &CancelFlag::new(), &no_progress).unwrap();
    assert!(ds.df.equals_missing(&local.df));
    assert_eq!(ds.fingerprint, local.fingerprint);
    assert_eq!(prof, local_prof);
    assert!(ds.complete);
    assert!(
        seen.lock()
            .unwrap()
            .contains(&mlwb::pipeline::progress::Stage::Profile)
    );
}

#[test]
fn worker_errors_keep_their_kind_and_exit_code() {
    let err = worker()
        .load_profile(
            &fixture("messy/empty.csv"),
            None,
            &CancelFlag::new(),
            &no_progress,
        )
        .unwrap_err();
    assert_eq!(mlwb::cli::exit::for_error(err.kind()), 3);
    assert_eq!(err.kind().name(), "bad_data");
    assert!(err.to_string().contains("empty.csv"), "{err}");
}

#[test]
fn cancelling_kills_the_worker_promptly() {
    // Tens of MB: loading and profiling take far longer than the watchdog's 50 ms poll, and
    // the table the worker would send back (Arrow IPC) is far larger than a pipe's buffer.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let mut text = String::from("a,b,c\n");
    for i in 0..1_500_000 {
        text.push_str(&format!("{i},{},{}\n", i % 97, i as f64 / 7.0));
    }
    std::fs::write(&path, text).unwrap();
    let cancel = CancelFlag::new();
    let cancelled_at = Mutex::new(None::<Instant>);
    // Cancel at the worker's first progress report, so it is certainly alive and working,
    // then keep this (the reading) thread away from the pipe for a while: a worker that is
    // not killed cannot hand over its table meanwhile and would be read in full afterwards,
    // so the result is Ok only if cancelling failed to kill it.
    let progress = |_: Progress| {
        let mut at = cancelled_at.lock().unwrap();
        if at.is_none() {
            cancel.cancel();
            *at = Some(Instant::now());
            drop(at);
            std::thread::sleep(HOLD);
        }
    };
    let result = worker().load_profile(&path, None, &cancel, &progress);
    let returned = Instant::now();
    let cancelled_at = cancelled_at
        .into_inner()
        .unwrap()
        .expect("the worker reported progress before finishing");
    match &result {
        Err(PipelineError::Cancelled) => {}
        Err(e) => panic!("expected a cancellation, got the error: {e}"),
        Ok(_) => panic!("expected a cancellation, but the worker finished its work"),
    }
    let waited = returned - cancelled_at;
    assert!(
        waited < HOLD + Duration::from_secs(1),
        "returned {waited:?} after the cancel"
    );
}

/// How long the reading thread stays away from the worker's pipe after cancelling.
const HOLD: Duration = Duration::from_millis(300);

#[test]
fn a_worker_that_dies_is_reported() {
    let dead = WorkerCommand {
        exe: std::path::PathBuf::from("/bin/true"),
    };
    let err = dead
        .load_profile(
            &demo_file("penguins.csv"),
            None,
            &CancelFlag::new(),
            &no_progress,
        )
        .unwrap_err();
    assert!(err.to_string().contains("ended unexpectedly"), "{err}");
    assert_eq!(mlwb::cli::exit::for_error(err.kind()), 70);
}
