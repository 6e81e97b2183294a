//! The terminal UI: terminal set-up and restore (also on panic), logging to a file, and the
//! event loop that feeds keys, ticks and job reports into `App::update` and runs its effects.

pub mod app;
pub mod keymap;
pub mod panes;
pub mod theme;
pub mod view;
pub mod widgets;

use std::io::{Stdout, stdout};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use crossterm::event::{DisableMouseCapture, Event, EventStream, KeyEventKind};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use self::app::{Action, App, Effect, JobMessage, JobOutput};
use self::keymap::Keymap;
use self::panes::drift::DriftResult;
use self::panes::features::{PREVIEW_HEAD_ROWS, PREVIEW_SAMPLE_ROWS};
use self::panes::train::{RunsLoaded, RunsQuery};
use crate::jobs;
use crate::jobs::study::{self, Executor};
use crate::jobs::worker::WorkerCommand;
use crate::pipeline::features::{self, FeatureSpec};
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::runs::{self, Store};
use crate::pipeline::view as data_view;

/// Open the TUI on `file`, or on the demo datasets. Runs are recorded in `store` (from
/// `--store` or `MLWB_STORE`); otherwise in the nearest `.mlwb` above the working directory,
/// or, for the demo, in the user's data directory (never the working tree).
pub fn run(file: Option<PathBuf>, demo: bool, store: Option<PathBuf>) -> anyhow::Result<()> {
    let _log = init_logging();
    let demo_dir = crate::demo::demo_dir();
    let catalog = if demo {
        crate::demo::install(&demo_dir).context("installing the demo datasets")?
    } else {
        file.into_iter().collect()
    };
    let store_dir = match (store, demo) {
        (Some(dir), _) => dir,
        (None, true) => demo_dir.join(runs::STORE_DIR),
        (None, false) => {
            let cwd = std::env::current_dir().context("reading the working directory")?;
            runs::locate(None, &cwd)
        }
    };
    let user_keymap =
        directories::ProjectDirs::from("", "", "mlwb").map(|d| d.config_dir().join("keymap.toml"));
    let (keymap, keymap_error) = Keymap::load(user_keymap.as_deref());
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut app = App::new(keymap, catalog, no_color, store_dir);
    tracing::info!(demo, "starting the TUI");

    install_panic_hook(std::thread::current().id());
    let _restore = RestoreOnDrop;
    let mut terminal = enter_terminal().context("setting up the terminal")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(event_loop(&mut terminal, &mut app, keymap_error));
    drop(terminal);
    result
}

type Term = Terminal<CrosstermBackend<Stdout>>;

fn enter_terminal() -> anyhow::Result<Term> {
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, cursor::Hide)?;
    Ok(Terminal::new(CrosstermBackend::new(stdout()))?)
}

/// Put the terminal back as we found it. Safe to call more than once.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
}

struct RestoreOnDrop;

impl Drop for RestoreOnDrop {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// On a panic of the UI thread, restore the terminal before the message is printed. Panics on
/// other threads (jobs, worker pools) are caught and shown as errors: they are only logged,
/// so nothing is written over the screen.
fn install_panic_hook(ui_thread: std::thread::ThreadId) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        if std::thread::current().id() == ui_thread {
            restore_terminal();
            previous(info);
        }
    }));
}

