//===- Value.h - Python values at compile time ------------------*- C++ -*-===//
//
// A Value is a small tagged handle: None, bool, int and float are held
// inline; everything else points to a reference-counted Object. The Error
// value stands for the result of an expression that already reported a
// diagnostic; operations on it yield Error silently, so one mistake is
// reported once.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_EVAL_VALUE_H
#define SCOPEC_EVAL_VALUE_H

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace scopec::eval {

class Interpreter;
struct Object;
using ObjPtr = std::shared_ptr<Object>;

enum class Kind : uint8_t {
  None,
  Bool,
  Int,
  Float,
  Str,
  List,
  Tuple,
  Dict,
  Range,
  Function, ///< a user function or lambda
  Builtin,  ///< a native function, possibly bound to a receiver
  Module,
  Native,   ///< any other native object (TF objects, arrays, ...)
  Error,
};

class Value {
public:
  Value() : kind_(Kind::None), i_(0) {}
  static Value none() { return Value(); }
  static Value boolean(bool b) {
    Value v(Kind::Bool);
    v.i_ = b;
    return v;
  }
  static Value integer(int64_t i) {
    Value v(Kind::Int);
    v.i_ = i;
    return v;
  }
  static Value real(double f) {
    Value v(Kind::Float);
    v.f_ = f;
    return v;
  }
  static Value error() { return Value(Kind::Error); }
  static Value object(Kind k, ObjPtr o) {
    Value v(k);
    v.obj_ = std::move(o);
    return v;
  }
  static Value str(std::string s);
  static Value list(std::vector<Value> items = {});
  static Value tuple(std::vector<Value> items = {});

  Kind kind() const { return kind_; }
  bool isNone() const { return kind_ == Kind::None; }
  bool isError() const { return kind_ == Kind::Error; }
  bool isBool() const { return kind_ == Kind::Bool; }
  bool isInt() const { return kind_ == Kind::Int; }
  bool isFloat() const { return kind_ == Kind::Float; }
  bool isNumber() const { return kind_ == Kind::Int || kind_ == Kind::Float || kind_ == Kind::Bool; }
  bool isStr() const { return kind_ == Kind::Str; }
  bool isList() const { return kind_ == Kind::List; }
  bool isTuple() const { return kind_ == Kind::Tuple; }
  bool isSequence() const { return kind_ == Kind::List || kind_ == Kind::Tuple; }

  bool asBool() const { return i_ != 0; }
  int64_t asInt() const { return i_; } ///< Int or Bool
  double asFloat() const { return kind_ == Kind::Float ? f_ : static_cast<double>(i_); }
  const std::string &asStr() const;
  std::vector<Value> &items() const; ///< List or Tuple
  Object *get() const { return obj_.get(); }
  const ObjPtr &ptr() const { return obj_; }
  template <typename T> T *as() const { return dynamic_cast<T *>(obj_.get()); }

  /// Python `is`.
  bool is(const Value &o) const;

private:
  explicit Value(Kind k) : kind_(k), i_(0) {}
  Kind kind_;
  union {
    int64_t i_;
    double f_;
  };
  ObjPtr obj_;
};

struct Object : std::enable_shared_from_this<Object> {
  virtual ~Object() = default;
  /// The Python type name: "str", "Tensor", "VariableScope", ...
  virtual std::string typeName() const = 0;
};

struct StrObj : Object {
  explicit StrObj(std::string s) : s(std::move(s)) {}
  std::string typeName() const override { return "str"; }
  std::string s;
};

struct SeqObj : Object {
  SeqObj(std::vector<Value> v, bool tuple) : items(std::move(v)), isTuple(tuple) {}
  std::string typeName() const override { return isTuple ? "tuple" : "list"; }
  std::vector<Value> items;
  bool isTuple;
};

/// Hashing and equality of dict keys (Python semantics for the hashable
/// kinds; objects by identity).
struct KeyHash {
  size_t operator()(const Value &v) const;
};
struct KeyEq {
  bool operator()(const Value &a, const Value &b) const;
};

/// An insertion-ordered dict.
struct DictObj : Object {
  std::string typeName() const override { return "dict"; }
  std::vector<std::pair<Value, Value>> entries;
  std::unordered_map<Value, size_t, KeyHash, KeyEq> index;
  Value *find(const Value &k);
  void set(const Value &k, Value v);
  bool erase(const Value &k);
};

struct RangeObj : Object {
  RangeObj(int64_t a, int64_t b, int64_t c) : start(a), stop(b), step(c) {}
  std::string typeName() const override { return "range"; }
  int64_t start, stop, step;
  int64_t length() const;
};

/// A module object: `tf`, `tf.nn`, a user module, a lazily bound unknown one.
struct ModuleObj : Object {
  explicit ModuleObj(std::string n) : name(std::move(n)) {}
  std::string typeName() const override { return "module"; }
  std::string name;
  std::unordered_map<std::string, Value> attrs;
  /// A module scopec does not know (os, time, six, ...): importing it is
  /// fine; using a name from it is E109.
  bool lazy = false;
};

/// Arguments of a call: positional values, then keyword (name, value) in
/// source order.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keywords;
};

using NativeFn = std::function<Value(Interpreter &, CallArgs &)>;

struct BuiltinObj : Object {
  BuiltinObj(std::string n, NativeFn f) : name(std::move(n)), fn(std::move(f)) {}
  std::string typeName() const override { return "builtin_function_or_method"; }
  std::string name; ///< the full dotted name, for messages: "tf.get_variable"
  NativeFn fn;
  /// `__name__` when it is not the last part of `name` (slim.conv2d is
  /// "convolution2d").
  std::string pyName;
};

/// Native objects with attributes (TF objects, arrays, ...). Attribute
/// lookup returns an Error-free "not found" as std::nullopt-like empty
/// optional via `found`.
struct NativeObj : Object {
  /// Looks up an attribute; sets `found` false when there is none.
  virtual Value getAttr(Interpreter &in, const std::string &name, bool &found);
  /// Sets an attribute; returns false when it cannot be set.
  virtual bool setAttr(Interpreter &in, const std::string &name, const Value &v) { return false; }
  virtual std::string repr() const { return "<" + typeName() + " object>"; }
  virtual std::string str() const { return repr(); }
  /// `==` when the type defines it (DType, Dimension, ...); identity otherwise.
  virtual bool equals(const Value &other, bool &defined) const {
    defined = false;
    return false;
  }
  virtual size_t hash() const { return reinterpret_cast<size_t>(this); }
};

} // namespace scopec::eval

#endif
