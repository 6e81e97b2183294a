//! The run store (DESIGN.md §7): SQLite (WAL) at `.mlwb/mlwb.db`, found by walking up from the
//! working directory like git (created there when none is found; `--store DIR` or
//! `MLWB_STORE` overrides), with fitted models as files under `.mlwb/models/`. A running run
//! records its pid, host and a heartbeat; opening the store marks runs whose owner is gone as
//! interrupted, and never touches a run that a live process is training.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

mod checks;
mod memory;

pub use checks::DriftCheck;

use crate::pipeline::train::metrics::{self, Confusion, Metric, Metrics};
use crate::pipeline::{PipelineError, Result};

/// The store's directory name inside a project.
pub const STORE_DIR: &str = ".mlwb";
const DB_FILE: &str = "mlwb.db";
/// Raised only for changes older binaries cannot read; added tables (drift checks) keep it,
/// so an older mlwb still opens a store a newer one has used.
const SCHEMA_VERSION: i64 = 1;
/// How often a training process refreshes its runs' heartbeat.
pub const HEARTBEAT: Duration = Duration::from_secs(2);
/// A heartbeat older than this means the owner is gone.
pub const STALE_AFTER: Duration = Duration::from_secs(30);

/// A run's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Queued,
    Running,
    Finished,
    Failed,
    TimedOut,
    Cancelled,
    Interrupted,
}

impl RunStatus {
    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Finished => "finished",
            RunStatus::Failed => "failed",
            RunStatus::TimedOut => "timed_out",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> RunStatus {
        match s {
            "queued" => RunStatus::Queued,
            "running" => RunStatus::Running,
            "finished" => RunStatus::Finished,
            "failed" => RunStatus::Failed,
            "timed_out" => RunStatus::TimedOut,
            "cancelled" => RunStatus::Cancelled,
            _ => RunStatus::Interrupted,
        }
    }

    pub fn is_done(self) -> bool {
        !matches!(self, RunStatus::Queued | RunStatus::Running)
    }
}

/// What a run is, recorded when it is queued.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSetup {
    pub study_id: i64,
    pub data_path: String,
    pub data_fingerprint: String,
    pub target: Option<String>,
    pub task: String,
    /// The validation as JSON, and its comparability key.
    pub validation: serde_json::Value,
    pub validation_label: String,
    pub validation_key: String,
    pub model: String,
    pub params: serde_json::Value,
    pub seed: u64,
    pub feature_spec: serde_json::Value,
    pub time_limit_s: Option<f64>,
}

/// What a finished (or failed) run adds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    #[serde(deserialize_with = "metrics::read_metrics")]
    pub metrics: Metrics,
    #[serde(deserialize_with = "metrics::read_fold_metrics")]
    pub fold_metrics: Vec<Metrics>,
    pub confusion: Option<Confusion>,
    pub summary: serde_json::Value,
    pub feature_spec_hash: Option<String>,
    pub fitted_features_hash: Option<String>,
    pub train_rows: Option<u64>,
    pub test_rows: Option<u64>,
    pub dropped_rows: Option<u64>,
    pub n_features: Option<u64>,
    pub model_path: Option<String>,
    pub model_bytes: Option<u64>,
    pub model_hash: Option<String>,
    pub error: Option<String>,
    /// Why a finished result is suspect (degenerate clusterings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A stored run's number (as the store, the CLI and JSON write it).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct RunId(pub i64);

/// A stored drift check's number.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct CheckId(pub i64);

macro_rules! sql_id {
    ($t:ident) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl rusqlite::ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl rusqlite::types::FromSql for $t {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(value).map($t)
            }
        }
    };
}
sql_id!(RunId);
sql_id!(CheckId);

/// One stored run, as listed and shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub run_id: RunId,
    pub status: RunStatus,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub duration_s: Option<f64>,
    #[serde(flatten)]
    pub setup: RunSetup,
    #[serde(flatten)]
    pub result: RunResult,
    pub mlwb_version: String,
    pub git_commit: Option<String>,
    pub pid: Option<u32>,
    pub host: Option<String>,
}

