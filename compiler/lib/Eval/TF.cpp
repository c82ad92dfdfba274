//===- TF.cpp - The default graph: naming, conversion, ops, evaluation ----===//
#include "TF.h"

#include "scopec/Graph/ShapeInference.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <regex>

namespace scopec::eval {

using graph::DType;
using graph::Shape;
using graph::TensorData;
using graph::TensorRef;
using graph::TensorType;

namespace {
bool matchesOpRegex(const std::string &s) {
  // ^[A-Za-z0-9.][A-Za-z0-9_.\-/]*$
  if (s.empty())
    return false;
  auto first = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.'; };
  auto rest = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '/';
  };
  if (!first(s[0]))
    return false;
  return std::all_of(s.begin() + 1, s.end(), rest);
}
bool matchesScopeRegex(const std::string &s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '/';
  });
}
std::string lower(std::string s) {
  for (char &c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
/// NumPy's float text (floatmode 'maxprec', precision 8): the shortest
/// round-trip digits of the dtype, at most 8 after the point, integral
/// values as "3."; `sci` is scientific with `sciDigits` mantissa digits.
/// `sciDigits` < 0 asks for the shortest mantissa's digit count instead.
std::string floatCell(double d, DType t, bool sci = false, int sciDigits = -1) {
  if (std::isnan(d))
    return "nan";
  if (std::isinf(d))
    return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto fmt = [&](std::chars_format f, std::optional<int> prec) {
    std::to_chars_result r;
    if (t == DType::Float64)
      r = prec ? std::to_chars(buf, buf + sizeof buf, d, f, *prec) : std::to_chars(buf, buf + sizeof buf, d, f);
    else
      r = prec ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(d), f, *prec)
               : std::to_chars(buf, buf + sizeof buf, static_cast<float>(d), f);
    return std::string(buf, r.ptr);
  };
  if (sci) {
    std::string s = fmt(std::chars_format::scientific, std::nullopt);
    size_t dot = s.find('.'), e = s.find('e');
    int digits = dot == std::string::npos ? 0 : static_cast<int>(e - dot - 1);
    if (sciDigits < 0)
      return std::to_string(std::min(digits, 8));
    s = fmt(std::chars_format::scientific, sciDigits);
    if (s.find('.') == std::string::npos)
      s.insert(s.find('e'), ".");
    return s;
  }
  std::string s = fmt(std::chars_format::fixed, std::nullopt);
  size_t dot = s.find('.');
  if (dot != std::string::npos && s.size() - dot - 1 > 8) {
    s = fmt(std::chars_format::fixed, 8);
    while (s.back() == '0')
      s.pop_back();
  }
  if (s.find('.') == std::string::npos)
    s += ".";
  return s;
}
} // namespace

TFState::TFState(Interpreter &in) : in_(in) {
  ellipsis_ = Value::object(Kind::Native, std::make_shared<EllipsisObj>());
  autoReuse_ = Value::object(Kind::Native, std::make_shared<AutoReuseObj>());
  reset();
  installTFModules(*this);
}

TFState::~TFState() {
  // tf.compat.v1 is tf, tf.contrib.slim is slim, ...: break those cycles.
  for (auto &[key, v] : modules_)
    if (auto *m = v.as<ModuleObj>())
      m->attrs.clear();
}

void TFState::reset() {
  g_ = std::make_unique<graph::Graph>();
  namesInUse_.clear();
  exactNames_.clear();
  nameStack_.clear();
  stackIsNone_ = false;
  scope_ = std::make_shared<VariableScopeObj>();
  scopeCounts_.clear();
  store_.clear();
  globals_.clear();
}

Value TFState::ellipsis() { return ellipsis_; }

//===--- Naming service (tf1-semantics.md 2.2, 2.3) -----------------------===//

std::string TFState::uniqueName(const std::string &requested, bool markAsUsed) {
  std::string name = nameStack_.empty() ? requested : nameStack_ + "/" + requested;
  std::string key = lower(name);
  int64_t i = 0;
  if (markAsUsed) {
    auto it = namesInUse_.try_emplace(key, 0).first; // one lookup
    i = it->second++;
  } else if (auto it = namesInUse_.find(key); it != namesInUse_.end()) {
    i = it->second;
  }
  if (i > 0) {
    std::string base = key;
    while (namesInUse_.count(key)) {
      key = base + "_" + std::to_string(i);
      ++i;
    }
    if (markAsUsed)
      namesInUse_[key] = 1;
    name = name + "_" + std::to_string(i - 1);
  }
  return name;
}

std::string TFState::enterNameScope(const std::string &name, SavedStack &old, bool &ok) {
  ok = true;
  old = SavedStack{nameStack_, stackIsNone_};
  if (!name.empty()) {
    bool valid = nameStack_.empty() ? matchesOpRegex(name) : matchesScopeRegex(name);
    if (!valid) {
      in_.error(diag::invalid_scope_name, "'" + name + "' is not a valid scope name");
      ok = false;
      return {};
    }
  }
  if (name.empty()) {
    nameStack_.clear();
    stackIsNone_ = true;
    return "";
  }
  if (name.back() == '/')
    nameStack_ = name.substr(0, name.size() - 1);
  else
    nameStack_ = uniqueName(name);
  stackIsNone_ = false;
  return nameStack_.empty() ? "" : nameStack_ + "/";
}

std::string TFState::enterNameScope(const Value &name, SavedStack &old, bool &ok) {
  if (name.isNone())
    return enterNameScope(std::string(), old, ok);
  if (!name.isStr()) {
    ok = false;
    old = SavedStack{nameStack_, stackIsNone_};
    in_.error(diag::type_error, "name for name_scope must be a string, not " + in_.typeName(name));
    return {};
  }
  return enterNameScope(name.asStr(), old, ok);
}

void TFState::exitNameScope(const SavedStack &old) {
  nameStack_ = old.stack;
  stackIsNone_ = old.isNone;
}

std::string TFState::opName(const Value &requested, const std::string &defaultName) {
  Value n = requested.isNone() || (requested.isStr() && requested.asStr().empty())
                ? Value::str(defaultName)
                : requested;
  SavedStack old;
  bool ok;
  std::string scope = enterNameScope(n, old, ok);
  exitNameScope(old);
  if (!ok)
    return {};
  return scope.empty() ? defaultName : scope.substr(0, scope.size() - 1);
}

std::string TFState::constName(const Value &requested) {
  std::string req = requested.isStr() && !requested.asStr().empty() ? requested.asStr() : "Const";
  if (!requested.isNone() && !requested.isStr()) {
    in_.error(diag::type_error, "name must be a string, not " + in_.typeName(requested));
    return {};
  }
  std::string name;
  if (req.back() == '/')
    name = req.substr(0, req.size() - 1);
  else
    name = uniqueName(req);
  if (!matchesOpRegex(name)) {
    in_.error(diag::invalid_node_name, "'" + name + "' is not a valid node name");
    return {};
  }
  if (exactNames_.count(name)) {
    in_.error(diag::duplicate_node_name, "Duplicate node name in graph: '" + name + "'");
    return {};
  }
  return name;
}

bool TFState::enterGraph(const std::shared_ptr<Object> &g) {
  if (!haveGraph_) {
    if (g_->size() > 0) {
      in_.error(diag::unsupported_api, "tf.Graph().as_default() after ops were created in the default graph: "
                                       "scopec compiles one graph per program");
      return false;
    }
    ownGraph_ = g;
    haveGraph_ = true;
  } else if (ownGraph_.lock() != g) {
    in_.error(diag::unsupported_api, "a second tf.Graph(): scopec compiles one graph per program");
    reportedLeftGraph_ = true; // one diagnostic, not one per op inside
    return false;
  }
  ++graphDepth_;
  leftGraph_ = false;
  return true;
}

void TFState::exitGraph(const std::shared_ptr<Object> &g) {
  if (haveGraph_ && ownGraph_.lock() == g && graphDepth_ > 0 && --graphDepth_ == 0) {
    leftGraph_ = g_->size() > 0;
    haveGraph_ = leftGraph_; // an empty graph leaves room for another
  }
}

