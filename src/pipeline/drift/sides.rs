//! Reading the sides of a check: a whole table, a stored baseline, or summaries of a file read
//! in a streaming pass; what planning needs of each before any value is read.

use super::*;

/// One side of a check once read: a whole table, or summaries of one (a stored baseline, or
/// a file read in a streaming pass).
pub enum SideData {
    Frame(DataFrame),
    Summary(baseline::Summary),
}

/// One side of a check and where it came from.
pub struct LoadedSide {
    pub meta: report::SideMeta,
    pub data: SideData,
}

impl LoadedSide {
    pub fn source(&self) -> Source<'_> {
        match &self.data {
            SideData::Frame(df) => Source::Frame(df),
            SideData::Summary(s) => Source::Summary(s),
        }
    }

    pub fn rows(&self) -> u64 {
        self.source().rows()
    }
}

/// Read one side of a check from a data file: the whole table, or, with `stream`, a pass over
/// its batches that keeps only summaries (for files larger than memory). An empty table is bad
/// input naming its file.
pub fn load_side(
    path: &std::path::Path,
    stream: bool,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<LoadedSide> {
    use crate::pipeline::data::{self, LoadOptions};
    let empty = || {
        PipelineError::bad_data(
            path,
            "the table has no rows; drift needs data on both sides",
        )
    };
    let side = if stream {
        let mut summary = baseline::Summary {
            rows: 0,
            columns: Vec::new(),
        };
        let read = data::for_each_batch(path, data::BATCH_BYTES, cancel, progress, &mut |df| {
            summary
                .add_batch(&df, cancel)
                .map_err(|m| PipelineError::bad_data(path, m))
        })?;
        LoadedSide {
            meta: report::SideMeta {
                path: path.display().to_string(),
                rows: read.rows,
                fingerprint: read.fingerprint,
                note: Some("read in a streaming pass (summaries only)".into()),
            },
            data: SideData::Summary(summary),
        }
    } else {
        let d = data::load(path, &LoadOptions::default(), cancel, progress)?;
        LoadedSide {
            meta: report::SideMeta {
                path: d.path.display().to_string(),
                rows: d.df.height() as u64,
                fingerprint: d.fingerprint,
                note: None,
            },
            data: SideData::Frame(d.df),
        }
    };
    if side.rows() == 0 {
        return Err(empty());
    }
    Ok(side)
}

/// The reference side from a baseline file.
pub fn baseline_side(path: &std::path::Path) -> Result<LoadedSide> {
    let b = baseline::Baseline::read(path)?;
    Ok(LoadedSide {
        meta: report::SideMeta {
            path: path.display().to_string(),
            rows: b.source.rows,
            fingerprint: b.source.fingerprint.clone(),
            note: Some(format!("baseline of {}", b.source.path)),
        },
        data: SideData::Summary(b.summary),
    })
}

/// The reference side from a path: a baseline file (recognised by its first bytes) or data.
pub fn load_reference(
    path: &std::path::Path,
    stream: bool,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<LoadedSide> {
    if baseline::Baseline::is_baseline(path) {
        baseline_side(path)
    } else {
        load_side(path, stream, cancel, progress)
    }
}

/// A baseline of one side, ready to write.
pub fn make_baseline(side: &LoadedSide, cancel: &CancelFlag) -> Result<baseline::Baseline> {
    let summary = match &side.data {
        SideData::Frame(df) => baseline::Summary::of_frame(df, cancel)?,
        SideData::Summary(s) => s.clone(),
    };
    let mut source = side.meta.clone();
    source.note = None;
    Ok(baseline::Baseline::new(source, summary))
}

/// Whether files this large should be streamed: when holding them as tables would take more
/// than half the memory available now (a rough estimate from their sizes on disk).
pub fn should_stream(paths: &[&std::path::Path]) -> bool {
    let need: f64 = paths
        .iter()
        .map(|p| {
            let bytes = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64;
            let name = p.to_string_lossy().to_ascii_lowercase();
            // Compressed and columnar files grow when decoded; text shrinks a little.
            let factor = if [".parquet", ".pq", ".gz", ".arrow", ".ipc", ".feather"]
                .iter()
                .any(|e| name.ends_with(e))
            {
                4.0
            } else {
                1.5
            };
            bytes * factor
        })
        .sum();
    crate::pipeline::files::available_memory().is_some_and(|avail| need > avail as f64 / 2.0)
}

/// One side of a check: a table in memory, or summaries of one (a stored baseline, or a file
/// read in a streaming pass).
#[derive(Clone, Copy)]
pub enum Source<'a> {
    Frame(&'a DataFrame),
    Summary(&'a baseline::Summary),
}

/// What the planning of a column needs to know of one side, before any value is read.
pub struct ColumnInfo {
    pub class: DtypeClass,
    pub dtype: String,
    pub rows: u64,
    pub nulls: u64,
}

impl ColumnInfo {
    pub fn of(s: &Series) -> ColumnInfo {
        ColumnInfo {
            class: DtypeClass::of(s.dtype()),
            dtype: s.dtype().to_string(),
            rows: s.len() as u64,
            nulls: s.null_count() as u64,
        }
    }

    /// Counts of a column that is not tested, from its null count alone.
    pub(super) fn unread_side(&self) -> SideStats {
        side(self.rows - self.nulls, self.nulls, 0, 0, &self.dtype)
    }
}

impl Source<'_> {
    pub(super) fn rows(&self) -> u64 {
        match self {
            Source::Frame(df) => df.height() as u64,
            Source::Summary(s) => s.rows,
        }
    }

    pub(super) fn names(&self) -> Vec<String> {
        match self {
            Source::Frame(df) => df
                .get_column_names()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            Source::Summary(s) => s.columns.iter().map(|c| c.name.clone()).collect(),
        }
    }

    pub(super) fn info(&self, name: &str) -> Option<ColumnInfo> {
        match self {
            Source::Frame(df) => df
                .column(name)
                .ok()
                .map(|c| ColumnInfo::of(c.as_materialized_series())),
            Source::Summary(s) => s.column(name).map(|c| c.info()),
        }
    }

    /// The column's numbers as a sketch (exact from a table).
    pub(super) fn numbers(&self, name: &str) -> Result<std::borrow::Cow<'_, NumericSketch>> {
        use std::borrow::Cow;
        match self {
            Source::Frame(df) => {
                let col = df.column(name)?;
                let n = sample::numbers(col.as_materialized_series())?;
                Ok(Cow::Owned(NumericSketch::from_sorted(
                    &n.sorted, n.nulls, n.infinite,
                )))
            }
            Source::Summary(s) => s
                .column(name)
                .and_then(|c| c.numbers())
                .map(Cow::Borrowed)
                .ok_or_else(|| PipelineError::Internal(format!("no numbers kept for '{name}'"))),
        }
    }

    /// The column's label counts.
    pub(super) fn labels(&self, name: &str) -> Result<std::borrow::Cow<'_, LabelSummary>> {
        use std::borrow::Cow;
        match self {
            Source::Frame(df) => {
                let col = df.column(name)?;
                Ok(Cow::Owned(sample::labels(col.as_materialized_series())?))
            }
            Source::Summary(s) => s
                .column(name)
                .and_then(|c| c.labels())
                .map(Cow::Borrowed)
                .ok_or_else(|| PipelineError::Internal(format!("no labels kept for '{name}'"))),
        }
    }
}