/// Where the store lives for this process: `explicit` (from `--store` or `MLWB_STORE`), else
/// the nearest `.mlwb` above `cwd`, else `cwd/.mlwb`.
pub fn locate(explicit: Option<&Path>, cwd: &Path) -> PathBuf {
    if let Some(dir) = explicit {
        return dir.to_path_buf();
    }
    let mut at = Some(cwd);
    while let Some(dir) = at {
        let candidate = dir.join(STORE_DIR);
        if candidate.join(DB_FILE).is_file() {
            return candidate;
        }
        at = dir.parent();
    }
    cwd.join(STORE_DIR)
}

/// A run's id, owner pid and host, and last heartbeat.
type Owner = (i64, Option<u32>, Option<String>, Option<f64>);

/// An open store.
pub struct Store {
    dir: PathBuf,
    conn: Connection,
    interrupted_at_open: usize,
}

fn db_error(dir: &Path, e: rusqlite::Error) -> PipelineError {
    PipelineError::Io {
        path: dir.join(DB_FILE),
        message: format!("the run store cannot be used: {e}"),
        source: None,
    }
}

pub fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// An RFC 3339 UTC timestamp of `secs` since the epoch.
pub fn timestamp(secs: f64) -> String {
    let s = secs.floor() as i64;
    let (days, rem) = (s.div_euclid(86_400), s.rem_euclid(86_400));
    let (y, m, d) = crate::pipeline::features::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// This machine's name (for telling whose pid a run records).
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

/// Whether process `pid` runs here. A zombie (exited, not yet reaped) has a `/proc` entry
/// but trains nothing: it counts as gone.
pub fn pid_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // The state follows the command name, which is in parentheses and may hold any
            // character: read it after the last ')'.
            Ok(stat) => stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| !matches!(state, "Z" | "X" | "x")),
            Err(_) => false,
        }
    } else {
        true // elsewhere, only the heartbeat decides
    }
}

