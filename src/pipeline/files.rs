//! Writing files safely: every file mlwb writes goes to a temp file, is fsynced, then renamed,
//! so a reader never sees it half-written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::error::{PipelineError, Result};

/// The largest small document read whole (a feature spec, a fitted pipeline, a baseline).
pub const MAX_DOCUMENT_BYTES: u64 = 256 << 20;

/// The metadata of `path` when it is a regular file (or a symlink to one). A directory, a
/// named pipe, a device (`/dev/zero`) or a socket is refused with a message naming it: a pipe
/// would block a reader for ever and a device would never end.
pub fn regular_file(path: &Path) -> Result<std::fs::Metadata> {
    let meta = std::fs::metadata(path).map_err(|e| PipelineError::io(path, e))?;
    if meta.is_dir() {
        return Err(PipelineError::io(
            path,
            std::io::Error::from(std::io::ErrorKind::IsADirectory),
        ));
    }
    if !meta.is_file() {
        let what = special_kind(&meta);
        return Err(PipelineError::bad_data(
            path,
            format!(
                "is {what}, not a regular file; mlwb reads data from files: save it to a file first"
            ),
        ));
    }
    Ok(meta)
}

#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a named pipe"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_meta: &std::fs::Metadata) -> &'static str {
    "a special file"
}

/// Read a whole small document of at most `limit` bytes, after checking that it is a regular
/// file: a larger one is refused with its size, never read into memory.
pub fn read_document(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let meta = regular_file(path)?;
    if meta.len() > limit {
        return Err(PipelineError::bad_data(
            path,
            format!(
                "is {} bytes; a file of this kind is at most {limit} bytes: is it the right file?",
                meta.len()
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, limit + 1), &mut bytes)
        })
        .map_err(|e| PipelineError::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(PipelineError::bad_data(
            path,
            format!("grew past {limit} bytes while it was read; is it being written?"),
        ));
    }
    Ok(bytes)
}

/// [`read_document`] as UTF-8 text.
pub fn read_text_document(path: &Path, limit: u64) -> Result<String> {
    String::from_utf8(read_document(path, limit)?).map_err(|e| {
        PipelineError::bad_data(
            path,
            format!(
                "is not UTF-8 text (byte {} is not); is it the right file?",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// The memory available to a new allocation (Linux's `MemAvailable`), in bytes.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Write `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| {
        w.write_all(bytes).map_err(|e| PipelineError::io(path, e))
    })
}

/// Write `path` atomically through `write`, which gets a buffered writer on a temp file in the
/// same folder. On any failure the temp file is removed and `path` is left as it was.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    let tmp = temp_path(path);
    let result = (|| {
        let file = File::create(&tmp).map_err(|e| PipelineError::io(path, e))?;
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let file = w
            .into_inner()
            .map_err(|e| PipelineError::io(path, e.into_error()))?;
        file.sync_all().map_err(|e| PipelineError::io(path, e))?;
        std::fs::rename(&tmp, path).map_err(|e| PipelineError::io(path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn temp_path(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    dir.join(format!(
        ".{}.tmp{}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_no_file_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let err = write_atomic_with(&path, |w| {
            w.write_all(b"half")
                .map_err(|e| PipelineError::io(&path, e))?;
            Err(PipelineError::BadRequest("stop".into()))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        write_atomic(&path, b"whole").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"whole");
    }
}
