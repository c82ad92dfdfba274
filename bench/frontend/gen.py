#!/usr/bin/env python3
"""Generates the front-end benchmark inputs (valid .scope programs that are also valid Python).

  lines100k.scope    about 100,000 lines: functions, loops, arithmetic, strings, scopes
  vars100k.scope     10,000 functions, each in its own variable scope, 100,000 get_variable calls
  corpus/f0000.scope ... f0999.scope   1,000 files of 100 lines: a model's worth of scopes,
                     get_variable calls, helpers and loops each
"""
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)

with open(os.path.join(out, "lines100k.scope"), "w") as f:
    f.write("import tensorflow as tf\n")
    i = 0
    lines = 1
    while lines < 100_000:
        f.write(f"""def block_{i}(a, b=2, *rest, scale=1.5, **kw):
    # a helper with a little of everything
    total = 0
    for k in range(3):
        if k % 2 == 0:
            total += a * k + b
        else:
            total -= (a - k) // b
    names = [f"{{n}}_{i}" for n in ("x", "y", "z") if n != "y"]
    table = {{"first": names[0], "count": len(names), 'label': "blk-%d" % {i}}}
    return total, names, table

r_{i} = block_{i}({i}, b=3)
assert r_{i}[2]["count"] == 2, "count {i}"
""")
        i += 1
        lines += 14

with open(os.path.join(out, "vars100k.scope"), "w") as f:
    f.write("import tensorflow as tf\n\n")
    for i in range(10_000):
        f.write(f"def layer_{i}():\n    with tf.variable_scope(\"layer_{i}\"):\n")
        for j in range(10):
            f.write(f"        tf.get_variable(\"w{j}\", [4, 4], initializer=tf.zeros_initializer())\n")
        f.write(f"\nlayer_{i}()\n\n")
    f.write("assert len(tf.global_variables()) == 100000\n")

corpus = os.path.join(out, "corpus")
os.makedirs(corpus, exist_ok=True)
for n in range(1000):
    body = ["import tensorflow as tf", ""]
    i = 0
    while len(body) < 86:
        body += [f"def layer_{i}(x, units={4 + i % 5}, scale=0.5):",
                 f"    with tf.variable_scope(\"m{n}_layer_{i}\"):",
                 f"        w = tf.get_variable(\"w\", [units, units], initializer=tf.zeros_initializer())",
                 f"        b = tf.get_variable(\"b\", [units], initializer=tf.zeros_initializer())",
                 "        total = 0",
                 "        for k in range(3):",
                 "            total += k * scale if k % 2 else -k",
                 f"        return w, b, total, {{'name': \"layer-%d\" % {i}, 'units': units}}",
                 ""]
        i += 1
    while len(body) < 99:
        body.append(f"r_{len(body)} = layer_{len(body) % i}(None)")
    body.append("assert len(tf.global_variables()) == 2 * %d" % (len(set(l for l in body if l.startswith("r_")))))
    with open(os.path.join(corpus, f"f{n:04}.scope"), "w") as f:
        f.write("\n".join(body) + "\n")
