//! Drawing the Features pane: the spec as a column list, the selected column's steps, problems
//! and its distribution before and after, and the first rows transformed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::layout::split;
use super::{FeaturesState, SpecOrigin};
use crate::pipeline::features::{ColumnRole, ColumnSpec, Kind};
use crate::pipeline::text::{escape_control, format_count, format_number};
use crate::tui::pane::Shared;
use crate::tui::panes::data::view::render_chart;
use crate::tui::theme::Theme;
use crate::tui::widgets::bars::{HBars, Histogram};
use crate::tui::widgets::{fit_cell, panel};

pub fn render(
    frame: &mut Frame,
    area: Rect,
    state: &FeaturesState,
    shared: &Shared,
    theme: &Theme,
) {
    let Some(spec) = &state.spec else {
        let text = if shared.dataset.is_none() {
            "No dataset yet. Open one in the Data pane (1, or :open PATH); its automatic feature \
             spec appears here once the whole file is loaded and profiled."
        } else {
            "Waiting for the whole file to load and be profiled…"
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(" Features ", theme.title));
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.dim)
                .wrap(Wrap { trim: true })
                .block(block),
            area,
        );
        return;
    };
    let layout = split(area);
    render_list(frame, layout.list, state, &spec.columns, theme);
    if layout.detail.width > 0 {
        render_detail(frame, layout.detail, state, shared, theme);
    }
    if layout.preview.height > 0 {
        render_preview(frame, layout.preview, state, theme);
    }
}

fn kind_tag(kind: Kind) -> &'static str {
    match kind {
        Kind::Numeric => "num",
        Kind::Categorical => "cat",
        Kind::Boolean => "bool",
        Kind::Datetime => "date",
    }
}

