//===- BuiltinFunctions.cpp - print, len, range, ... and methods ----------===//
#include "Runtime.h"
#include "TF.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

namespace scopec::eval {

namespace {

Value method(Interpreter &in, const std::string &name, NativeFn fn) {
  return in.makeBuiltin(name, std::move(fn));
}

bool noArgs(Interpreter &in, const std::string &name, CallArgs &a) {
  if (!a.positional.empty() || !a.keywords.empty()) {
    in.error(diag::type_error, name + "() takes no arguments (" +
                                   std::to_string(a.positional.size() + a.keywords.size()) +
                                   " given)");
    return false;
  }
  return true;
}

bool stringArg(Interpreter &in, const Value &v, const std::string &fname, std::string &out) {
  if (!v.isStr()) {
    in.error(diag::type_error, fname + " argument must be str, not " + in.typeName(v));
    return false;
  }
  out = v.asStr();
  return true;
}

std::vector<std::string> split(const std::string &s, const std::string *sep, int64_t maxsplit) {
  std::vector<std::string> out;
  if (!sep) {
    size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
        ++i;
      if (i >= s.size())
        break;
      if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
        size_t end = s.find_last_not_of(" \t\n\r\f\v");
        out.push_back(s.substr(i, end - i + 1));
        return out;
      }
      size_t j = i;
      while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])))
        ++j;
      out.push_back(s.substr(i, j - i));
      i = j;
    }
    return out;
  }
  size_t start = 0;
  while (true) {
    if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit)
      break;
    size_t p = s.find(*sep, start);
    if (p == std::string::npos)
      break;
    out.push_back(s.substr(start, p - start));
    start = p + sep->size();
  }
  out.push_back(s.substr(start));
  return out;
}

/// str.format: "{}", "{0}", "{name}", "{0.attr}", "{x[0]}", "{:spec}", "{!r}".
Value strFormat(Interpreter &in, const std::string &fmt, CallArgs &a) {
  std::string out;
  size_t autoIndex = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      return in.error(diag::value_error, "Single '}' encountered in format string");
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    int depth = 1;
    size_t j = i + 1;
    for (; j < fmt.size() && depth; ++j) {
      if (fmt[j] == '{')
        ++depth;
      else if (fmt[j] == '}')
        --depth;
    }
    if (depth)
      return in.error(diag::value_error, "Single '{' encountered in format string");
    std::string field = fmt.substr(i + 1, j - i - 2);
    i = j - 1;
    std::string spec;
    char conv = 0;
    size_t colon = field.find(':');
    if (colon != std::string::npos) {
      spec = field.substr(colon + 1);
      field = field.substr(0, colon);
    }
    size_t bang = field.find('!');
    if (bang != std::string::npos) {
      conv = bang + 1 < field.size() ? field[bang + 1] : 0;
      field = field.substr(0, bang);
    }
    // Nested fields in the spec: "{:{w}}".
    if (spec.find('{') != std::string::npos) {
      CallArgs copy = a;
      Value s = strFormat(in, spec, copy);
      if (s.isError())
        return s;
      spec = s.asStr();
    }
    size_t end = field.find_first_of(".[");
    std::string head = field.substr(0, end);
    Value v;
    if (head.empty()) {
      if (autoIndex >= a.positional.size())
        return in.error(diag::index_error, "Replacement index " + std::to_string(autoIndex) +
                                               " out of range for positional args tuple");
      v = a.positional[autoIndex++];
    } else if (std::all_of(head.begin(), head.end(), ::isdigit)) {
      size_t k = std::stoul(head);
      if (k >= a.positional.size())
        return in.error(diag::index_error, "Replacement index " + head +
                                               " out of range for positional args tuple");
      v = a.positional[k];
    } else {
      bool found = false;
      for (auto &[name, val] : a.keywords)
        if (name == head) {
          v = val;
          found = true;
        }
      if (!found)
        return in.error(diag::index_error, "KeyError: " + pyQuote(head));
    }
    while (end != std::string::npos && end < field.size()) {
      if (field[end] == '.') {
        size_t next = field.find_first_of(".[", end + 1);
        v = in.getAttr(v, field.substr(end + 1, next - end - 1), in.callSite());
        end = next;
      } else {
        return in.error(diag::unsupported_api,
                        "indexing in str.format fields is not supported by scopec");
      }
      if (v.isError())
        return v;
    }
    if (conv == 'r')
      v = Value::str(in.repr(v));
    else if (conv == 's')
      v = Value::str(in.str(v));
    std::string piece;
    if (!formatValue(in, v, spec, piece))
      return Value::error();
    out += piece;
  }
  return Value::str(std::move(out));
}

