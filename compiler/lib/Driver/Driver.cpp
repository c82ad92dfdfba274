//===- Driver.cpp - The compile pipeline and `scopec check` ---------------===//
#include "scopec/Driver/Driver.h"
#include "scopec/Driver/CompileTimeRun.h"

#include "scopec/AST/ASTDumper.h"
#include "scopec/Eval/Interpreter.h"
#include "scopec/Graph/GraphDump.h"
#include "scopec/Graph/ShapeInference.h"
#include "scopec/Driver/Lint.h"
#include "scopec/Driver/Render.h"
#include "scopec/Driver/Verify.h"
#include "scopec/Syntax/Parser.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <exception>
#include <cstdlib>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <functional>
#include <iostream>
#include <iterator>
#include <pthread.h>
#include <sstream>
#include <thread>

namespace scopec::driver {

namespace fs = std::filesystem;

//===--- Inputs -----------------------------------------------------------===//

namespace {
/// A file is binary (not a broken source file) when its first 8000 bytes hold
/// a NUL and a tenth of them are control bytes that text does not contain.
bool looksBinary(std::string_view data) {
  std::string_view head = data.substr(0, 8000);
  if (head.find('\0') == std::string_view::npos)
    return false;
  size_t odd = 0;
  for (unsigned char c : head)
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b)
      ++odd;
  return odd * 10 >= head.size();
}
} // namespace

bool readInput(const std::string &path, std::string &contents, std::string &error) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    contents = ss.str();
  } else {
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
      error = "cannot read '" + path + "': No such file or directory";
      return false;
    }
    if (fs::is_directory(st)) {
      error = "cannot read '" + path + "': Is a directory";
      return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      error = "cannot read '" + path + "': " + std::strerror(errno);
      return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf(); // in blocks, not a character at a time
    contents = std::move(ss).str();
    if (in.bad()) {
      error = "cannot read '" + path + "': read error";
      return false;
    }
  }
  if (looksBinary(contents)) {
    error = "cannot read '" + (path == "-" ? std::string("<stdin>") : path) +
            "': binary file, not scope source";
    return false;
  }
  return true;
}

