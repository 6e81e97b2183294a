//! The one-line prompts (palette, filter, spec file names): a small line editor with a cursor,
//! word and line deletion, a pre-filled value that the first typed character replaces, and
//! history on Up/Down.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What an open prompt is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PromptKind {
    Palette,
    Filter,
    SaveSpec,
    OpenSpec,
}

/// A one-line text prompt in the status line.
#[derive(Clone, Debug, PartialEq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
    /// The cursor, as a char index into `text`.
    pub cursor: usize,
    /// The text is a suggestion: the first typed character replaces it.
    pub prefilled: bool,
    /// Position while walking the history (None: the line being typed).
    pub history_at: Option<usize>,
}

/// What a key did to a prompt.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// The text or cursor changed (or nothing happened).
    Editing,
    /// Enter: the line is done.
    Submit(String),
    /// Esc, or Backspace on an empty line.
    Close,
}

impl Prompt {
    /// A prompt of `kind` showing `text`; a non-empty `text` is a suggestion.
    pub fn new(kind: PromptKind, text: &str) -> Prompt {
        Prompt {
            kind,
            text: text.to_string(),
            cursor: text.chars().count(),
            prefilled: !text.is_empty(),
            history_at: None,
        }
    }

    /// The text before and after the cursor.
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.byte_at(self.cursor))
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    fn set(&mut self, text: String) {
        self.text = text;
        self.cursor = self.len();
    }

    /// Apply one key; `history` holds earlier lines of this prompt's kind, oldest first.
    pub fn key(&mut self, key: KeyEvent, history: &[String]) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let prefilled = std::mem::replace(&mut self.prefilled, false);
        match key.code {
            KeyCode::Esc => return Edit::Close,
            KeyCode::Enter => return Edit::Submit(self.text.clone()),
            KeyCode::Backspace if self.text.is_empty() => return Edit::Close,
            KeyCode::Backspace if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
            }
            KeyCode::Delete if self.cursor < self.len() => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.len(),
            KeyCode::Char('u') if ctrl => {
                let rest = self.split().1.to_string();
                self.text = rest;
                self.cursor = 0;
            }
            KeyCode::Char('k') if ctrl => {
                let at = self.byte_at(self.cursor);
                self.text.truncate(at);
            }
            KeyCode::Char('w') if ctrl => self.delete_word(),
            KeyCode::Up => self.walk_history(history, true),
            KeyCode::Down => self.walk_history(history, false),
            KeyCode::Char(c) if !ctrl => {
                if prefilled {
                    self.set(String::new());
                }
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            _ => self.prefilled = prefilled,
        }
        Edit::Editing
    }

    /// Tab: complete the word before the cursor from `candidates`, as far as those that
    /// start with it agree.
    pub fn complete(&mut self, candidates: &[String]) {
        self.prefilled = false;
        let (before, after) = self.split();
        let start = after_last(before, char::is_whitespace);
        let word = &before[start..];
        let mut matching = candidates.iter().filter(|c| c.starts_with(word));
        let Some(first) = matching.next() else {
            return;
        };
        let common = matching.fold(first.as_str(), |acc, c| common_prefix(acc, c));
        if common.len() <= word.len() {
            return;
        }
        let completed = format!("{}{common}", &before[..start]);
        let text = format!("{completed}{after}");
        self.cursor = completed.chars().count();
        self.text = text;
    }

    /// Ctrl-W: delete the word before the cursor (and the spaces after it).
    fn delete_word(&mut self) {
        let (before, after) = self.split();
        // The word, and the spaces or slashes that end it (`~/data/` loses `data/`).
        let kept = before.trim_end_matches(|c: char| c.is_whitespace() || c == '/');
        let kept = &kept[..after_last(kept, |c| c.is_whitespace() || c == '/')];
        let cursor = kept.chars().count();
        self.text = format!("{kept}{after}");
        self.cursor = cursor;
    }

    fn walk_history(&mut self, history: &[String], back: bool) {
        if history.is_empty() {
            return;
        }
        let next = match (self.history_at, back) {
            (None, true) => Some(history.len() - 1),
            (None, false) => None,
            (Some(i), true) => Some(i.saturating_sub(1)),
            (Some(i), false) if i + 1 < history.len() => Some(i + 1),
            (Some(_), false) => None,
        };
        self.history_at = next;
        self.set(next.map(|i| history[i].clone()).unwrap_or_default());
    }
}

