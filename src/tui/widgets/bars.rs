//! Bar charts drawn straight into the buffer: a vertical histogram with eighth-block tops,
//! horizontal bars for top values, and their paired (reference vs current) forms for drift. All
//! scale to any area, including zero-sized ones.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

const EIGHTHS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
const LEFT_EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/// Eighths of `cells` that `value / max` fills: at least one for any value above 0.
fn eighths(value: f64, max: f64, cells: usize) -> usize {
    if value <= 0.0 || max <= 0.0 {
        return 0;
    }
    ((value / max * cells as f64 * 8.0).round() as usize).max(1)
}

/// A vertical bar `eighths` tall (rising from the bottom of `plot_h` rows) over the columns
/// `xs` of `area`, clipped to the area.
fn column(
    buf: &mut Buffer,
    area: Rect,
    plot_h: u16,
    xs: std::ops::Range<usize>,
    eighths: usize,
    style: Style,
) {
    for row in 0..plot_h {
        let level = eighths.saturating_sub(usize::from(row) * 8).min(8);
        if level == 0 {
            continue;
        }
        let y = area.y + plot_h - 1 - row;
        for x in xs.clone().filter(|&x| x < area.width as usize) {
            buf[(area.x + x as u16, y)]
                .set_symbol(EIGHTHS[level])
                .set_style(style);
        }
    }
}

/// A horizontal bar `eighths` long, in full blocks and a left-eighth block.
fn hbar(eighths: usize) -> String {
    let mut bar = "█".repeat(eighths / 8);
    bar.push_str(LEFT_EIGHTHS[eighths % 8]);
    bar
}

/// Axis labels on row `y`: `left` at the start, `right` ending at column `end` when both fit.
fn axis_labels(
    buf: &mut Buffer,
    area: Rect,
    y: u16,
    left: &str,
    right: &str,
    end: usize,
    style: Style,
) {
    buf.set_stringn(area.x, y, left, area.width as usize, style);
    let rw = right.width();
    let end = end.max(rw);
    if rw + left.width() < end {
        buf.set_stringn(area.x + (end - rw) as u16, y, right, rw, style);
    }
}

/// A vertical histogram: one bar per bin, bins merged when there are more than columns.
pub struct Histogram<'a> {
    pub counts: &'a [u64],
    /// Labels under the left and right ends of the axis.
    pub left: String,
    pub right: String,
    pub style: Style,
    pub label_style: Style,
}

impl Widget for Histogram<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height < 2 || self.counts.is_empty() {
            return;
        }
        let plot_h = area.height - 1;
        let width = area.width as usize;
        // Merge bins so that they fit, then give each bin an equal share of the columns.
        let group = self.counts.len().div_ceil(width).max(1);
        let bins: Vec<u64> = self.counts.chunks(group).map(|c| c.iter().sum()).collect();
        let max = bins.iter().copied().max().unwrap_or(0).max(1) as f64;
        // Equal widths for every bar, with a one-cell gap when there is room for it.
        let per = (width / bins.len()).max(1);
        let bar_w = if per >= 3 { per - 1 } else { per };
        let used = (per * bins.len()).min(width);
        for (i, &count) in bins.iter().enumerate() {
            let tall = eighths(count as f64, max, usize::from(plot_h));
            column(
                buf,
                area,
                plot_h,
                i * per..i * per + bar_w,
                tall,
                self.style,
            );
        }
        // Axis labels under the first and the last bar.
        let end = used.saturating_sub(if per >= 3 { 1 } else { 0 });
        let y = area.y + plot_h;
        axis_labels(buf, area, y, &self.left, &self.right, end, self.label_style);
    }
}

/// Horizontal bars: `label ████ count`, one row each, longest first as given.
pub struct HBars<'a> {
    pub items: &'a [(String, u64)],
    pub style: Style,
    pub label_style: Style,
}

impl Widget for HBars<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width < 4 || area.height == 0 || self.items.is_empty() {
            return;
        }
        let width = area.width as usize;
        let counts: Vec<String> = self
            .items
            .iter()
            .map(|(_, c)| crate::pipeline::text::format_count(*c))
            .collect();
        let count_w = counts.iter().map(|c| c.len()).max().unwrap_or(1);
        let label_w = self
            .items
            .iter()
            .map(|(l, _)| l.width())
            .max()
            .unwrap_or(1)
            .min(width / 3)
            .max(1);
        if count_w + 2 > width {
            return;
        }
        let bar_space = width.saturating_sub(label_w + count_w + 2);
        let max = self.items.iter().map(|(_, c)| *c).max().unwrap_or(1).max(1);
        for (i, ((label, count), count_text)) in self.items.iter().zip(&counts).enumerate() {
            if i >= area.height as usize {
                break;
            }
            let y = area.y + i as u16;
            buf.set_stringn(area.x, y, label, label_w, self.label_style);
            let bar = hbar(eighths(*count as f64, max as f64, bar_space));
            let bx = area.x + label_w as u16 + 1;
            buf.set_stringn(bx, y, &bar, bar_space, self.style);
            let cx = area.x + (width - count_w) as u16;
            buf.set_stringn(
                cx,
                y,
                format!("{count_text:>count_w$}"),
                count_w,
                self.label_style,
            );
        }
    }
}

/// Two distributions over the same bins, drawn as a pair of vertical bars per bin: reference
/// on the left, current on the right (position tells them apart, colour only helps). Shares are
/// scaled to the largest of either side; bins are merged when they do not fit.
pub struct PairedHistogram<'a> {
    pub reference: &'a [f64],
    pub current: &'a [f64],
    pub left: String,
    pub right: String,
    pub reference_style: Style,
    pub current_style: Style,
    pub label_style: Style,
}

