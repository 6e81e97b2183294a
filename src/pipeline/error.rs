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
    Remote { kind: ErrorKind, message: String },
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

    /// An error reported by a worker process, keeping its kind.
    pub fn remote(kind: ErrorKind, message: String) -> Self {
        PipelineError::Remote { kind, message }
    }

    /// What kind of failure this is; the CLI decides the exit code from it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            PipelineError::Remote { kind, .. } => *kind,
            PipelineError::Io { .. } => ErrorKind::Io,
            PipelineError::BadData { .. } | PipelineError::BadColumns(_) => ErrorKind::BadData,
            PipelineError::BadRequest(_) => ErrorKind::BadRequest,
            PipelineError::Cancelled => ErrorKind::Cancelled,
            PipelineError::Internal(_) => ErrorKind::Internal,
        }
    }
}

/// The kinds of failure, as `--json` error output and the worker protocol name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A path that cannot be read or written.
    Io,
    /// Input data that cannot be used (the file, or its columns).
    BadData,
    /// A request that does not fit (unknown column, bad option).
    BadRequest,
    Cancelled,
    /// A bug, or an unexpected failure inside a dependency (a name this build does not know
    /// reads as this).
    #[serde(other)]
    Internal,
}

impl ErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::BadData => "bad_data",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Internal => "internal",
        }
    }
}

/// Failures inside polars on data mlwb has already read are not the user's: they are
/// internal errors (readers of untrusted files word their own errors, naming the file).
impl From<polars::error::PolarsError> for PipelineError {
    fn from(e: polars::error::PolarsError) -> Self {
        PipelineError::Internal(e.to_string())
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
