//! Reading a file in batches of rows, for passes that must not hold the whole table in memory:
//! CSV in chunks of whole records (quote-aware), Parquet in row slices. Other formats, and
//! gzip-compressed files, are read whole as a single batch.

use std::io::{Cursor, Read};
use std::path::Path;

use polars::prelude::*;

use super::{
    FileFormat, LoadOptions, clean_column_names, detect_format, fingerprint, hash_bytes, load,
    map_file, nan_to_null, numbers_as_floats, parse, polars_error,
};
use crate::pipeline::error::{PipelineError, Result};
use crate::pipeline::progress::{CancelFlag, Progress, ProgressFn, Stage};

/// Bytes of CSV (or of decoded Parquet values) per batch in a streaming pass.
pub const BATCH_BYTES: usize = 64 << 20;

/// What a batched read learned about the whole file.
#[derive(Clone, Debug)]
pub struct BatchedFile {
    pub rows: u64,
    pub fingerprint: String,
    /// False when the format cannot be split, so the file was read whole.
    pub batched: bool,
}

/// Call `each` on every batch of the file's rows, in order. Progress goes on stage `read` in
/// bytes (CSV) or rows (Parquet); `cancel` is checked between batches.
pub fn for_each_batch(
    path: &Path,
    batch_bytes: usize,
    cancel: &CancelFlag,
    progress: ProgressFn,
    each: &mut dyn FnMut(DataFrame) -> Result<()>,
) -> Result<BatchedFile> {
    crate::pipeline::error::catch_reader_panics(path, || {
        batches(path, batch_bytes, cancel, progress, each)
    })
}

fn batches(
    path: &Path,
    batch_bytes: usize,
    cancel: &CancelFlag,
    progress: ProgressFn,
    each: &mut dyn FnMut(DataFrame) -> Result<()>,
) -> Result<BatchedFile> {
    let meta = crate::pipeline::files::regular_file(path)?;
    let bytes = if meta.len() > 0 {
        Some(map_file(path)?)
    } else {
        None
    };
    let splittable = bytes.as_deref().map(|b| {
        let gzip = b.starts_with(&[0x1f, 0x8b]);
        let utf16 = b.starts_with(&[0xff, 0xfe]) || b.starts_with(&[0xfe, 0xff]);
        (!gzip && !utf16).then(|| detect_format(path, b))
    });
    let (Some(bytes), Some(Some(format @ (FileFormat::Csv | FileFormat::Parquet)))) =
        (bytes, splittable)
    else {
        // One batch: the whole table, read the usual way.
        let d = load(path, &LoadOptions::default(), cancel, progress)?;
        let rows = d.df.height() as u64;
        each(d.df)?;
        return Ok(BatchedFile {
            rows,
            fingerprint: d.fingerprint,
            batched: false,
        });
    };
    let mut sink = Sink {
        rows: 0,
        cancel,
        each,
    };
    let (schema, hash) = match format {
        FileFormat::Parquet => {
            let schema = parquet_batches(path, &bytes, batch_bytes, progress, &mut sink)?;
            (schema, hash_bytes(&bytes))
        }
        _ => {
            // Read in blocks rather than from the map, so the pages of a file larger than
            // memory are not all held; the fingerprint's hash is taken block by block.
            drop(bytes);
            csv_batches(path, meta.len(), batch_bytes, progress, &mut sink)?
        }
    };
    if schema.width() == 0 {
        return Err(PipelineError::bad_data(path, "the file has no columns"));
    }
    Ok(BatchedFile {
        rows: sink.rows,
        fingerprint: fingerprint(&hash, &schema),
        batched: true,
    })
}

/// Where batches go: counted, then handed on, with a cancel check between them.
struct Sink<'a> {
    rows: u64,
    cancel: &'a CancelFlag,
    each: &'a mut dyn FnMut(DataFrame) -> Result<()>,
}

impl Sink<'_> {
    fn push(&mut self, df: DataFrame) -> Result<()> {
        self.cancel.check()?;
        self.rows += df.height() as u64;
        (self.each)(df)
    }
}

/// A Parquet file in slices of about `batch_bytes`; returns its (empty) schema.
fn parquet_batches(
    path: &Path,
    bytes: &[u8],
    batch_bytes: usize,
    progress: ProgressFn,
    sink: &mut Sink,
) -> Result<DataFrame> {
    let total = ParquetReader::new(Cursor::new(bytes))
        .num_rows()
        .map_err(|e| polars_error(path, "Parquet", e))?;
    let probe = ParquetReader::new(Cursor::new(bytes))
        .with_slice(Some((0, 1)))
        .finish()
        .map_err(|e| polars_error(path, "Parquet", e))?;
    let step = (batch_bytes / (16 * probe.width().max(1))).max(1);
    let schema = numbers_as_floats(probe)?.clear();
    let mut offset = 0;
    while offset < total {
        let len = step.min(total - offset);
        let df = ParquetReader::new(Cursor::new(bytes))
            .with_slice(Some((offset, len)))
            .finish()
            .map_err(|e| polars_error(path, "Parquet", e))?;
        let df = numbers_as_floats(nan_to_null(clean_column_names(df, &mut Vec::new()))?)?;
        sink.push(df)?;
        offset += len;
        progress(Progress::new(Stage::Read, offset as u64, total as u64));
    }
    Ok(schema)
}

