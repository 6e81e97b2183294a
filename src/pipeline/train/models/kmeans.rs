//! k-means as scikit-learn's `KMeans(n_init=1)`: greedy k-means++ seeding (2 + ⌊ln k⌋ local
//! trials), then Lloyd iterations until the total squared centre shift is at most
//! `tol` × the mean feature variance; distances by matrix products over row chunks. The
//! distance to the nearest centre is the anomaly score.

use ndarray::{Array1, Array2, ArrayView2, Axis, s};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::pipeline::Result;
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::train::linalg;
use crate::pipeline::train::rng::Rng;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KMeansModel {
    pub centers: Vec<Vec<f64>>,
    /// Sum of squared distances of the training rows to their centre.
    pub inertia: f64,
    pub n_iter: u32,
}

/// Squared norm of every row (column by column: each column of a chunk is contiguous).
pub fn row_norms(x: ArrayView2<f64>) -> Vec<f64> {
    let parts: Vec<Vec<f64>> = linalg::chunks(x.nrows())
        .into_par_iter()
        .map(|r| {
            let mut acc = vec![0.0; r.len()];
            for col in x.slice(s![r, ..]).columns() {
                for (a, v) in acc.iter_mut().zip(col.iter()) {
                    *a += v * v;
                }
            }
            acc
        })
        .collect();
    parts.concat()
}

/// Nearest centre and squared distance of every row.
pub fn assign(x: ArrayView2<f64>, centers: &Array2<f64>) -> (Vec<u32>, Vec<f64>) {
    let norms = row_norms(x);
    let (labels, dist, _) = lloyd_pass(x, &norms, centers, false);
    (labels, dist)
}

/// One pass: nearest centre and squared distance per row and, when `sums`, the per-centre
/// sums of the rows (k × d, then the counts in column d).
fn lloyd_pass(
    x: ArrayView2<f64>,
    norms: &[f64],
    centers: &Array2<f64>,
    sums: bool,
) -> (Vec<u32>, Vec<f64>, Array2<f64>) {
    let (k, d) = centers.dim();
    let c_norm: Array1<f64> = centers.rows().into_iter().map(|c| c.dot(&c)).collect();
    let parts: Vec<(Vec<u32>, Vec<f64>, Array2<f64>)> = linalg::chunks(x.nrows())
        .into_par_iter()
        .map(|r| {
            let xr = x.slice(s![r.clone(), ..]);
            let dots = xr.dot(&centers.t());
            let mut labels = Vec::with_capacity(xr.nrows());
            let mut dist = Vec::with_capacity(xr.nrows());
            for (i, row) in dots.outer_iter().enumerate() {
                let mut best = (0u32, f64::INFINITY);
                for (c, &dt) in row.iter().enumerate() {
                    let d2 = c_norm[c] - 2.0 * dt;
                    if d2 < best.1 {
                        best = (c as u32, d2);
                    }
                }
                labels.push(best.0);
                dist.push((best.1 + norms[r.start + i]).max(0.0));
            }
            let mut acc = Array2::<f64>::zeros((if sums { k } else { 0 }, d + 1));
            if sums {
                for (j, col) in xr.columns().into_iter().enumerate() {
                    for (&l, &v) in labels.iter().zip(col.iter()) {
                        acc[[l as usize, j]] += v;
                    }
                }
                for &l in &labels {
                    acc[[l as usize, d]] += 1.0;
                }
            }
            (labels, dist, acc)
        })
        .collect();
    let mut labels = Vec::with_capacity(x.nrows());
    let mut dist = Vec::with_capacity(x.nrows());
    let mut total = Array2::<f64>::zeros((if sums { k } else { 0 }, d + 1));
    for (l, dd, a) in parts {
        labels.extend(l);
        dist.extend(dd);
        total += &a;
    }
    (labels, dist, total)
}