Value strMethod(Interpreter &in, const Value &self, const std::string &name, bool &found) {
  const std::string s = self.asStr();
  found = true;
  if (name == "format")
    return method(in, "str.format", [s](Interpreter &in, CallArgs &a) { return strFormat(in, s, a); });
  if (name == "join")
    return method(in, "str.join", [s](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.size() != 1)
        return in.error(diag::type_error, "join() takes exactly one argument");
      std::vector<Value> items;
      if (!in.iterate(a.positional[0], items))
        return Value::error();
      std::string out;
      for (size_t i = 0; i < items.size(); ++i) {
        if (!items[i].isStr())
          return in.error(diag::type_error, "sequence item " + std::to_string(i) +
                                                ": expected str instance, " +
                                                in.typeName(items[i]) + " found");
        if (i)
          out += s;
        out += items[i].asStr();
      }
      return Value::str(out);
    });
  if (name == "split" || name == "rsplit")
    return method(in, "str.split", [s](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, "split", a, {"sep", "maxsplit"});
      if (!b.ok())
        return Value::error();
      std::string sep;
      bool hasSep = b.has("sep") && !b.get("sep")->isNone();
      if (hasSep && !stringArg(in, *b.get("sep"), "split()", sep))
        return Value::error();
      if (hasSep && sep.empty())
        return in.error(diag::value_error, "empty separator");
      int64_t maxsplit = -1;
      if (b.has("maxsplit") && !toInt(in, *b.get("maxsplit"), maxsplit, "maxsplit"))
        return Value::error();
      std::vector<Value> out;
      for (std::string &p : split(s, hasSep ? &sep : nullptr, maxsplit))
        out.push_back(Value::str(p));
      return Value::list(std::move(out));
    });
  if (name == "replace")
    return method(in, "str.replace", [s](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.size() < 2 || a.positional.size() > 3)
        return in.error(diag::type_error, "replace expected 2 arguments, got " +
                                              std::to_string(a.positional.size()));
      std::string from, to;
      if (!stringArg(in, a.positional[0], "replace()", from) ||
          !stringArg(in, a.positional[1], "replace()", to))
        return Value::error();
      int64_t count = -1;
      if (a.positional.size() == 3 && !toInt(in, a.positional[2], count, "count"))
        return Value::error();
      std::string out;
      size_t pos = 0;
      int64_t n = 0;
      if (from.empty())
        return Value::str(s);
      while (count < 0 || n < count) {
        size_t p = s.find(from, pos);
        if (p == std::string::npos)
          break;
        out += s.substr(pos, p - pos) + to;
        pos = p + from.size();
        ++n;
      }
      return Value::str(out + s.substr(pos));
    });
  if (name == "startswith" || name == "endswith") {
    bool starts = name == "startswith";
    return method(in, "str." + name, [s, starts](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.size() != 1)
        return in.error(diag::type_error, std::string(starts ? "startswith" : "endswith") +
                                              "() takes exactly one argument");
      std::vector<Value> options;
      if (a.positional[0].isTuple())
        options = a.positional[0].items();
      else
        options.push_back(a.positional[0]);
      for (const Value &o : options) {
        std::string p;
        if (!stringArg(in, o, starts ? "startswith" : "endswith", p))
          return Value::error();
        if (starts ? s.rfind(p, 0) == 0
                   : s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0)
          return Value::boolean(true);
      }
      return Value::boolean(false);
    });
  }
  if (name == "lower" || name == "upper")
    return method(in, "str." + name, [s, name](Interpreter &in, CallArgs &a) -> Value {
      if (!noArgs(in, name, a))
        return Value::error();
      std::string out = s;
      for (char &c : out)
        c = static_cast<char>(name == "lower" ? std::tolower(static_cast<unsigned char>(c))
                                              : std::toupper(static_cast<unsigned char>(c)));
      return Value::str(out);
    });
  if (name == "strip" || name == "lstrip" || name == "rstrip")
    return method(in, "str." + name, [s, name](Interpreter &in, CallArgs &a) -> Value {
      std::string chars = " \t\n\r\f\v";
      if (!a.positional.empty() && !a.positional[0].isNone() &&
          !stringArg(in, a.positional[0], name + "()", chars))
        return Value::error();
      size_t b = name == "rstrip" ? 0 : s.find_first_not_of(chars);
      if (b == std::string::npos)
        return Value::str("");
      size_t e = name == "lstrip" ? s.size() - 1 : s.find_last_not_of(chars);
      return Value::str(s.substr(b, e - b + 1));
    });
  if (name == "find" || name == "count")
    return method(in, "str." + name, [s, name](Interpreter &in, CallArgs &a) -> Value {
      std::string sub;
      if (a.positional.size() != 1 || !stringArg(in, a.positional[0], name + "()", sub))
        return in.error(diag::type_error, name + "() takes exactly one str argument");
      if (name == "find") {
        size_t p = s.find(sub);
        return Value::integer(p == std::string::npos ? -1 : static_cast<int64_t>(p));
      }
      if (sub.empty())
        return Value::integer(static_cast<int64_t>(countCodePoints(s)) + 1);
      int64_t n = 0;
      for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size()))
        ++n;
      return Value::integer(n);
    });
  found = false;
  return Value::error();
}

