//! The dense linear algebra training needs, on ndarray 0.16 (its matrix product uses
//! matrixmultiply's runtime-detected SIMD kernels): row-chunked passes that reduce in a fixed
//! order (so results are bit-identical whatever the thread count), centred Gram matrices, a
//! symmetric eigen-solver and Cholesky factors for the small d × d systems.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};
use rayon::prelude::*;

use crate::pipeline::Result;
use crate::pipeline::progress::CancelFlag;

/// Rows per chunk of a parallel pass: a chunk of a few dozen columns stays in cache.
pub const CHUNK: usize = 4096;

/// The row ranges of a pass over `n` rows, in order.
pub fn chunks(n: usize) -> Vec<std::ops::Range<usize>> {
    (0..n.div_ceil(CHUNK))
        .map(|c| c * CHUNK..((c + 1) * CHUNK).min(n))
        .collect()
}

/// Run `f` on every row chunk in parallel and combine the results in chunk order with `add`,
/// checking `cancel` between chunks.
pub fn reduce_chunks<T, F, A>(n: usize, cancel: &CancelFlag, f: F, add: A) -> Result<Option<T>>
where
    T: Send,
    F: Fn(std::ops::Range<usize>) -> T + Sync,
    A: Fn(T, T) -> T,
{
    let parts: Vec<Option<T>> = chunks(n)
        .into_par_iter()
        .map(|r| {
            if cancel.is_cancelled() {
                None
            } else {
                Some(f(r))
            }
        })
        .collect();
    cancel.check()?;
    Ok(parts.into_iter().flatten().reduce(add))
}

/// Column means of `x` (optionally weighted per row).
pub fn column_means(x: ArrayView2<f64>, cancel: &CancelFlag) -> Result<Array1<f64>> {
    let n = x.nrows();
    let sums = reduce_chunks(
        n,
        cancel,
        |r| x.slice(s![r, ..]).sum_axis(Axis(0)),
        |a, b| a + b,
    )?
    .unwrap_or_else(|| Array1::zeros(x.ncols()));
    Ok(sums / (n.max(1) as f64))
}

/// `(Xc)ᵀ Xc` and `(Xc)ᵀ (y − ȳ)` for X centred by `mean` (y centred by `y_mean`).
pub fn centred_gram(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    mean: &Array1<f64>,
    y_mean: f64,
    cancel: &CancelFlag,
) -> Result<(Array2<f64>, Array1<f64>)> {
    let d = x.ncols();
    let zero = || (Array2::zeros((d, d)), Array1::zeros(d));
    let out = reduce_chunks(
        x.nrows(),
        cancel,
        |r| {
            let mut c = x.slice(s![r.clone(), ..]).to_owned();
            c -= &mean.view().insert_axis(Axis(0));
            let yc = y.slice(s![r]).mapv(|v| v - y_mean);
            (c.t().dot(&c), c.t().dot(&yc))
        },
        |(g1, v1), (g2, v2)| (g1 + g2, v1 + v2),
    )?;
    Ok(out.unwrap_or_else(zero))
}

