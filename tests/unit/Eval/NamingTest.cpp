//===- NamingTest.cpp - TF's naming service as a table --------------------===//
//
// Each row is a sequence of naming actions (a small program) and the names
// TF 1.15 gives, printed one per line (tf1-semantics.md section 2).
//
//===----------------------------------------------------------------------===//
#include "TestSupport.h"

#include <gtest/gtest.h>

namespace {

struct Row {
  const char *what;
  const char *actions;
  const char *names;
};

const Row kRows[] = {
    {"unique_name counts per name", "for i in range(3): print(tf.constant(0.0, name='c').op.name)",
     "c\nc_1\nc_2\n"},
    {"unique_name is case-insensitive and keeps the spelling",
     "print(tf.constant(0, name='Foo').op.name)\nprint(tf.constant(0, name='foo').op.name)",
     "Foo\nfoo_1\n"},
    {"taken suffixes are skipped",
     "for k in ['foo_1', 'foo', 'foo', 'foo_1', 'foo']: print(tf.constant(0, name=k).op.name)",
     "foo_1\nfoo\nfoo_2\nfoo_1_1\nfoo_3\n"},
    {"mul, mul_1 then Mul", "x = tf.constant(1.0)\nprint((x * x).op.name)\nprint((x * x).op.name)\n"
                            "print(tf.multiply(x, x).op.name)",
     "mul\nmul_1\nMul_2\n"},
    {"op names and name scopes share one table",
     "with tf.name_scope('add'): pass\nx = tf.constant(1.0)\nprint((x + x).op.name)", "add_1\n"},
    {"operators convert the other operand inside their scope",
     "x = tf.constant(1.0, name='x')\ny = x + 2.0\nprint(y.op.inputs[1].op.name)\n"
     "z = 3.0 * x\nprint(z.op.inputs[0].op.name)",
     "add/y\nmul/x\n"},
    {"name_scope: relative, absolute, reset",
     "with tf.name_scope('a') as s:\n    print(s)\n    with tf.name_scope('b') as t: print(t)\n"
     "    with tf.name_scope('a/') as u: print(u)\n    with tf.name_scope(None) as v: print(repr(v))\n"
     "with tf.name_scope('a') as w: print(w)",
     "a/\na/b/\na/\n''\na_1/\n"},
    {"variable_scope opens a uniquified name scope, variables keep the scope name",
     "with tf.variable_scope('foo'): pass\nwith tf.variable_scope('foo') as s:\n"
     "    print(s.original_name_scope)\n    print(tf.get_variable('v', []).name)\n"
     "    print(tf.constant(0.0).op.name)",
     "foo_1/\nfoo/v:0\nfoo_1/Const\n"},
    {"default-name scopes count per parent and reset on exit",
     "for _ in range(2):\n    with tf.variable_scope('net'):\n"
     "        for _ in range(2):\n            with tf.variable_scope(None, default_name='layer') as s: print(s.name)",
     "net/layer\nnet/layer_1\nnet/layer\nnet/layer_1\n"},
    {"tf.Variable helper ops are reserved",
     "v = tf.Variable(1.0, name='v')\nprint(tf.constant(0, name='v/read').op.name)\n"
     "print(tf.constant(0, name='v/Assign').op.name)\nprint(tf.constant(0, name='v/initial_value').op.name)",
     "v/read_1\nv/Assign_1\nv/initial_value_1\n"},
    {"get_variable ignores name_scope but its graph name is uniquified",
     "tf.constant(0, name='w')\nwith tf.name_scope('ns'):\n    v = tf.get_variable('w', [])\n"
     "print(v.name)\nprint(tf.get_variable_scope().name == '')",
     "w_1:0\nTrue\n"},
    {"get_variable's initializer ops",
     "v = tf.get_variable('v', [2, 3])\nprint(tf.constant(0, name='v/Initializer/random_uniform').op.name)\n"
     "c = tf.get_variable('c', [2], initializer=tf.constant_initializer(1.0))\n"
     "print(tf.constant(0, name='c/Initializer/Const').op.name)",
     "v/Initializer/random_uniform_1\nc/Initializer/Const_1\n"},
    {"reset_default_graph starts new tables",
     "tf.constant(0, name='a')\ntf.reset_default_graph()\nprint(tf.constant(0, name='a').op.name)\n"
     "print(len(tf.global_variables()))",
     "a\n0\n"},
    {"placeholder and identity default names",
     "x = tf.placeholder(tf.float32, [None, 3])\nprint(x.name)\nprint(tf.identity(x).name)\n"
     "print(x.shape)",
     "Placeholder:0\nIdentity:0\n(?, 3)\n"},
};

TEST(NamingService, Table) {
  for (const Row &row : kRows) {
    std::string program = std::string("import tensorflow as tf\n") + row.actions + "\n";
    auto r = scopec::test::compile(program);
    for (const scopec::Diagnostic &d : r.diagnostics)
      EXPECT_NE(d.severity(), scopec::Severity::Error) << row.what << ": " << d.message;
    EXPECT_EQ(r.printed, row.names) << row.what << "\n" << program;
  }
}

} // namespace
