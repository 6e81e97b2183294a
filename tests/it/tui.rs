//! TUI snapshots (ratatui TestBackend + insta): the Data pane, details, sort/filter, help,
//! the error line, a loading screen, a tiny terminal. Jobs run synchronously here, through the
//! production effect runner (files load in worker processes, as in the app).

use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mlwb::jobs::JobEvent;
use mlwb::pipeline::progress::no_progress;
use mlwb::tui::app::{Action, App, Effect, Global, PaneNumber};
use mlwb::tui::keymap::Keymap;
use mlwb::tui::panes::data::DataAction;
use mlwb::tui::runner::Runner;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::{demo_file, fixture};

/// The production effect runner, with workers started from the built mlwb binary.
pub(super) fn runner() -> Runner {
    Runner::new(PathBuf::from(env!("CARGO_BIN_EXE_mlwb")))
}

/// Run effects with the production runner, but on this thread, one at a time (last first),
/// feeding every partial result and then the result back into the app.
pub(super) fn run(app: &mut App, effects: Vec<Effect>) {
    let runner = runner();
    let mut queue = effects;
    while let Some(effect) = queue.pop() {
        let Some((_, job)) = effect.job() else {
            continue;
        };
        let id = job.id;
        let cancel = job.cancel.clone();
        let updates = std::sync::Mutex::new(Vec::new());
        let result = runner.execute(effect, &cancel, &no_progress, &|u| {
            updates.lock().unwrap().push(u)
        });
        for u in updates.into_inner().unwrap() {
            queue.extend(app.on_job(JobEvent::Update(id, u)));
        }
        queue.extend(app.on_job(JobEvent::Finished(id, result)));
    }
}

/// A run store of its own for one test (kept until the process ends).
pub(super) fn temp_store() -> PathBuf {
    tempfile::tempdir().unwrap().keep().join(".mlwb")
}

pub(super) fn new_app(files: Vec<PathBuf>) -> App {
    App::new(Keymap::bundled(), files, true, temp_store())
}

pub(super) fn app_with(files: Vec<PathBuf>, size: (u16, u16)) -> App {
    let mut app = new_app(files);
    app.update(Action::Resize(size.0, size.1));
    let effects = app.start();
    run(&mut app, effects);
    app
}

pub(super) fn press(app: &mut App, code: KeyCode) {
    let key = KeyEvent::new(code, KeyModifiers::NONE);
    if let Some(action) = app.map_key(&key) {
        let effects = app.update(action);
        run(app, effects);
    }
}

/// Run one palette command, as typed: `:`, the line, Enter.
pub(super) fn command(app: &mut App, line: &str) {
    press(app, KeyCode::Char(':'));
    typed(app, line);
    press(app, KeyCode::Enter);
}

pub(super) fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

pub(super) fn screen(app: &App, now: Instant) -> String {
    let (w, h) = app.size();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| mlwb::tui::view::draw(f, app, now))
        .unwrap();
    format!("{}", terminal.backend())
}

pub(super) fn shot(app: &App) -> String {
    screen(app, Instant::now())
}

#[test]
fn data_pane_80x24() {
    let app = app_with(vec![demo_file("penguins.csv")], (80, 24));
    insta::assert_snapshot!(shot(&app));
}

#[test]
fn data_pane_200x60_numeric_column() {
    let mut app = app_with(vec![demo_file("penguins.csv")], (200, 60));
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Char('l'));
    for _ in 0..5 {
        press(&mut app, KeyCode::Char('j'));
    }
    insta::assert_snapshot!(shot(&app));
}

#[test]
fn details_of_a_column() {
    let mut app = app_with(vec![demo_file("diabetes.csv")], (100, 30));
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(shot(&app));
}

#[test]
fn sort_and_filter() {
    let mut app = app_with(vec![demo_file("penguins.csv")], (80, 24));
    for _ in 0..5 {
        press(&mut app, KeyCode::Char('l'));
    }
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, ">5000");
    press(&mut app, KeyCode::Enter);
    let text = shot(&app);
    assert!(text.contains("body_mass_g ▼"), "{text}");
    assert!(text.contains("filter: body_mass_g > 5000"), "{text}");
    insta::assert_snapshot!(text);
    // Esc clears the filter but keeps the sort.
    press(&mut app, KeyCode::Esc);
    assert!(app.panes.data.shown_view.filter.is_none());
    assert!(app.panes.data.shown_view.sort.is_some());
}

