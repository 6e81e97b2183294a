//! Checks on untrusted bytes before a parser sees them: binary content, UTF-16/UTF-32 without
//! a byte-order mark, JSON nested too deep for a table, decompression past a sane size.

use std::io::Read;
use std::path::Path;

use crate::pipeline::error::{PipelineError, Result};

/// Bytes at the start of a text file that are looked at for binary content.
const SNIFF_BYTES: usize = 64 * 1024;
/// Deepest JSON nesting accepted: a table's rows are objects (depth 2 in an array), and a
/// cell may hold a little structure; anything deeper is not a table.
pub const MAX_JSON_DEPTH: usize = 64;

/// Refuse text-format bytes that are not text: NUL bytes (anywhere), UTF-16 or UTF-32, the
/// signature of a well-known binary format, or a head full of control bytes (the first 64 KB).
pub fn refuse_binary(path: &Path, bytes: &[u8]) -> Result<()> {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if let Some(what) = known_binary(head) {
        return Err(PipelineError::bad_data(
            path,
            format!("is {what}, not a text table; export the data as CSV, Parquet or JSON"),
        ));
    }
    if let Some((encoding, bom)) = wide_encoding(head) {
        let what = if bom {
            format!("the file is {encoding}")
        } else {
            format!(
                "looks like {encoding} text without a byte-order mark (zero bytes between the letters)"
            )
        };
        return Err(PipelineError::bad_data(
            path,
            format!("{what}; re-save it as UTF-8 (e.g. iconv -f {encoding} -t UTF-8)"),
        ));
    }
    // NUL bytes anywhere (memchr scans gigabytes per second): text never holds them.
    if let Some(at) = memchr::memchr(0, bytes) {
        let line = memchr::memchr_iter(b'\n', &bytes[..at]).count() + 1;
        return Err(PipelineError::bad_data(
            path,
            format!("line {line} holds binary data (NUL bytes); this is not a text table"),
        ));
    }
    // Control characters other than tab, newlines, form feed and escape are rare in text:
    // a head made of many of them is binary.
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    if head.len() >= 64 && control * 10 > head.len() {
        return Err(PipelineError::bad_data(
            path,
            "holds binary data (control bytes), not a text table",
        ));
    }
    Ok(())
}

/// The name of a binary format recognised by its first bytes.
fn known_binary(head: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (
            b"PK\x03\x04",
            "a zip archive (an Excel .xlsx workbook is one)",
        ),
        (b"\xd0\xcf\x11\xe0", "an old Office document (.xls)"),
        (b"SQLite format 3", "an SQLite database"),
        (b"\x7fELF", "a program (ELF)"),
        (b"BZh", "a bzip2 archive"),
        (b"\xfd7zXZ", "an xz archive"),
        (b"7z\xbc\xaf", "a 7z archive"),
        (
            b"\x28\xb5\x2f\xfd",
            "zstd-compressed data; decompress it first (zstd -d)",
        ),
        (b"ARROW1", "an Arrow IPC file that could not be read"),
        (b"PAR1", "a Parquet file that could not be read"),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, what)| *what)
}

/// UTF-16 or UTF-32, and whether a byte-order mark says so; without one, ASCII text in them
/// has zero bytes at fixed offsets.
fn wide_encoding(head: &[u8]) -> Option<(&'static str, bool)> {
    if head.starts_with(b"\xff\xfe\x00\x00") || head.starts_with(b"\x00\x00\xfe\xff") {
        return Some(("UTF-32", true));
    }
    if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
        return Some(("UTF-16", true));
    }
    let n = head.len() - head.len() % 4;
    if n < 8 {
        return None;
    }
    let zeros_at = |modulus: usize, offset: usize| {
        head[..n]
            .iter()
            .enumerate()
            .filter(|(i, b)| i % modulus == offset && **b == 0)
            .count()
    };
    // Mostly zero where a wide encoding pads ASCII, mostly not where the characters are.
    let zero_share =
        |modulus: usize, offset: usize| zeros_at(modulus, offset) as f64 / (n / modulus) as f64;
    let padded = |modulus: usize, text_at: usize| {
        zero_share(modulus, text_at) <= 0.1
            && (0..modulus)
                .filter(|&o| o != text_at)
                .all(|o| zero_share(modulus, o) >= 0.9)
    };
    let encoding = if padded(4, 0) || padded(4, 3) {
        "UTF-32"
    } else if padded(2, 0) {
        "UTF-16LE"
    } else if padded(2, 1) {
        "UTF-16BE"
    } else {
        return None;
    };
    Some((encoding, false))
}

/// Refuse JSON nested deeper than [`MAX_JSON_DEPTH`] before a recursive parser sees it (a
/// 6 KB file of nested objects would otherwise overflow the stack). Strings are skipped.
pub fn refuse_deep_json(path: &Path, bytes: &[u8]) -> Result<()> {
    let (mut depth, mut line) = (0usize, 1usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in bytes {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(PipelineError::bad_data(
                        path,
                        format!(
                            "line {line}: JSON nested more than {MAX_JSON_DEPTH} levels deep; a \
                             table is an array of flat objects (or one object per line)"
                        ),
                    ));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'\n' => line += 1,
            _ => {}
        }
    }
    Ok(())
}