/// The *.scope files below `dir` that git does not ignore (tracked or not),
/// when `dir` is inside a git work tree; false otherwise.
static bool gitListFiles(const std::string &dir, const std::vector<std::string> &exts,
                         std::vector<std::string> &out) {
  auto git = llvm::sys::findProgramByName("git");
  if (!git)
    return false;
  llvm::SmallString<128> listing;
  if (llvm::sys::fs::createTemporaryFile("scopec-ls", "txt", listing))
    return false;
  std::string path(listing.str());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(path), llvm::StringRef("")};
  std::vector<std::string> patterns;
  for (const std::string &e : exts)
    patterns.push_back("*" + e);
  std::vector<llvm::StringRef> args = {*git, "-C", dir, "ls-files", "-z", "--cached", "--others",
                                       "--exclude-standard", "--"};
  for (const std::string &p : patterns)
    args.push_back(p);
  int rc = llvm::sys::ExecuteAndWait(*git, args, std::nullopt, redirects, 30);
  std::string text;
  {
    std::ifstream in(path, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  llvm::sys::fs::remove(path);
  if (rc != 0)
    return false;
  for (size_t p = 0; p < text.size();) {
    size_t q = text.find('\0', p);
    if (q == std::string::npos)
      q = text.size();
    std::string rel = text.substr(p, q - p);
    p = q + 1;
    std::error_code ec;
    fs::path full = fs::path(dir) / rel;
    if (!rel.empty() && fs::is_regular_file(full, ec))
      out.push_back(full.lexically_normal().string());
  }
  return true;
}

std::vector<std::string> expandInputs(const std::vector<std::string> &inputs,
                                      const std::vector<std::string> &extraExtensions) {
  std::vector<std::string> exts = {".scope"};
  for (const std::string &e : extraExtensions)
    exts.push_back(e.empty() || e[0] == '.' ? e : "." + e);
  std::vector<std::string> out;
  for (const std::string &in : inputs) {
    std::error_code ec;
    if (in != "-" && fs::is_directory(in, ec)) {
      std::vector<std::string> found;
      if (gitListFiles(in, exts, found)) {
        std::sort(found.begin(), found.end());
        if (found.empty())
          out.push_back(in);
        out.insert(out.end(), found.begin(), found.end());
        continue;
      }
      fs::recursive_directory_iterator it(in, fs::directory_options::skip_permission_denied, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        const fs::path &p = it->path();
        std::string name = p.filename().string();
        if (it->is_directory(ec) && !name.empty() && name[0] == '.') {
          it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file(ec) && std::find(exts.begin(), exts.end(), p.extension().string()) != exts.end())
          found.push_back(p.lexically_normal().string());
      }
      std::sort(found.begin(), found.end());
      if (found.empty())
        out.push_back(in); // reported as "Is a directory" when read
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(in);
    }
  }
  return out;
}

//===--- The pipeline -----------------------------------------------------===//

FileResult::FileResult() = default;
FileResult::FileResult(FileResult &&) noexcept = default;
FileResult &FileResult::operator=(FileResult &&) noexcept = default;
FileResult::~FileResult() = default;

std::vector<std::string> &defaultIncludeDirs() {
  static std::vector<std::string> dirs;
  return dirs;
}

namespace {

/// The evaluator's ModuleLoader for one compilation: `a.b` is a/b.scope,
/// a/b.py, a/b/__init__.scope or a/b/__init__.py beside the importing file
/// (up `level - 1` folders for a relative import), then under each -I folder.
eval::ModuleLoader moduleLoader(FileResult &r, const CheckOptions &opts) {
  auto paths = std::make_shared<std::map<FileID, std::string>>();
  (*paths)[r.file] = r.path;
  auto parsed = std::make_shared<std::map<std::string, const ast::Module *>>();
  std::vector<std::string> includes = opts.includeDirs;
  for (const std::string &d : defaultIncludeDirs())
    if (std::find(includes.begin(), includes.end(), d) == includes.end())
      includes.push_back(d);
  return [&r, paths, parsed, includes](const std::string &dotted, FileID importer, unsigned level,
                                       std::string &found) -> const ast::Module * {
    namespace fs = std::filesystem;
    std::vector<fs::path> roots;
    auto it = paths->find(importer);
    fs::path base = it != paths->end() && it->second != "-" ? fs::path(it->second).parent_path() : fs::current_path();
    for (unsigned k = 1; k < level; ++k)
      base = base.parent_path();
    roots.push_back(base.empty() ? fs::path(".") : base);
    if (level == 0)
      for (const std::string &d : includes)
        roots.push_back(d);
    std::string rel = dotted;
    std::replace(rel.begin(), rel.end(), '.', '/');
    for (const fs::path &root : roots)
      for (const char *suffix : {".scope", ".py", "/__init__.scope", "/__init__.py"}) {
        fs::path p = root / (rel + suffix);
        std::error_code ec;
        if (rel.empty() || !fs::is_regular_file(p, ec))
          continue;
        std::string key = fs::weakly_canonical(p, ec).string();
        found = key; // one module per file, however it is reached
        if (auto hit = parsed->find(key); hit != parsed->end())
          return hit->second;
        std::string text, error;
        if (!readInput(p.string(), text, error))
          continue;
        FileID id = r.sm->addBuffer(p.lexically_normal().string(), text);
        (*paths)[id] = p.string();
        r.imports.push_back(syntax::parse(id, *r.sm, *r.engine));
        const ast::Module *m = r.imports.back().get();
        (*parsed)[key] = m;
        return m;
      }
    return nullptr;
  };
}

} // namespace

FileResult compileSource(std::string path, std::string displayName, std::string_view text,
                         const CheckOptions &opts) {
  // Test hook for the internal-error path (exit 70): an exception or a
  // signal raised in the middle of compiling a file.
  if (const char *inject = std::getenv("SCOPEC_INJECT_INTERNAL_ERROR")) {
    if (std::strcmp(inject, "exception") == 0)
      throw std::logic_error("injected internal error");
    if (std::strcmp(inject, "signal") == 0)
      std::raise(SIGSEGV);
  }
  FileResult r;
  r.path = std::move(path);
  r.displayName = std::move(displayName);
  r.sm = std::make_unique<SourceManager>();
  r.file = r.sm->addBuffer(r.displayName, text);
  r.engine = std::make_unique<DiagnosticsEngine>(*r.sm);
  DiagnosticsEngine &diags = *r.engine;
  llvm::raw_string_ostream dump(r.dump);
  if (opts.emitStage == EmitStage::Tokens) {
    syntax::dumpTokens(r.file, *r.sm, diags, dump);
  } else {
    r.module = syntax::parse(r.file, *r.sm, diags);
    if (opts.emitStage == EmitStage::AST)
      ast::dumpModule(*r.module, dump);
    else if (!r.module->hasSyntaxErrors) {
      llvm::raw_string_ostream printed(r.printed);
      eval::EvalOptions eo;
      eo.computer = jitTensorComputer();
      eo.loader = moduleLoader(r, opts);
      r.interp = std::make_unique<eval::Interpreter>(diags, *r.sm, printed, eo);
      r.interp->run(*r.module);
      printed.flush();
      r.interp->setOutput(llvm::nulls());
    }
  }
  dump.flush();
  r.diagnostics = diags.takeDiagnostics();
  // Report in source order (the lexer runs ahead of the parser).
  std::stable_sort(r.diagnostics.begin(), r.diagnostics.end(),
                   [](const Diagnostic &a, const Diagnostic &b) {
                     return a.range.begin < b.range.begin;
                   });
  applySuppressions(r);
  filterWarnings(r, WarningFilter{opts.select, opts.ignore});
  return r;
}

namespace {
constexpr size_t kCompileStack = size_t(512) << 20;

/// Runs `fn` on `threads` threads with a kCompileStack stack (reserved, not
/// committed) each, or on the calling thread when no thread can be made.
void runOnLargeStacksUnguarded(unsigned threads, const std::function<void()> &fn) {
  auto trampoline = [](void *p) -> void * {
    // Signal handlers run on an alternate stack, so that a stack overflow in
    // this thread still reaches the internal-error report.
    std::vector<char> altStack(size_t(1) << 16);
    stack_t ss{};
    ss.ss_sp = altStack.data();
    ss.ss_size = altStack.size();
    sigaltstack(&ss, nullptr);
    (*static_cast<const std::function<void()> *>(p))();
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
    return nullptr;
  };
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kCompileStack);
  std::vector<pthread_t> started;
  for (unsigned i = 0; i < threads; ++i) {
    pthread_t thread;
    if (pthread_create(&thread, &attr, trampoline,
                       const_cast<std::function<void()> *>(&fn)) != 0)
      break;
    started.push_back(thread);
  }
  if (started.empty())
    fn(); // no thread: run here
  for (pthread_t t : started)
    pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
}
} // namespace

