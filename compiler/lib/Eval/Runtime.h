//===- Runtime.h - Python semantics shared by the evaluator -----*- C++ -*-===//
//
// Private to the Eval library: the pieces of Python's object model that the
// interpreter and the native (builtins, TF) library both use.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_EVAL_RUNTIME_H
#define SCOPEC_EVAL_RUNTIME_H

#include "scopec/Eval/Interpreter.h"

#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

namespace scopec::eval {

/// An object usable in `with`: enter() returns what `as` binds (Error when
/// entering failed, after a diagnostic: the body then runs without it).
struct ContextManager : NativeObj {
  virtual Value enter(Interpreter &in, SourceRange site) = 0;
  virtual void exit(Interpreter &in, SourceRange site) = 0;
};

struct SliceObj : NativeObj {
  std::string typeName() const override { return "slice"; }
  Value lower, upper, step;
  std::string repr() const override { return "slice(...)"; }
};

struct EllipsisObj : NativeObj {
  std::string typeName() const override { return "ellipsis"; }
  std::string repr() const override { return "Ellipsis"; }
};

/// An exception instance: `ValueError("msg")`, or what `except ... as e` binds.
struct ExceptionObj : NativeObj {
  std::string typeName() const override { return type; }
  std::string type;    ///< "ValueError"
  std::string message; ///< str(e)
  bool hasMessage = false;
  std::string repr() const override;
  std::string str() const override { return message; }
  Value getAttr(Interpreter &in, const std::string &name, bool &found) override;
};

/// A user class: its attributes (methods, class attributes) and bases.
struct ClassObj : NativeObj {
  std::string typeName() const override { return "type"; }
  std::string name;
  std::vector<std::shared_ptr<ClassObj>> bases;
  std::vector<ClassObj *> mro; ///< C3 order, this class first
  std::unordered_map<std::string, Value> attrs;
  /// An attribute through the MRO (null when none has it).
  const Value *lookup(const std::string &n, size_t startAfter = 0) const;
  std::string repr() const override { return "<class '__main__." + name + "'>"; }
  Value getAttr(Interpreter &in, const std::string &name, bool &found) override;
  bool setAttr(Interpreter &in, const std::string &name, const Value &v) override;
};

/// A class made by collections.namedtuple: calling it makes a tuple whose
/// items are also attributes.
struct NamedTupleType : NativeObj {
  std::string name;
  std::vector<std::string> fields;
  std::vector<Value> defaults; ///< for the last fields
  std::string typeName() const override { return "type"; }
  std::string repr() const override { return "<class '__main__." + name + "'>"; }
  Value getAttr(Interpreter &in, const std::string &name, bool &found) override;
  /// A new instance from call arguments (Error after a diagnostic).
  Value make(Interpreter &in, CallArgs &a);
};

struct NamedTupleObj : SeqObj {
  NamedTupleObj(std::vector<Value> v, std::shared_ptr<NamedTupleType> t)
      : SeqObj(std::move(v), true), type(std::move(t)) {}
  std::string typeName() const override { return type->name; }
  std::shared_ptr<NamedTupleType> type;
};
/// `p.x`, `p._replace(...)`, `p._asdict()`, `p._fields` on a namedtuple.
Value namedTupleAttr(Interpreter &in, const Value &obj, const std::string &name, bool &found);

/// An instance of a user class.
struct InstanceObj : NativeObj {
  std::shared_ptr<ClassObj> cls;
  std::unordered_map<std::string, Value> attrs;
  std::string typeName() const override { return cls->name; }
  std::string repr() const override { return "<__main__." + cls->name + " object>"; }
  Value getAttr(Interpreter &in, const std::string &name, bool &found) override;
  bool setAttr(Interpreter &in, const std::string &name, const Value &v) override;
};

/// @staticmethod, @classmethod, @property wrappers, as stored in a class.
struct MethodWrapperObj : NativeObj {
  enum Wrap { Static, Class, Property } kind;
  Value fn;
  Value setter; ///< a property's, may be None
  MethodWrapperObj(Wrap k, Value f) : kind(k), fn(std::move(f)) {}
  std::string typeName() const override {
    return kind == Static ? "staticmethod" : kind == Class ? "classmethod" : "property";
  }
  Value getAttr(Interpreter &in, const std::string &name, bool &found) override;
};

/// Whether `v` is an instance of the user class `c` (or a subclass).
bool isUserInstance(const Value &v, const ClassObj &c);
/// Defines super, staticmethod, classmethod, property and the abc module.
void installClasses(Interpreter &in);

void installBuiltins(Interpreter &in);
/// Defines the builtin exception classes (BaseException, ValueError, ...).
void installExceptions(Interpreter &in);
bool isExceptionClass(const std::string &name);
/// Whether exception class `type` is `base` or derives from it.
bool exceptionMatches(const std::string &type, const std::string &base);
/// The Python exception class of a diagnostic: what TF (or Python) raises.
std::string exceptionTypeOf(diag::ID id, const std::string &message);
bool isHashable(const Value &v);
Value unaryOp(Interpreter &in, ast::UnaryOpKind op, const Value &v);
Value makeSlice(const Value &lo, const Value &up, const Value &st);
/// Python's slice.indices(len); false after a diagnostic.
bool sliceIndices(Interpreter &in, SliceObj *s, int64_t len, int64_t &start, int64_t &stop,
                  int64_t &step);
/// `<`, `<=`, `==`, ... on two values (Error after a diagnostic).
Value compareValues(Interpreter &in, ast::CmpOp op, const Value &a, const Value &b);
/// format(value, spec) as Python's format() builtin and f-strings.
bool formatValue(Interpreter &in, const Value &v, const std::string &spec, std::string &out);
/// `fmt % args` on strings.
Value percentFormat(Interpreter &in, const std::string &fmt, const Value &args);

/// Binds call arguments to a native function's parameters by name, with
/// Python's TypeErrors for unknown, repeated or missing arguments.
class ArgBinder {
public:
  /// `params`: the parameter names in order; a leading '*' marks a
  /// required parameter ("*name").
  ArgBinder(Interpreter &in, std::string fname, CallArgs &args,
            std::vector<std::string> params);
  bool ok() const { return ok_; }
  /// The argument for a parameter, or nullopt when not given.
  const Value *get(const std::string &name) const;
  Value getOr(const std::string &name, Value dflt) const {
    const Value *v = get(name);
    return v ? *v : dflt;
  }
  bool has(const std::string &name) const { return get(name) != nullptr; }

private:
  std::vector<std::string> names_;
  std::vector<std::optional<Value>> values_;
  bool ok_ = true;
};

/// Reads an int argument (bools and TF Dimensions included); false after
/// a diagnostic.
bool toInt(Interpreter &in, const Value &v, int64_t &out, const std::string &what);
/// A Python float from int/float/bool.
bool toFloat(const Value &v, double &out);

std::string pyQuote(const std::string &s);

} // namespace scopec::eval

#endif
