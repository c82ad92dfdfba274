#!/usr/bin/env python3
"""End-to-end tests of the lint product through the binary: suppressions,
--select/--ignore, --fail-level, the github format, SARIF rule metadata and
fingerprints, .gitignore-aware directories, `explain`, pre-commit hooks."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SCOPEC = None
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

HEADER = "import tensorflow as tf\n"
RENAMED = 'a = tf.Variable(1.0, name="w")\nb = tf.Variable(2.0, name="w")\n'  # W101 on line 3
EXISTS = ('with tf.variable_scope("s"):\n    v = tf.get_variable("v", [1])\n'
          'with tf.variable_scope("s"):\n    v = tf.get_variable("v", [1])\n')


def run(*args, cwd=None):
    p = subprocess.run([SCOPEC, *args], capture_output=True, cwd=cwd, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def codes_and_lines(out):
    return [(d["code"], d["line"]) for d in json.loads(out)["diagnostics"]]


class Lint(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def check_json(self, path, *extra):
        rc, out, err = run("check", "--format", "json", *extra, path)
        self.assertIn(rc, (0, 1), err)
        return rc, codes_and_lines(out), json.loads(out)


class Suppressions(Lint):
    def test_unsuppressed_warning_is_reported(self):
        p = self.write("a.scope", HEADER + RENAMED)
        rc, found, _ = self.check_json(p)
        self.assertEqual((rc, found), (0, [("W101", 3)]))

    def test_same_line(self):
        p = self.write("a.scope", HEADER + RENAMED.rstrip("\n") + "  # scopec: ignore[W101]\n")
        self.assertEqual(self.check_json(p)[1], [])

    def test_next_line_with_a_list(self):
        text = HEADER + 'a = tf.Variable(1.0, name="w")\n# scopec: ignore-next-line[W102,W101]\n' \
                        'b = tf.Variable(2.0, name="w")\n'
        p = self.write("a.scope", text)
        # W101 suppressed; W102 in the list suppressed nothing: W105 at the comment.
        rc, found, doc = self.check_json(p)
        self.assertEqual(found, [("W105", 3)])
        self.assertIn("W102", doc["diagnostics"][0]["message"])

    def test_file_wide_anywhere(self):
        p = self.write("a.scope", HEADER + RENAMED + 'c = tf.Variable(3.0, name="w")\n'
                       "# scopec: ignore-file[W101]\n")
        self.assertEqual(self.check_json(p)[1], [])

    def test_unused_suppression_is_w105(self):
        p = self.write("a.scope", HEADER + "x = 1  # scopec: ignore[W101]\n")
        rc, found, doc = self.check_json(p)
        self.assertEqual((rc, found), (0, [("W105", 2)]))
        d = doc["diagnostics"][0]
        self.assertEqual((d["column"], d["rule"]), (8, "unused-suppression"))

    def test_unknown_code_is_a_warning(self):
        p = self.write("a.scope", HEADER + "x = 1  # scopec: ignore[W999]\n")
        rc, found, doc = self.check_json(p)
        self.assertEqual((rc, found), (0, [("W105", 2)]))
        self.assertIn("unknown diagnostic code 'W999'", doc["diagnostics"][0]["message"])

    def test_code_list_is_required(self):
        p = self.write("a.scope", HEADER + RENAMED.rstrip("\n") + "  # scopec: ignore\n")
        rc, found, doc = self.check_json(p)
        self.assertEqual(found, [("W101", 3), ("W105", 3)])
        self.assertIn("needs a code list", doc["diagnostics"][1]["message"])

    def test_errors_are_never_suppressible(self):
        p = self.write("a.scope", HEADER + EXISTS.rstrip("\n") + "  # scopec: ignore[E201]\n"
                       "# scopec: ignore-file[E201]\n")
        rc, found, doc = self.check_json(p)
        self.assertEqual(rc, 1)
        self.assertEqual(found, [("E201", 5), ("W105", 5), ("W105", 6)])
        self.assertIn("errors cannot be suppressed", doc["diagnostics"][1]["message"])

    def test_suppression_inside_a_string_is_not_a_comment(self):
        p = self.write("a.scope", HEADER + 'a = tf.Variable(1.0, name="w")\n'
                       'b = tf.Variable(2.0, name="w"); s = "# scopec: ignore[W101]"\n')
        self.assertEqual(self.check_json(p)[1], [("W101", 3)])


class SelectIgnoreFailLevel(Lint):
    def setUp(self):
        super().setUp()
        # W101 on line 3, W102 on line 5, E201 on line 9.
        self.path = self.write("m.scope", HEADER + RENAMED + 'with tf.name_scope("ns"):\n'
                               '    u = tf.get_variable("u", [1])\n' + EXISTS)

    def test_all(self):
        self.assertEqual(self.check_json(self.path)[1], [("W101", 3), ("W102", 5), ("E201", 9)])

    def test_select(self):
        self.assertEqual(self.check_json(self.path, "--select", "W102")[1], [("W102", 5), ("E201", 9)])

    def test_ignore(self):
        self.assertEqual(self.check_json(self.path, "--ignore", "W101,W102")[1], [("E201", 9)])

    def test_bad_codes_are_usage_errors(self):
        for args, msg in ((("--select", "W999"), "unknown warning code 'W999'"),
                          (("--ignore", "E201"), "E201 is an error")):
            rc, out, err = run("check", *args, self.path)
            self.assertEqual(rc, 2, args)
            self.assertIn(msg, err)

    def test_fail_level(self):
        warn_only = self.write("w.scope", HEADER + RENAMED)
        self.assertEqual(run("check", "-q", warn_only)[0], 0)
        self.assertEqual(run("check", "-q", "--fail-level", "error", warn_only)[0], 0)
        self.assertEqual(run("check", "-q", "--fail-level", "warning", warn_only)[0], 1)
        self.assertEqual(run("check", "-q", "--fail-level", "warning", "--ignore", "W101", warn_only)[0], 0)
        self.assertEqual(run("check", "-q", "--fail-level", "error", self.path)[0], 1)
        self.assertEqual(run("check", "-q", "--fail-level", "note", self.path)[0], 2)

    def test_exit_codes_are_the_same_in_every_format(self):
        clean = self.write("c.scope", HEADER + "x = 1\n")
        warn_only = self.write("w.scope", HEADER + RENAMED)
        missing = os.path.join(self.dir, "missing.scope")
        for fmt in ("text", "json", "sarif", "github"):
            self.assertEqual(run("check", "--format", fmt, clean)[0], 0, fmt)
            self.assertEqual(run("check", "--format", fmt, warn_only)[0], 0, fmt)
            self.assertEqual(run("check", "--format", fmt, "--werror", warn_only)[0], 1, fmt)
            self.assertEqual(run("check", "--format", fmt, "--fail-level", "warning", warn_only)[0], 1, fmt)
            self.assertEqual(run("check", "--format", fmt, self.path)[0], 1, fmt)
            self.assertEqual(run("check", "--format", fmt, "--exit-zero", self.path)[0], 0, fmt)
            self.assertEqual(run("check", "--format", fmt, missing)[0], 2, fmt)


class GitHubFormat(Lint):
    def test_workflow_commands(self):
        self.write("m.scope", HEADER + RENAMED + EXISTS)
        rc, out, _ = run("check", "--format", "github", "m.scope", cwd=self.dir)
        self.assertEqual(rc, 1)
        lines = out.splitlines()
        self.assertEqual(len(lines), 2, out)
        self.assertTrue(lines[0].startswith(
            "::warning file=m.scope,line=3,col=5,endLine=3,endColumn=31,title=W101 variable-renamed::"
            "tf.Variable 'w' was renamed to 'w_1'"), lines[0])
        self.assertTrue(lines[1].startswith(
            "::error file=m.scope,line=7,col=9,endLine=7,endColumn=34,title=E201 variable-exists::"
            "Variable s/v already exists, disallowed."), lines[1])

    def test_special_characters_are_escaped(self):
        self.write("p%,:q.scope", "x = = 1\n")
        _, out, _ = run("check", "--format", "github", "p%,:q.scope", cwd=self.dir)
        self.assertTrue(out.startswith("::error file=p%25%2C%3Aq.scope,line=1,col=5,"), out)


class Directories(Lint):
    @unittest.skipUnless(shutil.which("git"), "git is not installed")
    def test_gitignore_is_honoured(self):
        subprocess.run(["git", "init", "-q", self.dir], check=True)
        self.write(".gitignore", "generated/\nskip.scope\n")
        self.write("generated/a.scope", "x = = 1\n")
        self.write("skip.scope", "x = = 1\n")
        self.write("src/b.scope", "x = = 1\n")
        self.write("src/a.scope", "x = 1\n")
        rc, out, _ = run("check", "--format", "json", ".", cwd=self.dir)
        doc = json.loads(out)
        self.assertEqual(rc, 1)
        self.assertEqual(doc["summary"]["files"], 2)
        self.assertEqual([d["file"] for d in doc["diagnostics"]], ["src/b.scope"])

    def test_without_git_every_scope_file_is_checked(self):
        self.write(".gitignore", "skip.scope\n")  # not a git work tree: no effect
        self.write("skip.scope", "x = = 1\n")
        rc, out, _ = run("check", "--format", "json", ".", cwd=self.dir)
        self.assertEqual([d["file"] for d in json.loads(out)["diagnostics"]], ["skip.scope"])


class SARIF(Lint):
    def sarif(self, *args, cwd=None):
        rc, out, err = run("check", "--format", "sarif", *args, cwd=cwd or self.dir)
        self.assertIn(rc, (0, 1), err)
        return json.loads(out)["runs"][0]

    def test_rule_metadata_comes_from_the_docs(self):
        self.write("m.scope", HEADER + RENAMED + EXISTS)
        run_ = self.sarif("m.scope")
        rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
        self.assertEqual(sorted(rules), ["E201", "W101"])
        with open(os.path.join(SOURCE, "docs", "diagnostics", "W101.md")) as f:
            page = f.read()
        w101 = rules["W101"]
        self.assertEqual(w101["name"], "variable-renamed")
        self.assertEqual(w101["shortDescription"]["text"],
                         "An explicitly named tf.Variable was silently renamed because its name was taken.")
        self.assertTrue(w101["fullDescription"]["text"].startswith("TF renames a `tf.Variable("))
        self.assertEqual(w101["help"]["markdown"], page)
        self.assertIn("How to fix", w101["help"]["text"])
        self.assertNotIn("```", w101["help"]["text"])
        self.assertTrue(w101["helpUri"].endswith("/docs/diagnostics/W101.md"), w101["helpUri"])
        self.assertEqual(w101["defaultConfiguration"]["level"], "warning")
        self.assertEqual(rules["E201"]["defaultConfiguration"]["level"], "error")

    def test_help_uri_base_is_configurable(self):
        self.write("m.scope", HEADER + RENAMED)
        run_ = self.sarif("--help-uri-base", "https://example.org/lint/", "m.scope")
        self.assertEqual(run_["tool"]["driver"]["rules"][0]["helpUri"], "https://example.org/lint/W101.md")

    def test_relative_uris_with_a_base_and_notes_as_related_locations(self):
        self.write("pkg/m.scope", HEADER + EXISTS)
        run_ = self.sarif("pkg/m.scope")
        self.assertIn("%SRCROOT%", run_["originalUriBaseIds"])
        self.assertTrue(run_["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/"))
        res = run_["results"][0]
        loc = res["locations"][0]["physicalLocation"]
        self.assertEqual(loc["artifactLocation"], {"uri": "pkg/m.scope", "uriBaseId": "%SRCROOT%"})
        self.assertEqual(loc["region"]["startLine"], 5)
        related = res["relatedLocations"]
        self.assertEqual(related[0]["message"]["text"], "originally defined here")
        self.assertEqual(related[0]["physicalLocation"]["region"]["startLine"], 3)

    def test_fingerprints_survive_unrelated_lines_above(self):
        self.write("m.scope", HEADER + RENAMED + EXISTS)
        before = self.sarif("m.scope")["results"]
        self.write("m.scope", HEADER + "# a comment\n\nx = 1\n" + RENAMED + EXISTS)
        after = self.sarif("m.scope")["results"]
        self.assertEqual([r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after],
                         [r["locations"][0]["physicalLocation"]["region"]["startLine"] + 3 for r in before])
        self.assertEqual([r["partialFingerprints"] for r in after],
                         [r["partialFingerprints"] for r in before])
        # Two identical findings in one file get distinct fingerprints.
        self.write("m.scope", HEADER + RENAMED + 'b = tf.Variable(2.0, name="w")\n')
        prints = [r["partialFingerprints"]["scopecFindingHash/v1"] for r in self.sarif("m.scope")["results"]]
        self.assertEqual(len(prints), 2)
        self.assertEqual(len(set(prints)), 2)


class Explain(Lint):
    def test_prints_the_page_of_every_code(self):
        folder = os.path.join(SOURCE, "docs", "diagnostics")
        pages = sorted(os.listdir(folder))
        self.assertGreaterEqual(len(pages), 45)
        for page in pages:
            rc, out, _ = run("explain", page[:-3])
            with open(os.path.join(folder, page)) as f:
                self.assertEqual((rc, out), (0, f.read()), page)

    def test_unknown_code(self):
        rc, out, err = run("explain", "E999")
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("unknown diagnostic code 'E999'", err)


class PreCommit(unittest.TestCase):
    def test_hooks_file(self):
        import yaml  # Debian's python3-yaml
        with open(os.path.join(SOURCE, ".pre-commit-hooks.yaml")) as f:
            hooks = yaml.safe_load(f)
        ids = {h["id"]: h for h in hooks}
        self.assertIn("scopec-check", ids)
        hook = ids["scopec-check"]
        self.assertEqual(hook["entry"].split()[:2], ["scopec", "check"])
        self.assertEqual(hook["files"], r"\.scope$")
        # The hook's entry, as pre-commit runs it (file names appended), works.
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "bad.scope")
            with open(bad, "w") as f:
                f.write("x = = 1\n")
            entry = hook["entry"].split()
            p = subprocess.run([SCOPEC, *entry[1:], *hook.get("args", []), bad], capture_output=True)
            self.assertEqual(p.returncode, 1)
            self.assertIn(b"E001", p.stdout)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--scopec", required=True)
    args, rest = ap.parse_known_args()
    SCOPEC = os.path.abspath(args.scopec)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=1)
