//===- Interpreter.h - Running a .scope program at compile time -*- C++ -*-===//
//
// The evaluator phase: walks the AST as Python would, with TF's graph-mode
// API (Eval/TF*.cpp) building the graph through one naming service. Python
// and TF errors become diagnostics; evaluation keeps going with Error values
// so that one run reports everything (language.md section 5). E107 and E108
// end the run.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_EVAL_INTERPRETER_H
#define SCOPEC_EVAL_INTERPRETER_H

#include "scopec/AST/AST.h"
#include "scopec/Basic/Diagnostics.h"
#include "scopec/Eval/Value.h"
#include "scopec/Graph/Graph.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace scopec::eval {

class TFState;

/// A frame of names: the module's globals, a function call's locals, or a
/// comprehension's. Closures keep their defining frame alive.
struct Env {
  std::unordered_map<std::string, Value> vars;
  std::shared_ptr<Env> parent;
  /// For function frames: the names Python treats as local.
  const std::unordered_set<std::string> *locals = nullptr;
};

/// A variable of the program, as `scopec vars` reports it.
struct VariableInfo {
  std::string name;      ///< op name, "foo/v"
  std::string key;       ///< variable-store key (get_variable only)
  std::vector<int64_t> shape; ///< -1: unknown
  bool unknownRank = false;
  std::string dtype;     ///< "float32"
  bool trainable = true;
  std::string createdBy; ///< "get_variable", "Variable", "tf.layers.dense", ...
  std::string initializer;
  SourceRange createdAt;
  std::vector<SourceRange> reusedAt;
};

struct FunctionObj : Object {
  std::string typeName() const override { return "function"; }
  std::string name;
  /// The class whose body defined it (zero-argument super()).
  std::weak_ptr<Object> owner;
  const std::vector<ast::Param> *params = nullptr;
  const ast::StmtList *body = nullptr; ///< a def
  const ast::Expr *lambdaBody = nullptr; ///< a lambda
  std::vector<Value> defaults;           ///< per param (None-kind unused)
  std::vector<bool> hasDefault;
  std::shared_ptr<Env> closure;
  const std::unordered_set<std::string> *locals = nullptr;
  /// Attributes set on the function (`vgg_16.default_image_size = 224`).
  std::unordered_map<std::string, Value> attrs;
  SourceRange defRange;
};

/// Computes a tensor at compile time (sess.run, Tensor.eval) from the
/// values of the placeholders it reads (a feed_dict) and of the variables
/// (their deterministic initial values, float32). The driver installs the
/// generated code (the JIT) here, so compile-time values come from the same
/// machinery as `scopec run`. False with `error` when it cannot compile the
/// tensor; the interpreter then falls back to its own small evaluator.
using TensorComputer = std::function<bool(
    const graph::Graph &g, graph::TensorRef fetch, const std::map<graph::NodeID, graph::TensorData> &feeds,
    const std::map<graph::NodeID, std::vector<float>> &variables, graph::TensorData &out, std::string &error)>;

/// Finds and parses the user module `dotted` imported from `importer`
/// (`level` leading dots of a relative import): the sibling .scope/.py
/// file, then the -I folders. Returns null when there is none (the module is
/// then unknown and binds lazily); sets `path` to the file's path. The
/// driver owns the parsed modules.
using ModuleLoader = std::function<const ast::Module *(const std::string &dotted, FileID importer,
                                                       unsigned level, std::string &path)>;

struct EvalOptions {
  uint64_t seed = 0;
  uint64_t maxSteps = 10'000'000;
  unsigned maxCallDepth = 1000;
  TensorComputer computer; ///< empty: only the interpreter's evaluator
  ModuleLoader loader;     ///< empty: no user modules
};

/// Thrown to end the run after E107/E108 (never escapes run()).
struct EvalAbort {};

class Interpreter {
public:
  Interpreter(DiagnosticsEngine &diags, const SourceManager &sm, llvm::raw_ostream &out,
              EvalOptions opts = {});
  ~Interpreter();

