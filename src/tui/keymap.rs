//! Key bindings as data: `assets/keymap.toml` (embedded), overlaid by the user's file. The help
//! overlay and the footer hints are generated from the same table.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

use super::action::{Action, Global};
use super::panes::Pane;

/// The bundled keymap.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Where bindings apply: everywhere, or in one pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Global,
    Pane(Pane),
}

impl Context {
    /// Every context, in the keymap file's order.
    pub fn all() -> impl Iterator<Item = Context> {
        std::iter::once(Context::Global).chain(Pane::ALL.iter().map(|p| Context::Pane(*p)))
    }

    /// The keymap file's section name.
    pub fn section(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Pane(p) => p.section(),
        }
    }

    pub fn title(self) -> String {
        match self {
            Context::Global => "Everywhere".to_string(),
            Context::Pane(p) => format!("{} pane", p.title()),
        }
    }
}

/// One key combination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    /// Parse `q`, `G`, `?`, `ctrl-c`, `alt-x`, `enter`, `pagedown`, `f1`, ...
    pub fn parse(spec: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = spec;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().ok()?)
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next()?),
            _ => return None,
        };
        Some(Key { code, ctrl, alt })
    }

    /// Does a terminal key event press this key? Shift is implied by the character itself.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let alt = event.modifiers.contains(KeyModifiers::ALT);
        let code = match (event.code, self.code) {
            // Some terminals report Shift-Tab as Tab with SHIFT.
            (KeyCode::Tab, KeyCode::BackTab) if event.modifiers.contains(KeyModifiers::SHIFT) => {
                KeyCode::BackTab
            }
            (c, _) => c,
        };
        code == self.code && ctrl == self.ctrl && alt == self.alt
    }
}

/// A binding: keys, the action they trigger, and how help describes it.
#[derive(Clone, Debug)]
pub struct Binding {
    pub context: Context,
    pub action: Action,
    pub keys: Vec<String>,
    pub parsed: Vec<Key>,
    pub help: String,
    pub hint: Option<String>,
    /// The hint is shown only when the footer has room for every other hint first.
    pub hint_wide: bool,
}

/// One footer hint: its keys (`h/l`), its label, and whether it waits for a wide footer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    pub label: String,
    pub wide: bool,
    /// A global key's hint (quit, help), kept before the pane's when room is short.
    pub global: bool,
}

impl Hint {
    /// Its width in the footer, with the gap after it.
    pub fn width(&self) -> usize {
        use unicode_width::UnicodeWidthStr;
        self.keys.width() + 1 + self.label.width() + 2
    }
}

#[derive(Deserialize)]
struct Entry {
    action: String,
    keys: Vec<String>,
    help: Option<String>,
    hint: Option<String>,
    /// A hint shown only when the footer is wide enough for all the others.
    wide_hint: Option<String>,
}

/// A keymap file: a list of entries per section (`[[global]]`, `[[data]]`, ...).
type File = std::collections::BTreeMap<String, Vec<Entry>>;

