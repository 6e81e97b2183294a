//! Loading: every messy file a real user hits gets sensible handling or a clear error.

use std::io::Write;
use std::path::Path;

use mlwb::pipeline::PipelineError;
use mlwb::pipeline::data::{self, Dataset, FileFormat, LoadOptions};
use mlwb::pipeline::progress::{CancelFlag, no_progress};
use polars::prelude::*;

use super::fixture;

fn load(path: &Path) -> Result<Dataset, PipelineError> {
    data::load(
        path,
        &LoadOptions::default(),
        &CancelFlag::new(),
        &no_progress,
    )
}

fn messy(name: &str) -> Result<Dataset, PipelineError> {
    load(&fixture(&format!("messy/{name}")))
}

fn names(ds: &Dataset) -> Vec<String> {
    ds.df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn str_at(ds: &Dataset, col: &str, row: usize) -> String {
    let c = ds.df.column(col).unwrap().as_materialized_series();
    c.str().unwrap().get(row).unwrap().to_string()
}

fn err_text(r: Result<Dataset, PipelineError>) -> (String, u8) {
    let e = r.expect_err("expected an error");
    (e.to_string(), mlwb::cli::exit::for_error(e.kind()))
}

#[test]
fn ragged_rows_load_with_a_counted_warning() {
    let ds = messy("ragged.csv").unwrap();
    assert_eq!(ds.df.shape(), (4, 3));
    let w = ds.warnings.join("\n");
    assert!(
        w.contains("1 row(s) have more fields and 1 row(s) fewer"),
        "{w}"
    );
    assert!(w.contains("line 3"), "{w}");
}

#[test]
fn duplicate_and_empty_headers_are_renamed_with_a_warning() {
    let ds = messy("duplicate_headers.csv").unwrap();
    assert_eq!(names(&ds), ["x", "x.1", "y", "x.2"]);
    assert!(
        ds.warnings.iter().any(|w| w.contains("renamed")),
        "{:?}",
        ds.warnings
    );
    let ds = messy("empty_headers.csv").unwrap();
    assert_eq!(names(&ds), ["column_1", "b", "column_3"]);
}

#[test]
fn delimiters_are_sniffed() {
    let ds = messy("semicolon.csv").unwrap();
    assert_eq!(ds.delimiter, Some(b';'));
    assert_eq!(names(&ds), ["name", "score", "city"]);
    assert_eq!(str_at(&ds, "city", 0), "Paris; France");
    assert_eq!(ds.df.column("score").unwrap().dtype(), &DataType::Float64);
    assert_eq!(messy("pipe.psv").unwrap().delimiter, Some(b'|'));
    let tsv = messy("tabs.tsv").unwrap();
    assert_eq!(tsv.delimiter, Some(b'\t'));
    assert_eq!(str_at(&tsv, "b", 0), "x y");
}

#[test]
fn quoted_fields_keep_newlines_commas_and_quotes() {
    let ds = messy("quoted_newlines.csv").unwrap();
    assert_eq!(ds.df.height(), 3);
    assert_eq!(str_at(&ds, "comment", 0), "first line\nsecond line");
    assert_eq!(str_at(&ds, "comment", 1), "has, comma and \"quotes\"");
}

#[test]
fn latin1_is_decoded_with_a_warning() {
    let ds = messy("latin1.csv").unwrap();
    assert_eq!(str_at(&ds, "name", 0), "José");
    assert_eq!(str_at(&ds, "city", 1), "Köln");
    assert!(
        ds.warnings
            .iter()
            .any(|w| w.contains("not UTF-8") && w.contains("line 2"))
    );
}

#[test]
fn utf16_and_binary_files_are_refused_clearly() {
    let (msg, code) = err_text(messy("utf16.csv"));
    assert!(msg.contains("UTF-16") && msg.contains("utf16.csv"), "{msg}");
    assert_eq!(code, 3);
    let (msg, _) = err_text(messy("binary.csv"));
    assert!(msg.contains("binary"), "{msg}");
}

#[test]
fn empty_and_blank_files_are_bad_input() {
    let (msg, code) = err_text(messy("empty.csv"));
    assert!(msg.contains("empty.csv") && msg.contains("empty"), "{msg}");
    assert_eq!(code, 3);
    let (msg, code) = err_text(messy("blank_lines.csv"));
    assert!(msg.contains("blank_lines.csv"), "{msg}");
    assert_eq!(code, 3);
}

#[test]
fn header_only_file_has_columns_and_no_rows() {
    let ds = messy("header_only.csv").unwrap();
    assert_eq!(ds.df.shape(), (0, 3));
}

#[test]
fn truncated_last_line_is_read_and_reported() {
    let ds = messy("truncated.csv").unwrap();
    assert_eq!(ds.df.height(), 3);
    let c = ds.df.column("c").unwrap();
    assert_eq!(c.null_count(), 1);
    assert!(
        ds.warnings.iter().any(|w| w.contains("fewer")),
        "{:?}",
        ds.warnings
    );
}

#[test]
fn unterminated_quote_never_hangs_or_panics() {
    match messy("unterminated_quote.csv") {
        Ok(ds) => assert!(ds.df.height() <= 3),
        Err(e) => assert!(e.to_string().contains("unterminated_quote.csv"), "{e}"),
    }
}

#[test]
fn null_markers_follow_pandas() {
    let ds = messy("na_markers.csv").unwrap();
    let v = ds.df.column("v").unwrap();
    assert_eq!(v.dtype(), &DataType::Int64);
    assert_eq!(v.null_count(), 5);
    assert_eq!(ds.df.column("w").unwrap().null_count(), 2);
    let ds = messy("all_null.csv").unwrap();
    assert_eq!(ds.df.column("empty").unwrap().null_count(), 4);
}

#[test]
fn bom_and_crlf_are_invisible() {
    let ds = messy("bom_crlf.csv").unwrap();
    assert_eq!(names(&ds), ["id", "name"]);
    assert_eq!(str_at(&ds, "name", 1), "beta");
}

#[test]
fn control_sequences_are_kept_as_data() {
    let ds = messy("control_chars.csv").unwrap();
    assert_eq!(str_at(&ds, "label", 0), "\u{1b}[31mred\u{1b}[0m");
}

#[test]
fn dates_and_datetimes_are_recognised() {
    let ds = messy("dates.csv").unwrap();
    assert_eq!(ds.df.column("day").unwrap().dtype(), &DataType::Date);
    assert!(matches!(
        ds.df.column("stamp").unwrap().dtype(),
        DataType::Datetime(_, _)
    ));
}

#[test]
fn missing_paths_and_directories_are_named() {
    let (msg, code) = err_text(load(Path::new("/no/such/file.csv")));
    assert!(
        msg.contains("/no/such/file.csv") && msg.contains("no such file"),
        "{msg}"
    );
    assert_eq!(code, 3);
    let dir = tempfile::tempdir().unwrap();
    let (msg, _) = err_text(load(dir.path()));
    assert!(msg.contains("directory"), "{msg}");
}

#[test]
fn a_type_change_after_the_inferred_rows_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late_text.csv");
    let mut text = String::from("n,m\n");
    for i in 0..12_000 {
        text.push_str(&format!("{i},{}\n", i % 7));
    }
    text.push_str("oops,3\n");
    std::fs::write(&path, text).unwrap();
    let ds = load(&path).unwrap();
    assert_eq!(ds.df.height(), 12_001);
    assert_eq!(ds.df.column("n").unwrap().dtype(), &DataType::String);
    assert_eq!(ds.df.column("m").unwrap().dtype(), &DataType::Int64);
    assert!(
        ds.warnings.iter().any(|w| w.contains("types changed")),
        "{:?}",
        ds.warnings
    );
}

