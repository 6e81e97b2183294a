//! Issue 14, item 8: what a new user met in a session. Switching datasets keeps each one's
//! spec, target and set-up; prompts edit like a line editor; `]`/`[` work from every pane; the
//! title keeps the file's name at 80 columns; a mistyped command gets a suggestion.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mlwb::pipeline::features::ColumnRole;
use mlwb::pipeline::train::TaskKind;
use mlwb::tui::app::{App, Pane, PromptKind};

use super::demo_file;
use super::tui::{app_with, command, press, shot, typed};
use super::tui_features::select;

fn role(app: &App, column: &str) -> Option<ColumnRole> {
    let spec = app.panes.features.spec.as_ref()?;
    spec.columns
        .iter()
        .find(|c| c.name == column)
        .map(|c| c.role)
}

fn two_datasets() -> App {
    app_with(
        vec![demo_file("penguins.csv"), demo_file("diabetes.csv")],
        (80, 24),
    )
}

#[test]
fn switching_datasets_keeps_each_ones_spec_target_and_setup() {
    let mut app = two_datasets();
    press(&mut app, KeyCode::Char('2'));
    command(&mut app, "target species");
    // An edit: `island` is left out.
    select(&mut app, "island");
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(role(&app, "island"), Some(ColumnRole::Ignore));
    press(&mut app, KeyCode::Char('3'));
    command(&mut app, "seed 7");
    command(&mut app, "validation cv 3");
    command(&mut app, "task classification");
    command(&mut app, "models tree");
    // `]` from the Train pane: the other table, with a spec of its own.
    press(&mut app, KeyCode::Char(']'));
    assert_eq!(app.pane, Pane::Train, "the pane stays");
    let diabetes = app.panes.data.dataset.as_ref().unwrap();
    assert!(diabetes.path.ends_with("diabetes.csv"));
    assert!(role(&app, "species").is_none());
    // A table met for the first time keeps the user's validation and seed, not the task or
    // the models chosen for the other table.
    assert_eq!(app.panes.train.seed, 7);
    assert_eq!(app.panes.train.task, None);
    assert!(app.panes.train.excluded.is_empty());
    command(&mut app, "target progression");
    assert_eq!(app.panes.train.effective_task(), Ok(TaskKind::Regression));
    // Back: the edits, the target and the set-up are as they were left.
    press(&mut app, KeyCode::Char('['));
    assert!(
        app.panes
            .data
            .dataset
            .as_ref()
            .unwrap()
            .path
            .ends_with("penguins.csv")
    );
    assert_eq!(role(&app, "species"), Some(ColumnRole::Target));
    assert_eq!(role(&app, "island"), Some(ColumnRole::Ignore));
    assert_eq!(app.panes.train.target.as_deref(), Some("species"));
    assert_eq!(app.panes.train.task, Some(TaskKind::Classification));
    assert_eq!(
        app.panes
            .train
            .model_choices()
            .iter()
            .filter(|(_, on)| *on)
            .count(),
        1
    );
    assert_eq!(
        (
            app.panes.train.seed,
            app.panes.train.validation.label().as_str()
        ),
        (7, "3-fold CV")
    );
    // And forth: the other table's target too.
    press(&mut app, KeyCode::Char(']'));
    assert_eq!(role(&app, "progression"), Some(ColumnRole::Target));
}

#[test]
fn prompts_edit_like_a_line_editor() {
    let mut app = two_datasets();
    press(&mut app, KeyCode::Char('2'));
    // `w` suggests a file name; typing replaces the suggestion instead of appending to it.
    press(&mut app, KeyCode::Char('w'));
    let prompt = app.prompt.as_ref().unwrap();
    assert_eq!(
        (prompt.kind, prompt.text.as_str()),
        (PromptKind::SaveSpec, "penguins.features.toml")
    );
    typed(&mut app, "nope.toml");
    assert_eq!(app.prompt.as_ref().unwrap().text, "nope.toml");
    // Left, Home, Ctrl-W and Ctrl-U edit; Esc closes.
    for _ in 0..".toml".len() {
        press(&mut app, KeyCode::Left);
    }
    typed(&mut app, "2");
    assert_eq!(app.prompt.as_ref().unwrap().text, "nope2.toml");
    let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    let key = ctrl('u');
    let action = app.map_key(&key).unwrap();
    app.update(action);
    assert_eq!(app.prompt.as_ref().unwrap().text, ".toml");
    press(&mut app, KeyCode::Esc);
    assert!(app.prompt.is_none());
    // History: Up brings back the last command; Tab completes commands and columns.
    command(&mut app, "seed 9");
    press(&mut app, KeyCode::Char(':'));
    press(&mut app, KeyCode::Up);
    assert_eq!(app.prompt.as_ref().unwrap().text, "seed 9");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char(':'));
    typed(&mut app, "so");
    press(&mut app, KeyCode::Tab);
    typed(&mut app, "body");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.prompt.as_ref().unwrap().text, "sort body_mass_g");
}