Value listMethod(Interpreter &in, const Value &self, const std::string &name, bool &found) {
  found = true;
  bool isList = self.isList();
  if (isList && name == "append")
    return method(in, "list.append", [self](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.size() != 1 || !a.keywords.empty())
        return in.error(diag::type_error, "list.append() takes exactly one argument (" +
                                              std::to_string(a.positional.size()) + " given)");
      self.items().push_back(a.positional[0]);
      return Value::none();
    });
  if (isList && name == "extend")
    return method(in, "list.extend", [self](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.size() != 1)
        return in.error(diag::type_error, "list.extend() takes exactly one argument");
      std::vector<Value> items;
      if (!in.iterate(a.positional[0], items))
        return Value::error();
      self.items().insert(self.items().end(), items.begin(), items.end());
      return Value::none();
    });
  if (isList && name == "insert")
    return method(in, "list.insert", [self](Interpreter &in, CallArgs &a) -> Value {
      int64_t i;
      if (a.positional.size() != 2)
        return in.error(diag::type_error, "insert expected 2 arguments, got " +
                                              std::to_string(a.positional.size()));
      if (!toInt(in, a.positional[0], i, "index"))
        return Value::error();
      auto &v = self.items();
      int64_t n = static_cast<int64_t>(v.size());
      i = i < 0 ? std::max<int64_t>(0, i + n) : std::min(i, n);
      v.insert(v.begin() + i, a.positional[1]);
      return Value::none();
    });
  if (isList && name == "pop")
    return method(in, "list.pop", [self](Interpreter &in, CallArgs &a) -> Value {
      auto &v = self.items();
      int64_t i = -1;
      if (!a.positional.empty() && !toInt(in, a.positional[0], i, "index"))
        return Value::error();
      if (v.empty())
        return in.error(diag::index_error, "pop from empty list");
      if (i < 0)
        i += static_cast<int64_t>(v.size());
      if (i < 0 || i >= static_cast<int64_t>(v.size()))
        return in.error(diag::index_error, "pop index out of range");
      Value r = v[static_cast<size_t>(i)];
      v.erase(v.begin() + i);
      return r;
    });
  if (isList && name == "reverse")
    return method(in, "list.reverse", [self](Interpreter &in, CallArgs &a) -> Value {
      std::reverse(self.items().begin(), self.items().end());
      return Value::none();
    });
  if (name == "index" || name == "count")
    return method(in, "list." + name, [self, name](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.size() != 1)
        return in.error(diag::type_error, name + "() takes exactly one argument");
      auto &v = self.items();
      int64_t n = 0;
      for (size_t i = 0; i < v.size(); ++i)
        if (v[i].is(a.positional[0]) || in.equals(v[i], a.positional[0])) {
          if (name == "index")
            return Value::integer(static_cast<int64_t>(i));
          ++n;
        }
      if (name == "index")
        return in.error(diag::value_error, in.repr(a.positional[0]) + " is not in list");
      return Value::integer(n);
    });
  if (isList && name == "copy")
    return method(in, "list.copy", [self](Interpreter &, CallArgs &) {
      return Value::list(self.items());
    });
  found = false;
  return Value::error();
}

