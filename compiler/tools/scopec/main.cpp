//===- main.cpp - The scopec command line (CLI11 only: options -> Driver) -===//
#include "scopec/Basic/DiagnosticDocs.h"
#include "scopec/Config.h"
#include "scopec/Driver/Driver.h"
#include "scopec/Driver/Lint.h"
#include "scopec/Driver/Run.h"

#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <sys/syscall.h>
#include <unistd.h>

using namespace scopec;
using namespace scopec::driver;

namespace {

constexpr const char *kReportMessage = kInternalErrorReport;

/// A crash ends with the report message and exit code 70, never a raw signal.
extern "C" void onFatalSignal(int sig) {
  // Several threads may crash at once (check -j): the first reports and
  // exits; the others wait for that exit. A fault inside the handler of the
  // reporting thread exits at once.
  static std::atomic<pid_t> reporter{0};
  pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
  pid_t none = 0;
  if (!reporter.compare_exchange_strong(none, self)) {
    if (none == self)
      _exit(kExitInternalError);
    for (;;)
      pause();
  }
  const char *name = sig == SIGSEGV ? "segmentation fault"
                     : sig == SIGABRT ? "abort"
                     : sig == SIGFPE  ? "arithmetic exception"
                     : sig == SIGBUS  ? "bus error"
                                      : "illegal instruction";
  ssize_t ignored = write(STDERR_FILENO, kReportMessage, std::strlen(kReportMessage));
  ignored = write(STDERR_FILENO, "(", 1);
  ignored = write(STDERR_FILENO, name, std::strlen(name));
  ignored = write(STDERR_FILENO, ")\n", 2);
  (void)ignored;
  _exit(kExitInternalError);
}

void installCrashHandlers() {
  // The handler runs on its own stack so that a stack overflow is caught too.
  static char altStack[1 << 16];
  stack_t ss{};
  ss.ss_sp = altStack;
  ss.ss_size = sizeof altStack;
  sigaltstack(&ss, nullptr);
  struct sigaction sa{};
  sa.sa_handler = onFatalSignal;
  sa.sa_flags = SA_ONSTACK;
  for (int sig : {SIGSEGV, SIGABRT, SIGFPE, SIGBUS, SIGILL})
    sigaction(sig, &sa, nullptr);
}

int explain(const std::string &code) {
  const DiagInfo *info = findDiagByCode(code);
  if (!info) {
    llvm::errs() << "scopec: error: unknown diagnostic code '" << code
                 << "' (codes look like E201 or W101)\n";
    return kExitUsage;
  }
  // The page of docs/diagnostics, as embedded at build time.
  if (const char *page = findDiagnosticDoc(info->code)) {
    llvm::outs() << page;
    return kExitOK;
  }
  llvm::outs() << info->code << " " << info->rule << " (" << severityName(info->severity)
               << ")\n\n"
               << info->summary << "\n";
  return kExitOK;
}

int run(int argc, char **argv) {
  CLI::App app{"scopec: a compiler and lint for TensorFlow 1.x variable-scope programs"};
  app.set_version_flag("--version", std::string("scopec ") + SCOPEC_VERSION);
  app.require_subcommand(1);

  std::vector<std::string> files;
  CheckOptions opts;
  std::string format = "text", color = "auto", emitStage;
  CLI::App *check = app.add_subcommand("check", "Report the diagnostics of .scope files (the lint)");
  check->add_option("--ext", opts.extensions,
                    "Directories also yield files with this extension (e.g. py; repeatable)")
      ->type_name("EXT");
  check->add_option("files", files, "Files or directories ('-' reads standard input)")
      ->required();
  check->add_option("--format", format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}));
  std::string select, ignore, failLevel;
  check->add_option("--help-uri-base", opts.helpURIBase,
                    "SARIF helpUri base: where docs/diagnostics is published");
  check->add_option("--select", select, "Report only these warnings (comma-separated codes)");
  check->add_option("--ignore", ignore, "Do not report these warnings (comma-separated codes)");
  check->add_option("--fail-level", failLevel, "Exit 1 on diagnostics at or above this level")
      ->check(CLI::IsMember({"error", "warning"}));
  check->add_option("-j,--jobs", opts.jobs, "Files compiled in parallel (default: cores)")
      ->check(CLI::Range(1u, 1024u));
  check->add_flag("--werror", opts.werror, "Treat warnings as errors for the exit code");
  check->add_flag("--exit-zero", opts.exitZero, "Exit 0 even when diagnostics were reported");
  check->add_option("--color", color, "Colour the text output")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  check->add_flag("--verify", opts.verify,
                  "Check diagnostics against `# expected-error {{...}}` annotations");
  check->add_flag("-q,--quiet", opts.quiet, "No summary line");
  check->add_option("--emit-stage", emitStage, "Print a phase's output (debugging)")
      ->check(CLI::IsMember({"tokens", "ast"}));

  std::string varsFile, varsFormat = "table";
  CLI::App *vars = app.add_subcommand("vars", "List the program's variables");
  vars->add_option("file", varsFile, "A .scope file ('-' reads standard input)")->required();
  vars->add_option("--format", varsFormat, "Output format")->check(CLI::IsMember({"table", "json"}));

  std::string graphFile, graphFormat = "text";
  bool graphAll = false;
  CLI::App *graphCmd = app.add_subcommand("graph", "Print the program's op graph");
  graphCmd->add_option("file", graphFile, "A .scope file ('-' reads standard input)")->required();
  graphCmd->add_option("--format", graphFormat, "Output format")
      ->check(CLI::IsMember({"text", "dot", "json"}));
  graphCmd->add_flag("--all", graphAll, "Include variables' helper ops (Assign, read, Initializer)");

  std::string runFile;
  RunOptions runOpts;
  CLI::App *runCmd = app.add_subcommand("run", "JIT-compile the forward pass and run it");
  runCmd->add_option("file", runFile, "A .scope file")->required();
  runCmd->add_option("--input", runOpts.inputs, "NAME=x.npy, or feeds.npz keyed by placeholder name");
  runCmd->add_option("--weights", runOpts.weights, "Variables' values (.npz keyed by variable name)");
  runCmd->add_option("--fetch", runOpts.fetches, "A tensor or op to compute (default: the sinks)");
  runCmd->add_option("-o,--output", runOpts.output, "Write the fetches to this .npz");
  runCmd->add_option("--seed", runOpts.seed, "Seed of the random initializers");
  runCmd->add_option("--bench", runOpts.bench, "Run N times and print the median latency");
  runCmd->add_option("--threads", runOpts.threads, "Threads for the large ops (results are bitwise the same for any N)")
      ->check(CLI::Range(1u, 256u));
  runCmd->add_option("-O", runOpts.optLevel, "Optimisation level 0-3")->check(CLI::Range(0u, 3u));

  std::string buildFile;
  BuildOptions buildOpts;
  std::string emitList;
  CLI::App *buildCmd = app.add_subcommand("build", "Compile ahead of time: BASE.o and BASE.h");
  buildCmd->add_option("file", buildFile, "A .scope file")->required();
  buildCmd->add_option("-o,--output", buildOpts.output, "BASE of the output files")->required();
  buildCmd->add_option("--emit", emitList, "Comma-separated: obj,header,so,llvm,asm");
  buildCmd->add_option("--fetch", buildOpts.fetches, "A tensor or op to compute (default: the sinks)");
  buildCmd->add_option("--weights", buildOpts.weights, "Embed these variables' values (.npz)");
  buildCmd->add_option("--prefix", buildOpts.prefix, "Symbol prefix (default: the file stem)");
  buildCmd->add_option("--target", buildOpts.triple, "Target triple (default: the host)");
  buildCmd->add_option("--cpu", buildOpts.cpu, "Target CPU (default: the host's)");
  buildCmd->add_option("-O", buildOpts.optLevel, "Optimisation level 0-3")->check(CLI::Range(0u, 3u));
  buildCmd->add_option("--seed", buildOpts.seed, "Seed of the random initializers");
  buildCmd->add_flag("--weights-at-runtime", buildOpts.weightsAtRuntime,
                     "Take the weights as a run-time argument instead of embedding them");
  buildCmd->add_flag("--pack-weights", buildOpts.packWeights,
                     "As --weights-at-runtime, in the layout PREFIX_pack_weights writes (faster products)");

  std::string weightsFile, weightsOut;
  uint64_t weightsSeed = 0;
  CLI::App *weightsCmd = app.add_subcommand("weights", "Write every variable's initial value to an .npz");
  weightsCmd->add_option("file", weightsFile, "A .scope file")->required();
  weightsCmd->add_option("-o,--output", weightsOut, "The .npz to write")->required();
  weightsCmd->add_option("--seed", weightsSeed, "Seed of the random initializers");

  std::string code;
  CLI::App *explainCmd = app.add_subcommand("explain", "Print the documentation of a diagnostic code");
  explainCmd->add_option("code", code, "A diagnostic code, e.g. E201")->required();

  // -I DIR: where `import mod` looks after the importing file's folder (every command).
  for (CLI::App *sub : app.get_subcommands([](CLI::App *) { return true; }))
    if (sub->get_name() != "explain")
      sub->add_option("-I,--include", defaultIncludeDirs(),
                      "Also look for imported modules (mod.scope, mod.py, mod/__init__.py) in DIR")
          ->type_name("DIR");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0)
      return app.exit(e);
    app.exit(e);
    return kExitUsage;
  }

  if (*explainCmd)
    return explain(code);
  if (*runCmd)
    return runModel(runFile, runOpts, llvm::outs(), llvm::errs());
  if (*buildCmd) {
    for (size_t p = 0; !emitList.empty() && p <= emitList.size();) {
      size_t q = emitList.find(',', p);
      buildOpts.emit.push_back(emitList.substr(p, q == std::string::npos ? std::string::npos : q - p));
      if (q == std::string::npos)
        break;
      p = q + 1;
    }
    return buildModel(buildFile, buildOpts, llvm::outs(), llvm::errs());
  }
  if (*weightsCmd)
    return writeWeights(weightsFile, weightsOut, weightsSeed, llvm::errs());
  if (*graphCmd)
    return runGraph(graphFile,
                    graphFormat == "dot"    ? GraphFormat::Dot
                    : graphFormat == "json" ? GraphFormat::JSON
                                            : GraphFormat::Text,
                    graphAll, llvm::outs(), llvm::errs());
  if (*vars)
    return runVars(varsFile, varsFormat == "json" ? VarsFormat::JSON : VarsFormat::Table,
                   llvm::outs(), llvm::errs());

  opts.format = format == "json"    ? OutputFormat::JSON
                : format == "sarif"  ? OutputFormat::SARIF
                : format == "github" ? OutputFormat::GitHub
                                     : OutputFormat::Text;
  std::string error;
  if (!parseWarningCodes(select, opts.select, error) || !parseWarningCodes(ignore, opts.ignore, error)) {
    llvm::errs() << "scopec: error: " << error << '\n';
    return kExitUsage;
  }
  if (failLevel == "warning")
    opts.werror = true;
  opts.color = color == "always" ? ColorMode::Always
               : color == "never" ? ColorMode::Never
                                  : ColorMode::Auto;
  opts.emitStage = emitStage == "tokens" ? EmitStage::Tokens
                   : emitStage == "ast"  ? EmitStage::AST
                                         : EmitStage::None;
  opts.freeResults = false; // main exits without tearing down (see quickExit)
  return runCheck(files, opts, llvm::outs(), llvm::errs());
}

} // namespace

int main(int argc, char **argv) {
  installCrashHandlers();
  try {
    int rc = run(argc, argv);
    // Flush, then exit without running the static destructors of the parser's
    // DFA caches and the results `check` kept: nothing observable is left.
    llvm::outs().flush();
    llvm::errs().flush();
    std::fflush(nullptr);
    std::_Exit(rc);
  } catch (const std::exception &e) {
    llvm::outs().flush();
    llvm::errs() << kReportMessage << "(" << e.what() << ")\n";
  } catch (...) {
    llvm::outs().flush();
    llvm::errs() << kReportMessage;
  }
  return kExitInternalError;
}
