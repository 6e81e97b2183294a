//! Drift checks in the store: each check's inputs, options, verdict and whole report, so the
//! history can be listed and any earlier check reopened.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{CheckId, Store, db_error, now_s, timestamp};
use crate::pipeline::Result;
use crate::pipeline::drift::report::{CheckMeta, SideMeta};
use crate::pipeline::drift::{DriftOptions, DriftReport, Verdict};

/// A stored check, as listed (the report itself is read with [`Store::drift_report`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftCheck {
    pub check_id: CheckId,
    pub created_at: String,
    pub reference_path: String,
    pub reference_fingerprint: String,
    pub current_path: String,
    pub current_fingerprint: String,
    pub options: serde_json::Value,
    pub dataset_drift: bool,
    /// What the check said to a gate (checks stored before verdicts: derived from the counts).
    pub verdict: Verdict,
    pub drift_share: f64,
    pub n_tested: u64,
    pub n_drifted: u64,
    pub duration_s: f64,
    pub mlwb_version: String,
}

impl DriftCheck {
    /// What a report of this stored check says besides its statistics.
    pub fn meta(&self, report: &DriftReport) -> CheckMeta {
        let side = |path: &str, rows, fingerprint: &str| SideMeta {
            path: path.to_string(),
            rows,
            fingerprint: fingerprint.to_string(),
            note: None,
        };
        CheckMeta {
            reference: side(
                &self.reference_path,
                report.reference_rows,
                &self.reference_fingerprint,
            ),
            current: side(
                &self.current_path,
                report.current_rows,
                &self.current_fingerprint,
            ),
            check_id: Some(self.check_id),
            duration_s: self.duration_s,
        }
    }
}

impl Store {
    /// Record a finished drift check (its files, options and report); returns its id.
    pub fn record_drift(
        &self,
        meta: &CheckMeta,
        options: &DriftOptions,
        report: &DriftReport,
    ) -> Result<CheckId> {
        let json = |v: serde_json::Result<String>| v.unwrap_or_else(|_| "null".into());
        self.conn
            .execute(
                "INSERT INTO drift_checks (created_at, reference_path, reference_fingerprint,
                    current_path, current_fingerprint, options, dataset_drift, drift_share,
                    n_tested, n_drifted, duration_s, report, mlwb_version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    timestamp(now_s()),
                    meta.reference.path,
                    meta.reference.fingerprint,
                    meta.current.path,
                    meta.current.fingerprint,
                    json(serde_json::to_string(options)),
                    report.dataset_drift,
                    report.drift_share,
                    report.n_tested as i64,
                    report.n_drifted as i64,
                    meta.duration_s,
                    json(serde_json::to_string(report)),
                    env!("CARGO_PKG_VERSION"),
                ],
            )
            .map_err(|e| db_error(&self.dir, e))?;
        Ok(CheckId(self.conn.last_insert_rowid()))
    }

    /// Every drift check, newest first.
    pub fn drift_checks(&self) -> Result<Vec<DriftCheck>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, created_at, reference_path, reference_fingerprint, current_path,
                    current_fingerprint, options, dataset_drift, drift_share, n_tested, n_drifted,
                    duration_s, mlwb_version, json_extract(report, '$.verdict')
                 FROM drift_checks ORDER BY id DESC",
            )
            .map_err(|e| db_error(&self.dir, e))?;
        stmt.query_map([], |r| {
            let options: String = r.get(6)?;
            let dataset_drift: bool = r.get(7)?;
            let n_tested = r.get::<_, i64>(9)? as u64;
            let verdict = match r.get::<_, Option<String>>(13)?.as_deref() {
                Some("drift") => Verdict::Drift,
                Some("incomplete") => Verdict::Incomplete,
                Some("no_drift") => Verdict::NoDrift,
                _ if dataset_drift => Verdict::Drift,
                _ if n_tested == 0 => Verdict::Incomplete,
                _ => Verdict::NoDrift,
            };
            Ok(DriftCheck {
                check_id: r.get(0)?,
                created_at: r.get(1)?,
                reference_path: r.get(2)?,
                reference_fingerprint: r.get(3)?,
                current_path: r.get(4)?,
                current_fingerprint: r.get(5)?,
                options: serde_json::from_str(&options).unwrap_or(serde_json::Value::Null),
                dataset_drift,
                verdict,
                drift_share: r.get(8)?,
                n_tested,
                n_drifted: r.get::<_, i64>(10)? as u64,
                duration_s: r.get(11)?,
                mlwb_version: r.get(12)?,
            })
        })
        .and_then(|it| it.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| db_error(&self.dir, e))
    }

    /// The report of check `id`, if there is such a check and its report can be read.
    pub fn drift_report(&self, id: CheckId) -> Result<Option<DriftReport>> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT report FROM drift_checks WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| db_error(&self.dir, e))?;
        Ok(text
            .and_then(|t| serde_json::from_str::<DriftReport>(&t).ok())
            .map(|mut report| {
                report.recompute();
                report
            }))
    }
}
