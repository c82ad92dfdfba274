//===- Builtins.cpp - Python's object model and builtins ------------------===//
#include "Runtime.h"
#include "TF.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace scopec::eval {

using ast::BinaryOp;
using ast::CmpOp;

//===--- Text forms -------------------------------------------------------===//

std::string formatFloatRepr(double d) {
  if (std::isnan(d))
    return "nan";
  if (std::isinf(d))
    return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  // sci is "[-]d[.ddd]e[+-]XX": split into digits and exponent.
  bool neg = sci[0] == '-';
  if (neg)
    sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string mant = sci.substr(0, e);
  int exp = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : mant)
    if (c != '.')
      digits += c;
  std::string out;
  if (exp < -4 || exp >= 16) {
    out = digits.substr(0, 1);
    if (digits.size() > 1)
      out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    out += eb;
  } else if (exp < 0) {
    out = "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  } else {
    if (digits.size() <= static_cast<size_t>(exp) + 1)
      out = digits + std::string(static_cast<size_t>(exp) + 1 - digits.size(), '0') + ".0";
    else
      out = digits.substr(0, static_cast<size_t>(exp) + 1) + "." +
            digits.substr(static_cast<size_t>(exp) + 1);
  }
  return neg ? "-" + out : out;
}

std::string pyQuote(const std::string &s) {
  char q = s.find('\'') != std::string::npos && s.find('"') == std::string::npos ? '"' : '\'';
  std::string out(1, q);
  for (unsigned char c : s) {
    if (c == static_cast<unsigned char>(q) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + q;
}

std::string Interpreter::typeName(const Value &v) {
  switch (v.kind()) {
  case Kind::None: return "NoneType";
  case Kind::Bool: return "bool";
  case Kind::Int: return "int";
  case Kind::Float: return "float";
  case Kind::Error: return "<error>";
  default: return v.get()->typeName();
  }
}

std::string Interpreter::repr(const Value &v) {
  switch (v.kind()) {
  case Kind::None: return "None";
  case Kind::Bool: return v.asBool() ? "True" : "False";
  case Kind::Int: return std::to_string(v.asInt());
  case Kind::Float: return formatFloatRepr(v.asFloat());
  case Kind::Str: return pyQuote(v.asStr());
  case Kind::List:
  case Kind::Tuple: {
    if (auto *nt = v.as<NamedTupleObj>()) {
      std::string s = nt->type->name + "(";
      for (size_t i = 0; i < nt->items.size(); ++i)
        s += (i ? ", " : "") + nt->type->fields[i] + "=" + repr(nt->items[i]);
      return s + ")";
    }
    std::string s = v.isList() ? "[" : "(";
    auto &items = v.items();
    for (size_t i = 0; i < items.size(); ++i) {
      if (i)
        s += ", ";
      s += repr(items[i]);
    }
    if (v.isTuple() && items.size() == 1)
      s += ",";
    return s + (v.isList() ? "]" : ")");
  }
  case Kind::Dict: {
    std::string s = "{";
    bool first = true;
    for (auto &[k, val] : v.as<DictObj>()->entries) {
      if (!first)
        s += ", ";
      first = false;
      s += repr(k) + ": " + repr(val);
    }
    return s + "}";
  }
  case Kind::Range: {
    auto *r = v.as<RangeObj>();
    return "range(" + std::to_string(r->start) + ", " + std::to_string(r->stop) +
           (r->step != 1 ? ", " + std::to_string(r->step) : "") + ")";
  }
  case Kind::Function: return "<function " + v.as<FunctionObj>()->name + ">";
  case Kind::Builtin: return "<built-in function " + v.as<BuiltinObj>()->name + ">";
  case Kind::Module: return "<module '" + v.as<ModuleObj>()->name + "'>";
  case Kind::Native: {
    std::string s;
    if (userRepr(v, "__repr__", "__repr__", s))
      return s;
    return v.as<NativeObj>()->repr();
  }
  case Kind::Error: return "<error>";
  }
  return "?";
}

bool Interpreter::userRepr(const Value &v, const char *method, const char *asked, std::string &out) {
  auto *inst = v.as<InstanceObj>();
  if (!inst)
    return false;
  if (!inst->cls->lookup(method)) {
    // str() without __str__ is object.__str__: __repr__, checked as __str__.
    if (std::string(method) == "__str__")
      return userRepr(v, "__repr__", asked, out);
    return false;
  }
  CallArgs none;
  Value r = call(getAttr(v, method, callSite_), none, callSite_);
  if (!r.isStr() && !r.isError())
    error(diag::type_error, std::string(asked) + " returned non-string (type " + typeName(r) + ")");
  out = r.isStr() ? r.asStr() : "<error>";
  return true;
}

std::string Interpreter::str(const Value &v) {
  if (v.isStr())
    return v.asStr();
  std::string s;
  if (userRepr(v, "__str__", "__str__", s))
    return s;
  if (auto *n = v.as<NativeObj>(); n && !v.as<InstanceObj>())
    return n->str();
  return repr(v);
}

//===--- Truth, equality, hashing -----------------------------------------===//

bool Interpreter::truthy(const Value &v, bool &ok) {
  ok = true;
  switch (v.kind()) {
  case Kind::None: return false;
  case Kind::Bool:
  case Kind::Int: return v.asInt() != 0;
  case Kind::Float: return v.asFloat() != 0.0;
  case Kind::Str: return !v.asStr().empty();
  case Kind::List:
  case Kind::Tuple: return !v.items().empty();
  case Kind::Dict: return !v.as<DictObj>()->entries.empty();
  case Kind::Range: return v.as<RangeObj>()->length() != 0;
  case Kind::Error:
    ok = false;
    return false;
  case Kind::Native: {
    int t = tf_->truthiness(v);
    if (t < 0) {
      ok = false;
      return false;
    }
    return t == 1;
  }
  default: return true;
  }
}

bool Interpreter::equals(const Value &a, const Value &b) {
  if (a.isNumber() && b.isNumber()) {
    if (a.isFloat() || b.isFloat())
      return a.asFloat() == b.asFloat();
    return a.asInt() == b.asInt();
  }
  if (a.kind() == Kind::Native || b.kind() == Kind::Native) {
    if (auto *n = a.as<NativeObj>()) {
      bool defined = false;
      bool eq = n->equals(b, defined);
      if (defined)
        return eq;
    }
    if (auto *n = b.as<NativeObj>()) {
      bool defined = false;
      bool eq = n->equals(a, defined);
      if (defined)
        return eq;
    }
    return a.get() == b.get();
  }
  if (a.kind() != b.kind()) {
    if (a.isSequence() && b.isSequence())
      return false;
    return false;
  }
  switch (a.kind()) {
  case Kind::None: return true;
  case Kind::Str: return a.asStr() == b.asStr();
  case Kind::List:
  case Kind::Tuple: {
    auto &x = a.items(), &y = b.items();
    if (x.size() != y.size())
      return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!(x[i].is(y[i]) || equals(x[i], y[i])))
        return false;
    return true;
  }
  case Kind::Dict: {
    auto *x = a.as<DictObj>(), *y = b.as<DictObj>();
    if (x->entries.size() != y->entries.size())
      return false;
    for (auto &[k, v] : x->entries) {
      Value *o = y->find(k);
      if (!o || !equals(v, *o))
        return false;
    }
    return true;
  }
  case Kind::Range: {
    auto *x = a.as<RangeObj>(), *y = b.as<RangeObj>();
    return x->length() == y->length() && (x->length() == 0 || (x->start == y->start && x->step == y->step));
  }
  default: return a.get() == b.get();
  }
}

bool isHashable(const Value &v) {
  switch (v.kind()) {
  case Kind::List:
  case Kind::Dict: return false;
  case Kind::Tuple:
    for (const Value &x : v.items())
      if (!isHashable(x))
        return false;
    return true;
  default: return true;
  }
}

//===--- Iteration ----------------------------------------------------------===//

bool Interpreter::iterate(const Value &v, std::vector<Value> &out) {
  switch (v.kind()) {
  case Kind::List:
  case Kind::Tuple:
    out = v.items();
    return true;
  case Kind::Str: {
    const std::string &s = v.asStr();
    for (size_t i = 0; i < s.size();) {
      size_t n = validUTF8SequenceLength(s, i);
      n = n ? n : 1;
      out.push_back(Value::str(s.substr(i, n)));
      i += n;
    }
    return true;
  }
  case Kind::Dict:
    for (auto &[k, val] : v.as<DictObj>()->entries)
      out.push_back(k);
    return true;
  case Kind::Range: {
    auto *r = v.as<RangeObj>();
    int64_t n = r->length();
    if (static_cast<uint64_t>(n) > opts_.maxSteps) {
      steps_ = opts_.maxSteps;
      step();
    }
    out.reserve(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k)
      out.push_back(Value::integer(r->start + k * r->step));
    steps_ += static_cast<uint64_t>(n) / 16;
    return true;
  }
  case Kind::Error:
    return false;
  case Kind::Native:
    if (tf_->iterate(v, out))
      return true;
    [[fallthrough]];
  default:
    error(diag::type_error, "'" + typeName(v) + "' object is not iterable");
    return false;
  }
}

//===--- Numbers ----------------------------------------------------------===//

bool toFloat(const Value &v, double &out) {
  if (!v.isNumber())
    return false;
  out = v.asFloat();
  return true;
}

bool toInt(Interpreter &in, const Value &v, int64_t &out, const std::string &what) {
  if (v.isInt() || v.isBool()) {
    out = v.asInt();
    return true;
  }
  if (in.tf().dimensionValue(v, out))
    return true;
  in.error(diag::type_error, what + " must be an integer, not " + in.typeName(v));
  return false;
}

namespace {

Value overflow(Interpreter &in, const std::string &what) {
  return in.error(diag::integer_overflow,
                  "integer overflow: " + what + " does not fit in 64 bits");
}

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

Value intPow(Interpreter &in, int64_t base, int64_t exp) {
  if (exp < 0) {
    if (base == 0)
      return in.error(diag::zero_division, "0.0 cannot be raised to a negative power");
    return Value::real(std::pow(static_cast<double>(base), static_cast<double>(exp)));
  }
  int64_t result = 1, b = base;
  int64_t e = exp;
  while (e > 0) {
    if (e & 1)
      if (__builtin_mul_overflow(result, b, &result))
        return overflow(in, std::to_string(base) + " ** " + std::to_string(exp));
    e >>= 1;
    if (e > 0 && __builtin_mul_overflow(b, b, &b))
      return overflow(in, std::to_string(base) + " ** " + std::to_string(exp));
  }
  return Value::integer(result);
}

Value arith(Interpreter &in, BinaryOp op, const Value &a, const Value &b) {
  bool flt = a.isFloat() || b.isFloat();
  if (!flt) {
    int64_t x = a.asInt(), y = b.asInt(), r = 0;
    std::string expr = std::to_string(x) + " " + ast::getBinaryOpSpelling(op) + " " + std::to_string(y);
    switch (op) {
    case BinaryOp::Add:
      if (__builtin_add_overflow(x, y, &r))
        return overflow(in, expr);
      return Value::integer(r);
    case BinaryOp::Sub:
      if (__builtin_sub_overflow(x, y, &r))
        return overflow(in, expr);
      return Value::integer(r);
    case BinaryOp::Mul:
      if (__builtin_mul_overflow(x, y, &r))
        return overflow(in, expr);
      return Value::integer(r);
    case BinaryOp::Div:
      if (y == 0)
        return in.error(diag::zero_division, "division by zero");
      return Value::real(static_cast<double>(x) / static_cast<double>(y));
    case BinaryOp::FloorDiv:
      if (y == 0)
        return in.error(diag::zero_division, "integer division or modulo by zero");
      if (x == INT64_MIN && y == -1)
        return overflow(in, expr);
      return Value::integer(floorDiv(x, y));
    case BinaryOp::Mod:
      if (y == 0)
        return in.error(diag::zero_division, "integer modulo by zero");
      if (y == -1)
        return Value::integer(0);
      return Value::integer(x - floorDiv(x, y) * y);
    case BinaryOp::Pow:
      return intPow(in, x, y);
    case BinaryOp::LShift:
      if (y < 0)
        return in.error(diag::value_error, "negative shift count");
      if (y >= 63 || (x != 0 && (x > (INT64_MAX >> y) || x < (INT64_MIN >> y))))
        return x == 0 ? Value::integer(0) : overflow(in, expr);
      return Value::integer(x << y);
    case BinaryOp::RShift:
      if (y < 0)
        return in.error(diag::value_error, "negative shift count");
      return Value::integer(y >= 64 ? (x < 0 ? -1 : 0) : x >> y);
    case BinaryOp::BitAnd: return a.isBool() && b.isBool() ? Value::boolean(x & y) : Value::integer(x & y);
    case BinaryOp::BitOr: return a.isBool() && b.isBool() ? Value::boolean(x | y) : Value::integer(x | y);
    case BinaryOp::BitXor: return a.isBool() && b.isBool() ? Value::boolean(x ^ y) : Value::integer(x ^ y);
    case BinaryOp::MatMul: break;
    }
  } else {
    double x = a.asFloat(), y = b.asFloat();
    switch (op) {
    case BinaryOp::Add: return Value::real(x + y);
    case BinaryOp::Sub: return Value::real(x - y);
    case BinaryOp::Mul: return Value::real(x * y);
    case BinaryOp::Div:
      if (y == 0)
        return in.error(diag::zero_division, "float division by zero");
      return Value::real(x / y);
    case BinaryOp::FloorDiv:
      if (y == 0)
        return in.error(diag::zero_division, "float floor division by zero");
      return Value::real(std::floor(x / y));
    case BinaryOp::Mod: {
      if (y == 0)
        return in.error(diag::zero_division, "float modulo");
      double m = std::fmod(x, y);
      if (m != 0 && ((m < 0) != (y < 0)))
        m += y;
      return Value::real(m);
    }
    case BinaryOp::Pow:
      if (x == 0 && y < 0)
        return in.error(diag::zero_division, "0.0 cannot be raised to a negative power");
      return Value::real(std::pow(x, y));
    default: break;
    }
  }
  return Value::none();
}

Value repeat(Interpreter &in, const Value &seq, int64_t n) {
  if (n < 0)
    n = 0;
  if (seq.isStr()) {
    const std::string &s = seq.asStr();
    if (!s.empty() && static_cast<uint64_t>(n) > (uint64_t(1) << 31) / s.size())
      return in.error(diag::evaluation_limit, "a string of more than 2^31 characters is too large");
    in.chargeBuild(s.size() * static_cast<size_t>(n) / 8);
    std::string out;
    out.reserve(s.size() * static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      out += s;
    return Value::str(std::move(out));
  }
  auto &items = seq.items();
  if (!items.empty() && static_cast<uint64_t>(n) > (uint64_t(1) << 27) / items.size())
    return in.error(diag::evaluation_limit, "a list of more than 2^27 items is too large");
  in.chargeBuild(items.size() * static_cast<size_t>(n));
  std::vector<Value> out;
  for (int64_t i = 0; i < n; ++i)
    out.insert(out.end(), items.begin(), items.end());
  return seq.isList() ? Value::list(std::move(out)) : Value::tuple(std::move(out));
}

} // namespace

Value Interpreter::binaryOp(BinaryOp op, const Value &a, const Value &b) {
  if (a.isError() || b.isError())
    return Value::error();
  if (tf_->isTensorLike(a) || tf_->isTensorLike(b))
    return tf_->binaryOp(op, a, b);
  if (a.isNumber() && b.isNumber()) {
    Value r = arith(*this, op, a, b);
    if (!r.isNone())
      return r;
  } else if (op == BinaryOp::Add && a.kind() == b.kind() && (a.isStr() || a.isSequence())) {
    if (a.isStr()) {
      if (a.asStr().size() + b.asStr().size() > (size_t(1) << 31))
        return error(diag::evaluation_limit, "a string of more than 2^31 characters is too large");
      chargeBuild((a.asStr().size() + b.asStr().size()) / 8);
      return Value::str(a.asStr() + b.asStr());
    }
    chargeBuild(a.items().size() + b.items().size());
    std::vector<Value> out = a.items();
    out.insert(out.end(), b.items().begin(), b.items().end());
    return a.isList() ? Value::list(std::move(out)) : Value::tuple(std::move(out));
  } else if (op == BinaryOp::Mul && (a.isStr() || a.isSequence()) && (b.isInt() || b.isBool())) {
    return repeat(*this, a, b.asInt());
  } else if (op == BinaryOp::Mul && (b.isStr() || b.isSequence()) && (a.isInt() || a.isBool())) {
    return repeat(*this, b, a.asInt());
  } else if (op == BinaryOp::Mod && a.isStr()) {
    return percentFormat(*this, a.asStr(), b);
  } else if (op == BinaryOp::BitOr && a.kind() == Kind::Dict && b.kind() == Kind::Dict) {
    auto d = std::make_shared<DictObj>(*a.as<DictObj>());
    for (auto &[k, v] : b.as<DictObj>()->entries)
      d->set(k, v);
    return Value::object(Kind::Dict, d);
  }
  int64_t dim;
  if (tf_->dimensionValue(a, dim) || tf_->dimensionValue(b, dim))
    return tf_->dimensionOp(op, a, b);
  return error(diag::type_error, std::string("unsupported operand type(s) for ") +
                                     ast::getBinaryOpSpelling(op) + ": '" + typeName(a) +
                                     "' and '" + typeName(b) + "'");
}

Value unaryOp(Interpreter &in, ast::UnaryOpKind op, const Value &v) {
  if (in.tf().isTensorLike(v))
    return in.tf().unaryOp(op, v);
  if (v.isFloat()) {
    if (op == ast::UnaryOpKind::Neg)
      return Value::real(-v.asFloat());
    if (op == ast::UnaryOpKind::Pos)
      return v;
  } else if (v.isInt() || v.isBool()) {
    int64_t x = v.asInt();
    if (op == ast::UnaryOpKind::Neg) {
      if (x == INT64_MIN)
        return in.error(diag::integer_overflow, "integer overflow: -(" + std::to_string(x) + ") does not fit in 64 bits");
      return Value::integer(-x);
    }
    if (op == ast::UnaryOpKind::Pos)
      return Value::integer(x);
    if (op == ast::UnaryOpKind::Invert)
      return Value::integer(~x);
  }
  int64_t dim;
  if (op == ast::UnaryOpKind::Neg && in.tf().dimensionValue(v, dim))
    return Value::integer(-dim);
  const char *sp = op == ast::UnaryOpKind::Neg ? "-" : op == ast::UnaryOpKind::Pos ? "+" : "~";
  return in.error(diag::type_error, std::string("bad operand type for unary ") + sp + ": '" +
                                        in.typeName(v) + "'");
}

Value compareValues(Interpreter &in, CmpOp op, const Value &a, const Value &b) {
  if (in.tf().isTensorLike(a) || in.tf().isTensorLike(b)) {
    Value r;
    if (in.tf().compare(op, a, b, r))
      return r;
  }
  if (op == CmpOp::Eq)
    return Value::boolean(in.equals(a, b));
  if (op == CmpOp::NotEq)
    return Value::boolean(!in.equals(a, b));
  int c = 0;
  bool ok = false;
  int64_t da, db;
  Value x = a, y = b;
  if (in.tf().dimensionValue(a, da))
    x = Value::integer(da);
  if (in.tf().dimensionValue(b, db))
    y = Value::integer(db);
  std::function<bool(const Value &, const Value &, int &)> cmp = [&](const Value &p, const Value &q,
                                                                     int &res) -> bool {
    if (p.isNumber() && q.isNumber()) {
      double u = p.asFloat(), w = q.asFloat();
      if (!p.isFloat() && !q.isFloat())
        res = p.asInt() < q.asInt() ? -1 : p.asInt() > q.asInt() ? 1 : 0;
      else
        res = u < w ? -1 : u > w ? 1 : 0;
      return true;
    }
    if (p.isStr() && q.isStr()) {
      int r = p.asStr().compare(q.asStr());
      res = r < 0 ? -1 : r > 0 ? 1 : 0;
      return true;
    }
    if (p.kind() == q.kind() && p.isSequence()) {
      auto &u = p.items(), &w = q.items();
      for (size_t i = 0; i < u.size() && i < w.size(); ++i) {
        if (in.equals(u[i], w[i]))
          continue;
        return cmp(u[i], w[i], res);
      }
      res = u.size() < w.size() ? -1 : u.size() > w.size() ? 1 : 0;
      return true;
    }
    return false;
  };
  ok = cmp(x, y, c);
  if (!ok)
    return in.error(diag::type_error, std::string("'") + ast::getCmpOpSpelling(op) +
                                          "' not supported between instances of '" +
                                          in.typeName(a) + "' and '" + in.typeName(b) + "'");
  switch (op) {
  case CmpOp::Lt: return Value::boolean(c < 0);
  case CmpOp::LtE: return Value::boolean(c <= 0);
  case CmpOp::Gt: return Value::boolean(c > 0);
  case CmpOp::GtE: return Value::boolean(c >= 0);
  default: return Value::boolean(false);
  }
}

Value makeSlice(const Value &lo, const Value &up, const Value &st) {
  auto s = std::make_shared<SliceObj>();
  s->lower = lo;
  s->upper = up;
  s->step = st;
  return Value::object(Kind::Native, s);
}

//===--- Subscripts -------------------------------------------------------===//

bool sliceIndices(Interpreter &in, SliceObj *s, int64_t len, int64_t &start, int64_t &stop,
                  int64_t &step) {
  step = 1;
  if (!s->step.isNone() && !toInt(in, s->step, step, "slice indices"))
    return false;
  if (step == 0) {
    in.error(diag::value_error, "slice step cannot be zero");
    return false;
  }
  auto clamp = [&](const Value &v, int64_t dflt, int64_t &out) {
    if (v.isNone()) {
      out = dflt;
      return true;
    }
    if (!toInt(in, v, out, "slice indices"))
      return false;
    if (out < 0)
      out += len;
    if (step > 0)
      out = std::clamp<int64_t>(out, 0, len);
    else
      out = std::clamp<int64_t>(out, -1, len - 1);
    return true;
  };
  return clamp(s->lower, step > 0 ? 0 : len - 1, start) &&
         clamp(s->upper, step > 0 ? len : -1, stop);
}

Value Interpreter::evalSubscript(const Value &obj, const Value &index, SourceRange r) {
  callSite_ = r;
  if (tf_->isTensorLike(obj) || obj.kind() == Kind::Native) {
    bool handled = false;
    Value v = tf_->subscript(obj, index, handled);
    if (handled)
      return v;
  }
  if (obj.isSequence() || obj.isStr() || obj.kind() == Kind::Range) {
    int64_t len = obj.isStr() ? static_cast<int64_t>(obj.asStr().size())
                  : obj.kind() == Kind::Range ? obj.as<RangeObj>()->length()
                                              : static_cast<int64_t>(obj.items().size());
    if (auto *s = index.as<SliceObj>()) {
      int64_t start, stop, step;
      if (!sliceIndices(*this, s, len, start, stop, step))
        return Value::error();
      if (obj.isStr()) {
        std::string out;
        for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
          out += obj.asStr()[static_cast<size_t>(i)];
        return Value::str(std::move(out));
      }
      if (auto *rg = obj.as<RangeObj>()) {
        int64_t n = 0;
        for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
          ++n;
        return Value::object(Kind::Range, std::make_shared<RangeObj>(
                                              rg->start + start * rg->step,
                                              rg->start + (start + n * step) * rg->step,
                                              rg->step * step));
      }
      std::vector<Value> out;
      for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
        out.push_back(obj.items()[static_cast<size_t>(i)]);
      return obj.isList() ? Value::list(std::move(out)) : Value::tuple(std::move(out));
    }
    int64_t i;
    if (!index.isInt() && !index.isBool() && !tf_->dimensionValue(index, i))
      return error(diag::type_error, std::string(obj.isStr() ? "string" : obj.isList() ? "list" : obj.isTuple() ? "tuple" : "range") +
                                         " indices must be integers or slices, not " + typeName(index));
    if (index.isInt() || index.isBool())
      i = index.asInt();
    if (i < 0)
      i += len;
    if (i < 0 || i >= len)
      return error(diag::index_error, std::string(obj.isStr() ? "string" : obj.isList() ? "list" : obj.isTuple() ? "tuple" : "range object") +
                                          " index out of range");
    if (obj.isStr())
      return Value::str(obj.asStr().substr(static_cast<size_t>(i), 1));
    if (auto *rg = obj.as<RangeObj>())
      return Value::integer(rg->start + i * rg->step);
    return obj.items()[static_cast<size_t>(i)];
  }
  if (auto *d = obj.as<DictObj>()) {
    if (!isHashable(index))
      return error(diag::type_error, "unhashable type: '" + typeName(index) + "'");
    if (Value *v = d->find(index))
      return *v;
    return error(diag::index_error, "KeyError: " + repr(index));
  }
  return error(diag::type_error, "'" + typeName(obj) + "' object is not subscriptable");
}

//===--- Formatting -------------------------------------------------------===//

namespace {
struct FormatSpec {
  char fill = ' ', align = 0, sign = '-';
  bool alt = false, zero = false, comma = false;
  int width = -1, precision = -1;
  char type = 0;
};

bool parseSpec(const std::string &s, FormatSpec &f) {
  size_t i = 0;
  auto isAlign = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  if (s.size() >= 2 && isAlign(s[1])) {
    f.fill = s[0];
    f.align = s[1];
    i = 2;
  } else if (!s.empty() && isAlign(s[0])) {
    f.align = s[0];
    i = 1;
  }
  if (i < s.size() && (s[i] == '+' || s[i] == '-' || s[i] == ' '))
    f.sign = s[i++];
  if (i < s.size() && s[i] == '#') {
    f.alt = true;
    ++i;
  }
  if (i < s.size() && s[i] == '0') {
    f.zero = true;
    ++i;
  }
  if (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    f.width = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
      f.width = f.width * 10 + (s[i++] - '0');
  }
  if (i < s.size() && (s[i] == ',' || s[i] == '_')) {
    f.comma = true;
    ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    f.precision = 0;
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i])))
      return false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
      f.precision = f.precision * 10 + (s[i++] - '0');
  }
  if (i < s.size())
    f.type = s[i++];
  return i == s.size();
}

