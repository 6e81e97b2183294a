//! The command palette (`:`) as a table: each command's names, arguments, help and what it
//! does. The unknown-command message, the help overlay and Tab completion all read the table.

use std::path::Path;

use super::app::{App, Global, Pane, PromptKind, expand_home};
use super::pane::{Outcome, PaneState};
use super::panes::drift::DriftAction;
use crate::pipeline::text::{edit_distance, escape_control};
use crate::pipeline::train::models::ModelKind;
use crate::pipeline::view::Sort;

/// What a command's argument names, for Tab completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    Nothing,
    Path,
    Column,
    Model,
}

/// One palette command.
pub struct Command {
    /// Its names; the first is the one help shows.
    pub names: &'static [&'static str],
    pub args: &'static str,
    pub help: &'static str,
    pub arg: Arg,
    run: fn(&mut App, &str) -> Outcome,
}

impl Command {
    /// `sort COL [desc]`
    pub fn usage(&self) -> String {
        match self.args {
            "" => self.names[0].to_string(),
            args => format!("{} {args}", self.names[0]),
        }
    }
}

/// Every command, in the order help lists them.
pub const COMMANDS: &[Command] = &[
    Command {
        names: &["open", "o", "e", "edit"],
        args: "PATH",
        help: "Open a data file (CSV, TSV, Parquet, JSON, Arrow; gzip too)",
        arg: Arg::Path,
        run: open,
    },
    Command {
        names: &["sort"],
        args: "COL [desc]",
        help: "Sort the Data pane by a column (no column: file order)",
        arg: Arg::Column,
        run: sort,
    },
    Command {
        names: &["filter"],
        args: "[COL] EXPR",
        help: "Filter rows: text, = x, > 5, null, !null (no EXPR: clear)",
        arg: Arg::Column,
        run: filter,
    },
    Command {
        names: &["fill"],
        args: "VALUE",
        help: "Impute the selected feature column with VALUE",
        arg: Arg::Nothing,
        run: fill,
    },
    Command {
        names: &["transforms"],
        args: "LIST",
        help: "The selected column's transforms: log1p, clip(0.01, 0.99), bins(10), …",
        arg: Arg::Nothing,
        run: transforms,
    },
    Command {
        names: &["target"],
        args: "COL|none",
        help: "The target column (none: clustering)",
        arg: Arg::Column,
        run: target,
    },
    Command {
        names: &["train", "t"],
        args: "",
        help: "Train the set-up's models",
        arg: Arg::Nothing,
        run: train,
    },
    Command {
        names: &["validation", "val"],
        args: "holdout 0.2|cv 5|test PATH",
        help: "How runs are validated",
        arg: Arg::Nothing,
        run: validation,
    },
    Command {
        names: &["seed"],
        args: "N",
        help: "The seed of splits and models",
        arg: Arg::Nothing,
        run: seed,
    },
    Command {
        names: &["timelimit", "time-limit", "time_limit"],
        args: "S",
        help: "Seconds each run may take (none: no limit)",
        arg: Arg::Nothing,
        run: time_limit,
    },
    Command {
        names: &["task"],
        args: "T",
        help: "auto, classification, regression or clustering",
        arg: Arg::Nothing,
        run: task,
    },
    Command {
        names: &["models"],
        args: "A,B",
        help: "Exactly these models on",
        arg: Arg::Model,
        run: models,
    },
    Command {
        names: &["params"],
        args: "MODEL k=v",
        help: "Hyperparameters of one model",
        arg: Arg::Model,
        run: params,
    },
    Command {
        names: &["drift"],
        args: "[REF CUR]",
        help: "Check drift of the chosen pair (or of these two files)",
        arg: Arg::Path,
        run: drift,
    },
    Command {
        names: &["reference", "ref"],
        args: "PATH",
        help: "The drift reference: data or a saved baseline",
        arg: Arg::Path,
        run: reference,
    },
    Command {
        names: &["current", "cur"],
        args: "PATH",
        help: "The current data checked against the reference",
        arg: Arg::Path,
        run: current,
    },
    Command {
        names: &["baseline"],
        args: "FILE",
        help: "Save a baseline of the reference to FILE",
        arg: Arg::Path,
        run: baseline,
    },
    Command {
        names: &["method"],
        args: "[COL=]TEST",
        help: "The drift test (for one column, or all)",
        arg: Arg::Column,
        run: |app, rest| drift_option(app, "method", rest),
    },
    Command {
        names: &["threshold"],
        args: "[COL=]X",
        help: "The drift threshold (for one column, or all)",
        arg: Arg::Column,
        run: |app, rest| drift_option(app, "threshold", rest),
    },
    Command {
        names: &["driftshare", "drift-share"],
        args: "X",
        help: "Share of drifted columns that makes the dataset drift",
        arg: Arg::Nothing,
        run: |app, rest| drift_option(app, "driftshare", rest),
    },
    Command {
        names: &["exclude"],
        args: "COLS",
        help: "Columns the drift check leaves out",
        arg: Arg::Column,
        run: |app, rest| drift_option(app, "exclude", rest),
    },
    Command {
        names: &["quit", "q"],
        args: "",
        help: "Quit (asks first while a job runs)",
        arg: Arg::Nothing,
        run: |app, _| Outcome::effects(app.global(Global::Quit)),
    },
    Command {
        names: &["quit!", "q!"],
        args: "",
        help: "Quit now, cancelling any job",
        arg: Arg::Nothing,
        run: |app, _| Outcome::effects(app.quit_now()),
    },
    Command {
        names: &["help"],
        args: "",
        help: "Show the keys and these commands",
        arg: Arg::Nothing,
        run: |app, _| Outcome::effects(app.global(Global::Help)),
    },
    Command {
        names: &["messages", "log"],
        args: "",
        help: "Show the earlier notices and errors of this session",
        arg: Arg::Nothing,
        run: |app, _| Outcome::effects(app.global(Global::Messages)),
    },
];