pub fn fit(
    x: ArrayView2<f64>,
    k: usize,
    max_iter: u32,
    tol: f64,
    seed: u64,
    cancel: &CancelFlag,
) -> Result<KMeansModel> {
    let (n, d) = x.dim();
    let k = k.min(n).max(1);
    let norms = row_norms(x);
    let mut centers = plus_plus(x, &norms, k, seed, cancel)?;
    let mean = linalg::column_means(x, cancel)?;
    // Total variance = Σ‖x‖² − n‖x̄‖² (scikit-learn's tolerance scale: tol × mean variance).
    let var_sum = (norms.iter().sum::<f64>() - n as f64 * mean.dot(&mean)).max(0.0);
    let tol_abs = tol * var_sum / (n.max(1) * d.max(1)) as f64;
    // Lloyd's iterations with Hamerly's bounds: a row is measured again only when its bounds
    // say its nearest centre may have changed, and the centre sums move by the rows that
    // changed cluster. The labels are Lloyd's (up to exact ties).
    let mut bounds = hamerly::Bounds::new(x, &norms, &centers);
    let mut sums = hamerly::sums(x, &bounds.label, k);
    let mut n_iter = 0;
    for iter in 1..=max_iter {
        cancel.check()?;
        n_iter = iter;
        let same = if iter == 1 {
            false
        } else {
            let delta = bounds.reassign(x, &norms, &centers);
            match delta {
                Some(delta) => {
                    sums += &delta;
                    false
                }
                None => true,
            }
        };
        let previous = centers.clone();
        let mut shift = 0.0;
        for c in 0..k {
            let count = sums[[c, d]];
            if count <= 0.0 {
                continue; // an empty cluster keeps its centre
            }
            for j in 0..d {
                let new = sums[[c, j]] / count;
                shift += (new - centers[[c, j]]) * (new - centers[[c, j]]);
                centers[[c, j]] = new;
            }
        }
        if same || shift <= tol_abs {
            break;
        }
        bounds.moved(&previous, &centers);
    }
    let (_, dist, _) = lloyd_pass(x, &norms, &centers, false);
    Ok(KMeansModel {
        centers: centers.outer_iter().map(|r| r.to_vec()).collect(),
        inertia: dist.iter().sum(),
        n_iter,
    })
}

/// Hamerly's bounds for Lloyd's iterations: per row, its centre, an upper bound on the
/// distance to it and a lower bound on the distance to any other centre.
mod hamerly {
    use ndarray::{Array2, ArrayView2, s};
    use rayon::prelude::*;

    use crate::pipeline::train::linalg::CHUNK;

    pub struct Bounds {
        pub label: Vec<u32>,
        upper: Vec<f64>,
        lower: Vec<f64>,
    }

    /// The nearest and second-nearest centre of the rows `fail` (indices into the chunk
    /// starting at `start` of `m` rows): squared distances from the norms and dot products,
    /// by one product over the chunk when many rows fail, else gathered column by column.
    fn measure(
        x: ArrayView2<f64>,
        norms: &[f64],
        centers: &Array2<f64>,
        start: usize,
        m: usize,
        fail: &[usize],
    ) -> Vec<(u32, f64, f64)> {
        let (k, d) = centers.dim();
        let c_norm: Vec<f64> = centers.rows().into_iter().map(|c| c.dot(&c)).collect();
        let nearest = |row: &mut dyn Iterator<Item = f64>, norm: f64| {
            let mut best = (0u32, f64::INFINITY);
            let mut second = f64::INFINITY;
            for (c, dt) in row.enumerate() {
                let d2 = c_norm[c] - 2.0 * dt;
                if d2 < best.1 {
                    second = best.1;
                    best = (c as u32, d2);
                } else if d2 < second {
                    second = d2;
                }
            }
            (
                best.0,
                (best.1 + norm).max(0.0).sqrt(),
                (second + norm).max(0.0).sqrt(),
            )
        };
        if fail.len() * 4 > m {
            let all = x.slice(s![start..start + m, ..]).dot(&centers.t());
            return fail
                .iter()
                .map(|&i| nearest(&mut all.row(i).iter().copied(), norms[start + i]))
                .collect();
        }
        // Centres transposed: feature j of every centre side by side.
        let ct: Vec<f64> = (0..d).flat_map(|j| centers.column(j).to_vec()).collect();
        let mut dots = vec![0.0; fail.len() * k];
        for j in 0..d {
            let col = x.column(j);
            let cj = &ct[j * k..(j + 1) * k];
            for (f, &i) in fail.iter().enumerate() {
                let v = col[start + i];
                for (dt, &c) in dots[f * k..(f + 1) * k].iter_mut().zip(cj) {
                    *dt += v * c;
                }
            }
        }
        fail.iter()
            .enumerate()
            .map(|(f, &i)| {
                nearest(
                    &mut dots[f * k..(f + 1) * k].iter().copied(),
                    norms[start + i],
                )
            })
            .collect()
    }

    impl Bounds {
        /// Every row measured against every centre.
        pub fn new(x: ArrayView2<f64>, norms: &[f64], centers: &Array2<f64>) -> Bounds {
            let n = x.nrows();
            let parts: Vec<Vec<(u32, f64, f64)>> = (0..n.div_ceil(CHUNK))
                .into_par_iter()
                .map(|ci| {
                    let start = ci * CHUNK;
                    let m = CHUNK.min(n - start);
                    let all: Vec<usize> = (0..m).collect();
                    measure(x, norms, centers, start, m, &all)
                })
                .collect();
            let mut b = Bounds {
                label: Vec::with_capacity(n),
                upper: Vec::with_capacity(n),
                lower: Vec::with_capacity(n),
            };
            for (l, u, lo) in parts.into_iter().flatten() {
                b.label.push(l);
                b.upper.push(u);
                b.lower.push(lo);
            }
            b
        }

