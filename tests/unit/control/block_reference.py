"""The ``scipy.sparse.kron``/``bmat`` construction of :class:`PlantBlock`'s matrix as it was
before issue 16 (not a test module): the reference the COO-triplet builder is compared to,
bit for bit, by ``test_lp_block.py`` and timed against by ``bench_rhpo.py``."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from rex_cli.plants.statespace import Plant


def _zeros(r: int, c: int) -> sp.csr_matrix:
    return sp.csr_matrix((r, c))


def kron_matrix(plant: Plant, K: int, n_times: int, ramp_order: str) -> sp.csc_matrix:
    """The block's constraint matrix, built as ``PlantBlock.__init__`` did at 5139d8e."""
    ss = plant.model
    n, p = ss.n_states, ss.n_outputs
    dec = list(plant.decision_inputs)
    tracked = list(plant.tracked_outputs)
    md, nt = len(dec), len(tracked)
    ramped = [jd for jd, i in enumerate(dec) if math.isfinite(plant.u_delta[i])]
    nr = len(ramped)
    nd = n_times - 1
    cu, cw, cv, cg = K * md, n_times * n, K * p, K * nt
    rd, ro, rt, rr = nd * n, K * p, K * nt, K * nr
    IK = sp.identity(K, format="csr")
    Bd, Dd = ss.B[:, dec], ss.D[:, dec]
    S0 = sp.eye(nd, n_times, k=0, format="csr")
    S1 = sp.eye(nd, n_times, k=1, format="csr")
    Et = sp.csr_matrix(np.eye(p)[tracked].reshape(nt, p))
    Er = sp.csr_matrix(np.eye(md)[ramped].reshape(nr, md))
    first = sp.eye(1, K, format="csr")
    dif = (sp.eye(K - 1, K, k=1) - sp.eye(K - 1, K, k=0)) if K > 1 else _zeros(0, K)
    steps = sp.vstack([first, dif], format="csr")
    ramps = sp.kron(steps, Er, format="csr")  # rows by unit
    if ramp_order == "input":
        ramps = ramps[np.arange(rr).reshape(K, nr).T.reshape(-1)]
    blocks = [
        [
            -sp.kron(sp.eye(nd, K), Bd),
            sp.kron(S1, sp.identity(n)) - sp.kron(S0, ss.A),
            _zeros(rd, cv),
            _zeros(rd, cg),
            _zeros(rd, cg),
        ],
        [
            -sp.kron(IK, Dd),
            -sp.kron(sp.eye(K, n_times), ss.C),
            sp.identity(cv),
            _zeros(ro, cg),
            _zeros(ro, cg),
        ],
        [_zeros(rt, cu), _zeros(rt, cw), sp.kron(IK, Et), -sp.identity(cg), sp.identity(cg)],
        [ramps, _zeros(rr, cw), _zeros(rr, cv), _zeros(rr, cg), _zeros(rr, cg)],
    ]
    mat = sp.bmat(blocks, format="csc")
    mat.eliminate_zeros()
    mat.sort_indices()
    return mat


def stack_matrix(block_matrix: sp.csc_matrix, K: int, c_u0: np.ndarray, term_cols: np.ndarray):
    """``RhpoSolver._matrix`` as it was at 5139d8e: ``[balance; block; terminal]``.

    Args:
        block_matrix: The block's matrix.
        K: κ.
        c_u0: Local columns of ``u*_k`` (K,).
        term_cols: Global columns of the terminal rows' ``v`` entries.
    """
    n_rows_b, n_cols_b = block_matrix.shape
    IK = sp.identity(K, format="csr")
    market = sp.csr_matrix((np.full(K, -1.0), (np.arange(K), c_u0)), shape=(K, n_cols_b))
    balance = sp.hstack([IK, -IK, -IK, IK, market])
    plant = sp.hstack([sp.csr_matrix((n_rows_b, 4 * K)), block_matrix])
    n_term = len(term_cols)
    terminal = sp.csr_matrix(
        (np.ones(n_term), (np.arange(n_term), term_cols)), shape=(n_term, 4 * K + n_cols_b)
    )
    mat = sp.vstack([balance, plant, terminal], format="csc")
    mat.eliminate_zeros()
    mat.sort_indices()
    return mat


def bounds(plant: Plant, K: int, n_times: int, ramp_order: str) -> tuple[np.ndarray, ...]:
    """``col_lower, col_upper, row_lower, row_upper`` as ``PlantBlock`` computed them at
    5139d8e (written out by units here, without the block's index arrays)."""
    dec = list(plant.decision_inputs)
    tracked = list(plant.tracked_outputs)
    n, p, nt = plant.model.n_states, plant.model.n_outputs, len(tracked)
    ramped = [jd for jd, i in enumerate(dec) if math.isfinite(plant.u_delta[i])]
    nr = len(ramped)
    cw, cg = n_times * n, K * nt
    inf = math.inf
    lo = np.concatenate(
        [np.tile(plant.u_min[dec], K), np.full(cw, -inf), np.tile(plant.v_min, K), np.zeros(2 * cg)]
    ).astype(np.float64)
    hi = np.concatenate(
        [
            np.tile(plant.u_max[dec], K),
            np.full(cw, inf),
            np.tile(plant.v_max, K),
            np.full(2 * cg, inf),
        ]
    ).astype(np.float64)
    n_rows = (n_times - 1) * n + K * p + K * nt + K * nr
    r0 = n_rows - K * nr
    rlo, rhi = np.zeros(n_rows), np.zeros(n_rows)
    delta = np.asarray(plant.u_delta[[dec[jd] for jd in ramped]], dtype=np.float64)
    for q in range(nr):
        for s in range(1, K):
            r = r0 + (q * K + s if ramp_order == "input" else s * nr + q)
            rlo[r], rhi[r] = -delta[q], delta[q]
    return lo, hi, rlo, rhi
