//! Reading a package is a security boundary: the names and sizes of what a package (a
//! directory or an archive) holds are checked before anything is read or expanded. A name must
//! stay inside the package's root, and the entries must stay within count and size limits.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// Why an entry of a package is refused. The text names the entry and the rule it breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnsafeEntry {
    #[error("entry '{0}': an empty name")]
    Empty(String),
    #[error("entry '{0}': an absolute path; entries must be relative to the package root")]
    Absolute(String),
    #[error("entry '{0}': '..' leaves the package root")]
    Parent(String),
    #[error(
        "entry '{0}': a backslash, a colon (a drive letter) or a control character in the name"
    )]
    BadCharacter(String),
    #[error("entry '{0}': over {MAX_NAME_BYTES} bytes or {MAX_DEPTH} folders deep")]
    TooLong(String),
    #[error("entry '{0}' appears twice (names that differ only in case count as the same)")]
    Duplicate(String),
    #[error("the package holds over {0} entries")]
    TooMany(usize),
    #[error("entry '{name}': {size} bytes, over the {limit} an entry may hold")]
    EntryTooLarge { name: String, size: u64, limit: u64 },
    #[error("the package expands to over {0} bytes")]
    TotalTooLarge(u64),
}

/// Longest entry name, and deepest folder nesting, a package may use.
pub const MAX_NAME_BYTES: usize = 512;
pub const MAX_DEPTH: usize = 8;

/// How much a package may hold: checked on the sizes an archive declares, before it is
/// expanded (a zip bomb is refused unread), and again on the bytes actually written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_entries: usize,
    pub max_entry_bytes: u64,
    pub max_total_bytes: u64,
}

impl Default for Limits {
    /// A forest of thousands of deep trees fits; a bomb does not.
    fn default() -> Limits {
        Limits {
            max_entries: 1_000,
            max_entry_bytes: 2 << 30,
            max_total_bytes: 4 << 30,
        }
    }
}

/// The relative path an entry named `name` (`/`-separated, as archives name them) is written
/// to inside the package root; refused when it could land anywhere else.
pub fn entry_path(name: &str) -> Result<PathBuf, UnsafeEntry> {
    let refuse = |f: fn(String) -> UnsafeEntry| Err(f(name.to_string()));
    if name.is_empty() {
        return refuse(UnsafeEntry::Empty);
    }
    if name.starts_with('/') {
        return refuse(UnsafeEntry::Absolute);
    }
    if name.contains(['\\', ':']) || name.chars().any(char::is_control) {
        return refuse(UnsafeEntry::BadCharacter);
    }
    let parts: Vec<&str> = name
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() {
        return refuse(UnsafeEntry::Empty);
    }
    if parts.contains(&"..") {
        return refuse(UnsafeEntry::Parent);
    }
    if name.len() > MAX_NAME_BYTES || parts.len() > MAX_DEPTH {
        return refuse(UnsafeEntry::TooLong);
    }
    let path: PathBuf = parts.iter().collect();
    // What the platform's own parsing sees must agree: only plain names.
    if !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return refuse(UnsafeEntry::Parent);
    }
    Ok(path)
}

/// Check a package's entries, `(name, size)` as declared, against `limits`: every name safe,
/// none twice (ignoring case, as some file systems do), the count and sizes within bounds.
/// Returns each entry's relative path, in order.
pub fn check_entries(
    entries: &[(String, u64)],
    limits: &Limits,
) -> Result<Vec<PathBuf>, UnsafeEntry> {
    if entries.len() > limits.max_entries {
        return Err(UnsafeEntry::TooMany(limits.max_entries));
    }
    let mut seen = HashSet::new();
    let mut total: u64 = 0;
    let mut paths = Vec::with_capacity(entries.len());
    for (name, size) in entries {
        let path = entry_path(name)?;
        if !seen.insert(path.to_string_lossy().to_lowercase()) {
            return Err(UnsafeEntry::Duplicate(name.clone()));
        }
        if *size > limits.max_entry_bytes {
            return Err(UnsafeEntry::EntryTooLarge {
                name: name.clone(),
                size: *size,
                limit: limits.max_entry_bytes,
            });
        }
        total = total.saturating_add(*size);
        if total > limits.max_total_bytes {
            return Err(UnsafeEntry::TotalTooLarge(limits.max_total_bytes));
        }
        paths.push(path);
    }
    Ok(paths)
}

