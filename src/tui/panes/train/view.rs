//! Drawing the Train pane: the set-up, the leaderboard of comparable runs with live progress,
//! and the selected run's detail (params, per-fold metrics, confusion matrix).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::layout::{LABEL_W, METRIC_W, split};
use super::{SETUP_ROWS, SetupField, TrainState, params_line, progress_fraction, progress_label};
use crate::pipeline::runs::{RunRecord, RunStatus};
use crate::pipeline::text::{escape_control, format_count};
use crate::pipeline::train::metrics::{self, Confusion, Metric};
use crate::pipeline::train::models::ModelKind;
use crate::tui::theme::Theme;
use crate::tui::widgets::{fit_cell, fit_right, panel};

pub fn render(frame: &mut Frame, area: Rect, state: &TrainState, theme: &Theme) {
    if state.dataset.is_none() {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(" Train ", theme.title));
        frame.render_widget(
            Paragraph::new(
                "No dataset yet. Open one in the Data pane (1, or :open PATH); once it is loaded \
                 and its feature spec is ready (2), choose a target here and press t to train.",
            )
            .style(theme.dim)
            .wrap(Wrap { trim: true })
            .block(block),
            area,
        );
        return;
    }
    let layout = split(state, area);
    if layout.setup.height > 0 {
        render_setup(frame, layout.setup, state, theme);
    }
    if layout.board.height > 0 {
        render_board(frame, layout.board, state, theme);
    }
    if layout.detail.height > 0 {
        render_detail(frame, layout.detail, state, theme);
    }
}

