//===- Exceptions.cpp - raise, try/except and the exception classes -------===//
//
// Python's exceptions at compile time. `raise` reports E113 (raise-statement)
// with the type and message. Inside a `try`, every error, scopec's or TF's,
// becomes an exception of the Python class TF would raise (ValueError for
// TF's E2xx/E3xx, TypeError for E101, ...): the statements after it do not
// run, and a matching `except` withdraws the diagnostic and runs instead.
//
//===----------------------------------------------------------------------===//
#include "Runtime.h"

#include "scopec/Eval/Interpreter.h"

#include <map>

namespace scopec::eval {

namespace {

/// Each builtin exception class and its base.
const std::map<std::string, std::string> &exceptionBases() {
  static const std::map<std::string, std::string> bases = {
      {"BaseException", ""},
      {"Exception", "BaseException"},
      {"ArithmeticError", "Exception"},
      {"ZeroDivisionError", "ArithmeticError"},
      {"OverflowError", "ArithmeticError"},
      {"AssertionError", "Exception"},
      {"AttributeError", "Exception"},
      {"ImportError", "Exception"},
      {"ModuleNotFoundError", "ImportError"},
      {"LookupError", "Exception"},
      {"IndexError", "LookupError"},
      {"KeyError", "LookupError"},
      {"NameError", "Exception"},
      {"UnboundLocalError", "NameError"},
      {"RuntimeError", "Exception"},
      {"NotImplementedError", "RuntimeError"},
      {"TypeError", "Exception"},
      {"ValueError", "Exception"},
      {"StopIteration", "Exception"},
  };
  return bases;
}

} // namespace

bool isExceptionClass(const std::string &name) { return exceptionBases().count(name) != 0; }

bool exceptionMatches(const std::string &type, const std::string &base) {
  const auto &bases = exceptionBases();
  for (std::string t = type; !t.empty();) {
    if (t == base)
      return true;
    auto it = bases.find(t);
    t = it == bases.end() ? std::string() : it->second;
  }
  return false;
}

std::string exceptionTypeOf(diag::ID id, const std::string &message) {
  switch (id) {
  case diag::name_error: return "NameError";
  case diag::type_error:
  case diag::tensor_as_bool: return "TypeError";
  case diag::attribute_error: return "AttributeError";
  case diag::index_error: return message.rfind("KeyError", 0) == 0 ? "KeyError" : "IndexError";
  case diag::value_error: return "ValueError";
  case diag::assertion_failed: return "AssertionError";
  case diag::zero_division: return "ZeroDivisionError";
  case diag::integer_overflow: return "OverflowError";
  case diag::unsupported_api: return message.rfind("module", 0) == 0 ? "ImportError" : "AttributeError";
  case diag::not_compile_time: return "RuntimeError";
  default: break;
  }
  // TF's errors (E2xx variables and scopes, E3xx shapes): ValueError.
  std::string code = getDiagInfo(id).code;
  if (code.size() == 4 && (code[1] == '2' || code[1] == '3'))
    return "ValueError";
  return "RuntimeError";
}

std::string ExceptionObj::repr() const {
  std::string q = "'";
  for (char c : message)
    q += c == '\'' ? std::string("\\'") : std::string(1, c);
  return type + "(" + (message.empty() && !hasMessage ? std::string() : q + "'") + ")";
}

Value ExceptionObj::getAttr(Interpreter &, const std::string &n, bool &found) {
  found = true;
  if (n == "args")
    return hasMessage ? Value::tuple({Value::str(message)}) : Value::tuple({});
  if (n == "message")
    return Value::str(message);
  found = false;
  return Value::error();
}

void installExceptions(Interpreter &in) {
  for (const auto &[name, base] : exceptionBases()) {
    std::string type = name;
    in.defineBuiltin(name, in.makeBuiltin(name, [type](Interpreter &in, CallArgs &a) -> Value {
      auto e = std::make_shared<ExceptionObj>();
      e->type = type;
      if (!a.positional.empty()) {
        e->hasMessage = true;
        // Python's str() of an exception with one argument is str(arg);
        // with several it is the tuple's repr.
        if (a.positional.size() == 1)
          e->message = in.str(a.positional[0]);
        else
          e->message = in.repr(Value::tuple(a.positional));
      }
      return Value::object(Kind::Native, e);
    }));
  }
}

} // namespace scopec::eval
