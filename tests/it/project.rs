//! Project rules that a test can check: the README's key table matches the keymap, and the
//! pipeline stays headless.

use std::path::Path;

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

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn pipeline_never_names_ui_or_async_crates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.join("pipeline.rs"), root.join("jobs.rs")];
    rust_files(&root.join("pipeline"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for banned in ["ratatui", "crossterm", "tokio"] {
            assert!(!text.contains(banned), "{} names {banned}", f.display());
        }
    }
}