  /// Runs a module. Diagnostics go to the engine, print() to `out`.
  void run(const ast::Module &m);

  // --- services for the native library --------------------------------
  DiagnosticsEngine &diags() { return diags_; }
  TFState &tf() { return *tf_; }
  const EvalOptions &options() const { return opts_; }
  llvm::raw_ostream &out() { return *out_; }
  void setOutput(llvm::raw_ostream &os) { out_ = &os; }
  /// The user functions being called, innermost last, with their first
  /// argument (super() finds the class and `self` here).
  struct Frame {
    const FunctionObj *fn;
    Value first;
  };
  const std::vector<Frame> &frames() const { return frames_; }
  /// The range of the call being evaluated (where native errors point).
  SourceRange callSite() const { return callSite_; }
  /// Restores the call site after a native function called back into Python.
  void setCallSite(SourceRange r) { callSite_ = r; }
  /// The innermost statement being executed.
  const ast::Stmt *currentStmt() const { return currentStmt_; }
  /// Reports at the current call site (deduplicated) and returns Error.
  Value error(diag::ID id, const std::string &message);
  DiagnosticBuilder report(SourceRange r, diag::ID id);
  bool wouldDuplicate(SourceRange r, const std::string &message);

  Value call(const Value &callee, CallArgs &args, SourceRange site);
  Value getAttr(const Value &obj, const std::string &name, SourceRange site);
  /// Python truthiness; reports E110 for tensors and returns nullopt-like
  /// false with `ok` cleared on error.
  bool truthy(const Value &v, bool &ok);
  bool equals(const Value &a, const Value &b);
  std::string repr(const Value &v);
  /// str()/repr() through a user class's `method` (__str__ falls back to
  /// __repr__); `asked` names it in errors. False when the class has none.
  bool userRepr(const Value &v, const char *method, const char *asked, std::string &out);
  std::string str(const Value &v);
  std::string typeName(const Value &v);
  /// Materialises an iterable; false (after a diagnostic) if it is not one.
  bool iterate(const Value &v, std::vector<Value> &out);
  /// Python's binary operators on plain values (tensors go to the TF library).
  Value binaryOp(ast::BinaryOp op, const Value &a, const Value &b);
  /// Counts one evaluation step (E108 past the limit).
  void step();
  /// Charges the steps of building a string or sequence of `size` units
  /// (items, or 8 characters) before it is built, so that runaway growth
  /// ends with E108 instead of allocating gigabytes.
  void chargeBuild(size_t size);

  /// A name of the builtins scope (Error when there is none).
  Value lookupBuiltin(const std::string &name) const;
  /// Defines a name in the builtins scope (used by the native library).
  void defineBuiltin(const std::string &name, Value v);
  Value makeBuiltin(const std::string &name, NativeFn fn);

  /// The source text of an expression (E105 messages).
  std::string sourceText(const ast::Expr *e) const;

  /// Every variable of the default graph, in creation order.
  std::vector<VariableInfo> variables() const;
  /// The default graph as the program left it.
  const graph::Graph &graph() const;
  /// The initial value of every float32 variable (keyed by its VariableV2
  /// node): deterministic initializers exactly, random ones drawn with TF's
  /// distributions from a generator seeded by `seed` and the variable's name.
  /// False with `error` for a variable it cannot initialise.
  bool initialWeights(uint64_t seed, std::map<graph::NodeID, std::vector<float>> &out,
                      std::string &error) const;