/// The command a name means.
pub fn find(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.names.contains(&name))
}

/// Run a palette line: `open PATH`, `sort COL desc`, …
pub fn run(app: &mut App, line: &str) -> Outcome {
    let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    if name.is_empty() {
        return Outcome::none();
    }
    match find(name) {
        Some(command) => (command.run)(app, rest.trim()),
        None => Outcome::error(match closest(name) {
            Some(c) => format!(
                "unknown command '{}'; did you mean :{}? (? lists every command)",
                escape_control(name),
                c.usage()
            ),
            None => format!(
                "unknown command '{}' (? lists every command; Tab completes one)",
                escape_control(name)
            ),
        }),
    }
}

/// The command whose name is nearest to a mistyped one: one that starts with what was typed,
/// or a name of three letters or more within an edit for every two letters typed (two at
/// most), so a short slip is not taken for a one-letter alias.
fn closest(typed: &str) -> Option<&'static Command> {
    let allowed = (typed.chars().count() / 2).min(2);
    let mut best: Option<(usize, &'static Command)> = None;
    for c in COMMANDS {
        for n in c.names {
            let d = if n.starts_with(typed) {
                1
            } else if n.chars().count() >= 3 {
                edit_distance(typed, n)
            } else {
                continue;
            };
            let near = n.starts_with(typed) || d <= allowed;
            if near && best.is_none_or(|(b, _)| d < b) {
                best = Some((d, c));
            }
        }
    }
    best.map(|(_, c)| c)
}