fn render_setup(frame: &mut Frame, area: Rect, state: &TrainState, theme: &Theme) {
    let (name, rows) = state
        .dataset
        .as_ref()
        .map(|d| {
            (
                d.path
                    .file_name()
                    .map(|n| escape_control(&n.to_string_lossy()).into_owned())
                    .unwrap_or_default(),
                format_count(d.df.height() as u64),
            )
        })
        .unwrap_or_default();
    let hint = if state.study.is_some() {
        " · training (Esc cancels)"
    } else {
        " · t trains"
    };
    let inner = panel(
        frame,
        area,
        format!(" Set-up · {name} · {rows} rows{hint} "),
        theme.border,
        theme.title,
    );
    let w = inner.width as usize;
    let mut lines = Vec::new();
    for (i, field) in SetupField::ALL.iter().enumerate() {
        let selected = state.cursor == i;
        let marker = if selected {
            Span::styled("▶ ", theme.key)
        } else {
            Span::raw("  ")
        };
        let label = Span::styled(fit_cell(field.label(), LABEL_W), theme.header);
        let mut spans = vec![marker, label];
        let value = |text: String| -> Vec<Span<'static>> {
            if selected {
                vec![
                    Span::styled("‹ ", theme.dim),
                    Span::styled(text, theme.row_selected),
                    Span::styled(" ›", theme.dim),
                ]
            } else {
                vec![Span::styled(text, theme.text)]
            }
        };
        match field {
            SetupField::Target => {
                let t = state
                    .target
                    .as_deref()
                    .map(|t| escape_control(t).into_owned())
                    .unwrap_or_else(|| "(none: clustering)".into());
                spans.extend(value(t));
            }
            SetupField::Task => {
                let text = match (state.task, state.effective_task()) {
                    (None, Ok(t)) => format!("auto: {}", t.name()),
                    (Some(t), Ok(_)) => t.name().to_string(),
                    (_, Err(e)) => format!("— {e}"),
                };
                spans.extend(value(text));
            }
            SetupField::Models => {
                lines.extend(models_row(state, spans, selected, w, theme));
                continue;
            }
            SetupField::Validation => {
                spans.extend(value(state.validation.label()));
            }
            SetupField::Seed => spans.extend(value(state.seed.to_string())),
            SetupField::TimeLimit => {
                let t = state
                    .time_limit
                    .map(|s| format!("{s} s per model"))
                    .unwrap_or_else(|| "none".into());
                spans.extend(value(t));
            }
        }
        if selected {
            let help = match field {
                SetupField::Models => "",
                _ => "   h/l change",
            };
            spans.push(Span::styled(help, theme.dim));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The models row: a check box per model suitable for the task, wrapped to the width.
fn models_row(
    state: &TrainState,
    start: Vec<Span<'static>>,
    selected: bool,
    w: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let choices = state.model_choices();
    let on = choices.iter().filter(|(_, on)| *on).count();
    let mut lines = Vec::new();
    let mut line_spans = start;
    let room = w.saturating_sub(2 + LABEL_W).max(10);
    let mut used = 0;
    for (j, (kind, enabled)) in choices.iter().enumerate() {
        let tuned = if state.params.contains_key(kind) {
            "*"
        } else {
            ""
        };
        let text = format!(
            "[{}] {}{tuned}",
            if *enabled { "x" } else { " " },
            kind.name()
        );
        let cell_w = text.width() + 1;
        if used > 0 && used + cell_w > room {
            lines.push(Line::from(std::mem::take(&mut line_spans)));
            line_spans.push(Span::raw(" ".repeat(2 + LABEL_W)));
            used = 0;
        }
        used += cell_w;
        let style = if selected && j == state.model_cursor {
            theme.row_selected
        } else if *enabled {
            theme.text
        } else {
            theme.dim
        };
        line_spans.push(Span::styled(text, style));
        line_spans.push(Span::raw(" "));
    }
    if on == 0 {
        line_spans.push(Span::styled("(none on: Space or a) ", theme.warning));
    }
    if selected {
        line_spans.push(Span::styled("h/l move · Space on/off · a all", theme.dim));
    }
    lines.push(Line::from(line_spans));
    lines
}

/// The metric columns that fit, the sort metric always among them.
fn metric_columns(state: &TrainState, room: usize) -> Vec<Metric> {
    let names = state.metric_names();
    let sort = state.sort_metric();
    let task = state.effective_task().map(|t| t.name()).unwrap_or("");
    let headline = metrics::headline(task);
    let mut shown: Vec<Metric> = names
        .into_iter()
        .filter(|n| headline.contains(n) || *n == sort)
        .take((room / METRIC_W).max(1))
        .collect();
    if !shown.contains(&sort) {
        shown.pop();
        shown.push(sort);
    }
    shown
}

/// A model's name in 13 columns: its short name, which the palette and the CLI accept too.
fn short_model_name(name: &str) -> &str {
    match ModelKind::parse(name) {
        Some(kind) => kind.short(),
        None => name,
    }
}

pub fn status_text(state: &TrainState, run: &RunRecord) -> String {
    match run.status {
        RunStatus::Running => match state
            .study
            .as_ref()
            .and_then(|s| s.progress.get(&run.run_id))
        {
            Some(p) => format!("running {:.0}%", progress_fraction(p) * 100.0),
            None => "running".into(),
        },
        // Finished, but suspect (a clustering that is all noise): the detail says why.
        RunStatus::Finished if !run.result.warnings.is_empty() => "⚠ finished".into(),
        RunStatus::Finished => "✓ finished".into(),
        RunStatus::Failed => "✗ failed".into(),
        RunStatus::TimedOut => "⏱ timed out".into(),
        RunStatus::Cancelled => "– cancelled".into(),
        RunStatus::Interrupted => "! interrupted".into(),
        RunStatus::Queued => "· queued".into(),
    }
}

fn duration_text(run: &RunRecord) -> String {
    match run.duration_s {
        Some(s) if s < 10.0 => format!("{s:.2}s"),
        Some(s) if s < 600.0 => format!("{s:.1}s"),
        Some(s) => format!("{:.0}m", s / 60.0),
        None => "—".into(),
    }
}

fn metric_text(run: &RunRecord, name: Metric) -> String {
    match run.result.metrics.get(&name) {
        Some(v) if v.is_finite() && v.abs() >= 1e5 => format!("{v:.3e}"),
        Some(v) if v.is_finite() => format!("{v:.4}"),
        Some(v) => v.to_string(),
        None => "—".into(),
    }
}

fn render_board(frame: &mut Frame, area: Rect, state: &TrainState, theme: &Theme) {
    let title = board_title(state, area.width as usize);
    let inner = panel(frame, area, title, theme.border, theme.title);
    if inner.height == 0 || inner.width < 20 {
        return;
    }
    let w = inner.width as usize;
    if state.board.runs.is_empty() {
        let text = if let Some(e) = &state.board.error {
            format!("The run store could not be read: {e}")
        } else if state.board.loading.is_some() {
            "Reading the run store…".into()
        } else {
            "No comparable runs yet (same data, target, task, validation rows and feature spec). Press t to train the \
             models of the set-up; earlier runs of this data appear here too."
                .into()
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.dim)
                .wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let layout = BoardLayout::new(state, w);
    let mut lines = vec![layout.header(state.sort_metric(), theme)];
    let best = state.best();
    let rows = inner.height.saturating_sub(1) as usize;
    for (i, run) in state
        .board
        .runs
        .iter()
        .enumerate()
        .skip(state.offset)
        .take(rows)
    {
        let selected = state.cursor == SETUP_ROWS + i;
        lines.push(layout.row(state, run, selected, best == Some(run.run_id), theme));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// ` Leaderboard · 4 comparable runs · by accuracy, higher is better · spec 1a2b3c4d `, with
/// the direction as an arrow where the words do not fit.
fn board_title(state: &TrainState, width: usize) -> String {
    let sort = state.sort_metric();
    let n = state.board.runs.len();
    // Runs are compared under one feature spec: its hash (from the board's key) says which.
    let spec = state
        .board
        .key
        .as_deref()
        .and_then(|k| k.rsplit_once("spec:"))
        .and_then(|(_, h)| h.get(..8))
        .map_or_else(String::new, |h| format!(" · spec {h}"));
    let runs = format!("{n} comparable run{}", if n == 1 { "" } else { "s" });
    let title = format!(
        " Leaderboard · {runs} · by {sort}, {}{spec} ",
        sort.direction()
    );
    if title.chars().count() + 2 <= width {
        return title;
    }
    let arrow = if sort.higher_is_better() {
        "↑"
    } else {
        "↓"
    };
    format!(" Leaderboard · {runs} · by {sort} {arrow}{spec} ")
}

/// The leaderboard's columns at one width.
struct BoardLayout {
    w: usize,
    /// 120 columns and more: the study and seed too.
    wide: bool,
    /// Below 100 columns: short model names, so four metrics fit in 80.
    short: bool,
    model_w: usize,
    metrics: Vec<Metric>,
}

const STATUS_W: usize = 13;

impl BoardLayout {
    fn new(state: &TrainState, w: usize) -> BoardLayout {
        let wide = w >= 120;
        let short = w < 100;
        let model_w = if short { 13 } else { 19 };
        let fixed = 2 + 5 + model_w + 1 + STATUS_W + 7 + if wide { 20 } else { 0 };
        BoardLayout {
            w,
            wide,
            short,
            model_w,
            metrics: metric_columns(state, w.saturating_sub(fixed)),
        }
    }

    /// The header; the ranking metric's stands out (reversed without colour).
    fn header(&self, sort: Metric, theme: &Theme) -> Line<'static> {
        let header = format!(
            "  {}{} {}",
            fit_right("run ", 5),
            fit_cell("model", self.model_w),
            fit_cell("status", STATUS_W)
        );
        let mut spans = vec![Span::styled(header, theme.header)];
        for c in &self.metrics {
            spans.push(Span::raw(" "));
            let style = if *c == sort {
                theme.header_selected
            } else {
                theme.header
            };
            spans.push(Span::styled(fit_right(c.short(), METRIC_W - 1), style));
        }
        let mut tail = fit_right("time", 7);
        if self.wide {
            tail.push_str(&format!("  {}", fit_cell("study·seed", 18)));
        }
        spans.push(Span::styled(tail, theme.header));
        Line::from(spans)
    }

    fn row(
        &self,
        state: &TrainState,
        run: &RunRecord,
        selected: bool,
        best: bool,
        theme: &Theme,
    ) -> Line<'static> {
        let marker = if selected {
            Span::styled("▶ ", theme.key)
        } else if best {
            Span::styled("★ ", theme.key)
        } else {
            Span::raw("  ")
        };
        let model = if self.short {
            short_model_name(&run.setup.model)
        } else {
            &run.setup.model
        };
        let mut text = format!(
            "{}{} {}",
            fit_right(&format!("{} ", run.run_id), 5),
            fit_cell(model, self.model_w),
            fit_cell(&status_text(state, run), STATUS_W)
        );
        for c in &self.metrics {
            text.push_str(&fit_right(&metric_text(run, *c), METRIC_W));
        }
        text.push_str(&fit_right(&duration_text(run), 7));
        if self.wide {
            text.push_str(&format!(
                "  {}",
                fit_cell(&format!("{} · {}", run.setup.study_id, run.setup.seed), 18)
            ));
        }
        let style = if selected {
            theme.row_selected
        } else if best {
            theme.key
        } else {
            match run.status {
                RunStatus::Finished => theme.text,
                RunStatus::Running | RunStatus::Queued => theme.bar,
                RunStatus::Failed | RunStatus::TimedOut | RunStatus::Interrupted => theme.warning,
                RunStatus::Cancelled => theme.dim,
            }
        };
        Line::from(vec![
            marker,
            Span::styled(fit_cell(&text, self.w.saturating_sub(2)), style),
        ])
    }
}

/// The selected run, in full.
fn render_detail(frame: &mut Frame, area: Rect, state: &TrainState, theme: &Theme) {
    frame.render_widget(Clear, area);
    let Some(run) = state.selected_run() else {
        return;
    };
    let inner = panel(
        frame,
        area,
        format!(
            " Run {} · {} · Enter closes · Ctrl-d/u scroll ",
            run.run_id, run.setup.model
        ),
        theme.title,
        theme.title,
    );
    let lines = detail_lines(state, run, theme, inner.width as usize);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((state.detail_scroll, 0)),
        inner,
    );
}

fn detail_lines<'a>(
    state: &TrainState,
    run: &'a RunRecord,
    theme: &Theme,
    w: usize,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let field = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(fit_cell(label, 10), theme.header),
            Span::raw(value),
        ])
    };
    let duration = run
        .duration_s
        .map(|s| format!(" in {s:.2} s"))
        .unwrap_or_default();
    lines.push(Line::from(vec![
        Span::styled(status_text(state, run), theme.key),
        Span::raw(format!(
            "{duration} · study {} · created {}",
            run.setup.study_id, run.created_at
        )),
    ]));
    if let Some(e) = &run.result.error {
        lines.push(Line::from(Span::styled(
            format!("error     {}", escape_control(e)),
            theme.warning,
        )));
    }
    for w in &run.result.warnings {
        lines.push(Line::from(Span::styled(
            format!("warning   {}", escape_control(w)),
            theme.warning,
        )));
    }
    lines.push(field(
        "data",
        escape_control(&run.setup.data_path).into_owned(),
    ));
    lines.push(field(
        "target",
        format!(
            "{} · {} · {} · seed {}",
            run.setup
                .target
                .as_deref()
                .map(|t| escape_control(t).into_owned())
                .unwrap_or_else(|| "(none)".into()),
            run.setup.task,
            run.setup.validation_label,
            run.setup.seed
        ),
    ));
    if let (Some(tr), Some(te)) = (run.result.train_rows, run.result.test_rows) {
        let dropped = match run.result.dropped_rows {
            Some(d) if d > 0 => format!(" · {} dropped (no target)", format_count(d)),
            _ => String::new(),
        };
        let features = run
            .result
            .n_features
            .map(|n| format!(" · {n} features"))
            .unwrap_or_default();
        let split = match run.result.fold_metrics.len() {
            k if k > 0 && te == 0 => format!("{} rows in {k} folds", format_count(tr)),
            k if k > 0 => format!(
                "{} rows in {k} folds, then {} test rows",
                format_count(tr),
                format_count(te)
            ),
            _ => format!("{} train · {} test", format_count(tr), format_count(te)),
        };
        lines.push(field("rows", format!("{split}{dropped}{features}")));
    }
    lines.push(field("params", params_line(&run.setup.params)));
    if let Some(limit) = run.setup.time_limit_s {
        lines.push(field("limit", format!("{limit} s")));
    }
    if let Some(p) = &run.result.model_path {
        let size = run
            .result
            .model_bytes
            .map(|b| format!(" ({})", human_bytes(b)))
            .unwrap_or_default();
        lines.push(field("model", format!("{}{size}", escape_control(p))));
    }
    let version = match &run.git_commit {
        Some(c) => format!("mlwb {} · git {}", run.mlwb_version, &c[..c.len().min(12)]),
        None => format!("mlwb {}", run.mlwb_version),
    };
    lines.push(field("made by", version));
    if let Some(study) = &state.study
        && let Some(p) = study.progress.get(&run.run_id)
    {
        lines.push(field("progress", progress_label(p)));
    }
    lines.extend(metric_lines(state, run, theme, w));
    if let Some(c) = &run.result.confusion {
        lines.extend(confusion_lines(c, theme));
    }
    lines
}