std::string pad(std::string body, const FormatSpec &f, char defaultAlign, bool numeric) {
  size_t len = countCodePoints(body);
  if (f.width < 0 || len >= static_cast<size_t>(f.width))
    return body;
  size_t n = static_cast<size_t>(f.width) - len;
  char align = f.align ? f.align : (f.zero && numeric ? '=' : defaultAlign);
  char fill = f.align ? f.fill : (f.zero && numeric ? '0' : f.fill);
  std::string fills(n, fill);
  switch (align) {
  case '<': return body + fills;
  case '^': return std::string(n / 2, fill) + body + std::string(n - n / 2, fill);
  case '=': {
    size_t signLen = !body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ') ? 1 : 0;
    return body.substr(0, signLen) + fills + body.substr(signLen);
  }
  default: return fills + body;
  }
}

std::string groupThousands(const std::string &digits) {
  std::string out;
  int n = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (n && n % 3 == 0)
      out += ',';
    out += *it;
    ++n;
  }
  return std::string(out.rbegin(), out.rend());
}
} // namespace

bool formatValue(Interpreter &in, const Value &v, const std::string &specText, std::string &out) {
  FormatSpec f;
  if (!parseSpec(specText, f)) {
    in.error(diag::value_error, "Invalid format specifier");
    return false;
  }
  int64_t dim;
  Value x = v;
  if (in.tf().dimensionValue(v, dim))
    x = Value::integer(dim);
  if (x.isStr() || (!x.isNumber())) {
    if (f.type && f.type != 's') {
      in.error(diag::value_error, std::string("Unknown format code '") + f.type +
                                      "' for object of type '" + in.typeName(v) + "'");
      return false;
    }
    std::string s = in.str(x);
    if (f.precision >= 0 && s.size() > static_cast<size_t>(f.precision))
      s = s.substr(0, static_cast<size_t>(f.precision));
    out = pad(s, f, '<', false);
    return true;
  }
  char t = f.type;
  bool isInt = (x.isInt() || x.isBool()) && (t == 0 || t == 'd' || t == 'n' || t == 'x' || t == 'X' ||
                                             t == 'o' || t == 'b' || t == 'c');
  std::string body;
  if (isInt) {
    if (x.isBool() && t == 0) {
      out = pad(x.asBool() ? "True" : "False", f, '<', false);
      return true;
    }
    int64_t n = x.asInt();
    bool neg = n < 0;
    uint64_t mag = neg ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
    std::string digits;
    int base = t == 'x' || t == 'X' ? 16 : t == 'o' ? 8 : t == 'b' ? 2 : 10;
    if (t == 'c') {
      out = pad(std::string(1, static_cast<char>(n)), f, '<', false);
      return true;
    }
    do {
      int d = static_cast<int>(mag % static_cast<uint64_t>(base));
      digits += static_cast<char>(d < 10 ? '0' + d : (t == 'X' ? 'A' : 'a') + d - 10);
      mag /= static_cast<uint64_t>(base);
    } while (mag);
    std::reverse(digits.begin(), digits.end());
    if (f.comma)
      digits = groupThousands(digits);
    if (f.alt && base != 10)
      digits = std::string("0") + (t == 'x' ? "x" : t == 'X' ? "X" : t == 'o' ? "o" : "b") + digits;
    body = (neg ? "-" : f.sign == '+' ? "+" : f.sign == ' ' ? " " : "") + digits;
    out = pad(body, f, '>', true);
    return true;
  }
  if (t && std::string("eEfFgG%").find(t) == std::string::npos) {
    in.error(diag::value_error, std::string("Unknown format code '") + t + "' for object of type '" +
                                    in.typeName(v) + "'");
    return false;
  }
  double d = x.asFloat();
  char buf[512];
  int prec = f.precision < 0 ? 6 : std::min(f.precision, 100);
  if (t == 0 && f.precision < 0) {
    body = x.isFloat() ? formatFloatRepr(std::fabs(d)) : std::to_string(std::llabs(x.asInt()));
  } else if (t == '%') {
    std::snprintf(buf, sizeof buf, "%.*f%%", prec, std::fabs(d) * 100);
    body = buf;
  } else if (t == 0) {
    std::snprintf(buf, sizeof buf, "%.*g", prec == 0 ? 1 : prec, std::fabs(d));
    body = buf;
    if (body.find_first_of(".e") == std::string::npos && x.isFloat())
      body += ".0";
  } else {
    char fmt[8] = {'%', '.', '*', t == 'F' ? 'f' : t, 0};
    std::snprintf(buf, sizeof buf, fmt, prec, std::fabs(d));
    body = buf;
  }
  if (f.comma) {
    size_t dot = body.find_first_of(".e%");
    body = groupThousands(body.substr(0, dot)) + (dot == std::string::npos ? "" : body.substr(dot));
  }
  bool neg = std::signbit(d) && !std::isnan(d);
  body = (neg ? "-" : f.sign == '+' ? "+" : f.sign == ' ' ? " " : "") + body;
  out = pad(body, f, '>', true);
  return true;
}

