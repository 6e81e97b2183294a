//! The pipeline's error type: every failure names the file, row or column and what to do.

use std::path::{Path, PathBuf};

/// Result alias used across the pipeline.
pub type Result<T, E = PipelineError> = std::result::Result<T, E>;

/// Every way a pipeline step can fail. Messages are complete sentences meant for a user.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The path cannot be read (missing, a directory, no permission, ...).
    #[error("{}: {message}", path.display())]
    Io {
        path: PathBuf,
        message: String,
        #[source]
        source: Option<std::io::Error>,
    },
    /// The file was read but its content is not usable as a table.
    #[error("{}: {message}", path.display())]
    BadData { path: PathBuf, message: String },
    /// The table's columns do not fit what is asked of them (missing column, wrong type, no
    /// usable values): bad input data, not a bad request.
    #[error("{0}")]
    BadColumns(String),
    /// A request that does not fit the data (unknown column, bad filter, ...).
    #[error("{0}")]
    BadRequest(String),
    /// The user cancelled the work.
    #[error("cancelled")]
    Cancelled,
    /// A bug or an unexpected failure inside a dependency.
    #[error("internal error: {0}")]
    Internal(String),
    /// An error another mlwb process (a worker) reported, already worded for the user.
    #[error("{message}")]
    Remote {
        kind: &'static str,
        message: String,
        exit_code: u8,
    },
}

impl PipelineError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        let message = match source.kind() {
            std::io::ErrorKind::NotFound => "no such file; check the path".to_string(),
            std::io::ErrorKind::PermissionDenied => {
                "permission denied; check the file's permissions".to_string()
            }
            std::io::ErrorKind::IsADirectory => {
                "is a directory; give the path of a data file inside it".to_string()
            }
            _ => format!("cannot read: {source}"),
        };
        PipelineError::Io {
            path: path.to_path_buf(),
            message,
            source: Some(source),
        }
    }

    pub fn bad_data(path: &Path, message: impl Into<String>) -> Self {
        PipelineError::BadData {
            path: path.to_path_buf(),
            message: short(message.into()),
        }
    }

    /// A column problem of the data in `path`, said with the file's name (other errors, which
    /// name their file already or are not about data, stay as they are).
    pub fn in_file(self, path: &Path) -> Self {
        match self {
            PipelineError::BadColumns(message) => PipelineError::bad_data(path, message),
            other => other,
        }
    }

    /// An error reported by a worker process, keeping its kind and exit code.
    pub fn remote(kind: &str, message: String, exit_code: u8) -> Self {
        let kind = match kind {
            "io" => "io",
            "bad_data" => "bad_data",
            "bad_request" => "bad_request",
            "cancelled" => "cancelled",
            _ => "internal",
        };
        PipelineError::Remote {
            kind,
            message,
            exit_code,
        }
    }

    /// The process exit code this error maps to (DESIGN.md §9): 3 bad input, 70 internal.
    pub fn exit_code(&self) -> u8 {
        match self {
            PipelineError::Remote { exit_code, .. } => *exit_code,
            PipelineError::Io { .. }
            | PipelineError::BadData { .. }
            | PipelineError::BadColumns(_) => 3,
            PipelineError::BadRequest(_) => 2,
            PipelineError::Cancelled => 130,
            PipelineError::Internal(_) => 70,
        }
    }

    /// A short machine-readable kind for `--json` error output.
    pub fn kind(&self) -> &'static str {
        match self {
            PipelineError::Remote { kind, .. } => kind,
            PipelineError::Io { .. } => "io",
            PipelineError::BadData { .. } | PipelineError::BadColumns(_) => "bad_data",
            PipelineError::BadRequest(_) => "bad_request",
            PipelineError::Cancelled => "cancelled",
            PipelineError::Internal(_) => "internal",
        }
    }
}

/// The longest message an error about input data carries: messages may quote the data, and
/// a log or a CI output is no place for a file's contents.
const MAX_MESSAGE_CHARS: usize = 1000;

/// `message`, cut to [`MAX_MESSAGE_CHARS`] characters with a note of how much was left out.
fn short(message: String) -> String {
    let n = message.chars().count();
    if n <= MAX_MESSAGE_CHARS {
        return message;
    }
    let kept: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    format!("{kept}… ({} more characters)", n - MAX_MESSAGE_CHARS)
}

/// The text of a panic's payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// `catch_unwind` of `f` (whose state the caller discards on a panic).
fn catching<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
}

/// Run `f`, turning a panic inside it (in practice: inside a dependency) into an error.
pub fn catch_panics<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catching(f).unwrap_or_else(|payload| {
        Err(PipelineError::Internal(format!(
            "{what} failed unexpectedly: {}",
            panic_text(&*payload)
        )))
    })
}

/// Run a reader of the untrusted file `path`, turning a panic inside it into bad input: a
/// reader that cannot cope with a file has met a file it cannot read.
pub fn catch_reader_panics<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catching(f).unwrap_or_else(|payload| {
        Err(PipelineError::bad_data(
            path,
            format!(
                "cannot be read: the reader failed on it ({}); the file may be corrupt or \
                 of a kind mlwb does not read",
                crate::pipeline::text::truncate(&panic_text(&*payload), 200)
            ),
        ))
    })
}