graph::Node &TFState::addNode(const std::string &name, const std::string &op,
                              std::vector<TensorRef> inputs, std::vector<TensorType> outs) {
  if (leftGraph_ && !reportedLeftGraph_) {
    reportedLeftGraph_ = true;
    in_.error(diag::unsupported_api, "'" + name + "' is created outside `with graph.as_default()`, in another "
                                     "graph: scopec compiles one graph per program");
  }
  int32_t ctx = currentCond();
  for (TensorRef &r : inputs)
    if (g_->node(r.node).cond != ctx && op != "Merge") // Merge joins the branches
      r = routeInto(r, ctx, name + "/", name);
  exactNames_.insert(name);
  graph::Node &n = g_->addNode(name, op, std::move(inputs), std::move(outs), in_.callSite());
  n.cond = ctx;
  n.noFetch = ctx >= 0;
  return n;
}

int32_t TFState::enterCond(TensorRef predId, uint32_t branch) {
  graph::CondContext c;
  c.pred = predId;
  c.branch = branch;
  c.parent = currentCond();
  g_->conds.push_back(c);
  condStack_.push_back(static_cast<int32_t>(g_->conds.size() - 1));
  return condStack_.back();
}

void TFState::exitCond() { condStack_.pop_back(); }

TensorRef TFState::routeInto(TensorRef t, int32_t ctx, const std::string &scope, const std::string &consumer) {
  int32_t have = g_->node(t.node).cond;
  if (have == ctx)
    return t;
  if (!g_->condWithin(ctx, have)) {
    if (reportedLeak_ != consumer) {
      reportedLeak_ = consumer;
      in_.error(diag::unsupported_api, "'" + g_->tensorName(t) + "' is computed inside a tf.cond branch and used by '" +
                                           consumer + "' outside it: TF runs '" + consumer +
                                           "' only if that branch is taken; use the value tf.cond returns");
    }
    return t;
  }
  auto key = std::make_tuple(ctx, t.node, t.index);
  if (auto it = condExternal_.find(key); it != condExternal_.end())
    return it->second;
  const graph::CondContext &c = g_->conds.at(static_cast<size_t>(ctx));
  // The enclosing branch sees it first (TF's outer AddValue), then this one's Switch.
  TensorRef outer = routeInto(t, c.parent, scope, consumer);
  SavedStack saved;
  bool ok = true;
  if (!scope.empty())
    enterNameScope(scope, saved, ok);
  std::string name = uniqueName("Switch");
  if (!scope.empty() && ok)
    exitNameScope(saved);
  const graph::TensorType &type = g_->type(outer);
  graph::TensorType plain{type.dtype, false, type.shape};
  exactNames_.insert(name);
  graph::Node &sw = g_->addNode(name, "Switch", {outer, c.pred}, {plain, plain}, in_.callSite());
  sw.cond = ctx;
  sw.noFetch = true;
  TensorRef r{sw.id, c.branch};
  condExternal_[key] = r;
  return r;
}

graph::Node *TFState::createOp(const std::string &name, const std::string &op,
                               std::vector<TensorRef> inputs,
                               std::map<std::string, graph::AttrValue> attrs) {
  graph::ShapeQuery q;
  q.nodeName = name;
  q.opType = op;
  q.attrs = &attrs;
  for (TensorRef r : inputs)
    graph::addInput(q, *g_, r);
  std::vector<TensorType> outs;
  graph::ShapeError err;
  if (!graph::inferShape(q, outs, err)) {
    static const diag::ID ids[] = {diag::incompatible_shapes, diag::rank_mismatch,
                                   diag::incompatible_dtypes, diag::invalid_argument,
                                   diag::unknown_dimension};
    in_.error(ids[err.kind], graph::formatShapeError(q, err));
    return nullptr;
  }
  graph::Node &n = addNode(name, op, std::move(inputs), std::move(outs));
  n.attrs = std::move(attrs);
  return &n;
}

TensorRef TFState::constant(const std::string &name, TensorData data, bool helper) {
  auto d = std::make_shared<TensorData>(std::move(data));
  graph::Node &n = addNode(uniqueName(name), "Const", {}, {TensorType{d->dtype, false, d->shape}});
  n.attrs["dtype"] = d->dtype;
  n.value = std::move(d);
  n.helper = helper;
  return TensorRef{n.id, 0};
}

Value TFState::tensor(TensorRef t) {
  return Value::object(Kind::Native, std::make_shared<TensorObj>(*this, t));
}

Value TFState::dtypeValue(DType t, bool ref) {
  return Value::object(Kind::Native, std::make_shared<DTypeObj>(t, ref));
}

//===--- Conversion -------------------------------------------------------===//

bool TFState::isTensorOrVariable(const Value &v) const {
  return v.as<TensorObj>() || v.as<VariableObj>();
}

bool TFState::isTensorLike(const Value &v) const {
  return v.as<TensorObj>() || v.as<VariableObj>() || v.as<ArrayObj>();
}

std::optional<DType> TFState::dtypeOf(const Value &v) {
  if (auto *t = v.as<TensorObj>())
    return g_->type(t->ref).dtype;
  if (auto *var = v.as<VariableObj>())
    return g_->type(var->read).dtype;
  return std::nullopt;
}

bool TFState::toDType(const Value &v, DType &out, bool quiet) {
  if (auto *d = v.as<DTypeObj>()) {
    out = d->t;
    return true;
  }
  if (v.isStr()) {
    if (auto t = graph::dtypeFromName(v.asStr())) {
      out = *t;
      return true;
    }
  }
  if (auto *b = v.as<BuiltinObj>()) {
    if (b->name == "float") {
      out = DType::Float32;
      return true;
    }
    if (b->name == "int") {
      out = DType::Int32;
      return true;
    }
    if (b->name == "bool") {
      out = DType::Bool;
      return true;
    }
  }
  if (!quiet)
    in_.error(diag::type_error, "Cannot convert value " + in_.repr(v) + " to a TensorFlow DType.");
  return false;
}

bool TFState::toShape(const Value &v, Shape &out) {
  if (v.isNone()) {
    out = Shape::unknown();
    return true;
  }
  if (auto *s = v.as<TensorShapeObj>()) {
    out = s->shape;
    return true;
  }
  std::vector<Value> items;
  if (v.isInt() || v.as<DimensionObj>()) {
    items.push_back(v);
  } else if (!v.isSequence()) {
    in_.error(diag::type_error, "Dimension value must be integer or None or have an __index__ method, got value '" +
                                    in_.repr(v) + "' with type '" + in_.typeName(v) + "'");
    return false;
  } else {
    items = v.items();
  }
  out = Shape::scalar();
  for (const Value &d : items) {
    if (d.isNone()) {
      out.dims.push_back(-1);
      continue;
    }
    if (auto *dim = d.as<DimensionObj>()) {
      out.dims.push_back(dim->value);
      continue;
    }
    if (!d.isInt()) {
      in_.error(diag::type_error, "Dimension value must be integer or None or have an __index__ method, got value '" +
                                      in_.repr(d) + "' with type '" + in_.typeName(d) + "'");
      return false;
    }
    if (d.asInt() < 0) {
      in_.error(diag::value_error, "Dimension " + std::to_string(d.asInt()) + " must be >= 0");
      return false;
    }
    out.dims.push_back(d.asInt());
  }
  if (out.isFullyDefined() && out.numElements() < 0) {
    in_.error(diag::integer_overflow, "the shape " + out.str() +
                                          " has more elements than fit in 64 bits");
    return false;
  }
  return true;
}