/// Paths typed in prompts: `~/x` -> `$HOME/x`.
pub fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// The byte index just after the last character of `s` matching `is_end` (0 when none
/// does), on a character boundary however wide that character is.
fn after_last(s: &str, is_end: impl Fn(char) -> bool) -> usize {
    s.char_indices()
        .rev()
        .find(|(_, c)| is_end(*c))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// The longest common start of `a` and `b`, on a character boundary.
fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let end = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or_else(|| a.len().min(b.len()), |((i, _), _)| i);
    &a[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(p: &mut Prompt, codes: &[KeyCode]) {
        for c in codes {
            p.key(KeyEvent::new(*c, KeyModifiers::NONE), &[]);
        }
    }

    fn ctrl(p: &mut Prompt, c: char) {
        p.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL), &[]);
    }

    #[test]
    fn a_suggestion_is_replaced_by_typing_and_kept_by_moving() {
        let mut p = Prompt::new(PromptKind::SaveSpec, "penguins.features.toml");
        keys(&mut p, &[KeyCode::Char('x')]);
        assert_eq!(p.text, "x");
        let mut p = Prompt::new(PromptKind::SaveSpec, "penguins.features.toml");
        keys(&mut p, &[KeyCode::Left, KeyCode::Left, KeyCode::Char('X')]);
        assert_eq!(p.text, "penguins.features.toXml");
    }

    #[test]
    fn cursor_moves_and_deletes_words_and_lines() {
        let mut p = Prompt::new(PromptKind::Palette, "");
        for c in "sort body mass".chars() {
            keys(&mut p, &[KeyCode::Char(c)]);
        }
        ctrl(&mut p, 'w');
        assert_eq!((p.text.as_str(), p.cursor), ("sort body ", 10));
        keys(&mut p, &[KeyCode::Home, KeyCode::Delete]);
        assert_eq!(p.text, "ort body ");
        keys(&mut p, &[KeyCode::End, KeyCode::Backspace]);
        assert_eq!(p.text, "ort body");
        keys(
            &mut p,
            &[KeyCode::Left, KeyCode::Left, KeyCode::Left, KeyCode::Left],
        );
        ctrl(&mut p, 'u');
        assert_eq!((p.text.as_str(), p.cursor), ("body", 0));
        ctrl(&mut p, 'e');
        keys(&mut p, &[KeyCode::Char('é')]);
        assert_eq!(p.split(), ("bodyé", ""));
    }

    #[test]
    fn tab_completes_as_far_as_the_candidates_agree() {
        let names = ["bill_length_mm", "bill_depth_mm", "body_mass_g"].map(String::from);
        let mut p = Prompt::new(PromptKind::Palette, "");
        for c in "sort bi".chars() {
            keys(&mut p, &[KeyCode::Char(c)]);
        }
        p.complete(&names);
        assert_eq!(p.text, "sort bill_");
        keys(&mut p, &[KeyCode::Char('d')]);
        p.complete(&names);
        assert_eq!((p.text.as_str(), p.cursor), ("sort bill_depth_mm", 18));
        p.complete(&["x".to_string()]);
        assert_eq!(p.text, "sort bill_depth_mm");
    }

    /// A no-break space (Option-Space on a Mac) is whitespace of two bytes: Tab and Ctrl-W
    /// must cut after it, not inside it.
    #[test]
    fn wide_whitespace_and_slashes_are_cut_on_character_boundaries() {
        let mut p = Prompt::new(PromptKind::Palette, "");
        for c in "sort\u{a0}bi".chars() {
            keys(&mut p, &[KeyCode::Char(c)]);
        }
        p.complete(&["bill_depth_mm".to_string()]);
        assert_eq!(p.text, "sort\u{a0}bill_depth_mm");
        ctrl(&mut p, 'w');
        assert_eq!(p.text, "sort\u{a0}");
        let mut p = Prompt::new(PromptKind::OpenSpec, "");
        for c in "~/data/".chars() {
            keys(&mut p, &[KeyCode::Char(c)]);
        }
        ctrl(&mut p, 'w');
        assert_eq!(p.text, "~/");
    }

    #[test]
    fn history_walks_back_and_forth() {
        let history = vec!["open a.csv".to_string(), "train".to_string()];
        let mut p = Prompt::new(PromptKind::Palette, "");
        let up = KeyEvent::new(KeyCode::Up, KeyModifiers::NONE);
        let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
        p.key(up, &history);
        assert_eq!(p.text, "train");
        p.key(up, &history);
        p.key(up, &history);
        assert_eq!(p.text, "open a.csv");
        p.key(down, &history);
        assert_eq!(p.text, "train");
        p.key(down, &history);
        assert_eq!(p.text, "");
        assert_eq!(
            p.key(
                KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE),
                &history
            ),
            Edit::Close
        );
    }
}
