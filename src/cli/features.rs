//! `mlwb features FILE`: propose or check a feature spec, fit it (or apply a saved fitted
//! pipeline), summarise the design matrix, and write the spec, the fitted pipeline and the
//! transformed rows on request.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use serde_json::json;

use super::term::Out;
use super::{Output, SCHEMA_VERSION};
use crate::pipeline::PipelineError;
use crate::pipeline::data::{self, Dataset, LoadOptions};
use crate::pipeline::features::{self, ColumnCount, FeatureSpec, FittedFeatures, Transformed};
use crate::pipeline::files::write_atomic_with;
use crate::pipeline::profile;
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::text::{escape_control, format_count};

#[derive(Debug, Args)]
pub struct FeaturesArgs {
    /// The dataset to fit on (or, with --fitted, to transform).
    pub file: PathBuf,
    /// The column to predict: kept out of the features and written beside them by --transform.
    #[arg(long, value_name = "COL")]
    pub target: Option<String>,
    /// A feature spec (TOML, or JSON for .json) instead of the automatic one.
    #[arg(long, value_name = "F", conflicts_with = "fitted")]
    pub spec: Option<PathBuf>,
    /// Apply a saved fitted pipeline (from --save-fitted) instead of fitting on FILE.
    #[arg(long, value_name = "F")]
    pub fitted: Option<PathBuf>,
    /// Write the spec (with every default explicit) to this file (.toml or .json).
    #[arg(long, value_name = "SPEC")]
    pub out: Option<PathBuf>,
    /// Write the fitted pipeline (JSON) to this file.
    #[arg(long, value_name = "F", conflicts_with = "fitted")]
    pub save_fitted: Option<PathBuf>,
    /// Write the transformed rows (feature columns, then the target) to a .csv or .parquet file.
    #[arg(long, value_name = "OUT")]
    pub transform: Option<PathBuf>,
    /// One JSON document on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Field delimiter for delimited text (default: sniffed). `\t` for tab.
    #[arg(long, value_parser = super::profile::parse_delimiter)]
    pub delimiter: Option<u8>,
}

/// Where the spec came from.
#[derive(Clone, Copy)]
enum SpecSource {
    Automatic,
    File,
    Fitted,
}

impl SpecSource {
    fn name(self) -> &'static str {
        match self {
            SpecSource::Automatic => "automatic",
            SpecSource::File => "file",
            SpecSource::Fitted => "fitted",
        }
    }
}

struct Outcome {
    dataset: Dataset,
    source: SpecSource,
    fitted: FittedFeatures,
    transformed: Transformed,
    written: Vec<(&'static str, PathBuf)>,
}

#[derive(Clone, Copy, PartialEq)]
enum TableFormat {
    Csv,
    Parquet,
}

fn table_format(path: &Path) -> Result<TableFormat, PipelineError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(TableFormat::Csv),
        Some("parquet" | "pq") => Ok(TableFormat::Parquet),
        _ => Err(PipelineError::BadRequest(format!(
            "{}: --transform writes .csv or .parquet files; give a path with one of those extensions",
            path.display()
        ))),
    }
}

pub fn run(args: &FeaturesArgs, out: Output) -> ExitCode {
    let started = Instant::now();
    let cancel = CancelFlag::new();
    let progress = super::stderr_progress(out);
    let result = execute(args, &cancel, &progress);
    super::clear_progress(out);
    let outcome = match result {
        Ok(o) => o,
        Err(e) => return out.fail(&e.in_file(&args.file)),
    };
    let elapsed = started.elapsed().as_secs_f64();
    let mut w = super::term::stdout(out.color);
    let written = if out.json {
        w.json(&json_report(&outcome, elapsed))
    } else {
        write_human(&mut w, &outcome, out, elapsed)
    };
    std::mem::forget(outcome);
    super::finish_output(written)
}

fn execute(
    args: &FeaturesArgs,
    cancel: &CancelFlag,
    progress: crate::pipeline::progress::ProgressFn,
) -> Result<Outcome, PipelineError> {
    // Refuse a bad output path before any work is done.
    let transform_format = args.transform.as_deref().map(table_format).transpose()?;
    let options = LoadOptions {
        preview: false,
        delimiter: args.delimiter,
    };
    let dataset = data::load(&args.file, &options, cancel, progress)?;
    let (source, fitted) = match &args.fitted {
        Some(path) => {
            let fitted = FittedFeatures::read(path)?;
            if let Some(t) = &args.target
                && fitted.target.as_deref() != Some(t.as_str())
            {
                return Err(PipelineError::BadRequest(format!(
                    "--target '{}' differs from the fitted pipeline's target ({}); drop --target when applying --fitted",
                    escape_control(t),
                    fitted.target.as_deref().unwrap_or("none")
                )));
            }
            (SpecSource::Fitted, fitted)
        }
        None => {
            let (source, mut spec) = match &args.spec {
                Some(path) => (SpecSource::File, FeatureSpec::read(path)?),
                None => {
                    if let Some(t) = &args.target
                        && dataset.df.column(t).is_err()
                    {
                        return Err(PipelineError::BadColumns(format!(
                            "{}: the target column '{}' is not in the data",
                            dataset.path.display(),
                            escape_control(t)
                        )));
                    }
                    let profile = profile::profile(&dataset.df, cancel, progress)?;
                    (
                        SpecSource::Automatic,
                        features::auto_spec(&profile, args.target.as_deref()),
                    )
                }
            };
            if let Some(t) = &args.target {
                spec.set_target(t)?;
            }
            // The automatic spec not fitting (no usable column) is a fact of the data; a
            // spec the user gave not fitting is a bad request.
            let valid = features::check(&spec, dataset.df.schema()).map_err(|p| match &source {
                SpecSource::Automatic => PipelineError::BadColumns(p.to_string()),
                _ => PipelineError::from(p),
            })?;
            (
                source,
                features::fit(&valid, &dataset.df, cancel, progress)?,
            )
        }
    };
    let mut written = Vec::new();
    if let Some(path) = &args.out {
        fitted.spec.write(path)?;
        written.push(("spec", path.clone()));
    }
    if let Some(path) = &args.save_fitted {
        fitted.write(path)?;
        written.push(("fitted", path.clone()));
    }
    let transformed = match (&args.transform, transform_format) {
        (Some(path), Some(format)) => {
            let (mut frame, transformed) = fitted.transform_frame(&dataset.df, cancel, progress)?;
            write_table(path, format, &mut frame)?;
            written.push(("transform", path.clone()));
            transformed
        }
        _ => fitted.transform(&dataset.df, cancel, progress)?,
    };
    Ok(Outcome {
        dataset,
        source,
        fitted,
        transformed,
        written,
    })
}

