//! Byte-level facts about delimited text: encoding, delimiter sniffing, ragged-row counts.

use std::borrow::Cow;
use std::path::Path;

use rayon::prelude::*;

use crate::pipeline::error::{PipelineError, Result};

/// Cell values read as missing: pandas' default `na_values`, plus `?` (common in UCI files).
pub const NULL_MARKERS: &[&str] = &[
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null", "?",
];

/// Is this cell text one of [`NULL_MARKERS`]? (A cheap first-byte test rejects most text.)
pub fn is_null_marker(s: &str) -> bool {
    match s.as_bytes().first() {
        None => true,
        Some(b'#' | b'-' | b'1' | b'<' | b'N' | b'n' | b'?') if s.len() <= 9 => {
            NULL_MARKERS.contains(&s)
        }
        Some(_) => false,
    }
}

/// Could this text be a date or datetime (`2024-01-31`, `31/01/2024`, `2024-01-31 10:00`)?
/// Loose on purpose: a false positive only costs a slower parse that then decides.
pub fn looks_temporal(s: &str) -> bool {
    let s = s.trim();
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    (8..=40).contains(&s.len())
        && digits >= 6
        && s.bytes().any(|b| matches!(b, b'-' | b'/' | b':'))
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b"-/:. TZ+".contains(&b))
}

/// Windows-1252 code points for bytes 0x80..=0x9F (undefined bytes map to their C1 control).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// The text as UTF-8 without a BOM. Bytes that are not UTF-8 are decoded as Windows-1252
/// (the usual "latin-1" of spreadsheets) with a warning naming the first bad line.
pub fn to_utf8<'a>(
    path: &Path,
    bytes: &'a [u8],
    warnings: &mut Vec<String>,
) -> Result<Cow<'a, [u8]>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return Err(PipelineError::bad_data(
            path,
            "the file is UTF-16; re-save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => Ok(Cow::Borrowed(bytes)),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            if bytes.contains(&0) {
                return Err(PipelineError::bad_data(
                    path,
                    format!("line {line} holds binary data (NUL bytes); this is not a text table"),
                ));
            }
            warnings.push(format!(
                "the file is not UTF-8 (first bad byte on line {line}); it was decoded as Windows-1252/Latin-1. Re-save it as UTF-8 if the accents look wrong"
            ));
            let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
            for &b in bytes {
                out.push(match b {
                    0x80..=0x9f => CP1252_HIGH[(b - 0x80) as usize],
                    _ => b as char,
                });
            }
            Ok(Cow::Owned(out.into_bytes()))
        }
    }
}

/// Walk the records of delimited text, calling `on_record(first_line, fields)` for each
/// non-blank record, until it returns false. RFC 4180 quoting: a quote opens a quoted field
/// only at the start of a field, `""` inside one is a literal quote, and delimiters and line
/// breaks inside quotes belong to the field.
///
/// Returns how quotes were used: the line on which a quoted field opens that the text never
/// closes, if any, and how many fields are quoted.
fn scan_records(
    text: &[u8],
    delimiter: u8,
    mut on_record: impl FnMut(usize, usize) -> bool,
) -> QuoteUse {
    let mut line = 1;
    let mut quote_line = 0;
    let mut quoted_fields = 0;
    let mut stray = 0;
    let mut record_line = 1;
    let mut fields = 1;
    let mut at_field_start = true;
    let mut in_quotes = false;
    let mut has_content = false;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        i += 1;
        if in_quotes {
            match b {
                b'"' if text.get(i) == Some(&b'"') => i += 1,
                b'"' => in_quotes = false,
                b'\n' => line += 1,
                _ => {}
            }
            continue;
        }
        match b {
            b'\n' => {
                if has_content && !on_record(record_line, fields) {
                    return QuoteUse {
                        unclosed_quote: None,
                        quoted_fields,
                        stray,
                    };
                }
                line += 1;
                record_line = line;
                fields = 1;
                at_field_start = true;
                has_content = false;
            }
            b'\r' => {}
            _ if b == delimiter => {
                fields += 1;
                at_field_start = true;
                has_content = true;
            }
            b'"' if at_field_start => {
                in_quotes = true;
                quote_line = line;
                quoted_fields += 1;
                at_field_start = false;
                has_content = true;
            }
            b'"' => {
                stray += 1;
                has_content = true;
            }
            _ => {
                at_field_start = false;
                has_content = true;
            }
        }
    }
    if has_content {
        on_record(record_line, fields);
    }
    QuoteUse {
        unclosed_quote: in_quotes.then_some(quote_line),
        quoted_fields,
        stray,
    }
}