/// Log to `$XDG_STATE_HOME/mlwb/mlwb.log` (never to the screen). Level from `MLWB_LOG`.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dirs = directories::ProjectDirs::from("", "", "mlwb")?;
    let dir = dirs
        .state_dir()
        .map(|d| d.to_path_buf())
        .unwrap_or_else(|| dirs.data_local_dir().to_path_buf());
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(dir, "mlwb.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("MLWB_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

async fn event_loop(
    terminal: &mut Term,
    app: &mut App,
    startup_error: Option<String>,
) -> anyhow::Result<()> {
    let (tx, mut rx) = unbounded_channel::<JobMessage>();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    run_effects(app.start(), &tx);
    if let Some(e) = startup_error {
        app.error = Some(e);
    }
    let mut dirty = true;
    let mut frames = FrameStats::default();
    while !app.quit {
        if dirty {
            terminal.draw(|f| view::draw(f, app, Instant::now()))?;
            frames.drawn(app.busy());
            dirty = false;
        }
        let effects = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind == KeyEventKind::Press => {
                    dirty = true;
                    frames.key();
                    app.map_key(&key).map(|a| app.update(a)).unwrap_or_default()
                }
                Some(Ok(Event::Resize(w, h))) => {
                    dirty = true;
                    app.update(Action::Resize(w, h))
                }
                Some(Ok(_)) => Vec::new(),
                Some(Err(e)) => return Err(e).context("reading terminal events"),
                None => break,
            },
            Some(message) = rx.recv() => {
                dirty = true;
                let mut effects = app.on_job(message);
                // Drain whatever else arrived, so one frame shows all of it.
                while let Ok(more) = rx.try_recv() {
                    effects.extend(app.on_job(more));
                }
                effects
            },
            _ = tick.tick() => {
                if app.busy() {
                    dirty = true;
                    app.update(Action::Tick)
                } else {
                    Vec::new()
                }
            },
        };
        run_effects(effects, &tx);
    }
    frames.log();
    // A study cancelled by quitting records its runs as cancelled; give it a moment to.
    if let Some(id) = app.train.study.as_ref().map(|s| s.job.id) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        while let Ok(Some(message)) = tokio::time::timeout_at(deadline, rx.recv()).await {
            if matches!(&message, jobs::JobEvent::Finished(i, _) if *i == id) {
                break;
            }
        }
    }
    Ok(())
}

/// How smoothly the screen kept up while jobs ran: the longest time between two frames, and
/// from a key press to the frame that shows it. Logged when the TUI closes.
#[derive(Default)]
struct FrameStats {
    last: Option<Instant>,
    busy_frames: u64,
    worst_gap: Duration,
    key_at: Option<Instant>,
    worst_key: Duration,
}

impl FrameStats {
    fn drawn(&mut self, busy: bool) {
        let now = Instant::now();
        if busy {
            if let Some(last) = self.last {
                self.worst_gap = self.worst_gap.max(now - last);
            }
            self.busy_frames += 1;
            self.last = Some(now);
        } else {
            self.last = None;
        }
        if let Some(k) = self.key_at.take() {
            self.worst_key = self.worst_key.max(now - k);
        }
    }

    fn key(&mut self) {
        self.key_at.get_or_insert_with(Instant::now);
    }

    fn log(&self) {
        tracing::info!(
            busy_frames = self.busy_frames,
            worst_frame_gap_ms = self.worst_gap.as_secs_f64() * 1e3,
            worst_key_to_frame_ms = self.worst_key.as_secs_f64() * 1e3,
            "frame timing"
        );
    }
}

fn run_effects(effects: Vec<Effect>, tx: &UnboundedSender<JobMessage>) {
    for effect in effects {
        run_effect(effect, tx.clone());
    }
}

