#!/usr/bin/env python3
"""Generates the front-end benchmark inputs (valid .scope programs that are also valid Python).

  lines100k.scope    about 100,000 lines: functions, loops, arithmetic, strings, scopes
  vars100k.scope     10,000 functions, each in its own variable scope, 100,000 get_variable calls
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
