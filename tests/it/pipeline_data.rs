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
    (e.to_string(), e.exit_code())
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
fn named_pipes_are_read_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo").arg(&p).status();
    if !made.is_ok_and(|s| s.success()) {
        return; // no mkfifo on this system
    }
    let writer_path = p.clone();
    let writer = std::thread::spawn(move || std::fs::write(writer_path, "a,b\n1,2\n3,4\n"));
    let ds = load(&p).unwrap();
    writer.join().unwrap().unwrap();
    assert_eq!(ds.df.shape(), (2, 2));
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
