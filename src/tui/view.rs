//! Drawing the whole screen from the state: pane bar, the focused pane, status line, overlays.
//! Views only read state; they never block, fail or call the pipeline.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::app::{App, Global, Overlay, Pane, PaneNumber, PromptKind};
use super::keymap::{Context, display_keys};
use super::palette;
use super::theme::Theme;
use crate::pipeline::text::{escape_control, format_count, is_unsafe};

/// Smallest terminal the layout works in.
pub const MIN_SIZE: (u16, u16) = (40, 10);

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn draw(frame: &mut Frame, app: &App, now: Instant) {
    let area = frame.area();
    let theme = Theme::new(app.no_color);
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let msg = format!(
            "terminal too small: {}×{}\nneed at least {}×{}",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        );
        frame.render_widget(
            Paragraph::new(msg)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    draw_pane_bar(frame, Rect::new(0, 0, area.width, 1), app, &theme);
    let body = Rect::new(0, 1, area.width, area.height - 2);
    app.panes.render(app.pane, frame, body, &app.shared, &theme);
    draw_status(
        frame,
        Rect::new(0, area.height - 1, area.width, 1),
        app,
        &theme,
        now,
    );
    match &app.overlay {
        Some(o @ (Overlay::Help { scroll } | Overlay::Messages { scroll })) => {
            draw_scrolling(frame, area, app, o, *scroll, &theme)
        }
        Some(Overlay::ConfirmQuit) => draw_confirm(frame, area, &theme),
        None => {}
    }
    make_safe(frame.buffer_mut());
}

/// The output boundary: whatever a widget was given, no cell reaches the terminal holding a
/// character that acts on it (ESC, BEL, C1 controls, bidirectional overrides). Views escape
/// untrusted text so it reads well; this makes forgetting to harmless.
fn make_safe(buffer: &mut ratatui::buffer::Buffer) {
    for cell in buffer.content.iter_mut() {
        if cell.symbol().chars().any(is_unsafe) {
            cell.set_symbol("\u{fffd}");
        }
    }
}

fn draw_pane_bar(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = vec![Span::styled(" mlwb ", theme.title)];
    for (i, pane) in Pane::ALL.iter().enumerate() {
        let style = if *pane == app.pane {
            theme.tab_active
        } else {
            theme.text
        };
        spans.push(Span::styled(format!(" {} {} ", i + 1, pane.title()), style));
    }
    let left_w: usize = spans.iter().map(|s| s.content.width()).sum();
    if let Some(ds) = &app.panes.data.dataset {
        let name = ds
            .path
            .file_name()
            .map(|n| escape_control(&n.to_string_lossy()).into_owned())
            .unwrap_or_default();
        let rows = if ds.complete {
            format!("{} rows", format_count(ds.df.height() as u64))
        } else {
            format!("first {} rows", format_count(ds.df.height() as u64))
        };
        let shown = match &app.panes.data.view_rows {
            Some(v) if app.panes.data.shown_view.filter.is_some() => {
                format!(" · {} shown", format_count(v.len() as u64))
            }
            _ => String::new(),
        };
        let pos = if app.panes.data.catalog.len() > 1 {
            format!(
                " [{}/{}]",
                app.panes.data.current + 1,
                app.panes.data.catalog.len()
            )
        } else {
            String::new()
        };
        let cols = ds.df.width();
        let room = (area.width as usize).saturating_sub(left_w + 1);
        // The file's name matters most: shorter forms drop the position, then the words,
        // before the name itself is shortened (in the middle, so its end still shows).
        let short_rows = rows.replace(" rows", "");
        let info = [
            format!("{name}{pos} · {rows} × {cols} cols{shown} "),
            format!("{name} · {rows} × {cols} cols{shown} "),
            format!("{name} · {short_rows}×{cols}{shown} "),
            format!("{name}{shown} "),
        ]
        .into_iter()
        .find(|i| i.width() <= room)
        .unwrap_or_else(|| format!("{} ", truncate_middle(&name, room.saturating_sub(1))));
        let pad = room.saturating_sub(info.width()) + 1;
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(info, theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The start and the end of a string that is too wide, the middle cut out and marked `…`.
fn truncate_middle(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let keep = width.saturating_sub(1);
    let (head, tail) = (keep - keep / 2, keep / 2);
    let start: String = chars.iter().take(head).collect();
    let end: String = chars[chars.len().saturating_sub(tail)..].iter().collect();
    // Wide characters can make the halves too wide; cut the start until it fits.
    let mut out = format!("{start}…{end}");
    let mut start = start;
    while out.width() > width && start.pop().is_some() {
        out = format!("{start}…{end}");
    }
    out
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, now: Instant) {
    let line = if let Some(prompt) = &app.prompt {
        let label = match prompt.kind {
            PromptKind::Palette => ":".to_string(),
            PromptKind::Filter => format!(
                "filter {} (text, = x, > 5, null, !null): ",
                escape_control(&app.panes.data.selected_column_name().unwrap_or_default())
            ),
            PromptKind::SaveSpec => "save spec to (.toml or .json): ".to_string(),
            PromptKind::OpenSpec => "open spec (.toml or .json): ".to_string(),
        };
        let (before, after) = prompt.split();
        let mut rest = after.chars();
        let under = rest.next();
        let mut spans = vec![
            Span::styled(label, theme.key),
            Span::raw(escape_control(before).into_owned()),
        ];
        match under {
            // The cursor on a character shows it reversed; at the end, a block.
            Some(c) => spans.push(Span::styled(
                escape_control(&c.to_string()).into_owned(),
                ratatui::style::Style::default().add_modifier(ratatui::style::Modifier::REVERSED),
            )),
            None => spans.push(Span::styled("█", theme.dim)),
        }
        spans.push(Span::raw(escape_control(rest.as_str()).into_owned()));
        Line::from(spans)
    } else if let Some(err) = &app.error {
        return draw_wrapped(frame, area, app, format!("✗ {err}"), theme.error);
    } else if let Some((
        pane,
        super::pane::JobStatus {
            label,
            fraction,
            elapsed,
        },
    )) = app.job_status(now)
    {
        let spin = SPINNER[(app.tick as usize) % SPINNER.len()];
        let bar = fraction
            .map(|f| format!("{} ", gauge(f, 12)))
            .unwrap_or_default();
        Line::from(vec![
            Span::styled(format!("{spin} {label} "), theme.key),
            Span::styled(bar, theme.bar),
            Span::styled(
                if pane == app.pane {
                    format!("{:.1} s · Esc cancels", elapsed.as_secs_f64())
                } else {
                    // Esc acts on the pane in view: say where this job is cancelled.
                    let at = Pane::ALL.iter().position(|p| *p == pane).unwrap_or(0);
                    let goto = app.keymap.key_for(&Global::GotoPane(PaneNumber(at)).into());
                    let how = goto.map_or(String::new(), |k| format!(" ({k} then Esc cancels)"));
                    format!("{:.1} s · in {}{how}", elapsed.as_secs_f64(), pane.title())
                },
                theme.dim,
            ),
        ])
    } else if let Some(msg) = &app.message {
        return draw_wrapped(frame, area, app, format!("• {msg}"), theme.text);
    } else {
        let mut spans = Vec::new();
        let filter = app
            .panes
            .data
            .shown_view
            .filter
            .as_ref()
            .map(|f| f.describe());
        if let Some(f) = filter {
            spans.push(Span::styled(
                format!("filter: {} ", escape_control(&f)),
                theme.warning,
            ));
            spans.push(Span::styled("(Esc clears)  ", theme.dim));
        }
        let used: usize = spans.iter().map(|s| s.content.width()).sum();
        let room = usize::from(area.width).saturating_sub(used);
        for hint in app.keymap.fitted_hints(Context::Pane(app.pane), room) {
            spans.push(Span::styled(hint.keys, theme.key));
            spans.push(Span::styled(format!(" {}  ", hint.label), theme.dim));
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// A status text that wraps upwards over the pane (at most three lines), so it is read whole;
/// a longer one ends with where to read the rest (the messages overlay).
fn draw_wrapped(frame: &mut Frame, area: Rect, app: &App, text: String, style: Style) {
    let width = usize::from(area.width.max(1));
    let mut lines = wrap(&text, width);
    if lines.len() > 3 {
        lines.truncate(3);
        let more = match app.keymap.key_for(&Global::Messages.into()) {
            Some(key) => format!(" … {key} shows all"),
            None => " …".to_string(),
        };
        let last = &mut lines[2];
        while last.width() + more.width() > width && last.pop().is_some() {}
        last.push_str(&more);
    }
    let height = lines.len() as u16;
    let rect = Rect::new(
        area.x,
        (area.y + 1).saturating_sub(height),
        area.width,
        height,
    );
    frame.render_widget(Clear, rect);
    let lines: Vec<Line> = lines.into_iter().map(Line::raw).collect();
    frame.render_widget(Paragraph::new(lines).style(style), rect);
}

fn gauge(fraction: f64, width: usize) -> String {
    let filled = (fraction * width as f64).round() as usize;
    format!(
        "{}{} {:>3.0}%",
        "█".repeat(filled.min(width)),
        "░".repeat(width.saturating_sub(filled)),
        fraction * 100.0
    )
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The help overlay's lines: the focused pane's keys, then the global ones.
fn help_lines<'a>(app: &'a App, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for context in [Context::Pane(app.pane), Context::Global] {
        lines.push(Line::from(Span::styled(context.title(), theme.title)));
        for b in app.keymap.in_context(context) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<16}", display_keys(&b.keys)), theme.key),
                Span::raw(b.help.as_str()),
            ]));
        }
        lines.push(Line::raw(""));
    }
    lines.push(Line::from(Span::styled(
        "Commands (type : then one)",
        theme.title,
    )));
    for c in palette::COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<16}", c.usage()), theme.key),
            Span::raw(c.help),
        ]));
    }
    lines
}

