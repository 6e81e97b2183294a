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
