//! Loading tables from CSV/TSV (sniffed), Parquet, JSON/NDJSON and Arrow IPC files, plain or
//! gzip-compressed, with a fingerprint of bytes + schema. Every problem names the file.

mod batches;
mod csv_text;
mod guard;
mod json_rows;

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::{PipelineError, Result, catch_reader_panics};
use super::progress::{CancelFlag, Progress, ProgressFn, Stage};
use super::text::escape_control;

pub use batches::{BATCH_BYTES, BatchedFile, for_each_batch};
pub use csv_text::{NULL_MARKERS, sniff_delimiter};

/// Rows used to infer CSV column types before falling back to the whole file.
const INFER_ROWS: usize = 10_000;
/// Bytes read for a quick preview of a large text file.
const PREVIEW_BYTES: usize = 1 << 20;
/// Rows shown by a preview.
pub const PREVIEW_ROWS: usize = 500;
/// The most a gzip file may decompress to when the memory available is unknown.
const GUNZIP_LIMIT: u64 = 8 << 30;

/// The file formats mlwb reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Parquet,
    Json,
    Ndjson,
    Ipc,
}

impl FileFormat {
    pub fn name(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Parquet => "parquet",
            FileFormat::Json => "json",
            FileFormat::Ndjson => "ndjson",
            FileFormat::Ipc => "ipc",
        }
    }
}

/// How to load a file.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Read only the first rows (and, for text formats, only the start of the file).
    pub preview: bool,
    /// Force a CSV delimiter instead of sniffing it.
    pub delimiter: Option<u8>,
}

/// A loaded table and what is known about where it came from.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub path: PathBuf,
    pub format: FileFormat,
    pub gzip: bool,
    /// The CSV delimiter used, if the file is delimited text.
    pub delimiter: Option<u8>,
    pub df: DataFrame,
    /// Size of the file on disk.
    pub file_bytes: u64,
    /// blake3 of the file's bytes and its canonical schema (hex). Empty for previews.
    pub fingerprint: String,
    /// Things the user should know about how the file was read (encoding, renamed headers, ...).
    pub warnings: Vec<String>,
    /// False when this is only the first rows of the file.
    pub complete: bool,
}

/// Load a whole table. Reports progress on stages `read`, `parse`; checks `cancel` between them.
pub fn load(
    path: &Path,
    options: &LoadOptions,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<Dataset> {
    catch_reader_panics(path, || load_inner(path, options, cancel, progress))
}

fn load_inner(
    path: &Path,
    options: &LoadOptions,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<Dataset> {
    let started = std::time::Instant::now();
    // Only regular files: a named pipe would block for ever and a device never end.
    let meta = crate::pipeline::files::regular_file(path)?;
    let file_bytes = meta.len();
    if file_bytes == 0 {
        return Err(PipelineError::bad_data(
            path,
            "the file is empty (0 bytes); nothing to load",
        ));
    }
    // Text previews read only the first megabyte; binary formats are mapped even for a
    // preview, so their readers decode just the first rows instead of the whole file.
    let text_preview = options.preview && !is_binary_format(path);
    let raw = if text_preview {
        FileBytes::Read(read_bytes(path, PREVIEW_BYTES as u64, cancel, progress)?)
    } else {
        let mapped = map_file(path)?;
        progress(Progress::new(Stage::Read, file_bytes, file_bytes));
        mapped
    };
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        bytes = raw.len(),
        "read"
    );
    cancel.check()?;

    let gzip = raw.starts_with(&[0x1f, 0x8b]);
    let bytes = if gzip {
        // The inner file's format, from the name without `.gz` (or a guess: text).
        let text = !is_binary_format(path);
        let limit = crate::pipeline::files::available_memory()
            .map_or(GUNZIP_LIMIT, |m| (m / 2).max(256 << 20));
        let preview = options.preview.then_some(PREVIEW_BYTES as u64);
        FileBytes::Read(guard::gunzip(path, &raw, limit, preview, text)?)
    } else {
        raw
    };
    cancel.check()?;
    let format = detect_format(path, &bytes);
    if bytes.is_empty() {
        return Err(PipelineError::bad_data(
            path,
            "the file is empty; nothing to load",
        ));
    }
    // Untrusted bytes: text formats must be text, and JSON must be shallow enough to parse
    // without exhausting the stack.
    if matches!(
        format,
        FileFormat::Csv | FileFormat::Json | FileFormat::Ndjson
    ) {
        guard::refuse_binary(path, &bytes)?;
    }
    if matches!(format, FileFormat::Json | FileFormat::Ndjson) {
        guard::refuse_deep_json(path, &bytes)?;
    }

    progress(Progress::new(Stage::Parse, 0, 1));
    let mut warnings = Vec::new();
    // Hash the bytes on one core while the parser works: both only read them.
    let (parsed, data_hash) = rayon::join(
        || parse(path, &bytes, format, options, &mut warnings),
        || (!options.preview).then(|| hash_bytes(&bytes)),
    );
    let (df, delimiter) = parsed?;
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), "parsed");
    drop(bytes); // the table owns its data now; free the file's bytes before anything else
    progress(Progress::new(Stage::Parse, 1, 1));
    cancel.check()?;

    let mut df = numbers_as_floats(nan_to_null(clean_column_names(df, &mut warnings))?)?;
    if options.preview && df.height() > PREVIEW_ROWS {
        df = df.slice(0, PREVIEW_ROWS);
    }
    if df.width() == 0 {
        return Err(PipelineError::bad_data(path, "the file has no columns"));
    }
    let fingerprint = data_hash
        .map(|hash| fingerprint(&hash, &df))
        .unwrap_or_default();
    tracing::info!(
        path = %path.display(),
        format = format.name(),
        gzip,
        rows = df.height(),
        columns = df.width(),
        preview = options.preview,
        seconds = started.elapsed().as_secs_f64(),
        "loaded"
    );
    for w in &warnings {
        tracing::debug!(path = %path.display(), "{w}");
    }
    Ok(Dataset {
        path: path.to_path_buf(),
        format,
        gzip,
        delimiter,
        df,
        file_bytes,
        fingerprint,
        warnings,
        complete: !options.preview,
    })
}