bool TFState::toData(const Value &v, std::optional<DType> dtype, TensorData &out, bool quiet) {
  // An ndarray keeps its dtype, or converts as astype() (make_tensor_proto).
  if (auto *a = v.as<ArrayObj>()) {
    if (!dtype || *dtype == a->data.dtype) {
      out = a->data;
      return true;
    }
    return castArray(in_, a->data, *dtype, out);
  }
  // Flatten nested lists, inferring the shape and the dtype like
  // convert_to_tensor: any float -> float32, else int32 (int64 if needed).
  std::vector<Value> flat;
  Shape shape = Shape::scalar();
  bool rectangular = true;
  std::function<void(const Value &, size_t)> walk = [&](const Value &x, size_t depth) {
    if (x.isSequence()) {
      auto &items = x.items();
      if (depth == shape.dims.size())
        shape.dims.push_back(static_cast<int64_t>(items.size()));
      else if (depth > shape.dims.size() || shape.dims[depth] != static_cast<int64_t>(items.size()))
        rectangular = false;
      for (const Value &i : items)
        walk(i, depth + 1);
      return;
    }
    if (auto *a = x.as<ArrayObj>()) {
      // Treated as its flat elements at this depth.
      for (size_t k = 0; k < a->data.size(); ++k)
        flat.push_back(graph::isFloating(a->data.dtype) ? Value::real(a->data.f[k])
                                                        : Value::integer(a->data.i[k]));
      if (depth == shape.dims.size())
        for (int64_t d : a->data.shape.dims)
          shape.dims.push_back(d);
      return;
    }
    if (depth != shape.dims.size() && !(depth < shape.dims.size()))
      rectangular = false;
    flat.push_back(x);
  };
  walk(v, 0);
  if (!rectangular) {
    if (!quiet)
      in_.error(diag::value_error, "Can't convert non-rectangular Python sequence to Tensor.");
    return false;
  }
  DType inferred = DType::Int32;
  bool anyFloat = false, allBool = !flat.empty(), anyStr = false, bigInt = false;
  for (const Value &x : flat) {
    if (x.isFloat())
      anyFloat = true;
    if (!x.isBool())
      allBool = false;
    if (x.isStr())
      anyStr = true;
    if (x.isInt() && (x.asInt() > INT32_MAX || x.asInt() < INT32_MIN))
      bigInt = true;
    if (!x.isNumber() && !x.isStr()) {
      if (!quiet)
        in_.error(diag::type_error, "Failed to convert object of type <class '" + in_.typeName(x) +
                                        "'> to Tensor. Contents: " + in_.repr(x) +
                                        ". Consider casting elements to a supported type.");
      return false;
    }
  }
  if (anyStr)
    inferred = DType::String;
  else if (anyFloat)
    inferred = DType::Float32;
  else if (allBool)
    inferred = DType::Bool;
  else if (bigInt)
    inferred = DType::Int64;
  DType t = dtype ? *dtype : inferred;
  out = TensorData{};
  out.dtype = t;
  out.shape = shape;
  for (const Value &x : flat) {
    if (t == DType::String) {
      if (!x.isStr()) {
        if (!quiet)
          in_.error(diag::type_error, "Expected string, got " + in_.repr(x) + " of type '" +
                                          in_.typeName(x) + "' instead.");
        return false;
      }
      out.s.push_back(x.asStr());
    } else if (graph::isFloating(t)) {
      if (x.isStr()) {
        if (!quiet)
          in_.error(diag::type_error, "Expected " + std::string(graph::dtypeName(t)) + ", got " +
                                          in_.repr(x) + " of type 'str' instead.");
        return false;
      }
      out.f.push_back(graph::roundToDType(x.asFloat(), t));
    } else if (graph::isInteger(t) || t == DType::Bool) {
      if (x.isFloat() || x.isStr() || (t == DType::Bool && !x.isBool())) {
        if (!quiet)
          in_.error(diag::type_error, "Expected " + std::string(graph::dtypeName(t)) + ", got " +
                                          in_.repr(x) + " of type '" + in_.typeName(x) +
                                          "' instead.");
        return false;
      }
      out.i.push_back(x.asInt());
    } else {
      if (!quiet)
        in_.error(diag::type_error, std::string("values of dtype ") + graph::dtypeName(t) +
                                        " are not supported by scopec");
      return false;
    }
  }
  return true;
}

std::optional<TensorRef> TFState::toTensor(const Value &v, std::optional<DType> dtype,
                                           const std::string &name) {
  if (v.isError())
    return std::nullopt;
  if (auto *t = v.as<TensorObj>()) {
    DType have = g_->type(t->ref).dtype;
    if (dtype && *dtype != have) {
      in_.error(diag::incompatible_dtypes,
                std::string("Tensor conversion requested dtype ") + graph::dtypeName(*dtype) +
                    " for Tensor with dtype " + graph::dtypeName(have) + ": " + t->repr());
      return std::nullopt;
    }
    return t->ref;
  }
  if (auto *var = v.as<VariableObj>()) {
    DType have = g_->type(var->read).dtype;
    if (dtype && *dtype != have) {
      in_.error(diag::incompatible_dtypes,
                std::string("Tensor conversion requested dtype ") + graph::dtypeName(*dtype) +
                    " for Tensor with dtype " + graph::dtypeName(have) + ": " + var->repr());
      return std::nullopt;
    }
    return var->read;
  }
  if (containsTensor(v))
    return autopack(v, dtype, name);
  auto data = std::make_shared<TensorData>();
  if (!toData(v, dtype, *data))
    return std::nullopt;
  std::string n = constName(Value::str(name));
  if (n.empty())
    return std::nullopt;
  graph::Node &node = addNode(n, "Const", {}, {TensorType{data->dtype, false, data->shape}});
  node.value = data;
  node.attrs["dtype"] = data->dtype;
  return TensorRef{node.id, 0};
}

bool TFState::containsTensor(const Value &v) const {
  if (isTensorOrVariable(v))
    return true;
  if (v.isSequence())
    for (const Value &e : v.items())
      if (containsTensor(e))
        return true;
  return false;
}

namespace {
std::optional<DType> firstTensorDType(TFState &tf, const Value &v) {
  if (tf.isTensorOrVariable(v))
    return tf.dtypeOf(v);
  if (v.isSequence())
    for (const Value &e : v.items())
      if (auto t = firstTensorDType(tf, e))
        return t;
  return std::nullopt;
}
} // namespace

// TF's _autopacking_helper: a list holding tensors is a Pack named `name`
// (a fresh name scope), its other elements Consts named by their index.
std::optional<TensorRef> TFState::autopack(const Value &v, std::optional<DType> dtype, const std::string &name) {
  if (!dtype)
    dtype = firstTensorDType(*this, v);
  SavedStack saved;
  bool ok;
  std::string scope = enterNameScope(name.empty() ? std::string("packed") : name, saved, ok);
  if (!ok)
    return std::nullopt;
  std::vector<TensorRef> elems;
  std::vector<Value> items = v.items();
  bool good = true;
  for (size_t i = 0; i < items.size() && good; ++i) {
    const Value &e = items[i];
    std::optional<TensorRef> r;
    if (isTensorOrVariable(e)) {
      r = toTensor(e, std::nullopt, "");
      if (r && dtype && g_->type(*r).dtype != *dtype) {
        in_.error(diag::type_error, std::string("Cannot convert a list containing a tensor of dtype ") +
                                        graph::dtypeName(g_->type(*r).dtype) + " to " + graph::dtypeName(*dtype) +
                                        " (Tensor is: " + in_.repr(e) + ")");
        r.reset();
      }
    } else if (containsTensor(e)) {
      r = autopack(e, dtype, std::to_string(i));
    } else {
      r = toTensor(e, dtype, std::to_string(i));
    }
    good = r.has_value();
    if (r)
      elems.push_back(*r);
  }
  graph::Node *n = good ? createOp(scope.substr(0, scope.size() - 1), "Pack", elems, {{"axis", int64_t(0)}}) : nullptr;
  exitNameScope(saved);
  if (!n)
    return std::nullopt;
  return TensorRef{n->id, 0};
}

//===--- Python hooks -----------------------------------------------------===//

int TFState::truthiness(const Value &v) {
  if (isTensorOrVariable(v)) {
    in_.error(diag::tensor_as_bool,
              "Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` "
              "instead of `if t:` to test if a tensor is defined, and use TensorFlow ops such "
              "as tf.cond to execute subgraphs conditioned on the value of a tensor.");
    return -1;
  }
  if (auto *a = v.as<ArrayObj>()) {
    size_t n = a->data.size();
    if (n == 0)
      return 0;
    if (n > 1) {
      in_.error(diag::value_error, "The truth value of an array with more than one element is "
                                   "ambiguous. Use a.any() or a.all()");
      return -1;
    }
    return graph::isFloating(a->data.dtype) ? a->data.f[0] != 0 : a->data.i[0] != 0;
  }
  if (auto *d = v.as<DimensionObj>())
    return d->value != 0;
  if (auto *s = v.as<TensorShapeObj>())
    return !s->shape.unknownRank;
  return 1;
}

