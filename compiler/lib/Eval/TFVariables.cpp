//===- TFVariables.cpp - get_variable, tf.Variable, initializers ----------===//
//
// tf1-semantics.md sections 2.5 (tf.Variable), 2.10 (get_variable) and 3.1
// (default initializers), with the helper ops TF creates and names.
//
//===----------------------------------------------------------------------===//
#include "TF.h"

#include <cmath>

namespace scopec::eval {

using graph::DType;
using graph::Shape;
using graph::TensorData;
using graph::TensorRef;
using graph::TensorType;

namespace {

/// Fans of a shape (tf1-semantics.md 3.1).
void computeFans(const Shape &s, double &fanIn, double &fanOut) {
  if (s.rank() == 0) {
    fanIn = fanOut = 1;
  } else if (s.rank() == 1) {
    fanIn = fanOut = static_cast<double>(s.dims[0]);
  } else if (s.rank() == 2) {
    fanIn = static_cast<double>(s.dims[0]);
    fanOut = static_cast<double>(s.dims[1]);
  } else {
    double receptive = 1;
    for (size_t k = 0; k + 2 < s.rank(); ++k)
      receptive *= static_cast<double>(s.dims[k]);
    fanIn = static_cast<double>(s.dims[s.rank() - 2]) * receptive;
    fanOut = static_cast<double>(s.dims[s.rank() - 1]) * receptive;
  }
}

} // namespace

/// Creates a Const in the current name scope.
static TensorRef constOp(TFState &tf, const std::string &name, std::shared_ptr<TensorData> d);
static TensorRef constOp(TFState &tf, const std::string &name, TensorData d) {
  return constOp(tf, name, std::make_shared<TensorData>(std::move(d)));
}
static TensorRef constOp(TFState &tf, const std::string &name, std::shared_ptr<TensorData> d) {
  std::string n = tf.uniqueName(name);
  graph::Node &node = tf.addNode(n, "Const", {}, {TensorType{d->dtype, false, d->shape}});
  node.value = std::move(d);
  node.helper = true;
  return TensorRef{node.id, 0};
}

/// The ops of an initializer called with (shape, dtype), created in the
/// current name scope (".../Initializer/"); fills `spec` for later use.
static std::string snakeCase(const std::string &type) {
  std::string out;
  for (char c : type) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty())
      out += '_';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

static std::optional<TensorRef> initializerOps(TFState &tf, const InitializerObj &init,
                                               const Shape &shape, DType dtype, InitSpec &spec, const Value *scopeName = nullptr) {
  spec = init.spec;
  spec.display = snakeCase(init.type);
  TensorType out{dtype, false, shape};
  const std::string &k = init.spec.kind;
  auto helper = [&](graph::Node &n) -> graph::Node & {
    n.helper = true;
    return n;
  };
  if (k == "constant") {
    TensorData data;
    if (!tf.toData(init.constantValue, dtype, data))
      return std::nullopt;
    int64_t want = shape.numElements();
    if (!tf.canMaterialize(want, "the constant initializer's value"))
      return std::nullopt;
    if (data.size() != 1 && static_cast<int64_t>(data.size()) != want) {
      tf.interp().error(diag::type_error, "Expected Tensor's shape: " + shape.str() +
                                              ", got " + data.shape.str() + ".");
      return std::nullopt;
    }
    spec.value = std::make_shared<TensorData>(data);
    auto full = std::make_shared<TensorData>(data);
    full->shape = shape;
    if (data.size() == 1 && want != 1) {
      if (graph::isFloating(dtype))
        full->f.assign(static_cast<size_t>(want), data.f[0]);
      else
        full->i.assign(static_cast<size_t>(want), data.i[0]);
    }
    return constOp(tf, "Const", full);
  }
  if (k == "zeros" || k == "ones") {
    double v = k == "ones" ? 1 : 0;
    if (shape.numElements() < 1000) {
      auto d = std::make_shared<TensorData>();
      d->dtype = dtype;
      d->shape = shape;
      if (graph::isFloating(dtype))
        d->f.assign(static_cast<size_t>(shape.numElements()), v);
      else if (dtype == DType::String)
        d->s.assign(static_cast<size_t>(shape.numElements()), "");
      else
        d->i.assign(static_cast<size_t>(shape.numElements()), static_cast<int64_t>(v));
      return constOp(tf, k, d);
    }
    TFState::SavedStack old;
    bool ok;
    std::string scope = tf.enterNameScope(k, old, ok);
    auto shapeData = std::make_shared<TensorData>();
    shapeData->dtype = DType::Int32;
    shapeData->shape = Shape::of({static_cast<int64_t>(shape.rank())});
    shapeData->i = shape.dims;
    TensorRef s = constOp(tf, "shape_as_tensor", shapeData);
    TensorRef c = constOp(tf, "Const", scalarData(dtype, v));
    tf.exitNameScope(old);
    graph::Node &fill = helper(tf.addNode(scope.substr(0, scope.size() - 1), "Fill", {s, c}, {out}));
    return TensorRef{fill.id, 0};
  }
  // Random initializers: random_uniform / random_normal / truncated_normal.
  double a = init.spec.a, b = init.spec.b;
  std::string dist = k;
  if (k == "variance_scaling") {
    double fanIn, fanOut;
    computeFans(shape, fanIn, fanOut);
    double n = init.spec.mode == "fan_in" ? fanIn : init.spec.mode == "fan_out" ? fanOut
                                                                                : (fanIn + fanOut) / 2;
    double scale = a / std::max(1.0, n);
    if (init.spec.distribution == "uniform") {
      double limit = std::sqrt(3.0 * scale);
      a = -limit;
      b = limit;
      dist = "random_uniform";
    } else if (init.spec.distribution == "untruncated_normal") {
      a = 0;
      b = std::sqrt(scale);
      dist = "random_normal";
    } else {
      a = 0;
      b = std::sqrt(scale) / .87962566103423978;
      dist = "truncated_normal";
    }
    spec.kind = dist;
    spec.a = a;
    spec.b = b;
  }
  TFState::SavedStack old;
  bool ok;
  // tf.random_*(name=...) names the scope (and so the result) after `name`.
  std::string scope = scopeName && !scopeName->isNone() ? tf.enterNameScope(*scopeName, old, ok)
                                                        : tf.enterNameScope(dist, old, ok);
  if (!ok)
    return std::nullopt;
  auto shapeData = std::make_shared<TensorData>();
  shapeData->dtype = DType::Int32;
  shapeData->shape = Shape::of({static_cast<int64_t>(shape.rank())});
  shapeData->i = shape.dims;
  TensorRef s = constOp(tf, "shape", shapeData);
  bool uniform = dist == "random_uniform";
  TensorRef p = constOp(tf, uniform ? "min" : "mean", scalarData(dtype, a));
  TensorRef q = constOp(tf, uniform ? "max" : "stddev", scalarData(dtype, b));
  std::string randOp = uniform ? "RandomUniform" : dist == "random_normal" ? "RandomStandardNormal"
                                                                           : "TruncatedNormal";
  graph::Node &rnd = helper(tf.addNode(tf.uniqueName(randOp), randOp, {s}, {out}));
  TensorRef last;
  if (uniform) {
    graph::Node &sub = helper(tf.addNode(tf.uniqueName("sub"), "Sub", {q, p}, {TensorType{dtype, false, Shape::scalar()}}));
    graph::Node &mul = helper(tf.addNode(tf.uniqueName("mul"), "Mul", {TensorRef{rnd.id, 0}, TensorRef{sub.id, 0}}, {out}));
    tf.exitNameScope(old);
    graph::Node &add = helper(tf.addNode(scope.substr(0, scope.size() - 1), "Add", {TensorRef{mul.id, 0}, p}, {out}));
    last = TensorRef{add.id, 0};
  } else {
    graph::Node &mul = helper(tf.addNode(tf.uniqueName("mul"), "Mul", {TensorRef{rnd.id, 0}, q}, {out}));
    tf.exitNameScope(old);
    graph::Node &add = helper(tf.addNode(scope.substr(0, scope.size() - 1), "Add", {TensorRef{mul.id, 0}, p}, {out}));
    last = TensorRef{add.id, 0};
  }
  return last;
}

/// The ops of one RefVariable under the scope `scope` ("v/"): initial value,
/// VariableV2, Assign, read. `init` makes the initial value (called inside
/// "Initializer/" when `fromCallable`).
static std::shared_ptr<VariableObj>
makeVariable(TFState &tf, const std::string &scope, const Shape &shape, DType dtype,
             TensorRef initial, InitSpec spec, bool trainable, const std::string &createdBy) {
  std::string name = scope.substr(0, scope.size() - 1);
  TFState::SavedStack old;
  bool ok;
  tf.enterNameScope(scope, old, ok); // absolute: the variable's own scope
  graph::Node &var = tf.addNode(name, "VariableV2", {}, {TensorType{dtype, true, shape}});
  var.attrs["dtype"] = dtype;
  graph::Node &assign = tf.addNode(tf.uniqueName("Assign"), "Assign",
                                   {TensorRef{var.id, 0}, initial}, {TensorType{dtype, true, shape}});
  assign.helper = true;
  graph::Node &read = tf.addNode(tf.uniqueName("read"), "Identity", {TensorRef{var.id, 0}},
                                 {TensorType{dtype, false, shape}});
  read.helper = true;
  tf.exitNameScope(old);
  auto v = std::make_shared<VariableObj>();
  v->tf = &tf;
  v->node = var.id;
  v->read = TensorRef{read.id, 0};
  v->assign = assign.id;
  v->trainable = trainable;
  v->init = std::move(spec);
  v->createdBy = createdBy;
  v->createdAt = tf.interp().callSite();
  tf.globalVariables().push_back(v);
  return v;
}

namespace {
bool isCallable(const Value &v) {
  return v.kind() == Kind::Function || v.kind() == Kind::Builtin || v.as<InitializerObj>();
}
/// A Python function that can be called without arguments.
bool hasNoRequiredArgs(const Value &v) {
  auto *f = v.as<FunctionObj>();
  if (!f)
    return false;
  for (size_t k = 0; k < f->params->size(); ++k) {
    const ast::Param &p = (*f->params)[k];
    if ((p.kind == ast::ParamKind::Positional || p.kind == ast::ParamKind::KeywordOnly) &&
        !f->hasDefault[k])
      return false;
  }
  return true;
}
std::string refName(DType t) { return std::string(graph::dtypeName(t)) + "_ref"; }
} // namespace

Value TFState::getVariable(const std::string &name, const Value *shapeArg, const Value *dtypeArg,
                           const Value *initArg, bool trainable, const std::string &createdBy,
                           SourceRange site, bool fromLayer) {
  CondLift lift(*this);
  std::shared_ptr<VariableScopeObj> scope = scope_;
  Reuse reuse = scope->reuse;
  std::string full = scope->name.empty() ? name : scope->name + "/" + name;

  // W102: a call written in the program, directly inside a tf.name_scope
  // whose name the variable does not carry.
  if (!fromLayer && !scopeKinds_.empty() && scopeKinds_.back() && !nameStack_.empty() &&
      full.rfind(nameStack_ + "/", 0) != 0 && !in_.wouldDuplicate(site, "W102" + full))
    in_.report(site, diag::get_variable_ignores_name_scope)
        << "tf.get_variable ignores the enclosing tf.name_scope('" + nameStack_ +
               "'): the variable is named '" + full + "', not '" + nameStack_ + "/" + name +
               "'; use tf.variable_scope to prefix variables";

  SavedStack rootSaved;
  bool ok;
  enterNameScope(std::string(), rootSaved, ok); // with name_scope(None)
  struct Restore {
    TFState &tf;
    SavedStack saved;
    ~Restore() { tf.exitNameScope(saved); }
  } restore{*this, rootSaved};

  std::optional<DType> dtype;
  if (dtypeArg && !dtypeArg->isNone()) {
    DType t;
    if (!toDType(*dtypeArg, t))
      return Value::error();
    dtype = t;
  }
  Value initializer = initArg ? *initArg : Value::none();
  // E6, checked before the store (so even under reuse).
  if (dtype && !initializer.isNone() && !isCallable(initializer)) {
    std::optional<DType> initType = dtypeOf(initializer);
    if (!initType) {
      auto t = toTensor(initializer, std::nullopt, "Const");
      if (!t)
        return Value::error();
      initType = graph().type(*t).dtype;
    }
    if (*initType != *dtype)
      return in_.error(diag::initializer_dtype_mismatch,
                       "Initializer type '<dtype: '" + std::string(graph::dtypeName(*initType)) +
                           "'>' and explicit dtype '<dtype: '" + graph::dtypeName(*dtype) +
                           "'>' don't match.");
  }
  if (initializer.isNone())
    initializer = scope->initializer;
  if (!dtype)
    dtype = scope->dtype;
  bool initFromValue = !initializer.isNone() && !isCallable(initializer);
  if (shapeArg && !shapeArg->isNone() && initFromValue)
    return in_.error(diag::initializer_with_shape,
                     "If initializer is a constant, do not specify shape.");
  Shape shape = Shape::unknown();
  if (shapeArg && !toShape(*shapeArg, shape))
    return Value::error();

  if (auto it = store_.find(full); it != store_.end()) {
    std::shared_ptr<VariableObj> found = it->second;
    const TensorType &ft = graph().node(found->node).outputs[0];
    if (reuse == Reuse::False) {
      in_.report(site, diag::variable_exists)
              .note(found->createdAt, diag::note_originally_defined)
          << full;
      return Value::object(Kind::Native, found);
    }
    found->reusedAt.push_back(site);
    if (!shape.isCompatibleWith(ft.shape))
      return in_.error(diag::share_shape_mismatch,
                       "Trying to share variable " + full + ", but specified shape " + shape.str() +
                           " and found shape " + ft.shape.str() + "."),
             Value::object(Kind::Native, found);
    if (*dtype != ft.dtype)
      return in_.error(diag::share_dtype_mismatch,
                       "Trying to share variable " + full + ", but specified dtype " +
                           graph::dtypeName(*dtype) + " and found dtype " + refName(ft.dtype) +
                           "."),
             Value::object(Kind::Native, found);
    return Value::object(Kind::Native, found);
  }
  if (reuse == Reuse::True) {
    in_.report(site, diag::variable_missing) << full;
    // Recovery: create it as get_variable would have.
  }
  // W104: AUTO_REUSE created a new variable that nearly matches another.
  if (reuse == Reuse::Auto) {
    std::string prefix = full.substr(0, full.rfind('/') + 1);
    auto nearly = [](const std::string &a, const std::string &b) {
      if (a.size() == b.size()) {
        size_t diff = 0;
        bool caseOnly = true;
        for (size_t k = 0; k < a.size(); ++k)
          if (a[k] != b[k]) {
            ++diff;
            if (std::tolower(static_cast<unsigned char>(a[k])) != std::tolower(static_cast<unsigned char>(b[k])))
              caseOnly = false;
          }
        return diff == 1 || (diff > 0 && caseOnly);
      }
      const std::string &l = a.size() > b.size() ? a : b, &s = a.size() > b.size() ? b : a;
      if (l.size() != s.size() + 1)
        return false;
      size_t k = 0;
      while (k < s.size() && s[k] == l[k])
        ++k;
      return l.compare(k + 1, std::string::npos, s, k, std::string::npos) == 0;
    };
    for (auto &[key, v] : store_)
      if (key.rfind(prefix, 0) == 0 && key.find('/', prefix.size()) == std::string::npos &&
          nearly(key, full)) {
        in_.report(site, diag::auto_reuse_near_miss)
            << "under AUTO_REUSE, get_variable created a new variable '" + full +
                   "' whose name nearly matches the existing '" + key + "': a typo?";
        break;
      }
  }

  // The initializer: explicit > scope > dtype default (section 3.1).
  if (initializer.isNone()) {
    auto init = std::make_shared<InitializerObj>();
    if (graph::isFloating(*dtype)) {
      init->type = "GlorotUniform";
      init->spec.kind = "variance_scaling";
      init->spec.a = 1.0;
      init->spec.mode = "fan_avg";
      init->spec.distribution = "uniform";
    } else if (graph::isInteger(*dtype) || *dtype == DType::Bool || *dtype == DType::String) {
      init->type = "Zeros";
      init->spec.kind = "zeros";
    } else {
      return in_.error(diag::initializer_required,
                       "An initializer for variable " + full + " of <dtype: '" +
                           graph::dtypeName(*dtype) + "'> is required");
    }
    initializer = Value::object(Kind::Native, init);
  }

  // The variable's scope, from the root: uniquified, so it may differ from
  // the store key (W103).
  SavedStack varSaved;
  std::string varScope = enterNameScope(full, varSaved, ok);
  if (!ok)
    return Value::error();
  std::optional<TensorRef> initial;
  InitSpec spec;
  DType varType = *dtype;
  if (!initFromValue) {
    SavedStack initSaved;
    enterNameScope(std::string("Initializer"), initSaved, ok);
    if (auto *io = initializer.as<InitializerObj>()) {
      if (!shape.isFullyDefined()) {
        exitNameScope(initSaved);
        exitNameScope(varSaved);
        return in_.error(diag::invalid_initializer, getDiagInfo(diag::invalid_initializer).format);
      }
      DType t = io->dtype ? *io->dtype : *dtype;
      initial = initializerOps(*this, *io, shape, t, spec);
    } else if (shape.isFullyDefined() || !hasNoRequiredArgs(initializer)) {
      if (!shape.isFullyDefined()) {
        exitNameScope(initSaved);
        exitNameScope(varSaved);
        return in_.error(diag::invalid_initializer, getDiagInfo(diag::invalid_initializer).format);
      }
      CallArgs args;
      std::vector<Value> dims;
      for (int64_t d : shape.dims)
        dims.push_back(Value::integer(d));
      args.positional = {Value::list(dims)};
      args.keywords = {{"dtype", dtypeValue(*dtype)}, {"partition_info", Value::none()}};
      Value r = in_.call(initializer, args, site);
      initial = r.isError() ? std::nullopt : toTensor(r, *dtype, "initial_value");
      spec.kind = "tensor";
      spec.tensor = initial;
    } else {
      CallArgs args;
      Value r = in_.call(initializer, args, site);
      initial = r.isError() ? std::nullopt : toTensor(r, std::nullopt, "initial_value");
      spec.kind = "tensor";
      spec.tensor = initial;
    }
    exitNameScope(initSaved);
  } else {
    initial = toTensor(initializer, std::nullopt, "initial_value");
    if (initial) {
      const graph::Node &n = graph().node(initial->node);
      spec.kind = n.op == "Const" ? "value" : "tensor";
      spec.display = spec.kind;
      spec.value = n.value;
      spec.tensor = initial;
    }
  }
  exitNameScope(varSaved);
  if (!initial)
    return Value::error();
  const TensorType &it = graph().type(*initial);
  if (initFromValue || shape.unknownRank) {
    varType = it.dtype;
    shape = it.shape;
  }
  auto v = makeVariable(*this, varScope, shape, varType, *initial, spec, trainable, createdBy);
  v->key = full;
  store_[full] = v;
  std::string graphName = varScope.substr(0, varScope.size() - 1);
  if (graphName != full)
    in_.report(site, diag::store_name_diverges)
        << "get_variable('" + name + "') created '" + graphName + "' in the graph, because '" +
               full + "' is taken by another op: its name is '" + graphName +
               ":0' while the variable store key is '" + full + "'";
  return Value::object(Kind::Native, v);
}

Value TFState::newVariable(const Value &initial, const Value *name, const Value *dtypeArg,
                           bool trainable, SourceRange site) {
  CondLift lift(*this);
  std::optional<DType> dtype;
  if (dtypeArg && !dtypeArg->isNone()) {
    DType t;
    if (!toDType(*dtypeArg, t))
      return Value::error();
    dtype = t;
  }
  bool named = name && name->isStr() && !name->asStr().empty();
  std::string requested = named ? name->asStr() : "Variable";
  SavedStack saved;
  bool ok;
  std::string scope = enterNameScope(Value::str(requested), saved, ok);
  if (!ok)
    return Value::error();
  std::optional<TensorRef> init;
  InitSpec spec;
  if (isCallable(initial) && !initial.as<InitializerObj>()) {
    SavedStack initSaved;
    enterNameScope(std::string("Initializer"), initSaved, ok);
    CallArgs args;
    Value r = in_.call(initial, args, site);
    init = r.isError() ? std::nullopt : toTensor(r, dtype, "initial_value");
    exitNameScope(initSaved);
    spec.kind = "tensor";
    spec.tensor = init;
  } else {
    init = toTensor(initial, dtype, "initial_value");
    if (init) {
      const graph::Node &n = graph().node(init->node);
      spec.kind = n.op == "Const" ? "value" : "tensor";
      spec.display = spec.kind;
      spec.value = n.value;
      spec.tensor = init;
    }
  }
  exitNameScope(saved);
  if (!init)
    return Value::error();
  const TensorType &t = graph().type(*init);
  auto v = makeVariable(*this, scope, t.shape, t.dtype, *init, spec, trainable, "Variable");
  // W101: an explicitly named tf.Variable was renamed.
  std::string wanted = nameStack_.empty() ? requested : nameStack_ + "/" + requested;
  std::string got = scope.substr(0, scope.size() - 1);
  if (named && got != wanted && requested.back() != '/')
    in_.report(site, diag::variable_renamed)
        << "tf.Variable '" + wanted + "' was renamed to '" + got +
               "' because the name is taken: this creates a second variable instead of "
               "sharing the first (use tf.get_variable with reuse to share)";
  return Value::object(Kind::Native, v);
}

VariableObj *TFState::findVariable(const std::string &key) {
  auto it = store_.find(key);
  return it == store_.end() ? nullptr : it->second.get();
}

std::string TFState::uniqueVariableScope(const std::string &prefix) {
  std::string full = scope_->name.empty() ? prefix : scope_->name + "/" + prefix;
  auto count = [&](const std::string &k) {
    auto it = scopeCounts_.find(k);
    return it == scopeCounts_.end() ? 0 : it->second;
  };
  if (count(full) == 0)
    return prefix;
  int idx = 1;
  while (count(full + "_" + std::to_string(idx)) > 0)
    ++idx;
  return prefix + "_" + std::to_string(idx);
}

/// Exposed for the API module: the initializer ops builder.
std::optional<TensorRef> buildInitializerOps(TFState &tf, const InitializerObj &init,
                                             const Shape &shape, DType dtype, InitSpec &spec,
                                             const Value *scopeName) {
  return initializerOps(tf, init, shape, dtype, spec, scopeName);
}

} // namespace scopec::eval