/// Start the work an effect asks for; results come back on `tx`.
pub fn run_effect(effect: Effect, tx: UnboundedSender<JobMessage>) {
    let sink = move |event: JobMessage| {
        let _ = tx.send(event);
    };
    match effect {
        // The first rows come from a quick read and the whole file is loaded and profiled,
        // each in a worker process: no file can crash the UI, and Esc kills them outright.
        Effect::Load {
            job,
            path,
            preview: true,
        } => jobs::spawn(
            "preview",
            &job,
            move |cancel, progress| {
                let worker = WorkerCommand::current()?;
                worker
                    .preview(&path, cancel, progress)
                    .map(|dataset| JobOutput::Preview(Box::new(dataset)))
            },
            sink,
        ),
        Effect::Load {
            job,
            path,
            preview: false,
        } => jobs::spawn(
            "load",
            &job,
            move |cancel, progress| {
                let worker = WorkerCommand::current()?;
                let loaded = worker.load_profile(&path, None, cancel, progress)?;
                Ok(JobOutput::Loaded(Box::new(loaded)))
            },
            sink,
        ),
        Effect::ComputeView { job, dataset, spec } => jobs::spawn(
            "view",
            &job,
            move |cancel, _progress| {
                data_view::compute(&dataset.df, &spec, cancel).map(JobOutput::View)
            },
            sink,
        ),
        Effect::FitFeatures {
            job,
            dataset,
            profile,
            spec,
        } => jobs::spawn(
            "features",
            &job,
            move |cancel, progress| {
                features::preview(
                    &spec,
                    &dataset.df,
                    PREVIEW_HEAD_ROWS,
                    PREVIEW_SAMPLE_ROWS,
                    profile.as_deref(),
                    cancel,
                    progress,
                )
                .map(|p| JobOutput::Features(Box::new(p)))
            },
            sink,
        ),
        Effect::SaveSpec { job, spec, path } => jobs::spawn(
            "save spec",
            &job,
            move |_cancel, _progress| {
                spec.write(&path)?;
                Ok(JobOutput::SpecSaved(path))
            },
            sink,
        ),
        Effect::LoadSpec { job, path } => jobs::spawn(
            "open spec",
            &job,
            move |_cancel, _progress| {
                let spec = FeatureSpec::read(&path)?;
                Ok(JobOutput::SpecLoaded(Box::new((spec, path))))
            },
            sink,
        ),
        Effect::TrainStudy {
            job,
            spec,
            store_dir,
        } => jobs::spawn_with_updates(
            "train",
            &job,
            move |cancel, _progress, update| {
                let store = Store::open(&store_dir)?;
                let executor = Executor::Worker(WorkerCommand::current()?);
                let on_event = |e| update(JobOutput::Study(Box::new(e)));
                study::run_study(&spec, &store, &executor, cancel, &on_event)
                    .map(|outcome| JobOutput::StudyDone(Box::new(outcome)))
            },
            sink,
        ),
        Effect::LoadRuns {
            job,
            store_dir,
            query,
            dataset,
        } => jobs::spawn(
            "runs",
            &job,
            move |cancel, _progress| {
                load_runs(&store_dir, query, dataset.as_deref(), cancel)
                    .map(|l| JobOutput::Runs(Box::new(l)))
            },
            sink,
        ),
        Effect::DriftCheck {
            job,
            reference,
            current,
            options,
            store_dir,
        } => jobs::spawn(
            "drift",
            &job,
            move |cancel, progress| {
                check_drift(&reference, &current, &options, &store_dir, cancel, progress)
                    .map(|r| JobOutput::Drift(Box::new(r)))
            },
            sink,
        ),
        Effect::SaveBaseline {
            job,
            reference,
            out,
        } => jobs::spawn(
            "baseline",
            &job,
            move |cancel, progress| {
                save_baseline(&reference, &out, cancel, progress).map(JobOutput::BaselineSaved)
            },
            sink,
        ),
        Effect::LoadDriftChecks { job, store_dir } => jobs::spawn(
            "drift checks",
            &job,
            move |_cancel, _progress| {
                Ok(JobOutput::DriftChecks(
                    Store::open_to_read(&store_dir)?.drift_checks()?,
                ))
            },
            sink,
        ),
        Effect::OpenDriftCheck {
            job,
            store_dir,
            check,
        } => jobs::spawn(
            "drift check",
            &job,
            move |_cancel, _progress| {
                open_drift_check(&store_dir, &check).map(|r| JobOutput::Drift(Box::new(r)))
            },
            sink,
        ),
        Effect::Quit => {}
    }
}

