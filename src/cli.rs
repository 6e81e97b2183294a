//! The command line: clap definitions, dispatch, human and `--json` output, exit codes.

mod drift;
mod features;
mod profile;
pub mod term;
mod train;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;

use crate::pipeline::PipelineError;

/// Version of every `--json` document's layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Exit codes (DESIGN.md §9).
pub mod exit {
    pub const OK: u8 = 0;
    pub const GATE_FAILED: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const BAD_INPUT: u8 = 3;
    pub const INTERNAL: u8 = 70;
    pub const CANCELLED: u8 = 130;

    use crate::pipeline::error::ErrorKind;

    /// The exit code of a failure of this kind: the one table (DESIGN.md §9).
    pub fn for_error(kind: ErrorKind) -> u8 {
        match kind {
            ErrorKind::Io | ErrorKind::BadData => BAD_INPUT,
            ErrorKind::BadRequest => USAGE,
            ErrorKind::Cancelled => CANCELLED,
            ErrorKind::Internal => INTERNAL,
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "mlwb",
    version,
    about = "A terminal workbench for tabular machine learning",
    long_about = "mlwb opens a dataset in a terminal UI (mlwb FILE), or runs one pipeline step \
                  headless (mlwb profile FILE --json) for scripts and CI.\n\nExit codes: 0 ok, \
                  1 gate failed (drift, an incomplete drift check, a rerun that differs), 2 usage, \
                  3 bad input data, 4 bad model package (reserved: packages are not built yet), \
                  70 internal error, 130 cancelled (Ctrl-C, SIGTERM, SIGHUP)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Open the TUI on this file (CSV/TSV, Parquet, JSON/NDJSON, Arrow IPC; .gz allowed).
    pub file: Option<PathBuf>,
    /// Print only results, no progress or notes.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More detail on stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The run store's directory (default: the nearest .mlwb above the working directory).
    #[arg(long, global = true, env = "MLWB_STORE", value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Colour in human-readable output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the TUI on the bundled demo datasets.
    Demo,
    /// Profile a dataset: types, roles, nulls, distinct values, statistics, warnings.
    Profile(profile::ProfileArgs),
    /// Propose or check a feature spec, fit it (or apply a fitted one), and write the results.
    Features(features::FeaturesArgs),
    /// Train models with one validation; every run is recorded in the store.
    Train(train::TrainArgs),
    /// List, show or rerun recorded runs.
    Runs(train::RunsArgs),
    /// Compare a current dataset with a reference: per-column drift tests and a verdict.
    Drift(drift::DriftArgs),
    /// Internal: run one background task for another mlwb process (JSON lines on stdio).
    #[command(name = "__worker", hide = true)]
    Worker,
}

/// Options every subcommand's output honours.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
    pub color: bool,
}

impl Output {
    pub fn new(cli: &Cli, json: bool) -> Self {
        use std::io::IsTerminal;
        let color = match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Output {
            json,
            quiet: cli.quiet,
            color,
        }
    }

    /// Report an error on stderr (as JSON in `--json` mode) and return its exit code.
    pub fn fail(&self, error: &PipelineError) -> ExitCode {
        let code = exit::for_error(error.kind());
        if self.json {
            let doc = json!({
                "schema_version": SCHEMA_VERSION,
                "error": { "kind": error.kind().name(), "message": error.to_string(), "exit_code": code },
            });
            eprintln!("{}", term::safe_json(&doc));
        } else {
            crate::say!("mlwb: error: {error}");
        }
        ExitCode::from(code)
    }
}

/// Progress on stderr, only when it is a terminal and not `--quiet`.
fn stderr_progress(out: Output) -> impl Fn(crate::pipeline::progress::Progress) + Sync {
    use std::io::IsTerminal;
    let show = !out.quiet && std::io::stderr().is_terminal();
    move |p| {
        if show {
            eprint!("\r\x1b[2K{} {:>3.0}%", p.stage.name(), p.fraction() * 100.0);
        }
    }
}

/// Turn Ctrl-C, SIGTERM and SIGHUP into `cancel` (checked every 20 ms), so the work stops
/// through its own cancel path: workers are killed, runs recorded as cancelled, what finished
/// printed. A second signal ends the process at once (exit 130). Returns whether a signal came.
pub fn cancel_on_signals(
    cancel: &crate::pipeline::progress::CancelFlag,
) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let got = Arc::new(AtomicBool::new(false));
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            // The conditional shutdown comes first: it sees the flag set by an earlier signal.
            let _ = signal_hook::flag::register_conditional_shutdown(
                signal,
                exit::CANCELLED.into(),
                got.clone(),
            );
            let _ = signal_hook::flag::register(signal, got.clone());
        }
        let (got, cancel) = (got.clone(), cancel.clone());
        std::thread::spawn(move || {
            while !got.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            cancel.cancel();
        });
    }
    got
}

