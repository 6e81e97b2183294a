//! Drawing the Drift pane: the dataset verdict on top, the columns sorted by drift (symbols as
//! well as colour), and for the selected column both distributions, the reason for its test and
//! its other tests' scores; schema findings under the table; the stored checks when listed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::layout::{split, table_lines};
use super::{DriftState, file_name};
use crate::pipeline::drift::report::{
    score_text, test_score_text, verdict_line, verdict_symbol, verdict_symbol_of,
};
use crate::pipeline::drift::{Chart, ColumnDrift, ColumnKind, DriftReport, ScoreKind, Verdict};
use crate::pipeline::text::{escape_control, format_count, format_number};
use crate::tui::theme::Theme;
use crate::tui::widgets::bars::{PairedBars, PairedHistogram};
use crate::tui::widgets::{fit_cell, fit_right, panel};

pub fn render(frame: &mut Frame, body: Rect, state: &DriftState, theme: &Theme) {
    let layout = split(body, state.table_wanted());
    render_header(frame, layout.header, state, theme);
    let below_header = Rect::new(
        body.x,
        layout.header.y + layout.header.height,
        body.width,
        body.height.saturating_sub(layout.header.height),
    );
    if let Some(h) = &state.history {
        render_history(frame, below_header, h, theme);
        return;
    }
    let Some(result) = &state.result else {
        render_empty(frame, below_header, state, theme);
        return;
    };
    render_table(frame, layout.table, state, &result.report, theme);
    let selected = state.selected().and_then(|i| result.report.columns.get(i));
    render_column(frame, layout.chart, selected, theme);
}

fn render_header(frame: &mut Frame, area: Rect, state: &DriftState, theme: &Theme) {
    let w = area.width as usize;
    let mut lines = Vec::new();
    match &state.result {
        Some(r) => {
            let style = match r.report.verdict {
                Verdict::Drift => theme.drifted,
                Verdict::NoDrift => theme.steady.add_modifier(Modifier::BOLD),
                Verdict::Incomplete => theme.warning.add_modifier(Modifier::BOLD),
            };
            let sym = verdict_symbol_of(r.report.verdict);
            lines.push(Line::from(Span::styled(
                fit_cell(&format!("{sym} {}", verdict_line(&r.report)), w),
                style,
            )));
            let id = r
                .meta
                .check_id
                .map(|i| format!(" · check {i}"))
                .unwrap_or_default();
            // A pair chosen since this check: say what r will check next.
            let next = match (&state.reference, &state.current) {
                (Some(a), Some(b))
                    if a.display().to_string() != r.meta.reference.path
                        || b.display().to_string() != r.meta.current.path =>
                {
                    format!(
                        " · next (r): {} → {}",
                        escape_control(&file_name(a)),
                        escape_control(&file_name(b))
                    )
                }
                _ => String::new(),
            };
            let id = format!("{id}{next}");
            lines.push(Line::from(Span::styled(
                fit_cell(
                    &format!(
                        "{} ({} rows{}) → {} ({} rows{}){id}",
                        escape_control(&file_name(std::path::Path::new(&r.meta.reference.path))),
                        format_count(r.meta.reference.rows),
                        side_tag(&r.meta.reference),
                        escape_control(&file_name(std::path::Path::new(&r.meta.current.path))),
                        format_count(r.meta.current.rows),
                        side_tag(&r.meta.current),
                    ),
                    w,
                ),
                theme.dim,
            )));
        }
        None => {
            lines.push(Line::from(Span::styled(
                fit_cell("Drift: is the current data still like the reference?", w),
                theme.title,
            )));
            let name = |p: &Option<std::path::PathBuf>| {
                p.as_deref()
                    .map(|p| escape_control(&file_name(p)).into_owned())
                    .unwrap_or_else(|| "(not chosen)".into())
            };
            lines.push(Line::from(Span::styled(
                fit_cell(
                    &format!(
                        "reference {} → current {}",
                        name(&state.reference),
                        name(&state.current)
                    ),
                    w,
                ),
                theme.dim,
            )));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// ", baseline" or ", streamed" after a side read that way.
fn side_tag(meta: &crate::pipeline::drift::report::SideMeta) -> &'static str {
    match meta.note.as_deref() {
        Some(n) if n.starts_with("baseline") => ", baseline",
        Some(_) => ", streamed",
        None => "",
    }
}

/// An indented line of keys (joined by " / ") and what they do.
fn hint<'a>(indent: &'a str, keys: &[&'a str], what: &'a str, theme: &Theme) -> Line<'a> {
    let mut spans = vec![Span::raw(indent)];
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" / "));
        }
        spans.push(Span::styled(*k, theme.key));
    }
    spans.push(Span::raw(what));
    Line::from(spans)
}