bool TFState::iterate(const Value &v, std::vector<Value> &out) {
  if (auto *s = v.as<TensorShapeObj>()) {
    if (s->shape.unknownRank) {
      in_.error(diag::value_error, "Cannot iterate over a shape with unknown rank.");
      return true;
    }
    for (int64_t d : s->shape.dims)
      out.push_back(Value::object(Kind::Native, std::make_shared<DimensionObj>(d)));
    return true;
  }
  if (auto *a = v.as<ArrayObj>()) {
    if (a->data.shape.rank() == 0) {
      in_.error(diag::type_error, "iteration over a 0-d array");
      return true;
    }
    for (int64_t k = 0; k < a->data.shape.dims[0]; ++k)
      out.push_back(indexArray(in_, a->data, Value::integer(k)));
    return true;
  }
  if (isTensorOrVariable(v)) {
    in_.error(diag::type_error, "Tensor objects are only iterable when eager execution is enabled. "
                                "To iterate over this tensor use tf.map_fn.");
    return true;
  }
  return false;
}

bool TFState::dimensionValue(const Value &v, int64_t &out) const {
  if (auto *d = v.as<DimensionObj>(); d && d->value >= 0) {
    out = d->value;
    return true;
  }
  return false;
}

Value TFState::dimensionOp(ast::BinaryOp op, const Value &a, const Value &b) {
  // Dimension arithmetic: unknown dimensions stay unknown.
  auto val = [&](const Value &v, int64_t &out) {
    if (auto *d = v.as<DimensionObj>()) {
      out = d->value;
      return true;
    }
    if (v.isInt()) {
      out = v.asInt();
      return true;
    }
    return false;
  };
  int64_t x, y;
  if (!val(a, x) || !val(b, y))
    return in_.error(diag::type_error, std::string("unsupported operand type(s) for ") +
                                           ast::getBinaryOpSpelling(op) + ": '" +
                                           in_.typeName(a) + "' and '" + in_.typeName(b) + "'");
  if (x < 0 || y < 0)
    return Value::object(Kind::Native, std::make_shared<DimensionObj>(-1));
  Value r = in_.binaryOp(op, Value::integer(x), Value::integer(y));
  if (r.isInt())
    return Value::object(Kind::Native, std::make_shared<DimensionObj>(r.asInt()));
  return r;
}

bool TFState::length(const Value &v, int64_t &n) {
  if (auto *s = v.as<TensorShapeObj>()) {
    if (s->shape.unknownRank)
      return false;
    n = static_cast<int64_t>(s->shape.rank());
    return true;
  }
  if (auto *a = v.as<ArrayObj>(); a && a->data.shape.rank() > 0) {
    n = a->data.shape.dims[0];
    return true;
  }
  return false;
}

bool TFState::scalarValue(const Value &v, double &out) {
  if (auto *a = v.as<ArrayObj>(); a && a->data.size() == 1) {
    out = graph::isFloating(a->data.dtype) ? a->data.f[0] : static_cast<double>(a->data.i[0]);
    return true;
  }
  return false;
}

std::string TFState::typeObjectName(const Value &v) {
  if (auto *m = v.as<BuiltinObj>())
    return m->name;
  return {};
}

bool TFState::isInstance(const Value &v, const std::string &typeName) {
  if (typeName == "tf.Tensor")
    return v.as<TensorObj>() != nullptr;
  if (typeName == "tf.Variable")
    return v.as<VariableObj>() != nullptr;
  return false;
}

Value TFState::subscript(const Value &obj, const Value &index, bool &handled) {
  handled = true;
  if (auto *s = obj.as<TensorShapeObj>()) {
    if (s->shape.unknownRank)
      return Value::object(Kind::Native, std::make_shared<DimensionObj>(-1));
    int64_t n = static_cast<int64_t>(s->shape.rank()), i;
    if (index.as<SliceObj>()) {
      std::vector<Value> dims;
      for (int64_t d : s->shape.dims)
        dims.push_back(Value::integer(d));
      Value sliced = in_.getAttr(Value::list(dims), "copy", in_.callSite());
      (void)sliced;
      handled = false; // fall back: slice a list of dimensions
      return Value::error();
    }
    if (!toInt(in_, index, i, "shape index"))
      return Value::error();
    if (i < 0)
      i += n;
    if (i < 0 || i >= n)
      return in_.error(diag::index_error, "list index out of range");
    return Value::object(Kind::Native, std::make_shared<DimensionObj>(s->shape.dims[i]));
  }
  if (auto *a = obj.as<ArrayObj>())
    return indexArray(in_, a->data, index);
  if (isTensorOrVariable(obj))
    return sliceTensor(obj, index);
  handled = false;
  return Value::error();
}

/// x[...] on a tensor: TF 1.15's _slice_helper, a StridedSlice named
/// "strided_slice" with its begin/end/strides as Consts "stack", "stack_1",
/// "stack_2" in its scope.
Value TFState::sliceTensor(const Value &obj, const Value &index) {
  std::vector<Value> specs = index.isTuple() ? index.items() : std::vector<Value>{index};
  std::vector<int64_t> begin, end, strides;
  int64_t beginMask = 0, endMask = 0, ellipsisMask = 0, newAxisMask = 0, shrinkMask = 0;
  for (size_t k = 0; k < specs.size(); ++k) {
    const Value &sp = specs[k];
    int64_t bit = int64_t(1) << k;
    if (auto *sl = sp.as<SliceObj>()) {
      int64_t b = 0, e = 0, st = 1;
      if (!sl->lower.isNone() && !toInt(in_, sl->lower, b, "slice index"))
        return Value::error();
      if (!sl->upper.isNone() && !toInt(in_, sl->upper, e, "slice index"))
        return Value::error();
      if (!sl->step.isNone() && !toInt(in_, sl->step, st, "slice step"))
        return Value::error();
      if (st == 0)
        return in_.error(diag::invalid_argument, "slice step cannot be zero");
      if (sl->lower.isNone())
        beginMask |= bit;
      if (sl->upper.isNone())
        endMask |= bit;
      begin.push_back(b);
      end.push_back(e);
      strides.push_back(st);
    } else if (sp.as<EllipsisObj>()) {
      ellipsisMask |= bit;
      begin.push_back(0);
      end.push_back(0);
      strides.push_back(1);
    } else if (sp.isNone()) {
      newAxisMask |= bit;
      begin.push_back(0);
      end.push_back(0);
      strides.push_back(1);
    } else {
      int64_t i;
      if (isTensorOrVariable(sp))
        return in_.error(diag::unsupported_api, "indexing a tensor with a tensor is not supported by scopec");
      if (!toInt(in_, sp, i, "slice index"))
        return Value::error();
      shrinkMask |= bit;
      begin.push_back(i);
      end.push_back(i + 1);
      strides.push_back(1);
    }
  }
  auto x = toTensor(obj, std::nullopt, "input");
  if (!x)
    return Value::error();
  const Shape &in = g_->type(*x).shape;
  // The result's static shape.
  std::vector<int64_t> result;
  bool unknown = in.unknownRank;
  if (!unknown) {
    size_t consumedBySpecs = 0;
    for (size_t k = 0; k < specs.size(); ++k)
      if (!(newAxisMask >> k & 1) && !(ellipsisMask >> k & 1))
        ++consumedBySpecs;
    if (consumedBySpecs > in.rank())
      return in_.error(diag::invalid_argument, "Index out of range using input dim " +
                                                   std::to_string(in.rank()) + "; input has only " +
                                                   std::to_string(in.rank()) + " dims");
    size_t dim = 0;
    bool sawEllipsis = false;
    for (size_t k = 0; k < specs.size(); ++k) {
      if (ellipsisMask >> k & 1) {
        size_t skip = in.rank() - consumedBySpecs;
        for (size_t j = 0; j < skip; ++j)
          result.push_back(in.dims[dim++]);
        sawEllipsis = true;
        continue;
      }
      if (newAxisMask >> k & 1) {
        result.push_back(1);
        continue;
      }
      int64_t n = in.dims[dim];
      if (shrinkMask >> k & 1) {
        int64_t i = begin[k];
        if (n >= 0 && (i >= n || i < -n))
          return in_.error(diag::invalid_argument, "slice index " + std::to_string(i) +
                                                       " of dimension " + std::to_string(dim) +
                                                       " out of bounds.");
        ++dim;
        continue;
      }
      if (n < 0) {
        result.push_back(-1);
      } else {
        int64_t st = strides[k];
        auto clampIdx = [&](int64_t v, bool masked, bool isBegin) {
          if (masked)
            return isBegin ? (st > 0 ? int64_t(0) : n - 1) : (st > 0 ? n : int64_t(-1));
          if (v < 0)
            v += n;
          return st > 0 ? std::clamp<int64_t>(v, 0, n) : std::clamp<int64_t>(v, -1, n - 1);
        };
        int64_t b = clampIdx(begin[k], beginMask >> k & 1, true);
        int64_t e = clampIdx(end[k], endMask >> k & 1, false);
        int64_t len = st > 0 ? (e > b ? (e - b + st - 1) / st : 0) : (b > e ? (b - e - st - 1) / (-st) : 0);
        result.push_back(len);
      }
      ++dim;
    }
    if (!sawEllipsis)
      for (; dim < in.rank(); ++dim)
        result.push_back(in.dims[dim]);
  }
  SavedStack saved;
  bool ok;
  std::string scope = enterNameScope(std::string("strided_slice"), saved, ok);
  TensorRef b = constant("stack", int32Vector(begin)), e = constant("stack", int32Vector(end)),
            st = constant("stack", int32Vector(strides));
  exitNameScope(saved);
  std::map<std::string, graph::AttrValue> attrs = {
      {"begin_mask", beginMask}, {"end_mask", endMask}, {"ellipsis_mask", ellipsisMask},
      {"new_axis_mask", newAxisMask}, {"shrink_axis_mask", shrinkMask}};
  if (!unknown)
    attrs["result_shape"] = result;
  graph::Node *n = createOp(scope.substr(0, scope.size() - 1), "StridedSlice", {*x, b, e, st}, attrs);
  return n ? makeTensor(*n) : Value::error();
}

