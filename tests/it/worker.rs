//! Worker processes: the full load + profile in `mlwb __worker` gives what the in-process
//! pipeline gives, keeps errors' kinds and exit codes, dies on cancel, and a dead worker is
//! reported rather than hanging.

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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let mut text = String::from("a,b,c\n");
    for i in 0..1_500_000 {
        text.push_str(&format!("{i},{},{}\n", i % 97, i as f64 / 7.0));
    }
    std::fs::write(&path, text).unwrap();
    let cancel = CancelFlag::new();
    let trigger = cancel.clone();
    let started = Instant::now();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        trigger.cancel();
    });
    let result = worker().load_profile(&path, None, &cancel, &no_progress);
    canceller.join().unwrap();
    // Either it was killed, or (on a very fast machine) it had already finished.
    if let Err(e) = &result {
        assert!(matches!(e, PipelineError::Cancelled), "{e}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
}

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