Value dictMethod(Interpreter &in, const Value &self, const std::string &name, bool &found) {
  found = true;
  DictObj *d = self.as<DictObj>();
  if (name == "items" || name == "keys" || name == "values")
    return method(in, "dict." + name, [self, name](Interpreter &in, CallArgs &a) -> Value {
      std::vector<Value> out;
      for (auto &[k, v] : self.as<DictObj>()->entries)
        out.push_back(name == "items" ? Value::tuple({k, v}) : name == "keys" ? k : v);
      return Value::list(std::move(out));
    });
  if (name == "get")
    return method(in, "dict.get", [self](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.empty() || a.positional.size() > 2)
        return in.error(diag::type_error, "get expected 1 or 2 arguments");
      if (!isHashable(a.positional[0]))
        return in.error(diag::type_error, "unhashable type: '" + in.typeName(a.positional[0]) + "'");
      Value *v = self.as<DictObj>()->find(a.positional[0]);
      return v ? *v : (a.positional.size() == 2 ? a.positional[1] : Value::none());
    });
  if (name == "pop")
    return method(in, "dict.pop", [self](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.empty() || a.positional.size() > 2)
        return in.error(diag::type_error, "pop expected 1 or 2 arguments");
      DictObj *d = self.as<DictObj>();
      if (Value *v = d->find(a.positional[0])) {
        Value r = *v;
        d->erase(a.positional[0]);
        return r;
      }
      if (a.positional.size() == 2)
        return a.positional[1];
      return in.error(diag::index_error, "KeyError: " + in.repr(a.positional[0]));
    });
  if (name == "setdefault")
    return method(in, "dict.setdefault", [self](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.empty())
        return in.error(diag::type_error, "setdefault expected at least 1 argument");
      DictObj *d = self.as<DictObj>();
      if (Value *v = d->find(a.positional[0]))
        return *v;
      Value dflt = a.positional.size() > 1 ? a.positional[1] : Value::none();
      d->set(a.positional[0], dflt);
      return dflt;
    });
  if (name == "update")
    return method(in, "dict.update", [self](Interpreter &in, CallArgs &a) -> Value {
      DictObj *d = self.as<DictObj>();
      for (const Value &p : a.positional) {
        if (auto *o = p.as<DictObj>())
          for (auto &[k, v] : o->entries)
            d->set(k, v);
        else
          return in.error(diag::type_error, "'" + in.typeName(p) + "' object is not a mapping");
      }
      for (auto &[k, v] : a.keywords)
        d->set(Value::str(k), v);
      return Value::none();
    });
  if (name == "copy")
    return method(in, "dict.copy", [self](Interpreter &, CallArgs &) {
      return Value::object(Kind::Dict, std::make_shared<DictObj>(*self.as<DictObj>()));
    });
  (void)d;
  found = false;
  return Value::error();
}

} // namespace

Value Interpreter::getAttr(const Value &obj, const std::string &name, SourceRange site) {
  callSite_ = site;
  bool found = false;
  Value v;
  switch (obj.kind()) {
  case Kind::Error:
    return obj;
  case Kind::Module: {
    auto *m = obj.as<ModuleObj>();
    auto it = m->attrs.find(name);
    if (it != m->attrs.end())
      return it->second;
    return tf_->missingModuleAttr(*m, name);
  }
  case Kind::Str: v = strMethod(*this, obj, name, found); break;
  case Kind::List:
  case Kind::Tuple:
    if (obj.as<NamedTupleObj>())
      v = namedTupleAttr(*this, obj, name, found);
    if (!found)
      v = listMethod(*this, obj, name, found);
    break;
  case Kind::Dict: v = dictMethod(*this, obj, name, found); break;
  case Kind::Native: v = obj.as<NativeObj>()->getAttr(*this, name, found); break;
  case Kind::Function:
    if (name == "__name__")
      return Value::str(obj.as<FunctionObj>()->name);
    if (auto it = obj.as<FunctionObj>()->attrs.find(name); it != obj.as<FunctionObj>()->attrs.end())
      return it->second;
    break;
  case Kind::Builtin:
    if (name == "__name__") {
      auto *b = obj.as<BuiltinObj>();
      return Value::str(!b->pyName.empty() ? b->pyName : b->name.substr(b->name.rfind('.') + 1));
    }
    break;
  default: break;
  }
  if (found)
    return v;
  return error(diag::attribute_error, "'" + typeName(obj) + "' object has no attribute '" + name + "'");
}

//===--- Builtin functions ------------------------------------------------===//