/// Metrics: one row per metric, overall then each fold.
fn metric_lines<'a>(
    state: &TrainState,
    run: &'a RunRecord,
    theme: &Theme,
    w: usize,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if !run.result.metrics.is_empty() {
        lines.push(Line::raw(""));
        let folds = &run.result.fold_metrics;
        let cols = ((w.saturating_sub(18)) / 10).max(1);
        let mut header = format!("{}{}", fit_cell("metric", 18), fit_right("overall", 10));
        for i in 0..folds.len().min(cols.saturating_sub(1)) {
            header.push_str(&fit_right(&format!("fold {}", i + 1), 10));
        }
        if folds.len() > cols.saturating_sub(1) {
            header.push_str(" …");
        }
        lines.push(Line::from(Span::styled(header, theme.header)));
        let mut names: Vec<Metric> = run.result.metrics.keys().copied().collect();
        let headline = metrics::headline(&run.setup.task);
        names.sort_by_key(|n| headline.iter().position(|h| h == n).unwrap_or(usize::MAX));
        for name in names {
            let mut row = format!(
                "{}{}",
                fit_cell(name.name(), 18),
                fit_right(&metric_text(run, name), 10)
            );
            for f in folds.iter().take(cols.saturating_sub(1)) {
                let v = f.get(&name).map_or("—".into(), |v| format!("{v:.4}"));
                row.push_str(&fit_right(&v, 10));
            }
            let style = if name == state.sort_metric() {
                theme.key
            } else {
                theme.text
            };
            lines.push(Line::from(Span::styled(row, style)));
        }
    }
    lines
}