fn write_table(
    path: &Path,
    format: TableFormat,
    frame: &mut polars::prelude::DataFrame,
) -> Result<(), PipelineError> {
    use polars::prelude::{CsvWriter, ParquetWriter, SerWriter};
    write_atomic_with(path, |w| {
        let result = match format {
            TableFormat::Csv => CsvWriter::new(w).finish(frame),
            TableFormat::Parquet => ParquetWriter::new(w).finish(frame).map(|_| ()),
        };
        result.map_err(|e| PipelineError::Io {
            path: path.to_path_buf(),
            message: format!("cannot write the transformed rows: {e}"),
            source: None,
        })
    })
}

fn counts_json(counts: &[ColumnCount]) -> serde_json::Value {
    json!(counts)
}

fn json_report(o: &Outcome, elapsed: f64) -> serde_json::Value {
    let written: serde_json::Map<String, serde_json::Value> = o
        .written
        .iter()
        .map(|(k, p)| ((*k).to_string(), json!(p.display().to_string())))
        .collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "file": o.dataset.path.display().to_string(),
        "fingerprint": o.dataset.fingerprint,
        "rows": o.dataset.df.height(),
        "spec_source": o.source.name(),
        "spec": o.fitted.spec,
        "spec_hash": o.fitted.spec_hash,
        "fitted_hash": o.fitted.hash(),
        "fitted_rows": o.fitted.fitted_rows,
        "target": o.fitted.target,
        "output_columns": o.transformed.names.len(),
        "feature_names": o.transformed.names,
        "filled": counts_json(&o.transformed.filled),
        "unseen": counts_json(&o.transformed.unseen),
        "written": written,
        "duration_s": elapsed,
    })
}

fn write_human(
    w: &mut Out<impl Write>,
    o: &Outcome,
    out: Output,
    elapsed: f64,
) -> std::io::Result<()> {
    let spec = &o.fitted.spec;
    let (rows, cols) = o.transformed.x.dim();
    writeln!(
        w,
        "{}: {} rows; {} spec{}",
        escape_control(&o.dataset.path.display().to_string()),
        format_count(o.dataset.df.height() as u64),
        o.source.name(),
        o.fitted
            .target
            .as_ref()
            .map(|t| format!(", target {}", escape_control(t)))
            .unwrap_or_default()
    )?;
    let header = ["column", "role", "kind", "steps", "note"];
    let table: Vec<[String; 5]> = spec
        .columns
        .iter()
        .map(|c| {
            [
                escape_control(&c.name).into_owned(),
                c.role.name().to_string(),
                c.kind.name().to_string(),
                c.steps_label(),
                if out.quiet {
                    String::new()
                } else {
                    c.note.clone().unwrap_or_default()
                },
            ]
        })
        .collect();
    super::write_table(w, &header, &table, header.len(), true, |_, _| None)?;
    writeln!(w)?;
    let action = match o.source {
        SpecSource::Fitted => "applied a pipeline fitted",
        _ => "fitted",
    };
    writeln!(
        w,
        "{action} on {} rows → matrix {} × {} ({:.2} s)",
        format_count(o.fitted.fitted_rows),
        format_count(rows as u64),
        cols,
        elapsed
    )?;
    let names: Vec<String> = o
        .transformed
        .names
        .iter()
        .map(|n| escape_control(n).into_owned())
        .collect();
    writeln!(w, "features: {}", names.join(", "))?;
    let counts = |c: &[ColumnCount]| -> String {
        c.iter()
            .map(|c| format!("{} {}", escape_control(&c.column), format_count(c.count)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !o.transformed.filled.is_empty() {
        writeln!(
            w,
            "missing values filled: {}",
            counts(&o.transformed.filled)
        )?;
    }
    if !o.transformed.unseen.is_empty() {
        writeln!(
            w,
            "values not seen when fitting (to the unseen bucket): {}",
            counts(&o.transformed.unseen)
        )?;
    }
    writeln!(w, "spec hash {}", o.fitted.spec_hash)?;
    writeln!(w, "fitted hash {}", o.fitted.hash())?;
    for (what, path) in &o.written {
        writeln!(
            w,
            "wrote {what}: {}",
            escape_control(&path.display().to_string())
        )?;
    }
    Ok(())
}