/// A scrolling overlay's title and lines: the keys and commands, or the messages.
/// A scrolling overlay's title, how to close it, and its lines.
struct OverlayText<'a> {
    title: &'static str,
    closes: String,
    lines: Vec<Line<'a>>,
}

fn overlay_text<'a>(app: &'a App, overlay: &Overlay, theme: &Theme) -> OverlayText<'a> {
    let (title, action, lines) = match overlay {
        Overlay::Messages { .. } => ("Messages", Global::Messages, message_lines(app, theme)),
        _ => ("Keys", Global::Help, help_lines(app, theme)),
    };
    let closes = match app.keymap.key_for(&action.into()) {
        Some(key) => format!("{key} or Esc closes"),
        None => "Esc closes".to_string(),
    };
    OverlayText {
        title,
        closes,
        lines,
    }
}

/// The messages overlay's lines: each notice and error with its time, wrapped to the
/// terminal, oldest first.
fn message_lines<'a>(app: &'a App, theme: &Theme) -> Vec<Line<'a>> {
    if app.log.is_empty() {
        return vec![Line::styled("No messages yet.", theme.dim)];
    }
    let width = usize::from(app.size().0.saturating_sub(4)).max(30) - 11;
    let mut lines = Vec::new();
    for entry in &app.log {
        let (mark, style) = if entry.error {
            ("✗", theme.error)
        } else {
            ("•", theme.text)
        };
        let text = escape_control(&entry.text).into_owned();
        for (i, part) in wrap(&text, width).into_iter().enumerate() {
            let head = if i == 0 {
                format!("{} {mark} ", entry.at)
            } else {
                " ".repeat(11)
            };
            lines.push(Line::from(vec![
                Span::styled(head, theme.dim),
                Span::styled(part, style),
            ]));
        }
    }
    lines
}

