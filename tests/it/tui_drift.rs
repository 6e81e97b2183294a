//! The Drift pane: snapshots of the column table with a numeric column's histograms, a
//! categorical column's paired bars, schema findings, and the stored checks; switching a
//! column's test in place; reopening an earlier check. Checks run in this process here.

use crossterm::event::KeyCode;
use mlwb::pipeline::drift::Method;
use mlwb::pipeline::runs::CheckId;
use mlwb::tui::app::{Action, App, Pane};
use mlwb::tui::keymap::Keymap;

use super::demo_file;
use super::tui::{command, press, run, shot, temp_store};

fn drift_app(size: (u16, u16)) -> App {
    let files = vec![
        demo_file("weather_reference.csv"),
        demo_file("weather_current.csv"),
    ];
    let mut app = App::new(Keymap::bundled(), files, true, temp_store());
    app.update(Action::Resize(size.0, size.1));
    let effects = app.start();
    run(&mut app, effects);
    press(&mut app, KeyCode::Char('4'));
    assert_eq!(app.pane, Pane::Drift);
    app
}

#[test]
fn the_demo_pair_is_chosen_and_checked_with_r() {
    let mut app = drift_app((80, 24));
    insta::assert_snapshot!("drift_empty_80x24", shot(&app));
    press(&mut app, KeyCode::Char('r'));
    let result = app.panes.drift.result.as_ref().expect("a drift check");
    assert!(result.report.dataset_drift);
    assert_eq!(result.meta.check_id, Some(CheckId(1)));
    // The most drifted column comes first, with its histograms.
    insta::assert_snapshot!("drift_table_numeric_80x24", shot(&app));
    for _ in 0..2 {
        press(&mut app, KeyCode::Char('j'));
    }
    let selected = &result_column(&app);
    assert_eq!(selected, "weather");
    insta::assert_snapshot!("drift_categorical_120x30", {
        app.update(Action::Resize(120, 30));
        shot(&app)
    });
}

fn result_column(app: &App) -> String {
    let r = app.panes.drift.result.as_ref().unwrap();
    r.report.columns[app.panes.drift.selected().unwrap()]
        .name
        .clone()
}

#[test]
fn switching_a_test_changes_the_verdicts_in_place() {
    let mut app = drift_app((100, 30));
    press(&mut app, KeyCode::Char('r'));
    for _ in 0..2 {
        press(&mut app, KeyCode::Char('j'));
    }
    assert_eq!(result_column(&app), "weather");
    let before = app.panes.drift.result.as_ref().unwrap().report.n_drifted;
    // chi-square → Jensen–Shannon (the Z-test is not offered: five categories are not binary).
    press(&mut app, KeyCode::Char('m'));
    let r = &app.panes.drift.result.as_ref().unwrap().report;
    let weather = r.columns.iter().find(|c| c.name == "weather").unwrap();
    assert_eq!(weather.test, Some(Method::JensenShannon));
    assert!(!weather.tests.iter().any(|t| t.test == Method::ZTest));
    assert!(weather.drifted, "the distance is far past 0.1 too");
    assert!(
        app.message.as_deref().unwrap().contains("weather: Jensen"),
        "{:?}",
        app.message
    );
    assert_eq!(r.n_drifted, before);
    // Back with M.
    press(&mut app, KeyCode::Char('M'));
    let r = &app.panes.drift.result.as_ref().unwrap().report;
    assert_eq!(r.n_drifted, before);
    // A column that is not tested says why.
    press(&mut app, KeyCode::Char('G'));
    press(&mut app, KeyCode::Char('m'));
    assert!(
        app.error.as_deref().unwrap().contains("not tested"),
        "{:?}",
        app.error
    );
}

#[test]
fn earlier_checks_are_listed_and_reopened() {
    let mut app = drift_app((100, 24));
    press(&mut app, KeyCode::Char('r'));
    command(&mut app, "method psi");
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(
        app.panes.drift.result.as_ref().unwrap().meta.check_id,
        Some(CheckId(2))
    );
    press(&mut app, KeyCode::Char('H'));
    let h = app.panes.drift.history.as_mut().expect("the stored checks");
    assert_eq!(
        h.checks.iter().map(|c| c.check_id).collect::<Vec<_>>(),
        vec![CheckId(2), CheckId(1)]
    );
    for c in &mut h.checks {
        c.created_at = "2026-11-21T10:00:00Z".into();
    }
    insta::assert_snapshot!("drift_history_100x24", shot(&app));
    // Open the older check: the default tests come back.
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let r = app.panes.drift.result.as_ref().unwrap();
    assert_eq!(r.meta.check_id, Some(CheckId(1)));
    assert!(app.panes.drift.history.is_none());
    let temp = r
        .report
        .columns
        .iter()
        .find(|c| c.name == "temp_max")
        .unwrap();
    assert_eq!(temp.test, Some(Method::Ks));
}