//===--- Tensors as operands ----------------------------------------------===//

namespace {
const char *operatorScope(ast::BinaryOp op) {
  switch (op) {
  case ast::BinaryOp::Add: return "add";
  case ast::BinaryOp::Sub: return "sub";
  case ast::BinaryOp::Mul: return "mul";
  case ast::BinaryOp::Div: return "truediv";
  case ast::BinaryOp::FloorDiv: return "floordiv";
  case ast::BinaryOp::Mod: return "mod";
  case ast::BinaryOp::Pow: return "pow";
  case ast::BinaryOp::MatMul: return "matmul";
  case ast::BinaryOp::BitAnd: return "and";
  case ast::BinaryOp::BitOr: return "or";
  case ast::BinaryOp::BitXor: return "xor";
  default: return nullptr;
  }
}

const char *operatorOpType(ast::BinaryOp op) {
  switch (op) {
  case ast::BinaryOp::Add: return "AddV2";
  case ast::BinaryOp::Sub: return "Sub";
  case ast::BinaryOp::Mul: return "Mul";
  case ast::BinaryOp::Div: return "RealDiv";
  case ast::BinaryOp::FloorDiv: return "FloorDiv";
  case ast::BinaryOp::Mod: return "FloorMod";
  case ast::BinaryOp::Pow: return "Pow";
  case ast::BinaryOp::MatMul: return "MatMul";
  case ast::BinaryOp::BitAnd: return "LogicalAnd";
  case ast::BinaryOp::BitOr: return "LogicalOr";
  case ast::BinaryOp::BitXor: return "LogicalXor";
  default: return nullptr;
  }
}

double applyBinary(const std::string &op, double x, double y) {
  if (op == "AddV2" || op == "Add") return x + y;
  if (op == "Sub") return x - y;
  if (op == "Mul") return x * y;
  if (op == "RealDiv" || op == "Div") return x / y;
  if (op == "Maximum") return std::max(x, y);
  if (op == "Minimum") return std::min(x, y);
  if (op == "Pow") return std::pow(x, y);
  if (op == "FloorDiv") return std::floor(x / y);
  if (op == "FloorMod") { double m = std::fmod(x, y); return (m != 0 && ((m < 0) != (y < 0))) ? m + y : m; }
  if (op == "Less") return x < y;
  if (op == "LessEqual") return x <= y;
  if (op == "Greater") return x > y;
  if (op == "GreaterEqual") return x >= y;
  if (op == "Equal") return x == y;
  if (op == "NotEqual") return x != y;
  return 0;
}

/// Elementwise op with broadcasting on compile-time data.
bool broadcastData(const std::string &op, const TensorData &a, const TensorData &b, DType outType,
                   TensorData &out) {
  Shape s;
  if (!graph::broadcastShapes(a.shape, b.shape, s) || !s.isFullyDefined())
    return false;
  out = TensorData{};
  out.dtype = outType;
  out.shape = s;
  int64_t n = s.numElements();
  auto at = [&](const TensorData &d, int64_t flat) -> double {
    // Map an output index to the (broadcast) input index.
    int64_t idx = 0, stride = 1;
    int64_t rem = flat;
    std::vector<int64_t> coord(s.rank());
    for (size_t k = s.rank(); k-- > 0;) {
      coord[k] = rem % std::max<int64_t>(1, s.dims[k]);
      rem /= std::max<int64_t>(1, s.dims[k]);
    }
    size_t off = s.rank() - d.shape.rank();
    for (size_t k = d.shape.rank(); k-- > 0;) {
      int64_t c = d.shape.dims[k] == 1 ? 0 : coord[k + off];
      idx += c * stride;
      stride *= d.shape.dims[k];
    }
    return graph::isFloating(d.dtype) ? d.f[static_cast<size_t>(idx)] : static_cast<double>(d.i[static_cast<size_t>(idx)]);
  };
  for (int64_t k = 0; k < n; ++k) {
    double r = applyBinary(op, at(a, k), at(b, k));
    if (graph::isFloating(outType))
      out.f.push_back(graph::roundToDType(r, outType));
    else
      out.i.push_back(static_cast<int64_t>(r));
  }
  return true;
}

} // namespace

Value TFState::binary(const std::string &opType, const std::string &defaultName, const Value &a,
                      const Value &b, const Value &name, bool operatorForm, bool reflected) {
  // Operators open name_scope(None, op, [x, y]) and convert the other operand
  // inside it; function forms (tf.add) convert both inputs and name the op
  // by its type.
  SavedStack old;
  bool ok;
  std::string scope = enterNameScope(Value::str(operatorForm ? defaultName : (name.isStr() && !name.asStr().empty() ? name.asStr() : defaultName)), old, ok);
  if (!ok)
    return Value::error();
  std::optional<DType> want;
  const Value &first = reflected ? b : a;
  if (auto t = dtypeOf(first))
    want = *t;
  else if (auto t2 = dtypeOf(reflected ? a : b))
    want = *t2;
  std::optional<TensorRef> x, y;
  if (reflected) {
    y = toTensor(b, std::nullopt, "y");
    x = y ? toTensor(a, g_->type(*y).dtype, "x") : std::nullopt;
  } else {
    x = toTensor(a, operatorForm ? std::nullopt : want, "x");
    y = x ? toTensor(b, operatorForm ? std::optional<DType>(g_->type(*x).dtype) : want, "y") : std::nullopt;
  }
  std::string opNameStr = scope.substr(0, scope.size() - 1);
  exitNameScope(old);
  if (!x || !y)
    return Value::error();
  graph::Node *n = createOp(opNameStr, opType, {*x, *y});
  return n ? makeTensor(*n) : Value::error();
}

Value TFState::unary(const std::string &opType, const Value &xv, const Value &name) {
  std::string n = opName(name, opType);
  if (n.empty())
    return Value::error();
  auto x = toTensor(xv, std::nullopt, "x");
  if (!x)
    return Value::error();
  graph::Node *node = createOp(n, opType, {*x});
  return node ? makeTensor(*node) : Value::error();
}

