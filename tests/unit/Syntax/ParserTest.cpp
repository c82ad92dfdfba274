//===- ParserTest.cpp - Parsing, recovery and Python's compile errors -----===//
#include "TestSupport.h"

#include <gtest/gtest.h>

using scopec::test::briefDiagnostics;
using scopec::test::parseOnly;
#define compile parseOnly

TEST(Parser, ValidProgramHasNoDiagnostics) {
  auto r = compile("import tensorflow as tf\n"
                   "from a.b import c as d, e\n"
                   "def f(a, b=1, *args, c, d=2, **kw):\n"
                   "    return [x for x in args if x], {k: v for k, v in kw.items()}\n"
                   "with tf.variable_scope('s') as s, tf.name_scope(None):\n"
                   "    x = y = f(1, *[2], c=3, **{})\n"
                   "    a, *b = 1, 2, 3\n"
                   "    x += 1; x[1:2, ::3] = 0\n"
                   "for i in range(3):\n"
                   "    if i: continue\n"
                   "    elif not i: break\n"
                   "    else: pass\n"
                   "else:\n"
                   "    del x\n"
                   "assert x is not None, f'{x!r:>10} {{}}'\n"
                   "z = (lambda q, *, r=1: q if r else -q ** 2)(1)\n");
  EXPECT_EQ(briefDiagnostics(r), "");
  EXPECT_FALSE(r.module->hasSyntaxErrors);
  EXPECT_EQ(r.module->body.size(), 7u);
}

TEST(Parser, RecoversAtTheNextLineWithoutCascades) {
  auto r = compile("x = = 1\n"
                   "y = 2\n"
                   "z = (1 + + )\n"
                   "if x\n"
                   "    w = 3\n");
  EXPECT_EQ(briefDiagnostics(r), "E001 1:5 invalid syntax\n"
                                 "E001 3:12 invalid syntax\n"
                                 "E001 4:5 expected ':'\n");
  EXPECT_TRUE(r.module->hasSyntaxErrors);
}

TEST(Parser, IndentationErrors) {
  EXPECT_EQ(briefDiagnostics(compile("x = 1\n    y = 2\n")), "E002 2:5 unexpected indent\n");
  EXPECT_EQ(briefDiagnostics(compile("for i in x:\ny = 1\n")),
            "E002 2:1 expected an indented block after 'for' statement on line 1\n");
  EXPECT_EQ(briefDiagnostics(compile("def f():\n\nx = 1\n")),
            "E002 3:1 expected an indented block after function definition on line 1\n");
}

TEST(Parser, UnsupportedConstructsAreNamed) {
  EXPECT_EQ(briefDiagnostics(compile("class A(metaclass=M):\n    pass\n")),
            "E003 1:9 metaclasses are not supported by scopec\n");
  EXPECT_EQ(briefDiagnostics(compile("class A:\n    def __mul__(self, o):\n        pass\n")),
            "E003 2:9 operator methods ('__mul__') are not supported by scopec\n");
  EXPECT_EQ(briefDiagnostics(compile("while x:\n    pass\n")),
            "E003 1:1 'while' loops are not supported by scopec\n");
  EXPECT_EQ(briefDiagnostics(compile("global x\n")),
            "E003 1:1 'global' statements are not supported by scopec\n");
  EXPECT_EQ(briefDiagnostics(compile("def f():\n    nonlocal x\n")),
            "E003 2:5 'nonlocal' statements are not supported by scopec\n");
  EXPECT_EQ(briefDiagnostics(compile("def f():\n    yield 1\n")),
            "E003 2:5 'yield' expressions are not supported by scopec\n");
  EXPECT_EQ(briefDiagnostics(compile("async def f():\n    pass\n")),
            "E003 1:1 'async' statements are not supported by scopec\n");
  EXPECT_EQ(briefDiagnostics(compile("if (n := 10):\n    pass\n")),
            "E003 1:5 assignment expressions (':=') are not supported by scopec\n");
  // try and raise parse (and run: tests/golden/eval/try_except.scope).
  EXPECT_EQ(briefDiagnostics(compile("try:\n    pass\nexcept E:\n    raise\n")), "");
  EXPECT_EQ(briefDiagnostics(compile("match x:\n    case 1:\n        pass\n")),
            "E003 1:1 'match' statements are not supported by scopec\n");
  EXPECT_EQ(briefDiagnostics(compile("s = {1, 2}\n")),
            "E003 1:5 set displays are not supported by scopec\n");
  EXPECT_EQ(briefDiagnostics(compile("c = 1j\n")),
            "E003 1:5 complex literals are not supported by scopec\n");
}

