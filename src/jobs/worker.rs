//! Worker processes: the same binary run as `mlwb __worker`, given one task as a JSON line on
//! stdin, answering with JSON lines on stdout (progress, then a result or an error; a table
//! follows its result line as Arrow IPC bytes). Work that cannot stop itself (a polars parse,
//! later a model fit) runs here, so cancelling kills it at once and frees its core and memory,
//! and a crash or an out-of-memory kill takes down only the worker.

use std::io::{BufRead, BufReader, Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use polars::prelude::{IpcReader, IpcWriter, SerReader, SerWriter};
use serde::{Deserialize, Serialize};

use crate::pipeline::data::{self, Dataset, FileFormat, LoadOptions};
use crate::pipeline::error::ErrorKind;
use crate::pipeline::profile::{self, DatasetProfile};
use crate::pipeline::progress::{CancelFlag, Progress, ProgressFn, no_progress};
use crate::pipeline::train::RunRequest;
use crate::pipeline::train::{self, RunProgress, RunReport, artifact};
use crate::pipeline::{PipelineError, Result};

/// The hidden subcommand that runs a worker.
pub const SUBCOMMAND: &str = "__worker";
/// The spawning process's pid, handed to the worker so it can tell when that process is gone
/// even if it died before the worker started watching.
const PARENT_ENV: &str = "MLWB_WORKER_PARENT";

/// A task a worker can run.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "task", rename_all = "snake_case")]
pub enum Task {
    /// Load a file completely and profile it, or (`preview`) read only its first rows.
    LoadProfile {
        path: PathBuf,
        delimiter: Option<u8>,
        #[serde(default)]
        preview: bool,
    },
    /// Train and score one run on a file (and a test file), whose fingerprints must still be
    /// the ones the parent planned with.
    TrainRun {
        data: DataRef,
        test: Option<DataRef>,
        request: Box<RunRequest>,
    },
}

/// A data file as the parent saw it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DataRef {
    pub path: PathBuf,
    pub delimiter: Option<u8>,
    pub fingerprint: String,
}

impl DataRef {
    /// Load the file, and refuse it if it changed since it was planned with.
    pub fn load(&self, cancel: &CancelFlag) -> Result<Dataset> {
        let options = LoadOptions {
            preview: false,
            delimiter: self.delimiter,
        };
        let ds = data::load(&self.path, &options, cancel, &no_progress)?;
        if ds.fingerprint != self.fingerprint {
            return Err(PipelineError::bad_data(
                &self.path,
                "the file changed while training was planned; start the training again",
            ));
        }
        Ok(ds)
    }
}

/// What a dataset is, without its table (which travels as Arrow IPC).
#[derive(Debug, Serialize, Deserialize)]
struct DatasetMeta {
    path: PathBuf,
    format: FileFormat,
    gzip: bool,
    delimiter: Option<u8>,
    file_bytes: u64,
    fingerprint: String,
    warnings: Vec<String>,
}

/// One line a worker writes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum Event {
    Progress(Progress),
    Error {
        kind: ErrorKind,
        message: String,
    },
    /// Followed by `ipc_bytes` bytes of Arrow IPC holding the table (no profile for a preview).
    Loaded {
        meta: DatasetMeta,
        profile: Option<DatasetProfile>,
        ipc_bytes: u64,
    },
    RunProgress {
        progress: RunProgress,
    },
    /// Followed by `model_bytes` bytes of the encoded fitted model.
    Trained {
        report: Box<RunReport>,
        model_bytes: u64,
    },
}

// ---------------------------------------------------------------------------------------------
// The worker side.

/// Run one task read from stdin, answering on stdout. This is `main` of `mlwb __worker`.
pub fn serve() -> ExitCode {
    watch_parent();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return ExitCode::from(2);
    }
    let out = Mutex::new(std::io::BufWriter::with_capacity(
        1 << 20,
        std::io::stdout(),
    ));
    let send = |event: &Event, payload: &[u8]| -> std::io::Result<()> {
        let mut w = out.lock().map_err(|_| std::io::Error::other("poisoned"))?;
        serde_json::to_writer(&mut *w, event)?;
        w.write_all(b"\n")?;
        w.write_all(payload)?;
        w.flush()
    };
    let result = match serde_json::from_str::<Task>(&line) {
        Ok(task) => run_task(
            task,
            &|p: Progress| {
                let _ = send(&Event::Progress(p), &[]);
            },
            &|progress: RunProgress| {
                let _ = send(&Event::RunProgress { progress }, &[]);
            },
        ),
        Err(e) => Err(PipelineError::Internal(format!("bad worker task: {e}"))),
    };
    let sent = match result {
        Ok((event, payload)) => send(&event, &payload),
        Err(e) => send(
            &Event::Error {
                kind: e.kind(),
                message: e.to_string(),
            },
            &[],
        ),
    };
    match sent {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(70),
    }
}