#[test]
fn a_mistyped_command_gets_a_suggestion_that_fits() {
    let mut app = two_datasets();
    command(&mut app, "sotr species");
    let error = app.error.clone().unwrap();
    assert!(error.contains("did you mean :sort COL [desc]?"), "{error}");
    let text = shot(&app);
    assert!(text.contains("did you mean"), "{text}");
}

#[test]
fn the_title_keeps_the_file_name_at_80_columns() {
    let mut app = two_datasets();
    let text = shot(&app);
    let title = text.lines().next().unwrap();
    assert!(title.contains("penguins.csv"), "{title}");
    command(&mut app, "filter species Adelie");
    let text = shot(&app);
    let title = text.lines().next().unwrap();
    assert!(
        title.contains("penguins.csv") && title.contains("152 shown"),
        "{title}"
    );
}

#[test]
fn earlier_messages_are_kept_and_a_long_one_says_where_to_read_it_whole() {
    let mut app = app_with(vec![demo_file("penguins.csv")], (80, 24));
    command(&mut app, "srot bill_length_mm");
    command(&mut app, "target no_such_column");
    // The second error replaced the first in the status line; the log has both, in order.
    let errors: Vec<&str> = app
        .log
        .iter()
        .filter(|l| l.error)
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("unknown command 'srot'"));
    assert!(errors[1].contains("no_such_column"));
    press(&mut app, KeyCode::Char('L'));
    let screen = shot(&app);
    assert!(screen.contains("Messages"), "{screen}");
    assert!(screen.contains("unknown command 'srot'"), "{screen}");
    assert!(screen.contains("no_such_column"), "{screen}");
    // Keys other than its own and the movements do nothing while it is open; L closes it.
    press(&mut app, KeyCode::Char('2'));
    assert_eq!(app.pane, Pane::Data);
    press(&mut app, KeyCode::Char('L'));
    assert!(app.overlay.is_none());
    // A message longer than three lines is cut, and says where the rest is.
    let long = "x".repeat(300);
    command(&mut app, &format!("open /nonexistent/{long}.csv"));
    let screen = shot(&app);
    assert!(screen.contains("… L shows all"), "{screen}");
    assert!(app.log.last().unwrap().text.contains(&long));
}

fn session(files: Vec<std::path::PathBuf>, store: &std::path::Path) -> App {
    let mut app = App::new(
        mlwb::tui::keymap::Keymap::bundled(),
        files,
        true,
        store.to_path_buf(),
    );
    app.update(mlwb::tui::app::Action::Resize(80, 24));
    let effects = app.start();
    super::tui::run(&mut app, effects);
    app
}

#[test]
fn a_datasets_spec_target_and_setup_are_kept_for_the_next_session() {
    let store = super::tui::temp_store();
    let mut app = session(vec![demo_file("penguins.csv")], &store);
    press(&mut app, KeyCode::Char('2'));
    command(&mut app, "target species");
    select(&mut app, "island");
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(role(&app, "island"), Some(ColumnRole::Ignore));
    command(&mut app, "seed 11");
    command(&mut app, "models logreg");
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('t'));
    assert_eq!(app.panes.train.board.runs.len(), 1);
    // Quitting keeps each pane's state of the table on screen.
    let effects = app.update(mlwb::tui::app::Global::Quit.into());
    super::tui::run(&mut app, effects);
    assert!(app.quit);

    // The next session, reaching the same file by another path, takes it all back: the
    // target, the edit, the seed, and so the earlier run on the leaderboard.
    let dir = demo_file("penguins.csv")
        .parent()
        .unwrap()
        .join("..")
        .join("demo");
    let again = session(vec![dir.join("penguins.csv")], &store);
    assert_eq!(again.shared.target(), Some("species"));
    assert_eq!(role(&again, "island"), Some(ColumnRole::Ignore));
    assert_eq!(again.panes.train.seed, 11);
    assert_eq!(again.panes.train.board.runs.len(), 1);

    // Another file met for the first time gets the automatic spec, and no target.
    let other = session(vec![demo_file("diabetes.csv")], &store);
    assert_eq!(other.shared.target(), None);

    // Going back to the automatic spec is kept too: the edited one does not come back.
    let mut again = again;
    press(&mut again, KeyCode::Char('2'));
    press(&mut again, KeyCode::Char('a'));
    assert_eq!(role(&again, "island"), Some(ColumnRole::Feature));
    let effects = again.update(mlwb::tui::app::Global::Quit.into());
    super::tui::run(&mut again, effects);
    let third = session(vec![demo_file("penguins.csv")], &store);
    assert_eq!(role(&third, "island"), Some(ColumnRole::Feature));
    // `a` keeps the target, and so does the next session.
    assert_eq!(third.shared.target(), Some("species"));
}