/// How a text uses quotes, as [`scan_records`] saw them.
#[derive(Debug, Default, PartialEq)]
pub struct QuoteUse {
    /// The line on which a quoted field opens that is never closed.
    pub unclosed_quote: Option<usize>,
    /// Fields that open with a quote (quotes anywhere else are characters of a value).
    pub quoted_fields: usize,
    /// Quotes inside fields that do not open with one (`12" pipe`): characters of the value.
    pub stray: usize,
}

/// The text with every field that holds a stray quote (one inside a field that does not open
/// with a quote, as in `12" pipe`) quoted, its quotes doubled, so a parser that would take the
/// stray quote for an opening one reads the value as written (as Python's csv and pandas do).
pub fn quote_stray_quotes(text: &[u8], delimiter: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 64 + 16);
    let (mut in_quotes, mut at_field_start, mut quoted) = (false, true, false);
    let mut field_start = 0;
    let mut has_stray = false;
    // Rewrite the field that began at `start` in `out` if it held a stray quote.
    let finish = |out: &mut Vec<u8>, start: usize, has_stray: bool| {
        if !has_stray {
            return;
        }
        let mut end = out.len();
        if out[start..end].ends_with(b"\r") {
            end -= 1;
        }
        let tail = out.split_off(end);
        let field = out.split_off(start);
        out.push(b'"');
        for &b in &field {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
        out.extend_from_slice(&tail);
    };
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        i += 1;
        if in_quotes {
            out.push(b);
            if b == b'"' {
                if text.get(i) == Some(&b'"') {
                    out.push(b'"');
                    i += 1;
                } else {
                    in_quotes = false;
                }
            }
            continue;
        }
        if b == b'\n' || b == delimiter {
            finish(&mut out, field_start, has_stray && !quoted);
            out.push(b);
            field_start = out.len();
            (at_field_start, quoted, has_stray) = (true, false, false);
            continue;
        }
        if b == b'"' {
            if at_field_start {
                in_quotes = true;
                quoted = true;
            } else {
                has_stray = true;
            }
        }
        at_field_start = false;
        out.push(b);
    }
    finish(&mut out, field_start, has_stray && !quoted && !in_quotes);
    out
}

/// Pick the delimiter among `, ; \t |` whose field count is most consistent over the first
/// records (and greater than one). Falls back to `default`.
pub fn sniff_delimiter(text: &[u8], default: u8) -> u8 {
    let sample = &text[..text.len().min(256 * 1024)];
    let mut best = (default, 0usize); // (delimiter, records agreeing with the header)
    for delimiter in [default, b',', b';', b'\t', b'|'] {
        let mut header = None;
        let mut consistent = 0;
        let mut seen = 0;
        scan_records(sample, delimiter, |_, fields| {
            let h = *header.get_or_insert(fields);
            consistent += usize::from(fields == h && h > 1);
            seen += 1;
            seen < 100
        });
        if consistent > best.1 {
            best = (delimiter, consistent);
        }
    }
    best.0
}

/// Rows whose field count differs from the header's.
#[derive(Debug, Default, PartialEq)]
pub struct RaggedRows {
    pub header_fields: usize,
    pub longer: usize,
    pub shorter: usize,
    /// 1-based line number and field count of the first ragged row.
    pub first: Option<(usize, usize)>,
    /// How the text uses quotes (scanned only when it holds one).
    pub quotes: QuoteUse,
}