Value percentFormat(Interpreter &in, const std::string &fmt, const Value &args) {
  std::vector<Value> list;
  auto *dict = args.as<DictObj>();
  if (args.isTuple())
    list = args.items();
  else
    list.push_back(args);
  size_t next = 0;
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (++i >= fmt.size())
      return in.error(diag::value_error, "incomplete format");
    Value arg;
    if (fmt[i] == '(' && dict) {
      size_t close = fmt.find(')', i);
      if (close == std::string::npos)
        return in.error(diag::value_error, "incomplete format key");
      Value *v = dict->find(Value::str(fmt.substr(i + 1, close - i - 1)));
      if (!v)
        return in.error(diag::index_error, "KeyError: " + pyQuote(fmt.substr(i + 1, close - i - 1)));
      arg = *v;
      i = close + 1;
    }
    std::string spec;
    while (i < fmt.size() && std::string("-+ #0123456789.").find(fmt[i]) != std::string::npos)
      spec += fmt[i++];
    if (i >= fmt.size())
      return in.error(diag::value_error, "incomplete format");
    char conv = fmt[i];
    if (conv == '%') {
      out += '%';
      continue;
    }
    if (arg.isNone() && !dict) {
      if (next >= list.size())
        return in.error(diag::type_error, "not enough arguments for format string");
      arg = list[next++];
    }
    std::string pyspec;
    bool left = false;
    for (char c : spec) {
      if (c == '-')
        left = true;
    }
    std::string rest;
    for (char c : spec)
      if (c != '-')
        rest += c;
    pyspec = (left ? "<" : "") + rest;
    std::string piece;
    switch (conv) {
    case 's':
      if (!formatValue(in, Value::str(in.str(arg)), pyspec, piece))
        return Value::error();
      break;
    case 'r':
      if (!formatValue(in, Value::str(in.repr(arg)), pyspec, piece))
        return Value::error();
      break;
    case 'd':
    case 'i':
    case 'u': {
      double dv;
      int64_t iv;
      if (arg.isFloat() && toFloat(arg, dv))
        arg = Value::integer(static_cast<int64_t>(dv));
      else if (in.tf().dimensionValue(arg, iv))
        arg = Value::integer(iv);
      if (!arg.isInt() && !arg.isBool())
        return in.error(diag::type_error, "%" + std::string(1, conv) +
                                              " format: a real number is required, not " +
                                              in.typeName(arg));
      if (!formatValue(in, Value::integer(arg.asInt()), pyspec + "d", piece))
        return Value::error();
      break;
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
    case 'x':
    case 'X':
    case 'o': {
      if (!arg.isNumber())
        return in.error(diag::type_error, "must be real number, not " + in.typeName(arg));
      Value num = (conv == 'x' || conv == 'X' || conv == 'o') ? Value::integer(arg.asInt())
                                                               : Value::real(arg.asFloat());
      if (!formatValue(in, num, pyspec + conv, piece))
        return Value::error();
      break;
    }
    default:
      return in.error(diag::value_error, std::string("unsupported format character '") + conv + "'");
    }
    out += piece;
  }
  if (!dict && next < list.size() && args.isTuple())
    return in.error(diag::type_error, "not all arguments converted during string formatting");
  if (!dict && !args.isTuple() && next == 0 && !list.empty())
    return in.error(diag::type_error, "not all arguments converted during string formatting");
  return Value::str(std::move(out));
}

