//! Issue 14: untrusted text — file names, column names, cell values and the error messages
//! that quote them — never reaches the terminal raw, from any CLI output (human and JSON,
//! stdout and stderr) or any TUI screen. The text holds ESC with an OSC 52 clipboard write,
//! BEL, the C1 CSI 0x9b and the right-to-left override U+202E.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// OSC 52 (set the clipboard), BEL, C1 CSI "clear screen", RLO. No `;` or `,`: the CSV's
/// delimiter stays the comma.
const HOSTILE: &str = "\u{1b}]52\u{7}\u{9b}2J\u{202e}";

/// A character that would act on a terminal (newlines separate lines and are fine).
fn raw(text: &str) -> Option<char> {
    text.chars()
        .find(|&c| c != '\n' && mlwb::pipeline::text::is_unsafe(c))
}

/// A reference and a current file whose names, column names and values are hostile.
fn hostile_pair(dir: &Path) -> (PathBuf, PathBuf) {
    let write = |name: &str, shift: f64| {
        let path = dir.join(format!("x{HOSTILE}_{name}.csv"));
        let mut text = format!("spe{HOSTILE}cies,mass{HOSTILE},island\n");
        for i in 0..300 {
            let species = if i % 3 == 0 {
                format!("Ade{HOSTILE}lie")
            } else {
                "Gentoo".to_string()
            };
            let mass = 3000.0 + (i % 50) as f64 * 20.0 + shift;
            let island = ["Biscoe", "Dream"][i % 2];
            text.push_str(&format!("{species},{mass},{island}\n"));
        }
        std::fs::write(&path, text).unwrap();
        path
    };
    (write("reference", 0.0), write("current", 400.0))
}

fn mlwb(store: &Path, args: &[&str]) -> (String, String) {
    let out = Command::cargo_bin("mlwb")
        .unwrap()
        .env("NO_COLOR", "1")
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn no_cli_output_carries_hostile_text_raw() {
    let dir = tempfile::tempdir().unwrap();
    let (reference, current) = hostile_pair(dir.path());
    let store = dir.path().join(".mlwb");
    let (r, c) = (reference.to_str().unwrap(), current.to_str().unwrap());
    let target = format!("spe{HOSTILE}cies");
    let z_test = format!("{target}=z");
    let missing = dir.path().join(format!("no{HOSTILE}such.csv"));
    let missing = missing.to_str().unwrap();
    let bad_flag = format!("--x{HOSTILE}");
    let bad_param = format!("tree:max{HOSTILE}=1");
    let mut commands: Vec<Vec<&str>> = vec![
        vec!["profile", r],
        vec!["features", r],
        vec![
            "train", "--data", r, "--target", &target, "--models", "tree",
        ],
        vec!["runs", "list"],
        vec!["runs", "show", "1"],
        vec!["drift", r, c],
        vec!["drift", r, c, "--method", &z_test],
        vec!["profile", missing],
        vec!["train", "--data", r, "--target", missing],
        vec!["profile", &bad_flag],
        vec![
            "train", "--data", r, "--target", &target, "--model", &bad_param,
        ],
    ];
    let json: Vec<Vec<&str>> = commands
        .iter()
        .map(|a| a.iter().copied().chain(["--json"]).collect())
        .collect();
    commands.extend(json);
    let mut checked = 0;
    for args in &commands {
        let (stdout, stderr) = mlwb(&store, args);
        for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            if let Some(c) = raw(text) {
                panic!("mlwb {args:?}: {name} holds {c:?} raw:\n{text}");
            }
        }
        checked += stdout.len() + stderr.len();
    }
    // The commands said something (escaped), not nothing.
    let (stdout, _) = mlwb(&store, &["profile", r]);
    assert!(stdout.contains("spe\\e]52"), "{stdout}");
    assert!(checked > 10_000, "{checked}");
}

#[cfg(feature = "tui")]
#[test]
fn no_screen_carries_hostile_text_raw() {
    use crossterm::event::KeyCode;

    use super::tui::{app_with, press, screen, typed};

    let dir = tempfile::tempdir().unwrap();
    let (reference, current) = hostile_pair(dir.path());
    let mut app = app_with(vec![reference.clone(), current], (120, 40));
    let mut shots = Vec::new();
    let mut look = |app: &mut mlwb::tui::app::App, keys: &str, text: &str| {
        for k in keys.chars() {
            press(app, KeyCode::Char(k));
        }
        if !text.is_empty() {
            press(app, KeyCode::Char(':'));
            typed(app, text);
            press(app, KeyCode::Enter);
        }
        shots.push(screen(app, std::time::Instant::now()));
    };
    look(&mut app, "", "");
    press(&mut app, KeyCode::Enter); // the column's profile
    look(&mut app, "", "");
    look(&mut app, "", &format!("filter Ade{HOSTILE}"));
    look(&mut app, "", &format!("sort no{HOSTILE}such"));
    look(
        &mut app,
        "",
        &format!("open {}", dir.path().join(HOSTILE).display()),
    );
    look(&mut app, "2", "");
    look(&mut app, "j", "");
    look(&mut app, "3", &format!("target spe{HOSTILE}cies"));
    look(&mut app, "", "models tree");
    look(&mut app, "t", "");
    look(&mut app, "jjjjjjj", "");
    press(&mut app, KeyCode::Enter); // the run's detail
    look(&mut app, "", "");
    look(&mut app, "4", "");
    look(&mut app, "r", "");
    look(&mut app, "j", "");
    look(&mut app, "H", "");
    look(&mut app, "?", "");
    assert!(
        shots.iter().any(|s| s.contains("spe\\e]52")),
        "the hostile column shows, escaped"
    );
    for (i, s) in shots.iter().enumerate() {
        if let Some(c) = raw(s) {
            panic!("screen {i} holds {c:?} raw:\n{s}");
        }
    }
}
