//! Drawing the Data pane: the table (only the visible slice is materialised), the column list,
//! the selected column's profile, and its histogram or top values. Reads state, never fails.

use polars::prelude::{AnyValue, DataFrame, IdxCa, IdxSize};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::DataState;
use super::layout::{self, DataLayout};
use crate::pipeline::profile::{ColumnProfile, Role};
use crate::pipeline::text::{escape_control, format_count, format_number};
use crate::tui::theme::Theme;
use crate::tui::widgets::bars::{HBars, Histogram};

pub fn render(frame: &mut Frame, body: Rect, state: &DataState, theme: &Theme) {
    let Some(ds) = &state.dataset else {
        let text = if state.loading.is_some() {
            "Loading…"
        } else {
            "No dataset open. Press : and type  open PATH  (CSV, TSV, Parquet, JSON, NDJSON, Arrow IPC, .gz)."
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.dim)
                .wrap(Wrap { trim: true }),
            body,
        );
        return;
    };
    let parts: DataLayout = layout::split(body, state.details);
    render_table(frame, parts.table, state, &ds.df, theme);
    render_column_list(frame, parts.columns, state, theme);
    let profile = state
        .profile
        .as_ref()
        .and_then(|p| p.columns.get(state.col));
    render_profile(frame, parts.profile, state, profile, theme);
    render_chart(frame, parts.chart, profile, "", theme);
}

/// The rows on screen: a slice of the file, or of the sorted/filtered view.
fn visible_frame(
    state: &DataState,
    df: &DataFrame,
    count: usize,
) -> Option<(DataFrame, Vec<usize>)> {
    let len = state.view_len();
    let start = state.rows.offset.min(len);
    let end = (start + count).min(len);
    match &state.view_rows {
        Some(rows) => {
            let idx: Vec<IdxSize> = rows[start..end].to_vec();
            let numbers = idx.iter().map(|&i| i as usize).collect();
            let ca = IdxCa::from_vec("".into(), idx);
            df.take(&ca).ok().map(|f| (f, numbers))
        }
        None => Some((df.slice(start as i64, end - start), (start..end).collect())),
    }
}

fn cell_text(v: &AnyValue) -> (String, bool) {
    match v {
        AnyValue::Null => ("null".into(), false),
        AnyValue::Float64(x) => (format_number(*x), true),
        AnyValue::Float32(x) => (format_number(f64::from(*x)), true),
        AnyValue::String(s) => (escape_control(s).into_owned(), false),
        AnyValue::StringOwned(s) => (escape_control(s.as_str()).into_owned(), false),
        AnyValue::Boolean(b) => (b.to_string(), false),
        v if v.is_integer() => (v.to_string(), true),
        // Categories (Parquet, Arrow) show their text as a CSV's strings do, without quotes.
        v if let Some(s) = v.get_str() => (escape_control(s).into_owned(), false),
        v => (escape_control(&v.to_string()).into_owned(), false),
    }
}

fn render_table(frame: &mut Frame, area: Rect, state: &DataState, df: &DataFrame, theme: &Theme) {
    if area.height < 3 || area.width < 8 {
        return;
    }
    let rows_visible = (area.height - 2) as usize;
    let gutter = layout::gutter_width(state.view_len());
    let avail = area.width.saturating_sub(gutter + 1) as usize;
    // Columns that fit, from the first on screen.
    let mut cols = Vec::new();
    let mut used = 0usize;
    for (i, w) in state.widths.iter().enumerate().skip(state.col_offset) {
        let need = *w as usize + 1;
        if used + need > avail && !cols.is_empty() {
            break;
        }
        used += need;
        cols.push(i);
    }
    let names = df.get_column_names();
    let selected_names: Vec<_> = cols
        .iter()
        .filter_map(|&i| names.get(i).map(|n| (*n).clone()))
        .collect();
    let Ok(sub) = df.select(selected_names) else {
        return;
    };
    let Some((slice, numbers)) = visible_frame(state, &sub, rows_visible) else {
        return;
    };
    let mut widths = vec![Constraint::Length(gutter)];
    widths.extend(cols.iter().map(|&i| Constraint::Length(state.widths[i])));

    let header_style = |i: usize| {
        if i == state.col {
            theme.header_selected
        } else {
            theme.header
        }
    };
    let mut names_row = vec![Cell::from("#").style(theme.dim)];
    let mut types_row = vec![Cell::from("").style(theme.dim)];
    for (k, &i) in cols.iter().enumerate() {
        let c = &sub.columns()[k];
        let mut name = escape_control(c.name()).into_owned();
        if let Some(sort) = &state.shown_view.sort
            && sort.column == c.name().as_str()
        {
            name.push_str(if sort.descending { " ▼" } else { " ▲" });
        }
        names_row.push(Cell::from(name).style(header_style(i)));
        types_row.push(Cell::from(c.dtype().to_string()).style(if i == state.col {
            theme.header_selected
        } else {
            theme.dim
        }));
    }
    let mut rows = vec![Row::new(names_row), Row::new(types_row)];
    let columns = slice.columns();
    for (r, number) in numbers.iter().enumerate() {
        let mut cells =
            vec![Cell::from(format!("{:>w$}", number + 1, w = gutter as usize)).style(theme.dim)];
        for (k, &i) in cols.iter().enumerate() {
            let v = columns[k].get(r).unwrap_or(AnyValue::Null);
            let (text, numeric) = cell_text(&v);
            let width = state.widths[i] as usize;
            let text = if numeric {
                format!("{text:>width$}")
            } else {
                text
            };
            let style = if matches!(v, AnyValue::Null) {
                theme.null
            } else if i == state.col {
                theme.col_selected
            } else {
                theme.text
            };
            cells.push(Cell::from(text).style(style));
        }
        let mut row = Row::new(cells);
        if state.rows.offset + r == state.rows.row {
            row = row.style(theme.row_selected);
        }
        rows.push(row);
    }
    frame.render_widget(Table::new(rows, widths).column_spacing(1), area);
}