/// Runs `fn` on a thread with a 512 MiB stack (reserved, not committed):
/// deep but bounded recursion (1000 Python calls, 200 nested constructs)
/// must not depend on the caller's stack size.
/// An exception thrown by `fn` is rethrown here, in the caller's thread.
void runOnLargeStack(const std::function<void()> &fn) { runOnLargeStacks(1, fn); }

void runOnLargeStacks(unsigned threads, const std::function<void()> &fn) {
  std::mutex m;
  std::exception_ptr failure;
  std::function<void()> guarded = [&] {
    try {
      fn();
    } catch (...) {
      std::lock_guard<std::mutex> lock(m);
      if (!failure)
        failure = std::current_exception();
    }
  };
  runOnLargeStacksUnguarded(threads, guarded);
  if (failure)
    std::rethrow_exception(failure);
}

namespace {
/// Compiles one input on the calling thread; an exception becomes the
/// result's internal error (reported with exit 70).
FileResult compileFileGuarded(const std::string &path, const CheckOptions &opts) {
  FileResult result;
  try {
    result = compileFileHere(path, opts);
  } catch (const std::exception &e) {
    result = FileResult();
    result.path = path;
    result.internalError = e.what();
  } catch (...) {
    result = FileResult();
    result.path = path;
    result.internalError = "unknown exception";
  }
  return result;
}
} // namespace