/// End this worker when its parent dies (even by `kill -9`), so an orphan never trains on.
/// The parent is the pid the spawner passed (else the current parent): a parent that died
/// before this watch began is noticed at the first look, not missed.
fn watch_parent() {
    #[cfg(unix)]
    {
        let parent = std::env::var(PARENT_ENV)
            .ok()
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or_else(std::os::unix::process::parent_id);
        std::thread::spawn(move || {
            loop {
                if std::os::unix::process::parent_id() != parent {
                    std::process::exit(130);
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        });
    }
}

fn run_task(
    task: Task,
    progress: ProgressFn,
    send_run: &(dyn Fn(RunProgress) + Sync),
) -> Result<(Event, Vec<u8>)> {
    let cancel = CancelFlag::new();
    match task {
        Task::TrainRun {
            data,
            test,
            request,
        } => {
            let ds = data.load(&cancel)?;
            let test_ds = test.as_ref().map(|t| t.load(&cancel)).transpose()?;
            let (report, model) = train::run(
                &request,
                &ds.df,
                test_ds.as_ref().map(|t| &t.df),
                &cancel,
                send_run,
            )?;
            let bytes = artifact::encode(&model)?;
            Ok((
                Event::Trained {
                    report: Box::new(report),
                    model_bytes: bytes.len() as u64,
                },
                bytes,
            ))
        }
        Task::LoadProfile {
            path,
            delimiter,
            preview,
        } => {
            let options = LoadOptions { preview, delimiter };
            let mut ds = data::load(&path, &options, &cancel, progress)?;
            let profile = if preview {
                None
            } else {
                Some(profile::profile(&ds.df, &cancel, progress)?)
            };
            let mut ipc = Vec::new();
            IpcWriter::new(&mut ipc)
                .finish(&mut ds.df)
                .map_err(|e| PipelineError::Internal(format!("sending the table: {e}")))?;
            let meta = DatasetMeta {
                path: ds.path,
                format: ds.format,
                gzip: ds.gzip,
                delimiter: ds.delimiter,
                file_bytes: ds.file_bytes,
                fingerprint: ds.fingerprint,
                warnings: ds.warnings,
            };
            let ipc_bytes = ipc.len() as u64;
            Ok((
                Event::Loaded {
                    meta,
                    profile,
                    ipc_bytes,
                },
                ipc,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The parent side.

/// How to start a worker: the binary to run (normally this one).
#[derive(Clone, Debug)]
pub struct WorkerCommand {
    pub exe: PathBuf,
}

impl WorkerCommand {
    /// This process's own binary.
    pub fn current() -> Result<WorkerCommand> {
        std::env::current_exe()
            .map(|exe| WorkerCommand { exe })
            .map_err(|e| PipelineError::Internal(format!("cannot find the mlwb binary: {e}")))
    }

    /// Load and profile `path` in a worker. `cancel` kills the worker within ~50 ms.
    pub fn load_profile(
        &self,
        path: &Path,
        delimiter: Option<u8>,
        cancel: &CancelFlag,
        progress: ProgressFn,
    ) -> Result<(Dataset, DatasetProfile)> {
        let (ds, profile) = self.load(path, delimiter, false, cancel, progress)?;
        let profile =
            profile.ok_or_else(|| PipelineError::Internal("the worker sent no profile".into()))?;
        Ok((ds, profile))
    }

    /// Read the first rows of `path` in a worker, so no file can crash the caller's process
    /// (the TUI's first screen comes from here).
    pub fn preview(
        &self,
        path: &Path,
        cancel: &CancelFlag,
        progress: ProgressFn,
    ) -> Result<Dataset> {
        self.load(path, None, true, cancel, progress)
            .map(|(ds, _)| ds)
    }

    fn load(
        &self,
        path: &Path,
        delimiter: Option<u8>,
        preview: bool,
        cancel: &CancelFlag,
        progress: ProgressFn,
    ) -> Result<(Dataset, Option<DatasetProfile>)> {
        let task = Task::LoadProfile {
            path: path.to_path_buf(),
            delimiter,
            preview,
        };
        let mut running = Running::start(&self.exe, &task, cancel)?;
        loop {
            match running.next_event()? {
                Event::Progress(p) => progress(p),
                Event::RunProgress { .. } | Event::Trained { .. } => {
                    return Err(PipelineError::Internal(
                        "the worker answered another task".into(),
                    ));
                }
                Event::Error { kind, message } => return Err(PipelineError::remote(kind, message)),
                Event::Loaded {
                    meta,
                    profile,
                    ipc_bytes,
                } => {
                    let bytes = running.read_payload(ipc_bytes)?;
                    let df = IpcReader::new(Cursor::new(bytes)).finish().map_err(|e| {
                        PipelineError::Internal(format!("receiving the table: {e}"))
                    })?;
                    let dataset = Dataset {
                        path: meta.path,
                        format: meta.format,
                        gzip: meta.gzip,
                        delimiter: meta.delimiter,
                        df,
                        file_bytes: meta.file_bytes,
                        fingerprint: meta.fingerprint,
                        warnings: meta.warnings,
                        complete: !preview,
                    };
                    return Ok((dataset, profile));
                }
            }
        }
    }
}

impl WorkerCommand {
    /// Train one run in a worker. `cancel` kills the worker within ~50 ms. Returns the report
    /// and the encoded model.
    pub fn train_run(
        &self,
        data: &DataRef,
        test: Option<&DataRef>,
        request: &RunRequest,
        cancel: &CancelFlag,
        progress: &(dyn Fn(RunProgress) + Sync),
    ) -> Result<(RunReport, Vec<u8>)> {
        let task = Task::TrainRun {
            data: data.clone(),
            test: test.cloned(),
            request: Box::new(request.clone()),
        };
        let mut running = Running::start(&self.exe, &task, cancel)?;
        loop {
            match running.next_event()? {
                Event::RunProgress { progress: p } => progress(p),
                Event::Progress(_) | Event::Loaded { .. } => {}
                Event::Error { kind, message } => {
                    return Err(PipelineError::remote(kind, message));
                }
                Event::Trained {
                    report,
                    model_bytes,
                } => {
                    let bytes = running.read_payload(model_bytes)?;
                    return Ok((*report, bytes));
                }
            }
        }
    }
}

/// A started worker: its output, a watchdog that kills it on cancel, and its stderr.
struct Running {
    child: Arc<Mutex<Child>>,
    stdout: BufReader<std::process::ChildStdout>,
    stderr: Option<std::thread::JoinHandle<String>>,
    done: Arc<AtomicBool>,
    cancel: CancelFlag,
}

impl Running {
    fn start(exe: &Path, task: &Task, cancel: &CancelFlag) -> Result<Running> {
        let mut child = Command::new(exe)
            .arg(SUBCOMMAND)
            .env(PARENT_ENV, std::process::id().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                PipelineError::Internal(format!("cannot start a worker ({}): {e}", exe.display()))
            })?;
        let broken = |e: std::io::Error| PipelineError::Internal(format!("worker pipe: {e}"));
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| broken(std::io::Error::other("no stdin")))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| broken(std::io::Error::other("no stdout")))?;
        let stderr = child.stderr.take().map(|mut s| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = s.read_to_string(&mut text);
                text
            })
        });
        let child = Arc::new(Mutex::new(child));
        let done = Arc::new(AtomicBool::new(false));
        let (watch_child, watch_done, watch_cancel) = (child.clone(), done.clone(), cancel.clone());
        std::thread::spawn(move || {
            while !watch_done.load(Ordering::Relaxed) {
                if watch_cancel.is_cancelled() {
                    if let Ok(mut c) = watch_child.lock() {
                        let _ = c.kill();
                    }
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let mut running = Running {
            child,
            stdout: BufReader::new(stdout),
            stderr,
            done,
            cancel: cancel.clone(),
        };
        // A worker that is already gone cannot take the task: say so, not "broken pipe".
        let mut line =
            serde_json::to_string(task).map_err(|e| PipelineError::Internal(e.to_string()))?;
        line.push('\n');
        if stdin.write_all(line.as_bytes()).is_err() {
            drop(stdin);
            return Err(running.ended());
        }
        drop(stdin);
        Ok(running)
    }

    /// The next event, or why there is none (cancelled, or the worker died).
    fn next_event(&mut self) -> Result<Event> {
        let mut line = String::new();
        let read = self.stdout.read_line(&mut line);
        match read {
            Ok(n) if n > 0 => serde_json::from_str(&line)
                .map_err(|e| PipelineError::Internal(format!("bad worker message: {e}"))),
            _ => Err(self.ended()),
        }
    }

    fn read_payload(&mut self, len: u64) -> Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(len as usize);
        (&mut self.stdout)
            .take(len)
            .read_to_end(&mut buf)
            .map_err(|_| self.ended())?;
        if buf.len() as u64 != len {
            return Err(self.ended());
        }
        Ok(buf)
    }

    /// The error for a worker that stopped talking.
    fn ended(&mut self) -> PipelineError {
        if self.cancel.is_cancelled() {
            return PipelineError::Cancelled;
        }
        let status = self.child.lock().ok().and_then(|mut c| c.wait().ok());
        let stderr = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        let detail = stderr.lines().last().unwrap_or("").trim().to_string();
        PipelineError::Internal(format!(
            "the worker process ended unexpectedly ({}){}",
            status.map_or("no status".to_string(), |s| s.to_string()),
            if detail.is_empty() {
                String::new()
            } else {
                format!(": {detail}")
            }
        ))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Ok(mut c) = self.child.lock() {
            // Finished workers have exited; anything else (an error path) is stopped here.
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