impl Widget for PairedHistogram<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let n = self.reference.len().min(self.current.len());
        if area.width < 2 || area.height < 2 || n == 0 {
            return;
        }
        let plot_h = area.height - 1;
        let width = area.width as usize;
        // Each bin takes two equal bars and a gap when it can; bins merge when they do not fit.
        let group = n.div_ceil(width / 2).max(1);
        let merge =
            |v: &[f64]| -> Vec<f64> { v[..n].chunks(group).map(|c| c.iter().sum()).collect() };
        let (r, c) = (merge(self.reference), merge(self.current));
        let max = r.iter().chain(&c).copied().fold(0.0f64, f64::max);
        let max = if max > 0.0 { max } else { 1.0 };
        let per = (width / r.len()).max(2);
        let bar_w = if per >= 3 { (per - 1) / 2 } else { 1 };
        let rows = usize::from(plot_h);
        for (i, (&a, &b)) in r.iter().zip(&c).enumerate() {
            let x0 = i * per;
            let (ra, cb) = (eighths(a, max, rows), eighths(b, max, rows));
            column(buf, area, plot_h, x0..x0 + bar_w, ra, self.reference_style);
            column(
                buf,
                area,
                plot_h,
                x0 + bar_w..x0 + 2 * bar_w,
                cb,
                self.current_style,
            );
        }
        let used = (r.len() * per).min(width);
        let y = area.y + plot_h;
        axis_labels(
            buf,
            area,
            y,
            &self.left,
            &self.right,
            used,
            self.label_style,
        );
    }
}

/// One row per value: `label  ▕ref bar  ▕cur bar  12.5% → 30.0%`, each side's bar in its own
/// half, scaled to the largest share of either side.
pub struct PairedBars<'a> {
    pub items: &'a [(String, f64, f64)],
    pub reference_style: Style,
    pub current_style: Style,
    pub label_style: Style,
}

impl Widget for PairedBars<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width < 12 || area.height == 0 || self.items.is_empty() {
            return;
        }
        let width = area.width as usize;
        let shares: Vec<String> = self
            .items
            .iter()
            .map(|(_, a, b)| format!("{:.1}% → {:.1}%", a * 100.0, b * 100.0))
            .collect();
        let share_w = shares.iter().map(|s| s.width()).max().unwrap_or(0);
        let label_w = self
            .items
            .iter()
            .map(|(l, _, _)| l.width())
            .max()
            .unwrap_or(1)
            .min(width / 4)
            .max(1);
        let show_shares = label_w + share_w + 8 <= width;
        let bars_w = width
            .saturating_sub(label_w + 1 + if show_shares { share_w + 1 } else { 0 })
            .max(2);
        let half = bars_w / 2;
        let max = self
            .items
            .iter()
            .flat_map(|(_, a, b)| [*a, *b])
            .fold(0.0f64, f64::max);
        let max = if max > 0.0 { max } else { 1.0 };
        let bar = |share: f64, space: usize| hbar(eighths(share, max, space.saturating_sub(1)));
        for (i, ((label, a, b), share)) in self.items.iter().zip(&shares).enumerate() {
            if i >= area.height as usize {
                break;
            }
            let y = area.y + i as u16;
            let cut = crate::pipeline::text::truncate(label, label_w);
            buf.set_stringn(area.x, y, &*cut, label_w, self.label_style);
            let x0 = area.x + label_w as u16 + 1;
            buf.set_stringn(x0, y, bar(*a, half), half, self.reference_style);
            buf.set_stringn(x0 + half as u16, y, bar(*b, half), half, self.current_style);
            if show_shares {
                let sx = area.x + (width - share_w) as u16;
                buf.set_stringn(
                    sx,
                    y,
                    format!("{share:>share_w$}"),
                    share_w,
                    self.label_style,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_any_area_without_panicking() {
        let counts = [1, 5, 0, 9, 3];
        for (w, h) in [(0, 0), (1, 1), (3, 2), (5, 3), (8, 3), (40, 10), (200, 3)] {
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            Histogram {
                counts: &counts,
                left: "0".into(),
                right: "9".into(),
                style: Style::default(),
                label_style: Style::default(),
            }
            .render(area, &mut buf);
            let items = vec![("a".to_string(), 3_000_000), ("bb".to_string(), 1)];
            HBars {
                items: &items,
                style: Style::default(),
                label_style: Style::default(),
            }
            .render(area, &mut buf);
            PairedHistogram {
                reference: &[0.1, 0.5, 0.4],
                current: &[0.3, 0.3, 0.4],
                left: "0".into(),
                right: "9".into(),
                reference_style: Style::default(),
                current_style: Style::default(),
                label_style: Style::default(),
            }
            .render(area, &mut buf);
            let pairs = vec![
                ("a".to_string(), 0.25, 0.5),
                ("long label".to_string(), 0.0, 0.1),
            ];
            PairedBars {
                items: &pairs,
                reference_style: Style::default(),
                current_style: Style::default(),
                label_style: Style::default(),
            }
            .render(area, &mut buf);
        }
    }

    #[test]
    fn tallest_bin_fills_the_plot() {
        let area = Rect::new(0, 0, 4, 3);
        let mut buf = Buffer::empty(area);
        Histogram {
            counts: &[1, 2],
            left: String::new(),
            right: String::new(),
            style: Style::default(),
            label_style: Style::default(),
        }
        .render(area, &mut buf);
        assert_eq!(buf[(2, 0)].symbol(), "█");
        assert_eq!(buf[(0, 1)].symbol(), "█");
        assert_eq!(buf[(0, 0)].symbol(), " ");
    }
}