FileResult compileFile(const std::string &path, const CheckOptions &opts) {
  FileResult result;
  runOnLargeStack([&] { result = compileFileGuarded(path, opts); });
  return result;
}

FileResult compileFileHere(const std::string &path, const CheckOptions &opts) {
  std::string contents, error;
  std::string display = path == "-" ? "<stdin>" : path;
  if (!readInput(path, contents, error)) {
    FileResult r;
    r.path = path;
    r.displayName = display;
    r.inputError = error;
    return r;
  }
  return compileSource(path, display, contents, opts);
}

//===--- scopec check -----------------------------------------------------===//

int runCheck(const std::vector<std::string> &inputs, const CheckOptions &opts,
             llvm::raw_ostream &out, llvm::raw_ostream &err) {
  std::vector<std::string> files = expandInputs(inputs, opts.extensions);
  if (std::count(files.begin(), files.end(), "-") > 1) {
    err << "scopec: error: standard input ('-') can be read only once\n";
    return kExitUsage;
  }
  std::vector<FileResult> results(files.size());
  // Like clang's -disable-free: a process that exits next need not tear down
  // the ASTs and diagnostics it rendered (about 5% of a large file's time).
  auto keep = llvm::make_scope_exit([&] {
    if (!opts.freeResults)
      (void)new std::vector<FileResult>(std::move(results)); // NOLINT: leaked on purpose
  });
  // The renderers need only the diagnostics and the sources; the program's
  // state goes as soon as a file is done, so that memory does not grow with
  // the number of files (--verify also reads the comments of the AST). One
  // file's state is simply kept when the process exits next.
  bool dropState = opts.freeResults || files.size() > 1;
  auto compileOne = [&](size_t i) {
    FileResult r = compileFileGuarded(files[i], opts);
    if (dropState) {
      r.interp.reset();
      if (!opts.verify)
        r.module.reset();
    }
    results[i] = std::move(r);
  };
  // A pool of compile threads (each with the large stack) takes the files in
  // order; results land in their input slot, so the output order is fixed.
  unsigned jobs = opts.jobs ? opts.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(files.size())));
  std::atomic<size_t> next{0};
  runOnLargeStacks(jobs, [&] {
    for (size_t i; (i = next.fetch_add(1)) < files.size();)
      compileOne(i);
  });

  for (const FileResult &r : results)
    if (!r.internalError.empty()) {
      err << kInternalErrorReport << "(" << r.internalError << " while compiling '" << r.path
          << "')\n";
      return kExitInternalError;
    }
  bool inputErrors = false;
  std::vector<const FileResult *> ok;
  for (const FileResult &r : results) {
    if (!r.inputError.empty()) {
      err << "scopec: error: " << r.inputError << '\n';
      inputErrors = true;
    } else {
      ok.push_back(&r);
    }
  }

  unsigned errors = 0, warnings = 0;
  for (const FileResult *r : ok)
    for (const Diagnostic &d : r->diagnostics)
      (d.severity() == Severity::Error ? errors : warnings) += d.severity() != Severity::Note;

  bool color = opts.color == ColorMode::Always ||
               (opts.color == ColorMode::Auto && opts.format == OutputFormat::Text &&
                out.is_displayed() && !std::getenv("NO_COLOR"));

  if (opts.verify) {
    unsigned mismatches = 0;
    for (const FileResult *r : ok) {
      for (const std::string &line : verifyFile(*r)) {
        out << line << '\n';
        ++mismatches;
      }
    }
    if (!opts.quiet)
      out << "verify: " << ok.size() << (ok.size() == 1 ? " file, " : " files, ") << mismatches
          << (mismatches == 1 ? " mismatch\n" : " mismatches\n");
    if (inputErrors)
      return kExitUsage;
    return mismatches ? kExitErrors : kExitOK;
  }

  switch (opts.format) {
  case OutputFormat::Text:
    for (const FileResult *r : ok) {
      out << r->dump << r->printed;
      for (const Diagnostic &d : r->diagnostics)
        renderText(d, *r->sm, out, color);
    }
    if (!opts.quiet)
      out << summaryLine(errors, warnings, static_cast<unsigned>(ok.size())) << '\n';
    break;
  case OutputFormat::JSON:
    for (const FileResult *r : ok)
      err << r->printed; // keep the document valid: compile-time prints to stderr
    out << renderJSON(ok) << '\n';
    break;
  case OutputFormat::SARIF:
    for (const FileResult *r : ok)
      err << r->printed;
    out << renderSARIF(ok, opts.helpURIBase) << '\n';
    break;
  case OutputFormat::GitHub:
    for (const FileResult *r : ok) {
      err << r->printed;
      for (const Diagnostic &d : r->diagnostics)
        out << renderGitHub(d, *r->sm) << '\n';
    }
    break;
  }
  out.flush();
  if (inputErrors)
    return kExitUsage;
  if (opts.exitZero)
    return kExitOK;
  if (errors || (opts.werror && warnings))
    return kExitErrors;
  return kExitOK;
}

} // namespace scopec::driver