#[test]
fn very_wide_files_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.csv");
    let header: Vec<String> = (0..1000).map(|i| format!("c{i}")).collect();
    let mut text = header.join(",") + "\n";
    for r in 0..20 {
        let row: Vec<String> = (0..1000).map(|i| ((i * r) % 13).to_string()).collect();
        text.push_str(&(row.join(",") + "\n"));
    }
    std::fs::write(&path, text).unwrap();
    let ds = load(&path).unwrap();
    assert_eq!(ds.df.shape(), (20, 1000));
}

fn sample_frame() -> DataFrame {
    df!(
        "x" => [Some(1.5), None, Some(-2.0)],
        "s" => [Some("a"), Some("b"), None],
        "n" => [1i64, 2, 3]
    )
    .unwrap()
}

#[test]
fn parquet_ipc_json_ndjson_and_gzip_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let expected = sample_frame();
    let mut df = expected.clone();
    let p = dir.path().join("t.parquet");
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    let ds = load(&p).unwrap();
    assert_eq!(ds.format, FileFormat::Parquet);
    assert!(ds.df.equals_missing(&expected));

    let p = dir.path().join("t.arrow");
    IpcWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    let ds = load(&p).unwrap();
    assert_eq!(ds.format, FileFormat::Ipc);
    assert!(ds.df.equals_missing(&expected));

    let p = dir.path().join("t.json");
    std::fs::write(
        &p,
        r#"[{"x":1.5,"s":"a","n":1},{"x":null,"s":"b","n":2},{"x":-2.0,"s":null,"n":3}]"#,
    )
    .unwrap();
    let ds = load(&p).unwrap();
    assert_eq!(ds.format, FileFormat::Json);
    assert!(ds.df.equals_missing(&expected), "{:?}", ds.df);

    let p = dir.path().join("t.ndjson");
    std::fs::write(&p, "{\"x\":1.5,\"s\":\"a\",\"n\":1}\n{\"x\":null,\"s\":\"b\",\"n\":2}\n{\"x\":-2.0,\"s\":null,\"n\":3}\n").unwrap();
    let ds = load(&p).unwrap();
    assert_eq!(ds.format, FileFormat::Ndjson);
    assert!(ds.df.equals_missing(&expected));

    let p = dir.path().join("t.csv.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&p).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(b"x,s,n\n1.5,a,1\n,b,2\n-2.0,,3\n").unwrap();
    gz.finish().unwrap();
    let ds = load(&p).unwrap();
    assert!(ds.gzip);
    assert!(ds.df.equals_missing(&expected), "{:?}", ds.df);
}

