//! Styles. With `NO_COLOR` every style keeps only modifiers (bold, reverse, underline), so focus
//! and status stay visible without colour.

use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub text: Style,
    pub dim: Style,
    pub title: Style,
    pub tab_active: Style,
    pub header: Style,
    pub header_selected: Style,
    pub row_selected: Style,
    pub col_selected: Style,
    pub number: Style,
    pub null: Style,
    pub bar: Style,
    pub error: Style,
    pub warning: Style,
    pub key: Style,
    pub border: Style,
    /// Drift charts: the reference side and the current side (told apart by position too).
    pub reference: Style,
    pub current: Style,
    /// A drifted column or dataset, and a steady one.
    pub drifted: Style,
    pub steady: Style,
}

impl Theme {
    pub fn new(no_color: bool) -> Theme {
        let plain = Style::default();
        if no_color {
            return Theme {
                text: plain,
                dim: plain,
                title: plain.add_modifier(Modifier::BOLD),
                tab_active: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
                header: plain.add_modifier(Modifier::BOLD),
                header_selected: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
                row_selected: plain.add_modifier(Modifier::REVERSED),
                col_selected: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                number: plain,
                null: plain.add_modifier(Modifier::DIM),
                bar: plain,
                error: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
                warning: plain.add_modifier(Modifier::BOLD),
                key: plain.add_modifier(Modifier::BOLD),
                border: plain,
                reference: plain,
                current: plain,
                drifted: plain.add_modifier(Modifier::BOLD),
                steady: plain,
            };
        }
        Theme {
            text: plain,
            dim: plain.fg(Color::DarkGray),
            title: plain.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            tab_active: plain
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            header: plain.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            header_selected: plain
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            row_selected: plain
                .bg(Color::Rgb(50, 50, 70))
                .add_modifier(Modifier::BOLD),
            col_selected: plain.fg(Color::Yellow),
            number: plain.fg(Color::White),
            null: plain.fg(Color::DarkGray).add_modifier(Modifier::ITALIC),
            bar: plain.fg(Color::Cyan),
            error: plain
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            warning: plain.fg(Color::Yellow),
            key: plain.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            border: plain.fg(Color::DarkGray),
            reference: plain.fg(Color::Cyan),
            current: plain.fg(Color::LightRed),
            drifted: plain.fg(Color::LightRed).add_modifier(Modifier::BOLD),
            steady: plain.fg(Color::Green),
        }
    }
}