//===--- Initial values (scopec run / build / weights) --------------------===//

#include "scopec/Eval/Interpreter.h"

namespace scopec::eval {

namespace {
/// SplitMix64: a small, well-mixed, reproducible generator.
struct Rng {
  uint64_t state;
  explicit Rng(uint64_t s) : state(s) {}
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double normal() {
    double u1 = uniform(), u2 = uniform();
    if (u1 < 1e-300)
      u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};

bool isRandom(const std::string &kind) {
  return kind == "random_uniform" || kind == "random_normal" || kind == "truncated_normal";
}

/// Draws from TF's distribution: uniform [a, b), normal (mean a, stddev b),
/// truncated normal (values beyond two standard deviations are redrawn).
void sample(const InitSpec &s, Rng &rng, std::vector<float> &values) {
  for (float &x : values) {
    if (s.kind == "random_uniform") {
      x = static_cast<float>(s.a + (s.b - s.a) * rng.uniform());
      continue;
    }
    double z;
    do
      z = rng.normal();
    while (s.kind == "truncated_normal" && std::fabs(z) > 2.0);
    x = static_cast<float>(s.a + s.b * z);
  }
}

uint64_t nameHash(uint64_t seed, const std::string &name) {
  uint64_t h = 1469598103934665603ull ^ (seed * 0x9e3779b97f4a7c15ull);
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}
} // namespace

bool Interpreter::initialWeights(uint64_t seed, std::map<graph::NodeID, std::vector<float>> &out,
                                 std::string &error) const {
  for (const auto &v : tf_->globalVariables()) {
    const graph::Node &n = tf_->graph().node(v->node);
    const TensorType &t = n.outputs[0];
    if (t.dtype != DType::Float32)
      continue; // only float32 variables are compiled
    if (!t.shape.isFullyDefined()) {
      error = "the variable '" + n.name + "' has no fully defined shape " + t.shape.str();
      return false;
    }
    size_t count = static_cast<size_t>(t.shape.numElements());
    std::vector<float> values(count);
    const InitSpec &s = v->init;
    Rng rng(nameHash(seed, n.name));
    if (s.kind == "zeros" || s.kind == "ones") {
      std::fill(values.begin(), values.end(), s.kind == "ones" ? 1.0f : 0.0f);
    } else if ((s.kind == "constant" || s.kind == "value") && s.value) {
      const TensorData &d = *s.value;
      size_t have = d.size();
      if (have != 1 && have != count) {
        error = "the initial value of '" + n.name + "' has " + std::to_string(have) +
                " elements for shape " + t.shape.str();
        return false;
      }
      for (size_t k = 0; k < count; ++k) {
        size_t src = have == 1 ? 0 : k;
        values[k] = static_cast<float>(graph::isFloating(d.dtype) ? d.f[src] : static_cast<double>(d.i[src]));
      }
    } else if (s.kind == "tensor" && s.tensor &&
               tf_->graph().node(s.tensor->node).attrs.count("random_kind")) {
      const auto &attrs = tf_->graph().node(s.tensor->node).attrs;
      InitSpec r;
      r.kind = std::get<std::string>(attrs.at("random_kind"));
      r.a = std::get<double>(attrs.at("random_a"));
      r.b = std::get<double>(attrs.at("random_b"));
      sample(r, rng, values);
    } else if (s.kind == "tensor" && s.tensor) {
      TensorData d;
      // A compile-time constant (tf.zeros(...), a constant expression).
      if (!tf_->evaluate(*s.tensor, d, n.loc) || d.size() != count) {
        error = "the initial value of '" + n.name + "' is not a compile-time constant";
        return false;
      }
      for (size_t k = 0; k < count; ++k)
        values[k] = static_cast<float>(graph::isFloating(d.dtype) ? d.f[k] : static_cast<double>(d.i[k]));
    } else if (isRandom(s.kind)) {
      sample(s, rng, values);
    } else {
      error = "the variable '" + n.name + "' has an initializer (" + s.kind +
              ") whose value scopec cannot compute";
      return false;
    }
    out[v->node] = std::move(values);
  }
  return true;
}

} // namespace scopec::eval
