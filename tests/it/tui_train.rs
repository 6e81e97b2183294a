//! The Train pane: snapshots of the set-up, a study running, the leaderboard and a run's
//! detail; the keys that change the set-up; ranking by any metric; earlier sessions' runs on
//! the leaderboard and the filter to comparable runs. Studies run through the production
//! effect runner (each run in a worker process).

use crossterm::event::KeyCode;
use mlwb::jobs::JobEvent;
use mlwb::jobs::study::{PlannedRun, StudyEvent, ValidationChoice};
use mlwb::pipeline::runs::{RunStatus, Store};
use mlwb::pipeline::train::models::ModelKind;
use mlwb::pipeline::train::{RunProgress, TaskKind};
use mlwb::tui::app::{App, JobOutput, Pane};
use mlwb::tui::keymap::Keymap;
use mlwb::tui::panes::train::TrainOutput;
use mlwb::tui::panes::train::{SETUP_ROWS, SetupField};

use super::demo_file;
use super::tui::{command, press, run, screen, shot, temp_store};

fn train_app(file: &str, size: (u16, u16), store: std::path::PathBuf) -> App {
    let mut app = App::new(Keymap::bundled(), vec![demo_file(file)], true, store);
    app.update(mlwb::tui::app::Action::Resize(size.0, size.1));
    let effects = app.start();
    run(&mut app, effects);
    press(&mut app, KeyCode::Char('3'));
    assert_eq!(app.pane, Pane::Train);
    app
}

/// Durations, times and paths differ from run to run; pin them for the snapshot.
fn pin_volatile(app: &mut App) {
    for (i, r) in app.panes.train.board.runs.iter_mut().enumerate() {
        if r.duration_s.is_some() {
            r.duration_s = Some(0.25 * (i + 1) as f64);
        }
        r.created_at = "2026-11-21T10:00:00Z".into();
        r.setup.data_path = "penguins.csv".into();
        r.git_commit = None;
        r.mlwb_version = "0.0.0".into();
        if r.result.model_path.is_some() {
            r.result.model_path = Some(format!(".mlwb/models/run-{}.mlwbm", r.run_id));
            r.result.model_bytes = Some(1024);
        }
    }
}

/// Put the cursor on set-up row `field`.
fn goto(app: &mut App, field: SetupField) {
    press(app, KeyCode::Char('g'));
    let i = SetupField::ALL.iter().position(|f| *f == field).unwrap();
    for _ in 0..i {
        press(app, KeyCode::Char('j'));
    }
}

#[test]
fn setup_80x24_target_task_and_models() {
    let mut app = train_app("penguins.csv", (80, 24), temp_store());
    // The automatic spec has no target: clustering until one is chosen.
    assert_eq!(app.panes.train.effective_task(), Ok(TaskKind::Clustering));
    press(&mut app, KeyCode::Char('l'));
    assert_eq!(app.panes.train.target.as_deref(), Some("species"));
    assert_eq!(
        app.panes.features.spec.as_ref().unwrap().target(),
        Some("species"),
        "the Features pane's spec follows the target"
    );
    assert_eq!(
        app.panes.train.effective_task(),
        Ok(TaskKind::Classification)
    );
    goto(&mut app, SetupField::Models);
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Char(' '));
    assert!(app.panes.train.excluded.contains(&ModelKind::GaussianNb));
    insta::assert_snapshot!(shot(&app));
    press(&mut app, KeyCode::Char('a'));
    assert!(app.panes.train.excluded.is_empty());
    // Space elsewhere says where it works.
    goto(&mut app, SetupField::Seed);
    press(&mut app, KeyCode::Char(' '));
    assert!(app.error.as_deref().unwrap().contains("models row"));
    press(&mut app, KeyCode::Char('l'));
    assert_eq!(app.panes.train.seed, 43);
    goto(&mut app, SetupField::Validation);
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Char('l'));
    assert_eq!(
        app.panes.train.validation,
        ValidationChoice::CrossValidation(3)
    );
    goto(&mut app, SetupField::TimeLimit);
    press(&mut app, KeyCode::Char('l'));
    assert_eq!(app.panes.train.time_limit, Some(10));
    goto(&mut app, SetupField::Task);
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Char('l'));
    assert_eq!(app.panes.train.task, Some(TaskKind::Regression));
    // The palette sets what the keys cannot.
    command(&mut app, "task auto");
    command(&mut app, "validation holdout 0.25");
    assert_eq!(app.panes.train.validation, ValidationChoice::Holdout(0.25));
    command(&mut app, "models kmeans");
    assert!(
        app.error
            .as_deref()
            .unwrap()
            .contains("does not do classification")
    );
    command(&mut app, "params random_forest n_estimators=20 max_dept=3");
    assert!(
        app.error.as_deref().unwrap().contains("max_dept"),
        "{:?}",
        app.error
    );
    command(&mut app, "params random_forest n_estimators=20");
    assert!(app.message.as_deref().unwrap().contains("n_estimators=20"));
    command(&mut app, "seed x");
    assert!(app.error.as_deref().unwrap().contains("whole number"));
}

