//===- TF.h - TensorFlow 1.15's graph-mode API at compile time --*- C++ -*-===//
//
// Private to the Eval library. TFState holds the default graph: the graph
// IR, TF's one naming service (unique_name, name scopes), the variable-scope
// store and the variable store, exactly as tf1-semantics.md states them.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_EVAL_TF_H
#define SCOPEC_EVAL_TF_H

#include "Runtime.h"

#include "scopec/Graph/Graph.h"
#include "scopec/Graph/ShapeInference.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace scopec::eval {

class TFState;

//===--- Objects ----------------------------------------------------------===//

struct DTypeObj : NativeObj {
  DTypeObj(graph::DType t, bool ref) : t(t), ref(ref) {}
  std::string typeName() const override { return "DType"; }
  graph::DType t;
  bool ref;
  std::string name() const { return std::string(graph::dtypeName(t)) + (ref ? "_ref" : ""); }
  std::string repr() const override { return "tf." + name(); }
  std::string str() const override { return "<dtype: '" + name() + "'>"; }
  Value getAttr(Interpreter &in, const std::string &n, bool &found) override;
  bool equals(const Value &o, bool &defined) const override;
  size_t hash() const override { return static_cast<size_t>(t) * 2 + ref; }
};

struct DimensionObj : NativeObj {
  explicit DimensionObj(int64_t v) : value(v) {}
  std::string typeName() const override { return "Dimension"; }
  int64_t value; ///< -1: unknown
  std::string repr() const override {
    return "Dimension(" + (value < 0 ? std::string("None") : std::to_string(value)) + ")";
  }
  std::string str() const override { return value < 0 ? "?" : std::to_string(value); }
  Value getAttr(Interpreter &in, const std::string &n, bool &found) override;
  bool equals(const Value &o, bool &defined) const override;
  size_t hash() const override { return std::hash<int64_t>()(value); }
};

struct TensorShapeObj : NativeObj {
  explicit TensorShapeObj(graph::Shape s) : shape(std::move(s)) {}
  std::string typeName() const override { return "TensorShape"; }
  graph::Shape shape;
  std::string repr() const override;
  std::string str() const override { return shape.str(); }
  Value getAttr(Interpreter &in, const std::string &n, bool &found) override;
  bool equals(const Value &o, bool &defined) const override;
};

struct VariableObj;

struct TensorObj : NativeObj {
  TensorObj(TFState &tf, graph::TensorRef ref) : tf(tf), ref(ref) {}
  std::string typeName() const override { return "Tensor"; }
  TFState &tf;
  graph::TensorRef ref;
  std::string repr() const override;
  Value getAttr(Interpreter &in, const std::string &n, bool &found) override;
};

struct OperationObj : NativeObj {
  OperationObj(TFState &tf, graph::NodeID id) : tf(tf), id(id) {}
  std::string typeName() const override { return "Operation"; }
  TFState &tf;
  graph::NodeID id;
  std::string repr() const override;
  Value getAttr(Interpreter &in, const std::string &n, bool &found) override;
};

/// How a variable gets its initial value (for compile-time eval, `scopec
/// weights` and the lint's `vars` output).
struct InitSpec {
  std::string kind = "none"; ///< constant, zeros, ones, random_uniform, ...
  std::string display;       ///< what `scopec vars` shows: "glorot_uniform", ...
  double a = 0, b = 0;        ///< kind-specific parameters
  std::string mode, distribution;
  std::shared_ptr<graph::TensorData> value; ///< constant data
  std::optional<graph::TensorRef> tensor;    ///< an initial-value tensor
  bool deterministic() const;
};