/// The resolved key table.
#[derive(Clone, Debug)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Keymap {
    /// The bundled keymap, which is known to parse (a test checks it).
    pub fn bundled() -> Keymap {
        Keymap::parse(DEFAULT_KEYMAP).unwrap_or(Keymap {
            bindings: Vec::new(),
        })
    }

    /// Parse a keymap file's text.
    pub fn parse(text: &str) -> Result<Keymap, String> {
        match Keymap::parse_entries(text)? {
            (map, problems) if problems.is_empty() => Ok(map),
            (_, problems) => Err(problems.join("; ")),
        }
    }

    /// The bindings of a keymap file, and what is wrong with the entries left out (an
    /// unknown action or key costs that entry, not the file).
    fn parse_entries(text: &str) -> Result<(Keymap, Vec<String>), String> {
        let mut file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut bindings = Vec::new();
        let mut problems = Vec::new();
        for context in Context::all() {
            for e in file.remove(context.section()).unwrap_or_default() {
                match binding(context, e) {
                    Ok(b) => bindings.push(b),
                    Err(p) => problems.push(p),
                }
            }
        }
        let sections: Vec<&str> = Context::all().map(Context::section).collect();
        for unknown in file.keys() {
            problems.push(format!(
                "unknown section [{unknown}] (the sections are {})",
                sections.join(", ")
            ));
        }
        Ok((Keymap { bindings }, problems))
    }

    /// The bundled keymap overlaid with the user's file, if it exists. Problems with the
    /// user's file are returned as a message, and the bundled keymap is used.
    pub fn load(user_file: Option<&Path>) -> (Keymap, Option<String>) {
        let mut map = Keymap::bundled();
        let Some(path) = user_file.filter(|p| p.exists()) else {
            return (map, None);
        };
        let overlay = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| Keymap::parse_entries(&t));
        match overlay {
            Ok((user, problems)) => {
                for b in user.bindings {
                    match map
                        .bindings
                        .iter_mut()
                        .find(|x| x.context == b.context && x.action == b.action)
                    {
                        Some(existing) => {
                            existing.keys = b.keys;
                            existing.parsed = b.parsed;
                        }
                        None => map.bindings.push(b),
                    }
                }
                let skipped = (!problems.is_empty()).then(|| {
                    format!(
                        "{}: {}; those entries are left out, the others apply",
                        path.display(),
                        problems.join("; ")
                    )
                });
                (map, skipped)
            }
            Err(e) => (
                map,
                Some(format!("{}: {e}; using the default keys", path.display())),
            ),
        }
    }

    /// The action a key press triggers in `context` (pane bindings win over global ones).
    pub fn action(&self, context: Context, event: &KeyEvent) -> Option<Action> {
        let find = |ctx: Context| {
            self.bindings
                .iter()
                .filter(|b| b.context == ctx)
                .find(|b| b.parsed.iter().any(|k| k.matches(event)))
                .map(|b| b.action.clone())
        };
        if context != Context::Global
            && let Some(a) = find(context)
        {
            return Some(a);
        }
        find(Context::Global)
    }

    /// The first key bound to `action` anywhere, as help shows it (`?`, `L`).
    pub fn key_for(&self, action: &Action) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| b.action == *action)
            .map(|b| display_keys(&b.keys[..1]))
    }

    /// Bindings of one context, in file order.
    pub fn in_context(&self, context: Context) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.context == context)
    }

    /// The footer's hints in `context`: the pane's, then the global ones, in file order.
    /// Neighbouring bindings with the same label share one hint (`h/l col`).
    pub fn hints(&self, context: Context) -> Vec<Hint> {
        let mut hints: Vec<Hint> = Vec::new();
        let bindings = self
            .in_context(context)
            .chain(self.in_context(Context::Global));
        for b in bindings {
            let Some(label) = &b.hint else { continue };
            let keys = display_keys(&b.keys[..1]);
            let hint = Hint {
                keys,
                label: label.clone(),
                wide: b.hint_wide,
                global: b.context == Context::Global,
            };
            match hints.last_mut() {
                Some(last)
                    if (&last.label, last.wide, last.global)
                        == (&hint.label, hint.wide, hint.global) =>
                {
                    last.keys = format!("{}/{}", last.keys, hint.keys);
                }
                _ => hints.push(hint),
            }
        }
        hints
    }

    /// The hints that fit in `width` columns, in their order: the global ones are kept
    /// first (quit and help are always there), then the pane's main ones, then the ones that
    /// wait for a wide footer; a hint is shown whole or not at all.
    pub fn fitted_hints(&self, context: Context, width: usize) -> Vec<Hint> {
        let hints = self.hints(context);
        let mut keep = vec![false; hints.len()];
        let mut used = 0;
        let order = hints
            .iter()
            .enumerate()
            .filter(|(_, h)| h.global && !h.wide)
            .chain(hints.iter().enumerate().filter(|(_, h)| !h.wide))
            .chain(hints.iter().enumerate().filter(|(_, h)| h.wide));
        let mut all_main = true;
        for (i, h) in order {
            if keep[i] || (h.wide && !all_main) {
                continue;
            }
            if used + h.width() <= width {
                keep[i] = true;
                used += h.width();
            } else {
                all_main &= h.wide;
            }
        }
        hints
            .into_iter()
            .zip(keep)
            .filter_map(|(h, k)| k.then_some(h))
            .collect()
    }
}