impl RaggedRows {
    fn record(&mut self, line: usize, fields: usize) {
        if self.header_fields == 0 {
            self.header_fields = fields;
        } else if fields != self.header_fields {
            if fields > self.header_fields {
                self.longer += 1;
            } else {
                self.shorter += 1;
            }
            self.first.get_or_insert((line, fields));
        }
    }

    /// A warning for the user, if any row is ragged.
    pub fn describe(&self, delimiter: u8) -> Option<String> {
        let (line, fields) = self.first?;
        let delim = match delimiter {
            b'\t' => "tab".to_string(),
            d => format!("'{}'", d as char),
        };
        let (what, effect) = match (self.longer, self.shorter) {
            (l, 0) => (
                format!("{l} row(s) have more fields"),
                "extra fields were dropped",
            ),
            (0, s) => (
                format!("{s} row(s) have fewer fields"),
                "the missing fields were read as null",
            ),
            (l, s) => (
                format!("{l} row(s) have more fields and {s} row(s) fewer"),
                "extra fields were dropped and missing ones read as null",
            ),
        };
        Some(format!(
            "{what} than the header's {} (delimiter {delim}; first: line {line} with {fields}); {effect}",
            self.header_fields
        ))
    }
}

/// A cheap test that no row has fewer fields than the header, valid when no row has more
/// (the parser rejects longer rows unless told to truncate): with no quotes, every line then
/// holds exactly `fields - 1` delimiters iff the totals match. `None` when it cannot tell.
pub fn no_short_rows(text: &[u8], delimiter: u8) -> Option<bool> {
    if memchr::memchr(b'"', text).is_some() {
        return None;
    }
    let header_end = memchr::memchr(b'\n', text)?;
    let header = &text[..header_end];
    let fields = 1 + header.iter().filter(|&&b| b == delimiter).count();
    let body = &text[header_end + 1..];
    let count = |byte: u8| {
        body.par_chunks(1 << 20)
            .map(|c| c.iter().filter(|&&b| b == byte).count())
            .sum::<usize>()
    };
    let lines = count(b'\n') + usize::from(body.last().is_some_and(|&b| b != b'\n'));
    Some(count(delimiter) == (fields - 1) * lines)
}

/// Count rows whose number of fields differs from the header's. Text without any quote
/// character takes a fast path (lines and delimiter counts); otherwise records are tokenized.
pub fn ragged_rows(text: &[u8], delimiter: u8) -> RaggedRows {
    let mut out = RaggedRows::default();
    if memchr::memchr(b'"', text).is_none() {
        // No quotes: records are lines, so the body can be split and counted in parallel.
        let mut body = text;
        let mut line = 0;
        while out.header_fields == 0 && !body.is_empty() {
            let end = memchr::memchr(b'\n', body).unwrap_or(body.len());
            let l = &body[..end];
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            line += 1;
            if !l.is_empty() {
                out.header_fields = 1 + l.iter().filter(|&&b| b == delimiter).count();
            }
            body = body.get(end + 1..).unwrap_or(&[]);
        }
        let parts = split_at_newlines(body, rayon::current_num_threads().max(1) * 4);
        let counted: Vec<LineCounts> = parts
            .par_iter()
            .map(|part| count_lines(part, delimiter, out.header_fields))
            .collect();
        for c in counted {
            out.longer += c.longer;
            out.shorter += c.shorter;
            if out.first.is_none() {
                out.first = c.first.map(|(l, f)| (line + l, f));
            }
            line += c.lines;
        }
    } else {
        out.quotes = scan_records(text, delimiter, |line, fields| {
            out.record(line, fields);
            true
        });
    }
    out
}

/// Lone CRs (old Mac line ends, or CR mixed with LF and CRLF) turned into LF, as pandas reads
/// them; `None` when every CR already ends a CRLF.
pub fn lone_cr_to_lf(text: &[u8]) -> Option<Vec<u8>> {
    let lone = |i: usize| text.get(i + 1) != Some(&b'\n');
    memchr::memchr_iter(b'\r', text).find(|&i| lone(i))?;
    let mut out = text.to_vec();
    for i in memchr::memchr_iter(b'\r', text) {
        if lone(i) {
            out[i] = b'\n';
        }
    }
    Some(out)
}

