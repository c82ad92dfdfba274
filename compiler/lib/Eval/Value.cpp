//===- Value.cpp - Values, dicts, ranges ----------------------------------===//
#include "scopec/Eval/Value.h"

#include "Runtime.h"

#include <cmath>
#include <cstring>

namespace scopec::eval {

Value Value::str(std::string s) {
  return object(Kind::Str, std::make_shared<StrObj>(std::move(s)));
}
Value Value::list(std::vector<Value> items) {
  return object(Kind::List, std::make_shared<SeqObj>(std::move(items), false));
}
Value Value::tuple(std::vector<Value> items) {
  return object(Kind::Tuple, std::make_shared<SeqObj>(std::move(items), true));
}

const std::string &Value::asStr() const { return static_cast<StrObj *>(obj_.get())->s; }
std::vector<Value> &Value::items() const { return static_cast<SeqObj *>(obj_.get())->items; }

bool Value::is(const Value &o) const {
  switch (kind_) {
  case Kind::None:
    return o.kind_ == Kind::None;
  case Kind::Bool:
    return o.kind_ == Kind::Bool && i_ == o.i_;
  case Kind::Int:
    return o.kind_ == Kind::Int && i_ == o.i_;
  case Kind::Float:
    return o.kind_ == Kind::Float && f_ == o.f_;
  case Kind::Error:
    return o.kind_ == Kind::Error;
  case Kind::Str:
    return o.kind_ == Kind::Str && (obj_ == o.obj_ || asStr() == o.asStr());
  default:
    return obj_ && obj_ == o.obj_;
  }
}

size_t KeyHash::operator()(const Value &v) const {
  switch (v.kind()) {
  case Kind::None:
    return 0x9e3779b9;
  case Kind::Bool:
  case Kind::Int:
    return std::hash<int64_t>()(v.asInt());
  case Kind::Float: {
    double d = v.asFloat();
    if (d == std::floor(d) && std::fabs(d) < 9.2e18)
      return std::hash<int64_t>()(static_cast<int64_t>(d));
    return std::hash<double>()(d);
  }
  case Kind::Str:
    return std::hash<std::string>()(v.asStr());
  case Kind::Tuple: {
    size_t h = 0x345678;
    for (const Value &x : v.items())
      h = h * 1000003 ^ (*this)(x);
    return h;
  }
  case Kind::Native:
    return static_cast<NativeObj *>(v.get())->hash();
  default:
    return std::hash<const void *>()(v.get());
  }
}

bool KeyEq::operator()(const Value &a, const Value &b) const {
  if (a.isNumber() && b.isNumber())
    return a.asFloat() == b.asFloat() &&
           (a.isFloat() || b.isFloat() || a.asInt() == b.asInt());
  if (a.kind() != b.kind())
    return false;
  switch (a.kind()) {
  case Kind::None:
    return true;
  case Kind::Str:
    return a.asStr() == b.asStr();
  case Kind::Tuple: {
    auto &x = a.items(), &y = b.items();
    if (x.size() != y.size())
      return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!(*this)(x[i], y[i]))
        return false;
    return true;
  }
  case Kind::Native: {
    bool defined = false;
    bool eq = static_cast<NativeObj *>(a.get())->equals(b, defined);
    return defined ? eq : a.get() == b.get();
  }
  default:
    return a.get() == b.get();
  }
}

Value *DictObj::find(const Value &k) {
  auto it = index.find(k);
  return it == index.end() ? nullptr : &entries[it->second].second;
}

void DictObj::set(const Value &k, Value v) {
  auto it = index.find(k);
  if (it != index.end()) {
    entries[it->second].second = std::move(v);
    return;
  }
  index.emplace(k, entries.size());
  entries.emplace_back(k, std::move(v));
}

bool DictObj::erase(const Value &k) {
  auto it = index.find(k);
  if (it == index.end())
    return false;
  size_t pos = it->second;
  index.erase(it);
  entries.erase(entries.begin() + static_cast<long>(pos));
  for (auto &[key, idx] : index)
    if (idx > pos)
      --idx;
  return true;
}

int64_t RangeObj::length() const {
  if (step > 0 && start < stop)
    return (stop - start - 1) / step + 1;
  if (step < 0 && start > stop)
    return (start - stop - 1) / (-step) + 1;
  return 0;
}

Value NativeObj::getAttr(Interpreter &, const std::string &, bool &found) {
  found = false;
  return Value::error();
}

} // namespace scopec::eval