namespace {

Value builtinLen(Interpreter &in, CallArgs &a) {
  if (a.positional.size() != 1 || !a.keywords.empty())
    return in.error(diag::type_error, "len() takes exactly one argument (" +
                                          std::to_string(a.positional.size()) + " given)");
  const Value &v = a.positional[0];
  switch (v.kind()) {
  case Kind::Str: return Value::integer(static_cast<int64_t>(countCodePoints(v.asStr())));
  case Kind::List:
  case Kind::Tuple: return Value::integer(static_cast<int64_t>(v.items().size()));
  case Kind::Dict: return Value::integer(static_cast<int64_t>(v.as<DictObj>()->entries.size()));
  case Kind::Range: return Value::integer(v.as<RangeObj>()->length());
  default: {
    int64_t n;
    if (in.tf().length(v, n))
      return Value::integer(n);
    return in.error(diag::type_error, "object of type '" + in.typeName(v) + "' has no len()");
  }
  }
}

Value builtinRange(Interpreter &in, CallArgs &a) {
  if (a.positional.empty() || a.positional.size() > 3 || !a.keywords.empty())
    return in.error(diag::type_error, a.positional.empty() ? "range expected at least 1 argument, got 0"
                                                           : "range expected at most 3 arguments");
  int64_t v[3] = {0, 0, 1};
  for (size_t i = 0; i < a.positional.size(); ++i) {
    const Value &x = a.positional[i];
    if (x.isFloat())
      return in.error(diag::type_error, "'float' object cannot be interpreted as an integer");
    if (!toInt(in, x, v[a.positional.size() == 1 ? 1 : i], "range() argument"))
      return Value::error();
  }
  if (a.positional.size() == 1)
    v[0] = 0;
  if (v[2] == 0)
    return in.error(diag::value_error, "range() arg 3 must not be zero");
  return Value::object(Kind::Range, std::make_shared<RangeObj>(v[0], v[1], v[2]));
}

Value minMax(Interpreter &in, CallArgs &a, bool isMax) {
  std::vector<Value> items;
  if (a.positional.size() == 1) {
    if (!in.iterate(a.positional[0], items))
      return Value::error();
  } else {
    items = a.positional;
  }
  Value key, dflt;
  bool hasDefault = false;
  for (auto &[k, v] : a.keywords) {
    if (k == "key")
      key = v;
    else if (k == "default") {
      dflt = v;
      hasDefault = true;
    } else
      return in.error(diag::type_error, std::string(isMax ? "max" : "min") +
                                            "() got an unexpected keyword argument '" + k + "'");
  }
  if (items.empty()) {
    if (hasDefault)
      return dflt;
    return in.error(diag::value_error, std::string(isMax ? "max" : "min") +
                                           "() arg is an empty sequence");
  }
  Value best = items[0];
  Value bestKey = best;
  if (!key.isNone()) {
    CallArgs ka{{best}, {}};
    bestKey = in.call(key, ka, in.callSite());
  }
  for (size_t i = 1; i < items.size(); ++i) {
    Value k = items[i];
    if (!key.isNone()) {
      CallArgs ka{{items[i]}, {}};
      k = in.call(key, ka, in.callSite());
    }
    Value c = compareValues(in, isMax ? ast::CmpOp::Gt : ast::CmpOp::Lt, k, bestKey);
    if (c.isError())
      return c;
    if (c.asBool()) {
      best = items[i];
      bestKey = k;
    }
  }
  return best;
}

Value builtinSorted(Interpreter &in, CallArgs &a) {
  if (a.positional.size() != 1)
    return in.error(diag::type_error, "sorted expected 1 argument, got " +
                                          std::to_string(a.positional.size()));
  std::vector<Value> items;
  if (!in.iterate(a.positional[0], items))
    return Value::error();
  Value key;
  bool reverse = false;
  for (auto &[k, v] : a.keywords) {
    if (k == "key")
      key = v;
    else if (k == "reverse") {
      bool ok = true;
      reverse = in.truthy(v, ok);
    } else
      return in.error(diag::type_error, "sort() got an unexpected keyword argument '" + k + "'");
  }
  std::vector<Value> keys = items;
  if (!key.isNone())
    for (Value &k : keys) {
      CallArgs ka{{k}, {}};
      k = in.call(key, ka, in.callSite());
      if (k.isError())
        return k;
    }
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  bool failed = false;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    if (failed)
      return false;
    Value c = compareValues(in, ast::CmpOp::Lt, reverse ? keys[y] : keys[x], reverse ? keys[x] : keys[y]);
    if (c.isError()) {
      failed = true;
      return false;
    }
    return c.asBool();
  });
  if (failed)
    return Value::error();
  std::vector<Value> out;
  for (size_t i : order)
    out.push_back(items[i]);
  return Value::list(std::move(out));
}

Value convertInt(Interpreter &in, CallArgs &a) {
  if (a.positional.empty())
    return Value::integer(0);
  const Value &v = a.positional[0];
  int64_t dim;
  if (v.isInt() || v.isBool())
    return Value::integer(v.asInt());
  if (in.tf().dimensionValue(v, dim))
    return Value::integer(dim);
  if (v.isFloat()) {
    double d = v.asFloat();
    if (std::isnan(d))
      return in.error(diag::value_error, "cannot convert float NaN to integer");
    if (std::isinf(d))
      return in.error(diag::integer_overflow, "cannot convert float infinity to integer");
    if (std::fabs(d) >= 9.2233720368547758e18)
      return in.error(diag::integer_overflow, "integer overflow: int(" + formatFloatRepr(d) + ") does not fit in 64 bits");
    return Value::integer(static_cast<int64_t>(d));
  }
  if (v.isStr()) {
    std::string s = v.asStr();
    size_t b = s.find_first_not_of(" \t\n"), e = s.find_last_not_of(" \t\n");
    std::string t = b == std::string::npos ? "" : s.substr(b, e - b + 1);
    errno = 0;
    char *end = nullptr;
    long long n = std::strtoll(t.c_str(), &end, 10);
    if (t.empty() || *end)
      return in.error(diag::value_error, "invalid literal for int() with base 10: " + pyQuote(s));
    if (errno == ERANGE)
      return in.error(diag::integer_overflow, "integer overflow: int(" + pyQuote(s) + ") does not fit in 64 bits");
    return Value::integer(n);
  }
  double f;
  if (in.tf().scalarValue(v, f))
    return Value::integer(static_cast<int64_t>(f));
  return in.error(diag::type_error, "int() argument must be a string, a bytes-like object or a real number, not '" +
                                        in.typeName(v) + "'");
}

