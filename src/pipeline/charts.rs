//! Charts for reports, drawn with plotters into SVG text: a drift column's reference and
//! current distributions (overlaid histograms for numbers, paired bars per value). Text is
//! placed by us (SVG anchors), so no font files are needed.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::pipeline::drift::Chart;
use crate::pipeline::error::{PipelineError, Result};
use crate::pipeline::text::{format_number, truncate};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 260;
/// Plot margins: top, bottom, left, right.
const MARGIN: (i32, i32, i32, i32) = (30, 44, 48, 12);
const REFERENCE: RGBColor = RGBColor(31, 119, 180);
const CURRENT: RGBColor = RGBColor(255, 127, 14);

fn chart_error(e: impl std::fmt::Display) -> PipelineError {
    PipelineError::Internal(format!("drawing a chart: {e}"))
}

fn label_style(size: u32, pos: Pos) -> TextStyle<'static> {
    ("sans-serif", size)
        .into_font()
        .color(&RGBColor(60, 60, 60))
        .pos(pos)
}

/// The SVG of one drift chart.
pub fn drift_svg(chart: &Chart) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let (top, bottom, left, right) = MARGIN;
        let (x0, y0) = (left, top);
        let (x1, y1) = (WIDTH as i32 - right, HEIGHT as i32 - bottom);
        match chart {
            Chart::Histogram {
                edges,
                reference,
                current,
            } => histogram(&root, (x0, y0, x1, y1), edges, reference, current)?,
            Chart::Bars {
                labels,
                reference,
                current,
            } => bars(&root, (x0, y0, x1, y1), labels, reference, current)?,
        }
        legend(&root)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

fn legend(root: &Area) -> Result<()> {
    for (i, (name, color)) in [("reference", REFERENCE), ("current", CURRENT)]
        .into_iter()
        .enumerate()
    {
        let x = MARGIN.2 + i as i32 * 110;
        root.draw(&Rectangle::new(
            [(x, 10), (x + 12, 22)],
            color.mix(0.6).filled(),
        ))
        .map_err(chart_error)?;
        root.draw(&Text::new(
            name,
            (x + 18, 16),
            label_style(13, Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(chart_error)?;
    }
    Ok(())
}

/// Axes and the share scale on the left.
fn axes(root: &Area, (x0, y0, x1, y1): (i32, i32, i32, i32), max: f64) -> Result<()> {
    let axis = RGBColor(120, 120, 120);
    root.draw(&PathElement::new(vec![(x0, y1), (x1, y1)], axis))
        .map_err(chart_error)?;
    root.draw(&PathElement::new(vec![(x0, y0), (x0, y1)], axis))
        .map_err(chart_error)?;
    for (frac, y) in [(0.0, y1), (1.0, y0)] {
        root.draw(&Text::new(
            format!("{:.0}%", max * frac * 100.0),
            (x0 - 4, y),
            label_style(11, Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(chart_error)?;
    }
    Ok(())
}

/// The largest share of either side (never 0, so it can divide).
fn largest(a: &[f64], b: &[f64]) -> f64 {
    a.iter().chain(b).copied().fold(0.0f64, f64::max).max(1e-12)
}

fn histogram(
    root: &Area,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    edges: &[f64],
    reference: &[f64],
    current: &[f64],
) -> Result<()> {
    let n = reference
        .len()
        .min(current.len())
        .min(edges.len().saturating_sub(1));
    if n == 0 {
        return Ok(());
    }
    let max = largest(&reference[..n], &current[..n]);
    let (lo, hi) = (edges[0], edges[n]);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let px = |v: f64| x0 + ((v - lo) / span * f64::from(x1 - x0)).round() as i32;
    let py = |share: f64| y1 - (share / max * f64::from(y1 - y0)).round() as i32;
    // Reference first, current over it, both translucent: where they differ shows.
    for (shares, color) in [(reference, REFERENCE), (current, CURRENT)] {
        for k in 0..n {
            if shares[k] <= 0.0 {
                continue;
            }
            root.draw(&Rectangle::new(
                [(px(edges[k]), py(shares[k])), (px(edges[k + 1]), y1)],
                color.mix(0.45).filled(),
            ))
            .map_err(chart_error)?;
        }
    }
    axes(root, (x0, y0, x1, y1), max)?;
    let ticks = [0, n / 2, n];
    for (i, &k) in ticks.iter().enumerate() {
        let h = match i {
            0 => HPos::Left,
            1 => HPos::Center,
            _ => HPos::Right,
        };
        root.draw(&Text::new(
            format_number(edges[k]),
            (px(edges[k]), y1 + 6),
            label_style(11, Pos::new(h, VPos::Top)),
        ))
        .map_err(chart_error)?;
    }
    Ok(())
}

fn bars(
    root: &Area,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    labels: &[String],
    reference: &[f64],
    current: &[f64],
) -> Result<()> {
    let n = labels.len().min(reference.len()).min(current.len());
    if n == 0 {
        return Ok(());
    }
    let max = largest(&reference[..n], &current[..n]);
    let slot = f64::from(x1 - x0) / n as f64;
    let py = |share: f64| y1 - (share / max * f64::from(y1 - y0)).round() as i32;
    let label_chars = ((slot / 6.5) as usize).clamp(3, 16);
    for k in 0..n {
        let left = x0 + (k as f64 * slot + slot * 0.1).round() as i32;
        let mid = x0 + (k as f64 * slot + slot * 0.5).round() as i32;
        let right = x0 + (k as f64 * slot + slot * 0.9).round() as i32;
        for (share, (a, b), color) in [
            (reference[k], (left, mid), REFERENCE),
            (current[k], (mid, right), CURRENT),
        ] {
            if share > 0.0 {
                root.draw(&Rectangle::new(
                    [(a, py(share)), (b, y1)],
                    color.mix(0.75).filled(),
                ))
                .map_err(chart_error)?;
            }
        }
        root.draw(&Text::new(
            truncate(&labels[k], label_chars),
            (mid, y1 + 6),
            label_style(11, Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(chart_error)?;
    }
    axes(root, (x0, y0, x1, y1), max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_kinds_of_chart_become_svg_with_their_labels_escaped() {
        let h = drift_svg(&Chart::Histogram {
            edges: vec![0.0, 1.0, 2.0],
            reference: vec![0.5, 0.5],
            current: vec![0.2, 0.8],
        })
        .unwrap();
        assert!(h.starts_with("<svg"), "{h}");
        assert_eq!(
            h.matches("<rect").count(),
            1 + 4 + 2,
            "background, 4 bins, legend"
        );
        let b = drift_svg(&Chart::Bars {
            labels: vec!["a<b & c".into(), "d".into()],
            reference: vec![0.7, 0.3],
            current: vec![0.4, 0.6],
        })
        .unwrap();
        assert!(!b.contains("a<b"), "labels must be escaped: {b}");
        assert!(b.contains("reference") && b.contains("current"));
        // Empty charts still draw (a frame and a legend), never panic.
        drift_svg(&Chart::Bars {
            labels: vec![],
            reference: vec![],
            current: vec![],
        })
        .unwrap();
    }
}
