//! Validation splits, seeded: a shuffled holdout and k folds, both stratified by class when a
//! class per row is given (each class is shuffled and dealt out on its own, so every split
//! keeps the class shares). Row lists come back ascending.

use super::rng::Rng;
use crate::pipeline::{PipelineError, Result};

/// Rows of each class (or all rows as one stratum), shuffled.
fn strata(n: usize, classes: Option<&[u32]>, rng: &mut Rng) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = match classes {
        Some(y) => {
            let k = y.iter().max().map_or(0, |&m| m as usize + 1);
            let mut g = vec![Vec::new(); k];
            for (i, &c) in y.iter().enumerate() {
                g[c as usize].push(i);
            }
            g.retain(|v| !v.is_empty());
            g
        }
        None => vec![(0..n).collect()],
    };
    for g in &mut groups {
        rng.shuffle(g);
    }
    groups
}

/// (train, test) rows: `test_fraction` of each class to test, at least one row of every class
/// with two or more rows; a class with a single row stays in training.
pub fn holdout(
    n: usize,
    classes: Option<&[u32]>,
    test_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(PipelineError::BadRequest(format!(
            "the holdout fraction must be between 0 and 1, not {test_fraction}"
        )));
    }
    if n < 2 {
        return Err(PipelineError::BadColumns(format!(
            "{n} row(s) with a target: a holdout needs at least 2 (one to train, one to test)"
        )));
    }
    let mut rng = Rng::new(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for g in strata(n, classes, &mut rng) {
        let mut k = (g.len() as f64 * test_fraction).round() as usize;
        if g.len() >= 2 {
            k = k.clamp(1, g.len() - 1);
        } else {
            k = 0;
        }
        test.extend_from_slice(&g[..k]);
        train.extend_from_slice(&g[k..]);
    }
    if test.is_empty() {
        return Err(PipelineError::BadColumns(
            "no row is left to test on: every class has a single row; add rows or use a test file"
                .into(),
        ));
    }
    train.sort_unstable();
    test.sort_unstable();
    Ok((train, test))
}

/// k (train, test) folds. With classes, every class needs at least k rows.
pub fn kfold(
    n: usize,
    classes: Option<&[u32]>,
    k: usize,
    seed: u64,
) -> Result<Vec<(Vec<usize>, Vec<usize>)>> {
    if k < 2 {
        return Err(PipelineError::BadRequest(format!(
            "cross-validation needs at least 2 folds, not {k}"
        )));
    }
    let mut rng = Rng::new(seed);
    let groups = strata(n, classes, &mut rng);
    if classes.is_some()
        && let Some(small) = groups.iter().map(Vec::len).min()
        && small < k
    {
        return Err(PipelineError::BadColumns(format!(
            "the smallest class has {small} row(s), fewer than the {k} folds; use {folds} folds or a holdout (--cv {folds}, or :validation cv {folds} in the TUI)",
            folds = small.max(2)
        )));
    }
    if n < k {
        return Err(PipelineError::BadColumns(format!(
            "{n} row(s) with a target are too few for {k} folds; use at most {n} folds (--cv {n}, or :validation cv {n} in the TUI), or a holdout"
        )));
    }
    let mut fold_of = vec![0usize; n];
    let mut offset = 0;
    for g in &groups {
        for (pos, &row) in g.iter().enumerate() {
            fold_of[row] = (pos + offset) % k;
        }
        offset = (offset + g.len()) % k;
    }
    Ok((0..k)
        .map(|f| {
            let (mut train, mut test) = (Vec::new(), Vec::new());
            for (row, &of) in fold_of.iter().enumerate() {
                if of == f {
                    test.push(row);
                } else {
                    train.push(row);
                }
            }
            (train, test)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_splits_keep_class_shares_and_cover_every_row() {
        let y: Vec<u32> = (0..1000).map(|i| if i % 10 == 0 { 1 } else { 0 }).collect();
        let (tr, te) = holdout(1000, Some(&y), 0.2, 7).unwrap();
        assert_eq!(tr.len() + te.len(), 1000);
        assert_eq!(te.iter().filter(|&&i| y[i] == 1).count(), 20);
        assert_eq!(te.len(), 200);
        assert_eq!(holdout(1000, Some(&y), 0.2, 7).unwrap().1, te);
        let folds = kfold(1000, Some(&y), 5, 1).unwrap();
        let mut seen = vec![0; 1000];
        for (tr, te) in &folds {
            assert_eq!(tr.len() + te.len(), 1000);
            assert_eq!(te.iter().filter(|&&i| y[i] == 1).count(), 20);
            for &i in te {
                seen[i] += 1;
            }
        }
        assert!(seen.iter().all(|&s| s == 1));
        assert!(kfold(3, None, 5, 0).is_err());
        let few: Vec<u32> = vec![0, 0, 0, 0, 0, 1, 1];
        assert!(
            kfold(7, Some(&few), 3, 0)
                .unwrap_err()
                .to_string()
                .contains("smallest class has 2")
        );
    }
}