        /// The centres moved from `old` to `new`: loosen every row's bounds by how far.
        pub fn moved(&mut self, old: &Array2<f64>, new: &Array2<f64>) {
            let shift: Vec<f64> = old
                .rows()
                .into_iter()
                .zip(new.rows())
                .map(|(a, b)| (&a - &b).mapv(|v| v * v).sum().sqrt())
                .collect();
            let (mut first, mut second, mut far) = (0.0f64, 0.0f64, 0usize);
            for (c, &v) in shift.iter().enumerate() {
                if v > first {
                    second = first;
                    first = v;
                    far = c;
                } else if v > second {
                    second = v;
                }
            }
            self.label
                .par_iter()
                .zip(self.upper.par_iter_mut())
                .zip(self.lower.par_iter_mut())
                .for_each(|((&l, u), lo)| {
                    *u += shift[l as usize];
                    *lo -= if l as usize == far { second } else { first };
                });
        }

        /// Reassign the rows whose bounds allow another nearest centre. Returns how the
        /// centre sums change (k × (d + 1), the counts last), or `None` when no row changed.
        pub fn reassign(
            &mut self,
            x: ArrayView2<f64>,
            norms: &[f64],
            centers: &Array2<f64>,
        ) -> Option<Array2<f64>> {
            let (k, d) = centers.dim();
            // Half the distance from each centre to its nearest other centre.
            let half: Vec<f64> = (0..k)
                .map(|a| {
                    (0..k)
                        .filter(|&b| b != a)
                        .map(|b| {
                            (&centers.row(a) - &centers.row(b))
                                .mapv(|v| v * v)
                                .sum()
                                .sqrt()
                        })
                        .fold(f64::INFINITY, f64::min)
                        / 2.0
                })
                .collect();
            let deltas: Vec<Option<Array2<f64>>> = self
                .label
                .par_chunks_mut(CHUNK)
                .zip(self.upper.par_chunks_mut(CHUNK))
                .zip(self.lower.par_chunks_mut(CHUNK))
                .enumerate()
                .map(|(ci, ((label, upper), lower))| {
                    let start = ci * CHUNK;
                    let m = label.len();
                    // A small margin keeps rounding from skipping a row that Lloyd moves.
                    let fail: Vec<usize> = (0..m)
                        .filter(|&i| {
                            let bound = half[label[i] as usize].max(lower[i]);
                            upper[i] * (1.0 + 1e-9) >= bound
                        })
                        .collect();
                    if fail.is_empty() {
                        return None;
                    }
                    let mut changed = Vec::new();
                    for (&i, (l, u, lo)) in
                        fail.iter().zip(measure(x, norms, centers, start, m, &fail))
                    {
                        if l != label[i] {
                            changed.push((i, label[i] as usize, l as usize));
                        }
                        label[i] = l;
                        upper[i] = u;
                        lower[i] = lo;
                    }
                    if changed.is_empty() {
                        return None;
                    }
                    let mut delta = Array2::<f64>::zeros((k, d + 1));
                    for j in 0..d {
                        let col = x.column(j);
                        for &(i, from, to) in &changed {
                            let v = col[start + i];
                            delta[[from, j]] -= v;
                            delta[[to, j]] += v;
                        }
                    }
                    for &(_, from, to) in &changed {
                        delta[[from, d]] -= 1.0;
                        delta[[to, d]] += 1.0;
                    }
                    Some(delta)
                })
                .collect();
            deltas.into_iter().flatten().reduce(|a, b| a + b)
        }
    }

    /// Per-centre sums of the rows (k × d, then the counts in column d), chunk by chunk in
    /// order.
    pub fn sums(x: ArrayView2<f64>, label: &[u32], k: usize) -> Array2<f64> {
        let d = x.ncols();
        let parts: Vec<Array2<f64>> = label
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(ci, labels)| {
                let start = ci * CHUNK;
                let mut acc = Array2::<f64>::zeros((k, d + 1));
                for (j, col) in x
                    .slice(s![start..start + labels.len(), ..])
                    .columns()
                    .into_iter()
                    .enumerate()
                {
                    for (&l, &v) in labels.iter().zip(col.iter()) {
                        acc[[l as usize, j]] += v;
                    }
                }
                for &l in labels {
                    acc[[l as usize, d]] += 1.0;
                }
                acc
            })
            .collect();
        parts
            .into_iter()
            .reduce(|a, b| a + b)
            .unwrap_or_else(|| Array2::zeros((k, d + 1)))
    }
}