/// The confusion matrix, its first classes when there are many.
fn confusion_lines<'a>(c: &Confusion, theme: &Theme) -> Vec<Line<'a>> {
    const MAX_CLASSES: usize = 12;
    let mut lines = Vec::new();
    lines.push(Line::raw(""));
    let n = c.classes.len();
    let shown = n.min(MAX_CLASSES);
    let more = if n > shown {
        format!(", first {shown} of {n} classes")
    } else {
        String::new()
    };
    lines.push(Line::from(Span::styled(
        format!("confusion matrix (rows: true class, columns: predicted{more})"),
        theme.header,
    )));
    let cell = c
        .counts
        .iter()
        .flatten()
        .map(|v| v.to_string().len())
        .chain(c.classes.iter().take(shown).map(|s| s.width().min(10)))
        .max()
        .unwrap_or(4)
        + 1;
    let label_w = c
        .classes
        .iter()
        .map(|s| s.width())
        .max()
        .unwrap_or(6)
        .clamp(6, 16)
        + 1;
    let mut header = " ".repeat(label_w);
    for class in c.classes.iter().take(shown) {
        header.push_str(&fit_right(&escape_control(class), cell));
    }
    lines.push(Line::from(Span::styled(header, theme.header)));
    for (i, row) in c.counts.iter().enumerate().take(shown) {
        let mut spans = vec![Span::styled(
            fit_cell(&escape_control(&c.classes[i]), label_w),
            theme.header,
        )];
        for (j, v) in row.iter().enumerate().take(shown) {
            let style = if i == j { theme.key } else { theme.text };
            spans.push(Span::styled(fit_right(&v.to_string(), cell), style));
        }
        lines.push(Line::from(spans));
    }
    lines
}

fn human_bytes(b: u64) -> String {
    match b {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
