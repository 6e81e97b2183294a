#!/usr/bin/env python3
"""Write tests/fixtures/hostile/: one small file per hostile input, and EXPECT.tsv.

Deterministic (fixed seeds, gzip with mtime 0, no network, standard library only): running it
again rewrites the same bytes. The files are committed as generated; `tests/it/hostile.rs`
runs every mlwb command on each of them and `scripts/tui_hostile.sh` opens each in the TUI.

EXPECT.tsv has one line per file: file, expect, rows, note.
  expect  load   mlwb reads it as a table (`mlwb profile` exits 0)
          refuse mlwb refuses it: exit 3 and a message naming the file
          any    either is right, as long as nothing crashes or hangs
  rows    for a file that loads: the data rows a careful human counts (no header, no blank
          lines; ragged and rejected rows count), or `-` when that cannot be stated

Usage: python3 scripts/make_hostile_fixtures.py   (from anywhere)
"""

import gzip
import random
import shutil
import struct
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "hostile"
MAX_FILE = 64 * 1024
MAX_TOTAL = 1536 * 1024

CASES = []  # (name, bytes, expect, rows, note)


def case(name, data, expect, rows, note):
    assert expect in ("load", "refuse", "any"), name
    assert rows == "-" or isinstance(rows, int), name
    assert expect != "refuse" or rows == "-", name
    assert "\t" not in note and "\n" not in note, name
    if isinstance(data, str):
        data = data.encode("utf-8")
    CASES.append((name, data, expect, rows, note))