fn render_empty(frame: &mut Frame, area: Rect, state: &DriftState, theme: &Theme) {
    let inner = panel(frame, area, " Drift ".into(), theme.border, theme.title);
    let ready = state.reference.is_some() && state.current.is_some();
    let mut text = vec![Line::from("")];
    if state.check.is_some() {
        text.push(Line::from("  Checking… (Esc cancels)"));
    } else if ready {
        text.push(Line::from(vec![
            Span::raw("  Press "),
            Span::styled("r", theme.key),
            Span::raw(" to compare every column of the two files."),
        ]));
    } else {
        text.push(Line::from("  Choose the two files to compare:"));
        text.push(hint(
            "    ",
            &[":drift REFERENCE CURRENT"],
            "  both at once, and check",
            theme,
        ));
        text.push(hint(
            "    ",
            &["R", "C"],
            "  take the Data pane's file as reference / current",
            theme,
        ));
    }
    text.push(Line::from(""));
    text.push(hint(
        "  ",
        &["H"],
        " lists the checks stored in this project.",
        theme,
    ));
    text.push(hint(
        "  ",
        &[":baseline FILE"],
        " saves a baseline of the reference (statistics, no rows);",
        theme,
    ));
    text.push(hint(
        "  ",
        &[":reference FILE"],
        " then checks against it without the reference data.",
        theme,
    ));
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
}

fn render_table(
    frame: &mut Frame,
    area: Rect,
    state: &DriftState,
    report: &DriftReport,
    theme: &Theme,
) {
    let title = format!(
        " Columns by drift ({} tested, {} drifted) ",
        report.n_tested, report.n_drifted
    );
    let inner = panel(frame, area, title, theme.border, theme.title);
    let w = inner.width as usize;
    let (rows_h, findings) = table_lines(inner.height, state.order.len(), report.findings.len());
    // Room for "≈" before a ten-character score from a sketch.
    let score_w = if report.approximate { 12 } else { 11 };
    let (thr_w, test_w) = (6, 5);
    let name_w = w
        .saturating_sub(2 + 1 + test_w + 1 + score_w + 1 + thr_w)
        .max(4);
    let header = format!(
        "  {} {} {} {}",
        fit_cell("column", name_w),
        fit_cell("test", test_w),
        fit_right("score", score_w),
        fit_right("thr", thr_w)
    );
    let mut lines = vec![Line::from(Span::styled(fit_cell(&header, w), theme.header))];
    for (pos, &i) in state
        .order
        .iter()
        .enumerate()
        .skip(state.list.offset)
        .take(rows_h)
    {
        let c = &report.columns[i];
        let sym = verdict_symbol(c);
        let test = c.test.map(|t| t.short()).unwrap_or(match c.kind {
            ColumnKind::Missing => "miss",
            _ => "–",
        });
        let score = score_text(c);
        let thr = c.threshold.map(format_number).unwrap_or_default();
        let text = format!(
            "{sym} {} {} {} {}",
            fit_cell(&escape_control(&c.name), name_w),
            fit_cell(test, test_w),
            fit_right(&score, score_w),
            fit_right(&thr, thr_w)
        );
        let mut style = if c.drifted {
            theme.drifted
        } else if c.tested {
            theme.text
        } else {
            theme.dim
        };
        if pos == state.list.row {
            style = style.patch(theme.row_selected);
        }
        lines.push(Line::from(Span::styled(fit_cell(&text, w), style)));
    }
    frame.render_widget(
        Paragraph::new(lines),
        Rect {
            height: inner.height,
            ..inner
        },
    );
    if findings > 0 {
        let y = inner.y + inner.height - findings as u16;
        let mut text = Vec::new();
        let more = report.findings.len() - findings;
        for (k, f) in report.findings.iter().take(findings).enumerate() {
            let mut msg = format!("! {}", escape_control(&f.message));
            if k + 1 == findings && more > 0 {
                msg = format!("! … and {more} more findings (see mlwb drift)");
            }
            text.push(Line::from(Span::styled(fit_cell(&msg, w), theme.warning)));
        }
        frame.render_widget(
            Paragraph::new(text),
            Rect::new(inner.x, y, inner.width, findings as u16),
        );
    }
}

fn render_column(frame: &mut Frame, area: Rect, column: Option<&ColumnDrift>, theme: &Theme) {
    let Some(c) = column else {
        panel(frame, area, " Column ".into(), theme.border, theme.title);
        return;
    };
    let inner = panel(frame, area, column_title(c), theme.border, theme.title);
    let lines = column_lines(c, inner.width as usize, theme);
    let head = (lines.len() as u16).min(inner.height);
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, inner.y, inner.width, head),
    );
    let chart_area = Rect::new(
        inner.x,
        inner.y + head,
        inner.width,
        inner.height.saturating_sub(head),
    );
    render_chart(frame, chart_area, c, theme);
}

