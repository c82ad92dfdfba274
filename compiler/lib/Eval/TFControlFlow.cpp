//===- TFControlFlow.cpp - tf.cond as TF 1.15 builds it --------------------===//
//
// tf.cond(pred, true_fn, false_fn) in TF 1.15's v1 control flow: in name
// scope "cond", Switch(pred, pred) with its pivots switch_t/switch_f and
// pred_id, then each branch built in its own CondContext (true first): ops
// created there belong to the branch, outside tensors enter through a Switch
// on pred_id ("<op>/Switch"), the branch's results are converted to tensors
// inside it, and one Merge ("Merge", "Merge_1", ...) per result joins them.
// The code generator runs a branch's ops only when it is taken.
//
//===----------------------------------------------------------------------===//
#include "TF.h"

#include <algorithm>

namespace scopec::eval {

using graph::DType;
using graph::TensorRef;

namespace {

bool isCallable(Interpreter &in, const Value &v) {
  if (v.as<BuiltinObj>() || v.as<FunctionObj>())
    return true;
  if (auto *n = v.as<NativeObj>()) {
    bool found = false;
    n->getAttr(in, "__call__", found);
    return found;
  }
  return false;
}

/// The leaves of a branch result (nest.flatten over lists and tuples).
bool flatten(Interpreter &in, const Value &v, std::vector<Value> &out) {
  if (v.isList() || v.isTuple()) {
    for (const Value &e : v.items())
      if (!flatten(in, e, out))
        return false;
    return true;
  }
  if (v.as<DictObj>()) {
    in.error(diag::unsupported_api, "tf.cond branches that return a dict are not supported by scopec yet: return a tuple");
    return false;
  }
  if (v.as<OperationObj>()) {
    in.error(diag::unsupported_api, "tf.cond branches that return an operation are not supported by scopec: "
                                    "the compiled forward pass has no side effects to order");
    return false;
  }
  out.push_back(v);
  return true;
}

/// nest.pack_sequence_as: the structure of `like` with the leaves from `flat`.
Value rebuild(const Value &like, const std::vector<Value> &flat, size_t &at) {
  if (like.isList() || like.isTuple()) {
    std::vector<Value> items;
    for (const Value &e : like.items())
      items.push_back(rebuild(e, flat, at));
    return like.isList() ? Value::list(items) : Value::tuple(items);
  }
  return flat[at++];
}

/// A short description of a structure for nest's error message.
std::string structure(Interpreter &in, const Value &v) {
  if (v.isList() || v.isTuple()) {
    std::string s = v.isList() ? "[" : "(";
    auto items = v.items();
    for (size_t k = 0; k < items.size(); ++k)
      s += (k ? ", " : "") + structure(in, items[k]);
    return s + (v.isList() ? "]" : items.size() == 1 ? ",)" : ")");
  }
  return "." ;
}

/// _UnpackIfSingleton.
Value unpackSingleton(const Value &v) {
  if ((v.isList() || v.isTuple()) && v.items().size() == 1)
    return v.items()[0];
  return v;
}

struct Branch {
  Value original;          ///< what the function returned
  std::vector<TensorRef> results; ///< its leaves as tensors inside the branch
};

/// CondContext.BuildCondBranch: calls `fn` inside the branch, converts its
/// leaves to tensors there (a Python value is a Const in the branch, an
/// outside tensor gets its Switch).
bool buildBranch(Interpreter &in, const Value &fn, TensorRef predId, uint32_t branch, const char *which,
                 Branch &out) {
  TFState &tf = in.tf();
  int32_t ctx = tf.enterCond(predId, branch);
  CallArgs none;
  SourceRange site = in.callSite();
  out.original = in.call(fn, none, site);
  in.setCallSite(site);
  bool ok = !out.original.isError();
  if (ok && out.original.isNone()) {
    in.error(diag::value_error, std::string(which) + " must have a return value.");
    ok = false;
  }
  std::vector<Value> leaves;
  ok = ok && flatten(in, out.original, leaves);
  for (size_t k = 0; ok && k < leaves.size(); ++k) {
    auto t = tf.toTensor(leaves[k], std::nullopt, "Const");
    ok = t.has_value();
    if (ok)
      out.results.push_back(tf.routeInto(*t, ctx, "", "cond"));
  }
  tf.exitCond();
  return ok;
}

Value cond(Interpreter &in, CallArgs &a) {
  ArgBinder b(in, "cond", a, {"pred", "true_fn", "false_fn", "strict", "name", "fn1", "fn2"});
  if (!b.ok())
    return Value::error();
  TFState &tf = in.tf();
  Value trueFn = b.getOr("true_fn", b.getOr("fn1", Value::none()));
  Value falseFn = b.getOr("false_fn", b.getOr("fn2", Value::none()));
  if (!b.has("pred"))
    return in.error(diag::type_error, "cond() missing required argument 'pred'");
  if (trueFn.isNone())
    return in.error(diag::type_error, "cond(): true_fn argument required");
  if (falseFn.isNone())
    return in.error(diag::type_error, "cond(): false_fn argument required");
  if (!isCallable(in, trueFn))
    return in.error(diag::type_error, "true_fn must be callable.");
  if (!isCallable(in, falseFn))
    return in.error(diag::type_error, "false_fn must be callable.");
  bool strict = b.has("strict") && b.get("strict")->isBool() && b.get("strict")->asBool();
  const Value &pred = *b.get("pred");
  Value name = b.getOr("name", Value::none());
  ScopedName condScope(tf, name, "cond");
  if (!condScope.ok)
    return Value::error();
  bool ok;
  if (pred.isBool())
    return in.error(diag::type_error, "pred must not be a Python bool");
  // switch(pred, pred) in name scope "Switch", then the pivots.
  TFState::SavedStack sw;
  std::string swScope = tf.enterNameScope(std::string("Switch"), sw, ok);
  if (!ok)
    return Value::error();
  auto p = tf.toTensor(pred, std::nullopt, "data");
  graph::Node *s = p ? tf.createOp(swScope.substr(0, swScope.size() - 1), "Switch", {*p, *p}) : nullptr;
  tf.exitNameScope(sw);
  if (!s)
    return Value::error();
  s->noFetch = true;
  auto identity = [&](TensorRef in, const char *n) {
    graph::Node *id = tf.createOp(tf.uniqueName(n), "Identity", {in});
    if (id)
      id->noFetch = true;
    return id;
  };
  graph::Node *switchT = identity(TensorRef{s->id, 1}, "switch_t");
  graph::Node *switchF = switchT ? identity(TensorRef{s->id, 0}, "switch_f") : nullptr;
  graph::Node *predId = switchF ? identity(*p, "pred_id") : nullptr;
  if (!predId)
    return Value::error();
  Branch t, f;
  if (!buildBranch(in, trueFn, TensorRef{predId->id, 0}, 1, "true_fn", t) ||
      !buildBranch(in, falseFn, TensorRef{predId->id, 0}, 0, "false_fn", f))
    return Value::error();
  Value origT = strict ? t.original : unpackSingleton(t.original);
  Value origF = strict ? f.original : unpackSingleton(f.original);
  std::string st = structure(in, origT), sf = structure(in, origF);
  if (st != sf || t.results.size() != f.results.size()) {
    // nest.assert_same_structure (check_types): a list against a tuple of the
    // same shape is a TypeError, anything else a ValueError.
    auto shape = [](std::string s) {
      for (char &c : s)
        c = c == '[' ? '(' : c == ']' ? ')' : c;
      s.erase(std::remove(s.begin(), s.end(), ','), s.end());
      return s;
    };
    if (shape(st) == shape(sf))
      return in.error(diag::type_error, "Incompatible return types of true_fn and false_fn: The two structures don't "
                                        "have the same sequence type. First structure: " + st + ", second structure: " +
                                        sf + " (. is a tensor)");
    return in.error(diag::value_error, "Incompatible return values of true_fn and false_fn: The two structures don't "
                                       "have the same nested structure. First structure: " + st +
                                       ", second structure: " + sf + " (. is a tensor)");
  }
  if (t.results.empty())
    return in.error(diag::value_error, "true_fn and false_fn must return at least one result.");
  for (size_t k = 0; k < t.results.size(); ++k) {
    DType x = tf.graph().type(t.results[k]).dtype, y = tf.graph().type(f.results[k]).dtype;
    if (x != y)
      return in.error(diag::value_error, std::string("Outputs of true_fn and false_fn must have the same type: ") +
                                             graph::dtypeName(x) + ", " + graph::dtypeName(y));
  }
  std::vector<Value> merges;
  for (size_t k = 0; k < t.results.size(); ++k) {
    TFState::SavedStack ms;
    std::string mScope = tf.enterNameScope(std::string("Merge"), ms, ok);
    if (!ok)
      return Value::error();
    graph::Node *m = tf.createOp(mScope.substr(0, mScope.size() - 1), "Merge", {f.results[k], t.results[k]});
    tf.exitNameScope(ms);
    if (!m)
      return Value::error();
    merges.push_back(tf.makeTensor(*m));
  }
  size_t at = 0;
  Value r = rebuild(origT, merges, at);
  return strict ? r : unpackSingleton(r);
}

} // namespace

void installControlFlow(TFState &tf) {
  Interpreter &in = tf.interp();
  auto *tfm = tf.modules().at("tf").as<ModuleObj>();
  tfm->attrs["cond"] = in.makeBuiltin("tf.cond", cond);
}

} // namespace scopec::eval