#[test]
fn malformed_json_and_corrupt_gzip_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.json");
    std::fs::write(&p, "[{\"a\": 1}, {\"a\": ").unwrap();
    let (msg, code) = err_text(load(&p));
    assert!(msg.contains("bad.json"), "{msg}");
    assert_eq!(code, 3);
    let p = dir.path().join("bad.csv.gz");
    std::fs::write(&p, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]).unwrap();
    let (msg, code) = err_text(load(&p));
    assert!(msg.contains("gzip"), "{msg}");
    assert_eq!(code, 3);
    let p = dir.path().join("bad.parquet");
    std::fs::write(&p, b"PAR1 this is not really parquet").unwrap();
    let (msg, code) = err_text(load(&p));
    assert!(msg.contains("bad.parquet"), "{msg}");
    assert_eq!(code, 3);
}

#[test]
fn preview_reads_only_the_first_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv");
    let mut text = String::from("i,s\n");
    for i in 0..200_000 {
        text.push_str(&format!("{i},row {i}\n"));
    }
    std::fs::write(&path, text).unwrap();
    let options = LoadOptions {
        preview: true,
        delimiter: None,
    };
    let ds = data::load(&path, &options, &CancelFlag::new(), &no_progress).unwrap();
    assert!(!ds.complete);
    assert_eq!(ds.df.height(), data::PREVIEW_ROWS);
    let full = load(&path).unwrap();
    assert_eq!(full.df.height(), 200_000);
}

#[test]
fn cancelling_stops_a_load() {
    let cancel = CancelFlag::new();
    cancel.cancel();
    let r = data::load(
        &fixture("messy/semicolon.csv"),
        &LoadOptions::default(),
        &cancel,
        &no_progress,
    );
    assert!(matches!(r, Err(PipelineError::Cancelled)));
}

#[test]
fn fingerprint_follows_bytes_and_schema() {
    let a = messy("semicolon.csv").unwrap();
    let b = messy("semicolon.csv").unwrap();
    assert_eq!(a.fingerprint, b.fingerprint);
    assert_eq!(a.fingerprint.len(), 64);
    let c = messy("pipe.psv").unwrap();
    assert_ne!(a.fingerprint, c.fingerprint);
}