impl Store {
    /// Open (creating if needed) the store in `dir`, and mark orphaned runs interrupted.
    pub fn open(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir.join("models")).map_err(|e| PipelineError::io(dir, e))?;
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            crate::pipeline::files::write_atomic(
                &ignore,
                b"# mlwb's run store: local results, not source.\n*\n",
            )?;
        }
        let conn = Connection::open(dir.join(DB_FILE)).map_err(|e| db_error(dir, e))?;
        let mut store = Store {
            dir: dir.to_path_buf(),
            conn,
            interrupted_at_open: 0,
        };
        store.init().map_err(|e| db_error(dir, e))?;
        store.interrupted_at_open = store.mark_interrupted()?;
        store.collect_orphan_models();
        Ok(store)
    }

    /// Open the store in `dir` to read from it: as [`Store::open`] when it can be written,
    /// else (a read-only or full store) read-only, so what it holds can still be shown.
    pub fn open_to_read(dir: &Path) -> Result<Store> {
        match Store::open(dir) {
            Ok(store) => Ok(store),
            Err(e) => Store::open_read_only(dir)?.ok_or(e),
        }
    }

    /// Open an existing store only to read it: nothing is created or written, so a read-only
    /// or full store can be listed. `None` when there is no store in `dir`.
    pub fn open_read_only(dir: &Path) -> Result<Option<Store>> {
        use rusqlite::OpenFlags;
        let db = dir.join(DB_FILE);
        if !db.is_file() {
            return Ok(None);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        // A WAL store in a folder this process cannot write may lack its shared-memory file:
        // then read it as an immutable file (nobody can be writing it without that file).
        let uri = |extra: &str| format!("file:{}?mode=ro{extra}", db.display());
        let conn = Connection::open_with_flags(uri(""), flags)
            .and_then(|c| {
                c.query_row("SELECT count(*) FROM runs", [], |_| Ok(()))
                    .map(|_| c)
            })
            .or_else(|_| Connection::open_with_flags(uri("&immutable=1"), flags))
            .map_err(|e| db_error(dir, e))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| db_error(dir, e))?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| db_error(dir, e))?;
        if version > SCHEMA_VERSION {
            return Err(db_error(
                dir,
                rusqlite::Error::InvalidParameterName(format!(
                    "the store was written by a newer mlwb (schema {version})"
                )),
            ));
        }
        Ok(Some(Store {
            dir: dir.to_path_buf(),
            conn,
            interrupted_at_open: 0,
        }))
    }

    /// Remove what a process killed while it wrote a model leaves behind: temp files whose
    /// writer is gone, and complete model files of runs that never finished (killed after the
    /// rename, before the run was recorded). Failures to remove are only logged.
    fn collect_orphan_models(&self) {
        let Ok(entries) = std::fs::read_dir(self.dir.join("models")) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let orphan = if let Some(pid) = name
                .strip_prefix(".run-")
                .and_then(|rest| rest.rsplit_once(".tmp"))
                .and_then(|(_, pid)| pid.parse::<u32>().ok())
            {
                !pid_alive(pid)
            } else if let Some(id) = name
                .strip_prefix("run-")
                .and_then(|rest| rest.strip_suffix(".mlwbm"))
                .and_then(|id| id.parse::<i64>().ok())
            {
                self.conn
                    .query_row("SELECT status FROM runs WHERE id = ?1", [id], |r| {
                        r.get::<_, String>(0)
                    })
                    .optional()
                    .ok()
                    .is_some_and(|status| {
                        status.is_none_or(|s| RunStatus::parse(&s).is_done() && s != "finished")
                    })
            } else {
                false
            };
            if orphan {
                match std::fs::remove_file(entry.path()) {
                    Ok(()) => tracing::info!(file = %name, "removed an orphaned model file"),
                    Err(e) => {
                        tracing::warn!(file = %name, "cannot remove an orphaned model file: {e}")
                    }
                }
            }
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Cap the database at `extra` pages above its size now (SQLite's `max_page_count`):
    /// writes past it fail as they would on a full disk. Tests use it to see what a full disk
    /// does to a study.
    pub fn cap_growth(&self, extra: i64) -> Result<()> {
        let pages: i64 = self
            .conn
            .pragma_query_value(None, "page_count", |r| r.get(0))
            .map_err(|e| db_error(&self.dir, e))?;
        self.conn
            .pragma_update(None, "max_page_count", pages + extra)
            .map_err(|e| db_error(&self.dir, e))
    }

    /// How many orphaned runs opening the store marked interrupted.
    pub fn interrupted_at_open(&self) -> usize {
        self.interrupted_at_open
    }

    fn init(&self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(Duration::from_secs(10))?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "the store was written by a newer mlwb (schema {version})"
            )));
        }
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS studies (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at TEXT NOT NULL,
                data_path TEXT NOT NULL,
                data_fingerprint TEXT NOT NULL,
                target TEXT,
                task TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                study_id INTEGER NOT NULL REFERENCES studies(id),
                status TEXT NOT NULL,
                created_at TEXT NOT NULL,
                started_at REAL,
                finished_at TEXT,
                duration_s REAL,
                data_path TEXT NOT NULL,
                data_fingerprint TEXT NOT NULL,
                target TEXT,
                task TEXT NOT NULL,
                validation TEXT NOT NULL,
                validation_label TEXT NOT NULL,
                validation_key TEXT NOT NULL,
                model TEXT NOT NULL,
                params TEXT NOT NULL,
                seed INTEGER NOT NULL,
                feature_spec TEXT NOT NULL,
                time_limit_s REAL,
                result TEXT,
                mlwb_version TEXT NOT NULL,
                git_commit TEXT,
                pid INTEGER,
                host TEXT,
                heartbeat REAL
            );
            CREATE INDEX IF NOT EXISTS runs_by_data ON runs(data_fingerprint, target, validation_key);
            CREATE TABLE IF NOT EXISTS drift_checks (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at TEXT NOT NULL,
                reference_path TEXT NOT NULL,
                reference_fingerprint TEXT NOT NULL,
                current_path TEXT NOT NULL,
                current_fingerprint TEXT NOT NULL,
                options TEXT NOT NULL,
                dataset_drift INTEGER NOT NULL,
                drift_share REAL NOT NULL,
                n_tested INTEGER NOT NULL,
                n_drifted INTEGER NOT NULL,
                duration_s REAL NOT NULL,
                report TEXT NOT NULL,
                mlwb_version TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS memories (
                dataset TEXT NOT NULL,
                pane TEXT NOT NULL,
                state TEXT NOT NULL,
                updated_at REAL NOT NULL,
                PRIMARY KEY (dataset, pane)
            );
            PRAGMA user_version = 1;",
        )
    }

    /// Mark `running`/`queued` runs whose owner is gone (a dead pid on this host, or a stale
    /// heartbeat) as interrupted. Returns how many.
    pub fn mark_interrupted(&self) -> Result<usize> {
        let here = host_name();
        let now = now_s();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, pid, host, heartbeat FROM runs WHERE status IN ('running', 'queued')",
            )
            .map_err(|e| db_error(&self.dir, e))?;
        let rows: Vec<Owner> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .and_then(|it| it.collect())
            .map_err(|e| db_error(&self.dir, e))?;
        let mut n = 0;
        for (id, pid, host, beat) in rows {
            let stale = beat.is_none_or(|b| now - b > STALE_AFTER.as_secs_f64());
            let dead = host.as_deref() == Some(here.as_str()) && pid.is_some_and(|p| !pid_alive(p));
            if stale || dead {
                n += self
                    .conn
                    .execute(
                        "UPDATE runs SET status = 'interrupted', finished_at = ?2 WHERE id = ?1 AND status IN ('running', 'queued')",
                        params![id, timestamp(now)],
                    )
                    .map_err(|e| db_error(&self.dir, e))?;
            }
        }
        Ok(n)
    }

    /// Record a new study; returns its id.
    pub fn create_study(
        &self,
        data_path: &str,
        fingerprint: &str,
        target: Option<&str>,
        task: &str,
    ) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO studies (created_at, data_path, data_fingerprint, target, task) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![timestamp(now_s()), data_path, fingerprint, target, task],
            )
            .map_err(|e| db_error(&self.dir, e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Record a queued run owned by this process; returns its id.
    pub fn queue_run(&self, setup: &RunSetup, git_commit: Option<&str>) -> Result<RunId> {
        let json = |v: &serde_json::Value| v.to_string();
        self.conn
            .execute(
                "INSERT INTO runs (study_id, status, created_at, data_path, data_fingerprint, target, task,
                    validation, validation_label, validation_key, model, params, seed, feature_spec, time_limit_s,
                    mlwb_version, git_commit, pid, host, heartbeat)
                 VALUES (?1, 'queued', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                params![
                    setup.study_id,
                    timestamp(now_s()),
                    setup.data_path,
                    setup.data_fingerprint,
                    setup.target,
                    setup.task,
                    json(&setup.validation),
                    setup.validation_label,
                    setup.validation_key,
                    setup.model,
                    json(&setup.params),
                    setup.seed as i64,
                    json(&setup.feature_spec),
                    setup.time_limit_s,
                    env!("CARGO_PKG_VERSION"),
                    git_commit,
                    std::process::id(),
                    host_name(),
                    now_s(),
                ],
            )
            .map_err(|e| db_error(&self.dir, e))?;
        Ok(RunId(self.conn.last_insert_rowid()))
    }

    pub fn start_run(&self, id: RunId) -> Result<()> {
        self.conn
            .execute(
                "UPDATE runs SET status = 'running', started_at = ?2, heartbeat = ?2 WHERE id = ?1",
                params![id, now_s()],
            )
            .map_err(|e| db_error(&self.dir, e))?;
        Ok(())
    }

    /// Refresh the heartbeat of this process's unfinished runs.
    pub fn heartbeat(&self, ids: &[RunId]) -> Result<()> {
        for id in ids {
            self.conn
                .execute(
                    "UPDATE runs SET heartbeat = ?2 WHERE id = ?1 AND status IN ('running', 'queued')",
                    params![id, now_s()],
                )
                .map_err(|e| db_error(&self.dir, e))?;
        }
        Ok(())
    }

    /// Record how a run ended.
    pub fn finish_run(&self, id: RunId, status: RunStatus, result: &RunResult) -> Result<()> {
        let result_json =
            serde_json::to_string(result).map_err(|e| PipelineError::Internal(e.to_string()))?;
        let now = now_s();
        self.conn
            .execute(
                "UPDATE runs SET status = ?2, result = ?3, finished_at = ?4,
                    duration_s = CASE WHEN started_at IS NULL THEN NULL ELSE ?5 - started_at END
                 WHERE id = ?1",
                params![id, status.name(), result_json, timestamp(now), now],
            )
            .map_err(|e| db_error(&self.dir, e))?;
        Ok(())
    }

    /// Where run `id`'s fitted model is kept.
    pub fn model_path(&self, id: RunId) -> PathBuf {
        self.dir.join("models").join(format!("run-{id}.mlwbm"))
    }

    fn select(&self, filter: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<RunRecord>> {
        let sql = format!(
            "SELECT id, status, created_at, finished_at, duration_s, study_id, data_path, data_fingerprint, target, task,
                validation, validation_label, validation_key, model, params, seed, feature_spec, time_limit_s,
                result, mlwb_version, git_commit, pid, host
             FROM runs {filter} ORDER BY id"
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| db_error(&self.dir, e))?;
        let parse = |s: String| {
            serde_json::from_str::<serde_json::Value>(&s).unwrap_or(serde_json::Value::Null)
        };
        let rows = stmt
            .query_map(args, |r| {
                let result: Option<String> = r.get(18)?;
                Ok(RunRecord {
                    run_id: r.get(0)?,
                    status: RunStatus::parse(&r.get::<_, String>(1)?),
                    created_at: r.get(2)?,
                    finished_at: r.get(3)?,
                    duration_s: r.get(4)?,
                    setup: RunSetup {
                        study_id: r.get(5)?,
                        data_path: r.get(6)?,
                        data_fingerprint: r.get(7)?,
                        target: r.get(8)?,
                        task: r.get(9)?,
                        validation: parse(r.get(10)?),
                        validation_label: r.get(11)?,
                        validation_key: r.get(12)?,
                        model: r.get(13)?,
                        params: parse(r.get(14)?),
                        seed: r.get::<_, i64>(15)? as u64,
                        feature_spec: parse(r.get(16)?),
                        time_limit_s: r.get(17)?,
                    },
                    result: result
                        .and_then(|s| serde_json::from_str(&s).ok())
                        .unwrap_or_default(),
                    mlwb_version: r.get(19)?,
                    git_commit: r.get(20)?,
                    pid: r.get(21)?,
                    host: r.get(22)?,
                })
            })
            .and_then(|it| it.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| db_error(&self.dir, e))?;
        Ok(rows)
    }

    /// Every run, oldest first.
    pub fn list(&self) -> Result<Vec<RunRecord>> {
        self.select("", &[])
    }

    pub fn get(&self, id: RunId) -> Result<Option<RunRecord>> {
        Ok(self.select("WHERE id = ?1", &[&id])?.into_iter().next())
    }

    /// The runs of one study.
    pub fn study(&self, study_id: i64) -> Result<Vec<RunRecord>> {
        self.select("WHERE study_id = ?1", &[&study_id])
    }

    /// Runs comparable with the given data, target and validation (the leaderboard).
    pub fn comparable(
        &self,
        fingerprint: &str,
        target: Option<&str>,
        validation_key: &str,
    ) -> Result<Vec<RunRecord>> {
        self.select(
            "WHERE data_fingerprint = ?1 AND target IS ?2 AND validation_key = ?3",
            &[&fingerprint, &target, &validation_key],
        )
    }

    /// The newest study id, if any.
    pub fn last_study(&self) -> Result<Option<i64>> {
        self.conn
            .query_row("SELECT MAX(id) FROM studies", [], |r| {
                r.get::<_, Option<i64>>(0)
            })
            .optional()
            .map(|o| o.flatten())
            .map_err(|e| db_error(&self.dir, e))
    }
}

/// Order runs best first by `metric` (its direction known); runs without it go last.
pub fn rank(runs: &mut [RunRecord], metric: Metric) {
    let higher = metric.higher_is_better();
    runs.sort_by(|a, b| {
        let (x, y) = (a.result.metrics.get(&metric), b.result.metrics.get(&metric));
        match (x, y) {
            (Some(x), Some(y)) => {
                let o = x.total_cmp(y);
                (if higher { o.reverse() } else { o }).then(a.run_id.cmp(&b.run_id))
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.run_id.cmp(&b.run_id),
        }
    });
}

/// The git commit of the working directory, if it is in a repository (read from `.git`
/// without running git).
pub fn git_commit(cwd: &Path) -> Option<String> {
    let mut at = Some(cwd);
    while let Some(dir) = at {
        let git = dir.join(".git");
        if git.is_dir() {
            let head = std::fs::read_to_string(git.join("HEAD")).ok()?;
            let head = head.trim();
            if let Some(r) = head.strip_prefix("ref: ") {
                if let Ok(c) = std::fs::read_to_string(git.join(r)) {
                    return Some(c.trim().to_string());
                }
                let packed = std::fs::read_to_string(git.join("packed-refs")).ok()?;
                return packed
                    .lines()
                    .find(|l| l.ends_with(&format!(" {r}")))
                    .and_then(|l| l.split_whitespace().next())
                    .map(str::to_string);
            }
            return Some(head.to_string());
        }
        at = dir.parent();
    }
    None
}