/// A CSV file in blocks of whole records of about `batch_bytes`, each parsed with the
/// header; returns the schema of the first block and the hash of the file's bytes.
fn csv_batches(
    path: &Path,
    total: u64,
    batch_bytes: usize,
    progress: ProgressFn,
    sink: &mut Sink,
) -> Result<(DataFrame, blake3::Hash)> {
    let mut file = std::fs::File::open(path).map_err(|e| PipelineError::io(path, e))?;
    let mut hasher = blake3::Hasher::new();
    let mut first_schema: Option<DataFrame> = None;
    let mut buf: Vec<u8> = Vec::new();
    let mut header: Option<Vec<u8>> = None;
    let mut scanner: Option<RecordScanner> = None;
    let (mut consumed, mut eof) = (0u64, false);
    while !eof || !buf.is_empty() {
        if !eof {
            let before = buf.len();
            (&mut file)
                .take(batch_bytes.max(1 << 16) as u64)
                .read_to_end(&mut buf)
                .map_err(|e| PipelineError::io(path, e))?;
            hasher.update(&buf[before..]);
            eof = buf.len() == before;
        }
        let scan = scanner.get_or_insert_with(|| RecordScanner::new(sniff(path, &buf)));
        scan.scan(&buf);
        if header.is_none() {
            match scan.first {
                Some(end) => {
                    header = Some(buf.drain(..end).collect());
                    scan.consumed(end);
                }
                None if eof => header = Some(std::mem::take(&mut buf)),
                None => continue,
            }
        }
        // Whole records only, unless the file has ended.
        let cut = if eof { buf.len() } else { scan.last };
        // Nothing new to parse (a header-only file still gives its empty table once).
        if cut == 0 && (!eof || first_schema.is_some()) {
            continue;
        }
        let head = header.as_deref().unwrap_or_default();
        let mut chunk = Vec::with_capacity(head.len() + cut);
        chunk.extend_from_slice(head);
        chunk.extend_from_slice(&buf[..cut]);
        buf.drain(..cut);
        scan.consumed(cut);
        let options = LoadOptions {
            preview: false,
            delimiter: Some(scan.delimiter),
        };
        let (df, _) = parse(path, &chunk, FileFormat::Csv, &options, &mut Vec::new())?;
        drop(chunk);
        let df = numbers_as_floats(nan_to_null(clean_column_names(df, &mut Vec::new()))?)?;
        if first_schema.is_none() {
            first_schema = Some(df.clear());
        }
        sink.push(df)?;
        consumed += cut as u64;
        progress(Progress::new(Stage::Read, consumed, total));
    }
    Ok((first_schema.unwrap_or_default(), hasher.finalize()))
}

/// The delimiter of a CSV file from its first bytes, as the loader sniffs it.
fn sniff(path: &Path, text: &[u8]) -> u8 {
    let name = path.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let default = if name.ends_with(".tsv") || name.ends_with(".tab") {
        b'\t'
    } else if name.ends_with(".psv") {
        b'|'
    } else {
        b','
    };
    super::sniff_delimiter(text, default)
}

/// Where records end in CSV text read block by block. A quote opens a quoted field only at
/// the start of a field, as the parser reads it (a stray `"` inside a value is a character),
/// and the scan resumes where it stopped, so each byte is read once.
struct RecordScanner {
    delimiter: u8,
    /// Bytes of the buffer scanned so far.
    pos: usize,
    in_quotes: bool,
    field_start: bool,
    /// One past the first and the last record end seen in the buffer.
    first: Option<usize>,
    last: usize,
}

impl RecordScanner {
    fn new(delimiter: u8) -> RecordScanner {
        RecordScanner {
            delimiter,
            pos: 0,
            in_quotes: false,
            field_start: true,
            first: None,
            last: 0,
        }
    }

    /// Scan the bytes of `buf` not scanned yet.
    fn scan(&mut self, buf: &[u8]) {
        let mut i = self.pos;
        while i < buf.len() {
            if self.in_quotes {
                let Some(k) = memchr::memchr(b'"', &buf[i..]) else {
                    i = buf.len();
                    break;
                };
                i += k;
                match buf.get(i + 1) {
                    Some(b'"') => i += 2,
                    // The next block decides whether this quote is doubled.
                    None => break,
                    Some(_) => {
                        self.in_quotes = false;
                        i += 1;
                    }
                }
                continue;
            }
            let Some(k) = memchr::memchr3(b'"', b'\n', self.delimiter, &buf[i..]) else {
                self.field_start &= i == buf.len();
                i = buf.len();
                break;
            };
            if k > 0 {
                self.field_start = false;
            }
            i += k;
            match buf[i] {
                b'\n' => {
                    self.last = i + 1;
                    self.first.get_or_insert(i + 1);
                    self.field_start = true;
                }
                b'"' if self.field_start => {
                    self.in_quotes = true;
                    self.field_start = false;
                }
                b'"' => {}
                _ => self.field_start = true,
            }
            i += 1;
        }
        self.pos = i;
    }

    /// The buffer's first `n` bytes were taken away.
    fn consumed(&mut self, n: usize) {
        self.pos -= n.min(self.pos);
        self.last = self.last.saturating_sub(n);
        self.first = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_skip_quoted_newlines_and_stray_quotes() {
        let text = b"a,b\n1,\"x\ny\"\n2,\"q\"\"\nr\"\n3,O\"Brien\n4,12\"\n5,z";
        // Fed one byte at a time and all at once, the same boundaries.
        for step in [1, text.len()] {
            let mut scan = RecordScanner::new(b',');
            let mut ends = Vec::new();
            for end in (step..text.len() + step).step_by(step) {
                let before = scan.last;
                scan.scan(&text[..end.min(text.len())]);
                if scan.last != before {
                    ends.push(scan.last);
                }
            }
            assert_eq!(scan.first, Some(4));
            let want = [4, 12, 22, 32, 38];
            assert_eq!(ends.last(), want.last(), "step {step}");
            if step == 1 {
                assert_eq!(ends, want);
            }
        }
        let mut open = RecordScanner::new(b',');
        open.scan(b"1,\"open\nquote");
        assert_eq!((open.first, open.last), (None, 0));
    }
}