fn render_list(
    frame: &mut Frame,
    area: Rect,
    state: &FeaturesState,
    columns: &[ColumnSpec],
    theme: &Theme,
) {
    let origin = match &state.origin {
        SpecOrigin::Automatic => "automatic".to_string(),
        SpecOrigin::Edited => "edited".to_string(),
        SpecOrigin::File(p) => p
            .file_name()
            .map(|n| escape_control(&n.to_string_lossy()).into_owned())
            .unwrap_or_default(),
    };
    let features = columns
        .iter()
        .filter(|c| c.role == ColumnRole::Feature)
        .count();
    let outputs = match (&state.preview, state.stale || !state.problems.is_empty()) {
        (Some(p), false) => format!(" → {} outputs", p.fitted.feature_names().len()),
        _ => String::new(),
    };
    let title = format!(
        " Spec · {origin} · {features}/{} cols{outputs} ",
        columns.len()
    );
    let inner = panel(frame, area, title, theme.border, theme.title);
    if inner.height == 0 || inner.width < 10 {
        return;
    }
    let w = inner.width as usize;
    let rows = inner.height.saturating_sub(1) as usize;
    // The names on screen set the column's width (a table may have 100,000 columns).
    let name_w = columns
        .iter()
        .skip(state.list.offset)
        .take(rows)
        .map(|c| escape_control(&c.name).width())
        .max()
        .unwrap_or(6)
        .clamp(6, (w / 3).max(6));
    let steps_w = w.saturating_sub(2 + name_w + 1 + 7 + 1 + 4 + 1);
    let header = format!(
        "  {} {} {}",
        fit_cell("column", name_w),
        fit_cell("role", 7),
        fit_cell("kind", 4)
    );
    let mut lines = vec![Line::from(vec![
        Span::styled(header, theme.header),
        Span::styled(format!(" {}", fit_cell("steps", steps_w)), theme.header),
    ])];
    for (i, c) in columns
        .iter()
        .enumerate()
        .skip(state.list.offset)
        .take(rows)
    {
        let has_problem = state
            .problems
            .iter()
            .any(|p| p.column.as_deref() == Some(c.name.as_str()));
        let marker = if has_problem {
            Span::styled("✗ ", theme.error)
        } else if i == state.list.row {
            Span::styled("▶ ", theme.key)
        } else {
            Span::raw("  ")
        };
        let style = if i == state.list.row {
            theme.row_selected
        } else if c.role == ColumnRole::Ignore {
            theme.dim
        } else if c.role == ColumnRole::Target {
            theme.warning
        } else {
            theme.text
        };
        let steps = match c.role {
            ColumnRole::Feature => c.steps_label().replace(" → ", "→"),
            ColumnRole::Target => "(the target)".to_string(),
            ColumnRole::Ignore => "(not used)".to_string(),
        };
        let text = format!(
            "{} {} {} {}",
            fit_cell(&escape_control(&c.name), name_w),
            fit_cell(c.role.name(), 7),
            fit_cell(kind_tag(c.kind), 4),
            fit_cell(&steps, steps_w)
        );
        lines.push(Line::from(vec![marker, Span::styled(text, style)]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn render_detail(
    frame: &mut Frame,
    area: Rect,
    state: &FeaturesState,
    shared: &Shared,
    theme: &Theme,
) {
    let Some(c) = state.selected() else {
        return;
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" {} ", escape_control(&c.name)),
            theme.title,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width < 4 {
        return;
    }
    let mut lines = vec![Line::from(vec![
        Span::styled(c.role.name(), theme.key),
        Span::raw(format!(" · {}", c.kind.name())),
    ])];
    match c.role {
        ColumnRole::Feature => {
            lines.push(Line::raw(format!("steps: {}", c.steps_label())));
            if let Some(p) = fitted_outputs(state, &c.name) {
                let text = if p.len() == 1 {
                    format!("→ output {}", p[0])
                } else {
                    format!("→ {} outputs (see the preview)", p.len())
                };
                lines.push(Line::styled(text, theme.dim));
            }
        }
        ColumnRole::Target => {
            lines.push(Line::raw("kept out of the features: the model predicts it"))
        }
        ColumnRole::Ignore => lines.push(Line::raw("not used (r makes it a feature)")),
    }
    if let Some(note) = &c.note {
        lines.push(Line::styled(escape_control(note).into_owned(), theme.dim));
    }
    for p in state.selected_problems() {
        lines.push(Line::styled(format!("✗ {}", p.message), theme.error));
    }
    for p in state.problems.iter().filter(|p| p.column.is_none()) {
        lines.push(Line::styled(format!("✗ {}", p.message), theme.error));
    }
    if let Some(e) = &state.fit_error {
        lines.push(Line::styled(format!("✗ fit failed: {e}"), theme.error));
    }
    let text_h = wrapped_height(&lines, inner.width).min(inner.height);
    let text_area = Rect::new(inner.x, inner.y, inner.width, text_h);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text_area);
    let charts_h = inner.height - text_h;
    if charts_h < 4 {
        return;
    }
    // Side by side when there is room for two readable charts, else one above the other.
    let (before, after) = if inner.width >= 56 || charts_h < 8 {
        let half = inner.width / 2;
        (
            Rect::new(inner.x, inner.y + text_h, half, charts_h),
            Rect::new(
                inner.x + half,
                inner.y + text_h,
                inner.width - half,
                charts_h,
            ),
        )
    } else {
        let half = charts_h / 2;
        (
            Rect::new(inner.x, inner.y + text_h, inner.width, half),
            Rect::new(
                inner.x,
                inner.y + text_h + half,
                inner.width,
                charts_h - half,
            ),
        )
    };
    let profile = shared.profile.as_ref().and_then(|p| p.column(&c.name));
    render_chart(frame, before, profile, "Before · ", theme);
    render_after(frame, after, state, c, theme);
}

/// Lines a paragraph takes once wrapped to `width`.
fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    lines
        .iter()
        .map(|l| (l.width() as u16).div_ceil(width.max(1)).max(1))
        .sum()
}

/// The output names of a fitted column.
fn fitted_outputs(state: &FeaturesState, name: &str) -> Option<Vec<String>> {
    let preview = state.preview.as_ref().filter(|_| !state.stale)?;
    preview
        .fitted
        .columns
        .iter()
        .find(|c| c.name == name)
        .map(|c| {
            c.output_names()
                .iter()
                .map(|n| escape_control(n).into_owned())
                .collect()
        })
}

fn render_after(
    frame: &mut Frame,
    area: Rect,
    state: &FeaturesState,
    c: &ColumnSpec,
    theme: &Theme,
) {
    let preview = state.preview.as_ref();
    let outputs: Vec<&crate::pipeline::features::OutputSummary> = match preview {
        Some(p) if c.role == ColumnRole::Feature => {
            let names = p
                .fitted
                .columns
                .iter()
                .find(|f| f.name == c.name)
                .map(|f| f.output_names())
                .unwrap_or_default();
            p.outputs
                .iter()
                .filter(|o| names.contains(&o.name))
                .collect()
        }
        _ => Vec::new(),
    };
    let status = if state.fit_job.is_some() {
        " (fitting…)"
    } else if state.stale {
        " (stale)"
    } else {
        ""
    };
    let sample = preview
        .map(|p| format!(" {} rows", format_count(p.sample_rows as u64)))
        .unwrap_or_default();
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" After ·{sample}{status} "),
            theme.title,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if outputs.is_empty() {
        let why = match c.role {
            ColumnRole::Feature if state.problems.is_empty() => "not fitted yet",
            ColumnRole::Feature => "fix the spec's problems to see it",
            _ => "not a feature",
        };
        frame.render_widget(Paragraph::new(why).style(theme.dim), inner);
        return;
    }
    let one_hot = outputs.len() > 1 && outputs.iter().all(|o| o.name.contains('='));
    if let [o] = outputs[..]
        && let Some(h) = &o.histogram
    {
        frame.render_widget(
            Histogram {
                counts: &h.counts,
                left: format_number(o.min),
                right: format_number(o.max),
                style: theme.bar,
                label_style: theme.dim,
            },
            inner,
        );
    } else if one_hot {
        let items: Vec<(String, u64)> = outputs
            .iter()
            .map(|o| {
                let level = o.name.split_once('=').map_or(o.name.as_str(), |x| x.1);
                (escape_control(level).into_owned(), o.ones)
            })
            .collect();
        frame.render_widget(
            HBars {
                items: &items,
                style: theme.bar,
                label_style: theme.text,
            },
            inner,
        );
    } else {
        let lines: Vec<Line> = outputs
            .iter()
            .map(|o| {
                let part = o.name.rsplit_once('.').map_or(o.name.as_str(), |x| x.1);
                Line::raw(format!(
                    "{} {}…{} μ {}",
                    escape_control(part),
                    format_number(o.min),
                    format_number(o.max),
                    format_number(o.mean)
                ))
            })
            .collect();
        frame.render_widget(Paragraph::new(lines).style(theme.text), inner);
    }
}

fn render_preview(frame: &mut Frame, area: Rect, state: &FeaturesState, theme: &Theme) {
    let status = if state.fit_job.is_some() {
        " · fitting…"
    } else if state.stale {
        " · stale: the spec changed"
    } else {
        ""
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" Preview · first rows transformed{status} "),
            theme.title,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(p) = &state.preview else {
        return;
    };
    let names = &p.head.names;
    // Start at the selected column's first output, so moving the selection scrolls the table.
    let first = state
        .selected()
        .and_then(|c| {
            let mut start = 0;
            for f in &p.fitted.columns {
                if f.name == c.name {
                    return Some(start);
                }
                start += f.width();
            }
            None
        })
        .unwrap_or(0);
    let mut header = Vec::new();
    let mut cols = Vec::new();
    let mut used = 0usize;
    for (j, name) in names.iter().enumerate().skip(first) {
        let name = escape_control(name).into_owned();
        let w = name.width().clamp(12, 20);
        if used + w + 1 > inner.width as usize && !cols.is_empty() {
            break;
        }
        used += w + 1;
        header.push(Span::styled(
            format!("{:>w$} ", fit_cell(&name, w).trim_end()),
            theme.header,
        ));
        cols.push((j, w));
    }
    let mut lines = vec![Line::from(header)];
    for i in 0..p
        .head
        .x
        .nrows()
        .min(inner.height.saturating_sub(1) as usize)
    {
        let cells: Vec<Span> = cols
            .iter()
            .map(|(j, w)| {
                let v = format_number(p.head.x[[i, *j]]);
                Span::styled(format!("{v:>w$} "), theme.number)
            })
            .collect();
        lines.push(Line::from(cells));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
