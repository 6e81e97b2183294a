//! The Features pane: snapshots of the list, an edit, the preview and an inline error, and
//! the keys that change the spec, save it and open it again.

use crossterm::event::KeyCode;
use mlwb::pipeline::features::{ColumnRole, Impute, Scale, Transform};
use mlwb::tui::app::{Action, App, Pane, PromptKind};

use super::demo_file;
use super::tui::{app_with, press, run, shot, typed};

fn features_app(file: &str, size: (u16, u16)) -> App {
    let mut app = app_with(vec![demo_file(file)], size);
    press(&mut app, KeyCode::Char('2'));
    assert_eq!(app.pane, Pane::Features);
    app
}

/// Put the cursor on `column` in the spec list.
pub(super) fn select(app: &mut App, column: &str) {
    let i = app
        .panes
        .features
        .spec
        .as_ref()
        .unwrap()
        .columns
        .iter()
        .position(|c| c.name == column)
        .unwrap();
    press(app, KeyCode::Char('g'));
    for _ in 0..i {
        press(app, KeyCode::Char('j'));
    }
}

#[test]
fn features_list_80x24() {
    let app = features_app("penguins.csv", (80, 24));
    assert!(app.panes.features.preview.is_some() && !app.panes.features.stale);
    insta::assert_snapshot!(shot(&app));
}

#[test]
fn features_edit_200x60() {
    let mut app = features_app("penguins.csv", (200, 60));
    select(&mut app, "body_mass_g");
    press(&mut app, KeyCode::Char('x')); // log1p
    press(&mut app, KeyCode::Char('s')); // standard -> minmax
    press(&mut app, KeyCode::Char('i')); // median -> mean
    let c = app.panes.features.selected().unwrap();
    assert_eq!(c.transforms, [Transform::Log1p]);
    assert_eq!(c.scale, Some(Scale::MinMax));
    assert_eq!(c.impute, Some(Impute::Mean));
    assert!(!app.panes.features.stale && app.panes.features.problems.is_empty());
    insta::assert_snapshot!(shot(&app));
}

#[test]
fn features_preview_of_dates_100x30() {
    let mut app = features_app("weather_reference.csv", (100, 30));
    select(&mut app, "date");
    let names = app
        .panes
        .features
        .preview
        .as_ref()
        .unwrap()
        .head
        .names
        .clone();
    assert_eq!(
        names[..4],
        ["date.year", "date.month", "date.day", "date.weekday"]
    );
    insta::assert_snapshot!(shot(&app));
}

#[test]
fn features_inline_error() {
    let mut app = features_app("penguins.csv", (80, 24));
    select(&mut app, "island");
    press(&mut app, KeyCode::Char('s')); // scaling a one-hot column: invalid
    assert_eq!(app.panes.features.problems.len(), 1);
    assert!(app.panes.features.stale);
    insta::assert_snapshot!(shot(&app));
    // Refused edits say why in the status line and change nothing.
    press(&mut app, KeyCode::Char('x'));
    assert!(
        app.error
            .as_deref()
            .unwrap()
            .contains("transforms apply to numeric columns")
    );
    // The automatic spec in one key clears the problem.
    press(&mut app, KeyCode::Char('a'));
    assert!(app.panes.features.problems.is_empty() && !app.panes.features.stale);
}

#[test]
fn role_key_moves_the_target_and_the_palette_edits_steps() {
    let mut app = features_app("penguins.csv", (80, 24));
    select(&mut app, "species");
    press(&mut app, KeyCode::Char('r')); // feature -> ignore
    press(&mut app, KeyCode::Char('r')); // ignore -> target
    assert_eq!(
        app.panes.features.spec.as_ref().unwrap().target(),
        Some("species")
    );
    select(&mut app, "island");
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Char('r'));
    let spec = app.panes.features.spec.as_ref().unwrap();
    assert_eq!(spec.target(), Some("island"));
    assert_eq!(spec.column("species").unwrap().role, ColumnRole::Ignore);
    select(&mut app, "body_mass_g");
    press(&mut app, KeyCode::Char(':'));
    typed(&mut app, "transforms log1p, clip(0.05, 0.95)");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char(':'));
    typed(&mut app, "fill 4000");
    press(&mut app, KeyCode::Enter);
    let c = app.panes.features.selected().unwrap();
    assert_eq!(c.transforms.len(), 2);
    assert_eq!(c.impute, Some(Impute::Constant));
    assert!(app.error.is_none(), "{:?}", app.error);
    let fitted = &app.panes.features.preview.as_ref().unwrap().fitted;
    assert_eq!(fitted.target.as_deref(), Some("island"));
}

#[test]
fn save_and_open_a_spec_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("penguins.features.toml");
    let mut app = features_app("penguins.csv", (80, 24));
    select(&mut app, "bill_depth_mm");
    press(&mut app, KeyCode::Char('s'));
    let saved = app.panes.features.spec.clone();
    press(&mut app, KeyCode::Char('w'));
    assert_eq!(app.prompt.as_ref().unwrap().kind, PromptKind::SaveSpec);
    assert_eq!(app.prompt.as_ref().unwrap().text, "penguins.features.toml");
    for _ in 0.."penguins.features.toml".len() {
        press(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, &path.display().to_string());
    press(&mut app, KeyCode::Enter);
    assert!(path.exists(), "{:?}", app.error);
    assert!(app.message.as_deref().unwrap().starts_with("spec saved to"));
    // Change everything, then open the file again.
    press(&mut app, KeyCode::Char('a'));
    assert_ne!(app.panes.features.spec, saved);
    press(&mut app, KeyCode::Char('o'));
    for _ in 0.."penguins.features.toml".len() {
        press(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, &path.display().to_string());
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.panes.features.spec, saved);
    assert!(!app.panes.features.stale);
    // A file that is not a spec is an error in the status line, and the spec stays.
    std::fs::write(&path, "columns = 3\n").unwrap();
    press(&mut app, KeyCode::Char('o'));
    for _ in 0.."penguins.features.toml".len() {
        press(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, &path.display().to_string());
    press(&mut app, KeyCode::Enter);
    assert!(
        app.error
            .as_deref()
            .unwrap()
            .contains("not a valid feature spec")
    );
    assert_eq!(app.panes.features.spec, saved);
}

#[test]
fn features_pane_before_any_dataset() {
    let mut app = super::tui::new_app(Vec::new());
    app.update(Action::Resize(60, 12));
    let effects =
        app.update(mlwb::tui::app::Global::GotoPane(mlwb::tui::app::PaneNumber(1)).into());
    run(&mut app, effects);
    let text = shot(&app);
    assert!(text.contains("No dataset yet"), "{text}");
    // Editing keys say why nothing happens instead of failing.
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(app.error.as_deref(), Some("no dataset is loaded yet"));
}