/// What Tab can complete the open prompt's last word with.
pub fn completions(app: &App, kind: PromptKind) -> Vec<String> {
    let Some(prompt) = &app.prompt else {
        return Vec::new();
    };
    let before = prompt.split().0;
    let arg = match kind {
        PromptKind::SaveSpec | PromptKind::OpenSpec => Arg::Path,
        PromptKind::Filter => Arg::Nothing,
        PromptKind::Palette => match before.split_once(char::is_whitespace) {
            None => {
                return COMMANDS
                    .iter()
                    .flat_map(|c| c.names.iter().map(|n| format!("{n} ")))
                    .collect();
            }
            Some((name, _)) => find(name).map_or(Arg::Nothing, |c| c.arg),
        },
    };
    let word = before.rsplit(char::is_whitespace).next().unwrap_or("");
    match arg {
        Arg::Nothing => Vec::new(),
        Arg::Column => app
            .panes
            .data
            .dataset
            .as_ref()
            .map(|d| {
                d.df.get_column_names()
                    .iter()
                    .map(|n| n.to_string())
                    .collect()
            })
            .unwrap_or_default(),
        Arg::Model => ModelKind::ALL
            .iter()
            .map(|k| k.name().to_string())
            .collect(),
        Arg::Path => paths_like(word),
    }
}

/// Entries of the directory `word` names that start as its last part does (directories end
/// in `/`); at most 500 of them, so a huge directory cannot stall a key press.
fn paths_like(word: &str) -> Vec<String> {
    let (dir, shown, part) = match word.rfind('/') {
        Some(i) => (expand_home(&word[..=i]), &word[..=i], &word[i + 1..]),
        None => (Path::new(".").to_path_buf(), "", word),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(part).then(|| {
                let slash = if e.path().is_dir() { "/" } else { "" };
                format!("{shown}{name}{slash}")
            })
        })
        .take(500)
        .collect()
}

fn open(app: &mut App, rest: &str) -> Outcome {
    if rest.is_empty() {
        return Outcome::error("usage: :open PATH");
    }
    Outcome::effects(app.panes.data.open(expand_home(rest)))
}

fn sort(app: &mut App, rest: &str) -> Outcome {
    let (col, dir) = match rest.rsplit_once(' ') {
        Some((c, d)) if matches!(d, "desc" | "asc") => (c.trim(), d),
        _ => (rest, "asc"),
    };
    if col.is_empty() {
        app.panes.data.view.sort = None;
        return Outcome::effects(app.panes.data.recompute_view());
    }
    if !app.panes.data.has_column(col) {
        return Outcome::error(format!("no column named '{}'", escape_control(col)));
    }
    app.panes.data.view.sort = Some(Sort {
        column: col.to_string(),
        descending: dir == "desc",
    });
    Outcome::effects(app.panes.data.recompute_view())
}

fn filter(app: &mut App, rest: &str) -> Outcome {
    if rest.is_empty() {
        app.panes.data.view.filter = None;
        return Outcome::effects(app.panes.data.recompute_view());
    }
    // `COL EXPR` names the column; a bare `EXPR` filters the selected one.
    let named = app.panes.data.dataset.as_ref().and_then(|ds| {
        let names: Vec<String> = ds
            .df
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        crate::pipeline::view::split_column_expr(rest, &names)
    });
    Outcome::from_result(match named {
        Some((col, expr)) => app.panes.data.apply_filter(Some(col), &expr),
        None => app.panes.data.apply_filter(None, rest),
    })
}

/// The Features pane's commands need its spec.
fn without_spec(app: &App) -> Option<Outcome> {
    app.panes
        .features
        .spec
        .is_none()
        .then(|| Outcome::error("no feature spec yet: load a dataset first"))
}

fn fill(app: &mut App, rest: &str) -> Outcome {
    if let Some(refused) = without_spec(app) {
        return refused;
    }
    if rest.is_empty() {
        return Outcome::error(
            "usage: :fill VALUE (imputes the selected feature column with VALUE)",
        );
    }
    Outcome::from_result(app.panes.features.set_fill(rest, &app.shared))
}

fn transforms(app: &mut App, rest: &str) -> Outcome {
    if let Some(refused) = without_spec(app) {
        return refused;
    }
    Outcome::from_result(app.panes.features.set_transforms(rest, &app.shared))
}

