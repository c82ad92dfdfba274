#!/usr/bin/env python3
"""Makes the reference data of the codegen tests with NumPy (an implementation
independent of scopec): for each program, random weights and feeds (NumPy's
generator, fixed seed) and the expected fetches computed in float64.

    /usr/bin/python3 tests/codegen/make_reference.py     # rewrites tests/codegen/ref/*.npz

The programs are tests/codegen/*.scope; the tensor names below are TF's names
for their ops (checked by the tests, which fetch them by name)."""
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "ref")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(20261201)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def conv(x, k, stride, same):
    n, h, w, c = x.shape
    kh, kw, _, co = k.shape
    if same:
        oh, ow = -(-h // stride), -(-w // stride)
        ph = max((oh - 1) * stride + kh - h, 0)
        pw = max((ow - 1) * stride + kw - w, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    y = np.zeros((n, oh, ow, co))
    for i in range(kh):
        for j in range(kw):
            y += x[:, i:i + stride * oh:stride, j:j + stride * ow:stride, :] @ k[i, j]
    return y


def pool(x, size, stride, same, op):
    n, h, w, c = x.shape
    oh, ow = -(-h // stride), -(-w // stride)
    ph = max((oh - 1) * stride + size - h, 0)
    pw = max((ow - 1) * stride + size - w, 0)
    y = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * stride - ph // 2, j * stride - pw // 2
            win = x[:, max(r0, 0):min(r0 + size, h), max(c0, 0):min(c0 + size, w), :]
            y[:, i, j, :] = win.max(axis=(1, 2)) if op == "max" else win.mean(axis=(1, 2))
    return y


def deconv_ref(z, k, oh, ow, s, same):
    """conv2d_transpose as a scatter: every input pixel adds its window of outputs."""
    Z, K = z.astype(np.float64), k.astype(np.float64)
    n, h, w, _ = Z.shape
    kh_, kw_, co, _ = K.shape
    pt = max((h - 1) * s + kh_ - oh, 0) // 2 if same else 0
    pl = max((w - 1) * s + kw_ - ow, 0) // 2 if same else 0
    y = np.zeros((n, oh, ow, co))
    for ih in range(h):
        for iw in range(w):
            for kh in range(kh_):
                for kw in range(kw_):
                    r, c = ih * s + kh - pt, iw * s + kw - pl
                    if 0 <= r < oh and 0 <= c < ow:
                        y[:, r, c, :] += Z[:, ih, iw, :] @ K[kh, kw].T
    return y


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def ops():
    B = 3
    x = f32(rng.uniform(-2, 2, (B, 6)))
    img = f32(rng.uniform(-1, 1, (B, 5, 5, 2)))
    w = f32(rng.uniform(-1, 1, (6, 4)))
    b = f32(rng.uniform(-1, 1, (4,)))
    k = f32(rng.uniform(-1, 1, (3, 3, 2, 3)))
    X, I, W, Bb, K = (a.astype(np.float64) for a in (x, img, w, b, k))
    lin = X @ W + Bb
    fetches = {
        "elementwise/arith:0": X + 1.5 - X * 0.5 / 2.0,
        "elementwise/leaky:0": np.maximum(X, 0.1 * X),
        "elementwise/minabs:0": np.minimum(np.abs(X), 0.5),
        "elementwise/relu6:0": np.clip(X * 8.0, 0, 6),
        "elementwise/sqrt:0": np.sqrt(np.abs(X) + 1.0),
        "elementwise/add_3:0": np.exp(X) + np.log(np.abs(X) + 1.0),
        "elementwise/sigmoid:0": 1 / (1 + np.exp(-X)),
        "elementwise/tanh:0": np.tanh(X),
        "elementwise/elu:0": np.where(X > 0, X, np.expm1(X)),
        "elementwise/leaky_relu:0": np.where(X > 0, X, 0.3 * X),
        "elementwise/square:0": X * X,
        "elementwise/pow:0": (np.abs(X) + 1.0) ** 1.5,
        "dense/linear:0": lin,
        "dense/mm_tt:0": W.T @ X.T,
        "dense/softmax:0": softmax(lin),
        "dense/log_softmax:0": np.log(softmax(lin)),
        "conv/same:0": conv(I, K, 1, True),
        "conv/valid_s2:0": conv(I, K, 2, False),
        "conv/max_pool:0": pool(I, 2, 2, True, "max"),
        "conv/avg_pool:0": pool(I, 3, 2, True, "avg"),
        "arrays/sum:0": X.sum(axis=1),
        "arrays/mean:0": I.mean(axis=(1, 2)),
        "arrays/max:0": X.max(axis=0),
        "arrays/transpose:0": X.reshape(-1, 2, 3).transpose(0, 2, 1),
        "arrays/concat:0": np.concatenate([X, X * 2.0], 1),
        "arrays/stack:0": np.stack([X, -X], axis=1),
        "arrays/slice:0": X[:, 1:5:2],
        "arrays/slice2:0": I[:, ::2, 1, :],
        "arrays/min:0": X[:, :, None].min(axis=(0, 2)),
    }
    # Gathers: their own generator, so the other programs' data stay as they were.
    g = np.random.default_rng(7)
    ids = g.integers(0, 7, (B, 3)).astype(np.int32)
    table = f32(g.uniform(-1, 1, (7, 4)))
    T = table.astype(np.float64)
    fetches.update({
        "gather/embedding_lookup/Identity:0": T[ids],
        "gather/cols:0": X[:, [5, 0, 2]],
        "gather/rows:0": T[ids[:, 0]],
        "gather/xwb:0": lin,
    })
    rowmask = g.integers(0, 2, (B,)).astype(bool)
    m1 = 1 / np.sqrt(np.abs(X) + 1.0)
    m3 = (X - 0.5) ** 2
    xi = np.trunc(x * np.float32(10.0)).astype(np.int64)
    fetches.update({
        "math/rsqrt:0": m1,
        "math/softplus:0": np.log1p(np.exp(X * 10.0)),
        "math/sqdiff:0": m3,
        "math/add_n:0": X + m1 + m3,
        "math/where:0": np.where(((X > 0) & ~(X > 1)) | (X < -1), X, 0.0),
        "math/where_rows:0": np.where(rowmask[:, None], X, -X),
        "math/clip:0": np.clip(X, -0.5, 0.5),
        "math/l2n:0": X / np.sqrt(np.maximum((X * X).sum(axis=1, keepdims=True), 1e-12)),
        "math/idiv:0": (xi // 3).astype(np.float64),
        "math/twos:0": np.full(W.shape, 2.0),
    })
    weights = {"w": w, "b": b, "k": k, "table": table}
    # Batch normalisation, inference form: (x - mean) / sqrt(var + eps) * gamma + beta.
    def bn(prefix, v, channels, eps, scale=True):
        p = {"gamma": f32(g.uniform(0.5, 1.5, channels)), "beta": f32(g.uniform(-1, 1, channels)),
             "moving_mean": f32(g.uniform(-1, 1, channels)), "moving_variance": f32(g.uniform(0.2, 2, channels))}
        if not scale:
            del p["gamma"]
        weights.update({prefix + "/" + k: a for k, a in p.items()})
        q = {k: a.astype(np.float64) for k, a in p.items()}
        return (v - q["moving_mean"]) / np.sqrt(q["moving_variance"] + eps) * q.get("gamma", 1.0) + q["beta"]
    fetches.update({
        "norm/bn4_out:0": bn("bn4", I, 2, 1e-3),
        "norm/bn2_out:0": bn("bn2", X, 6, 1e-2),
        "norm/sbn_out:0": bn("sbn", I, 2, 1e-3, scale=False),
    })
    # conv2d_transpose, as a scatter: every input pixel adds its window of outputs.
    dz = f32(g.uniform(-1, 1, (B, 4, 4, 2)))
    dk = f32(g.uniform(-1, 1, (3, 3, 5, 2)))
    weights["dk"] = dk
    def deconv(oh, ow, s, same):
        return deconv_ref(dz, dk, oh, ow, s, same)
    fetches.update({
        "deconv/same_s2:0": deconv(8, 8, 2, True),
        "deconv/valid_s2:0": deconv(9, 9, 2, False),
        "deconv/same_s1:0": deconv(4, 4, 1, True),
    })
    fetches.update({
        "plumbing/tiled:0": np.tile(I, (2, 1, 1, 3)),
        "plumbing/padded:0": np.pad(I, ((0, 0), (1, 2), (0, 1), (0, 0))),
        "plumbing/sliced:0": I[:, 1:4, 2:4, 0:2],
        "plumbing/reversed:0": I[:, ::-1, :, ::-1],
    })
    rev = np.cumsum(I[:, :, ::-1, :], axis=2)[:, :, ::-1, :]
    fetches.update({
        "seq/moments_mean:0": I.mean(axis=(0, 1, 2)),
        "seq/moments_var:0": I.var(axis=(0, 1, 2)),
        "seq/onehot:0": np.where(np.arange(7)[None, None, :] == ids[:, :, None], 2.0, -1.0),
        "seq/csum:0": np.cumsum(X, axis=1),
        "seq/csum_er:0": rev - I,
    })
    fetches.update({
        "splits/split:0": I[..., 0:1], "splits/split:1": I[..., 1:2],
        "splits/sizes:0": I[:, :, 0:2, :], "splits/sizes:1": I[:, :, 2:, :],
        "splits/unstack:0": I[:, 0], "splits/unstack:4": I[:, 4],
    })
    sq = I * I
    window = sq + np.concatenate([sq[..., 1:], np.zeros_like(sq[..., :1])], -1) + \
        np.concatenate([np.zeros_like(sq[..., :1]), sq[..., :-1]], -1)
    fetches.update({
        "more/slim_softmax:0": softmax(I.reshape(-1, 2)).reshape(I.shape),
        "more/normalized:0": I / (2.0 + 0.5 * window) ** 0.75,
    })
    dwk = f32(g.uniform(-1, 1, (3, 3, 2, 2)))
    pwk = f32(g.uniform(-1, 1, (1, 1, 4, 3)))
    weights.update({"dwk": dwk, "pwk": pwk})
    def depthwise(v, k, stride, same):
        # each input channel c convolved with k[:, :, c, m] -> output channel c * M + m
        outs = [conv(v[..., c:c + 1], k[:, :, c:c + 1, :].astype(np.float64), stride, same) for c in range(v.shape[3])]
        return np.concatenate(outs, axis=3)
    fetches.update({
        "dw/same:0": depthwise(I, dwk, 1, True),
        "dw/separable:0": depthwise(I, dwk, 2, False) @ pwk[0, 0].astype(np.float64),
    })
    return {"x": x, "img": img, "ids": ids, "rowmask": rowmask, "dz": dz}, weights, fetches


def ints():
    """Integer, bool and mixed ops: exact results (compared for equality)."""
    B = 4
    x = f32(rng.integers(-8, 8, (B, 5)) * 0.125)
    n = rng.integers(-20, 20, (B, 5)).astype(np.int32)
    d = np.array([3, -4, 5, 7, -2], np.int32)
    m = rng.integers(0, 2, (B, 5)).astype(bool)
    q = rng.integers(-9, 9, (B, 5)).astype(np.int64)
    X = x.astype(np.float64)
    fetches = {
        "ints/arith:0": n + d * 3 - 1,
        "ints/floordiv:0": n // d,
        "ints/FloorMod:0": n % d,
        "ints/floordiv_op:0": n // 3,
        "ints/mod_op:0": n % -3,
        "ints/abs:0": np.abs(n),
        "ints/neg:0": -n,
        "ints/max:0": np.maximum(n, d),
        "ints/min:0": np.minimum(n, d),
        "ints/pow:0": n ** 3,
        "ints/square:0": q * q,
        "ints/sum:0": n.sum(axis=1).astype(np.int32),
        "ints/flat_sum:0": np.int32(n.sum()),
        "ints/rmax:0": q.max(axis=0),
        # TF's integer mean truncates toward zero
        "ints/mean:0": np.trunc(n.sum(axis=1) / 5).astype(np.int32),
        "ints/relu:0": np.maximum(n, 0),
        "compare/less:0": x < 0.25,
        "compare/ge:0": n >= d,
        "compare/eq:0": n == d,
        "compare/ne:0": m != (x < 0.25),
        "compare/le:0": q <= 2,
        "compare/gt:0": x > -0.5,
        "cast/to_int:0": np.trunc(X * 3).astype(np.int32),
        "cast/bool_to_float:0": m.astype(np.float32),
        "cast/to_double:0": n.astype(np.float64),
        "cast/to_bool:0": n != 0,
        "cast/float_to_bool:0": x != 0,
        "cast/narrow:0": q.astype(np.int32),
        "cast/from_double:0": f32(n * 0.5),
        "misc/argmax:0": X.argmax(axis=1).astype(np.int64),
        "misc/argmax0:0": n.argmax(axis=0).astype(np.int32),
        "misc/fill:0": np.full((2, 3), 7.5, np.float32),
        "misc/ffloordiv:0": f32(np.floor(X / np.float32(0.75))),
        "misc/ffloormod:0": f32(np.mod(X, -0.75)),
        "misc/concat:0": np.concatenate([n, d[None, :] + n], 0),
        "misc/transpose:0": m.T,
        "misc/batch2:0": np.concatenate([x, x], 0).reshape(-1, 10),
        "misc/arange:0": np.arange(3, 20, 4).astype(np.int32),
        "misc/arange64:0": np.arange(10, -2, -3).astype(np.int64),
        "misc/shape:0": np.array(x.shape, np.int32),
        "misc/batch:0": np.int64(B),
        "reduce/prod:0": np.prod(n, axis=1).astype(np.int32),
        # products of five multiples of 1/8: exact in float32
        "reduce/fprod:0": np.prod(X, axis=1).astype(np.float32),
        "reduce/any:0": m.any(axis=1),
        "reduce/all:0": m.all(axis=0, keepdims=True),
        "reduce/argmin:0": X.argmin(axis=1).astype(np.int64),
        "reduce/argmin0:0": n.argmin(axis=0).astype(np.int32),
        # top_k: largest first, equal values in input order (a stable sort of -v)
        "reduce/topk:0": np.take_along_axis(n, np.argsort(-n, axis=1, kind="stable")[:, :3], 1),
        "reduce/topk:1": np.argsort(-n, axis=1, kind="stable")[:, :3].astype(np.int32),
        "reduce/ftopk:0": np.take_along_axis(x, np.argsort(-x, axis=1, kind="stable")[:, :2], 1),
        "reduce/ftopk:1": np.argsort(-x, axis=1, kind="stable")[:, :2].astype(np.int32),
    }
    return {"x": x, "n": n, "d": d, "m": m, "q": q}, {}, fetches


def coarse(shape, scale):
    """Multiples of scale/8 in [-scale, scale): exact in float32, and they
    compress well, which keeps the committed files small."""
    return f32(rng.integers(-8, 8, shape) * (scale / 8))


def mlp():
    B = 4
    x = coarse((B, 784), 1.0)
    w1 = coarse((784, 256), 0.125)
    b1 = coarse((256,), 0.125)
    w2 = coarse((256, 10), 0.125)
    b2 = coarse((10,), 0.125)
    h = np.maximum(x.astype(np.float64) @ w1 + b1, 0)
    return ({"x": x},
            {"layer1/weights": w1, "layer1/biases": b1, "layer2/weights": w2, "layer2/biases": b2},
            {"layer2/add:0": h @ w2 + b2})


def layers():
    """tests/codegen/layers.scope: its own generator, so the other programs'
    data stay as they are when this one grows."""
    g = np.random.default_rng(20261202)
    B = 2
    img = f32(g.uniform(-1, 1, (B, 4, 4, 3)))
    I = img.astype(np.float64)
    w = {}
    def weight(name, shape):
        w[name] = f32(g.uniform(-0.5, 0.5, shape))
        return w[name].astype(np.float64)
    fetches = {
        "pieces/flat:0": I.reshape(B, -1),
        "pieces/rows:0": I.reshape(B, 4, -1),
        "pieces/filled:0": np.full((B, 2), 1.5),
    }
    k1, b1 = weight("up1/kernel", (3, 3, 5, 3)), weight("up1/bias", (5,))
    u1 = np.maximum(deconv_ref(I, k1, 8, 8, 2, True) + b1, 0)
    k2, b2 = weight("up2/weights", (3, 3, 2, 5)), weight("up2/biases", (2,))
    fetches["up1/Relu:0"] = u1
    fetches["up2/BiasAdd:0"] = deconv_ref(u1, k2, 17, 17, 2, False) + b2
    # tf.cond with is_training fed True: each cond's taken branch.
    fetches["branches/taken_true:0"] = I * 2.0
    fetches["branches/taken_false:0"] = np.maximum(I, 0)
    kt, bt = weight("fc_t/kernel", (48, 4)), weight("fc_t/bias", (4,))
    weight("fc_f/kernel", (48, 4)), weight("fc_f/bias", (4,))
    fetches["branches/dense:0"] = I.reshape(B, -1) @ kt + bt
    fetches["branches/nested:0"] = I + 1.0 if img.sum() > 0 else -I
    def dilated(v, k, r, same):
        n, h, wd, _ = v.shape
        kh, kw = k.shape[:2]
        eh, ew = (kh - 1) * r + 1, (kw - 1) * r + 1
        if same:
            oh, ow = h, wd
            v = np.pad(v, ((0, 0), ((eh - 1) // 2, eh - 1 - (eh - 1) // 2), ((ew - 1) // 2, ew - 1 - (ew - 1) // 2), (0, 0)))
        else:
            oh, ow = h - eh + 1, wd - ew + 1
        y = np.zeros((n, oh, ow) + k.shape[3:] if k.ndim == 4 else ())
        for i in range(kh):
            for j in range(kw):
                y = y + v[:, i * r:i * r + oh, j * r:j * r + ow, :] @ k[i, j]
        return y
    ka, ba = weight("atrous/weights", (3, 3, 3, 3)), weight("atrous/biases", (3,))
    fetches["dilated/slim_rate2:0"] = dilated(I, ka, 2, True) + ba
    kv, bv = weight("dil_valid/kernel", (2, 2, 3, 2)), weight("dil_valid/bias", (2,))
    fetches["dilated/layers_valid:0"] = dilated(I, kv, 2, False) + bv
    dwk = weight("dwk", (3, 3, 3, 2))
    def depthwise_dilated(v, k, r):
        return np.concatenate([dilated(v[..., c:c + 1], k[:, :, c:c + 1, :], r, True) for c in range(v.shape[3])], axis=3)
    fetches["dilated/dw_rate2:0"] = depthwise_dilated(I, dwk, 2)
    sdw, spw, sb = weight("sep/depthwise_weights", (3, 3, 3, 1)), weight("sep/pointwise_weights", (1, 1, 3, 4)), weight("sep/biases", (4,))
    fetches["dilated/separable:0"] = depthwise_dilated(I, sdw, 2) @ spw[0, 0] + sb
    seq = f32(g.uniform(-1, 1, (B, 5, 6)))
    S = seq.astype(np.float64)
    def layer_norm(v, axes, beta, gamma):
        m = v.mean(axis=axes, keepdims=True)
        var = ((v - m) ** 2).mean(axis=axes, keepdims=True)
        return (v - m) / np.sqrt(var + 1e-12) * gamma + beta
    b1, g1 = weight("LayerNorm/beta", (6,)), weight("LayerNorm/gamma", (6,))
    fetches["norms/layer_norm:0"] = layer_norm(S, (1, 2), b1, g1)
    b2, g2 = weight("ln_last/beta", (6,)), weight("ln_last/gamma", (6,))
    fetches["norms/layer_norm_last:0"] = layer_norm(S, (2,), b2, g2)
    lens = np.array([3, 0], np.int32)
    fetches["norms/mask:0"] = (np.arange(5)[None, :] < lens[:, None]).astype(np.float64)
    cw = weight("cw", (3, 6, 4))
    # conv1d SAME stride 2 on length 5: 3 outputs, padding (1, 1)
    sp = np.pad(S, ((0, 0), (1, 1), (0, 0)))
    fetches["norms/conv1d_out:0"] = np.stack([sum(sp[:, 2 * t + i, :] @ cw[i] for i in range(3)) for t in range(3)], axis=1)
    kc, bc = weight("causal/kernel", (2, 6, 3)), weight("causal/bias", (3,))
    cp = np.pad(S, ((0, 0), (2, 0), (0, 0)))  # causal: dilation * (kernel - 1) on the left
    fetches["seq1d/causal_out:0"] = np.stack([cp[:, t] @ kc[0] + cp[:, t + 2] @ kc[1] for t in range(5)], axis=1) + bc
    ks, bs = weight("c1d/kernel", (3, 6, 2)), weight("c1d/bias", (2,))
    fetches["seq1d/strided_out:0"] = np.stack([sum(sp[:, 2 * t + i, :] @ ks[i] for i in range(3)) for t in range(3)], axis=1) + bs
    fetches["pool1d/max:0"] = np.stack([S[:, 0:2].max(axis=1), S[:, 2:4].max(axis=1)], axis=1)
    # SAME average pooling counts only the elements inside the sequence
    fetches["pool1d/avg_same:0"] = np.stack([S[:, max(t - 1, 0):t + 2].mean(axis=1) for t in range(5)], axis=1)
    # Resizing, with TF's kernels' float32 coordinate arithmetic.
    def coords(n_in, n_out, align, half):
        scale = np.float32((n_in - 1) / (n_out - 1)) if align and n_out > 1 else np.float32(n_in) / np.float32(n_out)
        pos = np.arange(n_out, dtype=np.float32)
        return (pos + np.float32(0.5)) * scale - np.float32(0.5) if half else pos * scale
    def bilinear(v, oh, ow, align=False, half=False):
        out = []
        for c, n_in in ((coords(v.shape[1], oh, align, half), v.shape[1]), (coords(v.shape[2], ow, align, half), v.shape[2])):
            f = np.floor(c)
            out.append((np.maximum(f.astype(int), 0), np.minimum(np.ceil(c).astype(int), n_in - 1), (c - f).astype(np.float32)))
        (y0, y1, ly), (x0, x1, lx) = out
        v = v.astype(np.float32)
        top = v[:, y0][:, :, x0] + (v[:, y0][:, :, x1] - v[:, y0][:, :, x0]) * lx[None, None, :, None]
        bot = v[:, y1][:, :, x0] + (v[:, y1][:, :, x1] - v[:, y1][:, :, x0]) * lx[None, None, :, None]
        return top + (bot - top) * ly[None, :, None, None]
    def nearest(v, oh, ow, align=False):
        idx = []
        for n_in, n_out in ((v.shape[1], oh), (v.shape[2], ow)):
            c = coords(n_in, n_out, align, False)
            # TF rounds with roundf: halves away from zero (np.round would go to even)
            idx.append(np.minimum(np.floor(c + np.float32(0.5)) if align else np.floor(c), n_in - 1).astype(int))
        return v[:, idx[0]][:, :, idx[1]]
    fetches["resize/bilinear:0"] = bilinear(img, 7, 5)
    fetches["resize/nearest:0"] = nearest(I, 3, 8)
    fetches["resize/aligned:0"] = bilinear(img, 6, 6, align=True)
    fetches["resize/half_pixel:0"] = bilinear(img, 8, 3, half=True)
    fetches["resize/nearest_aligned:0"] = nearest(I, 7, 7, align=True)
    return {"img": img, "is_training": np.array(True), "seq": seq, "lens": lens}, w, fetches


def convs():
    """tests/codegen/convs.scope: a direct sum over the taps, in float64."""
    def conv2d(x, k, sh, sw, dh, dw, same):
        n, h, w, c = x.shape
        kh, kw, _, co = k.shape
        ekh, ekw = (kh - 1) * dh + 1, (kw - 1) * dw + 1
        if same:
            oh, ow = -(-h // sh), -(-w // sw)
            ph, pw = max((oh - 1) * sh + ekh - h, 0), max((ow - 1) * sw + ekw - w, 0)
            pt, pl = ph // 2, pw // 2
        else:
            oh, ow, pt, pl = (h - ekh) // sh + 1, (w - ekw) // sw + 1, 0, 0
        y = np.zeros((n, oh, ow, co))
        for i in range(oh):
            for j in range(ow):
                for a in range(kh):
                    for b in range(kw):
                        r, q = i * sh + a * dh - pt, j * sw + b * dw - pl
                        if 0 <= r < h and 0 <= q < w:
                            y[:, i, j, :] += x[:, r, q, :] @ k[a, b]
        return y
    img = f32(rng.standard_normal((2, 9, 37, 8)))
    w = {name: f32(rng.standard_normal(shape) * 0.2) for name, shape in
         (("k1", (5, 5, 8, 40)), ("b1", (40,)), ("k2", (3, 3, 8, 33)), ("k3", (3, 4, 8, 16)),
          ("k4", (1, 7, 8, 64)), ("b4", (64,)))}
    x = img.astype(np.float64)
    W = {k: v.astype(np.float64) for k, v in w.items()}
    fetches = {
        "same_relu:0": np.maximum(conv2d(x, W["k1"], 1, 1, 1, 1, True) + W["b1"], 0),
        "strided:0": conv2d(x, W["k2"], 2, 3, 1, 1, True),
        "dilated:0": conv2d(x, W["k3"], 1, 1, 2, 2, False),
    }
    z = conv2d(x, W["k4"], 1, 1, 1, 1, True) + W["b4"]
    fetches["wide_leaky:0"] = np.where(z > 0, z, 0.1 * z)
    strip = f32(rng.standard_normal((2, 3, 200, 2)))
    w["k5"] = f32(rng.standard_normal((2, 100, 2, 3)) * 0.1)
    fetches["wide_filter:0"] = conv2d(strip.astype(np.float64), w["k5"].astype(np.float64), 1, 1, 1, 1, True)
    fetches["wide_dilated:0"] = conv2d(strip.astype(np.float64), w["k5"].astype(np.float64), 1, 1, 1, 2, True)
    w["k6"] = f32(rng.standard_normal((3, 3, 8, 56)) * 0.2)
    w["k7"] = f32(rng.standard_normal((3, 3, 8, 48)) * 0.2)
    fetches["two_panels:0"] = conv2d(x, w["k6"].astype(np.float64), 1, 1, 1, 1, True)
    fetches["one_panel_sigmoid:0"] = 1 / (1 + np.exp(-conv2d(x, w["k7"].astype(np.float64), 2, 2, 1, 1, False)))
    return {"img": img, "strip": strip}, w, fetches


for name, make in (("ops", ops), ("mlp", mlp), ("ints", ints), ("layers", layers), ("convs", convs)):
    feeds, weights, fetches = make()
    np.savez_compressed(os.path.join(out, name + "_feeds.npz"), **feeds)
    np.savez_compressed(os.path.join(out, name + "_weights.npz"), **weights)
    # ops and mlp: float32 results (computed in float64); ints: exact, in their dtypes.
    keep = name == "ints"
    np.savez_compressed(os.path.join(out, name + "_expected.npz"),
                        **{k: (np.asarray(v) if keep else f32(v)) for k, v in fetches.items()})
    print(name, "->", len(fetches), "fetches")