fn render_column_list(frame: &mut Frame, area: Rect, state: &DataState, theme: &Theme) {
    let Some(ds) = &state.dataset else { return };
    let block = Block::default()
        .borders(Borders::TOP | Borders::RIGHT)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" Columns ({}) ", ds.df.width()),
            theme.title,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let h = inner.height as usize;
    if h == 0 {
        return;
    }
    let n = ds.df.width();
    let start = state.col.saturating_sub(h / 2).min(n.saturating_sub(h));
    let profile = state.profile.as_ref();
    let lines: Vec<Line> = ds
        .df
        .columns()
        .iter()
        .enumerate()
        .skip(start)
        .take(h)
        .map(|(i, c)| {
            let role = profile
                .and_then(|p| p.columns.get(i))
                .map(|p| role_tag(p.role))
                .unwrap_or("   ");
            let marker = if i == state.col { "▶" } else { " " };
            let warn = profile
                .and_then(|p| p.columns.get(i))
                .is_some_and(|p| !p.warnings.is_empty());
            let style = if i == state.col {
                theme.row_selected
            } else {
                theme.text
            };
            Line::from(vec![
                Span::styled(format!("{marker}{role} "), style),
                Span::styled(escape_control(c.name()).into_owned(), style),
                Span::styled(if warn { " !" } else { "" }, theme.warning),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn role_tag(role: Role) -> &'static str {
    match role {
        Role::Numeric => "num",
        Role::Categorical => "cat",
        Role::Boolean => "bin",
        Role::Datetime => "dt ",
        Role::Text => "txt",
        Role::Id => "id ",
        Role::Constant => "con",
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(format_number).unwrap_or_else(|| "–".into())
}

fn render_profile(
    frame: &mut Frame,
    area: Rect,
    state: &DataState,
    profile: Option<&ColumnProfile>,
    theme: &Theme,
) {
    let name = state.selected_column_name().unwrap_or_default();
    let block = Block::default()
        .borders(Borders::TOP | Borders::RIGHT)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" {} ", escape_control(&name)),
            theme.title,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(p) = profile else {
        let text = if state.loading.is_some() {
            "profiling after the file has loaded…"
        } else {
            "no profile"
        };
        frame.render_widget(Paragraph::new(text).style(theme.dim), inner);
        return;
    };
    let kv = |k: &str, v: String| -> Line {
        Line::from(vec![
            Span::styled(format!("{k:<9}"), theme.dim),
            Span::raw(v),
        ])
    };
    // Two statistics per line when there is room, so the quartiles fit at 80×24.
    let half = (inner.width / 2) as usize;
    let pair = |a: (&str, String), b: (&str, String)| -> Vec<Line> {
        if half >= 13 {
            vec![Line::from(vec![
                Span::styled(format!("{:<5}", a.0), theme.dim),
                Span::raw(format!("{:<w$}", a.1, w = half.saturating_sub(5))),
                Span::styled(format!("{:<5}", b.0), theme.dim),
                Span::raw(b.1),
            ])]
        } else {
            vec![kv(a.0, a.1), kv(b.0, b.1)]
        }
    };
    let rows = p.count + p.nulls;
    let mut lines = vec![
        kv("type", format!("{} · {}", p.dtype, p.role.name())),
        kv(
            "nulls",
            format!(
                "{} of {} ({:.1}%)",
                format_count(p.nulls),
                format_count(rows),
                p.null_share * 100.0
            ),
        ),
        kv("distinct", format_count(p.distinct)),
    ];
    if let (Some(a), Some(b)) = (&p.min_label, &p.max_label) {
        lines.push(kv("min", a.clone()));
        lines.push(kv("max", b.clone()));
    } else if p.min.is_some() && p.role != Role::Boolean {
        lines.extend(pair(("mean", opt(p.mean)), ("std", opt(p.std))));
        lines.extend(pair(("min", opt(p.min)), ("max", opt(p.max))));
        lines.extend(pair(("25%", opt(p.q25)), ("75%", opt(p.q75))));
        let iqr = p.q25.zip(p.q75).map(|(a, b)| b - a);
        lines.extend(pair(("50%", opt(p.median)), ("IQR", opt(iqr))));
        if p.infinite > 0 {
            lines.push(kv("inf", format_count(p.infinite)));
        }
    } else if let Some(top) = p.top.first() {
        lines.push(kv(
            "top",
            format!(
                "{} ({})",
                escape_control(&top.value),
                format_count(top.count)
            ),
        ));
        if let Some(mean) = p.mean.filter(|_| p.role == Role::Boolean) {
            lines.push(kv("share", format!("{:.1}% true/1", mean * 100.0)));
        }
    }
    if state.details
        && let Some(ds) = &state.dataset
    {
        for w in &ds.warnings {
            lines.push(Line::from(Span::styled(
                format!("! file: {}", escape_control(w)),
                theme.warning,
            )));
        }
    }
    let warnings = state.profile.as_ref().map(|d| {
        d.warnings
            .iter()
            .filter(|w| w.column.as_deref() == Some(p.name.as_str()))
            .map(|w| w.message.clone())
            .collect::<Vec<_>>()
    });
    for w in warnings.unwrap_or_default() {
        lines.push(Line::from(Span::styled(format!("! {w}"), theme.warning)));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The chart of a column's profile: histogram, top values, or one bar per value. `prefix` goes
/// before the chart's title.
pub fn render_chart(
    frame: &mut Frame,
    area: Rect,
    profile: Option<&ColumnProfile>,
    prefix: &str,
    theme: &Theme,
) {
    let Some(p) = profile else {
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(theme.border);
        frame.render_widget(block, area);
        return;
    };
    // Numbers with a handful of values read better as one bar per value, in value order.
    let few_values = p.role == Role::Numeric && p.distinct <= 10 && !p.top.is_empty();
    let use_top = !p.top.is_empty()
        && (few_values
            || matches!(
                p.role,
                Role::Categorical | Role::Boolean | Role::Constant | Role::Id | Role::Text
            )
            || p.histogram.is_none());
    let title = if few_values {
        format!(" {prefix}Values ({} distinct) ", format_count(p.distinct))
    } else if use_top {
        format!(
            " {prefix}Top values ({} distinct) ",
            format_count(p.distinct)
        )
    } else if let Some(h) = &p.histogram {
        format!(" {prefix}Histogram ({} bins) ", h.counts.len())
    } else {
        format!(" {prefix}No chart ")
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.border)
        .title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if use_top {
        let mut items: Vec<(String, u64)> = p
            .top
            .iter()
            .map(|t| (escape_control(&t.value).into_owned(), t.count))
            .collect();
        if few_values {
            items.sort_by(|a, b| {
                let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
                num(&a.0).total_cmp(&num(&b.0))
            });
        }
        frame.render_widget(
            HBars {
                items: &items,
                style: theme.bar,
                label_style: theme.text,
            },
            inner,
        );
    } else if let Some(h) = &p.histogram {
        let (left, right) = match (&p.min_label, &p.max_label) {
            (Some(a), Some(b)) => (a.clone(), b.clone()),
            _ => (
                h.edges
                    .first()
                    .map(|v| format_number(*v))
                    .unwrap_or_default(),
                h.edges
                    .last()
                    .map(|v| format_number(*v))
                    .unwrap_or_default(),
            ),
        };
        frame.render_widget(
            Histogram {
                counts: &h.counts,
                left,
                right,
                style: theme.bar,
                label_style: theme.dim,
            },
            inner,
        );
    } else {
        frame.render_widget(Paragraph::new("nothing to chart").style(theme.dim), inner);
    }
}