//===--- ArgBinder --------------------------------------------------------===//

ArgBinder::ArgBinder(Interpreter &in, std::string fname, CallArgs &args,
                     std::vector<std::string> params) {
  std::vector<bool> required;
  for (std::string &p : params) {
    bool req = !p.empty() && p[0] == '*';
    names_.push_back(req ? p.substr(1) : p);
    required.push_back(req);
  }
  values_.resize(names_.size());
  if (args.positional.size() > names_.size()) {
    in.error(diag::type_error, fname + "() takes at most " + std::to_string(names_.size()) +
                                   " positional arguments (" +
                                   std::to_string(args.positional.size()) + " given)");
    ok_ = false;
    return;
  }
  for (size_t i = 0; i < args.positional.size(); ++i)
    values_[i] = args.positional[i];
  for (auto &[name, v] : args.keywords) {
    auto it = std::find(names_.begin(), names_.end(), name);
    if (it == names_.end()) {
      in.error(diag::type_error, fname + "() got an unexpected keyword argument '" + name + "'");
      ok_ = false;
      return;
    }
    size_t k = static_cast<size_t>(it - names_.begin());
    if (values_[k]) {
      in.error(diag::type_error, fname + "() got multiple values for argument '" + name + "'");
      ok_ = false;
      return;
    }
    values_[k] = v;
  }
  for (size_t k = 0; k < names_.size(); ++k)
    if (required[k] && !values_[k]) {
      in.error(diag::type_error, fname + "() missing 1 required positional argument: '" +
                                     names_[k] + "'");
      ok_ = false;
      return;
    }
}

const Value *ArgBinder::get(const std::string &name) const {
  for (size_t k = 0; k < names_.size(); ++k)
    if (names_[k] == name)
      return values_[k] ? &*values_[k] : nullptr;
  return nullptr;
}

} // namespace scopec::eval