struct VariableObj : NativeObj {
  std::string typeName() const override { return "Variable"; }
  TFState *tf = nullptr;
  graph::NodeID node = 0;      ///< the VariableV2 op
  graph::TensorRef read;       ///< `<name>/read:0`
  graph::NodeID assign = 0;    ///< `<name>/Assign`
  std::string key;             ///< variable-store key (get_variable only)
  std::string createdBy;       ///< "get_variable", "Variable", "tf.layers.dense", ...
  bool trainable = true;
  InitSpec init;
  SourceRange createdAt;
  std::vector<SourceRange> reusedAt;
  std::string name() const;
  std::string repr() const override;
  Value getAttr(Interpreter &in, const std::string &n, bool &found) override;
};

enum class Reuse { False, True, Auto };

struct VariableScopeObj : NativeObj {
  std::string typeName() const override { return "VariableScope"; }
  std::string name;
  std::string originalNameScope;
  Reuse reuse = Reuse::False;
  Value initializer; ///< None or an initializer / value
  graph::DType dtype = graph::DType::Float32;
  Value getAttr(Interpreter &in, const std::string &n, bool &found) override;
  std::string repr() const override { return "<VariableScope '" + name + "'>"; }
};

struct AutoReuseObj : NativeObj {
  std::string typeName() const override { return "_ReuseMode"; }
  std::string repr() const override { return "_ReuseMode.AUTO_REUSE"; }
};

/// A tf.*_initializer() object (callable with shape, dtype).
struct InitializerObj : NativeObj {
  std::string typeName() const override { return type; }
  std::string type;  ///< the TF class name, e.g. "Constant"
  InitSpec spec;     ///< without shape; value for constant
  Value constantValue; ///< the Python value of constant_initializer
  std::optional<graph::DType> dtype;
  Value getAttr(Interpreter &in, const std::string &n, bool &found) override;
  std::string repr() const override { return "<tensorflow.python.ops.init_ops." + type + " object>"; }
};

/// A compile-time result of `sess.run` / `.eval()`: NumPy-like data.
struct ArrayObj : NativeObj {
  explicit ArrayObj(graph::TensorData d) : data(std::move(d)) {}
  std::string typeName() const override { return "ndarray"; }
  graph::TensorData data;
  std::string repr() const override { return format(true); }
  std::string str() const override { return format(false); }
  Value getAttr(Interpreter &in, const std::string &n, bool &found) override;

private:
  std::string format(bool repr) const;
};

//===--- The default graph ------------------------------------------------===//

class TFState {
public:
  explicit TFState(Interpreter &in);
  ~TFState();

  Interpreter &interp() { return in_; }
  graph::Graph &graph() { return *g_; }

  /// Starts a fresh graph (tf.reset_default_graph()).
  void reset();

  // Hooks used by the Python runtime.
  Value ellipsis();
  bool isTensorLike(const Value &v) const;
  int truthiness(const Value &v);
  bool iterate(const Value &v, std::vector<Value> &out);
  Value binaryOp(ast::BinaryOp op, const Value &a, const Value &b);
  Value unaryOp(ast::UnaryOpKind op, const Value &v);
  Value absOp(const Value &v);
  bool compare(ast::CmpOp op, const Value &a, const Value &b, Value &result);
  Value subscript(const Value &obj, const Value &index, bool &handled);
  Value sliceTensor(const Value &obj, const Value &index);
  bool dimensionValue(const Value &v, int64_t &out) const;
  Value dimensionOp(ast::BinaryOp op, const Value &a, const Value &b);
  Value missingModuleAttr(ModuleObj &m, const std::string &name);
  bool length(const Value &v, int64_t &n);
  bool scalarValue(const Value &v, double &out);
  std::string typeObjectName(const Value &v);
  bool isInstance(const Value &v, const std::string &typeName);
  Value importModule(const std::string &dotted, SourceRange site);