/// Parse bytes of a known format; returns the table and, for delimited text, the delimiter.
fn parse(
    path: &Path,
    bytes: &[u8],
    format: FileFormat,
    options: &LoadOptions,
    warnings: &mut Vec<String>,
) -> Result<(DataFrame, Option<u8>)> {
    Ok(match format {
        FileFormat::Csv => {
            let (df, delimiter) = read_csv(path, bytes, options, warnings)?;
            (df, Some(delimiter))
        }
        FileFormat::Parquet => {
            let mut reader = ParquetReader::new(Cursor::new(bytes));
            if options.preview {
                reader = reader.with_slice(Some((0, PREVIEW_ROWS)));
            }
            let df = reader
                .finish()
                .map_err(|e| polars_error(path, "Parquet", e))?;
            (df, None)
        }
        FileFormat::Ipc => {
            let mut reader = IpcReader::new(Cursor::new(bytes));
            if options.preview {
                reader = reader.with_n_rows(Some(PREVIEW_ROWS));
            }
            let df = reader
                .finish()
                .map_err(|e| polars_error(path, "Arrow IPC", e))?;
            (df, None)
        }
        FileFormat::Json | FileFormat::Ndjson => (read_json(path, bytes, format, warnings)?, None),
    })
}

/// A file's bytes: mapped into memory (a whole regular file, no copy) or read.
enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Read(v) => v,
        }
    }
}

/// Map a whole regular file into memory, as polars and pandas do: the parser reads the page
/// cache directly instead of a 1:1 copy of the file.
#[allow(unsafe_code)]
fn map_file(path: &Path) -> Result<FileBytes> {
    let file = File::open(path).map_err(|e| PipelineError::io(path, e))?;
    // SAFETY: the map is only read, and dropped before `load` returns. A file truncated by
    // another process while it is being parsed raises SIGBUS; the TUI loads whole files in a
    // worker process, so that can end only the worker, which is reported as an error.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| PipelineError::io(path, e))?;
    Ok(FileBytes::Mapped(map))
}