Value TFState::binaryOp(ast::BinaryOp op, const Value &a, const Value &b) {
  bool arrays = (a.as<ArrayObj>() || !isTensorOrVariable(a)) && (b.as<ArrayObj>() || !isTensorOrVariable(b));
  if (arrays) {
    // NumPy 1.x semantics on build-time arrays: a Python scalar takes an
    // array's dtype (float32 stays float32) but is int64/float64 next to a
    // NumPy scalar; otherwise the dtypes promote.
    TensorData x, y;
    auto data = [&](const Value &v, TensorData &d, const TensorData *other) {
      if (auto *arr = v.as<ArrayObj>()) {
        d = arr->data;
        return true;
      }
      std::optional<DType> t;
      if (v.isNumber())
        t = other && other->shape.rank() > 0
                ? (v.isFloat() && !graph::isFloating(other->dtype) ? DType::Float64 : other->dtype)
                : v.isFloat() ? DType::Float64 : v.isBool() ? DType::Bool : DType::Int64;
      return toData(v, t, d, true);
    };
    const TensorData *ax = a.as<ArrayObj>() ? &a.as<ArrayObj>()->data : nullptr;
    const TensorData *bx = b.as<ArrayObj>() ? &b.as<ArrayObj>()->data : nullptr;
    if (!data(a, x, bx) || !data(b, y, ax))
      return in_.error(diag::type_error, std::string("unsupported operand type(s) for ") +
                                             ast::getBinaryOpSpelling(op) + ": '" + in_.typeName(a) +
                                             "' and '" + in_.typeName(b) + "'");
    const char *t = operatorOpType(op);
    DType outType = promoteTypes(x.dtype, y.dtype);
    if (op == ast::BinaryOp::Div && !graph::isFloating(outType))
      outType = DType::Float64;
    TensorData out;
    if (!t || !broadcastData(t, x, y, outType, out))
      return in_.error(diag::value_error, "operands could not be broadcast together with shapes " +
                                              x.shape.str() + " " + y.shape.str());
    return Value::object(Kind::Native, std::make_shared<ArrayObj>(std::move(out)));
  }
  const char *scope = operatorScope(op);
  const char *type = operatorOpType(op);
  if (!scope)
    return in_.error(diag::unsupported_api, std::string("the operator ") + ast::getBinaryOpSpelling(op) +
                                                " on tensors is not supported by scopec");
  if (op == ast::BinaryOp::MatMul) {
    // __matmul__: name_scope(None, "matmul") then matmul(a, b, name=scope).
    SavedStack saved;
    bool ok;
    std::string sc = enterNameScope(std::string("matmul"), saved, ok);
    exitNameScope(saved);
    if (!ok)
      return Value::error();
    return matmulOp(*this, a, b, false, false, Value::str(sc));
  }
  bool reflected = !isTensorOrVariable(a);
  return binary(type, scope, a, b, Value::none(), /*operatorForm=*/true, reflected);
}

Value TFState::unaryOp(ast::UnaryOpKind op, const Value &v) {
  if (auto *arr = v.as<ArrayObj>()) {
    TensorData d = arr->data;
    if (op == ast::UnaryOpKind::Neg) {
      for (double &f : d.f)
        f = -f;
      for (int64_t &i : d.i)
        i = -i;
    }
    return Value::object(Kind::Native, std::make_shared<ArrayObj>(std::move(d)));
  }
  if (op == ast::UnaryOpKind::Neg)
    return unary("Neg", v, Value::none());
  if (op == ast::UnaryOpKind::Pos)
    return v;
  return unary("LogicalNot", v, Value::none());
}

Value TFState::absOp(const Value &v) {
  if (auto *arr = v.as<ArrayObj>()) {
    TensorData d = arr->data;
    for (double &f : d.f)
      f = std::fabs(f);
    for (int64_t &i : d.i)
      i = std::llabs(i);
    return Value::object(Kind::Native, std::make_shared<ArrayObj>(std::move(d)));
  }
  return unary("Abs", v, Value::none());
}

bool TFState::compare(ast::CmpOp op, const Value &a, const Value &b, Value &result) {
  if (isTensorOrVariable(a) || isTensorOrVariable(b)) {
    // TF1: == and != are identity; <, >, ... build comparison ops.
    switch (op) {
    case ast::CmpOp::Eq: result = Value::boolean(a.is(b)); return true;
    case ast::CmpOp::NotEq: result = Value::boolean(!a.is(b)); return true;
    case ast::CmpOp::Lt: result = binary("Less", "Less", a, b, Value::none(), false); return true;
    case ast::CmpOp::LtE: result = binary("LessEqual", "LessEqual", a, b, Value::none(), false); return true;
    case ast::CmpOp::Gt: result = binary("Greater", "Greater", a, b, Value::none(), false); return true;
    case ast::CmpOp::GtE: result = binary("GreaterEqual", "GreaterEqual", a, b, Value::none(), false); return true;
    default: return false;
    }
  }
  const char *t = op == ast::CmpOp::Eq ? "Equal" : op == ast::CmpOp::NotEq ? "NotEqual"
                  : op == ast::CmpOp::Lt ? "Less" : op == ast::CmpOp::LtE ? "LessEqual"
                  : op == ast::CmpOp::Gt ? "Greater" : op == ast::CmpOp::GtE ? "GreaterEqual" : nullptr;
  if (!t)
    return false;
  TensorData x, y;
  auto data = [&](const Value &v, TensorData &d, const Value &other) {
    if (auto *arr = v.as<ArrayObj>()) {
      d = arr->data;
      return true;
    }
    std::optional<DType> dt;
    if (auto *o = other.as<ArrayObj>(); o && v.isNumber())
      dt = v.isFloat() && !graph::isFloating(o->data.dtype) ? DType::Float64 : o->data.dtype;
    return toData(v, dt, d, true);
  };
  if (!data(a, x, b) || !data(b, y, a)) {
    result = Value::boolean(op == ast::CmpOp::NotEq);
    return op == ast::CmpOp::Eq || op == ast::CmpOp::NotEq;
  }
  TensorData out;
  if (!broadcastData(t, x, y, DType::Bool, out)) {
    result = in_.error(diag::value_error, "operands could not be broadcast together with shapes " +
                                              x.shape.str() + " " + y.shape.str());
    return true;
  }
  result = Value::object(Kind::Native, std::make_shared<ArrayObj>(std::move(out)));
  return true;
}

//===--- Compile-time evaluation ------------------------------------------===//

bool InitSpec::deterministic() const {
  return kind == "constant" || kind == "zeros" || kind == "ones" || kind == "value" ||
         kind == "tensor";
}

bool TFState::canMaterialize(int64_t n, const std::string &what) {
  if (n <= kMaxValueElements)
    return true;
  in_.error(diag::evaluation_limit, what + " has " + std::to_string(n) +
                                        " elements: values of more than 2^26 elements are not "
                                        "built at compile time");
  return false;
}