//===--- scopec vars ------------------------------------------------------===//

#include <nlohmann/json.hpp>

namespace scopec::driver {

namespace {
std::string shapeText(const eval::VariableInfo &v) {
  if (v.unknownRank)
    return "<unknown>";
  std::string s = "[";
  for (size_t k = 0; k < v.shape.size(); ++k)
    s += (k ? ", " : "") + (v.shape[k] < 0 ? std::string("?") : std::to_string(v.shape[k]));
  return s + "]";
}
std::string where(const FileResult &r, const SourceRange &loc) {
  if (!loc.isValid())
    return "-";
  return r.sm->getName(loc.file) + ":" + std::to_string(loc.begin.line) + ":" +
         std::to_string(loc.begin.col);
}
} // namespace

int compileForProduct(const std::string &input, FileResult &r, llvm::raw_ostream &err,
                      bool needGraph) {
  CheckOptions opts;
  r = compileFile(input, opts);
  if (!r.internalError.empty())
    throw std::runtime_error(r.internalError + " while compiling '" + input + "'");
  if (!r.inputError.empty()) {
    err << "scopec: error: " << r.inputError << '\n';
    return kExitUsage;
  }
  err << r.printed;
  bool errors = false;
  for (const Diagnostic &d : r.diagnostics) {
    renderText(d, *r.sm, err, false);
    errors |= d.severity() == Severity::Error;
  }
  if (!needGraph)
    return errors ? kExitErrors : kExitOK;
  if (errors || !r.interp)
    return kExitErrors;
  std::vector<std::string> problems = graph::verifyGraph(r.interp->graph());
  if (!problems.empty()) {
    err << "scopec: internal compiler error: the graph is invalid:\n";
    for (const std::string &p : problems)
      err << "  " << p << '\n';
    return kExitInternalError;
  }
  return kExitOK;
}

int runGraph(const std::string &input, GraphFormat format, bool all, llvm::raw_ostream &out,
             llvm::raw_ostream &err) {
  FileResult r;
  int rc = compileForProduct(input, r, err, /*needGraph=*/false);
  if (rc == kExitUsage)
    return rc;
  if (r.interp) {
    std::vector<std::string> problems = graph::verifyGraph(r.interp->graph());
    if (!problems.empty()) {
      err << "scopec: internal compiler error: the graph is invalid:\n";
      for (const std::string &p : problems)
        err << "  " << p << '\n';
      return kExitInternalError;
    }
    graph::DumpOptions opts;
    opts.all = all;
    const graph::Graph &g = r.interp->graph();
    out << (format == GraphFormat::Dot    ? graph::dumpDot(g, opts)
            : format == GraphFormat::JSON ? graph::dumpJSON(g, opts, *r.sm)
                                          : graph::dumpText(g, opts));
  }
  return rc;
}

int runVars(const std::string &input, VarsFormat format, llvm::raw_ostream &out,
            llvm::raw_ostream &err) {
  FileResult r;
  int rc = compileForProduct(input, r, err, /*needGraph=*/false);
  if (rc == kExitUsage)
    return rc;
  bool errors = rc != kExitOK;
  std::vector<eval::VariableInfo> vars;
  if (r.interp)
    vars = r.interp->variables();
  if (format == VarsFormat::JSON) {
    nlohmann::ordered_json doc;
    doc["version"] = 1;
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const eval::VariableInfo &v : vars) {
      nlohmann::ordered_json j;
      j["name"] = v.name;
      j["tensor"] = v.name + ":0";
      if (!v.key.empty())
        j["key"] = v.key;
      if (v.unknownRank) {
        j["shape"] = nullptr;
      } else {
        nlohmann::ordered_json shape = nlohmann::ordered_json::array();
        for (int64_t d : v.shape)
          shape.push_back(d < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(d));
        j["shape"] = shape;
      }
      j["dtype"] = v.dtype;
      j["trainable"] = v.trainable;
      j["created_by"] = v.createdBy;
      j["initializer"] = v.initializer;
      j["file"] = v.createdAt.isValid() ? r.sm->getName(v.createdAt.file) : "";
      j["line"] = v.createdAt.begin.line;
      j["column"] = v.createdAt.begin.col;
      nlohmann::ordered_json reused = nlohmann::ordered_json::array();
      for (const SourceRange &u : v.reusedAt)
        reused.push_back({{"file", r.sm->getName(u.file)}, {"line", u.begin.line}, {"column", u.begin.col}});
      j["reused_at"] = reused;
      list.push_back(std::move(j));
    }
    doc["variables"] = std::move(list);
    out << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  } else {
    std::vector<std::vector<std::string>> rows = {
        {"NAME", "SHAPE", "DTYPE", "INITIALIZER", "TRAINABLE", "CREATED BY", "CREATED AT", "REUSED AT"}};
    for (const eval::VariableInfo &v : vars) {
      std::string reused;
      for (const SourceRange &u : v.reusedAt)
        reused += (reused.empty() ? "" : ", ") + where(r, u);
      rows.push_back({v.name, shapeText(v), v.dtype, v.initializer, v.trainable ? "yes" : "no",
                      v.createdBy, where(r, v.createdAt), reused.empty() ? "-" : reused});
    }
    std::vector<size_t> widths(rows[0].size(), 0);
    for (auto &row : rows)
      for (size_t k = 0; k < row.size(); ++k)
        widths[k] = std::max(widths[k], countCodePoints(row[k]));
    for (auto &row : rows) {
      std::string line;
      for (size_t k = 0; k < row.size(); ++k) {
        line += row[k];
        if (k + 1 < row.size())
          line += std::string(widths[k] - countCodePoints(row[k]) + 2, ' ');
      }
      out << line << '\n';
    }
  }
  return errors ? kExitErrors : kExitOK;
}

} // namespace scopec::driver