/// Is this line (without its `\n`) blank: empty, or only spaces, tabs and a CR (a tab counts
/// as blank only when it is not the delimiter)?
fn is_blank_line(line: &[u8], delimiter: u8) -> bool {
    line.iter()
        .all(|&b| b == b'\r' || ((b == b' ' || b == b'\t') && b != delimiter))
}

/// The text without its blank lines (as pandas' `skip_blank_lines`), and how many there were;
/// `None` when there are none. Lines inside a quoted field are kept whatever they hold.
pub fn drop_blank_lines(text: &[u8], delimiter: u8) -> Option<(Vec<u8>, usize)> {
    let lines = || {
        let mut start = 0;
        memchr::memchr_iter(b'\n', text)
            .chain((text.last() != Some(&b'\n')).then_some(text.len()))
            .map(move |end| {
                let span = (start, end);
                start = end + 1;
                span
            })
    };
    // Cheap first look: no blank line at all (inside quotes or not) means nothing to do.
    lines().find(|&(a, b)| is_blank_line(&text[a..b], delimiter))?;
    let quoted = memchr::memchr(b'"', text).is_some();
    let mut keep = Vec::new();
    let mut dropped = 0;
    if quoted {
        // Which lines start inside a quoted field: those are never blank lines of the table.
        let mut in_quotes = false;
        let mut at_field_start = true;
        for (a, b) in lines() {
            let blank = !in_quotes && is_blank_line(&text[a..b], delimiter);
            keep.push(!blank);
            dropped += usize::from(blank);
            let mut i = a;
            while i < b {
                let c = text[i];
                i += 1;
                if in_quotes {
                    match c {
                        b'"' if text.get(i) == Some(&b'"') && i < b => i += 1,
                        b'"' => in_quotes = false,
                        _ => {}
                    }
                } else if c == delimiter {
                    at_field_start = true;
                } else if c == b'"' && at_field_start {
                    in_quotes = true;
                    at_field_start = false;
                } else {
                    at_field_start = false;
                }
            }
            if !in_quotes {
                at_field_start = true;
            }
        }
    } else {
        for (a, b) in lines() {
            let blank = is_blank_line(&text[a..b], delimiter);
            keep.push(!blank);
            dropped += usize::from(blank);
        }
    }
    if dropped == 0 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len());
    for ((a, b), keep) in lines().zip(keep) {
        if keep {
            out.extend_from_slice(&text[a..b]);
            out.push(b'\n');
        }
    }
    Some((out, dropped))
}

/// Ragged-row counts of a run of whole lines.
struct LineCounts {
    lines: usize,
    longer: usize,
    shorter: usize,
    /// Line number within the run (1-based) and field count of the first ragged line.
    first: Option<(usize, usize)>,
}

fn count_lines(text: &[u8], delimiter: u8, header: usize) -> LineCounts {
    let mut c = LineCounts {
        lines: 0,
        longer: 0,
        shorter: 0,
        first: None,
    };
    let mut start = 0;
    let mut lines =
        memchr::memchr_iter(b'\n', text).chain((text.last() != Some(&b'\n')).then_some(text.len()));
    for end in lines.by_ref() {
        let line = &text[start..end];
        start = end + 1;
        c.lines += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let fields = 1 + line.iter().filter(|&&b| b == delimiter).count();
        if fields != header {
            if fields > header {
                c.longer += 1;
            } else {
                c.shorter += 1;
            }
            c.first.get_or_insert((c.lines, fields));
        }
    }
    c
}