bool TFState::evaluate(TensorRef t, TensorData &out, SourceRange site) {
  const graph::Node &n = g_->node(t.node);
  const TensorType &type = n.outputs.at(t.index);
  if (type.shape.isFullyDefined() &&
      !canMaterialize(type.shape.numElements(), "the value of '" + g_->tensorName(t) + "'"))
    return false;
  // Computing a value costs a step per element (E108 past the budget).
  if (type.shape.isFullyDefined())
    in_.chargeBuild(static_cast<size_t>(std::max<int64_t>(type.shape.numElements(), 0)));
  auto blocked = [&](const graph::Node &b) {
    in_.error(diag::not_compile_time,
              "the value of '" + g_->tensorName(t) + "' is only known at run time: it depends on '" +
                  b.name + "' (" + b.op + ")");
    return false;
  };
  if (n.op == "Const") {
    out = *n.value;
    return true;
  }
  if (n.op == "Identity")
    return evaluate(n.inputs[0], out, site);
  if (n.op == "VariableV2") {
    for (auto &v : globals_)
      if (v->node == n.id) {
        const InitSpec &s = v->init;
        if (s.kind == "tensor" && s.tensor)
          return evaluate(*s.tensor, out, site);
        if (s.value && (s.kind == "constant" || s.kind == "value")) {
          out = *s.value;
          // constant_initializer fills the whole shape with a scalar.
          if (out.size() == 1 && type.shape.isFullyDefined() && type.shape.numElements() != 1) {
            int64_t k = type.shape.numElements();
            if (graph::isFloating(out.dtype))
              out.f.assign(static_cast<size_t>(k), out.f[0]);
            else
              out.i.assign(static_cast<size_t>(k), out.i[0]);
          }
          out.shape = type.shape;
          out.dtype = type.dtype;
          for (double &f : out.f)
            f = graph::roundToDType(f, type.dtype);
          return true;
        }
        if ((s.kind == "zeros" || s.kind == "ones") && type.shape.isFullyDefined()) {
          out = TensorData{};
          out.dtype = type.dtype;
          out.shape = type.shape;
          int64_t k = type.shape.numElements();
          if (graph::isFloating(type.dtype))
            out.f.assign(static_cast<size_t>(k), s.kind == "ones" ? 1.0 : 0.0);
          else
            out.i.assign(static_cast<size_t>(k), s.kind == "ones" ? 1 : 0);
          return true;
        }
        // A random initializer: name its random op.
        for (size_t k = g_->size(); k-- > 0;) {
          const graph::Node &h = g_->node(static_cast<graph::NodeID>(k));
          if (h.name.rfind(n.name + "/Initializer/", 0) == 0 &&
              (h.op == "RandomUniform" || h.op == "RandomStandardNormal" || h.op == "TruncatedNormal"))
            return blocked(h);
        }
        return blocked(n);
      }
    return blocked(n);
  }
  if (n.op == "Placeholder") {
    auto it = feeds_.find(n.id);
    if (it == feeds_.end())
      return blocked(n);
    out = it->second;
    return true;
  }
  // Everything else through the generated code when the driver provides it.
  if (const TensorComputer &computer = in_.options().computer) {
    std::map<graph::NodeID, TensorData> feeds;
    std::map<graph::NodeID, std::vector<float>> vars;
    std::vector<graph::NodeID> work = {t.node};
    std::set<graph::NodeID> seen;
    bool usable = true;
    while (!work.empty()) {
      graph::NodeID id = work.back();
      work.pop_back();
      if (!seen.insert(id).second)
        continue;
      const graph::Node &m = g_->node(id);
      if (m.op == "Placeholder") {
        auto it = feeds_.find(id);
        if (it == feeds_.end())
          return blocked(m);
        feeds[id] = it->second;
      } else if (m.op == "VariableV2") {
        TensorData v;
        if (!evaluate(TensorRef{id, 0}, v, site))
          return false;
        usable &= v.dtype == DType::Float32;
        vars[id] = std::vector<float>(v.f.begin(), v.f.end());
      } else {
        for (TensorRef r : m.inputs)
          work.push_back(r.node);
      }
    }
    std::string why;
    TensorData computed;
    if (usable && computer(*g_, t, feeds, vars, computed, why)) {
      out = std::move(computed);
      return true;
    }
  }
  if (n.inputs.size() == 2 && (n.op == "AddV2" || n.op == "Add" || n.op == "Sub" || n.op == "Mul" ||
                               n.op == "RealDiv" || n.op == "Maximum" || n.op == "Minimum" ||
                               n.op == "Pow" || n.op == "Less" || n.op == "Greater" ||
                               n.op == "LessEqual" || n.op == "GreaterEqual")) {
    TensorData a, b;
    if (!evaluate(n.inputs[0], a, site) || !evaluate(n.inputs[1], b, site))
      return false;
    return broadcastData(n.op, a, b, type.dtype, out) || blocked(n);
  }
  if (n.op == "Neg" || n.op == "Abs" || n.op == "Square" || n.op == "Relu") {
    if (!evaluate(n.inputs[0], out, site))
      return false;
    for (double &f : out.f)
      f = graph::roundToDType(n.op == "Neg" ? -f : n.op == "Abs" ? std::fabs(f) : n.op == "Square" ? f * f : std::max(0.0, f), out.dtype);
    for (int64_t &i : out.i)
      i = n.op == "Neg" ? -i : n.op == "Abs" ? std::llabs(i) : n.op == "Square" ? i * i : std::max<int64_t>(0, i);
    return true;
  }
  return blocked(n);
}

//===--- Objects' attributes ----------------------------------------------===//

Value DTypeObj::getAttr(Interpreter &in, const std::string &n, bool &found) {
  found = true;
  if (n == "name")
    return Value::str(name());
  if (n == "base_dtype")
    return in.tf().dtypeValue(t, false);
  if (n == "is_floating")
    return Value::boolean(graph::isFloating(t));
  if (n == "is_integer")
    return Value::boolean(graph::isInteger(t));
  if (n == "is_bool")
    return Value::boolean(t == DType::Bool);
  if (n == "is_unsigned")
    return Value::boolean(graph::isUnsigned(t));
  if (n == "is_complex")
    return Value::boolean(graph::isComplex(t));
  found = false;
  return Value::error();
}

bool DTypeObj::equals(const Value &o, bool &defined) const {
  defined = true;
  if (auto *d = o.as<DTypeObj>())
    return d->t == t && d->ref == ref;
  if (o.isStr())
    return o.asStr() == name();
  return false;
}

Value DimensionObj::getAttr(Interpreter &, const std::string &n, bool &found) {
  found = n == "value";
  return value < 0 ? Value::none() : Value::integer(value);
}

bool DimensionObj::equals(const Value &o, bool &defined) const {
  defined = true;
  if (value < 0)
    return false;
  if (auto *d = o.as<DimensionObj>())
    return d->value == value;
  if (o.isInt())
    return o.asInt() == value;
  defined = o.isNone();
  return false;
}

std::string TensorShapeObj::repr() const {
  if (shape.unknownRank)
    return "TensorShape(None)";
  std::string s = "TensorShape([";
  for (size_t k = 0; k < shape.rank(); ++k)
    s += (k ? ", " : "") + DimensionObj(shape.dims[k]).repr();
  return s + "])";
}

Value TensorShapeObj::getAttr(Interpreter &in, const std::string &n, bool &found) {
  found = true;
  Shape s = shape;
  if (n == "as_list")
    return in.makeBuiltin("TensorShape.as_list", [s](Interpreter &in, CallArgs &) -> Value {
      if (s.unknownRank)
        return in.error(diag::value_error, "as_list() is not defined on an unknown TensorShape.");
      std::vector<Value> out;
      for (int64_t d : s.dims)
        out.push_back(d < 0 ? Value::none() : Value::integer(d));
      return Value::list(std::move(out));
    });
  if (n == "ndims")
    return s.unknownRank ? Value::none() : Value::integer(static_cast<int64_t>(s.rank()));
  if (n == "dims") {
    if (s.unknownRank)
      return Value::none();
    std::vector<Value> out;
    for (int64_t d : s.dims)
      out.push_back(Value::object(Kind::Native, std::make_shared<DimensionObj>(d)));
    return Value::list(std::move(out));
  }
  if (n == "is_fully_defined")
    return in.makeBuiltin("TensorShape.is_fully_defined", [s](Interpreter &, CallArgs &) {
      return Value::boolean(s.isFullyDefined());
    });
  if (n == "num_elements")
    return in.makeBuiltin("TensorShape.num_elements", [s](Interpreter &, CallArgs &) {
      return s.isFullyDefined() ? Value::integer(s.numElements()) : Value::none();
    });
  if (n == "rank")
    return s.unknownRank ? Value::none() : Value::integer(static_cast<int64_t>(s.rank()));
  found = false;
  return Value::error();
}

bool TensorShapeObj::equals(const Value &o, bool &defined) const {
  defined = true;
  if (auto *t = o.as<TensorShapeObj>())
    return !shape.unknownRank && !t->shape.unknownRank && t->shape == shape;
  if (o.isSequence()) {
    if (shape.unknownRank || o.items().size() != shape.rank())
      return false;
    for (size_t k = 0; k < shape.rank(); ++k) {
      const Value &d = o.items()[k];
      int64_t want = d.isNone() ? -1 : d.isInt() ? d.asInt() : -2;
      if (want != shape.dims[k] || want < 0)
        return false;
    }
    return true;
  }
  return false;
}

std::string TensorObj::repr() const {
  const TensorType &t = tf.graph().type(ref);
  return "<tf.Tensor '" + tf.graph().tensorName(ref) + "' shape=" + t.shape.str() +
         " dtype=" + graph::dtypeName(t.dtype) + (t.isRef ? "_ref" : "") + ">";
}

namespace {
Value evalMethod(Interpreter &in, TFState &tf, TensorRef ref, const std::string &name) {
  return in.makeBuiltin(name, [&tf, ref](Interpreter &in, CallArgs &a) -> Value {
    TensorData d;
    if (!tf.evaluate(ref, d, in.callSite()))
      return Value::error();
    return Value::object(Kind::Native, std::make_shared<ArrayObj>(std::move(d)));
  });
}
} // namespace

Value TensorObj::getAttr(Interpreter &in, const std::string &n, bool &found) {
  found = true;
  const TensorType &t = tf.graph().type(ref);
  if (n == "name")
    return Value::str(tf.graph().tensorName(ref));
  if (n == "op")
    return Value::object(Kind::Native, std::make_shared<OperationObj>(tf, ref.node));
  if (n == "shape")
    return Value::object(Kind::Native, std::make_shared<TensorShapeObj>(t.shape));
  if (n == "get_shape") {
    Shape s = t.shape;
    return in.makeBuiltin("Tensor.get_shape", [s](Interpreter &, CallArgs &) {
      return Value::object(Kind::Native, std::make_shared<TensorShapeObj>(s));
    });
  }
  if (n == "dtype")
    return tf.dtypeValue(t.dtype, t.isRef);
  if (n == "value_index")
    return Value::integer(ref.index);
  if (n == "eval")
    return evalMethod(in, tf, ref, "Tensor.eval");
  found = false;
  return Value::error();
}

