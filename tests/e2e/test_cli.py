#!/usr/bin/env python3
"""End-to-end tests of the scopec command line: exit codes, formats, inputs."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import unittest

SCOPEC = None


def run(*args, stdin=None, cwd=None):
    p = subprocess.run([SCOPEC, *args], input=stdin, capture_output=True, cwd=cwd, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class Workspace(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return path


class CheckTest(Workspace):
    def test_clean_file_exits_0_with_summary(self):
        p = self.write("ok.scope", "import tensorflow as tf\nx = 1\n")
        rc, out, err = run("check", p)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "0 errors, 0 warnings in 1 file\n")
        rc, out, _ = run("check", "--quiet", p)
        self.assertEqual((rc, out), (0, ""))

    def test_syntax_error_text_format(self):
        p = self.write("bad.scope", "x = = 1\n")
        rc, out, _ = run("check", "--color", "never", p)
        self.assertEqual(rc, 1)
        self.assertEqual(out, f"{p}:1:5: error: invalid syntax [E001 syntax-error]\n"
                              "    1 | x = = 1\n"
                              "      |     ^\n"
                              "1 error, 0 warnings in 1 file\n")

    def test_color_always_uses_escapes(self):
        p = self.write("bad.scope", "x = = 1\n")
        _, out, _ = run("check", "--color", "always", p)
        self.assertIn("\x1b[", out)
        _, out, _ = run("check", p)  # not a terminal: no colour
        self.assertNotIn("\x1b[", out)

    def test_exit_zero(self):
        p = self.write("bad.scope", "x = = 1\n")
        rc, out, _ = run("check", "--exit-zero", p)
        self.assertEqual(rc, 0)
        self.assertIn("E001", out)

    def test_json_format(self):
        p = self.write("bad.scope", "x = = 1\nif x\n    pass\n")
        rc, out, _ = run("check", "--format", "json", p)
        self.assertEqual(rc, 1)
        doc = json.loads(out)
        self.assertEqual(doc["version"], 1)
        self.assertEqual(doc["tool"], "scopec")
        self.assertEqual(doc["summary"], {"files": 1, "errors": 2, "warnings": 0})
        d = doc["diagnostics"][0]
        self.assertEqual({k: d[k] for k in ("file", "line", "column", "end_line", "end_column",
                                            "severity", "code", "rule", "message", "notes")},
                         {"file": p, "line": 1, "column": 5, "end_line": 1, "end_column": 6,
                          "severity": "error", "code": "E001", "rule": "syntax-error",
                          "message": "invalid syntax", "notes": []})
        self.assertEqual(doc["diagnostics"][1]["message"], "expected ':'")

    def test_exit_codes_same_for_every_format(self):
        bad = self.write("bad.scope", "x = = 1\n")
        good = self.write("good.scope", "x = 1\n")
        for fmt in ("text", "json", "sarif"):
            self.assertEqual(run("check", "--format", fmt, bad)[0], 1, fmt)
            self.assertEqual(run("check", "--format", fmt, good)[0], 0, fmt)
            self.assertEqual(run("check", "--format", fmt, os.path.join(self.dir, "nope.scope"))[0], 2, fmt)

    def test_missing_file_is_a_usage_error(self):
        rc, out, err = run("check", os.path.join(self.dir, "missing.scope"))
        self.assertEqual(rc, 2)
        self.assertEqual(err.count("\n"), 1)
        self.assertIn("No such file or directory", err)

    def test_binary_file_is_refused(self):
        p = self.write("blob.scope", bytes(range(256)) * 8)
        rc, _, err = run("check", p)
        self.assertEqual(rc, 2)
        self.assertIn("binary file", err)

    def test_invalid_utf8_is_a_diagnostic_at_the_byte(self):
        p = self.write("u.scope", b"x = 1\ny = '\xc3('\n")
        rc, out, _ = run("check", "--format", "json", p)
        self.assertEqual(rc, 1)
        d = json.loads(out)["diagnostics"][0]
        self.assertEqual((d["code"], d["line"], d["column"]), ("E001", 2, 6))
        self.assertIn("can't decode byte 0xc3", d["message"])

    def test_directory_is_searched_for_scope_files(self):
        self.write("d/b.scope", "x = = 1\n")
        self.write("d/a.scope", "x = 1\n")
        self.write("d/sub/c.scope", "y = (\n")
        self.write("d/notes.txt", "not scope\n")
        self.write("d/.hidden/x.scope", "x = = 1\n")
        rc, out, _ = run("check", "--format", "json", os.path.join(self.dir, "d"))
        self.assertEqual(rc, 1)
        doc = json.loads(out)
        self.assertEqual(doc["summary"]["files"], 3)
        files = [os.path.relpath(d["file"], self.dir) for d in doc["diagnostics"]]
        self.assertEqual(files, ["d/b.scope", "d/sub/c.scope"])

    def test_many_files_in_parallel_keep_input_order(self):
        paths = [self.write(f"f{i:02}.scope", "x = = 1\n" if i % 3 == 0 else "x = 1\n")
                 for i in range(30)]
        outs = set()
        for jobs in ("1", "2", "8"):
            rc, out, _ = run("check", "-j", jobs, "--format", "json", *paths)
            self.assertEqual(rc, 1)
            outs.add(out)
        self.assertEqual(len(outs), 1)
        files = [d["file"] for d in json.loads(outs.pop())["diagnostics"]]
        self.assertEqual(files, [paths[i] for i in range(0, 30, 3)])

    def test_one_unreadable_file_does_not_stop_the_others(self):
        bad = self.write("bad.scope", "x = = 1\n")
        rc, out, err = run("check", os.path.join(self.dir, "missing.scope"), bad)
        self.assertEqual(rc, 2)
        self.assertIn("E001", out)
        self.assertIn("missing.scope", err)

    def test_stdin(self):
        rc, out, _ = run("check", "-", stdin=b"x = = 1\n")
        self.assertEqual(rc, 1)
        self.assertTrue(out.startswith("<stdin>:1:5: error: invalid syntax"), out)

    def test_usage_errors_exit_2(self):
        self.assertEqual(run()[0], 2)
        self.assertEqual(run("check")[0], 2)
        self.assertEqual(run("check", "--format", "xml", "x.scope")[0], 2)
        self.assertEqual(run("frobnicate")[0], 2)
        self.assertEqual(run("explain", "E999")[0], 2)

    def test_version_and_help(self):
        rc, out, _ = run("--version")
        self.assertEqual(rc, 0)
        self.assertTrue(out.startswith("scopec "))
        rc, out, _ = run("--help")
        self.assertEqual(rc, 0)
        self.assertIn("check", out)

    def test_explain(self):
        rc, out, _ = run("explain", "E201")
        self.assertEqual(rc, 0)
        self.assertTrue(out.startswith("# E201 variable-exists\n\n**Severity:** error\n"), out)

    def test_emit_stages(self):
        p = self.write("s.scope", "x = 1\n")
        rc, out, _ = run("check", "--quiet", "--emit-stage", "tokens", p)
        self.assertEqual((rc, out), (0, "1:1 NAME 'x'\n1:3 ASSIGN '='\n1:5 NUMBER '1'\n"
                                       "1:6 NEWLINE\n2:1 EOF\n"))
        rc, out, _ = run("check", "--quiet", "--emit-stage", "ast", p)
        self.assertEqual(out, "Module\n  Assign <1:1-1:6>\n    targets:\n      Name <1:1-1:2> x\n"
                              "    value:\n      IntLit <1:5-1:6> 1\n")


class EvalTest(Workspace):
    def test_print_goes_to_stdout_in_text_mode_and_stderr_in_json(self):
        p = self.write("p.scope", "import tensorflow as tf\nprint(tf.get_variable('v', [1]).name)\n")
        rc, out, _ = run("check", p)
        self.assertEqual((rc, out), (0, "v:0\n0 errors, 0 warnings in 1 file\n"))
        rc, out, err = run("check", "--format", "json", p)
        self.assertEqual(json.loads(out)["summary"]["errors"], 0)
        self.assertEqual(err, "v:0\n")

    def test_werror_makes_warnings_fail(self):
        p = self.write("w.scope", "import tensorflow as tf\n"
                                  "with tf.name_scope('ns'):\n    v = tf.get_variable('v', [1])\n")
        self.assertEqual(run("check", p)[0], 0)
        self.assertEqual(run("check", "--werror", p)[0], 1)
        self.assertEqual(run("check", "--werror", "--exit-zero", p)[0], 0)

    def test_e201_with_notes_in_json(self):
        p = self.write("e.scope", "import tensorflow as tf\n"
                                  "def f():\n    return tf.get_variable('v', [1])\n"
                                  "with tf.variable_scope('foo'):\n    a = f()\n    b = f()\n")
        rc, out, _ = run("check", "--format", "json", p)
        self.assertEqual(rc, 1)
        d = json.loads(out)["diagnostics"][0]
        self.assertEqual((d["code"], d["line"], d["column"]), ("E201", 3, 12))
        self.assertEqual(d["message"], "Variable foo/v already exists, disallowed. Did you mean to "
                                       "set reuse=True or reuse=tf.AUTO_REUSE in VarScope?")
        self.assertEqual([(n["line"], n["message"]) for n in d["notes"]],
                         [(3, "originally defined here"), (6, "called from here")])

    def test_limits_end_quickly(self):
        import time
        p = self.write("l.scope", "for i in range(10**12):\n    pass\n")
        t = time.monotonic()
        rc, out, _ = run("check", p)
        self.assertLess(time.monotonic() - t, 5)  # a hang guard, not a benchmark
        self.assertIn("E108", out)
        p = self.write("r.scope", "def f(n):\n    return f(n + 1)\nf(0)\n")
        rc, out, _ = run("check", p)
        self.assertIn("E107", out)


class VarsTest(Workspace):
    def test_table_and_json(self):
        p = self.write("m.scope", "import tensorflow as tf\n"
                                  "with tf.variable_scope('foo'):\n"
                                  "    v = tf.get_variable('v', [2, 3], initializer=tf.zeros_initializer())\n"
                                  "with tf.variable_scope('foo', reuse=True):\n"
                                  "    w = tf.get_variable('v', [2, 3])\n"
                                  "u = tf.Variable(1, name='u', trainable=False)\n")
        rc, out, err = run("vars", p)
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0].split()[:5], ["NAME", "SHAPE", "DTYPE", "INITIALIZER", "TRAINABLE"])
        self.assertTrue(lines[1].startswith("foo/v  [2, 3]  float32  zeros"), lines[1])
        rc, out, _ = run("vars", "--format", "json", p)
        doc = json.loads(out)
        self.assertEqual(doc["version"], 1)
        v, u = doc["variables"]
        self.assertEqual({k: v[k] for k in ("name", "tensor", "key", "shape", "dtype", "trainable",
                                            "created_by", "initializer", "line", "column")},
                         {"name": "foo/v", "tensor": "foo/v:0", "key": "foo/v", "shape": [2, 3],
                          "dtype": "float32", "trainable": True, "created_by": "get_variable",
                          "initializer": "zeros", "line": 3, "column": 9})
        self.assertEqual([(r["line"], r["column"]) for r in v["reused_at"]], [(5, 9)])
        self.assertEqual((u["name"], u["dtype"], u["trainable"], u["created_by"]),
                         ("u", "int32", False, "Variable"))
        self.assertNotIn("key", u)

    def test_errors_go_to_stderr_with_exit_1(self):
        p = self.write("m.scope", "import tensorflow as tf\nx = = 1\n")
        rc, out, err = run("vars", p)
        self.assertEqual(rc, 1)
        self.assertIn("E001", err)
        self.assertEqual(run("vars", os.path.join(self.dir, "none.scope"))[0], 2)


class GraphTest(Workspace):
    PROGRAM = ("import tensorflow as tf\n"
               "x = tf.placeholder(tf.float32, [None, 4], name='x')\n"
               "with tf.variable_scope('net'):\n"
               "    y = tf.layers.dense(x, 3, activation=tf.nn.relu)\n")

    def test_text(self):
        p = self.write("g.scope", self.PROGRAM)
        rc, out, err = run("graph", p)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.splitlines(), [
            "x = Placeholder() -> float32[?,4]",
            "net/dense/kernel = VariableV2() -> float32_ref[4,3]",
            "net/dense/bias = VariableV2() -> float32_ref[3]",
            "net/dense/MatMul = MatMul(x:0, net/dense/kernel/read:0) -> float32[?,3]",
            "net/dense/BiasAdd = BiasAdd(net/dense/MatMul:0, net/dense/bias/read:0) -> float32[?,3]",
            "net/dense/Relu = Relu(net/dense/BiasAdd:0) -> float32[?,3]"])
        rc, out, _ = run("graph", "--all", p)
        self.assertIn("net/dense/kernel/read = Identity(net/dense/kernel:0) -> float32[4,3]", out)
        self.assertIn("net/dense/kernel/Initializer/random_uniform/RandomUniform = RandomUniform(", out)

    def test_json_and_dot(self):
        p = self.write("g.scope", self.PROGRAM)
        rc, out, _ = run("graph", "--format", "json", p)
        doc = json.loads(out)
        self.assertEqual(doc["version"], 1)
        relu = doc["nodes"][-1]
        self.assertEqual({k: relu[k] for k in ("name", "op", "inputs", "outputs", "line")},
                         {"name": "net/dense/Relu", "op": "Relu", "inputs": ["net/dense/BiasAdd:0"],
                          "outputs": [{"shape": [None, 3], "dtype": "float32"}], "line": 4})
        rc, out, _ = run("graph", "--format", "dot", p)
        self.assertTrue(out.startswith("digraph scopec {"))
        self.assertIn('label="net";', out)
        self.assertIn('label="dense";', out)
        self.assertIn('"net/dense/kernel" -> "net/dense/MatMul";', out)

    def test_errors_exit_1_with_diagnostics_on_stderr(self):
        p = self.write("g.scope", "import tensorflow as tf\nx = tf.placeholder(tf.float32, [2, 3])\n"
                                  "y = tf.matmul(x, tf.placeholder(tf.float32, [4, 5]))\n")
        rc, out, err = run("graph", p)
        self.assertEqual(rc, 1)
        self.assertIn("Dimensions must be equal, but are 3 and 4 for 'MatMul' (op: 'MatMul') with input shapes: [2,3], [4,5].", err)


class ImportTest(Workspace):
    """Programs of several files (issue 9): sibling .scope/.py modules, packages,
    relative imports, -I, each module evaluated once, cycles reported."""

    def setUp(self):
        super().setUp()
        self.write("ops.py", "import tensorflow as tf\n"
                   "def lrelu(x, leak=0.2, name='lrelu'):\n    return tf.maximum(x, leak * x, name=name)\n"
                   "def linear(x, out, scope='Linear'):\n    with tf.variable_scope(scope):\n"
                   "        w = tf.get_variable('Matrix', [int(x.shape[1]), out])\n"
                   "        return tf.matmul(x, w)\n"
                   "def bad(x):\n    raise ValueError('bad input %s' % x)\n"
                   "print('ops evaluated')\n")
        self.write("nets/__init__.py", "")
        self.write("nets/helpers.py", "def double(n):\n    return 2 * n\n")
        self.write("nets/utils.py", "from . import helpers\nfrom .helpers import double\n"
                   "def scope_name(n):\n    return 'net_' + str(double(n))\n")
        self.write("lib/tflib.scope", "import tensorflow as tf\ndef param(name, shape):\n"
                   "    return tf.get_variable(name, shape)\n")

    def test_sibling_modules_packages_and_include_dirs(self):
        main = self.write("model.scope",
                          "from __future__ import print_function\nimport os\nimport tensorflow as tf\n"
                          "from ops import *\nimport ops as O\nfrom nets import utils\nimport nets.helpers\n"
                          "import tflib as lib\n"
                          "x = tf.placeholder(tf.float32, [4, 16], name='x')\n"
                          "with tf.variable_scope('discriminator'):\n"
                          "    h = lrelu(linear(x, 8, 'd_h0_lin'))\n"
                          "    y = linear(h, 1, utils.scope_name(1))\n"
                          "    b = lib.param('b', [1])\n"
                          "print([v.name for v in tf.global_variables()])\n"
                          "print(O.lrelu is lrelu, nets.helpers.double(3))\n"
                          "O.bad(1)\n")
        rc, out, err = run("check", "-I", os.path.join(self.dir, "lib"), main)
        self.assertEqual(rc, 1, err)
        # ops is evaluated once, though imported twice.
        self.assertEqual(out.count("ops evaluated"), 1)
        self.assertIn("['discriminator/d_h0_lin/Matrix:0', 'discriminator/net_2/Matrix:0', 'discriminator/b:0']", out)
        self.assertIn("True 6", out)
        # The error inside the module points into ops.py, with the call site in model.scope.
        self.assertIn("ops.py:9:5: error: ValueError: bad input 1 [E113 raise-statement]", out)
        self.assertIn("model.scope:16:1: note: called from here", out)
        # Without -I, tflib is unknown: it imports lazily and fails where it is used.
        rc, out, _ = run("check", main)
        self.assertIn("`tflib.param` is not supported by scopec: module 'tflib' is not known", out)

    def test_circular_import_is_reported(self):
        self.write("a.scope", "import b\nx = 1\n")
        self.write("b.scope", "import a\ny = 2\n")
        rc, out, _ = run("check", os.path.join(self.dir, "a.scope"))
        self.assertEqual(rc, 1)
        self.assertIn("circular import", out)
        self.assertIn("[E109 unsupported-api]", out)

    def test_py_files_on_the_command_line(self):
        rc, out, err = run("check", os.path.join(self.dir, "ops.py"))
        self.assertEqual(rc, 0, out + err)
        self.assertIn("ops evaluated", out)

    def test_directories_add_py_files_with_ext(self):
        self.write("only.scope", "x = 1\n")
        rc, out, err = run("check", self.dir)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("0 errors, 0 warnings in 2 files", out)  # only.scope, lib/tflib.scope
        rc, out, err = run("check", "--ext", "py", self.dir)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("0 errors, 0 warnings in 6 files", out)  # + ops.py and the nets package
        self.assertIn("ops evaluated", out)


class VerifyTest(Workspace):
    def test_met_expectations_exit_0(self):
        p = self.write("v.scope", "x = = 1  # expected-error {{invalid syntax}}\n"
                                  "# expected-error@+1 {{expected ':'}}\n"
                                  "if x\n    pass\n")
        rc, out, _ = run("check", "--verify", p)
        self.assertEqual(rc, 0, out)
        self.assertEqual(out, "verify: 1 file, 0 mismatches\n")

    def test_unexpected_and_unmet_are_reported(self):
        p = self.write("v.scope", "x = = 1\ny = 2  # expected-error {{nothing here}}\n")
        rc, out, _ = run("check", "--verify", p)
        self.assertEqual(rc, 1)
        self.assertIn(f"{p}:2: verify: expected error on line 2 not seen: {{{{nothing here}}}}", out)
        self.assertIn(f"{p}:1:5: verify: unexpected error: invalid syntax [E001 syntax-error]", out)
        self.assertIn("2 mismatches", out)

    def test_wrong_text_or_line_does_not_match(self):
        p = self.write("v.scope", "# expected-error@-1 {{x}}\nx = = 1  # expected-error {{other text}}\n")
        rc, out, _ = run("check", "--verify", p)
        self.assertEqual(rc, 1)
        self.assertIn("outside the file", out)
        self.assertIn("unexpected error: invalid syntax", out)

    def test_malformed_annotation(self):
        p = self.write("v.scope", "x = 1  # expected-error invalid syntax\n")
        rc, out, _ = run("check", "--verify", p)
        self.assertEqual(rc, 1)
        self.assertIn("malformed expectation", out)

    def test_file_without_expectations_must_be_clean(self):
        good = self.write("g.scope", "x = 1\n")
        bad = self.write("b.scope", "x = (\n")
        self.assertEqual(run("check", "--verify", good)[0], 0)
        self.assertEqual(run("check", "--verify", bad)[0], 1)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--scopec", required=True)
    args, rest = ap.parse_known_args()
    SCOPEC = os.path.abspath(args.scopec)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