/// Decompress a gzip stream, refusing binary content as soon as its first block is out and
/// stopping past `limit` bytes (a small file can expand without end). A preview reads only
/// `preview_limit` bytes and accepts a stream cut off there.
pub fn gunzip(
    path: &Path,
    raw: &[u8],
    limit: u64,
    preview_limit: Option<u64>,
    text: bool,
) -> Result<Vec<u8>> {
    let mut decoder = flate2::read::MultiGzDecoder::new(raw);
    let cap = preview_limit.unwrap_or(limit);
    let mut out = Vec::with_capacity(raw.len().saturating_mul(4).min(cap as usize));
    let mut checked = false;
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = match decoder.read(&mut chunk) {
            Ok(n) => n,
            // A preview reads only the start of the file: a cut-off stream is expected there.
            Err(_) if preview_limit.is_some() && !out.is_empty() => break,
            Err(e) => {
                return Err(PipelineError::bad_data(
                    path,
                    format!("the gzip stream is corrupt or truncated ({e}); check the file"),
                ));
            }
        };
        if n == 0 {
            break;
        }
        out.extend_from_slice(&chunk[..n]);
        if text && !checked && (out.len() >= SNIFF_BYTES || n < chunk.len()) {
            refuse_binary(path, &out)?;
            checked = true;
        }
        if out.len() as u64 >= cap {
            if preview_limit.is_some() {
                out.truncate(cap as usize);
                break;
            }
            return Err(PipelineError::bad_data(
                path,
                format!(
                    "decompresses to more than {} MB, more than this machine can hold; \
                     decompress it yourself and read the file with a streaming pass \
                     (mlwb drift --stream)",
                    limit >> 20
                ),
            ));
        }
    }
    if text && !checked {
        refuse_binary(path, &out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_wide_text_are_refused() {
        let p = Path::new("f.csv");
        assert!(refuse_binary(p, b"a,b\n1,2\n").is_ok());
        assert!(refuse_binary(p, b"a,b\n1,\x1b[31mred\x1b[0m\n").is_ok());
        let nul = refuse_binary(p, b"a,b\n1,2\n3\x004\n")
            .unwrap_err()
            .to_string();
        assert!(nul.contains("line 3"), "{nul}");
        let utf16: Vec<u8> = "a,b\n1,2\n3,4\n".bytes().flat_map(|b| [b, 0]).collect();
        assert!(
            refuse_binary(p, &utf16)
                .unwrap_err()
                .to_string()
                .contains("UTF-16LE")
        );
        let utf16be: Vec<u8> = "a,b\n1,2\n3,4\n".bytes().flat_map(|b| [0, b]).collect();
        assert!(
            refuse_binary(p, &utf16be)
                .unwrap_err()
                .to_string()
                .contains("UTF-16BE")
        );
        let utf32: Vec<u8> = "a,b\n1,2\n3,4\n"
            .bytes()
            .flat_map(|b| [b, 0, 0, 0])
            .collect();
        assert!(
            refuse_binary(p, &utf32)
                .unwrap_err()
                .to_string()
                .contains("UTF-32")
        );
        assert!(
            refuse_binary(p, b"%PDF-1.4\n...")
                .unwrap_err()
                .to_string()
                .contains("PDF")
        );
        assert!(refuse_binary(p, &[0u8; 100]).is_err());
    }

    #[test]
    fn deep_json_is_refused_before_parsing() {
        let p = Path::new("f.json");
        assert!(refuse_deep_json(p, br#"[{"a": {"b": [1, 2]}, "s": "[[[[{{{{"}]"#).is_ok());
        let deep = format!("{}{}", "{\"a\":".repeat(1000), "}".repeat(1000));
        let e = refuse_deep_json(p, deep.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(e.contains("nested more than 64"), "{e}");
        // Brackets inside strings, escaped quotes included, do not count.
        let quoted = format!("[\"\\\"{}\"]", "[".repeat(500));
        assert!(refuse_deep_json(p, quoted.as_bytes()).is_ok());
    }

    #[test]
    fn gunzip_stops_at_its_limit_and_on_binary() {
        use std::io::Write;
        let gz = |data: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        };
        let p = Path::new("f.csv.gz");
        let text = b"a,b\n1,2\n".repeat(1000);
        assert_eq!(gunzip(p, &gz(&text), 1 << 30, None, true).unwrap(), text);
        let e = gunzip(p, &gz(&text), 100, None, true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("decompresses to more than"), "{e}");
        assert_eq!(
            gunzip(p, &gz(&text), 1 << 30, Some(100), true)
                .unwrap()
                .len(),
            100
        );
        let zeros = vec![0u8; 4 << 20];
        let e = gunzip(p, &gz(&zeros), 1 << 40, None, true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("NUL"), "{e}");
        assert!(gunzip(p, b"\x1f\x8b\x08\x00garbage", 1 << 30, None, true).is_err());
    }
}