std::string OperationObj::repr() const {
  const graph::Node &nd = tf.graph().node(id);
  return "<tf.Operation '" + nd.name + "' type=" + nd.op + ">";
}

Value OperationObj::getAttr(Interpreter &in, const std::string &n, bool &found) {
  found = true;
  const graph::Node &nd = tf.graph().node(id);
  if (n == "name")
    return Value::str(nd.name);
  if (n == "type")
    return Value::str(nd.op);
  if (n == "outputs" || n == "inputs") {
    std::vector<Value> out;
    if (n == "outputs")
      for (unsigned k = 0; k < nd.outputs.size(); ++k)
        out.push_back(tf.tensor(TensorRef{id, k}));
    else
      for (TensorRef r : nd.inputs)
        out.push_back(tf.tensor(r));
    return Value::list(std::move(out));
  }
  found = false;
  return Value::error();
}

std::string VariableObj::name() const { return tf->graph().node(node).name + ":0"; }

std::string VariableObj::repr() const {
  const TensorType &t = tf->graph().node(node).outputs[0];
  return "<tf.Variable '" + name() + "' shape=" + t.shape.str() + " dtype=" +
         graph::dtypeName(t.dtype) + "_ref>";
}

Value VariableObj::getAttr(Interpreter &in, const std::string &n, bool &found) {
  found = true;
  const graph::Node &nd = tf->graph().node(node);
  const TensorType &t = nd.outputs[0];
  if (n == "name")
    return Value::str(name());
  if (n == "op")
    return Value::object(Kind::Native, std::make_shared<OperationObj>(*tf, node));
  if (n == "shape")
    return Value::object(Kind::Native, std::make_shared<TensorShapeObj>(t.shape));
  if (n == "get_shape") {
    Shape s = t.shape;
    return in.makeBuiltin("Variable.get_shape", [s](Interpreter &, CallArgs &) {
      return Value::object(Kind::Native, std::make_shared<TensorShapeObj>(s));
    });
  }
  if (n == "dtype")
    return tf->dtypeValue(t.dtype, true);
  if (n == "trainable")
    return Value::boolean(trainable);
  if (n == "initializer")
    return Value::object(Kind::Native, std::make_shared<OperationObj>(*tf, assign));
  if (n == "value" || n == "read_value") {
    TensorRef r = read;
    TFState *s = tf;
    return in.makeBuiltin("Variable." + n, [s, r](Interpreter &, CallArgs &) { return s->tensor(r); });
  }
  if (n == "eval")
    return evalMethod(in, *tf, TensorRef{node, 0}, "Variable.eval");
  if (n == "graph")
    return Value::none();
  found = false;
  return Value::error();
}

Value VariableScopeObj::getAttr(Interpreter &in, const std::string &n, bool &found) {
  found = true;
  if (n == "name")
    return Value::str(name);
  if (n == "original_name_scope")
    return Value::str(originalNameScope);
  if (n == "reuse")
    return reuse == Reuse::Auto ? in.tf().autoReuse() : Value::boolean(reuse == Reuse::True);
  if (n == "initializer")
    return initializer;
  if (n == "dtype")
    return in.tf().dtypeValue(dtype);
  auto raw = std::static_pointer_cast<VariableScopeObj>(shared_from_this());
  if (n == "reuse_variables")
    return in.makeBuiltin("VariableScope.reuse_variables", [raw](Interpreter &, CallArgs &) {
      raw->reuse = Reuse::True;
      return Value::none();
    });
  if (n == "set_initializer")
    return in.makeBuiltin("VariableScope.set_initializer", [raw](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.size() != 1)
        return in.error(diag::type_error, "set_initializer() takes exactly one argument");
      raw->initializer = a.positional[0];
      return Value::none();
    });
  if (n == "set_dtype")
    return in.makeBuiltin("VariableScope.set_dtype", [raw](Interpreter &in, CallArgs &a) -> Value {
      graph::DType t;
      if (a.positional.size() != 1 || !in.tf().toDType(a.positional[0], t))
        return Value::error();
      raw->dtype = t;
      return Value::none();
    });
  found = false;
  return Value::error();
}

Value InitializerObj::getAttr(Interpreter &in, const std::string &n, bool &found) {
  found = false;
  return Value::error();
}

std::string ArrayObj::format(bool repr) const {
  if (data.shape.rank() == 0 && data.size() == 1) {
    // A NumPy scalar prints as Python floats do ("3.0", "1e+20").
    if (!graph::isFloating(data.dtype))
      return data.dtype == DType::Bool ? (data.i[0] ? "True" : "False") : std::to_string(data.i[0]);
    if (data.dtype == DType::Float64)
      return formatFloatRepr(data.f[0]);
    char buf[48];
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<float>(data.f[0]));
    std::string e(buf, r.ptr);
    return e.find_first_of(".eni") == std::string::npos ? e + ".0" : e;
  }
  // Scientific when the magnitudes span too much (NumPy's rule).
  bool sci = false;
  int sciDigits = 0;
  if (graph::isFloating(data.dtype)) {
    double hi = 0, lo = INFINITY;
    for (double v : data.f)
      if (std::isfinite(v) && v != 0) {
        hi = std::max(hi, std::fabs(v));
        lo = std::min(lo, std::fabs(v));
      }
    sci = hi >= 1e8 || (hi > 0 && (lo < 1e-4 || hi / lo > 1e3));
    if (sci)
      for (double v : data.f)
        if (std::isfinite(v))
          sciDigits = std::max(sciDigits, std::stoi(floatCell(v, data.dtype, true, -1)));
  }
  auto elem = [&](size_t k) {
    if (graph::isFloating(data.dtype))
      return floatCell(data.f[k], data.dtype, sci, sciDigits);
    if (data.dtype == DType::Bool)
      return std::string(data.i[k] ? "True" : "False");
    return std::to_string(data.i[k]);
  };
  // NumPy pads every element to one width: floats align their decimal
  // points ("[1.25 0.  ]"), integers and bools align right ("[ 3 -1]").
  std::vector<std::string> cells(data.size());
  // Bools always take the width of "False" ("[ True  True]").
  size_t intWidth = 0, fracWidth = 0, width = data.dtype == DType::Bool ? 5 : 0;
  bool decimal = graph::isFloating(data.dtype);
  for (size_t k = 0; k < cells.size(); ++k) {
    cells[k] = elem(k);
    width = std::max(width, cells[k].size());
    size_t dot = cells[k].find('.');
    if (cells[k].find_first_of("eni") != std::string::npos || dot == std::string::npos)
      decimal = false;
    else {
      intWidth = std::max(intWidth, dot);
      fracWidth = std::max(fracWidth, cells[k].size() - dot - 1);
    }
  }
  for (std::string &c : cells) {
    if (decimal) {
      size_t dot = c.find('.');
      c = std::string(intWidth - dot, ' ') + c + std::string(fracWidth - (c.size() - dot - 1), ' ');
    } else {
      c = std::string(width - c.size(), ' ') + c;
    }
  }
  // str: "[[1 2]\n [3 4]]"; repr: "array([[1, 2],\n       [3, 4]])".
  size_t rank = data.shape.rank(), indent = repr ? 6 : 0;
  std::function<std::string(size_t, size_t &)> rec = [&](size_t dim, size_t &k) -> std::string {
    std::string s = "[";
    int64_t n = data.shape.dims[dim];
    for (int64_t i = 0; i < n; ++i) {
      if (i)
        s += dim + 1 == rank ? (repr ? ", " : " ")
                             : (repr ? "," : "") + std::string(rank - dim - 1, '\n') + std::string(indent + dim + 1, ' ');
      s += dim + 1 == rank ? cells[k++] : rec(dim + 1, k);
    }
    return s + "]";
  };
  size_t k = 0;
  std::string body = rec(0, k);
  if (!repr)
    return body;
  std::string s = "array(" + body;
  if (data.dtype != DType::Float64 && data.dtype != DType::Int64 && data.dtype != DType::Bool)
    s += std::string(", dtype=") + graph::dtypeName(data.dtype);
  return s + ")";
}

} // namespace scopec::eval