/// Read up to `limit` bytes of the file in chunks, reporting progress (text previews).
fn read_bytes(
    path: &Path,
    limit: u64,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<Vec<u8>> {
    let mut file = File::open(path).map_err(|e| PipelineError::io(path, e))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    const CHUNK: usize = 8 << 20;
    let mut buf: Vec<u8> = Vec::with_capacity(total.min(limit) as usize);
    loop {
        cancel.check()?;
        let n = (&mut file)
            .take((CHUNK as u64).min(limit.saturating_sub(buf.len() as u64)))
            .read_to_end(&mut buf)
            .map_err(|e| PipelineError::io(path, e))?;
        if n == 0 {
            break;
        }
        progress(Progress::new(Stage::Read, buf.len() as u64, total));
        if buf.len() as u64 >= limit {
            break;
        }
    }
    Ok(buf)
}

fn is_binary_format(path: &Path) -> bool {
    matches!(
        extension_format(path),
        Some(FileFormat::Parquet | FileFormat::Ipc)
    )
}

/// The format named by the file's extension (ignoring a trailing `.gz`).
fn extension_format(path: &Path) -> Option<FileFormat> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let ext = name.rsplit_once('.')?.1;
    Some(match ext {
        "csv" | "tsv" | "tab" | "txt" | "dat" | "psv" => FileFormat::Csv,
        "parquet" | "pq" => FileFormat::Parquet,
        "json" => FileFormat::Json,
        "ndjson" | "jsonl" => FileFormat::Ndjson,
        "arrow" | "ipc" | "feather" => FileFormat::Ipc,
        _ => return None,
    })
}

/// The file's format: magic bytes first (they cannot lie), then the extension, then a guess.
pub fn detect_format(path: &Path, bytes: &[u8]) -> FileFormat {
    if bytes.starts_with(b"PAR1") {
        return FileFormat::Parquet;
    }
    if bytes.starts_with(b"ARROW1") {
        return FileFormat::Ipc;
    }
    if let Some(format) = extension_format(path) {
        return format;
    }
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| bytes[i]);
    match start {
        Some(b'[') => FileFormat::Json,
        Some(b'{') => FileFormat::Ndjson,
        _ => FileFormat::Csv,
    }
}

fn read_csv(
    path: &Path,
    bytes: &[u8],
    options: &LoadOptions,
    warnings: &mut Vec<String>,
) -> Result<(DataFrame, u8)> {
    // A preview read stops mid-file: keep whole lines only, before decoding, so a character
    // cut in half at the end is not mistaken for a non-UTF-8 file.
    let bytes = match memchr_last(b'\n', bytes) {
        Some(end) if options.preview && end + 1 < bytes.len() => &bytes[..=end],
        _ => bytes,
    };
    let text = csv_text::to_utf8(path, bytes, warnings)?;
    let text: std::borrow::Cow<[u8]> = match csv_text::lone_cr_to_lf(&text) {
        Some(fixed) => {
            warnings.push(
                "line ends are CR alone (old Mac style, or mixed with LF): each CR was read as \
                 a line end"
                    .into(),
            );
            std::borrow::Cow::Owned(fixed)
        }
        None => text,
    };
    let text: &[u8] = text.as_ref();
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(PipelineError::bad_data(
            path,
            "the file has no header and no rows (only blank space)",
        ));
    }
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| sniff_delimiter(text, default_delimiter(path)));
    // Blank lines are not rows (pandas skips them too): drop them and say how many.
    let without_blanks = csv_text::drop_blank_lines(text, delimiter);
    let text: &[u8] = match &without_blanks {
        Some((kept, n)) => {
            if !options.preview {
                warnings.push(format!(
                    "skipped {n} blank line{}",
                    if *n == 1 { "" } else { "s" }
                ));
            }
            kept
        }
        None => text,
    };
    let parser = CsvParser {
        text,
        delimiter,
        n_rows: options.preview.then_some(PREVIEW_ROWS),
        rewritten: std::sync::OnceLock::new(),
    };
    let t = std::time::Instant::now();
    let (ragged, parsed) = parser.parse_counting_rows();
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "csv parse");
    // A quote that opens a field and is never closed makes the rest of the file one value:
    // refuse it, naming the line, rather than load a table that silently lost rows.
    if let Some(line) = ragged.quotes.unclosed_quote.filter(|_| !options.preview) {
        return Err(PipelineError::bad_data(
            path,
            format!(
                "line {line}: a quoted field opens here and is never closed, so the rest of \
                 the file would read as one value; close the quote or remove it"
            ),
        ));
    }
    // Quotes inside unquoted values (`12" pipe`) are characters, as in Python's csv and
    // pandas; the parser may take one for an opening quote (and fail, or merge rows), so the
    // text is read again with those values quoted.
    let parsed = if ragged.quotes.stray > 0 && !options.preview {
        let _ = parser
            .rewritten
            .set(csv_text::quote_stray_quotes(text, delimiter));
        warnings.push(format!(
            "{} quote{} inside unquoted values were read as characters of the value",
            ragged.quotes.stray,
            if ragged.quotes.stray == 1 { "" } else { "s" }
        ));
        parser.parse_from(parser.attempt(Some(INFER_ROWS), false, true), true)
    } else {
        parsed
    };
    let (df, note) = parsed.map_err(|e| polars_error(path, "CSV", e))?;
    if let Some(note) = note.filter(|_| !options.preview) {
        warnings.push(escape_control(&note).into_owned());
    }
    if let Some(message) = ragged.describe(delimiter) {
        warnings.push(message);
    }
    Ok((df, delimiter))
}

