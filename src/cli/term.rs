//! The CLI's one way out: [`Out`] escapes every control, C1 and bidirectional character in
//! the human text that passes through it (newlines kept), so no call site can forget to;
//! JSON goes out with those characters as `\u` escapes (the same JSON value); colour is asked
//! for by name ([`Paint`]) and is the only escape sequence ever written.

use std::io::{self, Write};

use crate::pipeline::text::escape_control;

/// The colours the CLI uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paint {
    Red,
    BoldRed,
    Yellow,
    BoldYellow,
}

impl Paint {
    fn sgr(self) -> &'static str {
        match self {
            Paint::Red => "\x1b[31m",
            Paint::BoldRed => "\x1b[1;31m",
            Paint::Yellow => "\x1b[33m",
            Paint::BoldYellow => "\x1b[1;33m",
        }
    }
}

/// A writer of text for a terminal or a pipe: every command's stdout. (Messages on stderr
/// escape their untrusted parts at the call site; the JSON error goes out through
/// [`safe_json`].)
pub struct Out<W: Write> {
    inner: W,
    color: bool,
    /// The start of a character split across two writes.
    pending: Vec<u8>,
}

impl<W: Write> Out<W> {
    /// `color`: whether [`Out::paint`] colours (a terminal, no `NO_COLOR`).
    pub fn new(inner: W, color: bool) -> Out<W> {
        Out {
            inner,
            color,
            pending: Vec::new(),
        }
    }

    /// `text` in `paint`'s colour (plain without colour); the text is escaped as any other.
    pub fn paint(&mut self, paint: Paint, text: &str) -> io::Result<()> {
        if self.color {
            self.inner.write_all(paint.sgr().as_bytes())?;
        }
        self.write_all(text.as_bytes())?;
        if self.color {
            self.inner.write_all(b"\x1b[0m")?;
        }
        Ok(())
    }

    /// One JSON document on its own line.
    pub fn json(&mut self, value: &serde_json::Value) -> io::Result<()> {
        writeln!(self.inner, "{}", safe_json(value))
    }
}

impl<W: Write> Write for Out<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let text = match std::str::from_utf8(&self.pending) {
            Ok(t) => t.len(),
            // An incomplete character at the end waits for the next write; bytes that are
            // not UTF-8 at all are shown as U+FFFD.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let chunk: Vec<u8> = self.pending.drain(..text).collect();
        let chunk = String::from_utf8_lossy(&chunk);
        for (i, line) in chunk.split('\n').enumerate() {
            if i > 0 {
                self.inner.write_all(b"\n")?;
            }
            self.inner.write_all(escape_control(line).as_bytes())?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.inner
                .write_all(escape_control(&String::from_utf8_lossy(&rest)).as_bytes())?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for Out<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Standard output, locked, for one command's output.
pub fn stdout(color: bool) -> Out<io::StdoutLock<'static>> {
    Out::new(io::stdout().lock(), color)
}

/// Print a message line on stderr, every character that could act on the terminal made
/// harmless: mlwb's messages quote file names, column names and cell values. A newline in
/// them is shown escaped too, so quoted text cannot forge a line of its own. (Progress lines,
/// which move the cursor on purpose, are written apart.)
pub fn say(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{}", escape_control(text));
}

/// `eprintln!` through [`say`]: `say!("mlwb: note: {n}")`.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::term::say(&format!($($arg)*))
    };
}

/// `value` as JSON text in which no character can act on a terminal: serde_json escapes C0
/// controls already; C1 controls, DEL and the bidirectional controls become `\uXXXX` too.
pub fn safe_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if !text.chars().any(needs_json_escape) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_json_escape(c) {
            // Outside strings JSON holds no such character, so each one is in a string.
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// What serde_json leaves raw that a terminal would act on: C1 controls, DEL, bidi controls
/// (C0 controls are escaped by serde_json already).
fn needs_json_escape(c: char) -> bool {
    crate::pipeline::text::is_unsafe(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a\u{1b}]52;c;ZXZpbA==\u{7}b\u{9b}31mc\u{202e}d\u{1b}[2Je";

    #[test]
    fn text_is_escaped_and_only_asked_colour_is_raw() {
        let mut buf = Vec::new();
        {
            let mut out = Out::new(&mut buf, true);
            writeln!(out, "name: {HOSTILE}").unwrap();
            out.paint(Paint::Red, HOSTILE).unwrap();
        }
        let text = String::from_utf8(buf).unwrap();
        let raw_escapes = text.matches('\u{1b}').count();
        assert_eq!(raw_escapes, 2, "only the colour and its reset: {text:?}");
        assert!(text.starts_with("name: a\\e]52;c;ZXZpbA==\\u{7}b\\u{9b}31mc\\u{202e}d\\e[2Je\n"));
        assert!(!text.contains('\u{9b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'));
    }

    #[test]
    fn a_character_split_across_writes_is_kept_whole() {
        let mut buf = Vec::new();
        {
            let mut out = Out::new(&mut buf, false);
            let bytes = "é\u{9b}".as_bytes();
            out.write_all(&bytes[..1]).unwrap();
            out.write_all(&bytes[1..3]).unwrap();
            out.write_all(&bytes[3..]).unwrap();
        }
        assert_eq!(String::from_utf8(buf).unwrap(), "é\\u{9b}");
    }

    #[test]
    fn json_keeps_its_value_and_escapes_c1_and_bidi() {
        let value = serde_json::json!({ "column": HOSTILE });
        let text = safe_json(&value);
        assert!(text.chars().all(|c| !needs_json_escape(c)), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
