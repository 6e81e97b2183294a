//! The terminal UI: terminal set-up and restore (also on panic), logging to a file, and the
//! event loop that feeds keys, ticks and job reports into `App::update` and runs its effects.

pub mod action;
pub mod app;
pub mod effect;
pub mod keymap;
pub mod palette;
pub mod pane;
pub mod panes;
pub mod prompt;
pub mod runner;
pub mod theme;
pub mod view;
pub mod widgets;

use std::io::{Stdout, stdout};
use std::path::PathBuf;
use std::sync::Arc;
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

use self::app::{Action, App};
use self::effect::{Effect, JobMessage};
use self::keymap::Keymap;
use self::runner::Runner;
use crate::jobs;
use crate::pipeline::runs;

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
    let runner = Arc::new(Runner::current().context("finding the mlwb binary for its workers")?);
    tracing::info!(demo, "starting the TUI");

    install_panic_hook(std::thread::current().id());
    let _restore = RestoreOnDrop;
    let mut terminal = enter_terminal().context("setting up the terminal")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(event_loop(&mut terminal, &mut app, &runner, keymap_error));
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
    runner: &Arc<Runner>,
    startup_error: Option<String>,
) -> anyhow::Result<()> {
    let (tx, mut rx) = unbounded_channel::<JobMessage>();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    run_effects(runner, app.start(), &tx);
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
        run_effects(runner, effects, &tx);
    }
    frames.log();
    // A study cancelled by quitting records its runs as cancelled, and the panes' state is
    // being kept: give them a moment to finish.
    let mut waiting = app.finishing();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while !waiting.is_empty() {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(jobs::JobEvent::Finished(id, _))) => waiting.retain(|w| *w != id),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
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

fn run_effects(runner: &Arc<Runner>, effects: Vec<Effect>, tx: &UnboundedSender<JobMessage>) {
    for effect in effects {
        runner.spawn(effect, tx.clone());
    }
}