def gz(data):
    """gzip with a fixed header (mtime 0, no file name): the same bytes on every run."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return gzip.compress(data, compresslevel=9, mtime=0)


def rng(seed):
    return random.Random(seed)


def table(n, seed=7, eol="\n"):
    """A plain numeric table with a 0/1 column: header a,b,y and n rows."""
    r = rng(seed)
    lines = ["a,b,y"] + [f"{r.randint(0, 99)},{r.randint(0, 99)},{i % 2}" for i in range(n)]
    return eol.join(lines) + eol


# ---------------------------------------------------------------- line ends and blank lines

case("cr_only_line_endings.csv", table(20, eol="\r"), "load", 20,
     "old Mac line ends: every line ends with a lone CR")
case("mixed_cr_lf_crlf.csv",
     "a,b,y\n" + "".join(f"{i},{i * 2},{i % 2}" + ("\r", "\n", "\r\n")[i % 3] for i in range(30)),
     "load", 30, "line ends cycle through CR, LF and CRLF")
case("crcrlf_line_endings.csv", table(10, eol="\r\r\n"), "load", 10,
     "CR CR LF line ends (a CRLF file converted to Windows twice): read as blank lines")
case("blank_lines_between_rows.csv",
     "a,b,y\n" + "".join(f"{i},{i + 1},{i % 2}\n\n" for i in range(12)),
     "load", 12, "an empty line after every row")
case("blank_and_whitespace_lines.csv",
     "\n\n  \n\t\na,b,y\n"
     + "".join(f"{i},{i + 1},{i % 2}\n" + ("   \n", "\t\n", " \t \n", "\n", "")[i % 5]
               for i in range(10))
     + "\n\n   \n\t\t\n",
     "load", 10, "blank lines and lines of only spaces/tabs before the header, between rows, at the end")
case("last_line_no_newline.csv", table(5).rstrip("\n"), "load", 5,
     "the last row has no line end")
case("only_whitespace.csv", "   \n\t\t\n  \r\n \n", "refuse", "-",
     "spaces, tabs and line ends only")
case("only_newline.csv", "\n", "refuse", "-", "a single LF")
case("utf8_bom_only.csv", b"\xef\xbb\xbf", "refuse", "-", "a UTF-8 BOM and nothing else")
case("one_long_line_no_newline.csv", ",".join(f"c{i}" for i in range(5000)), "load", 0,
     "one 29 KB line without a line end: a header of 5,000 columns and no rows")

# ------------------------------------------------------------------------------ empty files

case("zero_bytes.csv", b"", "refuse", "-", "an empty .csv")
case("zero_bytes.parquet", b"", "refuse", "-", "an empty .parquet")
case("zero_bytes.json", b"", "refuse", "-", "an empty .json")

# ---------------------------------------------------------------------------------- quoting


def stray_quote_rows(n, stray_at, close_at=None):
    lines = ["id,name,value"]
    for i in range(1, n + 1):
        if i == stray_at:
            lines.append(f'{i},"oops,{i * 1.5}')
        elif i == close_at:
            lines.append(f'{i},name"{i},{i * 1.5}')
        else:
            lines.append(f"{i},name{i},{i * 1.5}")
    return "\n".join(lines) + "\n"


case("stray_quote_mid_3000_rows.csv", stray_quote_rows(3000, 1500), "any", 3000,
     "row 1500 opens a quote never closed: refuse naming the line (short message) or keep all 3,000 rows")
case("stray_quote_closed_later_3000_rows.csv", stray_quote_rows(3000, 1500, 2000), "any", "-",
     "a quote opened on row 1500 is closed inside a field on row 2000: 500 rows fold into one value")
case("unterminated_quote_at_end.csv", table(4) + '5,"abc,1\n', "any", 5,
     "the last row opens a quote that the file never closes")
case("quotes_inside_unquoted_fields.csv",
     'item,size,n\npipe,12" long,1\nbolt,3/4" x 2",2\nnut,"M8",3\nsign,say "hi" twice,4\n',
     "load", 4, "inch marks and quotes in the middle of unquoted fields are literal")
case("quote_mid_field_3000_rows.csv",
     "k,v\n" + "".join(f'{i},{i % 50}" pipe\n' if i % 100 == 0 else f"{i},{i % 7}\n"
                       for i in range(3000)),
     "load", 3000, "every 100th row has a quote mid-field (12\" pipe); all 3,000 rows stay")
case("backslash_escaped_quotes.csv", 'a,b\n"say \\"hi\\"",1\n"ok",2\n', "any", "-",
     "quotes escaped with a backslash (not RFC 4180)")
case("quoted_newlines_in_cr_only_file.csv", 'a,b\r1,"line1\rline2"\r2,x\r', "load", 2,
     "CR line ends and a quoted field holding a CR")
case("quoted_header_with_newline.csv", '"first\nname",age\nann,3\nbob,4\n', "load", 2,
     "a column name with a line break inside quotes")

# ------------------------------------------------------------------------------- structure

case("header_only.csv", "a,b,c\n", "load", 0, "a header and no rows")
case("header_only_no_newline.csv", "a,b,c", "load", 0, "a header without a line end")
case("single_value_no_newline.csv", "x", "load", 0, "one byte: a one-column header")
case("header_trailing_delimiter.csv", "a,b,c,\n1,2,3,\n4,5,6,\n", "load", 2,
     "every line ends with a comma: an unnamed fourth column")
case("header_trailing_delimiter_rows_not.csv", "a,b,c,\n1,2,3\n4,5,6\n", "load", 2,
     "the header ends with a comma, the rows do not")
case("one_row_one_column.csv", "x\n1\n", "load", 1, "1 row x 1 column")
case("wide_3_rows_2000_cols.csv",
     ",".join(f"c{i}" for i in range(2000)) + "\n"
     + "".join(",".join(str((i * r) % 10) for i in range(2000)) + "\n" for r in (1, 2, 3)),
     "load", 3, "3 rows x 2,000 columns")
case("long_field_60kb.csv",
     "id,text,n\n1," + ("lorem ipsum dolor sit amet " * 2300)[:60000] + ",1\n2,short,2\n3,also short,3\n",
     "load", 3, "one 60,000-character field")
case("very_long_column_name.csv", "id," + "n" * 10000 + "\n1,2\n3,4\n", "load", 2,
     "a 10,000-character column name")
case("duplicate_column_names.csv", "x,x,y,x,y\n1,2,3,4,5\n6,7,8,9,10\n", "load", 2,
     "x three times and y twice")
case("many_columns_same_name.csv",
     ",".join(["x"] * 500) + "\n" + ",".join(["1"] * 500) + "\n" + ",".join(["2"] * 500) + "\n",
     "load", 2, "500 columns all named x")
case("empty_column_names.csv", ",b,,d,\n1,2,3,4,5\n6,7,8,9,10\n", "load", 2,
     "three of five column names are empty")
case("only_delimiters.csv", ",,,\n,,,\n,,,\n", "load", 2,
     "empty header names and two rows of empty fields: a table of nulls")
case("ragged_longer_and_shorter.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10\n11,12,13\n", "load", 5,
     "rows with 2, 4 and 1 fields beside 3-field rows")
case("row_with_1000_extra_fields.csv",
     "a,b,c\n1,2,3\n" + ",".join(str(i % 10) for i in range(1003)) + "\n7,8,9\n",
     "load", 3, "one row has 1,003 fields under a 3-column header")
case("sparse_mostly_empty.csv",
     ",".join(f"s{i}" for i in range(50)) + "\n"
     + "".join(",".join(str(r) if (r * 50 + i) % 97 == 0 else "" for i in range(50)) + "\n"
               for r in range(200)),
     "load", 200, "200 rows x 50 columns, about 1% of cells filled")
case("constant_single_column.csv", "a\n1\n1\n1\n", "load", 3, "one column, one value")
case("delimiter_ambiguous.csv", "a,b;c\n1,2;3\n4,5;6\n", "load", 2,
     "commas and semicolons both split every line")

# ------------------------------------------------------------------------ names and escapes

case("control_chars_in_column_names.csv",
     "a\x1b[31mred\x1b[0m,b\x1b]0;pwned\x07,c\x07bell,d\u009b2J,e\u202eevil,f\x1b]52;c;cHduZWQ=\x07\n"
     "1,2,3,4,5,6\n7,8,9,10,11,12\n13,14,15,16,17,18\n",
     "load", 3, "column names with ESC/CSI colours, OSC title, BEL, C1 CSI, U+202E, OSC 52")
case("terminal_escapes_in_cells.csv",
     "id,label\n"
     "1,\x1b[2J\x1b[H\n"
     "2,\x1b]52;c;cHduZWQ=\x07\n"
     "3,\x1b[?1049h\n"
     "4,\u009b31mC1\n"
     "5,\x1b[6n\n"
     "6,\x1bPq#0\x1b\\\n"
     "7,\u202eevil\n"
     "8,\x08\x08\x08back\n"
     "9,\x1b]8;;file:///example/x\x1b\\link\x1b]8;;\x1b\\\n",
     "load", 9, "clear screen, OSC 52 clipboard, alt screen, C1 CSI, cursor report, DCS, RLO, BS, OSC 8")
case("formula_injection_cells.csv",
     "id,cell\n1,=1+1\n2,+cmd|' /C calc'!A0\n3,@SUM(1)\n4,-2+3\n", "load", 4,
     "spreadsheet formula prefixes in cells")
case("file name with spaces.csv", table(2), "load", 2, "a file name with spaces")
case("donn\u00e9es_\u00e9t\u00e9.csv", table(2), "load", 2, "a file name with non-ASCII letters")

# ---------------------------------------------------------------------------------- values

case("integers_beyond_64_bits.csv",
     "id,big\n1,18446744073709551616\n2,-9223372036854775809\n3,123456789012345678901234567890\n"
     "4,1\n5,99999999999999999999999999999999999999999\n",
     "load", 5, "integers past i64 and u64")
case("float_extremes.csv",
     "x,label\n1e309,a\n-1e309,b\ninf,c\n-inf,d\nnan,e\nNaN,f\n1e-400,g\n5e-324,h\n"
     "1.7976931348623157e308,i\n-0.0,j\nInfinity,k\n+inf,l\n",
     "load", 12, "overflowing, infinite, NaN, subnormal and underflowing floats")
case("numeric_then_text_after_row_200.csv",
     "n,m\n" + "".join(f"{i},{i % 7}\n" if i != 200 else "oops,3\n" for i in range(250)),
     "load", 250, "a number column holds text on row 201")
case("dates_two_formats.csv",
     "d,v\n" + "".join(f"2024-01-{i + 10:02d},{i}\n" if i % 2 == 0 else f"{i + 10:02d}/01/2024,{i}\n"
                       for i in range(10)),
     "load", 10, "ISO and day/month/year dates in one column")
case("date_edge_values.csv",
     "d,v\n9999-12-31,1\n0001-01-01,2\n2024-02-30,3\n1970-01-01T00:00:00Z,4\n2024-13-01,5\n",
     "load", 5, "far dates, an impossible day and month, a Z timestamp")
case("datetimes_mixed_timezones.csv",
     "t,v\n2024-01-01T10:00:00Z,1\n2024-01-01T10:00:00+05:00,2\n2024-01-01 10:00:00,3\n"
     "2024-01-01T10:00:00-08:00,4\n",
     "load", 4, "UTC, offsets and naive datetimes in one column")
case("all_na_column.csv", "a,b\n1,NA\n2,NA\n3,NA\n", "load", 3, "a column of NA only")
case("all_empty_strings_column.csv", 'a,b\n1,""\n2,""\n3,\n', "load", 3,
     "a column of empty strings only")
case("booleans_mixed_spellings.csv",
     "flag,n\nTrue,1\nFalse,2\nyes,3\nno,4\ntrue,5\nFALSE,6\nY,7\nN,8\n1,9\n0,10\n",
     "load", 10, "True/False/yes/no/Y/N/1/0 in one column")
case("null_markers_all_kinds.csv",
     "n,v\n" + "".join(f"{i},{m}\n" for i, m in enumerate(
         ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
          "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null", "?"])),
     "load", 20, "every pandas missing-value marker, one per row")
case("thousands_separators_and_currency.csv",
     'amount,pct,price\n"1,234",12%,$1.00\n"5,678.9",3.5%,"$2,000"\n', "load", 2,
     "thousands separators, percents and currency signs")
case("whitespace_padded_numbers.csv", "a,b,y\n 1 , 2 ,0\n3 ,  4,1\n\t5,6\t,0\n", "load", 3,
     "numbers padded with spaces and tabs")
case("numeric_strings_leading_zeros.csv", "zip,n\n00123,1\n01234,2\n12345,3\n", "load", 3,
     "zip codes with leading zeros")

# --------------------------------------------------------------------------------- dialects

case("semicolon_decimal_comma.csv", "name;price;qty\nA;1,50;3\nB;2,75;4\nC;10,00;5\n", "load", 3,
     "semicolons between fields, decimal commas")
case("tsv_named_csv.csv", "a\tb\ty\n1\t2\t0\n3\t4\t1\n5\t6\t0\n7\t8\t1\n", "load", 4,
     "tab-separated in a .csv")
case("pipe_delimited.csv", "a|b|y\n1|2|0\n3|4|1\n5|6|0\n7|8|1\n", "load", 4,
     "pipe-separated in a .csv")
case("excel_sep_hint_line.csv", "sep=;\na;b\n1;2\n", "any", "-",
     "Excel's sep=; first line")
case("comment_lines_hash.csv", "# exported by tool 1.0\n# 2024-01-01\na,b\n1,2\n3,4\n", "any", "-",
     "comment lines before the header")

# -------------------------------------------------------------------------------- encodings

UTF16_TEXT = table(10)
case("utf16le_no_bom.csv", UTF16_TEXT.encode("utf-16-le"), "refuse", "-", "UTF-16 LE, no BOM")
case("utf16be_no_bom.csv", UTF16_TEXT.encode("utf-16-be"), "refuse", "-", "UTF-16 BE, no BOM")
case("utf16le_bom.csv", b"\xff\xfe" + UTF16_TEXT.encode("utf-16-le"), "refuse", "-",
     "UTF-16 LE with a BOM: re-save as UTF-8")
case("utf16be_bom.csv", b"\xfe\xff" + UTF16_TEXT.encode("utf-16-be"), "refuse", "-",
     "UTF-16 BE with a BOM: re-save as UTF-8")
case("utf16le_no_bom_cjk.csv",
     ("\u540d\u524d,\u5024\n" + "".join(f"\u6771\u4eac{i},{i}\n" for i in range(10))).encode("utf-16-le"),
     "refuse", "-", "UTF-16 LE without a BOM, mostly CJK: few zero bytes")
case("utf32le_bom.csv", b"\xff\xfe\x00\x00" + UTF16_TEXT.encode("utf-32-le"), "refuse", "-",
     "UTF-32 LE with a BOM")
case("utf32be_no_bom.csv", UTF16_TEXT.encode("utf-32-be"), "refuse", "-", "UTF-32 BE, no BOM")
case("latin1_bytes.csv", b"name,city\nJos\xe9,K\xf6ln\nFran\xe7ois,S\xe3o Paulo\n\x80uro,x\n",
     "load", 3, "Latin-1/Windows-1252 bytes")
case("mixed_utf8_and_latin1.csv", "name,n\nJos\u00e9,1\n".encode() + b"Jos\xe9,2\n", "load", 2,
     "one row UTF-8, the next Latin-1")
case("invalid_utf8_sequences.csv",
     b"a,b\n\xc0\xaf,1\n\xed\xa0\x80,2\n\xf4\x90\x80\x80,3\nx\xff\xfe,4\n", "load", 4,
     "overlong, surrogate and out-of-range UTF-8 sequences")
case("utf8_bom_crlf.csv", b"\xef\xbb\xbf" + table(3, eol="\r\n").encode(), "load", 3,
     "UTF-8 BOM and CRLF")
case("utf8_bom_twice.csv", b"\xef\xbb\xbf\xef\xbb\xbfa,b\n1,2\n", "load", 1,
     "two UTF-8 BOMs")

# --------------------------------------------------------------------- binary and not text

case("nul_bytes_only.csv", b"\x00" * 4096, "refuse", "-", "4 KB of NUL bytes")
case("nul_in_middle.csv",
     "".join(table(100).splitlines(keepends=True)[:51]).encode() + b"7\x00\x008,9,1\n"
     + "".join(table(100).splitlines(keepends=True)[51:]).encode(),
     "refuse", "-", "NUL bytes on line 52 of a CSV")
case("pdf_header_named.csv",
     b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n",
     "refuse", "-", "a PDF named .csv")
case("png_header_named.csv",
     b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
     + struct.pack(">I", zlib.crc32(b"IHDR" + struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))),
     "refuse", "-", "a PNG header named .csv")
case("xlsx_zip_named.csv", b"PK\x03\x04\x14\x00\x06\x00" + rng(3).randbytes(200), "refuse", "-",
     "a zip (an .xlsx is one) named .csv")
case("sqlite_db_named.csv", b"SQLite format 3\x00" + b"\x10\x00\x01\x01" + bytes(300), "refuse", "-",
     "an SQLite database named .csv")
case("elf_binary_named.csv", b"\x7fELF\x02\x01\x01" + bytes(9) + rng(4).randbytes(300), "refuse", "-",
     "a program named .csv")
case("bzip2_magic_named.csv", b"BZh91AY&SY" + rng(5).randbytes(100), "refuse", "-",
     "bzip2 data named .csv")
case("random_binary_seeded.csv", rng(1).randbytes(8192), "refuse", "-", "8 KB of random bytes")
case("random_binary_seeded.parquet", rng(2).randbytes(8192), "refuse", "-",
     "8 KB of random bytes named .parquet")

# ------------------------------------------------------------------------- Parquet, Arrow

case("parquet_magic_both_ends_garbage.parquet", b"PAR1" + rng(10).randbytes(200) + b"PAR1",
     "refuse", "-", "PAR1 at both ends, garbage between")
case("parquet_magic_start_only.parquet", b"PAR1" + rng(11).randbytes(200), "refuse", "-",
     "PAR1 at the start only (a truncated Parquet file)")
case("parquet_footer_length_huge.parquet",
     b"PAR1" + rng(12).randbytes(64) + struct.pack("<I", 0x7FFFFFFF) + b"PAR1",
     "refuse", "-", "a footer that claims 2 GB of metadata")
case("parquet_footer_bad_thrift.parquet",
     b"PAR1" + bytes(16) + rng(13).randbytes(100) + struct.pack("<I", 100) + b"PAR1",
     "refuse", "-", "a footer of the right length holding random bytes")
case("parquet_magic_named_csv.csv", b"PAR1" + rng(14).randbytes(100) + b"PAR1", "refuse", "-",
     "a broken Parquet file named .csv")
case("arrow_ipc_truncated.arrow", b"ARROW1\x00\x00" + rng(20).randbytes(100), "refuse", "-",
     "ARROW1 magic then garbage (a truncated Arrow IPC file)")
case("arrow_ipc_magic_both_ends.arrow",
     b"ARROW1\x00\x00" + rng(21).randbytes(100) + b"ARROW1", "refuse", "-",
     "ARROW1 at both ends, garbage between")
case("arrow_stream_garbage.arrow",
     b"\xff\xff\xff\xff" + struct.pack("<i", 16) + rng(22).randbytes(64), "refuse", "-",
     "an Arrow stream continuation marker, then garbage")
case("feather_v1_magic.feather", b"FEA1" + rng(23).randbytes(100) + b"FEA1", "refuse", "-",
     "Feather v1 magic around garbage")

# ----------------------------------------------------------------------------- compression

GZ_CSV = table(20)
case("gzip_valid_csv.csv.gz", gz(GZ_CSV), "load", 20, "a valid gzip of a 20-row CSV")
case("gzip_without_gz_extension.csv", gz(GZ_CSV), "load", 20,
     "a valid gzip of a CSV, named .csv")
case("gzip_multimember.csv.gz", gz(table(10)) + gz("".join(table(10, seed=8).splitlines(keepends=True)[1:])),
     "load", 20, "two gzip members: header + 10 rows, then 10 more rows")
case("gzip_truncated.csv.gz", gz(table(300))[:200], "refuse", "-", "a gzip cut off mid-stream")
case("gzip_of_garbage.csv.gz", gz(rng(30).randbytes(4096)), "refuse", "-",
     "a valid gzip of random bytes")
_bad_crc = bytearray(gz(GZ_CSV))
_bad_crc[-8] ^= 0xFF
case("gzip_bad_crc.csv.gz", bytes(_bad_crc), "refuse", "-", "a gzip whose CRC does not match")
case("gzip_magic_only.csv.gz", b"\x1f\x8b", "refuse", "-", "the two gzip magic bytes alone")
case("gzip_empty_payload.csv.gz", gz(b""), "refuse", "-", "a valid gzip of nothing")
case("gzip_twice.csv.gz", gz(gz(GZ_CSV)), "refuse", "-", "a gzip of a gzip of a CSV")
case("gzip_of_utf16.csv.gz", gz(UTF16_TEXT.encode("utf-16-le")), "refuse", "-",
     "a gzip of UTF-16 text")
case("gzip_blank_line_bomb.csv.gz", gz("a,b\n" + "\n" * 5_000_000 + "1,2\n3,4\n"), "load", 2,
     "5 MB of blank lines from a 5 KB gzip, then 2 rows")
case("gzip_nul_after_64kb.csv.gz",
     gz("k,v\n" + "".join(f"{i},{i % 7}\n" for i in range(12000)) + "12000,\x00\n"
        + "".join(f"{i},{i % 7}\n" for i in range(12001, 12100))),
     "refuse", "-", "a gzip of a CSV with a NUL byte past the first 64 KB")
case("not_gzip_named_gz.csv.gz", table(3), "load", 3, "plain CSV named .csv.gz")
case("zstd_magic_garbage.csv.zst", b"\x28\xb5\x2f\xfd" + rng(31).randbytes(100), "refuse", "-",
     "the zstd magic, then garbage")

# ------------------------------------------------------------------------------------ JSON

case("json_nested_object_1000.json", '{"a":' * 1000 + "1" + "}" * 1000, "refuse", "-",
     "an object nested 1,000 deep")
case("json_nested_array_1000.json", "[" * 1000 + "]" * 1000, "refuse", "-",
     "an array nested 1,000 deep")
case("ndjson_line_nested_1000.ndjson",
     '{"a":1}\n' + '{"a":' * 1000 + "1" + "}" * 1000 + '\n{"a":3}\n', "refuse", "-",
     "NDJSON whose second line is nested 1,000 deep")
case("json_bare_number.json", "42\n", "refuse", "-", "a number, not a table")
case("json_bare_string.json", '"hello"\n', "refuse", "-", "a string, not a table")
case("json_null.json", "null\n", "refuse", "-", "null")
case("json_empty_array.json", "[]\n", "refuse", "-", "an empty array: no columns")
case("json_empty_object.json", "{}\n", "refuse", "-", "an empty object: no columns")
case("json_array_of_empty_objects.json", "[{},{},{}]\n", "refuse", "-",
     "three rows with no columns")
case("json_mixed_scalars_and_objects.json", '[1,"a",{"x":1},null,[2],true]\n', "refuse", "-",
     "an array mixing scalars, an object and an array")
case("json_string_top_level_brackets.json", '"' + "[" * 2000 + '"\n', "refuse", "-",
     "a top-level string holding 2,000 brackets")
case("json_truncated.json", '[{"a":1,"b":2},{"a":3,', "refuse", "-", "cut off mid-array")
case("json_trailing_garbage.json", '[{"a":1},{"a":2}] trailing garbage\n', "refuse", "-",
     "a valid array followed by text")
case("json_conflicting_types.json",
     '[{"a":1,"b":"x"},{"a":"two","b":3},{"a":true,"b":null},{"a":1.5,"b":[1]}]\n',
     "load", 4, "each key's values change type from row to row")
case("json_duplicate_keys.json", '[{"a":1,"a":2,"b":3},{"a":4,"b":5}]\n', "load", 2,
     "a key repeated inside one object")
case("json_huge_number_1e400.json", '[{"a":1e400,"b":1},{"a":-1e400,"b":2},{"a":1,"b":3}]\n',
     "any", 3, "numbers past the double range (Python reads inf, strict parsers refuse)")
case("json_int_beyond_64_bits.json", '[{"a":123456789012345678901234567890},{"a":1}]\n',
     "load", 2, "an integer past u64")
case("json_nan_literal.json", '[{"a":NaN},{"a":1},{"a":Infinity}]\n', "any", 3,
     "NaN and Infinity literals (not JSON, but Python writes them)")
case("json_trailing_comma.json", '[{"a":1},{"a":2},]\n', "any", 2, "a comma after the last row")
case("json_with_bom.json", b"\xef\xbb\xbf" + b'[{"a":1,"b":"x"},{"a":2,"b":"y"}]\n', "load", 2,
     "a UTF-8 BOM before a valid array")
case("json_string_with_brackets.json", '[{"s":"' + "[" * 2000 + '"},{"s":"x"}]\n', "load", 2,
     "2,000 brackets inside a string value are not nesting")
case("json_object_of_columns.json", '{"a":[1,2,3],"b":["x","y","z"]}\n', "any", "-",
     "column-oriented: one object of arrays")
case("json_nested_struct_cells.json",
     '[{"id":1,"meta":{"x":1,"tags":["a","b"]}},{"id":2,"meta":{"x":2,"tags":[]}}]\n',
     "load", 2, "cells holding objects and lists")
case("json_array_of_arrays.json", "[[1,2],[3,4],[5,6]]\n", "any", 3, "rows as arrays, no names")
case("json_lone_surrogate.json", '[{"a":"\\ud800x"},{"a":"ok"}]\n', "any", 2,
     "a lone UTF-16 surrogate escape")
case("ndjson_blank_lines.ndjson", '{"a":1}\n\n{"a":2}\n   \n{"a":3}\n\n', "load", 3,
     "blank and space-only lines between records")
case("ndjson_one_bad_line.ndjson", '{"a":1}\n{"a":2}\n{"a":\n{"a":4}\n{"a":5}\n', "any", 5,
     "the third of five lines is cut off")
case("ndjson_arrays_per_line.ndjson", "[1,2]\n[3,4]\n", "refuse", "-", "arrays, not objects")
case("ndjson_mixed_keys.ndjson", '{"a":1}\n{"b":2}\n{"a":3,"c":"x"}\n', "load", 3,
     "each line has different keys")
case("ndjson_crlf.ndjson", '{"a":1}\r\n{"a":2}\r\n{"a":3}\r\n', "load", 3, "CRLF line ends")
case("ndjson_nul_escape.ndjson", '{"a":"x\\u0000y","n":1}\n{"a":"ok","n":2}\n', "load", 2,
     "an escaped NUL inside a string")
case("ndjson_escape_in_keys.ndjson",
     '{"\\u001b[31mred":1,"\\u001b]0;pwned\\u0007":2}\n{"\\u001b[31mred":3,"\\u001b]0;pwned\\u0007":4}\n',
     "load", 2, "keys holding escaped terminal control sequences")

# ---------------------------------------------------------------- content and name disagree

case("csv_content_named_json.json", "a,b\n1,2\n3,4\n", "any", 2, "a CSV named .json")
case("json_content_named_csv.csv", '[{"a":1},{"a":2}]\n', "any", "-", "a JSON array named .csv")
case("csv_content_named_parquet.parquet", "a,b\n1,2\n3,4\n", "any", 2, "a CSV named .parquet")
case("git_lfs_pointer.csv",
     "version https://git-lfs.github.com/spec/v1\n"
     "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 1048576\n",
     "any", "-", "a Git LFS pointer in place of the data")
case("html_error_page.csv",
     "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
     "<body><h1>Not Found</h1><p>The requested URL was not found.</p></body></html>\n",
     "any", "-", "an HTML error page saved by a failed download")


def main():
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)), "duplicate fixture names"
    assert "EXPECT.tsv" not in names
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    total = 0
    for name, data, _, _, _ in CASES:
        assert len(data) < MAX_FILE, f"{name}: {len(data)} bytes"
        total += len(data)
        (OUT / name).write_bytes(data)
    assert total < MAX_TOTAL, f"{total} bytes in all"
    lines = ["# file\texpect\trows\tnote  (written by scripts/make_hostile_fixtures.py)"]
    for name, _, expect, rows, note in sorted(CASES, key=lambda c: c[0]):
        lines.append(f"{name}\t{expect}\t{rows}\t{note}")
    (OUT / "EXPECT.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts = {e: sum(1 for c in CASES if c[2] == e) for e in ("load", "refuse", "any")}
    print(f"wrote {len(CASES)} fixtures ({total} bytes) to {OUT.relative_to(ROOT)}: {counts}")


if __name__ == "__main__":
    main()