/// `text` cut into lines of at most `width` columns, at spaces where it can.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ') {
            let sep = usize::from(!line.is_empty());
            if !line.is_empty() && line.width() + sep + word.width() > width {
                lines.push(std::mem::take(&mut line));
            } else if sep == 1 {
                line.push(' ');
            }
            for c in word.chars() {
                if line.width() + c.to_string().width() > width {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        }
        lines.push(line);
    }
    lines
}

/// Where a scrolling overlay goes and how far it can scroll, for a terminal size.
fn overlay_geometry(lines: &[Line], area: Rect) -> (Rect, usize) {
    let width = lines.iter().map(|l| l.width()).max().unwrap_or(20) as u16 + 4;
    let rect = centered(area, width.max(40), lines.len() as u16 + 2);
    let visible = rect.height.saturating_sub(2) as usize;
    (rect, lines.len().saturating_sub(visible))
}

/// How far the open overlay can scroll at the current size (0 when none is open).
pub fn overlay_max_scroll(app: &App) -> usize {
    let Some(overlay) = &app.overlay else {
        return 0;
    };
    let text = overlay_text(app, overlay, &Theme::new(true));
    overlay_geometry(&text.lines, Rect::new(0, 0, app.size().0, app.size().1)).1
}

fn draw_scrolling(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    overlay: &Overlay,
    scroll: usize,
    theme: &Theme,
) {
    let OverlayText {
        title,
        closes,
        lines,
    } = overlay_text(app, overlay, theme);
    let (rect, max_scroll) = overlay_geometry(&lines, area);
    let scroll = scroll.min(max_scroll);
    let more = if max_scroll > 0 { " · j/k scroll" } else { "" };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.title)
        .title(Span::styled(
            format!(" {title}{more} · {closes} "),
            theme.title,
        ));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        rect,
    );
}

fn draw_confirm(frame: &mut Frame, area: Rect, theme: &Theme) {
    let rect = centered(area, 44, 5);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.warning)
        .title(" Quit? ");
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new("A job is still running.\nQuit anyway?  y = quit · any other key = stay")
            .block(block)
            .wrap(Wrap { trim: true }),
        rect,
    );
}
