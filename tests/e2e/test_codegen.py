#!/usr/bin/env python3
"""End-to-end tests of native code: scopec run (JIT), build (AOT), weights.

Numerics are compared with reference data made by NumPy (tests/codegen/
make_reference.py); the relative error is max|got - ref| / max|ref| per fetch."""
import argparse
import ctypes
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import numpy as np

SCOPEC = None
RT_LIB = None
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CODEGEN = os.path.join(ROOT, "tests", "codegen")
REF = os.path.join(CODEGEN, "ref")
TOL = 1e-5


def run(*args, cwd=None):
    p = subprocess.run([SCOPEC, *args], capture_output=True, cwd=cwd, timeout=300)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def rel_err(got, ref):
    ref = ref.astype(np.float64)
    return np.abs(got.astype(np.float64) - ref).max() / max(np.abs(ref).max(), 1e-30)


def load_model(base, prefix):
    """A model built with --emit so, through ctypes: (run, scratch_size)."""
    lib = ctypes.CDLL(base + ".so")
    run_fn, scratch = getattr(lib, prefix + "_run"), getattr(lib, prefix + "_scratch_size")
    run_fn.restype = ctypes.c_int32
    run_fn.argtypes = [ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    scratch.restype = ctypes.c_int64
    scratch.argtypes = [ctypes.c_int64]
    return run_fn, scratch


class Tmp(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def program(self, name, *lines):
        """Writes NAME.scope: the TF import, then `lines`; returns its path."""
        prog = self.path(name + ".scope")
        with open(prog, "w") as f:
            f.write("import tensorflow as tf\n" + "".join(line + "\n" for line in lines))
        return prog

    def fetch(self, prog, weights, feeds, fetches, *extra):
        """`scopec run prog` with `weights` and `feeds` (name -> array) saved as .npz;
        asserts success and returns the fetched arrays by tensor name."""
        np.savez(self.path("w.npz"), **weights)
        np.savez(self.path("in.npz"), **feeds)
        rc, _, err = run("run", prog, "--input", self.path("in.npz"), "--weights", self.path("w.npz"),
                         *[a for t in fetches for a in ("--fetch", t)], *extra, "-o", self.path("o.npz"))
        self.assertEqual(rc, 0, err)
        return dict(np.load(self.path("o.npz")))


class JITNumerics(Tmp):
    def check_program(self, name):
        expected = np.load(os.path.join(REF, name + "_expected.npz"))
        fetches = [a for k in expected.keys() for a in ("--fetch", k)]
        out = self.path("out.npz")
        rc, _, err = run("run", os.path.join(CODEGEN, name + ".scope"),
                         "--input", os.path.join(REF, name + "_feeds.npz"),
                         "--weights", os.path.join(REF, name + "_weights.npz"), *fetches, "-o", out)
        self.assertEqual(rc, 0, err)
        got = np.load(out)
        for k in expected.keys():
            with self.subTest(fetch=k):
                self.assertEqual(got[k].shape, expected[k].shape)
                self.assertLess(rel_err(got[k], expected[k]), TOL)

    def test_every_op(self):
        self.check_program("ops")

    def test_layers_and_plumbing(self):
        # tests/codegen/layers.scope: run-time batch, shapes built from tf.shape pieces.
        self.check_program("layers")

    def test_convolution_blocking(self):
        # tests/codegen/convs.scope: edge blocks, runs of blocks, channel panels, strides, dilation.
        self.check_program("convs")

    def test_integer_bool_and_mixed_ops(self):
        # Exact results in TF's dtypes (int32, int64, bool, float64).
        expected = np.load(os.path.join(REF, "ints_expected.npz"))
        fetches = [a for k in expected.keys() for a in ("--fetch", k)]
        out = self.path("out.npz")
        rc, _, err = run("run", os.path.join(CODEGEN, "ints.scope"),
                         "--input", os.path.join(REF, "ints_feeds.npz"), *fetches, "-o", out)
        self.assertEqual(rc, 0, err)
        got = np.load(out)
        for k in expected.keys():
            with self.subTest(fetch=k):
                self.assertEqual(got[k].dtype, expected[k].dtype)
                self.assertEqual(got[k].shape, expected[k].shape)
                np.testing.assert_array_equal(got[k], expected[k])

    def test_integer_division_by_zero_is_a_run_time_error(self):
        prog = self.path("div.scope")
        with open(prog, "w") as f:
            f.write("import tensorflow as tf\nn = tf.placeholder(tf.int32, [None, 2], name='n')\n"
                    "y = tf.floordiv(n, n)\n")
        np.save(self.path("n.npy"), np.array([[4, 0]], np.int32))
        rc, _, err = run("run", prog, "--input", "n=" + self.path("n.npy"))
        self.assertEqual(rc, 1)
        self.assertIn("integer division by zero", err)
        # An int feed given as floats converts when the values are integers, else exit 2.
        np.save(self.path("f.npy"), np.array([[4.0, 2.0]]))
        rc, out, err = run("run", prog, "--input", "n=" + self.path("f.npy"))
        self.assertEqual(rc, 0, err)
        self.assertIn("floordiv:0 int32[1,2]", out)
        np.save(self.path("g.npy"), np.array([[4.5, 2.0]]))
        rc, _, err = run("run", prog, "--input", "n=" + self.path("g.npy"))
        self.assertEqual(rc, 2)
        self.assertIn("cannot be converted to the placeholder's int32: element 0 (4.500000) is not a int32", err)

    def test_gather_index_out_of_range_is_a_run_time_error(self):
        # TF raises InvalidArgumentError "indices[0,1] = 7 is not in [0, 7)";
        # the compiled model returns status 4 (U_INDEX), `scopec run` exits 1.
        prog = self.path("emb.scope")
        with open(prog, "w") as f:
            f.write("import tensorflow as tf\nids = tf.placeholder(tf.int32, [None, 2], name='ids')\n"
                    "t = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])\n"
                    "y = tf.nn.embedding_lookup(t, ids, name='emb')\n")
        np.save(self.path("ok.npy"), np.array([[2, 0]], np.int32))
        rc, _, err = run("run", prog, "--input", "ids=" + self.path("ok.npy"), "-o", self.path("o.npz"))
        self.assertEqual(rc, 0, err)
        np.testing.assert_array_equal(np.load(self.path("o.npz"))["emb/Identity:0"], [[[5.0, 6.0], [1.0, 2.0]]])
        for bad in ([[0, 3]], [[-1, 0]]):
            np.save(self.path("bad.npy"), np.array(bad, np.int32))
            rc, _, err = run("run", prog, "--input", "ids=" + self.path("bad.npy"))
            self.assertEqual(rc, 1)
            self.assertIn("an index out of range", err)

    def test_cond_runs_only_the_taken_branch(self):
        # The untaken branch's gather would be out of range: it must not run
        # (status 0), while the same gather in the taken branch is status 4.
        prog = self.path("cond.scope")
        with open(prog, "w") as f:
            f.write("import tensorflow as tf\nids = tf.placeholder(tf.int32, [None], name='ids')\n"
                    "safe = tf.placeholder(tf.bool, [], name='safe')\n"
                    "t = tf.constant([[1.0, 2.0], [3.0, 4.0]])\n"
                    "y = tf.cond(safe, lambda: tf.zeros([tf.shape(ids)[0], 2]) + 1.0,\n"
                    "            lambda: tf.gather(t, ids), name='pick')\n")
        np.save(self.path("ids.npy"), np.array([0, 5, 1], np.int32))
        for flag, rc_want in ((True, 0), (False, 1)):
            np.save(self.path("safe.npy"), np.array(flag))
            rc, _, err = run("run", prog, "--input", "ids=" + self.path("ids.npy"), "--input",
                             "safe=" + self.path("safe.npy"), "--fetch", "pick/Merge:0", "-o", self.path("o.npz"))
            self.assertEqual(rc, rc_want, err)
            if flag:
                np.testing.assert_array_equal(np.load(self.path("o.npz"))["pick/Merge:0"], np.ones((3, 2)))
            else:
                self.assertIn("an index out of range", err)
        # An op inside a branch is not fetchable (TF's prevent_fetching).
        rc, _, err = run("run", prog, "--input", "ids=" + self.path("ids.npy"), "--input",
                         "safe=" + self.path("safe.npy"), "--fetch", "pick/GatherV2:0")
        self.assertEqual(rc, 2)
        self.assertIn("Operation 'pick/GatherV2' has been marked as not fetchable", err)
        # The AOT library takes the same branch (value_index says which).
        base = self.path("condlib")
        rc, _, err = run("build", prog, "-o", base, "--emit", "so,header", "--prefix", "pick",
                         "--fetch", "pick/Merge:0", "--fetch", "pick/Merge:1")
        self.assertEqual(rc, 0, err)
        pick_run, pick_scratch = load_model(base, "pick")
        ids = np.array([1, 0], np.int32)
        for flag in (True, False):
            safe = np.array(flag)
            out, idx = np.zeros((2, 2), np.float32), np.zeros((), np.int32)
            feeds = (ctypes.c_void_p * 2)(ids.ctypes.data, safe.ctypes.data)
            fetches = (ctypes.c_void_p * 2)(out.ctypes.data, idx.ctypes.data)
            scratch = np.zeros(pick_scratch(2) + 64, np.uint8)
            self.assertEqual(pick_run(2, feeds, fetches, (scratch.ctypes.data + 63) // 64 * 64), 0)
            np.testing.assert_array_equal(out, np.ones((2, 2)) if flag else [[3.0, 4.0], [1.0, 2.0]])
            self.assertEqual(int(idx), 1 if flag else 0)

    def test_gemm_blocks_tails_and_fused_epilogue(self):
        # 29 rows = two 12-row blocks, a 4-row block and a single row; 37 columns = 32 + a
        # masked tail of 5; bias and relu fused into the epilogue; a 3x3 convolution on
        # 7x9 images (rows spanning image rows, taps in the padding) against NumPy.
        prog = self.path("gemm.scope")
        with open(prog, "w") as f:
            f.write("import tensorflow as tf\n"
                    "x = tf.placeholder(tf.float32, [None, 70], name='x')\n"
                    "w = tf.get_variable('w', [70, 37])\nb = tf.get_variable('b', [37])\n"
                    "y = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w), b), name='y')\n"
                    "img = tf.placeholder(tf.float32, [None, 7, 9, 3], name='img')\n"
                    "k = tf.get_variable('k', [3, 3, 3, 20])\nc = tf.get_variable('c', [20])\n"
                    "z = tf.nn.relu(tf.nn.conv2d(img, k, [1, 1, 1, 1], 'SAME') + c, name='z')\n")
        rng = np.random.default_rng(11)
        x = rng.uniform(-1, 1, (29, 70)).astype(np.float32)
        img = rng.uniform(-1, 1, (29, 7, 9, 3)).astype(np.float32)
        wts = {"w": rng.uniform(-1, 1, (70, 37)).astype(np.float32), "b": rng.uniform(-1, 1, 37).astype(np.float32),
               "k": rng.uniform(-1, 1, (3, 3, 3, 20)).astype(np.float32), "c": rng.uniform(-1, 1, 20).astype(np.float32)}
        np.savez(self.path("w.npz"), **wts)
        np.savez(self.path("in.npz"), x=x, img=img)
        rc, _, err = run("run", prog, "--input", self.path("in.npz"), "--weights", self.path("w.npz"),
                         "--fetch", "y", "--fetch", "z", "-o", self.path("o.npz"))
        self.assertEqual(rc, 0, err)
        o = np.load(self.path("o.npz"))
        y = np.maximum(x.astype(np.float64) @ wts["w"] + wts["b"], 0)
        self.assertLess(rel_err(o["y:0"], y), TOL)
        pad = np.pad(img.astype(np.float64), ((0, 0), (1, 1), (1, 1), (0, 0)))
        z = np.zeros((29, 7, 9, 20))
        for i in range(3):
            for j in range(3):
                z += pad[:, i:i + 7, j:j + 9, :] @ wts["k"][i, j]
        self.assertLess(rel_err(o["z:0"], np.maximum(z + wts["c"], 0)), TOL)

    def check_dense_on_threads(self, name, k, n, batches, seed):
        """relu(x @ w + b) for x of each batch size: the same bits on 1, 2 and 3 threads,
        and NumPy's result."""
        prog = self.program(name, "x = tf.placeholder(tf.float32, [None, %d], name='x')" % k,
                            "w = tf.get_variable('w', [%d, %d])" % (k, n), "b = tf.get_variable('b', [%d])" % n,
                            "y = tf.nn.relu(tf.matmul(x, w) + b, name='y')")
        rng = np.random.default_rng(seed)
        wts = {"w": rng.uniform(-1, 1, (k, n)).astype(np.float32), "b": rng.uniform(-1, 1, n).astype(np.float32)}
        for rows in batches:
            x = rng.uniform(-1, 1, (rows, k)).astype(np.float32)
            outs = []
            for threads in ("1", "2", "3"):
                with self.subTest(rows=rows, threads=threads):
                    outs.append(self.fetch(prog, wts, {"x": x}, ["y"], "--threads", threads)["y:0"])
                    np.testing.assert_array_equal(outs[-1], outs[0])
            self.assertLess(rel_err(outs[0], np.maximum(x.astype(np.float64) @ wts["w"] + wts["b"], 0)), TOL)

    def test_single_rows_in_one_pass_and_split_between_threads(self):
        # 300 columns = three groups of 96 (three of 128 would be an odd count of groups for two
        # threads) and one of 12 (a masked tail). One thread runs a single row (batch 1, the
        # 13th row of batch 13, the 29th of batch 29 after two 12-row blocks and a 4-row one)
        # over 192 columns in one pass, then the last 108; two and three threads split the
        # groups. 640 columns: four groups of 160, a single row's passes of 160.
        self.check_dense_on_threads("wide", 90, 300, (1, 13, 29), 13)
        self.check_dense_on_threads("wide160", 40, 640, (1, 13), 19)

    def test_tall_products_split_in_chunks_between_threads(self):
        # M >= N on several threads: row blocks in chunks of 8, each chunk group by group.
        # 150 columns = a 128-column group and one of 22; 200 rows = 16 blocks of 12 and a
        # rest of 8 (two 4-row blocks): chunks of 8, 8 and 1 row blocks, cut by the threads'
        # ranges in the middle of a chunk.
        self.check_dense_on_threads("tall", 30, 150, (200,), 16)

    def test_a_large_b_runs_in_chunks_on_one_thread(self):
        # B of 600 x 500 floats (1.2 MB, over half the L2): one thread also takes row blocks in
        # chunks of 8, each group by group; 110 rows = 9 blocks of 12 and a rest of 2 single
        # rows: chunks of 8 and 2 row blocks. 500 columns = three 128-column groups and one of 116.
        self.check_dense_on_threads("bigb", 600, 500, (1, 110), 17)

    def test_a_rows_result_does_not_depend_on_its_batch(self):
        # 29 rows: blocks of 12 (6 for the 10-wide layer, 4 partial sums per output), of 4,
        # and single rows. K = 70 is not a multiple of 4. A row run alone gives the same bits.
        prog = self.program("rows", "x = tf.placeholder(tf.float32, [None, 70], name='x')",
                            "w = tf.get_variable('w', [70, 10])", "v = tf.get_variable('v', [70, 37])",
                            "y = tf.matmul(x, w, name='y')", "z = tf.matmul(x, v, name='z')")
        rng = np.random.default_rng(14)
        wts = {"w": rng.uniform(-1, 1, (70, 10)).astype(np.float32), "v": rng.uniform(-1, 1, (70, 37)).astype(np.float32)}
        x = rng.uniform(-1, 1, (29, 70)).astype(np.float32)
        o = self.fetch(prog, wts, {"x": x}, ["y", "z"])
        self.assertLess(rel_err(o["y:0"], x.astype(np.float64) @ wts["w"]), TOL)
        self.assertLess(rel_err(o["z:0"], x.astype(np.float64) @ wts["v"]), TOL)
        for r in (0, 11, 13, 25, 28):
            with self.subTest(row=r):
                alone = self.fetch(prog, wts, {"x": x[r:r + 1]}, ["y", "z"])
                np.testing.assert_array_equal(alone["y:0"][0], o["y:0"][r])
                np.testing.assert_array_equal(alone["z:0"][0], o["z:0"][r])

    def test_fetched_views_are_written_in_place(self):
        # y = tf.identity(h): the MatMul writes the fetch buffer itself (no copy loop in the
        # IR); a view of a tensor with another consumer, of a feed, and a tensor fetched
        # together with its view are still right.
        lines = ["x = tf.placeholder(tf.float32, [None, 20], name='x')", "w = tf.get_variable('w', [20, 24])",
                 "y = tf.identity(tf.matmul(x, w), name='y')",
                 "r = tf.reshape(tf.nn.relu(tf.matmul(x, w)), [-1, 4, 6], name='r')"]
        prog = self.program("views", *lines)
        rng = np.random.default_rng(15)
        wts = {"w": rng.uniform(-1, 1, (20, 24)).astype(np.float32)}
        x = rng.uniform(-1, 1, (5, 20)).astype(np.float32)
        rc, _, err = run("build", prog, "-o", self.path("views"), "--emit", "llvm", "-O0")
        self.assertEqual(rc, 0, err)
        with open(self.path("views.ll")) as f:
            self.assertNotIn("copy.head", f.read())
        ref = x.astype(np.float64) @ wts["w"]
        o = self.fetch(prog, wts, {"x": x}, ["y", "r"])
        self.assertLess(rel_err(o["y:0"], ref), TOL)
        self.assertLess(rel_err(o["r:0"], np.maximum(ref, 0).reshape(-1, 4, 6)), TOL)
        prog = self.program("views2", *lines, "s = tf.matmul(x, w, name='s')", "t = tf.identity(s, name='t')",
                            "u = tf.add(s, 1.0, name='u')", "xi = tf.identity(x, name='xi')")
        o = self.fetch(prog, wts, {"x": x}, ["t", "u", "xi", "y"])
        self.assertLess(rel_err(o["t:0"], ref), TOL)
        self.assertLess(rel_err(o["u:0"], ref + 1), TOL)
        np.testing.assert_array_equal(o["xi:0"], x)
        o = self.fetch(prog, wts, {"x": x}, ["s", "t"])
        np.testing.assert_array_equal(o["s:0"], o["t:0"])
        self.assertLess(rel_err(o["s:0"], ref), TOL)

    def test_activations_in_the_epilogue_are_the_ops_bitwise(self):
        # tf.maximum(a * h, h), its mirror, tf.nn.leaky_relu and tf.sigmoid after a MatMul +
        # bias (and tf.sigmoid after a conv2d) run in the epilogue; fetching h as well keeps
        # them separate ops. Same bits either way.
        prog = self.path("leaky.scope")
        with open(prog, "w") as f:
            f.write("import tensorflow as tf\n"
                    "x = tf.placeholder(tf.float32, [None, 50], name='x')\n"
                    "img = tf.placeholder(tf.float32, [None, 6, 7, 3], name='img')\n"
                    "w = tf.get_variable('w', [50, 40])\nb = tf.get_variable('b', [40])\n"
                    "k = tf.get_variable('k', [3, 3, 3, 20])\n"
                    "def h(): return tf.nn.bias_add(tf.matmul(x, w), b)\n"
                    "h2 = h()\ny2 = tf.maximum(h2, 0.2 * h2, name='y2')\n"
                    "h3 = h()\ny3 = tf.nn.leaky_relu(h3, 0.3, name='y3')\n"
                    "h4 = h()\ny4 = tf.maximum(0.01 * h4, h4, name='y4')\n"
                    "h5 = h()\ny5 = tf.sigmoid(h5, name='y5')\n"
                    "c = tf.nn.conv2d(img, k, [1, 1, 1, 1], 'SAME', name='c')\ny6 = tf.sigmoid(c, name='y6')\n")
        rng = np.random.default_rng(12)
        np.savez(self.path("w.npz"), w=rng.uniform(-1, 1, (50, 40)).astype(np.float32),
                 b=rng.uniform(-1, 1, 40).astype(np.float32), k=rng.uniform(-1, 1, (3, 3, 3, 20)).astype(np.float32))
        np.savez(self.path("in.npz"), x=rng.uniform(-3, 3, (17, 50)).astype(np.float32),
                 img=rng.uniform(-3, 3, (17, 6, 7, 3)).astype(np.float32))
        common = ["--input", self.path("in.npz"), "--weights", self.path("w.npz")]
        ys = [a for y in ("y2", "y3", "y4", "y5", "y6") for a in ("--fetch", y)]
        rc, _, err = run("run", prog, *common, *ys, "-o", self.path("fused.npz"))
        self.assertEqual(rc, 0, err)
        rc, _, err = run("run", prog, *common, *ys, "--fetch", "BiasAdd", "--fetch", "BiasAdd_1", "--fetch", "BiasAdd_2",
                         "--fetch", "BiasAdd_3", "--fetch", "c", "-o", self.path("ops.npz"))
        self.assertEqual(rc, 0, err)
        fused, ops = np.load(self.path("fused.npz")), np.load(self.path("ops.npz"))
        for k in ("y2:0", "y3:0", "y4:0", "y5:0", "y6:0"):
            with self.subTest(fetch=k):
                np.testing.assert_array_equal(fused[k], ops[k])
        hh = ops["BiasAdd:0"].astype(np.float64)  # the four h are the same values
        self.assertLess(rel_err(fused["y2:0"], np.maximum(hh, 0.2 * hh)), TOL)
        self.assertLess(rel_err(fused["y3:0"], np.where(hh > 0, hh, 0.3 * hh)), TOL)
        self.assertLess(rel_err(fused["y4:0"], np.maximum(0.01 * hh, hh)), TOL)
        self.assertLess(rel_err(fused["y5:0"], 1 / (1 + np.exp(-hh))), TOL)
        self.assertLess(rel_err(fused["y6:0"], 1 / (1 + np.exp(-ops["c:0"].astype(np.float64)))), TOL)

    def test_exp_is_within_an_ulp(self):
        # float32 exp is our own vector code (expF32): every float from below the subnormal
        # results to beyond the overflow, against float64, within 1 ulp of the exact value;
        # inf, -inf, NaN, zeros and the results that round to 0, the smallest subnormal or inf.
        prog = self.program("exp", "x = tf.placeholder(tf.float32, [None], name='x')",
                            "y = tf.exp(x, name='y')", "s = tf.sigmoid(x, name='s')")
        rng = np.random.default_rng(5)
        special = np.array([0, -0.0, np.inf, -np.inf, np.nan, 88.72283, 88.72284, 89, -87.33654, -103.27893,
                            -103.972, -104, -1e30, 1e-30, 0.34657359, -0.34657359], np.float32)
        x = np.concatenate([np.linspace(-110, 95, 400001, dtype=np.float32),
                            rng.uniform(-104, 89, 200000).astype(np.float32), special])
        o = self.fetch(prog, {}, {"x": x}, ["y", "s"])
        y, s = o["y:0"], o["s:0"]
        exact = np.exp(x.astype(np.float64))
        with np.errstate(over="ignore", invalid="ignore"):
            rounded = exact.astype(np.float32)
            ulps = np.abs(y - exact) / np.spacing(np.abs(rounded)).astype(np.float64)
        finite = np.isfinite(rounded)
        self.assertLessEqual(ulps[finite].max(), 1.0)
        np.testing.assert_array_equal(np.isinf(y), np.isinf(rounded))  # overflow exactly where float32 overflows
        n = len(special)
        np.testing.assert_array_equal(y[-n:][[0, 1, 2, 3, 7, 11, 12, 13]], np.float32([1, 1, np.inf, 0, np.inf, 0, 0, 1]))
        self.assertTrue(np.isnan(y[-n:][4]))
        self.assertEqual(y[-n:][10], np.float32(1.4e-45))  # exp(-103.972): the smallest subnormal
        # sigmoid = 1 / (1 + exp(-x)), within 3e-7 (relative) wherever exp(-x) is finite.
        ok = np.isfinite(x) & (x > -88.7)
        ref = 1 / (1 + np.exp(-x[ok].astype(np.float64)))
        self.assertLess((np.abs(s[ok] - ref) / ref).max(), 3e-7)
        np.testing.assert_array_equal(s[-n:][[2, 3]], np.float32([1, 0]))
        self.assertTrue(np.isnan(s[-n:][4]))

    def test_scratch_is_planned_by_liveness(self):
        # Six conv+relu+scale layers on 32x32x16: the intermediates take turns in two
        # activation-sized slots (was one slot each), and the result still matches NumPy.
        # Each convolution also keeps its task's context in a 64-byte slot.
        prog = self.path("deep.scope")
        with open(prog, "w") as f:
            f.write("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 8, 8, 16], name='x')\nh = x\n"
                    "for i in range(6):\n    with tf.variable_scope('c%d' % i):\n"
                    "        w = tf.get_variable('w', [3, 3, 16, 16])\n"
                    "        h = tf.nn.relu(tf.nn.conv2d(h, w, [1, 1, 1, 1], 'SAME')) * 0.5\n"
                    "y = tf.identity(h, name='y')\n")
        base = self.path("deep")
        rc, _, err = run("build", prog, "-o", base, "--emit", "so", "--prefix", "deep")
        self.assertEqual(rc, 0, err)
        _, scratch_size = load_model(base, "deep")
        act = 8 * 8 * 16 * 4
        for batch in (1, 3):
            self.assertLessEqual(scratch_size(batch), 2 * act * batch + 64 + 6 * 64)
        rng = np.random.default_rng(5)
        x = rng.uniform(-1, 1, (3, 8, 8, 16)).astype(np.float32)
        ws = {"c%d/w" % i: rng.uniform(-0.3, 0.3, (3, 3, 16, 16)).astype(np.float32) for i in range(6)}
        np.save(self.path("x.npy"), x)
        np.savez(self.path("w.npz"), **ws)
        rc, _, err = run("run", prog, "--input", "x=" + self.path("x.npy"), "--weights", self.path("w.npz"),
                         "--fetch", "y", "-o", self.path("o.npz"))
        self.assertEqual(rc, 0, err)
        h = x.astype(np.float64)
        for i in range(6):
            p = np.pad(h, ((0, 0), (1, 1), (1, 1), (0, 0)))
            z = np.zeros_like(h)
            for a in range(3):
                for b in range(3):
                    z += p[:, a:a + 8, b:b + 8, :] @ ws["c%d/w" % i][a, b]
            h = np.maximum(z, 0) * 0.5
        self.assertLess(rel_err(np.load(self.path("o.npz"))["y:0"], h), TOL)

    def test_mlp(self):
        self.check_program("mlp")

    def test_seed_models_share_weights(self):
        # seed 001's image filter and seed 000's discriminator: the two calls
        # share their variables, so equal inputs give equal outputs; and the
        # output matches NumPy on the weights scopec weights writes.
        model = os.path.join(ROOT, "examples", "000_two_kinds_of_variables", "discriminator.scope")
        x = np.random.default_rng(1).uniform(-1, 1, (5, 784)).astype(np.float32)
        np.save(self.path("x.npy"), x)
        rc, _, err = run("run", model, "--input", "real_img=" + self.path("x.npy"),
                         "--input", "g_outputs=" + self.path("x.npy"), "-o", self.path("o.npz"))
        self.assertEqual(rc, 0, err)
        rc, _, err = run("weights", model, "-o", self.path("w.npz"))
        self.assertEqual(rc, 0, err)
        o, w = np.load(self.path("o.npz")), np.load(self.path("w.npz"))
        h = x.astype(np.float64) @ w["discriminator/dense/kernel"] + w["discriminator/dense/bias"]
        h = np.maximum(0.01 * h, h)
        y = 1 / (1 + np.exp(-(h @ w["discriminator/dense_1/kernel"] + w["discriminator/dense_1/bias"])))
        self.assertLess(rel_err(o["discriminator/Sigmoid:0"], y), TOL)
        np.testing.assert_array_equal(o["discriminator/Sigmoid:0"], o["discriminator_1/Sigmoid:0"])

    def test_image_filter_of_seed_001_jit_and_aot(self):
        # Two SAME 5x5 convolutions + bias + relu, the second call reusing the
        # variables; NumPy computes the reference in float64 from the weights
        # scopec weights writes.
        model = os.path.join(ROOT, "examples", "001_sharing_variables", "conv_relu_reuse.scope")
        rng = np.random.default_rng(3)
        x = rng.uniform(-1, 1, (2, 64, 64, 32)).astype(np.float32)
        np.save(self.path("x.npy"), x)
        rc, _, err = run("weights", model, "-o", self.path("w.npz"), "--seed", "5")
        self.assertEqual(rc, 0, err)
        rc, _, err = run("run", model, "--weights", self.path("w.npz"), "--input", "image1=" + self.path("x.npy"),
                         "--fetch", "image_filters/conv2/Relu:0", "-o", self.path("o.npz"))
        self.assertEqual(rc, 0, err)
        w = np.load(self.path("w.npz"))

        def conv_relu(v, k, b):
            p = np.pad(v, ((0, 0), (2, 2), (2, 2), (0, 0)))
            y = np.zeros(v.shape[:3] + (k.shape[3],))
            for i in range(5):
                for j in range(5):
                    y += p[:, i:i + 64, j:j + 64, :] @ k[i, j]
            return np.maximum(y + b, 0)

        h = conv_relu(x.astype(np.float64), w["image_filters/conv1/weights"], w["image_filters/conv1/biases"])
        ref = conv_relu(h, w["image_filters/conv2/weights"], w["image_filters/conv2/biases"])
        jit = np.load(self.path("o.npz"))["image_filters/conv2/Relu:0"]
        self.assertLess(rel_err(jit, ref), TOL)
        # The same model ahead of time (a shared object through ctypes).
        base = self.path("filt")
        rc, _, err = run("build", model, "-o", base, "--emit", "so", "--prefix", "filt", "--weights",
                         self.path("w.npz"), "--fetch", "image_filters/conv2/Relu:0")
        self.assertEqual(rc, 0, err)
        filt_run, filt_scratch_size = load_model(base, "filt")
        out = np.zeros(ref.shape, np.float32)
        scratch = np.zeros(filt_scratch_size(2) // 4 + 64, np.float32)
        aligned = (scratch.ctypes.data + 63) // 64 * 64
        feed_ptrs = (ctypes.c_void_p * 1)(x.ctypes.data)
        fetch_ptrs = (ctypes.c_void_p * 1)(out.ctypes.data)
        self.assertEqual(filt_run(2, feed_ptrs, fetch_ptrs, aligned), 0)
        self.assertLess(rel_err(out, ref), TOL)
        # PREFIX_run_parallel with a host's parallel_for (here: the units one at a time,
        # last first): bitwise the same as PREFIX_run.
        lib = ctypes.CDLL(base + ".so")
        task_t = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)
        calls = []

        @ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p)
        def parallel_for(pool, n, task, ctx):
            calls.append(n)
            fn = task_t(task)
            for u in reversed(range(n)):
                fn(ctx, u, u + 1)

        par = lib.filt_run_parallel
        par.restype = ctypes.c_int32
        par.argtypes = [ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                        ctypes.c_void_p]
        out2 = np.zeros(ref.shape, np.float32)
        fetch2 = (ctypes.c_void_p * 1)(out2.ctypes.data)
        self.assertEqual(par(2, feed_ptrs, fetch2, aligned, ctypes.cast(parallel_for, ctypes.c_void_p), None), 0)
        self.assertEqual(len(calls), 2)  # one parallel_for per convolution
        self.assertGreater(min(calls), 1)
        np.testing.assert_array_equal(out2.view(np.uint32), out.view(np.uint32))
        # The built-in pool of `scopec run --threads`: bitwise the same for 1, 2 and 3 threads.
        outs = []
        for threads in ("1", "2", "3"):
            rc, _, err = run("run", model, "--input", "image1=" + self.path("x.npy"), "--weights", self.path("w.npz"),
                             "--fetch", "image_filters/conv2/Relu:0", "--threads", threads,
                             "-o", self.path("t%s.npz" % threads))
            self.assertEqual(rc, 0, err)
            outs.append(np.load(self.path("t%s.npz" % threads))["image_filters/conv2/Relu:0"])
        for o in outs[1:]:
            np.testing.assert_array_equal(o.view(np.uint32), outs[0].view(np.uint32))
        rc, _, err = run("run", model, "--threads", "0")
        self.assertEqual(rc, 2)
        self.assertIn("--threads", err)

    def test_random_ops_in_the_forward_pass(self):
        # Counter-based and stateless: TF's distributions, the same values on
        # every run, other values for another --seed.
        prog = self.path("r.scope")
        with open(prog, "w") as f:
            f.write("import tensorflow as tf\n"
                    "u = tf.random_uniform([400, 500], minval=-1.0, maxval=3.0, name='u')\n"
                    "n = tf.random_normal([400, 500], mean=1.0, stddev=2.0, name='n')\n"
                    "t = tf.truncated_normal([400, 500], stddev=0.5, name='t')\n")
        args = ["run", prog, "--fetch", "u:0", "--fetch", "n:0", "--fetch", "t:0"]
        for out, seed in (("a.npz", "0"), ("b.npz", "0"), ("c.npz", "1")):
            rc, _, err = run(*args, "--seed", seed, "-o", self.path(out))
            self.assertEqual(rc, 0, err)
        a, b, c = (np.load(self.path(x)) for x in ("a.npz", "b.npz", "c.npz"))
        u, n, t = a["u:0"].astype(np.float64), a["n:0"].astype(np.float64), a["t:0"].astype(np.float64)
        self.assertGreaterEqual(u.min(), -1.0)
        self.assertLess(u.max(), 3.0)
        self.assertAlmostEqual(u.mean(), 1.0, delta=0.01)
        self.assertAlmostEqual(u.std(), 4 / np.sqrt(12), delta=0.01)
        self.assertAlmostEqual(n.mean(), 1.0, delta=0.02)
        self.assertAlmostEqual(n.std(), 2.0, delta=0.02)
        self.assertLess(np.abs(t).max(), 1.0)  # TF redraws beyond two standard deviations
        self.assertAlmostEqual(t.mean(), 0.0, delta=0.005)
        self.assertAlmostEqual(t.std(), 0.5 * 0.87962566, delta=0.005)
        for k in ("u:0", "n:0", "t:0"):
            np.testing.assert_array_equal(a[k], b[k])
            self.assertFalse(np.array_equal(a[k], c[k]))

    def test_summary_and_bench(self):
        model = os.path.join(CODEGEN, "mlp.scope")
        rc, out, err = run("run", model, "--input", os.path.join(REF, "mlp_feeds.npz"), "--bench", "5")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"median latency: [0-9.]+ us over 5 runs \(batch 4\)")
        self.assertRegex(out, r"layer2/add:0 float32\[4,10\] min=")


class AOT(Tmp):
    def test_shared_library_numerics(self):
        # --emit so, called through ctypes with NumPy buffers.
        base = self.path("ops")
        expected = np.load(os.path.join(REF, "ops_expected.npz"))
        names = list(expected.keys())
        fetches = [a for k in names for a in ("--fetch", k)]
        rc, _, err = run("build", os.path.join(CODEGEN, "ops.scope"), "-o", base, "--emit", "so,header",
                         "--weights", os.path.join(REF, "ops_weights.npz"), "--prefix", "ops", *fetches)
        self.assertEqual(rc, 0, err)
        header = open(base + ".h").read()
        self.assertIn("int32_t ops_run(int64_t batch", header)
        self.assertIn('#define OPS_FEED0_NAME "x:0"', header)
        ops_run, ops_scratch_size = load_model(base, "ops")
        feeds = np.load(os.path.join(REF, "ops_feeds.npz"))
        self.assertIn('#define OPS_FEED2_NAME "ids:0"', header)
        self.assertIn('#define OPS_FEED3_NAME "rowmask:0"', header)
        self.assertIn('#define OPS_FEED4_NAME "dz:0"', header)
        arrays = [np.ascontiguousarray(feeds[k]) for k in ("x", "img", "ids", "rowmask", "dz")]
        batch = arrays[0].shape[0]
        outs = [np.zeros(expected[k].shape, np.float32) for k in names]
        feed_ptrs = (ctypes.c_void_p * len(arrays))(*[a.ctypes.data for a in arrays])
        fetch_ptrs = (ctypes.c_void_p * len(outs))(*[o.ctypes.data for o in outs])
        scratch = np.zeros(ops_scratch_size(batch) // 4 + 64, np.float32)
        aligned = (scratch.ctypes.data + 63) // 64 * 64
        self.assertEqual(ops_run(batch, feed_ptrs, fetch_ptrs, aligned), 0)
        for k, o in zip(names, outs):
            with self.subTest(fetch=k):
                self.assertLess(rel_err(o, expected[k]), TOL)
        # Run-time checks return codes.
        self.assertEqual(ops_run(0, feed_ptrs, fetch_ptrs, aligned), 1)
        self.assertEqual(ops_run(batch, feed_ptrs, fetch_ptrs, None), 2)
        self.assertEqual(ops_run(batch, None, fetch_ptrs, aligned), 2)

    def test_shared_library_integer_ops(self):
        # The integer/bool program ahead of time: buffers in each tensor's dtype.
        base = self.path("ints")
        expected = np.load(os.path.join(REF, "ints_expected.npz"))
        names = list(expected.keys())
        fetches = [a for k in names for a in ("--fetch", k)]
        rc, _, err = run("build", os.path.join(CODEGEN, "ints.scope"), "-o", base, "--emit", "so,header",
                         "--prefix", "ints", *fetches)
        self.assertEqual(rc, 0, err)
        header = open(base + ".h").read()
        self.assertIn('#define INTS_FEED1_DTYPE "int32"', header)
        self.assertIn("INTS_ARITHMETIC = 3", header)
        ints_run, ints_scratch_size = load_model(base, "ints")
        feeds = np.load(os.path.join(REF, "ints_feeds.npz"))
        order = re.findall(r'#define INTS_FEED\d+_NAME "([^"]+):0"', header)
        ins = [np.ascontiguousarray(feeds[n]) for n in order]
        batch = ins[0].shape[0]
        outs = [np.zeros(expected[k].shape, expected[k].dtype) for k in names]
        feed_ptrs = (ctypes.c_void_p * len(ins))(*[a.ctypes.data for a in ins])
        fetch_ptrs = (ctypes.c_void_p * len(outs))(*[o.ctypes.data for o in outs])
        scratch = np.zeros(ints_scratch_size(batch) + 64, np.uint8)
        aligned = (scratch.ctypes.data + 63) // 64 * 64
        self.assertEqual(ints_run(batch, feed_ptrs, fetch_ptrs, aligned), 0)
        for k, o in zip(names, outs):
            with self.subTest(fetch=k):
                np.testing.assert_array_equal(o, expected[k])

    def test_c_example_links_two_models(self):
        ex = os.path.join(ROOT, "examples")
        for model, prefix in (("003_variable_scope_in_dl/shared_model.scope", "mlp"),
                              ("000_two_kinds_of_variables/discriminator.scope", "disc")):
            rc, _, err = run("build", os.path.join(ex, model), "-o", self.path(prefix), "--prefix", prefix)
            self.assertEqual(rc, 0, err)
        demo = self.path("demo")
        subprocess.run(["cc", "-O2", "-Wall", "-Werror", "-o", demo, os.path.join(ex, "c", "main.c"),
                        "-I", self.dir, self.path("mlp.o"), self.path("disc.o"), "-lm"], check=True)
        p = subprocess.run([demo, "3"], capture_output=True, text=True, check=True)
        # The same program under AddressSanitizer and UBSan (the host code and
        # its buffers; the generated objects are not instrumented).
        asan = self.path("demo_asan")
        subprocess.run(["cc", "-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                        "-o", asan, os.path.join(ex, "c", "main.c"), "-I", self.dir,
                        self.path("mlp.o"), self.path("disc.o"), "-lm"], check=True)
        pa = subprocess.run([asan, "3"], capture_output=True, text=True,
                            env=dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"))
        self.assertEqual(pa.returncode, 0, pa.stderr)
        self.assertEqual(pa.stdout, p.stdout)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[-1], "bad batch -> 1, null scratch -> 2")
        printed = {l.split()[0]: np.array([float(v) for v in l.split()[1:]]) for l in lines[:-1]}
        # The same model through the JIT with the same inputs and weights.
        x = np.sin(0.37 * np.arange(3 * 784)).astype(np.float32).reshape(3, 784)
        np.save(self.path("x.npy"), x)
        rc, _, err = run("run", os.path.join(ex, "003_variable_scope_in_dl/shared_model.scope"),
                         "--input", "model1/input_data1=" + self.path("x.npy"),
                         "--input", "model1_1/input_data2=" + self.path("x.npy"), "-o", self.path("o.npz"))
        self.assertEqual(rc, 0, err)
        jit = np.load(self.path("o.npz"))["model1/layer2/add:0"].ravel()
        self.assertLess(rel_err(printed["model1/layer2/add:0"], jit), TOL)
        self.assertEqual(len(printed["discriminator/Sigmoid:0"]), 3)
        rc, _, err = run("run", os.path.join(ex, "000_two_kinds_of_variables/discriminator.scope"),
                         "--input", "real_img=" + self.path("x.npy"), "--input", "g_outputs=" + self.path("x.npy"),
                         "-o", self.path("d.npz"))
        self.assertEqual(rc, 0, err)
        jit = np.load(self.path("d.npz"))["discriminator/Sigmoid:0"].ravel()
        self.assertLess(rel_err(printed["discriminator/Sigmoid:0"], jit), TOL)

    def test_weights_bound_at_run_time_from_npz(self):
        ex = os.path.join(ROOT, "examples")
        model = os.path.join(ex, "003_variable_scope_in_dl/shared_model.scope")
        rc, _, err = run("build", model, "-o", self.path("mlp"), "--prefix", "mlp", "--weights-at-runtime")
        self.assertEqual(rc, 0, err)
        with open(self.path("mlp.h")) as f:
            header = f.read()
        self.assertIn('static const char *const mlp_weight_names[4] = {\n  "model1/layer1/weights",', header)
        rc, _, err = run("weights", model, "-o", self.path("w.npz"), "--seed", "7")
        self.assertEqual(rc, 0, err)
        demo = self.path("demo_rt")
        subprocess.run(["cc", "-O2", "-Wall", "-Werror", "-o", demo, os.path.join(ex, "c", "weights_at_runtime.c"),
                        "-I", self.dir, "-I", os.path.join(ROOT, "runtime", "include"), self.path("mlp.o"),
                        RT_LIB, "-lzip", "-lstdc++", "-lm"], check=True)
        p = subprocess.run([demo, self.path("w.npz"), "3"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = np.array([float(v) for v in p.stdout.split()[1:]])
        # Built with --pack-weights, the example packs the loaded weights once: the same output.
        packed = self.path("packed")
        os.mkdir(packed)
        rc, _, err = run("build", model, "-o", os.path.join(packed, "mlp"), "--prefix", "mlp", "--pack-weights")
        self.assertEqual(rc, 0, err)
        subprocess.run(["cc", "-O2", "-Wall", "-Werror", "-o", demo + "_packed", os.path.join(ex, "c", "weights_at_runtime.c"),
                        "-I", packed, "-I", os.path.join(ROOT, "runtime", "include"), os.path.join(packed, "mlp.o"),
                        RT_LIB, "-lzip", "-lstdc++", "-lm"], check=True)
        pp = subprocess.run([demo + "_packed", self.path("w.npz"), "3"], capture_output=True, text=True)
        self.assertEqual(pp.returncode, 0, pp.stderr)
        self.assertEqual(pp.stdout, p.stdout)
        x = np.sin(0.37 * np.arange(3 * 784)).astype(np.float32).reshape(3, 784)
        np.save(self.path("x.npy"), x)
        rc, _, err = run("run", model, "--weights", self.path("w.npz"),
                         "--input", "model1/input_data1=" + self.path("x.npy"),
                         "--input", "model1_1/input_data2=" + self.path("x.npy"), "-o", self.path("o.npz"))
        self.assertEqual(rc, 0, err)
        self.assertLess(rel_err(got, np.load(self.path("o.npz"))["model1/layer2/add:0"].ravel()), TOL)
        # A missing variable, a wrong size and an unreadable file are messages, not crashes.
        w = dict(np.load(self.path("w.npz")))
        np.savez(self.path("missing.npz"), **{k: v for k, v in w.items() if k != "model1/layer2/biases"})
        p = subprocess.run([demo, self.path("missing.npz")], capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no array named 'model1/layer2/biases'", p.stderr)
        w["model1/layer2/biases"] = np.zeros(3, np.float32)
        np.savez(self.path("wrong.npz"), **w)
        p = subprocess.run([demo, self.path("wrong.npz")], capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("'model1/layer2/biases' is float32(3,), the model wants 10 float32 elements", p.stderr)
        with open(self.path("junk.npz"), "wb") as f:
            f.write(b"PK\x03\x04junk")
        p = subprocess.run([demo, self.path("junk.npz")], capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("as .npz", p.stderr)

    def test_packed_weights_bound_at_run_time(self):
        # --pack-weights: PREFIX_pack_weights lays out the weights of matrix products in panels
        # of 32 columns; the run reads them so, with the same bits as unpacked run-time weights and as
        # embedded weights (packed at compile time) on 1 and 2 threads. w1: 404 columns = three
        # 128-column groups and one of 20 (a panel with rows padded to 32; a single row's one
        # pass crosses from group 2 into it); w2: 37 columns (32 + 5 in rows of 16); w4: 20. w3 is also
        # summed and f is fetched, t is transposed: those stay as they are (a copy). The constant
        # of zc is packed at compile time in both modes: its product, of w4's shape, is code of
        # its own next to w4's unpacked one.
        prog = self.program("packed", "x = tf.placeholder(tf.float32, [None, 50], name='x')",
                            "w1 = tf.get_variable('w1', [50, 404])", "b1 = tf.get_variable('b1', [404])",
                            "w2 = tf.get_variable('w2', [404, 37])", "w3 = tf.get_variable('w3', [37, 10])",
                            "w4 = tf.get_variable('w4', [50, 20])", "f = tf.get_variable('f', [50, 16])",
                            "t = tf.get_variable('t', [10, 50])",
                            "h = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2)",
                            "y = tf.identity(tf.matmul(h, w3) + tf.reduce_sum(w3), name='y')",
                            "z = tf.matmul(x, w4, name='z')", "q = tf.matmul(x, f, name='q')",
                            "zc = tf.matmul(x, tf.constant(0.5, shape=[50, 20]), name='zc')",
                            "u = tf.matmul(x, t, transpose_b=True, name='u')",
                            "img = tf.placeholder(tf.float32, [None, 7, 9, 3], name='img')",
                            "k1 = tf.get_variable('k1', [3, 3, 3, 36])", "k2 = tf.get_variable('k2', [1, 1, 36, 70])",
                            "c1 = tf.nn.relu(tf.nn.conv2d(img, k1, [1, 1, 1, 1], 'SAME'))",
                            "cv = tf.nn.conv2d(c1, k2, [1, 1, 1, 1], 'SAME', name='cv')")
        shapes = {"w1": (50, 404), "b1": (404,), "w2": (404, 37), "w3": (37, 10), "w4": (50, 20), "f": (50, 16),
                  "t": (10, 50), "k1": (3, 3, 3, 36), "k2": (1, 1, 36, 70)}
        # Filters by the convolution's panels: 36 channels as one panel of 36 (rows of 48), 70 as
        # one of 32 and one of 38 (rows of 48).
        packed_sizes = {"w1": 50 * 416, "b1": 404, "w2": 404 * 48, "w3": 370, "w4": 50 * 32, "f": 800, "t": 500,
                        "k1": 27 * 48, "k2": 36 * (32 + 48)}
        rng = np.random.default_rng(21)
        wts = {k: rng.uniform(-1, 1, s).astype(np.float32) for k, s in shapes.items()}
        fetch_names = ["y", "z", "q", "u", "f", "zc", "cv"]
        fetches = [a for k in fetch_names for a in ("--fetch", k)]
        libs = {}
        for mode in ("--weights-at-runtime", "--pack-weights"):
            base = self.path("m" + mode[2:6])
            rc, _, err = run("build", prog, "-o", base, "--emit", "so,header", "--prefix", "pk", mode, *fetches)
            self.assertEqual(rc, 0, err)
            libs[mode] = (base, open(base + ".h").read())
        header = libs["--pack-weights"][1]
        order = re.findall(r'#define PK_WEIGHT\d+_NAME "([^"]+)"', header)
        self.assertEqual(sorted(order), sorted(shapes))
        got_sizes = [int(v) for v in re.findall(r"#define PK_WEIGHT\d+_PACKED_SIZE (\d+)", header)]
        self.assertEqual(got_sizes, [packed_sizes[k] for k in order])
        self.assertIn("void pk_pack_weights(const void *const *weights, void *const *packed);", header)
        self.assertNotIn("PACKED_SIZE", libs["--weights-at-runtime"][1])

        def aligned(n):
            buf = np.zeros(n + 16, np.float32)
            off = (-buf.ctypes.data % 64) // 4
            return buf[off:off + n]

        def run_lib(mode, x):
            base = libs[mode][0]
            lib = ctypes.CDLL(base + ".so")
            srcs = [aligned(wts[k].size) for k in order]
            for a, k in zip(srcs, order):
                a[:] = wts[k].ravel()
            ptrs = (ctypes.c_void_p * len(order))(*[a.ctypes.data for a in srcs])
            keep = srcs
            if mode == "--pack-weights":
                dst = [aligned(packed_sizes[k]) for k in order]
                dst_ptrs = (ctypes.c_void_p * len(order))(*[a.ctypes.data for a in dst])
                lib.pk_pack_weights.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
                lib.pk_pack_weights(ptrs, dst_ptrs)
                # w1 in panels of 32 columns, each 50 rows of 32; the last: 20 columns + 12 zeros.
                w1 = dst[order.index("w1")]
                for j in (0, 1, 11):
                    np.testing.assert_array_equal(w1[j * 1600:(j + 1) * 1600].reshape(50, 32),
                                                  wts["w1"][:, 32 * j:32 * (j + 1)])
                last = w1[12 * 1600:].reshape(50, 32)
                np.testing.assert_array_equal(last[:, :20], wts["w1"][:, 384:])
                np.testing.assert_array_equal(last[:, 20:], 0)
                # k2 as [36, 70]: a panel of channels 0-31, then one of 32-69 in rows of 48.
                k2, w = dst[order.index("k2")], wts["k2"][0, 0]
                np.testing.assert_array_equal(k2[:36 * 32].reshape(36, 32), w[:, :32])
                np.testing.assert_array_equal(k2[36 * 32:].reshape(36, 48)[:, :38], w[:, 32:])
                np.testing.assert_array_equal(k2[36 * 32:].reshape(36, 48)[:, 38:], 0)
                ptrs, keep = dst_ptrs, dst
            run_fn = lib.pk_run
            run_fn.restype = ctypes.c_int32
            run_fn.argtypes = [ctypes.c_int64] + [ctypes.c_void_p] * 4
            img = imgs[x.shape[0]]
            lib.pk_scratch_size.restype = ctypes.c_int64
            lib.pk_scratch_size.argtypes = [ctypes.c_int64]
            rows = x.shape[0]
            outs = {"y": np.zeros((rows, 10), np.float32), "z": np.zeros((rows, 20), np.float32),
                    "q": np.zeros((rows, 16), np.float32), "u": np.zeros((rows, 10), np.float32),
                    "f": np.zeros((50, 16), np.float32), "zc": np.zeros((rows, 20), np.float32),
                    "cv": np.zeros((rows, 7, 9, 70), np.float32)}
            fetch_order = re.findall(r'#define PK_FETCH\d+_NAME "([^"]+):0"', libs[mode][1])
            feed_order = re.findall(r'#define PK_FEED\d+_NAME "([^"]+):0"', libs[mode][1])
            feed_ptrs = (ctypes.c_void_p * 2)(*[{"x": x, "img": img}[k].ctypes.data for k in feed_order])
            fetch_ptrs = (ctypes.c_void_p * len(fetch_order))(*[outs[k].ctypes.data for k in fetch_order])
            scratch = aligned(lib.pk_scratch_size(rows) // 4 + 16)
            self.assertEqual(run_fn(rows, ptrs, feed_ptrs, fetch_ptrs, scratch.ctypes.data), 0)
            del keep
            return outs

        imgs = {rows: rng.uniform(-1, 1, (rows, 7, 9, 3)).astype(np.float32) for rows in (1, 13, 29)}
        for rows in (1, 13, 29):
            x = rng.uniform(-1, 1, (rows, 50)).astype(np.float32)
            plain = run_lib("--weights-at-runtime", x)
            packed = run_lib("--pack-weights", x)
            for k in fetch_names:
                with self.subTest(rows=rows, fetch=k):
                    np.testing.assert_array_equal(packed[k], plain[k])
            for threads in ("1", "2"):
                jit = self.fetch(prog, wts, {"x": x, "img": imgs[rows]}, fetch_names, "--threads", threads)
                for k in fetch_names:
                    with self.subTest(rows=rows, fetch=k, threads=threads):
                        np.testing.assert_array_equal(jit[k + ":0"], packed[k])
            x64 = x.astype(np.float64)
            h = np.maximum(x64 @ wts["w1"] + wts["b1"], 0) @ wts["w2"]
            self.assertLess(rel_err(packed["y"], h @ wts["w3"] + wts["w3"].astype(np.float64).sum()), TOL)
            self.assertLess(rel_err(packed["z"], x64 @ wts["w4"]), TOL)
            self.assertLess(rel_err(packed["q"], x64 @ wts["f"]), TOL)
            self.assertLess(rel_err(packed["u"], x64 @ wts["t"].T), TOL)
            np.testing.assert_array_equal(packed["f"], wts["f"])
            self.assertLess(rel_err(plain["zc"], 0.5 * x64.sum(axis=1, keepdims=True) * np.ones((1, 20))), TOL)
            self.assertLess(rel_err(plain["z"], x64 @ wts["w4"]), TOL)
            pad = np.pad(imgs[rows].astype(np.float64), ((0, 0), (1, 1), (1, 1), (0, 0)))
            c1 = sum(pad[:, i:i + 7, j:j + 9, :] @ wts["k1"][i, j] for i in range(3) for j in range(3))
            self.assertLess(rel_err(packed["cv"], np.maximum(c1, 0) @ wts["k2"][0, 0]), TOL)

    def test_emit_kinds_and_targets(self):
        src = os.path.join(CODEGEN, "mlp.scope")
        base = self.path("m")
        rc, _, err = run("build", src, "-o", base, "--emit", "llvm,asm,obj", "-O3")
        self.assertEqual(rc, 0, err)
        with open(base + ".ll") as f:
            ir = f.read()
        self.assertTrue(re.search(r"define [^\n]*i32 @mlp_run\(i64", ir) is not None,
                        "no definition of mlp_run in the emitted IR")
        self.assertTrue(os.path.getsize(base + ".s") > 0 and os.path.getsize(base + ".o") > 0)
        self.assertEqual(run("build", src, "-o", base, "--target", "nonsense-unknown-triple")[0], 2)
        self.assertEqual(run("build", src, "-o", base, "--cpu", "no-such-cpu")[0], 2)
        self.assertEqual(run("build", src, "-o", base, "--emit", "exe")[0], 2)
        rc, _, err = run("build", src, "-o", base, "--target", "aarch64-linux-gnu", "--emit", "obj")
        self.assertEqual(rc, 0, err)


class BenchModels(Tmp):
    def test_gen_models_follow_the_harness_definitions(self):
        # bench/peers/gen_models.py writes the .scope of each workloads.json entry; the models
        # compute what the harness's _doc defines (y = x @ W + b; HWIO convs, "same" padding by
        # default, TF's SAME split; leaky_relu = max(alpha h, h) with alpha 0.01 by default),
        # checked against NumPy here.
        spec = {"workloads": [
            {"name": "d", "input": [20], "batches": [3], "layers": [
                {"op": "dense", "in": 20, "out": 30, "act": "leaky_relu"},
                {"op": "dense", "in": 30, "out": 17, "act": "leaky_relu", "alpha": 0.3},
                {"op": "dense", "in": 17, "out": 5, "act": "sigmoid"},
                {"op": "dense", "in": 5, "out": 4}]},
            {"name": "c", "input": [9, 8, 3], "batches": [2], "layers": [
                {"op": "conv2d", "h": 9, "w": 8, "cin": 3, "cout": 6, "kh": 3, "kw": 3, "act": "relu"},
                {"op": "conv2d", "h": 9, "w": 8, "cin": 6, "cout": 5, "kh": 4, "kw": 4, "stride": 2,
                 "padding": "same"},
                {"op": "conv2d", "h": 5, "w": 4, "cin": 5, "cout": 7, "kh": 2, "kw": 3, "padding": "valid",
                 "act": "leaky_relu"}]}]}
        with open(self.path("workloads.json"), "w") as f:
            json.dump(spec, f)
        out = self.path("models")
        p = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "peers", "gen_models.py"),
                            self.path("workloads.json"), out], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.split(), ["d", "c"])
        rng = np.random.default_rng(31)

        def act(h, layer):
            a = layer.get("act", "none")
            if a == "relu":
                return np.maximum(h, 0)
            if a == "leaky_relu":
                return np.maximum(layer.get("alpha", 0.01) * h, h)
            if a == "sigmoid":
                return 1 / (1 + np.exp(-h))
            return h

        def conv(h, w, layer):
            s, (kh, kw) = layer.get("stride", 1), w.shape[:2]
            if layer.get("padding", "same") == "same":
                oh, ow = -(-h.shape[1] // s), -(-h.shape[2] // s)
                ph, pw = max((oh - 1) * s + kh - h.shape[1], 0), max((ow - 1) * s + kw - h.shape[2], 0)
                h = np.pad(h, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
            oh, ow = (h.shape[1] - kh) // s + 1, (h.shape[2] - kw) // s + 1
            y = np.zeros((h.shape[0], oh, ow, w.shape[3]))
            for i in range(kh):
                for j in range(kw):
                    y += h[:, i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s, :] @ w[i, j]
            return y

        for wl in spec["workloads"]:
            with self.subTest(workload=wl["name"]):
                x = rng.uniform(-1, 1, [wl["batches"][0]] + wl["input"]).astype(np.float32)
                wts, ref = {}, x.astype(np.float64)
                for i, layer in enumerate(wl["layers"]):
                    shape = [layer["in"], layer["out"]] if layer["op"] == "dense" else \
                        [layer["kh"], layer["kw"], layer["cin"], layer["cout"]]
                    w = wts["layer%d/w" % i] = rng.uniform(-1, 1, shape).astype(np.float32)
                    b = wts["layer%d/b" % i] = rng.uniform(-1, 1, shape[-1]).astype(np.float32)
                    ref = act((ref @ w if layer["op"] == "dense" else conv(ref, w, layer)) + b, layer)
                got = self.fetch(os.path.join(out, wl["name"] + ".scope"), wts, {"x": x}, ["y"])["y:0"]
                self.assertEqual(got.shape, ref.shape)
                self.assertLess(rel_err(got, ref), TOL)


class BadInput(Tmp):
    MODEL = os.path.join(CODEGEN, "mlp.scope")

    def run_with(self, *extra):
        return run("run", self.MODEL, *extra)

    def test_missing_feed(self):
        rc, _, err = self.run_with()
        self.assertEqual(rc, 2)
        self.assertIn("missing feed for placeholder 'x' [?,784]", err)

    def test_wrong_shape_and_unknown_input(self):
        np.save(self.path("x.npy"), np.zeros((2, 783), np.float32))
        rc, _, err = self.run_with("--input", "x=" + self.path("x.npy"))
        self.assertEqual(rc, 2)
        self.assertIn("feed 'x' has shape (2, 783) but the placeholder is [?,784]", err)
        np.save(self.path("y.npy"), np.zeros((2, 784), np.float32))
        rc, _, err = self.run_with("--input", "x=" + self.path("y.npy"), "--input", "nope=" + self.path("y.npy"))
        self.assertEqual(rc, 2)
        self.assertIn("'nope' names no placeholder", err)

    def test_other_dtypes_are_converted(self):
        np.save(self.path("x.npy"), np.ones((2, 784), np.float64))
        self.assertEqual(self.run_with("--input", "x=" + self.path("x.npy"))[0], 0)
        np.save(self.path("c.npy"), np.ones((2, 784), np.complex64))
        rc, _, err = self.run_with("--input", "x=" + self.path("c.npy"))
        self.assertEqual(rc, 2)
        self.assertIn("unsupported .npy dtype", err)

    def test_truncated_and_malformed_npy(self):
        np.save(self.path("x.npy"), np.zeros((2, 784), np.float32))
        data = open(self.path("x.npy"), "rb").read()
        cases = {"trunc.npy": data[:-10], "header.npy": data[:20], "magic.npy": b"NOTNUMPY" + data[8:],
                 "fortran.npy": data.replace(b"'fortran_order': False", b"'fortran_order': True "),
                 "huge.npy": data.replace(b"(2, 784)", b"(99999999999, 99999999)")}
        for name, content in cases.items():
            with self.subTest(case=name):
                open(self.path(name), "wb").write(content)
                rc, _, err = self.run_with("--input", "x=" + self.path(name))
                self.assertEqual(rc, 2, err)
                self.assertEqual(err.count("\n"), 1, err)

    def test_bad_npz(self):
        open(self.path("bad.npz"), "wb").write(b"PK\x03\x04garbage")
        rc, _, err = self.run_with("--input", self.path("bad.npz"))
        self.assertEqual(rc, 2)
        rc, _, err = self.run_with("--input", os.path.join(REF, "mlp_feeds.npz"), "--weights", self.path("bad.npz"))
        self.assertEqual(rc, 2)
        np.savez(self.path("w.npz"), **{"layer1/weights": np.zeros((3, 3), np.float32)})
        rc, _, err = self.run_with("--input", os.path.join(REF, "mlp_feeds.npz"), "--weights", self.path("w.npz"))
        self.assertEqual(rc, 2)
        self.assertIn("'layer1/weights' is float32(3, 3) but the variable is float32(784, 256)", err)

    def test_unknown_fetch_and_uncompilable(self):
        rc, _, err = self.run_with("--input", os.path.join(REF, "mlp_feeds.npz"), "--fetch", "nope:0")
        self.assertEqual(rc, 2)
        self.assertIn("[E402 unknown-feed-or-fetch]", err)
        prog = os.path.join(self.dir, "p.scope")
        with open(prog, "w") as f:
            f.write("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 3])\ny = x[1:3] + 1\n")
        rc, _, err = run("run", prog)
        self.assertEqual(rc, 1)
        self.assertIn("'strided_slice' (StridedSlice) slices part of a batch-sized dimension", err)
        self.assertIn("[E401 not-compilable]", err)


class Initializers(Tmp):
    def test_distributions_follow_tf(self):
        prog = self.path("init.scope")
        with open(prog, "w") as f:
            f.write(
            "import tensorflow as tf\n"
            "a = tf.get_variable('glorot', [300, 500])\n"
            "b = tf.get_variable('uniform', [200000], initializer=tf.random_uniform_initializer(-2.0, 3.0))\n"
            "c = tf.get_variable('normal', [200000], initializer=tf.random_normal_initializer(1.0, 0.5))\n"
            "d = tf.get_variable('trunc', [200000], initializer=tf.truncated_normal_initializer(0.0, 2.0))\n"
            "e = tf.get_variable('he', [3, 3, 64, 128], initializer=tf.variance_scaling_initializer(2.0))\n"
            "f = tf.get_variable('const', [4, 2], initializer=tf.constant_initializer(0.25))\n"
            "g = tf.get_variable('zeros', [7], initializer=tf.zeros_initializer())\n")
        rc, _, err = run("weights", prog, "-o", self.path("w.npz"), "--seed", "7")
        self.assertEqual(rc, 0, err)
        w = np.load(self.path("w.npz"))
        limit = np.sqrt(6 / (300 + 500))
        self.assertLessEqual(np.abs(w["glorot"]).max(), limit)
        self.assertAlmostEqual(w["glorot"].std(), limit / np.sqrt(3), delta=0.002)
        self.assertTrue(w["uniform"].min() >= -2 and w["uniform"].max() < 3)
        self.assertAlmostEqual(w["uniform"].mean(), 0.5, delta=0.02)
        self.assertAlmostEqual(w["normal"].mean(), 1.0, delta=0.01)
        self.assertAlmostEqual(w["normal"].std(), 0.5, delta=0.01)
        self.assertLessEqual(np.abs(w["trunc"]).max(), 4.0)
        self.assertAlmostEqual(w["trunc"].std(), 2.0 * 0.8796, delta=0.02)  # std of N(0,1) cut at 2
        fan_in = 3 * 3 * 64
        self.assertAlmostEqual(w["he"].std(), np.sqrt(2.0 / fan_in), delta=0.003)
        np.testing.assert_array_equal(w["const"], np.full((4, 2), 0.25, np.float32))
        np.testing.assert_array_equal(w["zeros"], np.zeros(7, np.float32))
        # Deterministic for a seed, different across seeds.
        run("weights", prog, "-o", self.path("w2.npz"), "--seed", "7")
        run("weights", prog, "-o", self.path("w3.npz"), "--seed", "8")
        np.testing.assert_array_equal(w["glorot"], np.load(self.path("w2.npz"))["glorot"])
        self.assertFalse(np.array_equal(w["glorot"], np.load(self.path("w3.npz"))["glorot"]))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--scopec", required=True)
    ap.add_argument("--rt-lib", required=True, help="libscopec_rt.a")
    args, rest = ap.parse_known_args()
    SCOPEC = os.path.abspath(args.scopec)
    RT_LIB = os.path.abspath(args.rt_lib)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