#[test]
fn nan_is_missing_in_text_and_binary_formats() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nan.csv");
    std::fs::write(&p, "x,y\n1.5,a\nNaN,b\n2.5,c\n").unwrap();
    let ds = load(&p).unwrap();
    let x = ds.df.column("x").unwrap();
    assert_eq!(x.dtype(), &DataType::Float64);
    assert_eq!(x.null_count(), 1);
    let mut df = df!("x" => [1.0, f64::NAN, 3.0]).unwrap();
    let p = dir.path().join("nan.parquet");
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    assert_eq!(load(&p).unwrap().df.column("x").unwrap().null_count(), 1);
}

#[test]
fn two_date_formats_in_one_column_still_load() {
    // The careful parse fails on mixed formats; the plain reading is kept, as text.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("dates.csv");
    std::fs::write(&p, "d,n\n2024-01-31,1\n31/01/2024,2\n").unwrap();
    let ds = load(&p).unwrap();
    assert_eq!(ds.df.height(), 2);
    assert_eq!(ds.df.column("d").unwrap().dtype(), &DataType::String);
}

#[test]
fn integers_beyond_64_bits_fall_back_to_text() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.csv");
    std::fs::write(&p, "id,x\n12345678901234567890,1\n2,2\n").unwrap();
    let ds = load(&p).unwrap();
    assert_eq!(str_at(&ds, "id", 0), "12345678901234567890");
    assert!(
        ds.warnings.iter().any(|w| w.contains("read as text")),
        "{:?}",
        ds.warnings
    );
}

#[test]
fn a_preview_cut_inside_a_character_is_still_utf8() {
    // 1 MiB falls in the middle of a two-byte 'é' here: the preview must not call it Latin-1.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("accents.csv");
    let line = "é".repeat(100) + "\n";
    let text = String::from("name\n") + &line.repeat(6000);
    assert!(!text.is_char_boundary(1 << 20));
    std::fs::write(&p, &text).unwrap();
    let options = LoadOptions {
        preview: true,
        delimiter: None,
    };
    let ds = data::load(&p, &options, &CancelFlag::new(), &no_progress).unwrap();
    assert!(ds.warnings.is_empty(), "{:?}", ds.warnings);
    assert_eq!(str_at(&ds, "name", 0), "é".repeat(100));
}

#[test]
fn binary_previews_decode_only_the_first_rows() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("long.parquet");
    let n: Vec<i64> = (0..20_000).collect();
    let mut df = df!("n" => &n).unwrap();
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    let options = LoadOptions {
        preview: true,
        delimiter: None,
    };
    let ds = data::load(&p, &options, &CancelFlag::new(), &no_progress).unwrap();
    assert!(!ds.complete);
    assert_eq!(ds.df.height(), data::PREVIEW_ROWS);
    assert_eq!(ds.df.column("n").unwrap().i64().unwrap().get(0), Some(0));
}

/// Write `bytes` to `name` in a fresh temp dir; returns (dir, path).
fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// Issue 13, item 13: lone-CR line ends lost every row (0 rows, many columns); mixed ends lost
/// rows under an "extra fields" warning. Rows in = rows loaded.
#[test]
fn cr_only_and_mixed_line_ends_keep_every_row() {
    let (_d, p) = temp_file("cr.csv", b"a,b,y\r1,2,0\r3,4,1\r");
    let ds = load(&p).unwrap();
    assert_eq!((ds.df.height(), ds.df.width()), (2, 3), "{:?}", ds.df);
    assert!(
        ds.warnings.iter().any(|w| w.contains("CR")),
        "{:?}",
        ds.warnings
    );
    let (_d, p) = temp_file("mixed.csv", b"a,b\r\n1,2\r3,4\n5,6\r\n7,8");
    let ds = load(&p).unwrap();
    assert_eq!(ds.df.height(), 4, "{:?}", ds.df);
    assert!(
        !ds.warnings.iter().any(|w| w.contains("fields")),
        "{:?}",
        ds.warnings
    );
}

/// Issue 13, item 14: blank lines became phantom all-null rows, silently.
#[test]
fn blank_lines_are_skipped_and_counted() {
    let (_d, p) = temp_file(
        "blank.csv",
        b"\na,b\n1,x\n\n2,y\n   \n\t\n3,\"z\n\nstill z\"\n\n",
    );
    let ds = load(&p).unwrap();
    assert_eq!(ds.df.height(), 3, "{:?}", ds.df);
    // A blank line inside a quoted field belongs to the field.
    assert_eq!(str_at(&ds, "b", 2), "z\n\nstill z");
    let w = ds.warnings.join(" | ");
    assert!(w.contains("skipped 5 blank lines"), "{w}");
    // A line of tabs in a TSV is a row of empty fields, not a blank line.
    let (_d, p) = temp_file("tabs.tsv", b"a\tb\n1\t2\n\t\n3\t4\n");
    assert_eq!(load(&p).unwrap().df.height(), 3);
}