/// Check a pair of files and record the check in the store (the Drift pane's job).
pub fn check_drift(
    reference: &std::path::Path,
    current: &std::path::Path,
    options: &crate::pipeline::drift::DriftOptions,
    store_dir: &std::path::Path,
    cancel: &CancelFlag,
    progress: crate::pipeline::progress::ProgressFn,
) -> crate::pipeline::Result<DriftResult> {
    let store = Store::open(store_dir)?;
    let (mut meta, report) =
        crate::pipeline::drift::check_files(reference, current, options, cancel, progress)?;
    meta.check_id = Some(store.record_drift(&meta, options, &report)?);
    Ok(DriftResult { meta, report })
}

/// Save a baseline of `reference` (data, or a baseline already) to `out`; the message says
/// how to use it.
pub fn save_baseline(
    reference: &std::path::Path,
    out: &std::path::Path,
    cancel: &CancelFlag,
    progress: crate::pipeline::progress::ProgressFn,
) -> crate::pipeline::Result<String> {
    use crate::pipeline::drift;
    let stream = drift::should_stream(&[reference]);
    let side = drift::load_reference(reference, stream, cancel, progress)?;
    let baseline = drift::make_baseline(&side, cancel)?;
    baseline.write(out)?;
    let sketched = baseline
        .summary
        .columns
        .iter()
        .filter(|c| c.numbers().is_some_and(|s| !s.is_exact()))
        .count();
    let out = out.display().to_string();
    Ok(format!(
        "baseline saved: {out} ({} columns, {sketched} sketched); :reference {out} checks \
         against it",
        baseline.summary.columns.len()
    ))
}

/// Read a stored drift check back, as the Drift pane shows it.
pub fn open_drift_check(
    store_dir: &std::path::Path,
    check: &crate::pipeline::runs::DriftCheck,
) -> crate::pipeline::Result<DriftResult> {
    let store = Store::open_to_read(store_dir)?;
    let report = store.drift_report(check.check_id)?.ok_or_else(|| {
        crate::pipeline::PipelineError::Internal(format!(
            "drift check {} cannot be read back from the store",
            check.check_id
        ))
    })?;
    let meta = check.meta(&report);
    Ok(DriftResult { meta, report })
}

/// Open the store and read the runs comparable under `query` (its spec checked on
/// `dataset`'s schema for the spec's hash).
pub fn load_runs(
    store_dir: &std::path::Path,
    query: Option<RunsQuery>,
    dataset: Option<&crate::pipeline::data::Dataset>,
    cancel: &CancelFlag,
) -> crate::pipeline::Result<RunsLoaded> {
    let store = Store::open_to_read(store_dir)?;
    let interrupted = store.interrupted_at_open();
    let Some(q) = query else {
        return Ok(RunsLoaded {
            query: None,
            key: None,
            runs: Vec::new(),
            interrupted,
        });
    };
    let key = match &q.key {
        Some(k) => k.clone(),
        None => {
            // Nothing is comparable while the set-up has no task or no valid spec.
            let hash = q.spec.as_ref().zip(dataset).and_then(|(spec, ds)| {
                let spec =
                    crate::pipeline::train::spec_for_target(spec, q.target.as_deref()).ok()?;
                features::check(&spec, ds.df.schema())
                    .ok()
                    .map(|v| v.hash())
            });
            let (Some(task), Some(hash)) = (q.task, hash) else {
                return Ok(RunsLoaded {
                    query: Some(q),
                    key: None,
                    runs: Vec::new(),
                    interrupted,
                });
            };
            study::resolve_validation(&q.validation, None, cancel)?
                .0
                .comparison_key(task, q.seed, &hash)
        }
    };
    let runs = store.comparable(&q.fingerprint, q.target.as_deref(), &key)?;
    Ok(RunsLoaded {
        query: Some(q),
        key: Some(key),
        runs,
        interrupted,
    })
}
