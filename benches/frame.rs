//! Frame time of the Data pane on a large table. Target (issue #2): under 10 ms per frame on
//! a 1M-row table. Run: `cargo bench --bench frame [-- FILE]`; without FILE it builds a
//! 1,000,000 × 16 table in memory shaped like the peer harness's classification table. Then
//! the UI thread's work on a wide table (3 rows × 100,000 columns, issue #13): taking the
//! loaded table in, a tick, and a key press plus a frame in each pane.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mlwb::jobs::JobEvent;
use mlwb::pipeline::data::{self, Dataset, FileFormat, LoadOptions};
use mlwb::pipeline::profile::{self, DatasetProfile};
use mlwb::pipeline::progress::{CancelFlag, no_progress};
use mlwb::pipeline::view;
use mlwb::tui::app::{Action, App, Effect, Global, JobOutput, Nav, PaneNumber};
use mlwb::tui::keymap::Keymap;
use mlwb::tui::panes::data::{DataAction, DataOutput};
use polars::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn synthetic(rows: usize) -> DataFrame {
    // A deterministic LCG keeps this dependency-free and reproducible.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut columns: Vec<Column> = Vec::new();
    for c in 0..12 {
        let v: Vec<Option<f64>> = (0..rows)
            .map(|_| {
                let x = next();
                if c % 3 == 1 && x < 0.05 {
                    None
                } else {
                    Some((x - 0.5) * 10.0 * (c + 1) as f64)
                }
            })
            .collect();
        columns.push(Column::new(format!("f{c:02}").into(), v));
    }
    for (c, levels) in [3usize, 8, 20].iter().enumerate() {
        let v: Vec<String> = (0..rows)
            .map(|_| format!("L{}", (next() * *levels as f64) as usize))
            .collect();
        columns.push(Column::new(format!("c{c}").into(), v));
    }
    let t: Vec<i64> = (0..rows).map(|_| i64::from(next() < 0.3)).collect();
    columns.push(Column::new("target".into(), t));
    DataFrame::new_infer_height(columns).unwrap()
}

/// `rows` × `cols` small whole numbers, named c0, c1, ….
fn wide(rows: usize, cols: usize) -> DataFrame {
    let columns: Vec<Column> = (0..cols)
        .map(|c| {
            let v: Vec<i64> = (0..rows).map(|r| ((r * 7 + c * 13) % 10) as i64).collect();
            Column::new(format!("c{c}").into(), v)
        })
        .collect();
    DataFrame::new(rows, columns).unwrap()
}

/// Time the UI thread's work on a wide table at 120×40.
fn wide_table(cols: usize) {
    let df = wide(3, cols);
    let dataset = Dataset {
        path: PathBuf::from("wide.csv"),
        format: FileFormat::Csv,
        gzip: false,
        delimiter: Some(b','),
        df,
        file_bytes: 0,
        fingerprint: "wide".into(),
        warnings: Vec::new(),
        complete: true,
    };
    let profile = profile::profile(&dataset.df, &CancelFlag::new(), &no_progress).unwrap();
    let t = Instant::now();
    let mut app = app_on(dataset, profile, (120, 40));
    let taken = t.elapsed();
    let ticks: Vec<Duration> = (0..50)
        .map(|_| {
            let t = Instant::now();
            app.update(Action::Tick);
            t.elapsed()
        })
        .collect();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut keys = Vec::new();
    for pane in [
        Action::from(Global::GotoPane(PaneNumber(1))),
        Global::GotoPane(PaneNumber(2)).into(),
        Global::GotoPane(PaneNumber(0)).into(),
    ] {
        app.update(pane);
        for _ in 0..10 {
            let t = Instant::now();
            app.update(DataAction::Nav(Nav::Down).into());
            terminal
                .draw(|f| mlwb::tui::view::draw(f, &app, Instant::now()))
                .unwrap();
            keys.push(t.elapsed());
        }
    }
    println!(
        "3 × {cols} table: taking it in {taken:?}, tick median {:?}, key + frame median {:?}, max {:?}",
        median(ticks),
        median(keys.clone()),
        keys.iter().max().unwrap()
    );
}