/// The delimiter a file's name suggests (tab for `.tsv`, `|` for `.psv`, else a comma).
fn default_delimiter(path: &Path) -> u8 {
    if path_ends_with(path, &[".tsv", ".tsv.gz", ".tab", ".tab.gz"]) {
        b'\t'
    } else if path_ends_with(path, &[".psv", ".psv.gz"]) {
        b'|'
    } else {
        b','
    }
}

/// A CSV text and how to read it: a plain parse first, the careful one only where needed.
struct CsvParser<'a> {
    text: &'a [u8],
    delimiter: u8,
    n_rows: Option<usize>,
    /// The text with stray quotes quoted, once it is known to need that.
    rewritten: std::sync::OnceLock<Vec<u8>>,
}

impl CsvParser<'_> {
    /// One parse: `infer` rows for the types, `full` with pandas' missing-value markers and
    /// date recognition (both cost a lot per field), `truncate` to accept ragged rows.
    fn attempt(&self, infer: Option<usize>, full: bool, truncate: bool) -> PolarsResult<DataFrame> {
        let src: &[u8] = self.rewritten.get().map_or(self.text, Vec::as_slice);
        let nulls = full
            .then(|| NullValues::AllColumns(NULL_MARKERS.iter().map(|s| (*s).into()).collect()));
        CsvReadOptions::default()
            .with_has_header(true)
            .with_n_rows(self.n_rows)
            .with_infer_schema_length(infer)
            .with_raise_if_empty(false)
            .map_parse_options(|p| {
                p.with_separator(self.delimiter)
                    .with_null_values(nulls.clone())
                    .with_try_parse_dates(full)
                    .with_truncate_ragged_lines(truncate)
            })
            .into_reader_with_file_handle(Cursor::new(src))
            .finish()
    }

    /// From a plain parse's result to the table: the careful parse where the plain one is
    /// not enough, then whole-file inference, then the plain reading, then all text. The
    /// note says what was given up, if anything.
    fn parse_from(
        &self,
        plain: PolarsResult<DataFrame>,
        truncate: bool,
    ) -> PolarsResult<(DataFrame, Option<String>)> {
        let plain = match plain {
            Ok(df) if !text_needs_full_parse(&df) => return Ok((df, None)),
            plain => plain,
        };
        if let Ok(df) = self.attempt(Some(INFER_ROWS), true, truncate) {
            return Ok((df, None));
        }
        if let Ok(df) = self.attempt(None, true, truncate) {
            // A type that changes after the first rows: inferred from every row instead.
            return Ok((
                df,
                Some(format!(
                    "column types changed after the first {INFER_ROWS} rows; types were inferred from the whole file"
                )),
            ));
        }
        match plain {
            // Markers or dates made the careful parse fail (e.g. two date formats in one
            // column): keep the plain reading, in which such columns are text.
            Ok(df) => Ok((df, Some(
                "missing-value markers and dates could not be applied to every column; the columns holding them were read as text".to_string(),
            ))),
            // Every column as text: the last resort, for values no type fits (e.g. integers
            // beyond 64 bits), so the file still opens.
            Err(error) => match self.attempt(Some(0), false, truncate) {
                Ok(df) => Ok((df, Some(format!(
                    "no column types fit every value ({}); every column was read as text",
                    error.to_string().lines().next().unwrap_or_default()
                )))),
                Err(_) => Err(error),
            },
        }
    }

    /// The parse, and the rows whose field count differs from the header's. With quotes,
    /// records must be tokenized to count their fields: that runs beside a lenient parse.
    /// Without quotes, a strict parse rejects rows with extra fields and a delimiter count
    /// then proves that no row is short either; records are counted one by one only when
    /// that fails.
    #[allow(clippy::type_complexity)]
    fn parse_counting_rows(
        &self,
    ) -> (
        csv_text::RaggedRows,
        PolarsResult<(DataFrame, Option<String>)>,
    ) {
        let (text, delimiter) = (self.text, self.delimiter);
        let lenient = || {
            rayon::join(
                || csv_text::ragged_rows(text, delimiter),
                || self.parse_from(self.attempt(Some(INFER_ROWS), false, true), true),
            )
        };
        if memchr::memchr(b'"', text).is_some() {
            return lenient();
        }
        let (clean, strict) = rayon::join(
            || csv_text::no_short_rows(text, delimiter) == Some(true),
            || self.attempt(Some(INFER_ROWS), false, false),
        );
        match strict {
            // No row is longer than the header, so the rest of the chain can stay strict,
            // and only short rows (if the count says there are any) need counting.
            Ok(df) => {
                let ragged = if clean {
                    csv_text::RaggedRows::default()
                } else {
                    csv_text::ragged_rows(text, delimiter)
                };
                (ragged, self.parse_from(Ok(df), false))
            }
            // A longer row, or a type problem: the lenient chain sorts out which.
            Err(_) => lenient(),
        }
    }
}