/// ` bill_length_mm · PSI 0.31 ≥ 0.1 → drift `
fn column_title(c: &ColumnDrift) -> String {
    match (c.test, c.score, c.threshold) {
        (Some(t), Some(s), Some(th)) => {
            let cmp = match (t.score_kind(), c.drifted) {
                (ScoreKind::PValue, true) => "≤",
                (ScoreKind::PValue, false) => ">",
                (ScoreKind::Distance, true) => "≥",
                (ScoreKind::Distance, false) => "<",
            };
            let bound = c
                .result()
                .and_then(|r| r.bound)
                .map(|b| format!(" ±{}", format_number(b)))
                .unwrap_or_default();
            let approx = if bound.is_empty() { "" } else { "≈" };
            format!(
                " {} · {} {approx}{}{bound} {cmp} {} → {} ",
                escape_control(&c.name),
                t.label(),
                format_number(s),
                format_number(th),
                if c.drifted { "drift" } else { "no drift" }
            )
        }
        _ => format!(" {} · not tested ", escape_control(&c.name)),
    }
}

/// Why the column has its test, its values on both sides, its other tests, the chart's key.
fn column_lines(c: &ColumnDrift, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        fit_cell(&format!("why: {}", c.reason), w),
        theme.text,
    ))];
    if c.tested || c.reference.dtype.is_some() {
        lines.push(Line::from(Span::styled(
            fit_cell(
                &format!(
                    "{} · values {} → {} · missing {:.1}% → {:.1}%",
                    c.kind.name(),
                    format_count(c.reference.values),
                    format_count(c.current.values),
                    c.reference.null_share * 100.0,
                    c.current.null_share * 100.0
                ),
                w,
            ),
            theme.dim,
        )));
    }
    if c.tests.len() > 1 {
        let others: Vec<String> = c
            .tests
            .iter()
            .filter(|t| Some(t.test) != c.test)
            .map(|t| {
                format!(
                    "{} {}{}",
                    t.test.short(),
                    test_score_text(t),
                    if t.drifted { "✗" } else { "" }
                )
            })
            .collect();
        lines.push(Line::from(Span::styled(
            fit_cell(
                &format!("other tests (m switches): {}", others.join(" · ")),
                w,
            ),
            theme.dim,
        )));
    }
    if c.chart.is_some() {
        lines.push(Line::from(vec![
            Span::styled("█", theme.reference),
            Span::raw(" reference (left)  "),
            Span::styled("█", theme.current),
            Span::raw(" current (right)"),
        ]));
    }
    lines
}

/// Both distributions of the column, side by side.
fn render_chart(frame: &mut Frame, chart_area: Rect, c: &ColumnDrift, theme: &Theme) {
    let (ref_style, cur_style) = (theme.reference, theme.current);
    match &c.chart {
        Some(Chart::Histogram {
            edges,
            reference,
            current,
        }) => frame.render_widget(
            PairedHistogram {
                reference,
                current,
                left: edges.first().map(|v| format_number(*v)).unwrap_or_default(),
                right: edges.last().map(|v| format_number(*v)).unwrap_or_default(),
                reference_style: ref_style,
                current_style: cur_style,
                label_style: theme.dim,
            },
            chart_area,
        ),
        Some(Chart::Bars {
            labels,
            reference,
            current,
        }) => {
            let items: Vec<(String, f64, f64)> = labels
                .iter()
                .zip(reference.iter().zip(current))
                .map(|(l, (a, b))| (escape_control(l).into_owned(), *a, *b))
                .collect();
            frame.render_widget(
                PairedBars {
                    items: &items,
                    reference_style: ref_style,
                    current_style: cur_style,
                    label_style: theme.text,
                },
                chart_area,
            );
        }
        None => {}
    }
}

fn render_history(frame: &mut Frame, area: Rect, h: &super::History, theme: &Theme) {
    let inner = panel(
        frame,
        area,
        " Stored drift checks (Enter opens, H closes) ".into(),
        theme.border,
        theme.title,
    );
    let w = inner.width as usize;
    let height = inner.height as usize;
    let offset = h.list.row.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line> = h
        .checks
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, c)| {
            let verdict = match c.verdict {
                Verdict::Drift => "✗ drift",
                Verdict::NoDrift => "✓ ok   ",
                Verdict::Incomplete => "! incomp",
            };
            let text = format!(
                "#{:<4} {}  {verdict} {}/{}  {} → {}",
                c.check_id,
                c.created_at.get(..16).unwrap_or(&c.created_at),
                c.n_drifted,
                c.n_tested,
                escape_control(&file_name(std::path::Path::new(&c.reference_path))),
                escape_control(&file_name(std::path::Path::new(&c.current_path))),
            );
            let mut style = match c.verdict {
                Verdict::Drift => theme.drifted,
                Verdict::NoDrift => theme.text,
                Verdict::Incomplete => theme.warning,
            };
            if i == h.list.row {
                style = style.patch(theme.row_selected);
            }
            Line::from(Span::styled(fit_cell(&text, w), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