/// Split text into about `n` runs of whole lines.
fn split_at_newlines(text: &[u8], n: usize) -> Vec<&[u8]> {
    let mut parts = Vec::with_capacity(n);
    let mut rest = text;
    let target = text.len().div_ceil(n).max(1 << 16);
    while !rest.is_empty() {
        let cut = if rest.len() <= target {
            rest.len()
        } else {
            memchr::memchr(b'\n', &rest[target..]).map_or(rest.len(), |i| target + i + 1)
        };
        parts.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2,5;3\n4;5;6\n", b','), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n", b','), b'\t');
        assert_eq!(sniff_delimiter(b"a,b\n\"x;y\",2\n", b','), b',');
        assert_eq!(sniff_delimiter(b"a|b|c\n1|2|3\n", b','), b'|');
        assert_eq!(sniff_delimiter(b"single\n1\n2\n", b','), b',');
    }

    #[test]
    fn counts_ragged_rows_outside_quotes() {
        let r = ragged_rows(b"a,b\n1,2\n\"x,\ny\",3\n1,2,3\n4\n", b',');
        assert_eq!(r.header_fields, 2);
        assert_eq!(r.longer, 1);
        assert_eq!(r.shorter, 1);
        assert_eq!(r.first, Some((5, 3)));
        assert_eq!(ragged_rows(b"a,b\r\n1,2\r\n", b',').first, None);
        // The quote-free fast path agrees with the tokenizer.
        let r = ragged_rows(b"a,b\n1,2\n1,2,3\n\n4\n", b',');
        assert_eq!((r.longer, r.shorter, r.first), (1, 1, Some((3, 3))));
        // Across the parallel split, line numbers stay right.
        let mut text = String::from("a,b\n");
        for i in 0..100_000 {
            text.push_str(if i == 77_777 { "1,2,3\n" } else { "1,2\n" });
        }
        let r = ragged_rows(text.as_bytes(), b',');
        assert_eq!((r.longer, r.shorter, r.first), (1, 0, Some((77_779, 3))));
        assert_eq!(no_short_rows(b"a,b\n1,2\n3,4\n", b','), Some(true));
        assert_eq!(no_short_rows(b"a,b\n1,2\n3\n", b','), Some(false));
        assert_eq!(no_short_rows(b"a,b\n1,2\n\n3,4", b','), Some(false));
        assert_eq!(no_short_rows(b"a,b\n\"1,2\",3\n", b','), None);
    }

    #[test]
    fn quotes_only_open_at_the_start_of_a_field() {
        // A stray inch mark inside an unquoted field must not swallow the rest of the file.
        let r = ragged_rows(b"item,size\npipe,12\" long\nbolt,3\n", b',');
        assert_eq!(r.first, None);
        assert_eq!(sniff_delimiter(b"a;b\n12\" x;1\n3;4\n", b','), b';');
        // An escaped quote inside a quoted field stays inside it.
        let r = ragged_rows(b"a,b\n\"say \"\"hi, there\"\"\",2\n", b',');
        assert_eq!(r.first, None);
    }

    #[test]
    fn stray_quotes_are_quoted_as_characters() {
        let text = b"item,size,n\r\npipe,12\" long,1\r\nnut,\"M8\",3\nsign,say \"hi\" x,4";
        let out = quote_stray_quotes(text, b',');
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "item,size,n\r\npipe,\"12\"\" long\",1\r\nnut,\"M8\",3\nsign,\"say \"\"hi\"\" x\",4"
        );
        let q = ragged_rows(text, b',').quotes;
        assert_eq!((q.stray, q.quoted_fields, q.unclosed_quote), (3, 1, None));
    }

    #[test]
    fn decodes_latin1_with_warning() {
        let mut w = Vec::new();
        let out = to_utf8(Path::new("f.csv"), b"name\nJos\xe9\nna\x80ve\n", &mut w).unwrap();
        assert_eq!(std::str::from_utf8(&out).unwrap(), "name\nJosé\nna€ve\n");
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("line 2"), "{}", w[0]);
    }

    #[test]
    fn strips_bom_and_rejects_utf16() {
        let mut w = Vec::new();
        let out = to_utf8(Path::new("f.csv"), b"\xef\xbb\xbfa\n1\n", &mut w).unwrap();
        assert_eq!(&out[..], b"a\n1\n");
        assert!(to_utf8(Path::new("f.csv"), b"\xff\xfea\x00", &mut w).is_err());
    }
}
