//! Profile a data file with the library and print a short summary of every column.
//!
//! Run: `cargo run --example profile [-- FILE]` (default: the bundled `assets/demo/penguins.csv`).
//! Works without the TUI (`--no-default-features`): only the headless `pipeline` is used.

use std::path::PathBuf;
use std::process::ExitCode;

use mlwb::pipeline::Result;
use mlwb::pipeline::data::{self, LoadOptions};
use mlwb::pipeline::profile;
use mlwb::pipeline::progress::{CancelFlag, no_progress};
use mlwb::pipeline::text::{escape_control, format_count, format_number};

fn main() -> ExitCode {
    // An error exits with its own code (3 for bad input, 70 for a bug), never with 1.
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("profile: {}", escape_control(&e.to_string()));
            ExitCode::from(mlwb::cli::exit::for_error(e.kind()))
        }
    }
}

fn run() -> Result<()> {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| demo_file("penguins.csv"));

    // Every long pipeline function takes a cancel flag and a progress callback; a script that
    // never cancels and does not show progress passes a fresh flag and `no_progress`.
    let cancel = CancelFlag::new();

    // Load the whole file (CSV/TSV, Parquet, JSON/NDJSON, Arrow IPC, gzip): the format and the
    // delimiter are sniffed, and pandas' null markers ("", NA, NaN, ...) become nulls.
    let dataset = data::load(&path, &LoadOptions::default(), &cancel, &no_progress)?;
    // Per-column statistics with pandas' semantics (std with ddof = 1, linear quantiles).
    let profile = profile::profile(&dataset.df, &cancel, &no_progress)?;

    // File names, column names and values are untrusted text: escape control characters
    // before they reach a terminal.
    println!(
        "{}: {} rows × {} columns ({})",
        escape_control(&path.display().to_string()),
        format_count(profile.rows),
        profile.columns.len(),
        dataset.format.name()
    );
    let number = |v: Option<f64>| v.map(format_number).unwrap_or_default();
    println!(
        "{:<20} {:<12} {:>6} {:>8} {:>10} {:>10} {:>10}",
        "column", "role", "nulls", "distinct", "mean", "min", "max"
    );
    for c in &profile.columns {
        println!(
            "{:<20} {:<12} {:>6} {:>8} {:>10} {:>10} {:>10}",
            escape_control(&c.name),
            c.role.name(),
            format_count(c.nulls),
            format_count(c.distinct),
            number(c.mean),
            // Dates and other non-numbers carry their extremes as labels.
            c.min_label.clone().unwrap_or_else(|| number(c.min)),
            c.max_label.clone().unwrap_or_else(|| number(c.max)),
        );
        // The most frequent values of a categorical column.
        if !c.top.is_empty() && c.mean.is_none() {
            let top: Vec<String> = c
                .top
                .iter()
                .take(3)
                .map(|t| format!("{} ({})", escape_control(&t.value), t.count))
                .collect();
            println!("{:<20} most frequent: {}", "", top.join(", "));
        }
    }
    // Warnings about the load (e.g. a column renamed) and about the data (constant, id-like,
    // mostly null, infinite values, ...).
    for w in &dataset.warnings {
        println!("warning: {}", escape_control(w));
    }
    for w in &profile.warnings {
        println!("warning: {}", escape_control(&w.message));
    }
    Ok(())
}

/// A bundled demo dataset, found from the crate's directory (so the example runs from anywhere).
fn demo_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo")
        .join(name)
}