#[test]
fn schema_findings_are_shown_under_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = (dir.path().join("ref.csv"), dir.path().join("cur.csv"));
    let mut rtext = String::from("amount,code,gone,flag\n");
    let mut ctext = String::from("amount,code,flag,extra\n");
    for i in 0..60 {
        rtext.push_str(&format!("{},{},{},{}\n", i % 13, i % 4, i, i % 2));
        ctext.push_str(&format!("{},x{},{},{}\n", (i % 13) + 5, i % 4, i % 2, i));
    }
    std::fs::write(&r, rtext).unwrap();
    std::fs::write(&c, ctext).unwrap();
    let mut app = drift_app((100, 30));
    command(
        &mut app,
        &format!("drift {} {}", r.to_str().unwrap(), c.to_str().unwrap()),
    );
    let report = &app.panes.drift.result.as_ref().expect("a check").report;
    assert_eq!(report.findings.len(), 3, "{:?}", report.findings);
    assert_eq!(report.n_tested, 2);
    insta::assert_snapshot!("drift_findings_100x30", shot(&app));
    // A file that is not there is an error in the status line, not a crash.
    command(&mut app, "drift /nonexistent/a.csv /nonexistent/b.csv");
    assert!(app.error.is_some());
    assert!(app.panes.drift.check.is_none());
}

#[test]
fn a_saved_baseline_becomes_the_reference() {
    let mut app = drift_app((100, 24));
    press(&mut app, KeyCode::Char('r'));
    let want = app.panes.drift.result.as_ref().unwrap().report.clone();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("weather.baseline.json");
    command(&mut app, &format!("baseline {}", base.display()));
    assert!(base.exists(), "{:?} {:?}", app.message, app.error);
    let message = app.message.clone().unwrap();
    assert!(
        message.contains("baseline saved") && message.contains(":reference"),
        "{message}"
    );
    command(&mut app, &format!("reference {}", base.display()));
    press(&mut app, KeyCode::Char('r'));
    let got = app
        .panes
        .drift
        .result
        .as_ref()
        .expect("a check against the baseline");
    assert_eq!(got.report.columns, want.columns);
    assert!(
        got.meta
            .reference
            .note
            .as_deref()
            .unwrap()
            .starts_with("baseline of")
    );
    let screen = shot(&app);
    assert!(screen.contains("rows, baseline)"), "{screen}");
    // Without a reference chosen there is nothing to save.
    let mut bare = App::new(Keymap::bundled(), Vec::new(), true, temp_store());
    command(&mut bare, "baseline x.json");
    assert!(bare.error.as_deref().unwrap().contains("reference first"));
}

/// A check against a sketched baseline (20,000 distinct values a column): scores marked ≈ in
/// the table, the chosen test's bound in the column's title, the header naming the baseline.
#[test]
fn a_sketched_baseline_shows_approximate_scores_and_their_bound() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let column = |n: u32, scale: f64, shift: f64| -> Vec<f64> {
        (0..n)
            .map(|i| {
                let u = (f64::from(i) + 0.5) / f64::from(n);
                let x = ((u * 7919.0).fract() - 0.5) * scale + shift;
                (x * 1e6).round() / 1e6
            })
            .collect()
    };
    let write = |name: &str, shift: f64| {
        let mut df = df!(
            "speed" => column(20_000, 10.0, shift),
            "load" => column(20_000, 4.0, 0.0),
        )
        .unwrap();
        let path = dir.path().join(name);
        CsvWriter::new(std::fs::File::create(&path).unwrap())
            .finish(&mut df)
            .unwrap();
        path
    };
    let (r, c) = (write("ref.csv", 0.0), write("cur.csv", 2.0));
    let base = dir.path().join("ref.baseline.json");
    let mut app = App::new(Keymap::bundled(), Vec::new(), true, temp_store());
    app.update(Action::Resize(100, 24));
    command(&mut app, &format!("reference {}", r.display()));
    command(&mut app, &format!("baseline {}", base.display()));
    assert!(base.exists(), "{:?}", app.error);
    command(
        &mut app,
        &format!("drift {} {}", base.display(), c.display()),
    );
    let got = app
        .panes
        .drift
        .result
        .as_ref()
        .expect("a check against the baseline");
    assert!(got.report.approximate);
    insta::assert_snapshot!("drift_sketched_baseline_100x24", shot(&app));
}

/// Issue 13, item 1: a check that lost a reference column is not a green ✓ in the pane.
#[test]
fn an_incomplete_check_is_shown_as_such() {
    let mut app = drift_app((80, 24));
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(demo_file("weather_current.csv")).unwrap();
    // The current data without its wind column.
    let without_wind: String = text
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(4);
            f.join(",") + "\n"
        })
        .collect();
    let current = dir.path().join("no_wind.csv");
    std::fs::write(&current, without_wind).unwrap();
    let reference = demo_file("weather_reference.csv");
    // A threshold nothing reaches: no column drifts, so only the missing one speaks.
    command(
        &mut app,
        &format!("drift {} {}", reference.display(), current.display()),
    );
    command(&mut app, "method psi");
    command(&mut app, "threshold 100");
    press(&mut app, KeyCode::Char('r'));
    let report = &app.panes.drift.result.as_ref().unwrap().report;
    assert_eq!(report.verdict, mlwb::pipeline::drift::Verdict::Incomplete);
    let screen = shot(&app);
    assert!(
        screen.contains("! no dataset drift") && screen.contains("INCOMPLETE"),
        "{screen}"
    );
    insta::assert_snapshot!("drift_incomplete_80x24", screen);
}
