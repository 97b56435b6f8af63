"""Two-dimensional coordinates for the statement map: PCA by singular value decomposition."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Points = npt.NDArray[np.float64]


def pca_2d(vectors: npt.ArrayLike) -> Points:
    """The first two principal components of ``vectors`` (one row per statement), stretched to fill [-1, 1].

    Deterministic: no random start, and each axis is turned so that its largest loading is
    positive. Fewer than two rows or no spread give zeros.
    """
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        return np.zeros((0 if x.ndim != 2 else x.shape[0], 2))
    points = np.zeros((x.shape[0], 2))
    if x.shape[0] < 2:
        return points
    centred = x - x.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(2, vt.shape[0])
    for axis in range(k):
        if singular[axis] <= 1e-12:
            continue
        component = vt[axis]
        if component[np.argmax(np.abs(component))] < 0:
            component = -component
        points[:, axis] = centred @ component
    low, high = points.min(axis=0), points.max(axis=0)
    span = high - low
    flat = span <= 1e-12
    span[flat] = 1.0
    result: Points = (points - low) / span * 2.0 - 1.0
    result[:, flat] = 0.0
    return result