#[test]
fn a_study_fills_the_leaderboard_ranks_and_shows_detail() {
    let store = temp_store();
    let mut app = train_app("penguins.csv", (80, 24), store.clone());
    command(&mut app, "target species");
    command(&mut app, "validation cv 3");
    command(&mut app, "params random_forest n_estimators=25");
    press(&mut app, KeyCode::Char('t'));
    assert!(app.error.is_none(), "{:?}", app.error);
    assert!(app.panes.train.study.is_none(), "the study has ended");
    let runs = &app.panes.train.board.runs;
    assert_eq!(runs.len(), 4, "one run per classification model");
    assert!(runs.iter().all(|r| r.status == RunStatus::Finished));
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .starts_with("study 1 done: 4 finished")
    );
    // Ranked by accuracy, best first, and the best is the one highlighted.
    let acc: Vec<f64> = runs
        .iter()
        .map(|r| r.result.metrics[&mlwb::pipeline::train::metrics::Metric::Accuracy])
        .collect();
    assert!(acc.windows(2).all(|w| w[0] >= w[1]), "{acc:?}");
    assert_eq!(app.panes.train.best(), Some(runs[0].run_id));
    assert!(runs.iter().all(|r| r.result.fold_metrics.len() == 3));
    pin_volatile(&mut app);
    insta::assert_snapshot!("leaderboard_80x24", shot(&app));

    // Rank by log loss: lower is better, so ascending.
    while app.panes.train.sort_metric() != mlwb::pipeline::train::metrics::Metric::LogLoss {
        press(&mut app, KeyCode::Char('s'));
    }
    assert!(app.message.as_deref().unwrap().contains("lower is better"));
    let losses: Vec<f64> = app
        .panes
        .train
        .board
        .runs
        .iter()
        .map(|r| r.result.metrics[&mlwb::pipeline::train::metrics::Metric::LogLoss])
        .collect();
    assert!(losses.windows(2).all(|w| w[0] <= w[1]), "{losses:?}");

    // The detail of the best run: params, per-fold metrics, the confusion matrix.
    press(&mut app, KeyCode::Char('G'));
    press(&mut app, KeyCode::Char('g'));
    for _ in 0..SETUP_ROWS {
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Enter);
    assert!(app.panes.train.detail);
    pin_volatile(&mut app);
    insta::assert_snapshot!("detail_80x24", shot(&app));
    app.update(mlwb::tui::app::Action::Resize(200, 50));
    insta::assert_snapshot!("detail_beside_the_leaderboard_200x50", shot(&app));
    press(&mut app, KeyCode::Esc);
    assert!(!app.panes.train.detail, "Esc closes the detail");

    // A new session on the same store sees these runs; another validation does not.
    let mut again = train_app("penguins.csv", (80, 24), store);
    command(&mut again, "target species");
    assert!(
        again.panes.train.board.runs.is_empty(),
        "holdout runs: none yet"
    );
    command(&mut again, "validation cv 3");
    assert_eq!(
        again.panes.train.board.runs.len(),
        4,
        "earlier session's runs are comparable"
    );
    command(&mut again, "target island");
    assert!(
        again.panes.train.board.runs.is_empty(),
        "another target is not comparable"
    );
}

