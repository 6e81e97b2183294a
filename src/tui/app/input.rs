//! Keys typed into an open prompt or the quit question: editing, completion, history, and
//! what an entered line does.

use crossterm::event::{KeyCode, KeyEvent};

use super::{App, Edit, Effect, Overlay, PromptKind};
use crate::tui::palette;

impl App {
    /// A key typed while a prompt or the quit question is open.
    pub(super) fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        if self.overlay == Some(Overlay::ConfirmQuit) {
            return match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => self.quit_now(),
                _ => {
                    self.overlay = None;
                    Vec::new()
                }
            };
        }
        let Some(prompt) = &mut self.prompt else {
            return Vec::new();
        };
        let kind = prompt.kind;
        if key.code == KeyCode::Tab {
            let candidates = palette::completions(self, kind);
            if let Some(p) = &mut self.prompt {
                p.complete(&candidates);
            }
            return Vec::new();
        }
        let history = self.history.get(&kind).map_or(&[][..], Vec::as_slice);
        match prompt.key(key, history) {
            Edit::Editing => Vec::new(),
            Edit::Close => {
                self.prompt = None;
                Vec::new()
            }
            Edit::Submit(text) => {
                self.prompt = None;
                self.remember(kind, &text);
                // A pane's prompt answers to that pane, the active one (keys went to the
                // prompt meanwhile, so the pane has not changed).
                let outcome = match kind {
                    PromptKind::Palette => palette::run(self, text.trim()),
                    _ => self.panes.on_prompt(self.pane, kind, &text, &self.shared),
                };
                self.absorb(outcome)
            }
        }
    }

    /// Keep a line entered in a prompt for Up/Down (not twice in a row, not blank).
    fn remember(&mut self, kind: PromptKind, text: &str) {
        let text = text.trim();
        let lines = self.history.entry(kind).or_default();
        if !text.is_empty() && lines.last().is_none_or(|l| l != text) {
            lines.push(text.to_string());
        }
    }
}