Value convertFloat(Interpreter &in, CallArgs &a) {
  if (a.positional.empty())
    return Value::real(0.0);
  const Value &v = a.positional[0];
  int64_t dim;
  if (v.isNumber())
    return Value::real(v.asFloat());
  if (in.tf().dimensionValue(v, dim))
    return Value::real(static_cast<double>(dim));
  if (v.isStr()) {
    std::string s = v.asStr();
    char *end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (s.empty() || *end)
      return in.error(diag::value_error, "could not convert string to float: " + pyQuote(s));
    return Value::real(d);
  }
  double f;
  if (in.tf().scalarValue(v, f))
    return Value::real(f);
  return in.error(diag::type_error, "float() argument must be a string or a real number, not '" +
                                        in.typeName(v) + "'");
}

} // namespace

void installBuiltins(Interpreter &in) {
  auto def = [&](const std::string &name, NativeFn fn) { in.defineBuiltin(name, in.makeBuiltin(name, std::move(fn))); };
  def("print", [](Interpreter &in, CallArgs &a) -> Value {
    std::string sep = " ", end = "\n";
    for (auto &[k, v] : a.keywords) {
      if (k == "sep" && v.isStr())
        sep = v.asStr();
      else if (k == "end" && v.isStr())
        end = v.asStr();
      else if (k == "flush" || k == "file")
        continue;
      else if ((k == "sep" || k == "end") && v.isNone())
        continue;
      else
        return in.error(diag::type_error, "'" + k + "' is an invalid keyword argument for print()");
    }
    std::string line;
    unsigned errors = in.diags().numErrors(); // a __str__ that failed
    for (size_t i = 0; i < a.positional.size(); ++i) {
      if (i)
        line += sep;
      line += in.str(a.positional[i]);
    }
    if (in.diags().numErrors() != errors)
      return Value::error();
    in.out() << line << end;
    return Value::none();
  });
  def("len", builtinLen);
  def("range", builtinRange);
  def("enumerate", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "enumerate", a, {"*iterable", "start"});
    if (!b.ok())
      return Value::error();
    std::vector<Value> items;
    if (!in.iterate(*b.get("iterable"), items))
      return Value::error();
    int64_t start = 0;
    if (b.has("start") && !toInt(in, *b.get("start"), start, "start"))
      return Value::error();
    std::vector<Value> out;
    for (size_t i = 0; i < items.size(); ++i)
      out.push_back(Value::tuple({Value::integer(start + static_cast<int64_t>(i)), items[i]}));
    return Value::list(std::move(out));
  });
  def("zip", [](Interpreter &in, CallArgs &a) -> Value {
    std::vector<std::vector<Value>> lists(a.positional.size());
    size_t n = SIZE_MAX;
    for (size_t i = 0; i < a.positional.size(); ++i) {
      if (!in.iterate(a.positional[i], lists[i]))
        return Value::error();
      n = std::min(n, lists[i].size());
    }
    std::vector<Value> out;
    for (size_t k = 0; !lists.empty() && k < n; ++k) {
      std::vector<Value> t;
      for (auto &l : lists)
        t.push_back(l[k]);
      out.push_back(Value::tuple(std::move(t)));
    }
    return Value::list(std::move(out));
  });
  // map and filter materialise lists (Python 3 gives iterators: list(map(...))
  // and for-loops behave the same).
  def("map", [](Interpreter &in, CallArgs &a) -> Value {
    if (a.positional.size() < 2 || !a.keywords.empty())
      return in.error(diag::type_error, "map() must have at least two arguments.");
    std::vector<std::vector<Value>> lists(a.positional.size() - 1);
    size_t n = SIZE_MAX;
    for (size_t i = 0; i < lists.size(); ++i) {
      if (!in.iterate(a.positional[i + 1], lists[i]))
        return Value::error();
      n = std::min(n, lists[i].size());
    }
    std::vector<Value> out;
    for (size_t k = 0; k < n; ++k) {
      CallArgs c;
      for (auto &l : lists)
        c.positional.push_back(l[k]);
      Value r = in.call(a.positional[0], c, in.callSite());
      if (r.isError())
        return r;
      out.push_back(r);
    }
    return Value::list(std::move(out));
  });
  def("filter", [](Interpreter &in, CallArgs &a) -> Value {
    if (a.positional.size() != 2 || !a.keywords.empty())
      return in.error(diag::type_error, "filter expected 2 arguments, got " + std::to_string(a.positional.size()));
    std::vector<Value> items, out;
    if (!in.iterate(a.positional[1], items))
      return Value::error();
    for (const Value &x : items) {
      Value keep = x;
      if (!a.positional[0].isNone()) {
        CallArgs c;
        c.positional.push_back(x);
        keep = in.call(a.positional[0], c, in.callSite());
        if (keep.isError())
          return keep;
      }
      bool ok = true;
      if (in.truthy(keep, ok))
        out.push_back(x);
      if (!ok)
        return Value::error();
    }
    return Value::list(std::move(out));
  });
  def("min", [](Interpreter &in, CallArgs &a) { return minMax(in, a, false); });
  def("max", [](Interpreter &in, CallArgs &a) { return minMax(in, a, true); });
  def("sum", [](Interpreter &in, CallArgs &a) -> Value {
    if (a.positional.empty() || a.positional.size() > 2)
      return in.error(diag::type_error, "sum() takes at most 2 arguments");
    std::vector<Value> items;
    if (!in.iterate(a.positional[0], items))
      return Value::error();
    Value acc = a.positional.size() == 2 ? a.positional[1] : Value::integer(0);
    for (const Value &v : items) {
      acc = in.binaryOp(ast::BinaryOp::Add, acc, v);
      if (acc.isError())
        return acc;
    }
    return acc;
  });
  def("abs", [](Interpreter &in, CallArgs &a) -> Value {
    if (a.positional.size() != 1)
      return in.error(diag::type_error, "abs() takes exactly one argument (" +
                                            std::to_string(a.positional.size()) + " given)");
    const Value &v = a.positional[0];
    if (v.isFloat())
      return Value::real(std::fabs(v.asFloat()));
    if (v.isInt() || v.isBool()) {
      if (v.asInt() == INT64_MIN)
        return in.error(diag::integer_overflow, "integer overflow: abs(" + std::to_string(v.asInt()) + ") does not fit in 64 bits");
      return Value::integer(std::llabs(v.asInt()));
    }
    if (in.tf().isTensorLike(v))
      return in.tf().absOp(v);
    return in.error(diag::type_error, "bad operand type for abs(): '" + in.typeName(v) + "'");
  });
  def("round", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "round", a, {"*number", "ndigits"});
    if (!b.ok())
      return Value::error();
    double d;
    const Value &v = *b.get("number");
    if (!toFloat(v, d))
      return in.error(diag::type_error, "type " + in.typeName(v) + " doesn't define __round__ method");
    if (!b.has("ndigits") || b.get("ndigits")->isNone()) {
      if (v.isInt())
        return v;
      double r = std::nearbyint(d); // banker's rounding, as Python
      if (std::fabs(r) >= 9.2233720368547758e18)
        return in.error(diag::integer_overflow, "integer overflow: round() result does not fit in 64 bits");
      return Value::integer(static_cast<int64_t>(r));
    }
    int64_t nd;
    if (!toInt(in, *b.get("ndigits"), nd, "ndigits"))
      return Value::error();
    if (v.isInt())
      return v;
    double scale = std::pow(10.0, static_cast<double>(nd));
    return Value::real(std::nearbyint(d * scale) / scale);
  });
  def("int", convertInt);
  def("float", convertFloat);
  def("str", [](Interpreter &in, CallArgs &a) -> Value {
    unsigned errors = in.diags().numErrors();
    std::string s = a.positional.empty() ? "" : in.str(a.positional[0]);
    return in.diags().numErrors() != errors ? Value::error() : Value::str(std::move(s));
  });
  def("repr", [](Interpreter &in, CallArgs &a) -> Value {
    if (a.positional.size() != 1)
      return in.error(diag::type_error, "repr() takes exactly one argument");
    unsigned errors = in.diags().numErrors();
    std::string s = in.repr(a.positional[0]);
    return in.diags().numErrors() != errors ? Value::error() : Value::str(std::move(s));
  });
  def("bool", [](Interpreter &in, CallArgs &a) -> Value {
    if (a.positional.empty())
      return Value::boolean(false);
    bool ok = true;
    bool t = in.truthy(a.positional[0], ok);
    return ok ? Value::boolean(t) : Value::error();
  });
  def("list", [](Interpreter &in, CallArgs &a) -> Value {
    std::vector<Value> items;
    if (!a.positional.empty() && !in.iterate(a.positional[0], items))
      return Value::error();
    return Value::list(std::move(items));
  });
  def("tuple", [](Interpreter &in, CallArgs &a) -> Value {
    std::vector<Value> items;
    if (!a.positional.empty() && !in.iterate(a.positional[0], items))
      return Value::error();
    return Value::tuple(std::move(items));
  });
  def("dict", [](Interpreter &in, CallArgs &a) -> Value {
    auto d = std::make_shared<DictObj>();
    if (!a.positional.empty()) {
      if (auto *src = a.positional[0].as<DictObj>()) {
        *d = *src;
      } else {
        std::vector<Value> items;
        if (!in.iterate(a.positional[0], items))
          return Value::error();
        for (const Value &p : items) {
          std::vector<Value> kv;
          if (!in.iterate(p, kv) || kv.size() != 2)
            return in.error(diag::value_error, "dictionary update sequence element has the wrong length");
          d->set(kv[0], kv[1]);
        }
      }
    }
    for (auto &[k, v] : a.keywords)
      d->set(Value::str(k), v);
    return Value::object(Kind::Dict, d);
  });
  def("reversed", [](Interpreter &in, CallArgs &a) -> Value {
    if (a.positional.size() != 1)
      return in.error(diag::type_error, "reversed expected 1 argument");
    std::vector<Value> items;
    if (!in.iterate(a.positional[0], items))
      return Value::error();
    std::reverse(items.begin(), items.end());
    return Value::list(std::move(items));
  });
  def("sorted", builtinSorted);
  def("any", [](Interpreter &in, CallArgs &a) -> Value {
    std::vector<Value> items;
    if (a.positional.size() != 1 || !in.iterate(a.positional[0], items))
      return Value::error();
    for (const Value &v : items) {
      bool ok = true;
      if (in.truthy(v, ok))
        return Value::boolean(true);
      if (!ok)
        return Value::error();
    }
    return Value::boolean(false);
  });
  def("all", [](Interpreter &in, CallArgs &a) -> Value {
    std::vector<Value> items;
    if (a.positional.size() != 1 || !in.iterate(a.positional[0], items))
      return Value::error();
    for (const Value &v : items) {
      bool ok = true;
      if (!in.truthy(v, ok))
        return ok ? Value::boolean(false) : Value::error();
    }
    return Value::boolean(true);
  });
  def("isinstance", [](Interpreter &in, CallArgs &a) -> Value {
    if (a.positional.size() != 2)
      return in.error(diag::type_error, "isinstance expected 2 arguments, got " +
                                            std::to_string(a.positional.size()));
    std::vector<Value> types;
    if (a.positional[1].isTuple())
      types = a.positional[1].items();
    else
      types.push_back(a.positional[1]);
    std::string t = in.typeName(a.positional[0]);
    auto *nt = a.positional[0].as<NamedTupleObj>();
    if (nt)
      t = "tuple";
    for (const Value &ty : types) {
      if (auto *c = ty.as<ClassObj>()) {
        if (isUserInstance(a.positional[0], *c))
          return Value::boolean(true);
        continue;
      }
      if (auto *ntt = ty.as<NamedTupleType>()) {
        if (nt && nt->type.get() == ntt)
          return Value::boolean(true);
        continue;
      }
      auto *b = ty.as<BuiltinObj>();
      std::string name = b ? b->name : in.tf().typeObjectName(ty);
      if (name.empty())
        return in.error(diag::type_error, "isinstance() arg 2 must be a type or tuple of types");
      if (name == t || (name == "int" && t == "bool") || (name == "float" && false) ||
          in.tf().isInstance(a.positional[0], name))
        return Value::boolean(true);
    }
    return Value::boolean(false);
  });
  def("type", [](Interpreter &in, CallArgs &a) -> Value {
    if (a.positional.size() != 1 || !a.keywords.empty())
      return in.error(diag::type_error, "type() takes 1 argument (scopec does not create classes with type())");
    const Value &v = a.positional[0];
    if (auto *i = v.as<InstanceObj>())
      return Value::object(Kind::Native, i->cls);
    if (auto *nt = v.as<NamedTupleObj>())
      return Value::object(Kind::Native, nt->type);
    std::string name = in.typeName(v);
    if (v.as<ExceptionObj>() || v.isNumber() || v.isStr() || v.isSequence() || v.kind() == Kind::Dict ||
        v.kind() == Kind::Range)
      if (Value t = in.lookupBuiltin(name); !t.isError())
        return t;
    return in.error(diag::unsupported_api, "type() of a '" + name + "' is not supported by scopec");
  });
  in.defineBuiltin("None", Value::none());
}

} // namespace scopec::eval
