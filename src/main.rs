//! The `mlwb` binary: parse the command line and hand over to the CLI or the TUI.

use std::process::ExitCode;

use clap::Parser;
use mlwb::cli::{self, Cli, Command, exit};

fn main() -> ExitCode {
    // A panic is a bug: report it as an internal error (70), never as a gate or input failure.
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(_) => {
            eprintln!("mlwb: internal error (a bug): the panic message above says where");
            ExitCode::from(exit::INTERNAL)
        }
    }
}

fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
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
            eprintln!("mlwb: error: {e:#}");
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