/// An app of size `size` that opened `dataset` and took in its full load (mostly the UI
/// thread's work of taking a table in; the app's own set-up is small beside it).
fn app_on(dataset: Dataset, profile: DatasetProfile, size: (u16, u16)) -> App {
    let mut app = App::new(
        Keymap::bundled(),
        Vec::new(),
        false,
        std::env::temp_dir().join("mlwb-frame-bench"),
    );
    app.update(Action::Resize(size.0, size.1));
    let effects = app.update(Action::Open(dataset.path.clone()));
    let full = effects
        .iter()
        .find_map(|e| match e {
            Effect::Load {
                job,
                preview: false,
                ..
            } => Some(job.id),
            _ => None,
        })
        .unwrap();
    app.on_job(JobEvent::Finished(
        full,
        Ok(JobOutput::Data(DataOutput::Loaded(Box::new((
            dataset,
            profile,
            Default::default(),
        ))))),
    ));
    app
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let arg = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let started = Instant::now();
    let dataset = match &arg {
        Some(path) => data::load(
            &PathBuf::from(path),
            &LoadOptions::default(),
            &CancelFlag::new(),
            &no_progress,
        )
        .expect("loading the benchmark file"),
        None => Dataset {
            path: PathBuf::from("synthetic.csv"),
            format: FileFormat::Csv,
            gzip: false,
            delimiter: Some(b','),
            df: synthetic(1_000_000),
            file_bytes: 0,
            fingerprint: String::new(),
            warnings: Vec::new(),
            complete: true,
        },
    };
    let profile = profile::profile(&dataset.df, &CancelFlag::new(), &no_progress).unwrap();
    println!(
        "table: {} rows × {} columns (prepared in {:.2} s)",
        dataset.df.height(),
        dataset.df.width(),
        started.elapsed().as_secs_f64()
    );
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let mut app = app_on(dataset.clone(), profile.clone(), (w, h));
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut frame = |app: &App| {
            let t = Instant::now();
            terminal
                .draw(|f| mlwb::tui::view::draw(f, app, Instant::now()))
                .unwrap();
            t.elapsed()
        };
        // Scroll through the file: each frame moves down half a page, then jump around.
        let mut times = Vec::new();
        for i in 0..300 {
            let action = match i % 50 {
                0 => DataAction::Nav(Nav::Bottom).into(),
                25 => DataAction::Nav(Nav::Top).into(),
                _ if i % 7 == 0 => DataAction::Right.into(),
                _ => DataAction::Nav(Nav::HalfPageDown).into(),
            };
            app.update(action);
            times.push(frame(&app));
        }
        let max = *times.iter().max().unwrap();
        println!(
            "{w}x{h} file order : median {:?}, max {:?} over {} frames",
            median(times),
            max,
            300
        );

        // A sorted view (descending on the fourth column): rows come through an index.
        app.update(DataAction::FirstColumn.into());
        for _ in 0..3 {
            app.update(DataAction::Right.into());
        }
        app.update(DataAction::Sort.into());
        let effects = app.update(DataAction::Sort.into());
        let t = Instant::now();
        for effect in effects {
            if let Effect::ComputeView { job, dataset, spec } = effect {
                let rows = view::compute(&dataset.df, &spec, &CancelFlag::new()).unwrap();
                app.on_job(JobEvent::Finished(
                    job.id,
                    Ok(JobOutput::Data(DataOutput::View(rows))),
                ));
            }
        }
        let sort_time = t.elapsed();
        let mut times = Vec::new();
        for i in 0..300 {
            app.update(if i % 50 == 0 {
                DataAction::Nav(Nav::Bottom).into()
            } else {
                DataAction::Nav(Nav::HalfPageUp).into()
            });
            times.push(frame(&app));
        }
        let max = *times.iter().max().unwrap();
        println!(
            "{w}x{h} sorted view: median {:?}, max {:?} over 300 frames (sort took {sort_time:?})",
            median(times),
            max
        );
    }
    wide_table(100_000);
}