#[test]
fn help_overlay() {
    let mut app = app_with(vec![demo_file("penguins.csv")], (80, 24));
    press(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(shot(&app));
    press(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
}

#[test]
fn error_line_for_a_bad_file() {
    // A relative path, so the snapshot is the same in every checkout.
    let app = app_with(
        vec![PathBuf::from("tests/fixtures/messy/utf16.csv")],
        (80, 24),
    );
    let text = shot(&app);
    assert!(text.contains("✗"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn palette_open_and_unknown_command() {
    let mut app = app_with(vec![demo_file("penguins.csv")], (80, 24));
    press(&mut app, KeyCode::Char(':'));
    typed(&mut app, "frobnicate");
    press(&mut app, KeyCode::Enter);
    assert!(
        app.error
            .as_deref()
            .unwrap_or("")
            .contains("unknown command")
    );
    press(&mut app, KeyCode::Char(':'));
    typed(
        &mut app,
        &format!("open {}", demo_file("diabetes.csv").display()),
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.panes.data.dataset.as_ref().unwrap().df.width(), 11);
    assert_eq!(app.panes.data.catalog.len(), 2);
    press(&mut app, KeyCode::Char(']'));
    assert_eq!(app.panes.data.dataset.as_ref().unwrap().df.width(), 8);
}

#[test]
fn loading_screen() {
    let mut app = new_app(vec![demo_file("penguins.csv")]);
    app.update(Action::Resize(80, 24));
    let _effects = app.start();
    let started = app.panes.data.loading.as_ref().unwrap().full.started;
    insta::assert_snapshot!(screen(&app, started));
    // Esc cancels the load and says so.
    press(&mut app, KeyCode::Esc);
    assert!(app.panes.data.loading.is_none());
    assert_eq!(app.message.as_deref(), Some("cancelled loading"));
}

#[test]
fn tiny_terminal() {
    let app = app_with(vec![demo_file("penguins.csv")], (30, 8));
    insta::assert_snapshot!(shot(&app));
}

#[test]
fn every_size_renders_without_panicking() {
    let mut app = app_with(vec![fixture("messy/control_chars.csv")], (80, 24));
    // (TestBackend cannot hold a 0-wide buffer; the view itself draws nothing there.)
    for pane in 0..mlwb::tui::app::Pane::ALL.len() {
        app.update(Global::GotoPane(PaneNumber(pane)).into());
        for w in [1u16, 2, 10, 39, 40, 41, 59, 60, 80, 123, 250] {
            for h in [1u16, 2, 5, 9, 10, 11, 13, 14, 24, 60] {
                app.update(Action::Resize(w, h));
                let text = shot(&app);
                assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'));
            }
        }
    }
}

#[test]
fn quit_asks_while_a_job_runs() {
    let mut app = new_app(vec![demo_file("penguins.csv")]);
    app.update(Action::Resize(80, 24));
    let _effects = app.start();
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.quit);
    press(&mut app, KeyCode::Char('n'));
    assert!(!app.quit);
    press(&mut app, KeyCode::Char('q'));
    press(&mut app, KeyCode::Char('y'));
    assert!(app.quit);
}

#[test]
fn a_sort_for_one_dataset_never_lands_on_another() {
    let mut app = app_with(vec![demo_file("penguins.csv")], (80, 24));
    let stale = app.update(DataAction::Sort.into());
    assert_eq!(stale.len(), 1);
    let effects = app.update(Action::Open(demo_file("diabetes.csv")));
    run(&mut app, effects);
    run(&mut app, stale);
    assert!(app.panes.data.view_rows.is_none());
    assert!(app.panes.data.shown_view.is_identity());
    assert_eq!(app.panes.data.dataset.as_ref().unwrap().df.width(), 11);
}

#[test]
fn a_sort_made_on_the_preview_survives_the_full_load() {
    let mut app = new_app(vec![demo_file("penguins.csv")]);
    app.update(Action::Resize(80, 24));
    let mut effects = app.start();
    // Deliver only the preview first, then sort, then let the full load arrive.
    let at = effects
        .iter()
        .position(|e| matches!(e, Effect::Load { preview: false, .. }))
        .unwrap();
    let full = effects.remove(at);
    run(&mut app, effects);
    assert!(!app.panes.data.dataset.as_ref().unwrap().complete);
    let sort = app.update(DataAction::Sort.into());
    run(&mut app, vec![full]);
    run(&mut app, sort);
    assert!(app.panes.data.dataset.as_ref().unwrap().complete);
    assert_eq!(
        app.panes
            .data
            .shown_view
            .sort
            .as_ref()
            .map(|s| s.column.as_str()),
        Some("species")
    );
}

#[test]
fn help_scroll_stays_in_range() {
    let mut app = app_with(vec![demo_file("penguins.csv")], (80, 24));
    press(&mut app, KeyCode::Char('?'));
    press(&mut app, KeyCode::Char('G'));
    let Some(mlwb::tui::app::Overlay::Help { scroll: bottom }) = app.overlay.clone() else {
        panic!("help is not open")
    };
    assert!(bottom > 0 && bottom < 40, "{bottom}");
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(
        app.overlay,
        Some(mlwb::tui::app::Overlay::Help { scroll: bottom - 1 })
    );
}

/// Issue 13, item 18: Parquet categorical values showed with debug quotes (`"Adelie"`).
#[test]
fn parquet_categories_show_without_quotes() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cats.parquet");
    let species = Series::new("species".into(), &["Adelie", "Gentoo", "Adelie"])
        .cast(&DataType::from_categories(Categories::global()))
        .unwrap();
    let mut df = DataFrame::new(3, vec![species.into()]).unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut df)
        .unwrap();
    let app = app_with(vec![path], (60, 12));
    let text = shot(&app);
    assert!(
        text.contains("Adelie") && !text.contains("\"Adelie\""),
        "{text}"
    );
}

/// Issue 13, item 24: `:filter COL EXPR` filters that column; an empty result says so.
#[test]
fn filter_names_its_column_and_says_when_nothing_matches() {
    let mut app = app_with(vec![demo_file("penguins.csv")], (100, 30));
    press(&mut app, KeyCode::Char(':'));
    typed(&mut app, "filter body_mass_g > 6000");
    press(&mut app, KeyCode::Enter);
    let f = app.panes.data.shown_view.filter.clone().unwrap();
    assert_eq!(
        (f.column.as_str(), f.value.as_str()),
        ("body_mass_g", "6000")
    );
    assert_eq!(app.panes.data.view_len(), 2, "two penguins above 6 kg");
    press(&mut app, KeyCode::Char(':'));
    typed(&mut app, "filter body_mass_g > 9000");
    press(&mut app, KeyCode::Enter);
    assert!(
        app.error
            .as_deref()
            .is_some_and(|e| e.contains("no rows match")),
        "{:?}",
        app.error
    );
}
