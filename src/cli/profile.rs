//! `mlwb profile FILE`: load and profile a dataset, print a table or a JSON document.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use serde_json::json;

use super::term::{Out, Paint};
use super::{Output, SCHEMA_VERSION};
use crate::pipeline::data::{self, LoadOptions};
use crate::pipeline::profile::{self, ColumnProfile, DatasetProfile};
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::text::{escape_control, format_count, format_number};

#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The dataset (CSV/TSV, Parquet, JSON/NDJSON, Arrow IPC; .gz allowed).
    pub file: PathBuf,
    /// One JSON document on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Field delimiter for delimited text (default: sniffed). `\t` for tab.
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
}

pub(super) fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "\\t" | "tab" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err("the delimiter must be one ASCII character, or \\t".into()),
    }
}

pub fn run(args: &ProfileArgs, out: Output) -> ExitCode {
    let started = Instant::now();
    let cancel = CancelFlag::new();
    let progress = super::stderr_progress(out);
    let options = LoadOptions {
        preview: false,
        delimiter: args.delimiter,
    };
    let result = data::load(&args.file, &options, &cancel, &progress).and_then(|dataset| {
        let profile = profile::profile(&dataset.df, &cancel, &progress)?;
        Ok((dataset, profile))
    });
    super::clear_progress(out);
    let (dataset, profile) = match result {
        Ok(r) => r,
        Err(e) => return out.fail(&e),
    };
    let elapsed = started.elapsed().as_secs_f64();
    let mut w = super::term::stdout(out.color);
    let written = if out.json {
        let mut warnings: Vec<serde_json::Value> = dataset
            .warnings
            .iter()
            .map(|m| json!({ "column": null, "kind": "load", "message": m }))
            .collect();
        warnings.extend(profile.warnings.iter().map(|w| json!(w)));
        let doc = json!({
            "schema_version": SCHEMA_VERSION,
            "file": dataset.path.display().to_string(),
            "format": dataset.format,
            "gzip": dataset.gzip,
            "delimiter": dataset.delimiter.map(|d| (d as char).to_string()),
            "fingerprint": dataset.fingerprint,
            "rows": profile.rows,
            "columns": profile.columns,
            "warnings": warnings,
            "duration_s": elapsed,
        });
        w.json(&doc)
    } else {
        write_human(&mut w, &dataset, &profile, out, elapsed)
    };
    // The process ends next: freeing a large table would only delay the exit.
    std::mem::forget(dataset);
    super::finish_output(written)
}

fn opt(v: Option<f64>) -> String {
    v.map(format_number).unwrap_or_default()
}

fn write_human(
    w: &mut Out<impl Write>,
    dataset: &data::Dataset,
    profile: &DatasetProfile,
    out: Output,
    elapsed: f64,
) -> std::io::Result<()> {
    writeln!(
        w,
        "{}: {} rows × {} columns ({}{}, {:.2} s)",
        escape_control(&dataset.path.display().to_string()),
        format_count(profile.rows),
        profile.columns.len(),
        dataset.format.name(),
        if dataset.gzip { ", gzip" } else { "" },
        elapsed
    )?;
    let header = [
        "column", "dtype", "role", "nulls", "distinct", "mean", "std", "min", "max",
    ];
    let rows: Vec<[String; 9]> = profile.columns.iter().map(row).collect();
    super::write_table(w, &header, &rows, 3, false, |_, _| None)?;
    let warnings: Vec<String> = dataset
        .warnings
        .iter()
        .map(|m| escape_control(m).into_owned())
        .chain(profile.warnings.iter().map(|w| w.message.clone()))
        .collect();
    if !warnings.is_empty() && !out.quiet {
        writeln!(w)?;
        writeln!(w, "warnings:")?;
        for m in warnings {
            w.write_all(b"  ")?;
            w.paint(Paint::Yellow, "!")?;
            writeln!(w, " {m}")?;
        }
    }
    Ok(())
}

fn row(c: &ColumnProfile) -> [String; 9] {
    let (min, max) = match (&c.min_label, &c.max_label) {
        (Some(a), Some(b)) => (a.clone(), b.clone()),
        _ => (opt(c.min), opt(c.max)),
    };
    [
        escape_control(&c.name).into_owned(),
        c.dtype.clone(),
        c.role.name().to_string(),
        format_count(c.nulls),
        format_count(c.distinct),
        // For a boolean, the share of true (as in the JSON).
        opt(c.mean),
        opt(c.std),
        min,
        max,
    ]
}