fn target(app: &mut App, rest: &str) -> Outcome {
    if let Some(refused) = without_spec(app) {
        return refused;
    }
    Outcome::from_result(match rest {
        "none" => app.panes.features.clear_target(&app.shared),
        column => app.panes.features.set_target(column, &app.shared),
    })
}

fn train(app: &mut App, _: &str) -> Outcome {
    Outcome::from_result(app.panes.train.start(&app.shared))
}

/// A Train set-up change: refused with a message, or followed by the leaderboard.
fn setup(app: &mut App, result: Result<(), String>) -> Outcome {
    match result {
        Ok(()) => Outcome::effects(app.panes.train.reload(false)),
        Err(e) => Outcome::error(e),
    }
}

fn validation(app: &mut App, rest: &str) -> Outcome {
    let result = app.panes.train.set_validation(rest);
    setup(app, result)
}

fn seed(app: &mut App, rest: &str) -> Outcome {
    let result = app.panes.train.set_seed(rest);
    setup(app, result)
}

fn time_limit(app: &mut App, rest: &str) -> Outcome {
    let result = app.panes.train.set_time_limit(rest);
    setup(app, result)
}

fn task(app: &mut App, rest: &str) -> Outcome {
    let result = app.panes.train.set_task(rest);
    setup(app, result)
}

fn models(app: &mut App, rest: &str) -> Outcome {
    let result = app.panes.train.set_models(rest);
    setup(app, result)
}

fn params(app: &mut App, rest: &str) -> Outcome {
    match app.panes.train.set_params(rest) {
        Ok(m) => Outcome::notice(m).and(Outcome::effects(app.panes.train.reload(false))),
        Err(e) => Outcome::error(e),
    }
}

fn drift(app: &mut App, rest: &str) -> Outcome {
    if !rest.is_empty() {
        let paths: Vec<&str> = rest.split_whitespace().collect();
        let [r, c] = paths[..] else {
            return Outcome::error(
                "usage: :drift REFERENCE CURRENT (paths without spaces), or :drift to check the \
                 chosen pair",
            );
        };
        app.panes.drift.set_reference(expand_home(r));
        app.panes.drift.set_current(expand_home(c));
    }
    app.pane = Pane::Drift;
    app.panes.drift.update(DriftAction::RunDrift, &app.shared)
}

fn reference(app: &mut App, rest: &str) -> Outcome {
    if rest.is_empty() {
        return Outcome::error("usage: :reference PATH");
    }
    app.panes.drift.set_reference(expand_home(rest));
    app.pane = Pane::Drift;
    Outcome::none()
}

fn current(app: &mut App, rest: &str) -> Outcome {
    if rest.is_empty() {
        return Outcome::error("usage: :current PATH");
    }
    app.panes.drift.set_current(expand_home(rest));
    app.pane = Pane::Drift;
    Outcome::none()
}

fn baseline(app: &mut App, rest: &str) -> Outcome {
    let out = (!rest.is_empty()).then(|| expand_home(rest));
    Outcome::from_result(app.panes.drift.save_baseline(out))
}

/// `:method`, `:threshold`, `:driftshare`, `:exclude`: an option of the next drift check.
fn drift_option(app: &mut App, key: &str, rest: &str) -> Outcome {
    Outcome::said(app.panes.drift.set_option(key, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_command_finds_its_nearest() {
        assert_eq!(closest("sotr").map(|c| c.names[0]), Some("sort"));
        assert_eq!(closest("trian").map(|c| c.names[0]), Some("train"));
        assert_eq!(closest("thresh").map(|c| c.names[0]), Some("threshold"));
        assert!(closest("frobnicate").is_none());
        // A short slip is not taken for a one-letter alias.
        for typed in ["w", "x", "zz"] {
            assert!(closest(typed).is_none(), "{typed}");
        }
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn every_name_is_one_command() {
        let mut names: Vec<&str> = COMMANDS
            .iter()
            .flat_map(|c| c.names.iter().copied())
            .collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "a name is used twice");
    }
}