/// Greedy k-means++ seeding: each step draws 2 + ⌊ln k⌋ candidates in proportion to the
/// squared distance to the nearest chosen centre and keeps the one that lowers the total most;
/// all candidates are measured in one pass.
fn plus_plus(
    x: ArrayView2<f64>,
    norms: &[f64],
    k: usize,
    seed: u64,
    cancel: &CancelFlag,
) -> Result<Array2<f64>> {
    let (n, d) = x.dim();
    let mut rng = Rng::new(seed);
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centers = Array2::<f64>::zeros((k, d));
    centers.row_mut(0).assign(&x.row(rng.below(n)));
    let (_, mut closest, _) = lloyd_pass(x, norms, &centers.slice(s![0..1, ..]).to_owned(), false);
    for c in 1..k {
        cancel.check()?;
        let mut cumulative = Vec::with_capacity(n);
        let mut acc = 0.0;
        for &v in &closest {
            acc += v;
            cumulative.push(acc);
        }
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                let t = rng.next_f64() * acc;
                cumulative.partition_point(|&v| v <= t).min(n - 1)
            })
            .collect();
        let cand = x.select(Axis(0), &candidates);
        let cand_norm: Vec<f64> = cand.rows().into_iter().map(|r| r.dot(&r)).collect();
        // Squared distance of every row to every candidate, rows × trials.
        let parts: Vec<Vec<f64>> = linalg::chunks(n)
            .into_par_iter()
            .map(|r| {
                let dots = x.slice(s![r.clone(), ..]).dot(&cand.t());
                let mut out = Vec::with_capacity(r.len() * trials);
                for (i, row) in dots.outer_iter().enumerate() {
                    for (t, &dt) in row.iter().enumerate() {
                        out.push((norms[r.start + i] + cand_norm[t] - 2.0 * dt).max(0.0));
                    }
                }
                out
            })
            .collect();
        let dist = parts.concat();
        let mut best = (0usize, f64::INFINITY);
        for t in 0..trials {
            let potential: f64 = (0..n).map(|i| dist[i * trials + t].min(closest[i])).sum();
            if potential < best.1 {
                best = (t, potential);
            }
        }
        centers.row_mut(c).assign(&cand.row(best.0));
        for (i, v) in closest.iter_mut().enumerate() {
            *v = v.min(dist[i * trials + best.0]);
        }
    }
    Ok(centers)
}

impl KMeansModel {
    pub fn centers_array(&self) -> Array2<f64> {
        to_array(&self.centers)
    }
}

/// Rows of equal length as a matrix.
pub fn to_array(rows: &[Vec<f64>]) -> Array2<f64> {
    let d = rows.first().map_or(0, Vec::len);
    Array2::from_shape_fn((rows.len(), d), |(i, j)| rows[i][j])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::ShapeBuilder;

    /// Plain Lloyd iterations (every row measured every time), as the reference.
    fn lloyd(x: ArrayView2<f64>, mut centers: Array2<f64>, tol_abs: f64) -> (Array2<f64>, u32) {
        let (k, d) = centers.dim();
        let norms = row_norms(x);
        let mut previous: Option<Vec<u32>> = None;
        for iter in 1..=300 {
            let (labels, _, sums) = lloyd_pass(x, &norms, &centers, true);
            let mut shift = 0.0;
            for c in 0..k {
                if sums[[c, d]] == 0.0 {
                    continue;
                }
                for j in 0..d {
                    let new = sums[[c, j]] / sums[[c, d]];
                    shift += (new - centers[[c, j]]).powi(2);
                    centers[[c, j]] = new;
                }
            }
            let same = previous.as_ref() == Some(&labels);
            previous = Some(labels);
            if same || shift <= tol_abs {
                return (centers, iter);
            }
        }
        (centers, 300)
    }

    #[test]
    fn bounds_give_lloyds_iterations() {
        // Overlapping blobs, so rows keep changing cluster for a while.
        let mut rng = Rng::new(7);
        let (n, d, k) = (20_000, 5, 6);
        let x = Array2::from_shape_fn((n, d).f(), |(i, j)| {
            (i % 4) as f64 * 0.8 + (j as f64) * 0.1 + rng.next_f64() * 2.0
        });
        let cancel = CancelFlag::new();
        let model = fit(x.view(), k, 300, 0.0, 3, &cancel).unwrap();
        let start = plus_plus(x.view(), &row_norms(x.view()), k, 3, &cancel).unwrap();
        let (centers, iters) = lloyd(x.view(), start, 0.0);
        assert_eq!(model.n_iter, iters);
        for (a, b) in model.centers.iter().zip(centers.outer_iter()) {
            for (u, v) in a.iter().zip(b.iter()) {
                assert!((u - v).abs() < 1e-9, "{u} vs {v}");
            }
        }
    }
}