  // Naming service (tf1-semantics.md section 2).
  std::string uniqueName(const std::string &name, bool markAsUsed = true);
  const std::string &nameStack() const { return nameStack_; }
  bool nameStackIsNone() const { return stackIsNone_; }
  /// Graph.name_scope(name) enter: returns the new scope string ("a/b/" or
  /// ""); `ok` false after E216. `old` receives what exit() restores.
  struct SavedStack {
    std::string stack;
    bool isNone;
  };
  std::string enterNameScope(const Value &name, SavedStack &old, bool &ok);
  std::string enterNameScope(const std::string &name, SavedStack &old, bool &ok);
  void exitNameScope(const SavedStack &old);
  /// The name of a generated-op wrapper's node: name_scope(name or op) then
  /// the scope without '/'. Empty after a diagnostic.
  std::string opName(const Value &requested, const std::string &defaultName);
  /// tf.constant's create_op path (N2, N3).
  std::string constName(const Value &requested);

  // Graph building.
  Value tensor(graph::TensorRef t);
  Value makeTensor(graph::Node &n, unsigned index = 0) { return tensor(graph::TensorRef{n.id, index}); }
  graph::Node &addNode(const std::string &name, const std::string &op,
                       std::vector<graph::TensorRef> inputs, std::vector<graph::TensorType> outs);
  /// Creates a node through the op registry's shape function. A shape error
  /// is reported at the call site (E301-E305) and yields null.
  graph::Node *createOp(const std::string &name, const std::string &op,
                        std::vector<graph::TensorRef> inputs,
                        std::map<std::string, graph::AttrValue> attrs = {});
  /// A Const node named `name` (uniquified in the current scope).
  graph::TensorRef constant(const std::string &name, graph::TensorData data, bool helper = false);
  /// convert_to_tensor: tensors as they are, variables as their read
  /// tensor, Python values as a Const named `name` in the current scope.
  std::optional<graph::TensorRef> toTensor(const Value &v, std::optional<graph::DType> dtype,
                                           const std::string &name);
  /// Python/NumPy data -> TensorData (dtype inferred or checked).
  bool toData(const Value &v, std::optional<graph::DType> dtype, graph::TensorData &out,
              bool quiet = false);
  bool isTensorOrVariable(const Value &v) const;
  /// A tensor or variable, or a list/tuple holding one at any depth.
  bool containsTensor(const Value &v) const;
  /// TF's autopacking of such a list: a Pack (see toTensor).
  std::optional<graph::TensorRef> autopack(const Value &v, std::optional<graph::DType> dtype,
                                           const std::string &name);
  std::optional<graph::DType> dtypeOf(const Value &v);
  /// Reads a dtype argument (tf.float32, "float32", np.float32).
  bool toDType(const Value &v, graph::DType &out, bool quiet = false);
  /// Reads a shape argument (list/tuple of ints or None, TensorShape).
  bool toShape(const Value &v, graph::Shape &out);
  Value dtypeValue(graph::DType t, bool ref = false);

  /// Compile-time value of a tensor (E112 when it depends on run-time data).
  bool evaluate(graph::TensorRef t, graph::TensorData &out, SourceRange site);
  /// The placeholders' values of the sess.run being evaluated (its feed_dict).
  std::map<graph::NodeID, graph::TensorData> &feeds() { return feeds_; }
  /// The most elements a tensor value may have at compile time (2^26: 512 MiB
  /// as doubles). Past it, `what` is E108 instead of gigabytes of memory.
  static constexpr int64_t kMaxValueElements = int64_t(1) << 26;
  /// False (after reporting E108) when `n` elements are too many to build.
  bool canMaterialize(int64_t n, const std::string &what);

  // Variable scopes and the variable store.
  std::shared_ptr<VariableScopeObj> currentScope() { return scope_; }
  void setCurrentScope(std::shared_ptr<VariableScopeObj> s) { scope_ = std::move(s); }
  std::map<std::string, int64_t> &scopeCounts() { return scopeCounts_; }
  std::string uniqueVariableScope(const std::string &prefix);
  VariableObj *findVariable(const std::string &key);
  std::vector<std::shared_ptr<VariableObj>> &globalVariables() { return globals_; }
  const std::vector<std::shared_ptr<VariableObj>> &globalVariables() const { return globals_; }
  Value variableValue(const std::shared_ptr<VariableObj> &v);