TEST(Parser, PythonCompileErrors) {
  EXPECT_EQ(briefDiagnostics(compile("f() = 1\n")),
            "E001 1:1 cannot assign to function call here. Maybe you meant '==' instead of '='?\n");
  EXPECT_EQ(briefDiagnostics(compile("None = 1\n")), "E001 1:1 cannot assign to None\n");
  EXPECT_EQ(briefDiagnostics(compile("1 += 1\n")),
            "E001 1:1 'literal' is an illegal expression for augmented assignment\n");
  EXPECT_EQ(briefDiagnostics(compile("for f() in x:\n    pass\n")),
            "E001 1:5 cannot assign to function call\n");
  EXPECT_EQ(briefDiagnostics(compile("break\n")), "E001 1:1 'break' outside loop\n");
  EXPECT_EQ(briefDiagnostics(compile("continue\n")),
            "E001 1:1 'continue' not properly in loop\n");
  EXPECT_EQ(briefDiagnostics(compile("return 1\n")), "E001 1:1 'return' outside function\n");
  EXPECT_EQ(briefDiagnostics(compile("def f(a=1, b):\n    pass\n")),
            "E001 1:12 non-default argument follows default argument\n");
  EXPECT_EQ(briefDiagnostics(compile("def f(a, a):\n    pass\n")),
            "E001 1:10 duplicate argument 'a' in function definition\n");
  EXPECT_EQ(briefDiagnostics(compile("f(a=1, 2)\n")),
            "E001 1:8 positional argument follows keyword argument\n");
  EXPECT_EQ(briefDiagnostics(compile("f(a=1, a=2)\n")), "E001 1:8 keyword argument repeated: a\n");
  EXPECT_EQ(briefDiagnostics(compile("x = 99999999999999999999\n")),
            "E111 1:5 integer literal 99999999999999999999 does not fit in 64 bits\n");
}

TEST(Parser, FStrings) {
  auto r = parseOnly("x = f'{a}{b!r}{c:>{w}}{{lit}}{d=}'\n", "t.scope");
  EXPECT_EQ(briefDiagnostics(r), "");
  EXPECT_NE(r.dump.find("Field <1:7-1:10>\n"), std::string::npos) << r.dump;
  EXPECT_NE(r.dump.find("Name <1:8-1:9> a"), std::string::npos) << r.dump;
  EXPECT_NE(r.dump.find("Literal '{lit}d='"), std::string::npos) << r.dump;
  EXPECT_EQ(briefDiagnostics(compile("x = f'{}'\n")),
            "E001 1:5 f-string: empty expression not allowed\n");
  EXPECT_EQ(briefDiagnostics(compile("x = f'{a b}'\n")), "E001 1:10 f-string: invalid syntax\n");
  EXPECT_EQ(briefDiagnostics(compile("x = f'a}'\n")),
            "E001 1:5 f-string: single '}' is not allowed\n");
}

TEST(Parser, NestingLimits) {
  std::string deep(300, '(');
  EXPECT_EQ(briefDiagnostics(compile("x = " + deep + "\n")),
            "E003 1:205 too many nested parentheses\n");
}