/// Issue 13, item 12: binary files without invalid UTF-8 were accepted as CSV.
#[test]
fn binary_and_wide_encodings_are_refused_with_exit_3() {
    let utf16: Vec<u8> = "a,b\n1,2\n3,4\n".bytes().flat_map(|b| [b, 0]).collect();
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("utf16_no_bom.csv", utf16, "UTF-16"),
        ("nul.csv", vec![0u8; 4096], "NUL"),
        (
            "doc.csv",
            b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec(),
            "PDF",
        ),
        ("zeros_mid.csv", b"a,b\n1,2\n3,\x004\n".to_vec(), "line 3"),
    ];
    for (name, bytes, says) in cases {
        let (_d, p) = temp_file(name, &bytes);
        let (msg, code) = err_text(load(&p));
        assert_eq!(code, 3, "{name}: {msg}");
        assert!(msg.contains(name) && msg.contains(says), "{name}: {msg}");
    }
}

/// Issue 13, item 10: an object nested 1,000 deep overflowed the stack (exit 134).
#[test]
fn deeply_nested_json_is_refused_not_a_crash() {
    let deep = format!("[{}1{}]", "{\"a\":".repeat(1000), "}".repeat(1000));
    for name in ["deep.json", "deep.ndjson"] {
        let (_d, p) = temp_file(name, deep.as_bytes());
        let (msg, code) = err_text(load(&p));
        assert_eq!(code, 3, "{msg}");
        assert!(msg.contains("nested more than 64"), "{msg}");
    }
}

/// Issue 13, item 11: a named pipe hung every command, /dev/zero grew memory without end.
#[cfg(unix)]
#[test]
fn special_files_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let zero = dir.path().join("zero.csv");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    for p in [&fifo, &zero] {
        let started = std::time::Instant::now();
        let (msg, code) = err_text(load(p));
        assert_eq!(code, 3, "{msg}");
        assert!(msg.contains("not a regular file"), "{msg}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}

/// Issue 13, item 11: a gzip of NULs was decompressed whole and shown as a column name.
#[test]
fn a_gzip_of_binary_data_is_refused_early() {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(&vec![0u8; 64 << 20]).unwrap();
    let (_d, p) = temp_file("zeros.csv.gz", &e.finish().unwrap());
    let started = std::time::Instant::now();
    let (msg, code) = err_text(load(&p));
    assert_eq!(code, 3, "{msg}");
    assert!(msg.contains("NUL") && msg.len() < 400, "{msg}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// Issue 13, item 15: one stray quote put the rest of the file into the error message.
#[test]
fn an_unclosed_quote_is_named_by_its_line_and_not_quoted_whole() {
    let mut text = String::from("id,name\n");
    for i in 0..20_000 {
        if i == 777 {
            text.push_str("777,\"O'Brien\n");
        } else {
            text.push_str(&format!("{i},someone number {i}\n"));
        }
    }
    let (_d, p) = temp_file("stray.csv", text.as_bytes());
    let (msg, code) = err_text(load(&p));
    assert_eq!(code, 3);
    assert!(msg.contains("line 779"), "{msg}");
    assert!(msg.len() < 1200, "{} bytes", msg.len());
}

/// Issue 13, item 16: Parquet decimals were a caught polars panic (exit 70).
#[test]
fn parquet_decimals_load_as_numbers() {
    let s = Series::new("price".into(), &[1.25f64, 2.5, -3.75])
        .cast(&DataType::Decimal(10, 2))
        .unwrap();
    let mut df = DataFrame::new(3, vec![s.into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("dec.parquet");
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    let ds = load(&p).unwrap();
    let price = ds.df.column("price").unwrap();
    assert_eq!(price.dtype(), &DataType::Float64);
    assert_eq!(price.f64().unwrap().get(2), Some(-3.75));
}