  /// tf.get_variable (section 2.10), with the layer's created_by.
  Value getVariable(const std::string &name, const Value *shape, const Value *dtype,
                    const Value *initializer, bool trainable, const std::string &createdBy,
                    SourceRange site, bool fromLayer);
  /// tf.Variable (section 2.5).
  Value newVariable(const Value &initial, const Value *name, const Value *dtype, bool trainable,
                    SourceRange site);

  /// Ops used by operators and by the API.
  Value binary(const std::string &opType, const std::string &defaultName, const Value &a,
               const Value &b, const Value &name, bool operatorForm, bool reflected = false);
  Value unary(const std::string &opType, const Value &x, const Value &name);

  /// The source ranges of the program's tf.name_scope entries, innermost last
  /// (for W102): each entry is true for a tf.name_scope and false for a
  /// variable scope's own name scope.
  std::vector<bool> &scopeKinds() { return scopeKinds_; }

  Value autoReuse() { return autoReuse_; }
  /// `with tf.Graph().as_default():` scopec compiles one graph per program:
  /// the first tf.Graph() entered while the default graph is empty becomes
  /// it; a second graph, or ops created after leaving it, are E109.
  bool enterGraph(const std::shared_ptr<Object> &g);
  void exitGraph(const std::shared_ptr<Object> &g);
  // tf.cond branches (TF's CondContext): ops built while a branch is open
  // belong to it; an input from outside goes through a Switch on the cond's
  // pred_id (one per branch and tensor, named "<op>/Switch").
  int32_t currentCond() const { return liftCond_ > 0 || condStack_.empty() ? -1 : condStack_.back(); }
  /// Opens a branch taken when `predId` equals `branch`, nested in the current one.
  int32_t enterCond(graph::TensorRef predId, uint32_t branch);
  void exitCond();
  /// `t` as seen inside branch `ctx`: itself, or the Switch output for it
  /// (created in name scope `scope`, "" for the current one). A tensor of a
  /// branch `ctx` is not within is E109 (reported once per `consumer`).
  graph::TensorRef routeInto(graph::TensorRef t, int32_t ctx, const std::string &scope, const std::string &consumer);
  /// Variables are created outside any branch (TF's init_scope).
  struct CondLift {
    TFState &tf;
    explicit CondLift(TFState &tf) : tf(tf) { ++tf.liftCond_; }
    ~CondLift() { --tf.liftCond_; }
  };
  /// slim's arg_scope stack of {function key: {keyword: value}} dicts.
  std::vector<Value> &argScopes() { return argScopes_; }
  const std::vector<std::pair<std::string, Value>> &installedModules() const;

private:
  void installModules();
  Interpreter &in_;
  std::unique_ptr<graph::Graph> g_;
  std::unordered_map<std::string, int64_t> namesInUse_;
  std::unordered_set<std::string> exactNames_;
  std::string nameStack_;
  bool stackIsNone_ = false;
  std::shared_ptr<VariableScopeObj> scope_;
  std::map<graph::NodeID, graph::TensorData> feeds_;
  std::unordered_map<std::string, Value> lazyModules_;
  std::map<std::string, int64_t> scopeCounts_; // ordered: descendants are a range
  std::unordered_map<std::string, std::shared_ptr<VariableObj>> store_;
  std::vector<std::shared_ptr<VariableObj>> globals_;
  std::vector<bool> scopeKinds_;
  Value ellipsis_, autoReuse_;
  std::vector<Value> argScopes_;
  std::weak_ptr<Object> ownGraph_; ///< the adopted tf.Graph()
  bool haveGraph_ = false;
  unsigned graphDepth_ = 0;
  bool leftGraph_ = false, reportedLeftGraph_ = false;
  std::unordered_map<std::string, Value> modules_;
  std::vector<int32_t> condStack_;
  int liftCond_ = 0;
  std::map<std::tuple<int32_t, graph::NodeID, uint32_t>, graph::TensorRef> condExternal_;
  std::string reportedLeak_;

public:
  /// Set up by TFModule.cpp: builds the module tree.
  friend void installTFModules(TFState &tf);
  std::unordered_map<std::string, Value> &modules() { return modules_; }
  /// The module object of an unknown module (one per dotted name).
  Value lazyModule(const std::string &dotted);
};