/// After a plain parse: does a text column hold a missing-value marker or dates? Then the
/// parse with markers and date recognition is needed to type it as pandas would.
fn text_needs_full_parse(df: &DataFrame) -> bool {
    df.columns().iter().any(|c| {
        let Ok(ca) = c.as_materialized_series().str() else {
            return false;
        };
        ca.iter()
            .flatten()
            .next()
            .is_some_and(csv_text::looks_temporal)
            || ca.iter().flatten().any(csv_text::is_null_marker)
    })
}

fn path_ends_with(path: &Path, suffixes: &[&str]) -> bool {
    let name = path.to_string_lossy().to_lowercase();
    suffixes.iter().any(|s| name.ends_with(s))
}

fn memchr_last(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().rposition(|&b| b == needle)
}

fn read_json(
    path: &Path,
    bytes: &[u8],
    format: FileFormat,
    warnings: &mut Vec<String>,
) -> Result<DataFrame> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        PipelineError::bad_data(
            path,
            format!(
                "JSON must be UTF-8, but byte {} is not; re-save the file as UTF-8",
                e.valid_up_to()
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A .json file holding one object per line is NDJSON; accept it either way.
    let format = if format == FileFormat::Json && text.trim_start().starts_with('{') {
        FileFormat::Ndjson
    } else {
        format
    };
    let json_format = match format {
        FileFormat::Ndjson => JsonFormat::JsonLines,
        _ => JsonFormat::Json,
    };
    let read = JsonReader::new(Cursor::new(text.as_bytes()))
        .with_json_format(json_format)
        .finish();
    match read {
        Ok(df) => Ok(df),
        // Values polars cannot type together (a key holding numbers and text): read the
        // records value by value instead; if they are not records, polars' error stands.
        Err(e) => match json_rows::read(text, format == FileFormat::Ndjson) {
            Some((df, note)) => {
                warnings.extend(note);
                Ok(df)
            }
            None => Err(polars_error(path, "JSON", e)),
        },
    }
}

/// Turn a polars error into one that names the file and keeps only the useful first part.
fn polars_error(path: &Path, what: &str, error: PolarsError) -> PipelineError {
    let text = error.to_string();
    let first = text
        .split("\n\n")
        .next()
        .unwrap_or(&text)
        .trim()
        .replace('\n', " ");
    // The parser's message may quote the data: keep a short excerpt, never the file.
    let first = crate::pipeline::text::truncate(&first, 300);
    PipelineError::bad_data(
        path,
        format!("cannot read as {what}: {}", escape_control(&first)),
    )
}

/// Decimal columns (Parquet, Arrow) are numbers like any other: read them as floats.
fn numbers_as_floats(mut df: DataFrame) -> Result<DataFrame> {
    for i in 0..df.width() {
        let s = df.columns()[i].as_materialized_series();
        if matches!(s.dtype(), DataType::Decimal(_, _)) {
            let cast = s.cast(&DataType::Float64)?;
            df.replace_column(i, cast.into())?;
        }
    }
    Ok(df)
}

/// NaN is a missing value (as in pandas): float columns get nulls where they hold NaN.
fn nan_to_null(mut df: DataFrame) -> Result<DataFrame> {
    for i in 0..df.width() {
        let s = df.columns()[i].as_materialized_series();
        let fixed = match s.dtype() {
            DataType::Float32 => {
                let ca = s.f32()?;
                let nan = ca.is_nan();
                if !nan.any() {
                    continue;
                }
                ca.set(&nan, None)?.into_series()
            }
            DataType::Float64 => {
                let ca = s.f64()?;
                let nan = ca.is_nan();
                if !nan.any() {
                    continue;
                }
                ca.set(&nan, None)?.into_series()
            }
            _ => continue,
        };
        df.replace_column(i, fixed.into())?;
    }
    Ok(df)
}

/// Give empty headers a name and make duplicate names unique, warning about each change.
fn clean_column_names(mut df: DataFrame, warnings: &mut Vec<String>) -> DataFrame {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut renamed = Vec::new();
    let mut new_names = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        // polars marks repeated headers as `name_duplicated_N`; undo that, then name blanks.
        let base = name
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .strip_suffix("_duplicated_")
            .filter(|_| name.ends_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(name);
        let trimmed = base.trim();
        let candidate = if trimmed.is_empty() {
            format!("column_{}", i + 1)
        } else {
            base.to_string()
        };
        let mut unique = candidate.clone();
        let mut k = 1;
        while seen.contains(&unique) {
            unique = format!("{candidate}.{k}");
            k += 1;
        }
        seen.insert(unique.clone());
        if unique != *name {
            renamed.push(format!(
                "{} → {}",
                if trimmed.is_empty() {
                    format!("(empty header in column {})", i + 1)
                } else {
                    format!("'{}'", escape_control(name))
                },
                escape_control(&unique)
            ));
        }
        new_names.push(unique);
    }
    if !renamed.is_empty() {
        if let Err(e) = df.set_column_names(&new_names) {
            warnings.push(format!("could not rename columns: {e}"));
            return df;
        }
        warnings.push(format!(
            "renamed {} empty or duplicate header{}: {}",
            renamed.len(),
            if renamed.len() == 1 { "" } else { "s" },
            renamed.join(", ")
        ));
    }
    df
}

/// blake3 of a file's bytes (multi-threaded for large inputs).
pub fn hash_bytes(bytes: &[u8]) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    if bytes.len() > (1 << 20) {
        hasher.update_rayon(bytes);
    } else {
        hasher.update(bytes);
    }
    hasher.finalize()
}

/// The dataset fingerprint: blake3 over the bytes' hash and the canonical schema
/// (`name:dtype` lines), as hex.
pub fn fingerprint(data_hash: &blake3::Hash, df: &DataFrame) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(data_hash.as_bytes());
    for (name, dtype) in df.schema().iter() {
        hasher.update(name.as_bytes());
        hasher.update(b":");
        hasher.update(dtype.to_string().as_bytes());
        hasher.update(b"\n");
    }
    hasher.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_magic_beats_extension() {
        assert_eq!(
            detect_format(Path::new("x.csv"), b"PAR1...."),
            FileFormat::Parquet
        );
        assert_eq!(detect_format(Path::new("x.dat"), b"a,b\n"), FileFormat::Csv);
        assert_eq!(
            detect_format(Path::new("x"), b"  [{\"a\":1}]"),
            FileFormat::Json
        );
        assert_eq!(
            detect_format(Path::new("x"), b"{\"a\":1}\n"),
            FileFormat::Ndjson
        );
        assert_eq!(
            detect_format(Path::new("x.jsonl.gz"), b"{"),
            FileFormat::Ndjson
        );
    }
}
