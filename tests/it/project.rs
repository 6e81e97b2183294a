//! Project rules that a test can check: the README's key table matches the keymap, and the
//! layers keep their direction (the pipeline and the jobs stay headless; nothing below the
//! TUI reaches into it).

use std::path::{Path, PathBuf};

#[cfg(feature = "tui")]
#[test]
fn readme_lists_every_key_binding() {
    use mlwb::tui::keymap::{Keymap, markdown_table};
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let table = markdown_table(&Keymap::bundled());
    assert!(
        readme.contains(&table),
        "README.md's key table is out of date; replace it with:\n\n{table}"
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/NAME.rs` and every Rust file under `src/NAME/`.
fn layer_files(name: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.join(format!("{name}.rs"))];
    let dir = root.join(name);
    if dir.is_dir() {
        rust_files(&dir, &mut files);
    }
    files
}

/// How deep a file's module sits below the crate root: `src/pipeline.rs` is 1,
/// `src/pipeline/drift/sketch.rs` is 3.
fn module_depth(file: &Path) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    file.strip_prefix(&root).unwrap().components().count()
}

/// The words, `::` and brace/comma punctuation of Rust text; everything else is dropped.
fn path_tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_alphanumeric() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push(&text[start..i]);
        } else if c == b':' && bytes.get(i + 1) == Some(&b':') {
            out.push("::");
            i += 2;
        } else {
            match c {
                b'{' => out.push("{"),
                b'}' => out.push("}"),
                b',' => out.push(","),
                // Any other byte (punctuation, or part of a non-ASCII character) ends a path.
                _ if !c.is_ascii_whitespace() => out.push(""),
                _ => {}
            }
            i += 1;
        }
    }
    out
}

/// The top-level modules of this crate that paths in `text` reach from the crate root:
/// `crate::tui::x` and `use crate::{pipeline, tui}` name `tui`, and so does a `super::` chain
/// that climbs to the root (`super::super::tui` from `src/pipeline/x.rs`). A chain counts as
/// reaching the root when it has at least as many `super`s as the file is deep, so code in an
/// inline module (`mod tests`) is covered too.
fn root_modules_named(text: &str, depth: usize) -> Vec<String> {
    let t = path_tokens(text);
    let mut named = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let after_path = i > 0 && t[i - 1] == "::";
        let at_root = if after_path {
            None
        } else if t[i] == "crate" {
            Some(i + 1)
        } else if t[i] == "super" {
            let mut j = i;
            let mut supers = 0;
            while j < t.len() && t[j] == "super" {
                supers += 1;
                j += 1;
                if t.get(j) == Some(&"::") && t.get(j + 1) == Some(&"super") {
                    j += 1;
                }
            }
            (supers >= depth).then_some(j)
        } else {
            None
        };
        if let Some(j) = at_root.filter(|&j| t.get(j) == Some(&"::")) {
            match t.get(j + 1) {
                Some(&"{") => {
                    // A group: the first word of each top-level item.
                    let mut level = 0;
                    let mut item_start = true;
                    for &tok in &t[j + 1..] {
                        match tok {
                            "{" => {
                                level += 1;
                                item_start = level == 1;
                            }
                            "}" => {
                                level -= 1;
                                if level == 0 {
                                    break;
                                }
                            }
                            "," if level == 1 => item_start = true,
                            word if item_start && level == 1 => {
                                named.push(word.to_string());
                                item_start = false;
                            }
                            _ => {}
                        }
                    }
                }
                Some(word) => named.push(word.to_string()),
                None => {}
            }
        }
        i += 1;
    }
    named
}

/// Every file of `layer` that reaches one of the `banned` top-level modules, as messages.
fn reaches_into(layer: &str, banned: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for f in layer_files(layer) {
        let text = std::fs::read_to_string(&f).unwrap();
        for module in root_modules_named(&text, module_depth(&f)) {
            if banned.contains(&module.as_str()) {
                found.push(format!("{} reaches crate::{module}", f.display()));
            }
        }
    }
    found
}

#[test]
fn pipeline_and_jobs_never_name_ui_or_async_crates() {
    let mut files = layer_files("pipeline");
    files.extend(layer_files("jobs"));
    assert!(files.len() > 10, "{files:?}");
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for banned in ["ratatui", "crossterm", "tokio", "futures_util"] {
            if text.contains(banned) {
                found.push(format!("{} names {banned}", f.display()));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn layers_only_reach_downwards() {
    let mut found = reaches_into("pipeline", &["tui", "cli"]);
    found.extend(reaches_into("jobs", &["tui"]));
    found.extend(reaches_into("cli", &["tui"]));
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn root_paths_are_found_in_every_form() {
    let named = |text: &str, depth| root_modules_named(text, depth);
    assert_eq!(named("use crate::tui::app::App;", 1), ["tui"]);
    assert_eq!(named("use crate :: cli;", 2), ["cli"]);
    assert_eq!(
        named("use crate::{pipeline::data, tui::{self, app}, cli};", 1),
        ["pipeline", "tui", "cli"]
    );
    assert_eq!(named("let a = crate::tui::x();", 3), ["tui"]);
    // From src/pipeline/drift/sketch.rs (depth 3), three supers reach the root; two do not.
    assert_eq!(named("use super::super::super::tui;", 3), ["tui"]);
    assert_eq!(
        named("use super::super::measures;", 3),
        Vec::<String>::new()
    );
    assert_eq!(named("use super::{cli, jobs};", 1), ["cli", "jobs"]);
    // `mlwb::tui` in another crate and `x::crate` are not this crate's root paths.
    assert_eq!(named("use mlwb::tui;", 1), Vec::<String>::new());
}

/// Rust source with comments, strings and character literals blanked (their newlines kept),
/// so braces inside them do not count.
fn code_only(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let rest = |k: usize| b.get(i + k).copied();
        if b[i] == '/' && rest(1) == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if b[i] == '/' && rest(1) == Some('*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                if b[i] == '\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 2;
        } else if b[i] == 'r'
            && (rest(1) == Some('"') || rest(1) == Some('#'))
            && (i == 0 || !(b[i - 1].is_alphanumeric() || b[i - 1] == '_'))
        {
            // A raw string: r"…", r#"…"#, …
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(b[i]);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                match b.get(j) {
                    None => break,
                    Some('"') if (1..=hashes).all(|k| b.get(j + k) == Some(&'#')) => {
                        j += 1 + hashes;
                        break;
                    }
                    Some('\n') => out.push('\n'),
                    _ => {}
                }
                j += 1;
            }
            i = j;
        } else if b[i] == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                if b.get(i) == Some(&'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
        } else if b[i] == '\''
            && (rest(2) == Some('\'') || (rest(1) == Some('\\') && b[i + 2..].contains(&'\'')))
        {
            // A character literal ('{', '\n', '\u{7b}'); a lifetime ('a) has no closing quote.
            i += 1;
            if b[i] == '\\' {
                i += 1;
            }
            while i < b.len() && b[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Issue 14: no function in `src/` is longer than 120 lines (from `fn` to its closing brace).
#[test]
fn no_function_in_src_is_over_120_lines() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut long = Vec::new();
    for path in files {
        let code = code_only(&std::fs::read_to_string(&path).unwrap());
        let lines: Vec<&str> = code.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let t = lines[i].trim_start();
            let t = t
                .strip_prefix("pub(crate) ")
                .or(t.strip_prefix("pub(super) "))
                .unwrap_or(t);
            let t = t.strip_prefix("pub ").unwrap_or(t);
            let t = t.strip_prefix("const ").unwrap_or(t);
            if !t.starts_with("fn ") {
                i += 1;
                continue;
            }
            let (mut depth, mut opened, mut j) = (0i64, false, i);
            while j < lines.len() {
                if !opened && lines[j].contains(';') && !lines[j].contains('{') {
                    break; // a declaration without a body
                }
                for c in lines[j].chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                if opened && depth == 0 {
                    break;
                }
                j += 1;
            }
            if opened && j - i + 1 > 120 {
                long.push(format!(
                    "{}:{} ({} lines)",
                    path.display(),
                    i + 1,
                    j - i + 1
                ));
            }
            i = if opened { j + 1 } else { i + 1 };
        }
    }
    assert!(
        long.is_empty(),
        "functions over 120 lines:\n{}",
        long.join("\n")
    );
}