void installTFModules(TFState &tf);
void installOps(TFState &tf);
void installLayers(TFState &tf);
/// slim.arg_scope/add_arg_scope (wrapping the slim layers), repeat, stack, regularizers.
void installSlim(TFState &tf);
/// tf.cond (TFControlFlow.cpp).
void installControlFlow(TFState &tf);
/// tf.image resizing (TFImage.cpp).
void installImage(TFState &tf);
/// The build-time NumPy functions and types of module `np`.
void installNumPy(Interpreter &in, ModuleObj &np);
/// ndarray.astype(t) (float to int truncates); false after a diagnostic.
bool castArray(Interpreter &in, const graph::TensorData &src, graph::DType t, graph::TensorData &out);
/// NumPy's result type of an operation on two dtypes.
graph::DType promoteTypes(graph::DType a, graph::DType b);
/// a[index] on a build-time array: ints, slices, None and Ellipsis.
Value indexArray(Interpreter &in, const graph::TensorData &a, const Value &index);

// Ops shared by the function API and the layers (TFOps.cpp).
Value matmulOp(TFState &tf, const Value &a, const Value &b, bool transposeA, bool transposeB,
               const Value &name);
Value biasAddOp(TFState &tf, const Value &value, const Value &bias, const Value &name);
Value conv2dOp(TFState &tf, const Value &input, const Value &filter, std::vector<int64_t> strides,
               const std::string &padding, std::vector<int64_t> dilations, const Value &name);
/// nn_ops._WithSpaceToBatch (TF 1.15), how dilated convolutions are built:
/// init() makes the Consts the constructor makes (dilation_rate; for SAME a
/// rate > 1 also filter_shape when `filterConst` and the base paddings
/// "stack"), call() runs `op(x, padding)` directly for rate 1, else on
/// SpaceToBatchND(x) with VALID padding, then BatchToSpaceND.
struct WithSpaceToBatch {
  std::vector<int64_t> rate, base;
  std::string padding;
  bool direct = true;
  bool init(TFState &tf, std::vector<int64_t> rate, const std::string &padding, const std::vector<int64_t> &filter,
            bool filterConst);
  Value call(TFState &tf, const Value &x, const std::function<Value(const Value &, const std::string &)> &op);
};
Value poolOp(TFState &tf, const std::string &op, const Value &input, std::vector<int64_t> ksize,
             std::vector<int64_t> strides, const std::string &padding, const Value &name);
Value reshapeOp(TFState &tf, const Value &x, const std::vector<int64_t> &shape, const Value &name);
/// A scalar Const's data of dtype `t` (floats as doubles, the rest as int64).
graph::TensorData scalarData(graph::DType t, double v);
/// An int32 Const's data: a vector, or the given shape.
graph::TensorData int32Vector(const std::vector<int64_t> &v, std::optional<graph::Shape> shape = std::nullopt);
/// `with tf.name_scope(name or dflt)` for a native function's body.
struct ScopedName {
  TFState &tf;
  TFState::SavedStack saved;
  bool ok = false;
  std::string scope; ///< "name/"
  ScopedName(TFState &tf, const Value &name, const std::string &dflt) : tf(tf) {
    scope = tf.enterNameScope(name.isStr() && !name.asStr().empty() ? name : Value::str(dflt), saved, ok);
  }
  ~ScopedName() {
    if (ok)
      tf.exitNameScope(saved);
  }
  ScopedName(const ScopedName &) = delete;
  ScopedName &operator=(const ScopedName &) = delete;
};
/// Reads an int or a list of `want` ints (strides, kernel sizes).
bool intList(Interpreter &in, const Value &v, size_t want, std::vector<int64_t> &out,
             const std::string &what);

} // namespace scopec::eval

#endif