  /// Modules known to `import` (tensorflow, numpy, ...).
  Value importModule(const std::string &dotted, SourceRange site);

private:
  friend class ExprEvaluator;
  struct Signal;
  // Statements.
  /// Raise: an exception is propagating (see raising_) up to a `try`.
  enum class Flow { Normal, Break, Continue, Return, Raise };
  /// A Python exception on its way up: its class, message and the
  /// diagnostic that reported it (withdrawn when an `except` catches it).
  struct Raised {
    std::string type, message;
    std::optional<size_t> diag;
  };
  std::optional<Raised> raising_;
  std::vector<Raised> handling_; ///< the exceptions `except` bodies are handling (bare `raise`)
  unsigned tryDepth_ = 0;
  Flow execTry(const ast::Try *t, const std::shared_ptr<Env> &env);
  Flow execRaise(const ast::Raise *r, const std::shared_ptr<Env> &env);
  Flow execBlock(const ast::StmtList &body, const std::shared_ptr<Env> &env);
  Flow exec(const ast::Stmt *s, const std::shared_ptr<Env> &env);
  Flow execWith(const ast::With *w, size_t item, const std::shared_ptr<Env> &env);
  void assign(const ast::Expr *target, const Value &v, const std::shared_ptr<Env> &env);
  void bindName(const std::string &name, const Value &v, const std::shared_ptr<Env> &env);
  void assertStmt(const ast::Assert *a, const std::shared_ptr<Env> &env);

  // Expressions.
  Value eval(const ast::Expr *e, const std::shared_ptr<Env> &env);
  Value lookup(const ast::Name *n, const std::shared_ptr<Env> &env);
  Value evalCall(const ast::Call *c, const std::shared_ptr<Env> &env);
  Value evalCompare(const ast::Compare *c, const std::shared_ptr<Env> &env);
  Value evalSubscript(const Value &obj, const Value &index, SourceRange r);
  Value evalComprehension(const ast::Comprehension *c, const std::shared_ptr<Env> &env);
  Value evalFString(const ast::FString *f, const std::shared_ptr<Env> &env);
  Value makeFunction(const std::string &name, const std::vector<ast::Param> &params,
                     const ast::StmtList *body, const ast::Expr *lambdaBody,
                     SourceRange r, const std::shared_ptr<Env> &env);
  Value callFunction(FunctionObj &f, CallArgs &args, SourceRange site);
  Flow execClass(const ast::ClassDef *c, const std::shared_ptr<Env> &env);
  /// Applies decorators (innermost last in the list) to a defined value.
  Value decorate(const std::vector<ast::Expr *> &decorators, Value v, const std::shared_ptr<Env> &env);
  bool compareOp(ast::CmpOp op, const Value &a, const Value &b, Value &result, SourceRange r);
  const std::unordered_set<std::string> *localsOf(const ast::Node *fn,
                                                  const std::vector<ast::Param> &params,
                                                  const ast::StmtList *body);

  DiagnosticsEngine &diags_;
  const SourceManager &sm_;
  llvm::raw_ostream *out_;
  EvalOptions opts_;
  std::unique_ptr<TFState> tf_;
  std::shared_ptr<Env> builtins_;
  /// Environments closures captured: a function stored in the scope it
  /// closes over is a reference cycle; the destructor breaks them.
  std::vector<std::weak_ptr<Env>> captured_;
  std::vector<Frame> frames_;
  /// User modules by path: each evaluated once (null while it runs: a
  /// circular import).
  std::map<std::string, Value> userModules_;
  std::vector<std::string> importing_; ///< the import chain, for messages
  Value importUserModule(const std::string &dotted, unsigned level, SourceRange site, bool &found);
  /// Classes and instances the program made: their attributes can hold
  /// functions whose closures hold the class, or bound methods of the
  /// instance itself (`self.fn = self.method`): cycles the destructor breaks.
  std::vector<std::weak_ptr<Object>> classes_;
public:
  void registerClass(const std::shared_ptr<Object> &c) { classes_.push_back(c); }
  void registerInstance(const std::shared_ptr<Object> &i) { classes_.push_back(i); }
private:
  uint64_t steps_ = 0;
  unsigned depth_ = 0;
  SourceRange callSite_;
  const ast::Stmt *currentStmt_ = nullptr;
  Value returnValue_;
  std::set<std::tuple<uint32_t, uint32_t, uint32_t, std::string>> reported_;
  std::unordered_map<const ast::Node *, std::unique_ptr<std::unordered_set<std::string>>> locals_;
  std::unordered_map<std::string, Value> modules_;
};

/// Python's repr of a float ("0.1", "1e-05", "1.0").
std::string formatFloatRepr(double d);

} // namespace scopec::eval

#endif