#[test]
fn running_study_shows_queued_and_live_runs() {
    let store_dir = temp_store();
    let mut app = train_app("penguins.csv", (120, 30), store_dir.clone());
    command(&mut app, "target species");
    command(&mut app, "models logreg,tree");
    press(&mut app, KeyCode::Char('t'));
    assert_eq!(app.panes.train.board.runs.len(), 2);
    // A second study, held at its first run: record it as the study does, and feed its
    // reports in by hand.
    let store = Store::open(&store_dir).unwrap();
    let earlier = store.list().unwrap();
    let study_id = store
        .create_study(
            "penguins.csv",
            &earlier[0].setup.data_fingerprint,
            Some("species"),
            "classification",
        )
        .unwrap();
    let mut planned = Vec::new();
    for r in &earlier {
        let mut setup = r.setup.clone();
        setup.study_id = study_id;
        planned.push(PlannedRun {
            run_id: store.queue_run(&setup, None).unwrap(),
            model: setup.model.clone(),
        });
    }
    // Start a study whose effect is not run, and feed it the reports.
    let key =
        crossterm::event::KeyEvent::new(KeyCode::Char('t'), crossterm::event::KeyModifiers::NONE);
    let action = app.map_key(&key).unwrap();
    let _not_run = app.update(action);
    let id = app.panes.train.study.as_ref().unwrap().job.id;
    let fingerprint = earlier[0].setup.data_fingerprint.clone();
    let started = app.panes.train.study.as_ref().unwrap().started;
    let feed = |app: &mut App, e: StudyEvent| {
        let effects = app.on_job(JobEvent::Update(
            id,
            JobOutput::Train(TrainOutput::Study(Box::new(e))),
        ));
        run(app, effects);
    };
    feed(
        &mut app,
        StudyEvent::Planned {
            study_id,
            task: TaskKind::Classification,
            fingerprint,
            // The key the study computes (task, validation, seed and spec hash).
            validation_key: earlier[0].setup.validation_key.clone(),
            runs: planned.clone(),
            notes: Vec::new(),
        },
    );
    feed(
        &mut app,
        StudyEvent::Started {
            run_id: planned[0].run_id,
        },
    );
    feed(
        &mut app,
        StudyEvent::Progress {
            run_id: planned[0].run_id,
            progress: RunProgress {
                stage: mlwb::pipeline::progress::Stage::Fit,
                fold: 1,
                folds: 1,
                done: 40,
                total: 100,
            },
        },
    );
    let statuses: Vec<RunStatus> = app
        .panes
        .train
        .board
        .runs
        .iter()
        .map(|r| r.status)
        .collect();
    assert!(statuses.contains(&RunStatus::Running) && statuses.contains(&RunStatus::Queued));
    assert!(app.busy());
    pin_volatile(&mut app);
    insta::assert_snapshot!("running_120x30", screen(&app, started));
    // In another pane, Esc is that pane's (it clears the filter there): the study trains on,
    // and the status line says where it runs.
    press(&mut app, KeyCode::Char('1'));
    command(&mut app, "filter species=Adelie");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.message.as_deref(), Some("filter cleared"));
    let study = app.panes.train.study.as_ref().unwrap();
    assert!(!study.cancelling && !study.job.cancel.is_cancelled());
    assert!(screen(&app, started).contains("in Train (3 then Esc cancels)"));
    press(&mut app, KeyCode::Char('3'));
    // Set-up edits wait for the study; Esc cancels it.
    press(&mut app, KeyCode::Char('t'));
    assert!(app.error.as_deref().unwrap().contains("Esc cancels"));
    press(&mut app, KeyCode::Esc);
    assert!(app.panes.train.study.as_ref().unwrap().cancelling);
    assert!(
        app.panes
            .train
            .study
            .as_ref()
            .unwrap()
            .job
            .cancel
            .is_cancelled()
    );
}

#[test]
fn regression_on_diabetes_and_refusals() {
    let mut app = train_app("diabetes.csv", (100, 30), temp_store());
    press(&mut app, KeyCode::Char('t'));
    // No target: clustering with k-means, DBSCAN and a Gaussian mixture. DBSCAN's defaults
    // leave nearly every standardised row as noise, and the pane says so.
    assert!(
        app.error
            .as_deref()
            .is_some_and(|e| e.contains("dbscan") && e.contains("noise")),
        "{:?}",
        app.error
    );
    assert_eq!(app.panes.train.board.runs.len(), 3);
    command(&mut app, "target progression");
    assert_eq!(app.panes.train.effective_task(), Ok(TaskKind::Regression));
    assert_eq!(app.panes.train.model_choices().len(), 6);
    assert!(
        app.panes.train.board.runs.is_empty(),
        "clustering runs are not comparable"
    );
    goto(&mut app, SetupField::Models);
    for _ in 0..6 {
        press(&mut app, KeyCode::Char(' '));
        press(&mut app, KeyCode::Char('l'));
    }
    press(&mut app, KeyCode::Char('t'));
    assert!(
        app.error
            .as_deref()
            .unwrap_or_default()
            .contains("no model is on"),
        "{:?} {:?} {:?}",
        app.error,
        app.message,
        app.panes.train.model_choices()
    );
    press(&mut app, KeyCode::Char('a'));
    command(&mut app, "models ridge,lasso");
    press(&mut app, KeyCode::Char('t'));
    assert!(app.error.is_none(), "{:?}", app.error);
    let best = &app.panes.train.board.runs[0];
    assert_eq!(
        app.panes.train.sort_metric(),
        mlwb::pipeline::train::metrics::Metric::R2
    );
    assert!(
        best.result.metrics[&mlwb::pipeline::train::metrics::Metric::R2] > 0.3,
        "{:?}",
        best.result.metrics
    );
    // What the study refuses (here: more folds than rows) is the error line, and nothing is
    // recorded.
    command(&mut app, "validation cv 1000");
    press(&mut app, KeyCode::Char('t'));
    let error = app.error.clone().unwrap_or_default();
    assert!(error.starts_with("training could not start"), "{error}");
    assert!(error.contains("1000"), "{error}");
    assert!(app.panes.train.study.is_none() && !app.busy());
    // An integer target with few values is classification.
    command(&mut app, "target sex");
    assert_eq!(
        app.panes.train.effective_task(),
        Ok(TaskKind::Classification)
    );
}
