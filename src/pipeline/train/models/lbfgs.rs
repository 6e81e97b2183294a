//! Limited-memory BFGS with a backtracking Armijo line search, for the smooth convex losses of
//! the linear models. Stops as scipy's L-BFGS-B does for scikit-learn: when the largest
//! gradient component is at most `gtol`, or the relative decrease of the loss is at most
//! 64 × machine epsilon, or after `max_iter` iterations.

use crate::pipeline::Result;
use crate::pipeline::progress::CancelFlag;

/// What the optimiser ended with.
pub struct Minimum {
    pub x: Vec<f64>,
    pub iterations: u32,
    pub converged: bool,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A loss and its gradient at a point.
pub type Objective<'a> = dyn Fn(&[f64]) -> Result<(f64, Vec<f64>)> + 'a;

/// Minimise `f` (returning the loss and its gradient) from `x0`.
pub fn minimize(
    f: &Objective,
    x0: Vec<f64>,
    max_iter: u32,
    gtol: f64,
    cancel: &CancelFlag,
) -> Result<Minimum> {
    const MEMORY: usize = 10;
    const MAX_LINE_SEARCH: usize = 50;
    let ftol = 64.0 * f64::EPSILON;
    let mut x = x0;
    let (mut fx, mut g) = f(&x)?;
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut rho: Vec<f64> = Vec::new();
    let max_abs = |g: &[f64]| g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if max_abs(&g) <= gtol {
        return Ok(Minimum {
            x,
            iterations: 0,
            converged: true,
        });
    }
    for iter in 1..=max_iter {
        cancel.check()?;
        // Two-loop recursion: d = −H g.
        let mut q = g.clone();
        let mut alpha = vec![0.0; s_hist.len()];
        for i in (0..s_hist.len()).rev() {
            alpha[i] = rho[i] * dot(&s_hist[i], &q);
            q.iter_mut()
                .zip(&y_hist[i])
                .for_each(|(qv, yv)| *qv -= alpha[i] * yv);
        }
        let gamma = match (s_hist.last(), y_hist.last()) {
            (Some(s), Some(y)) => dot(s, y) / dot(y, y),
            _ => 1.0 / dot(&g, &g).sqrt().max(1e-300),
        };
        q.iter_mut().for_each(|v| *v *= gamma);
        for i in 0..s_hist.len() {
            let beta = rho[i] * dot(&y_hist[i], &q);
            q.iter_mut()
                .zip(&s_hist[i])
                .for_each(|(qv, sv)| *qv += (alpha[i] - beta) * sv);
        }
        let d: Vec<f64> = q.iter().map(|v| -v).collect();
        let mut slope = dot(&g, &d);
        let d = if slope >= 0.0 {
            // Not a descent direction (numerical trouble): restart from steepest descent.
            s_hist.clear();
            y_hist.clear();
            rho.clear();
            let sd: Vec<f64> = g.iter().map(|v| -v).collect();
            slope = dot(&g, &sd);
            sd
        } else {
            d
        };
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..MAX_LINE_SEARCH {
            let xn: Vec<f64> = x.iter().zip(&d).map(|(xv, dv)| xv + step * dv).collect();
            let (fn_, gn) = f(&xn)?;
            if fn_.is_finite() && fn_ <= fx + 1e-4 * step * slope {
                accepted = Some((xn, fn_, gn));
                break;
            }
            step *= 0.5;
        }
        let Some((xn, fn_, gn)) = accepted else {
            return Ok(Minimum {
                x,
                iterations: iter,
                converged: false,
            });
        };
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-10 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() {
            if s_hist.len() == MEMORY {
                s_hist.remove(0);
                y_hist.remove(0);
                rho.remove(0);
            }
            s_hist.push(s);
            y_hist.push(y);
            rho.push(1.0 / sy);
        }
        let decrease = (fx - fn_) / fx.abs().max(fn_.abs()).max(1.0);
        x = xn;
        fx = fn_;
        g = gn;
        // A tiny decrease after a shortened step says little about convergence: only a full
        // step that barely improves the loss ends the search on `ftol`.
        if max_abs(&g) <= gtol || (decrease <= ftol && step == 1.0) {
            return Ok(Minimum {
                x,
                iterations: iter,
                converged: true,
            });
        }
    }
    Ok(Minimum {
        x,
        iterations: max_iter,
        converged: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_quadratic() {
        let f = |x: &[f64]| -> Result<(f64, Vec<f64>)> {
            let (a, b) = (x[0] - 3.0, x[1] + 1.0);
            Ok((a * a + 10.0 * b * b, vec![2.0 * a, 20.0 * b]))
        };
        let m = minimize(&f, vec![0.0, 0.0], 100, 1e-8, &CancelFlag::new()).unwrap();
        assert!(m.converged);
        assert!((m.x[0] - 3.0).abs() < 1e-6 && (m.x[1] + 1.0).abs() < 1e-6);
    }
}
