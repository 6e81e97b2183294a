//! The `mlwb` binary: parse the command line and hand over to the CLI or the TUI.

use std::process::ExitCode;

use clap::Parser;
use mlwb::cli::{self, Cli, Command, exit};

/// The last panic's message and place, for the one-line report of an uncaught panic.
static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Whether the command line asks for JSON output (read before, or without, clap).
fn wants_json() -> bool {
    std::env::args_os().any(|a| a == "--json")
}

fn main() -> ExitCode {
    // Panics are reported once, as one line (or the JSON error object with --json), never as a
    // backtrace on stderr; one caught inside the pipeline becomes that command's error.
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string().replace('\n', " ");
        tracing::error!("panic: {text}");
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(text);
        }
    }));
    // A panic is a bug: report it as an internal error (70), never as a gate or input failure.
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(_) => {
            let detail = LAST_PANIC
                .lock()
                .ok()
                .and_then(|l| l.clone())
                .unwrap_or_else(|| "no detail".into());
            let message = format!("internal error (a bug): {detail}");
            report_error("internal", &message, exit::INTERNAL);
            ExitCode::from(exit::INTERNAL)
        }
    }
}

/// An error that happens before a subcommand runs, on stderr: one line, or with `--json` the
/// same JSON error object every command writes.
fn report_error(kind: &str, message: &str, code: u8) {
    if wants_json() {
        let doc = serde_json::json!({
            "schema_version": cli::SCHEMA_VERSION,
            "error": { "kind": kind, "message": message, "exit_code": code },
        });
        eprintln!("{}", cli::term::safe_json(&doc));
    } else {
        mlwb::say!("mlwb: {message}");
    }
}

fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() && wants_json() => {
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or_default();
            let message = first.strip_prefix("error: ").unwrap_or(first);
            report_error("usage", message, exit::USAGE);
            return ExitCode::from(exit::USAGE);
        }
        // A usage error quotes what was typed: it goes through the escaping writer. Help and
        // the version are mlwb's own text, on stdout.
        Err(e) if e.use_stderr() => {
            // clap's message has lines of its own; each is escaped.
            for line in e.render().to_string().trim_end().lines() {
                mlwb::cli::term::say(line);
            }
            return ExitCode::from(exit::USAGE);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(exit::OK);
        }
    };
    match &cli.command {
        Some(Command::Demo) => run_tui(None, true, cli.store.clone()),
        Some(command) => cli::run(&cli, command),
        None => run_tui(cli.file.clone(), false, cli.store.clone()),
    }
}

#[cfg(feature = "tui")]
fn run_tui(
    file: Option<std::path::PathBuf>,
    demo: bool,
    store: Option<std::path::PathBuf>,
) -> ExitCode {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!(
            "mlwb: the TUI needs a terminal; for scripts use a subcommand (mlwb profile FILE --json)"
        );
        return ExitCode::from(exit::USAGE);
    }
    match mlwb::tui::run(file, demo, store) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => {
            mlwb::say!("mlwb: error: {e:#}");
            ExitCode::from(exit::INTERNAL)
        }
    }
}

#[cfg(not(feature = "tui"))]
fn run_tui(
    _file: Option<std::path::PathBuf>,
    _demo: bool,
    _store: Option<std::path::PathBuf>,
) -> ExitCode {
    eprintln!("mlwb: this binary was built without the TUI (feature \"tui\"); use a subcommand");
    ExitCode::from(exit::USAGE)
}