/// In a worker: the terminal's Ctrl-C (sent to the whole process group) and a hang-up are the
/// parent's to handle; the parent kills the worker when it should stop.
pub fn ignore_interrupts() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT};
        let ignored = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        for signal in [SIGINT, SIGHUP] {
            let _ = signal_hook::flag::register(signal, ignored.clone());
        }
    }
}

/// Erase the progress line.
fn clear_progress(out: Output) {
    use std::io::IsTerminal;
    if !out.quiet && std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2K");
    }
}

/// The exit code once results are written: a closed pipe (`mlwb … | head`) is not an error.
fn finish_output(written: std::io::Result<()>) -> ExitCode {
    match written {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(exit::OK),
        Err(e) => {
            crate::say!("mlwb: cannot write output: {e}");
            ExitCode::from(exit::INTERNAL)
        }
    }
}

/// A plain-text table: each column padded to its widest cell (the first at most 32 wide), two
/// spaces apart; columns from `right_from` on are right-aligned; with `free_last` the last
/// column is neither padded nor cut. `paint(row, column)` colours a cell (rows from 0, the
/// header not counted).
fn write_table<const N: usize>(
    w: &mut term::Out<impl std::io::Write>,
    header: &[&str; N],
    rows: &[[String; N]],
    right_from: usize,
    free_last: bool,
    paint: impl Fn(usize, usize) -> Option<term::Paint>,
) -> std::io::Result<()> {
    let mut widths = header.map(str::len);
    for r in rows {
        for (i, cell) in r.iter().enumerate() {
            widths[i] = widths[i].max(unicode_width::UnicodeWidthStr::width(cell.as_str()));
        }
    }
    widths[0] = widths[0].min(32);
    let cells = |cells: &[String; N]| -> Vec<String> {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if free_last && i == N - 1 {
                    return c.clone();
                }
                let c = crate::pipeline::text::truncate(c, widths[i]);
                if i >= right_from {
                    format!("{c:>width$}", width = widths[i])
                } else {
                    format!("{c:<width$}", width = widths[i])
                }
            })
            .collect()
    };
    let line = |w: &mut term::Out<_>, row: Option<usize>, cells: Vec<String>| {
        use std::io::Write as _;
        let last = cells
            .iter()
            .rposition(|c| !c.trim().is_empty())
            .unwrap_or(0);
        for (i, c) in cells.iter().enumerate().take(last + 1) {
            if i > 0 {
                w.write_all(b"  ")?;
            }
            let c = if i == last { c.trim_end() } else { c.as_str() };
            match row.and_then(|r| paint(r, i)) {
                Some(p) => w.paint(p, c)?,
                None => w.write_all(c.as_bytes())?,
            }
        }
        writeln!(w)
    };
    line(w, None, cells(&header.map(String::from)))?;
    for (r, row) in rows.iter().enumerate() {
        line(w, Some(r), cells(row))?;
    }
    Ok(())
}

/// Log to stderr for the CLI: warnings by default, `-v` info, `-vv` debug, `MLWB_LOG` overrides.
fn init_logging(cli: &Cli) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("MLWB_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("mlwb={level}")));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .with_env_filter(filter)
        .try_init();
}

/// Run a headless subcommand. The TUI commands are dispatched by `main`.
pub fn run(cli: &Cli, command: &Command) -> ExitCode {
    init_logging(cli);
    match command {
        Command::Profile(args) => profile::run(args, Output::new(cli, args.json)),
        Command::Features(args) => features::run(args, Output::new(cli, args.json)),
        Command::Train(args) => train::run(args, cli.store.as_deref(), Output::new(cli, args.json)),
        Command::Runs(args) => train::run_runs(
            args,
            cli.store.as_deref(),
            Output::new(cli, args.command.json()),
        ),
        Command::Drift(args) => drift::run(args, cli.store.as_deref(), Output::new(cli, args.json)),
        Command::Worker => {
            ignore_interrupts();
            crate::jobs::worker::serve()
        }
        Command::Demo => {
            eprintln!("mlwb: this binary was built without the TUI (feature \"tui\")");
            ExitCode::from(exit::USAGE)
        }
    }
}