/// Whether `path`, inside the package directory `root`, resolves (through any symlink) to a
/// place still inside it.
pub fn stays_inside(root: &Path, path: &Path) -> std::io::Result<bool> {
    let root = root.canonicalize()?;
    Ok(path.canonicalize()?.starts_with(root))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_names_are_kept_and_every_escape_is_refused() {
        assert_eq!(entry_path("mlwb.json").unwrap(), PathBuf::from("mlwb.json"));
        assert_eq!(
            entry_path("./model/./trees.bin").unwrap(),
            PathBuf::from("model/trees.bin")
        );
        let refused = [
            ("", "an empty name"),
            ("/", "an absolute path"),
            ("./", "an empty name"),
            ("/etc/passwd", "an absolute path"),
            ("../x", "'..'"),
            ("a/../../x", "'..'"),
            ("a/..", "'..'"),
            ("C:/x", "drive letter"),
            ("c:x", "drive letter"),
            ("model.onnx:stream", "colon"),
            ("a\\..\\x", "backslash"),
            ("a\u{0}b", "control character"),
            ("a\nb", "control character"),
        ];
        for (name, why) in refused {
            let e = entry_path(name).unwrap_err().to_string();
            assert!(e.contains(why), "{name:?}: {e}");
        }
        assert!(entry_path(&"a/".repeat(MAX_DEPTH + 1)).is_err());
        assert!(entry_path(&"x".repeat(MAX_NAME_BYTES + 1)).is_err());
    }

    #[test]
    fn duplicates_counts_and_sizes_are_bounded_before_anything_is_read() {
        let limits = Limits {
            max_entries: 3,
            max_entry_bytes: 100,
            max_total_bytes: 150,
        };
        let e = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
            v.iter().map(|(n, s)| (n.to_string(), *s)).collect()
        };
        assert!(check_entries(&e(&[("a", 10), ("b/c", 100)]), &limits).is_ok());
        assert_eq!(
            check_entries(&e(&[("a", 1), ("./a", 1)]), &limits),
            Err(UnsafeEntry::Duplicate("./a".into()))
        );
        assert_eq!(
            check_entries(&e(&[("Model.onnx", 1), ("model.ONNX", 1)]), &limits),
            Err(UnsafeEntry::Duplicate("model.ONNX".into()))
        );
        assert_eq!(
            check_entries(&e(&[("a", 1), ("b", 1), ("c", 1), ("d", 1)]), &limits),
            Err(UnsafeEntry::TooMany(3))
        );
        assert!(matches!(
            check_entries(&e(&[("a", 101)]), &limits),
            Err(UnsafeEntry::EntryTooLarge { .. })
        ));
        assert_eq!(
            check_entries(&e(&[("a", 100), ("b", 51)]), &limits),
            Err(UnsafeEntry::TotalTooLarge(150))
        );
        // Declared sizes near u64::MAX do not wrap around.
        assert!(check_entries(&e(&[("a", 100), ("b", u64::MAX)]), &Limits::default()).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_package_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("pkg");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("mlwb.json"), "{}").unwrap();
        std::fs::write(dir.path().join("secret"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), root.join("model.onnx")).unwrap();
        std::os::unix::fs::symlink(root.join("mlwb.json"), root.join("alias.json")).unwrap();
        assert!(stays_inside(&root, &root.join("mlwb.json")).unwrap());
        assert!(stays_inside(&root, &root.join("alias.json")).unwrap());
        assert!(!stays_inside(&root, &root.join("model.onnx")).unwrap());
    }

    proptest! {
        /// Whatever the name, an accepted one joined to a root stays under it.
        #[test]
        fn an_accepted_name_never_leaves_the_root(name in "[a-zA-Z0-9./\\\\:_ -]{0,40}") {
            if let Ok(path) = entry_path(&name) {
                let root = Path::new("/pkg/root");
                let joined = root.join(&path);
                let mut depth: i64 = 0;
                for c in path.components() {
                    match c {
                        Component::Normal(_) => depth += 1,
                        _ => depth = -1000,
                    }
                }
                prop_assert!(depth > 0, "{name:?} → {path:?}");
                prop_assert!(joined.starts_with(root));
            }
        }
    }
}
