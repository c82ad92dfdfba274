//===- Driver.h - The scopec pipeline and its commands ----------*- C++ -*-===//
#ifndef SCOPEC_DRIVER_DRIVER_H
#define SCOPEC_DRIVER_DRIVER_H

#include "scopec/Config.h"
#include "scopec/AST/AST.h"
#include "scopec/Basic/Diagnostics.h"

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace scopec::eval {
class Interpreter;
}

namespace scopec::driver {

/// Exit codes of cli.md.
enum ExitCode : int {
  kExitOK = 0,
  kExitErrors = 1,
  kExitUsage = 2,
  kExitInternalError = 70,
};

enum class OutputFormat { Text, JSON, SARIF, GitHub };
enum class ColorMode { Auto, Always, Never };
enum class EmitStage { None, Tokens, AST };

/// What an internal failure prints (then its reason in parentheses) before exit 70.
inline constexpr const char *kInternalErrorReport =
    "scopec: internal compiler error: this is a bug in scopec, not in your program.\n"
    "Please report it with the input file and the command line that triggered it.\n";

/// Where docs/diagnostics is published (`--help-uri-base` overrides it).
inline constexpr const char *kDefaultHelpURIBase = SCOPEC_HELP_URI_BASE;

/// The -I folders every command uses unless its options say otherwise.
std::vector<std::string> &defaultIncludeDirs();

struct CheckOptions {
  OutputFormat format = OutputFormat::Text;
  unsigned jobs = 0; ///< 0: one per core
  bool werror = false;
  bool exitZero = false;
  bool verify = false;
  bool quiet = false;
  ColorMode color = ColorMode::Auto;
  EmitStage emitStage = EmitStage::None;
  /// --select / --ignore: the warnings reported (errors always are).
  std::set<std::string> select, ignore;
  /// SARIF `helpUri` of a rule: this base followed by `<CODE>.md`.
  std::string helpURIBase = kDefaultHelpURIBase;
  /// False: the caller exits right after runCheck, so the results are not
  /// freed (the command-line tool; library users keep the default).
  bool freeResults = true;
  /// Directories also yield files with these extensions (--ext py).
  std::vector<std::string> extensions;
  /// Where `import mod` looks after the importing file's folder (-I DIR).
  std::vector<std::string> includeDirs = defaultIncludeDirs();
};

/// One compiled input: everything the renderers need, self-contained so that
/// files can be compiled in parallel and printed in input order.
struct FileResult {
  FileResult();
  FileResult(FileResult &&) noexcept;
  FileResult &operator=(FileResult &&) noexcept;
  ~FileResult();

  std::string path;        ///< as given (or found under a directory)
  std::string displayName; ///< as printed: the path, or "<stdin>"
  std::unique_ptr<SourceManager> sm;
  FileID file = 0;
  std::vector<Diagnostic> diagnostics;
  std::unique_ptr<ast::Module> module;
  std::string dump;         ///< --emit-stage output
  std::string printed;      ///< what the program print()ed at compile time
  std::string inputError;   ///< non-empty: the file could not be read (exit 2)
  std::string internalError; ///< non-empty: scopec failed on this file (a bug; exit 70)
  /// The engine the phases reported to (kept alive for later phases).
  std::unique_ptr<DiagnosticsEngine> engine;
  /// The user modules it imported (parsed once; the interpreter refers to them).
  std::vector<std::unique_ptr<ast::Module>> imports;
  /// The evaluated program (graph, variables); null when it did not run.
  std::unique_ptr<eval::Interpreter> interp;
};

/// Runs `fn` on a thread with a 512 MiB stack (reserved, not committed), as
/// every compilation does; an exception from `fn` is rethrown in the caller.
void runOnLargeStack(const std::function<void()> &fn);
/// Runs `fn` on `threads` such threads at once (a pool: each call of `fn`
/// takes its own work), and waits for all of them.
void runOnLargeStacks(unsigned threads, const std::function<void()> &fn);

/// Reads a file ("-" is standard input). Returns false and sets `error` to a
/// one-line reason for a missing, unreadable, directory or binary input.
bool readInput(const std::string &path, std::string &contents, std::string &error);

/// Runs the front end on one source text.
FileResult compileSource(std::string path, std::string displayName, std::string_view text,
                         const CheckOptions &opts);
/// Reads and compiles one input (on a thread with a large stack).
FileResult compileFile(const std::string &path, const CheckOptions &opts);
/// The same on the calling thread.
FileResult compileFileHere(const std::string &path, const CheckOptions &opts);

/// Expands directories into the `.scope` files (and `extraExtensions`: "py")
/// below them (sorted), keeping
/// files as given. Missing paths are kept, to be reported when read.
std::vector<std::string> expandInputs(const std::vector<std::string> &inputs,
                                      const std::vector<std::string> &extraExtensions = {});

/// `scopec check`: diagnostics of every input to `out` in the chosen format,
/// usage and I/O errors to `err`. Returns the exit code.
int runCheck(const std::vector<std::string> &inputs, const CheckOptions &opts,
             llvm::raw_ostream &out, llvm::raw_ostream &err);

/// Runs the front end for a product command (vars, graph, run, build,
/// weights): what the program printed and its diagnostics go to `err` as
/// text. Returns the exit code to stop with, or kExitOK to go on: input
/// errors give kExitUsage, program errors kExitErrors, an invalid graph
/// kExitInternalError.
int compileForProduct(const std::string &input, FileResult &r, llvm::raw_ostream &err,
                      bool needGraph);

enum class VarsFormat { Table, JSON };

/// `scopec vars FILE`: the variables in creation order to `out`,
/// diagnostics as text to `err`. Returns the exit code.
int runVars(const std::string &input, VarsFormat format, llvm::raw_ostream &out,
            llvm::raw_ostream &err);

enum class GraphFormat { Text, Dot, JSON };

/// `scopec graph FILE`: the op graph (without variables' helper ops unless
/// `all`). Returns the exit code.
int runGraph(const std::string &input, GraphFormat format, bool all, llvm::raw_ostream &out,
             llvm::raw_ostream &err);

} // namespace scopec::driver

#endif
