//! Reading a file in batches of rows, for passes that must not hold the whole table in memory:
//! CSV in chunks of whole records (quote-aware), Parquet in row slices. Other formats, and
//! gzip-compressed files, are read whole as a single batch.

use std::io::{Cursor, Read};
use std::path::Path;

use polars::prelude::*;

use super::{
    FileFormat, LoadOptions, clean_column_names, detect_format, fingerprint, hash_bytes, load,
    map_file, nan_to_null, parse, polars_error,
};
use crate::pipeline::error::{PipelineError, Result};
use crate::pipeline::progress::{CancelFlag, Progress, ProgressFn};

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
    let meta = std::fs::metadata(path).map_err(|e| PipelineError::io(path, e))?;
    let bytes = if meta.is_file() && meta.len() > 0 {
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
    let mut first_schema: Option<DataFrame> = None;
    let mut rows = 0u64;
    let mut take = |df: DataFrame, first: &mut Option<DataFrame>| -> Result<()> {
        cancel.check()?;
        if first.is_none() {
            *first = Some(df.clear());
        }
        rows += df.height() as u64;
        each(df)
    };
    match format {
        FileFormat::Parquet => {
            let total = ParquetReader::new(Cursor::new(&bytes[..]))
                .num_rows()
                .map_err(|e| polars_error(path, "Parquet", e))?;
            let mut probe = ParquetReader::new(Cursor::new(&bytes[..]))
                .with_slice(Some((0, 1)))
                .finish()
                .map_err(|e| polars_error(path, "Parquet", e))?;
            let step = (batch_bytes / (16 * probe.width().max(1))).max(1);
            probe = probe.clear();
            first_schema = Some(probe);
            let mut offset = 0;
            while offset < total {
                let len = step.min(total - offset);
                let df = ParquetReader::new(Cursor::new(&bytes[..]))
                    .with_slice(Some((offset, len)))
                    .finish()
                    .map_err(|e| polars_error(path, "Parquet", e))?;
                let df = nan_to_null(clean_column_names(df, &mut Vec::new()))?;
                take(df, &mut None)?;
                offset += len;
                progress(Progress::new("read", offset as u64, total as u64));
            }
        }
        _ => {
            // Read in blocks rather than from the map, so the pages of a file larger than
            // memory are not all held; the fingerprint's hash is taken block by block.
            drop(bytes);
            let total = meta.len();
            let mut file = std::fs::File::open(path).map_err(|e| PipelineError::io(path, e))?;
            let mut hasher = blake3::Hasher::new();
            let mut buf: Vec<u8> = Vec::new();
            let mut header: Option<Vec<u8>> = None;
            let mut delimiter = None;
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
                if header.is_none() {
                    match record_end(&buf, 0) {
                        Some(end) => header = Some(buf.drain(..end).collect()),
                        None if eof => header = Some(std::mem::take(&mut buf)),
                        None => continue,
                    }
                }
                // Whole records only, unless the file has ended.
                let cut = if eof { buf.len() } else { last_boundary(&buf) };
                // Nothing new to parse (a header-only file still gives its empty table once).
                if cut == 0 && (!eof || first_schema.is_some()) {
                    continue;
                }
                let head = header.as_deref().unwrap_or_default();
                let mut chunk = Vec::with_capacity(head.len() + cut);
                chunk.extend_from_slice(head);
                chunk.extend_from_slice(&buf[..cut]);
                buf.drain(..cut);
                let options = LoadOptions {
                    preview: false,
                    delimiter,
                };
                let (df, d) = parse(path, &chunk, FileFormat::Csv, &options, &mut Vec::new())?;
                drop(chunk);
                delimiter = delimiter.or(d);
                let df = nan_to_null(clean_column_names(df, &mut Vec::new()))?;
                take(df, &mut first_schema)?;
                consumed += cut as u64;
                progress(Progress::new("read", consumed, total));
            }
            let schema = first_schema.unwrap_or_default();
            if schema.width() == 0 {
                return Err(PipelineError::bad_data(path, "the file has no columns"));
            }
            return Ok(BatchedFile {
                rows,
                fingerprint: fingerprint(&hasher.finalize(), &schema),
                batched: true,
            });
        }
    }
    let schema = first_schema.unwrap_or_default();
    if schema.width() == 0 {
        return Err(PipelineError::bad_data(path, "the file has no columns"));
    }
    Ok(BatchedFile {
        rows,
        fingerprint: fingerprint(&hash_bytes(&bytes), &schema),
        batched: true,
    })
}

/// The end (one past the newline) of the record starting at `from`, quotes respected.
fn record_end(text: &[u8], from: usize) -> Option<usize> {
    let mut in_quotes = false;
    let mut i = from;
    while let Some(k) = memchr::memchr2(b'"', b'\n', &text[i..]) {
        i += k;
        if text[i] == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// One past the last record boundary in `text` (0 when there is none). A newline inside quotes
/// is not a boundary: quotes are counted from the start, itself a boundary, so an escaped quote
/// (`""`) keeps the count even.
fn last_boundary(text: &[u8]) -> usize {
    let mut in_quotes = false;
    let mut last = 0;
    let mut i = 0;
    while let Some(k) = memchr::memchr2(b'"', b'\n', &text[i..]) {
        i += k;
        if text[i] == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            last = i + 1;
        }
        i += 1;
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_skip_quoted_newlines() {
        let text = b"a,b\n1,\"x\ny\"\n2,\"q\"\"\nr\"\n3,z";
        assert_eq!(record_end(text, 0), Some(4));
        let body = &text[4..];
        assert_eq!(
            &body[..last_boundary(body)],
            b"1,\"x\ny\"\n2,\"q\"\"\nr\"\n"
        );
        assert_eq!(last_boundary(b"1,\"open\nquote"), 0);
    }
}
