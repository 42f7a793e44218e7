"""Array helpers of the textbook: im2col / col2im for convolutions, plus two small utilities.

``im2col`` and ``col2im`` keep the textbook's signatures and memory layout exactly, so code written
against the book (``col = im2col(x, FH, FW, stride, pad)`` followed by ``np.dot(col, col_W)``)
works unchanged:

* a row of ``col`` is one filter window, rows ordered by (sample, output row, output column);
* a column of ``col`` is one input value of that window, ordered by (channel, row, column).
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided


def conv_output_size(input_size, filter_size, stride=1, pad=0):
    """How many window positions fit along one axis: ``(input + 2*pad - filter) // stride + 1``."""
    return (input_size + 2 * pad - filter_size) // stride + 1


def _zero_pad(images, pad):
    """A fresh C-contiguous float copy of ``images`` (N, C, H, W) with ``pad`` zeros on each side."""
    N, C, H, W = images.shape
    padded = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=np.result_type(images, np.float64))
    padded[:, :, pad:pad + H, pad:pad + W] = images
    return padded


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """Unfold every filter window of a batch of images into one row of a 2-D array.

    input_data: array of shape (N, C, H, W)
    filter_h, filter_w: the window's height and width
    stride, pad: step between windows, and zero padding added on every side

    Returns an array of shape (N * out_h * out_w, C * filter_h * filter_w).
    """
    N, C, H, W = input_data.shape
    out_h = conv_output_size(H, filter_h, stride, pad)
    out_w = conv_output_size(W, filter_w, stride, pad)
    padded = _zero_pad(input_data, pad)
    # A read-only view windows[n, i, j, c, u, v] = padded[n, c, i*stride + u, j*stride + v]:
    # the same memory read with different steps, so no data moves until the final reshape.
    s_n, s_c, s_h, s_w = padded.strides
    windows = as_strided(
        padded,
        shape=(N, out_h, out_w, C, filter_h, filter_w),
        strides=(s_n, s_h * stride, s_w * stride, s_c, s_h, s_w),
        writeable=False,
    )
    return windows.reshape(N * out_h * out_w, C * filter_h * filter_w)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """The reverse path of ``im2col``: fold window rows back into images of ``input_shape``.

    Where windows overlap, their values are *added*: this is exactly the gradient of ``im2col``,
    which is how the convolution and pooling layers use it in their backward pass.

    col: array of shape (N * out_h * out_w, C * filter_h * filter_w)
    input_shape: (N, C, H, W) of the original input (for example ``x.shape``)
    Returns an array of shape (N, C, H, W).
    """
    N, C, H, W = input_shape
    out_h = conv_output_size(H, filter_h, stride, pad)
    out_w = conv_output_size(W, filter_w, stride, pad)
    # back to (N, C, FH, FW, out_h, out_w) so that one (u, v) offset is a strided image slice
    windows = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    padded = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=np.result_type(col, np.float64))
    row_span = stride * (out_h - 1) + 1
    col_span = stride * (out_w - 1) + 1
    for u in range(filter_h):
        for v in range(filter_w):
            padded[:, :, u:u + row_span:stride, v:v + col_span:stride] += windows[:, :, u, v]
    return padded[:, :, pad:pad + H, pad:pad + W]


def smooth_curve(x, window_len=11):
    """Smooth a 1-D series (e.g. a loss curve) with a normalised Kaiser window.

    The ends are extended by reflection so the result has the same length as ``x``.
    """
    x = np.asarray(x, dtype=float)
    half = window_len // 2
    if x.size <= half:
        return x.copy()
    weights = np.kaiser(window_len, 2)
    weights /= weights.sum()
    extended = np.pad(x, (half, window_len - 1 - half), mode="reflect")
    return np.convolve(extended, weights, mode="valid")


def shuffle_dataset(x, t):
    """Shuffle samples and labels with one shared random permutation of the first axis."""
    order = np.random.permutation(x.shape[0])
    return x[order], t[order]