/// The action `name` means in `context`: the section's action type, deserialised; a pane's
/// section may also bind a global action (it then applies in that pane only).
fn parse_action(context: Context, name: &str) -> Option<Action> {
    let global = || named::<Global>(name).map(Action::Global);
    match context {
        Context::Global => global(),
        Context::Pane(p) => p.action(name).or_else(global),
    }
}

/// `name` read as a `T` (an action enum's snake_case name).
pub fn named<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    use serde::de::IntoDeserializer;
    let de: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
        name.into_deserializer();
    T::deserialize(de).ok()
}

fn binding(context: Context, e: Entry) -> Result<Binding, String> {
    let action = parse_action(context, &e.action)
        .ok_or_else(|| format!("unknown action '{}' in [{}]", e.action, context.section()))?;
    if e.keys.is_empty() {
        return Err(format!(
            "no keys for '{}' in [{}]",
            e.action,
            context.section()
        ));
    }
    let parsed = e
        .keys
        .iter()
        .map(|k| Key::parse(k).ok_or_else(|| format!("unknown key '{k}' for '{}'", e.action)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Binding {
        context,
        action,
        keys: e.keys,
        parsed,
        help: e.help.unwrap_or_default(),
        hint_wide: e.hint.is_none() && e.wide_hint.is_some(),
        hint: e.hint.or(e.wide_hint),
    })
}

/// Keys as people write them: `ctrl-d` -> `Ctrl-d`, `backtab` -> `Shift-Tab`.
pub fn display_keys(keys: &[String]) -> String {
    keys.iter()
        .map(|k| {
            let mut s = k.replace("ctrl-", "Ctrl-").replace("alt-", "Alt-");
            for (from, to) in [
                ("backtab", "Shift-Tab"),
                ("tab", "Tab"),
                ("enter", "Enter"),
                ("esc", "Esc"),
                ("pagedown", "PgDn"),
                ("pageup", "PgUp"),
                ("home", "Home"),
                ("end", "End"),
                ("down", "↓"),
                ("up", "↑"),
                ("left", "←"),
                ("right", "→"),
                ("f1", "F1"),
                ("space", "Space"),
            ] {
                if s.ends_with(from) && s.len() > 1 {
                    s = format!("{}{to}", &s[..s.len() - from.len()]);
                    break;
                }
            }
            s
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The key table as Markdown, for the README (a test checks the README holds it).
pub fn markdown_table(map: &Keymap) -> String {
    let mut out = String::new();
    for context in Context::all() {
        out.push_str(&format!(
            "**{}**\n\n| key | action |\n|---|---|\n",
            context.title()
        ));
        for b in map.in_context(context) {
            let keys = display_keys(&b.keys).replace('|', "\\|");
            out.push_str(&format!("| `{keys}` | {} |\n", b.help.replace('|', "\\|")));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::tui::action::{Nav, PaneNumber};
    use crate::tui::panes::data::DataAction;
    use crate::tui::panes::features::FeaturesAction;

    fn down() -> Option<Action> {
        Some(DataAction::Nav(Nav::Down).into())
    }

    #[test]
    fn bundled_keymap_parses_and_resolves() {
        let map = Keymap::parse(DEFAULT_KEYMAP).unwrap();
        let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(map.action(Context::Pane(Pane::Data), &j), down());
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(
            map.action(Context::Pane(Pane::Data), &q),
            Some(Global::Quit.into())
        );
        let cc = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            map.action(Context::Pane(Pane::Data), &cc),
            Some(Global::ForceQuit.into())
        );
        let big_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(
            map.action(Context::Pane(Pane::Data), &big_g),
            Some(DataAction::Nav(Nav::Bottom).into())
        );
        let three = KeyEvent::new(KeyCode::Char('3'), KeyModifiers::NONE);
        assert_eq!(
            map.action(Context::Pane(Pane::Drift), &three),
            Some(Global::GotoPane(PaneNumber(2)).into())
        );
        let s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE);
        assert_eq!(
            map.action(Context::Pane(Pane::Data), &s),
            Some(DataAction::Sort.into())
        );
        assert_eq!(
            map.action(Context::Pane(Pane::Features), &s),
            Some(FeaturesAction::CycleScale.into())
        );
    }

    #[test]
    fn an_action_of_another_section_is_unknown() {
        let err = Keymap::parse("[[data]]\naction = \"run_drift\"\nkeys = [\"x\"]\n").unwrap_err();
        assert!(
            err.contains("unknown action 'run_drift' in [data]"),
            "{err}"
        );
        assert!(Keymap::parse("[[global]]\naction = \"pane_0\"\nkeys = [\"x\"]\n").is_err());
    }

    #[test]
    fn the_footer_fits_whole_hints_keeping_quit_and_help_and_grows_with_the_width() {
        let map = Keymap::bundled();
        let data = Context::Pane(Pane::Data);
        let labels = |w: usize| -> Vec<String> {
            let hints = map.fitted_hints(data, w);
            let used: usize = hints.iter().map(Hint::width).sum();
            assert!(used <= w, "{used} > {w}");
            hints
                .into_iter()
                .map(|h| format!("{} {}", h.keys, h.label))
                .collect()
        };
        // Neighbours with one label share a hint.
        assert!(labels(200).contains(&"h/l col".to_string()));
        // Narrow: the global hints first, then as many of the pane's as fit.
        let narrow = labels(40);
        assert!(narrow.contains(&"? help".to_string()) && narrow.contains(&"q quit".to_string()));
        assert!(!narrow.contains(&"Enter profile".to_string()));
        // A wide hint only once every main hint is there.
        let all_main = map.hints(data).iter().filter(|h| !h.wide).count();
        for w in [40, 60, 80, 120, 200] {
            let got = map.fitted_hints(data, w);
            if got.iter().any(|h| h.wide) {
                assert_eq!(got.iter().filter(|h| !h.wide).count(), all_main, "at {w}");
            }
        }
        assert!(labels(80).len() < labels(200).len());
    }

    #[test]
    fn an_entry_without_keys_is_refused() {
        let err =
            Keymap::parse("[[data]]\naction = \"sort\"\nkeys = []\nhint = \"s\"\n").unwrap_err();
        assert!(err.contains("no keys for 'sort' in [data]"), "{err}");
    }

    #[test]
    fn a_section_that_is_no_pane_is_refused_and_named() {
        let err = Keymap::parse("[[compare]]\naction = \"down\"\nkeys = [\"x\"]\n").unwrap_err();
        assert!(err.contains("unknown section [compare]"), "{err}");
        assert!(
            err.contains("global, data, features, train, drift"),
            "{err}"
        );
    }

    #[test]
    fn no_key_is_bound_twice_where_it_applies() {
        let map = Keymap::bundled();
        // A pane's keys and the global keys are active together, so they must not collide.
        for ctx in Pane::ALL.iter().map(|p| Context::Pane(*p)) {
            let mut seen = std::collections::HashSet::new();
            for b in map.in_context(ctx).chain(map.in_context(Context::Global)) {
                for k in &b.keys {
                    assert!(
                        seen.insert(k.clone()),
                        "{k} bound twice in {ctx:?} + global"
                    );
                }
            }
        }
    }

    #[test]
    fn user_overlay_replaces_keys_and_reports_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keymap.toml");
        std::fs::write(&path, "[[data]]\naction = \"down\"\nkeys = [\"n\"]\n").unwrap();
        let (map, err) = Keymap::load(Some(&path));
        assert!(err.is_none());
        let n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE);
        assert_eq!(map.action(Context::Pane(Pane::Data), &n), down());
        // A bad entry costs that entry only; a global action may be bound in a pane's section
        // (keymaps written when `]` belonged to the Data pane still load).
        std::fs::write(
            &path,
            "[[data]]\naction = \"fly\"\nkeys = [\"n\"]\n\n\
             [[data]]\naction = \"next_dataset\"\nkeys = [\"N\"]\n",
        )
        .unwrap();
        let (map, err) = Keymap::load(Some(&path));
        assert!(err.unwrap().contains("unknown action 'fly'"));
        let big_n = KeyEvent::new(KeyCode::Char('N'), KeyModifiers::SHIFT);
        assert_eq!(
            map.action(Context::Pane(Pane::Data), &big_n),
            Some(Global::NextDataset.into())
        );
    }
}