/// Eigenvalues and eigenvectors (columns) of the symmetric matrix `a`, by cyclic Jacobi
/// rotations; values in descending order.
pub fn symmetric_eigen(a: &Array2<f64>) -> (Array1<f64>, Array2<f64>) {
    let n = a.nrows();
    let mut m = a.clone();
    let mut v = Array2::<f64>::eye(n);
    for _sweep in 0..100 {
        let mut off = 0.0;
        for p in 0..n {
            for q in p + 1..n {
                off += m[[p, q]] * m[[p, q]];
            }
        }
        let scale: f64 = (0..n).map(|i| m[[i, i]] * m[[i, i]]).sum::<f64>() + off;
        if off <= 1e-30 * scale.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[[p, q]];
                if apq == 0.0 {
                    continue;
                }
                let theta = (m[[q, q]] - m[[p, p]]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let sn = t * c;
                for k in 0..n {
                    let mkp = m[[k, p]];
                    let mkq = m[[k, q]];
                    m[[k, p]] = c * mkp - sn * mkq;
                    m[[k, q]] = sn * mkp + c * mkq;
                }
                for k in 0..n {
                    let mpk = m[[p, k]];
                    let mqk = m[[q, k]];
                    m[[p, k]] = c * mpk - sn * mqk;
                    m[[q, k]] = sn * mpk + c * mqk;
                }
                for k in 0..n {
                    let vkp = v[[k, p]];
                    let vkq = v[[k, q]];
                    v[[k, p]] = c * vkp - sn * vkq;
                    v[[k, q]] = sn * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[[j, j]].total_cmp(&m[[i, i]]));
    let values = Array1::from_iter(order.iter().map(|&i| m[[i, i]]));
    let mut vectors = Array2::zeros((n, n));
    for (to, &from) in order.iter().enumerate() {
        vectors.column_mut(to).assign(&v.column(from));
    }
    (values, vectors)
}

/// Solve the symmetric positive semi-definite system `a w = b` in the least-squares,
/// minimum-norm sense (eigenvalues below `rcond` × the largest are treated as zero), as
/// LAPACK's `gelsd` does for scikit-learn's LinearRegression.
pub fn solve_psd_min_norm(a: &Array2<f64>, b: &Array1<f64>, rcond: f64) -> Array1<f64> {
    let (values, vectors) = symmetric_eigen(a);
    let top = values.iter().copied().fold(0.0f64, f64::max);
    let mut w = Array1::zeros(b.len());
    for (k, &lambda) in values.iter().enumerate() {
        if lambda > rcond * top && lambda > 0.0 {
            let vk = vectors.column(k);
            let coef = vk.dot(b) / lambda;
            w.scaled_add(coef, &vk);
        }
    }
    w
}

/// The lower Cholesky factor of a symmetric positive definite matrix, or `None`.
pub fn cholesky(a: &Array2<f64>) -> Option<Array2<f64>> {
    let n = a.nrows();
    let mut l = Array2::<f64>::zeros((n, n));
    for j in 0..n {
        let mut d = a[[j, j]];
        for k in 0..j {
            d -= l[[j, k]] * l[[j, k]];
        }
        if d <= 0.0 || !d.is_finite() {
            return None;
        }
        let djj = d.sqrt();
        l[[j, j]] = djj;
        for i in j + 1..n {
            let mut v = a[[i, j]];
            for k in 0..j {
                v -= l[[i, k]] * l[[j, k]];
            }
            l[[i, j]] = v / djj;
        }
    }
    Some(l)
}

/// The inverse of a lower-triangular matrix.
pub fn lower_inverse(l: &Array2<f64>) -> Array2<f64> {
    let n = l.nrows();
    let mut inv = Array2::<f64>::zeros((n, n));
    for col in 0..n {
        for i in col..n {
            let mut v = if i == col { 1.0 } else { 0.0 };
            for k in col..i {
                v -= l[[i, k]] * inv[[k, col]];
            }
            inv[[i, col]] = v / l[[i, i]];
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn eigen_and_solves_agree_with_hand_results() {
        let a = array![[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]];
        let (vals, vecs) = symmetric_eigen(&a);
        for k in 0..3 {
            let v = vecs.column(k);
            let av = a.dot(&v);
            for i in 0..3 {
                assert!((av[i] - vals[k] * v[i]).abs() < 1e-12);
            }
        }
        assert!(vals[0] >= vals[1] && vals[1] >= vals[2]);
        let b = array![1.0, 2.0, 3.0];
        let w = solve_psd_min_norm(&a, &b, 1e-12);
        let back = a.dot(&w);
        for i in 0..3 {
            assert!((back[i] - b[i]).abs() < 1e-12);
        }
        let l = cholesky(&a).unwrap();
        let llt = l.dot(&l.t());
        assert!((&llt - &a).iter().all(|d| d.abs() < 1e-12));
        let li = lower_inverse(&l);
        let eye = l.dot(&li);
        assert!(
            (&eye - &Array2::<f64>::eye(3))
                .iter()
                .all(|d| d.abs() < 1e-12)
        );
        // A singular system: the minimum-norm solution.
        let s = array![[1.0, 1.0], [1.0, 1.0]];
        let w = solve_psd_min_norm(&s, &array![2.0, 2.0], 1e-12);
        assert!((w[0] - 1.0).abs() < 1e-12 && (w[1] - 1.0).abs() < 1e-12);
        assert!(cholesky(&s).is_none());
    }
}
