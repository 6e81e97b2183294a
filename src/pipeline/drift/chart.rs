//! The charts a column's drift is drawn with: histograms of shares and bars per value.

use super::*;

/// Bars per value: categories beyond [`CHART_CATEGORIES`] keep the most common (by pooled
/// share) and pool the rest; numbers (`categories == false`) stay in value order, pooled only
/// beyond twice as many.
pub(super) fn bars(labels: &[String], a: &[f64], b: &[f64], categories: bool) -> Chart {
    let (pa, pb) = (measures::shares(a), measures::shares(b));
    let mut order: Vec<usize> = (0..labels.len()).collect();
    let limit = if categories {
        CHART_CATEGORIES
    } else {
        2 * CHART_CATEGORIES
    };
    if labels.len() > limit {
        order.sort_by(|&i, &j| (pa[j] + pb[j]).total_cmp(&(pa[i] + pb[i])).then(i.cmp(&j)));
        if !categories {
            order[..limit].sort_unstable();
        }
    }
    let keep = order.len().min(limit);
    let mut chart_labels: Vec<String> = order[..keep].iter().map(|&i| labels[i].clone()).collect();
    let mut reference: Vec<f64> = order[..keep].iter().map(|&i| pa[i]).collect();
    let mut current: Vec<f64> = order[..keep].iter().map(|&i| pb[i]).collect();
    if order.len() > keep {
        let rest = &order[keep..];
        chart_labels.push(format!("({} others)", format_count(rest.len() as u64)));
        reference.push(rest.iter().map(|&i| pa[i]).sum());
        current.push(rest.iter().map(|&i| pb[i]).sum());
    }
    Chart::Bars {
        labels: chart_labels,
        reference,
        current,
    }
}
