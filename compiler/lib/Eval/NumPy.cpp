//===- NumPy.cpp - NumPy at build time (language.md section 2) ------------===//
//
// Model code does NumPy maths while it builds the graph: sizes
// (np.prod(shape[1:])), initializer scales (np.sqrt(2.0 / n)) and constant
// arrays (np.arange, np.linspace, np.zeros(...).astype(np.float32), ...).
// Arrays are graph::TensorData held by an ArrayObj; the functions follow
// NumPy's dtype rules (Python floats are float64, ints int64), its error
// messages, and its indexing (ints, slices, None, Ellipsis).
//
//===----------------------------------------------------------------------===//
#include "TF.h"

#include <cmath>
#include <numeric>

namespace scopec::eval {

using graph::DType;
using graph::Shape;
using graph::TensorData;

bool castArray(Interpreter &in, const TensorData &src, DType t, TensorData &out);

DType promoteTypes(DType a, DType b) {
  if (a == b || b == DType::Bool)
    return a;
  if (a == DType::Bool)
    return b;
  auto bits = [](DType t) {
    switch (t) {
    case DType::Int8: case DType::UInt8: return 8;
    case DType::Int16: case DType::UInt16: case DType::Float16: return 16;
    case DType::Int32: case DType::Float32: return 32;
    default: return 64;
    }
  };
  bool fa = graph::isFloating(a), fb = graph::isFloating(b);
  if (fa && fb)
    return bits(a) >= bits(b) ? a : b;
  if (fa || fb) {
    DType f = fa ? a : b, i = fa ? b : a;
    // A float holds the integer exactly only when it has more bits.
    if (bits(f) > bits(i))
      return f;
    return bits(i) <= 16 ? DType::Float32 : DType::Float64;
  }
  // Two integers: the wider; signed and unsigned of one width need the next.
  if (graph::isUnsigned(a) != graph::isUnsigned(b)) {
    DType u = graph::isUnsigned(a) ? a : b, s = graph::isUnsigned(a) ? b : a;
    if (bits(s) > bits(u))
      return s;
    return bits(u) == 8 ? DType::Int16 : bits(u) == 16 ? DType::Int32 : DType::Int64;
  }
  return bits(a) >= bits(b) ? a : b;
}

namespace {

/// Build-time arrays are for constants; bigger ones are a mistake.
constexpr int64_t kMaxElements = int64_t(1) << 24;

Value arrayValue(TensorData d) {
  return Value::object(Kind::Native, std::make_shared<ArrayObj>(std::move(d)));
}

double elem(const TensorData &d, size_t k) {
  return graph::isFloating(d.dtype) ? d.f[k] : static_cast<double>(d.i[k]);
}

void push(TensorData &d, const TensorData &src, size_t k) {
  if (graph::isFloating(d.dtype))
    d.f.push_back(src.f[k]);
  else
    d.i.push_back(src.i[k]);
}

TensorData emptyLike(DType t, std::vector<int64_t> dims) {
  TensorData d;
  d.dtype = t;
  d.shape = Shape::of(std::move(dims));
  return d;
}

/// Wraps an integer to the width of `t`, as NumPy's astype does.
int64_t wrapInt(int64_t v, DType t) {
  switch (t) {
  case DType::Int8: return static_cast<int8_t>(v);
  case DType::Int16: return static_cast<int16_t>(v);
  case DType::Int32: return static_cast<int32_t>(v);
  case DType::UInt8: return static_cast<uint8_t>(v);
  case DType::UInt16: return static_cast<uint16_t>(v);
  case DType::Bool: return v != 0;
  default: return v;
  }
}

/// The `dtype=` argument: a DType (np.float32, tf.int32), a builtin type
/// (float, int, bool) or a name ('float32').
bool readDType(Interpreter &in, const Value *v, std::optional<DType> &out) {
  out.reset();
  if (!v || v->isNone())
    return true;
  if (auto *d = v->as<DTypeObj>()) {
    out = d->t;
    return true;
  }
  std::string name = v->isStr() ? v->asStr() : in.tf().typeObjectName(*v);
  if (name == "float")
    out = DType::Float64;
  else if (name == "int")
    out = DType::Int64;
  else if (name == "bool")
    out = DType::Bool;
  else if (auto t = graph::dtypeFromName(name))
    out = *t;
  else
    return in.error(diag::type_error, "data type '" + (v->isStr() ? name : in.repr(*v)) + "' not understood"),
           false;
  return true;
}

/// Any array-like as NumPy sees it: Python floats are float64, ints int64;
/// arrays keep their dtype. `want` converts as astype does.
bool npData(Interpreter &in, const Value &v, std::optional<DType> want, TensorData &out) {
  if (auto *a = v.as<ArrayObj>()) {
    if (!want || *want == a->data.dtype) {
      out = a->data;
      return true;
    }
    return castArray(in, a->data, *want, out);
  }
  TensorData d;
  if (!in.tf().toData(v, std::nullopt, d))
    return false;
  if (d.dtype == DType::String)
    return in.error(diag::unsupported_api, "arrays of strings are not supported by scopec's build-time NumPy"),
           false;
  if (d.dtype == DType::Float32 && !in.tf().toData(v, DType::Float64, d))
    return false;
  if (d.dtype == DType::Int32)
    d.dtype = DType::Int64;
  if (!want || *want == d.dtype) {
    out = std::move(d);
    return true;
  }
  return castArray(in, d, *want, out);
}

/// A shape argument: an int or a sequence of ints.
bool readShape(Interpreter &in, const Value &v, std::vector<int64_t> &dims) {
  dims.clear();
  std::vector<Value> items;
  if (v.isSequence())
    items = v.items();
  else if (auto *s = v.as<TensorShapeObj>(); s && !s->shape.unknownRank)
    for (int64_t d : s->shape.dims)
      items.push_back(d < 0 ? Value::none() : Value::integer(d));
  else
    items = {v};
  int64_t total = 1;
  for (const Value &x : items) {
    int64_t n;
    if (x.isFloat())
      return in.error(diag::type_error, "'float' object cannot be interpreted as an integer"), false;
    if (!toInt(in, x, n, "shape"))
      return false;
    if (n < 0)
      return in.error(diag::value_error, "negative dimensions are not allowed"), false;
    dims.push_back(n);
    total = std::min<int64_t>(total * std::max<int64_t>(n, 1), kMaxElements + 1);
  }
  if (total > kMaxElements)
    return in.error(diag::evaluation_limit, "array of more than " + std::to_string(kMaxElements) +
                                           " elements: too large for scopec's build-time NumPy"),
           false;
  return true;
}

bool readAxis(Interpreter &in, const Value &v, int64_t rank, int64_t &axis) {
  if (!toInt(in, v, axis, "axis"))
    return false;
  if (axis < -rank || axis >= rank)
    return in.error(diag::value_error, "axis " + std::to_string(axis) + " is out of bounds for array of dimension " +
                                           std::to_string(rank)),
           false;
  if (axis < 0)
    axis += rank;
  return true;
}

std::string shapeTuple(const std::vector<int64_t> &dims, const char *space = " ") {
  std::string s = "(";
  for (size_t k = 0; k < dims.size(); ++k)
    s += (k ? std::string(",") + space : std::string()) + std::to_string(dims[k]);
  return s + (dims.size() == 1 ? ",)" : ")");
}

std::vector<int64_t> stridesOf(const std::vector<int64_t> &dims) {
  std::vector<int64_t> st(dims.size(), 1);
  for (size_t k = dims.size(); k-- > 1;)
    st[k - 1] = st[k] * dims[k];
  return st;
}

/// out[idx] = src[map(idx)] for every index of `dims`, in C order.
template <typename F>
TensorData gather(const TensorData &src, std::vector<int64_t> dims, F map) {
  TensorData out = emptyLike(src.dtype, dims);
  int64_t n = out.shape.numElements();
  std::vector<int64_t> idx(dims.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    push(out, src, static_cast<size_t>(map(idx)));
    for (size_t d = dims.size(); d-- > 0;) {
      if (++idx[d] < dims[d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

bool reshapeData(Interpreter &in, const TensorData &a, std::vector<int64_t> dims, TensorData &out) {
  int64_t known = 1, unknown = -1;
  for (size_t k = 0; k < dims.size(); ++k) {
    if (dims[k] == -1) {
      if (unknown >= 0)
        return in.error(diag::value_error, "can only specify one unknown dimension"), false;
      unknown = static_cast<int64_t>(k);
    } else if (dims[k] < 0) {
      return in.error(diag::value_error, "negative dimensions not allowed"), false;
    } else {
      known *= dims[k];
    }
  }
  int64_t size = static_cast<int64_t>(a.size());
  if (unknown >= 0 && known > 0 && size % known == 0)
    dims[static_cast<size_t>(unknown)] = size / known;
  int64_t total = 1;
  for (int64_t d : dims)
    total *= d;
  if (total != size || (unknown >= 0 && known == 0)) {
    std::string s = "(";
    for (size_t k = 0; k < dims.size(); ++k)
      s += (k ? ", " : "") + std::to_string(static_cast<size_t>(unknown) == k ? -1 : dims[k]);
    s += dims.size() == 1 ? ",)" : ")";
    return in.error(diag::value_error, "cannot reshape array of size " + std::to_string(size) + " into shape " + s),
           false;
  }
  out = a;
  out.shape = Shape::of(std::move(dims));
  return true;
}

/// A shape given as f(2, 3) or f((2, 3)).
bool shapeArgs(Interpreter &in, const std::vector<Value> &args, std::vector<int64_t> &dims) {
  dims.clear();
  if (args.size() == 1 && args[0].isSequence())
    return shapeArgs(in, args[0].items(), dims);
  for (const Value &v : args) {
    int64_t n;
    if (!toInt(in, v, n, "shape"))
      return false;
    dims.push_back(n);
  }
  return true;
}

bool transposeData(Interpreter &in, const TensorData &a, std::vector<int64_t> axes, TensorData &out) {
  int64_t rank = static_cast<int64_t>(a.shape.rank());
  if (axes.empty())
    for (int64_t k = rank; k-- > 0;)
      axes.push_back(k);
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  if (static_cast<int64_t>(axes.size()) != rank)
    return in.error(diag::value_error, "axes don't match array"), false;
  for (int64_t &x : axes) {
    if (x < -rank || x >= rank)
      return in.error(diag::value_error, "axis " + std::to_string(x) + " is out of bounds for array of dimension " +
                                             std::to_string(rank)),
             false;
    if (x < 0)
      x += rank;
    if (seen[static_cast<size_t>(x)])
      return in.error(diag::value_error, "repeated axis in transpose"), false;
    seen[static_cast<size_t>(x)] = true;
  }
  std::vector<int64_t> st = stridesOf(a.shape.dims), dims;
  for (int64_t x : axes)
    dims.push_back(a.shape.dims[static_cast<size_t>(x)]);
  out = gather(a, dims, [&](const std::vector<int64_t> &idx) {
    int64_t off = 0;
    for (size_t k = 0; k < idx.size(); ++k)
      off += idx[k] * st[static_cast<size_t>(axes[k])];
    return off;
  });
  return true;
}

/// The dtype NumPy gives a mix of arrays (concatenate, stack).
DType promote(const std::vector<TensorData> &xs) {
  DType t = xs[0].dtype;
  for (auto &x : xs)
    t = promoteTypes(t, x.dtype);
  return t;
}

bool concatData(Interpreter &in, std::vector<TensorData> xs, int64_t axis, TensorData &out) {
  if (xs.empty())
    return in.error(diag::value_error, "need at least one array to concatenate"), false;
  int64_t rank = static_cast<int64_t>(xs[0].shape.rank());
  if (rank == 0)
    return in.error(diag::value_error, "zero-dimensional arrays cannot be concatenated"), false;
  if (!readAxis(in, Value::integer(axis), rank, axis))
    return false;
  DType t = promote(xs);
  std::vector<int64_t> dims = xs[0].shape.dims;
  dims[static_cast<size_t>(axis)] = 0;
  for (size_t k = 0; k < xs.size(); ++k) {
    if (static_cast<int64_t>(xs[k].shape.rank()) != rank)
      return in.error(diag::value_error,
                      "all the input arrays must have same number of dimensions, but the array at index 0 has " +
                          std::to_string(rank) + " dimension(s) and the array at index " + std::to_string(k) +
                          " has " + std::to_string(xs[k].shape.rank()) + " dimension(s)"),
             false;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && xs[k].shape.dims[static_cast<size_t>(d)] != xs[0].shape.dims[static_cast<size_t>(d)])
        return in.error(diag::value_error,
                        "all the input array dimensions except for the concatenation axis must match exactly, "
                        "but along dimension " + std::to_string(d) + ", the array at index 0 has size " +
                            std::to_string(xs[0].shape.dims[static_cast<size_t>(d)]) + " and the array at index " +
                            std::to_string(k) + " has size " + std::to_string(xs[k].shape.dims[static_cast<size_t>(d)])),
               false;
    dims[static_cast<size_t>(axis)] += xs[k].shape.dims[static_cast<size_t>(axis)];
    if (xs[k].dtype != t && !castArray(in, TensorData(xs[k]), t, xs[k]))
      return false;
  }
  // Outer blocks of size inner*dim_k, taken from each input in turn.
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= dims[static_cast<size_t>(d)];
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= dims[static_cast<size_t>(d)];
  out = emptyLike(t, dims);
  for (int64_t o = 0; o < outer; ++o)
    for (auto &x : xs) {
      int64_t block = inner * x.shape.dims[static_cast<size_t>(axis)];
      for (int64_t k = 0; k < block; ++k)
        push(out, x, static_cast<size_t>(o * block + k));
    }
  return true;
}

bool tileData(Interpreter &in, const TensorData &a, std::vector<int64_t> reps, TensorData &out) {
  for (int64_t r : reps)
    if (r < 0)
      return in.error(diag::value_error, "negative dimensions are not allowed"), false;
  std::vector<int64_t> src = a.shape.dims;
  while (src.size() < reps.size())
    src.insert(src.begin(), 1);
  while (reps.size() < src.size())
    reps.insert(reps.begin(), 1);
  std::vector<int64_t> dims;
  int64_t total = 1;
  for (size_t k = 0; k < src.size(); ++k) {
    dims.push_back(src[k] * reps[k]);
    total = std::min<int64_t>(total * std::max<int64_t>(dims.back(), 1), kMaxElements + 1);
  }
  if (total > kMaxElements)
    return in.error(diag::evaluation_limit, "array of more than " + std::to_string(kMaxElements) +
                                           " elements: too large for scopec's build-time NumPy"),
           false;
  std::vector<int64_t> st = stridesOf(src);
  out = gather(a, dims, [&](const std::vector<int64_t> &idx) {
    int64_t off = 0;
    for (size_t k = 0; k < idx.size(); ++k)
      off += (idx[k] % src[k]) * st[k];
    return off;
  });
  return true;
}

/// Reductions over the whole array: NumPy scalars come back as Python
/// numbers (they print and compute the same).
Value reduceAll(Interpreter &in, const std::string &name, const TensorData &d) {
  if (d.size() == 0) {
    if (name == "sum")
      return graph::isFloating(d.dtype) ? Value::real(0) : Value::integer(0);
    if (name == "prod")
      return graph::isFloating(d.dtype) ? Value::real(1) : Value::integer(1);
    if (name == "mean")
      return Value::real(NAN);
    return in.error(diag::value_error, "zero-size array to reduction operation " +
                                           std::string(name == "max" ? "maximum" : "minimum") +
                                           " which has no identity");
  }
  if (name == "mean") {
    double s = 0;
    for (size_t k = 0; k < d.size(); ++k)
      s += elem(d, k);
    double m = s / static_cast<double>(d.size());
    return Value::real(d.dtype == DType::Float32 ? graph::roundToDType(m, DType::Float32) : m);
  }
  if (graph::isFloating(d.dtype)) {
    double r = name == "prod" ? 1.0 : name == "sum" ? 0.0 : d.f[0];
    for (double v : d.f)
      r = name == "prod" ? r * v : name == "sum" ? r + v : name == "max" ? std::max(r, v) : std::min(r, v);
    return Value::real(graph::roundToDType(r, d.dtype));
  }
  int64_t r = name == "prod" ? 1 : name == "sum" ? 0 : d.i[0];
  for (int64_t v : d.i) {
    if (name == "max" || name == "min")
      r = name == "max" ? std::max(r, v) : std::min(r, v);
    else if (name == "prod" ? __builtin_mul_overflow(r, v, &r) : __builtin_add_overflow(r, v, &r))
      return in.error(diag::integer_overflow, "np." + name + "() overflows int64");
  }
  return d.dtype == DType::Bool && (name == "max" || name == "min") ? Value::boolean(r != 0) : Value::integer(r);
}

/// np.dot on 1-D and 2-D arrays (and scalars).
bool dotData(Interpreter &in, const TensorData &a, const TensorData &b, TensorData &out) {
  std::vector<TensorData> both{a, b};
  DType t = promote(both);
  if (t == DType::Bool)
    t = DType::Int64;
  size_t ra = a.shape.rank(), rb = b.shape.rank();
  if (ra == 0 || rb == 0 || ra > 2 || rb > 2)
    return in.error(diag::unsupported_api, "np.dot is supported on 1-D and 2-D arrays"), false;
  int64_t m = ra == 2 ? a.shape.dims[0] : 1, k = a.shape.dims[ra - 1];
  int64_t k2 = b.shape.dims[0], n = rb == 2 ? b.shape.dims[1] : 1;
  if (k != k2)
    return in.error(diag::value_error, "shapes " + shapeTuple(a.shape.dims, "") + " and " + shapeTuple(b.shape.dims, "") +
                                           " not aligned: " + std::to_string(k) + " (dim " + std::to_string(ra - 1) +
                                           ") != " + std::to_string(k2) + " (dim 0)"),
           false;
  std::vector<int64_t> dims;
  if (ra == 2)
    dims.push_back(m);
  if (rb == 2)
    dims.push_back(n);
  out = emptyLike(t, dims);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      if (graph::isFloating(t)) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p)
          s += elem(a, static_cast<size_t>(i * k + p)) * elem(b, static_cast<size_t>(p * n + j));
        out.f.push_back(graph::roundToDType(s, t));
      } else {
        int64_t s = 0;
        for (int64_t p = 0; p < k; ++p)
          s += a.i[static_cast<size_t>(i * k + p)] * b.i[static_cast<size_t>(p * n + j)];
        out.i.push_back(s);
      }
    }
  return true;
}

} // namespace

/// ndarray.astype(t): floats to ints truncate toward zero.
bool castArray(Interpreter &in, const TensorData &src, DType t, TensorData &out) {
  if (t == DType::String || graph::isComplex(t) || src.dtype == DType::String)
    return in.error(diag::unsupported_api, std::string("arrays of ") + graph::dtypeName(t) +
                                               " are not supported by scopec's build-time NumPy"),
           false;
  out = emptyLike(t, src.shape.dims);
  for (size_t k = 0; k < src.size(); ++k) {
    double v = elem(src, k);
    if (graph::isFloating(t)) {
      out.f.push_back(graph::roundToDType(v, t));
    } else if (t == DType::Bool) {
      out.i.push_back(v != 0);
    } else if (graph::isFloating(src.dtype)) {
      if (!std::isfinite(v) || std::fabs(v) >= 9.2e18)
        return in.error(diag::value_error, "cannot convert float " + std::string(std::isnan(v) ? "NaN" : "infinity") +
                                               " to integer"),
               false;
      out.i.push_back(wrapInt(static_cast<int64_t>(std::trunc(v)), t));
    } else {
      out.i.push_back(wrapInt(src.i[k], t));
    }
  }
  return true;
}

//===--- Indexing ---------------------------------------------------------===//

Value indexArray(Interpreter &in, const TensorData &a, const Value &index) {
  std::vector<Value> specs = index.isTuple() ? index.items() : std::vector<Value>{index};
  int64_t rank = static_cast<int64_t>(a.shape.rank());
  int64_t consumed = 0;
  bool ellipsis = false;
  for (const Value &s : specs) {
    if (s.as<EllipsisObj>()) {
      if (ellipsis)
        return in.error(diag::index_error, "an index can only have a single ellipsis ('...')");
      ellipsis = true;
    } else if (!s.isNone()) {
      ++consumed;
    }
  }
  if (consumed > rank)
    return in.error(diag::index_error, "too many indices for array: array is " + std::to_string(rank) +
                                           "-dimensional, but " + std::to_string(consumed) + " were indexed");
  // Per output axis: the source axis (or -1 for a new axis), start, step.
  struct Axis {
    int64_t src, start, step, count;
  };
  std::vector<Axis> axes;
  std::vector<int64_t> fixed(static_cast<size_t>(rank), 0);
  int64_t d = 0;
  auto full = [&](int64_t n) {
    for (; n > 0; --n, ++d)
      axes.push_back({d, 0, 1, a.shape.dims[static_cast<size_t>(d)]});
  };
  for (const Value &s : specs) {
    if (s.as<EllipsisObj>()) {
      full(rank - consumed);
      continue;
    }
    if (s.isNone()) {
      axes.push_back({-1, 0, 1, 1});
      continue;
    }
    int64_t n = a.shape.dims[static_cast<size_t>(d)];
    if (auto *sl = s.as<SliceObj>()) {
      int64_t start, stop, step;
      if (!sliceIndices(in, sl, n, start, stop, step))
        return Value::error();
      int64_t count = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0)
                               : (start > stop ? (start - stop - step - 1) / -step : 0);
      axes.push_back({d++, start, step, count});
      continue;
    }
    int64_t i;
    if (s.isFloat() || s.isSequence() || s.as<ArrayObj>())
      return in.error(diag::index_error, "only integers, slices (`:`), ellipsis (`...`) and numpy.newaxis (`None`) "
                                         "are valid indices (scopec has no fancy indexing)");
    if (!toInt(in, s, i, "index"))
      return Value::error();
    if (i < -n || i >= n)
      return in.error(diag::index_error, "index " + std::to_string(i) + " is out of bounds for axis " +
                                             std::to_string(d) + " with size " + std::to_string(n));
    fixed[static_cast<size_t>(d++)] = i < 0 ? i + n : i;
  }
  full(rank - d);
  std::vector<int64_t> st = stridesOf(a.shape.dims), dims;
  int64_t base = 0;
  for (int64_t k = 0; k < rank; ++k)
    base += fixed[static_cast<size_t>(k)] * st[static_cast<size_t>(k)];
  for (auto &x : axes) {
    dims.push_back(x.count);
    if (x.src >= 0)
      base -= fixed[static_cast<size_t>(x.src)] * st[static_cast<size_t>(x.src)];
  }
  TensorData out = gather(a, dims, [&](const std::vector<int64_t> &idx) {
    int64_t off = base;
    for (size_t k = 0; k < idx.size(); ++k)
      if (axes[k].src >= 0)
        off += (axes[k].start + idx[k] * axes[k].step) * st[static_cast<size_t>(axes[k].src)];
    return off;
  });
  if (out.shape.rank() == 0) {
    if (graph::isFloating(out.dtype))
      return Value::real(out.f[0]);
    return out.dtype == DType::Bool ? Value::boolean(out.i[0] != 0) : Value::integer(out.i[0]);
  }
  return arrayValue(std::move(out));
}

//===--- ndarray attributes -----------------------------------------------===//

namespace {

/// np.float32(x), np.int32(x), ...: a NumPy scalar of that type, and a
/// dtype wherever TF takes one.
/// `instance`: an array's dtype attribute, dtype('float32').
struct NumPyTypeObj : DTypeObj {
  explicit NumPyTypeObj(DType t, bool instance = false) : DTypeObj(t, false), instance(instance) {}
  bool instance;
  std::string typeName() const override { return instance ? "dtype" : "type"; }
  std::string repr() const override {
    return instance ? std::string("dtype('") + graph::dtypeName(t) + "')"
                    : std::string("<class 'numpy.") + graph::dtypeName(t) + "'>";
  }
  std::string str() const override { return instance ? graph::dtypeName(t) : repr(); }
  Value getAttr(Interpreter &in, const std::string &n, bool &found) override {
    if (n != "__call__" || instance)
      return DTypeObj::getAttr(in, n, found);
    found = true;
    DType type = t;
    return in.makeBuiltin(std::string("np.") + graph::dtypeName(t), [type](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.size() > 1 || !a.keywords.empty())
        return in.error(diag::type_error, std::string("np.") + graph::dtypeName(type) + "() takes at most one argument");
      TensorData d;
      if (!npData(in, a.positional.empty() ? Value::integer(0) : a.positional[0], type, d))
        return Value::error();
      return arrayValue(std::move(d));
    });
  }
};

} // namespace


Value ArrayObj::getAttr(Interpreter &in, const std::string &n, bool &found) {
  found = true;
  if (n == "shape") {
    std::vector<Value> dims;
    for (int64_t d : data.shape.dims)
      dims.push_back(Value::integer(d));
    return Value::tuple(std::move(dims));
  }
  if (n == "dtype")
    return Value::object(Kind::Native, std::make_shared<NumPyTypeObj>(data.dtype, true));
  if (n == "size")
    return Value::integer(static_cast<int64_t>(data.size()));
  if (n == "ndim")
    return Value::integer(static_cast<int64_t>(data.shape.rank()));
  if (n == "T") {
    TensorData out;
    return transposeData(in, data, {}, out) ? arrayValue(std::move(out)) : Value::error();
  }
  TensorData d = data;
  auto method = [&](NativeFn fn) { return in.makeBuiltin("ndarray." + n, std::move(fn)); };
  if (n == "tolist" || n == "item")
    return method([d, item = n == "item"](Interpreter &in, CallArgs &) -> Value {
      auto scalar = [&](size_t k) {
        return graph::isFloating(d.dtype) ? Value::real(d.f[k])
               : d.dtype == DType::Bool   ? Value::boolean(d.i[k] != 0)
                                          : Value::integer(d.i[k]);
      };
      if (item) {
        if (d.size() != 1)
          return in.error(diag::value_error, "can only convert an array of size 1 to a Python scalar");
        return scalar(0);
      }
      if (d.shape.rank() == 0)
        return scalar(0);
      std::function<Value(size_t, size_t &)> rec = [&](size_t dim, size_t &k) -> Value {
        std::vector<Value> out;
        for (int64_t i = 0; i < d.shape.dims[dim]; ++i)
          out.push_back(dim + 1 == d.shape.rank() ? scalar(k++) : rec(dim + 1, k));
        return Value::list(std::move(out));
      };
      size_t k = 0;
      return rec(0, k);
    });
  if (n == "astype")
    return method([d](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, "astype", a, {"*dtype"});
      std::optional<DType> t;
      TensorData out;
      if (!b.ok() || !readDType(in, b.get("dtype"), t) || !t || !castArray(in, d, *t, out))
        return Value::error();
      return arrayValue(std::move(out));
    });
  if (n == "reshape" || n == "transpose")
    return method([d, reshape = n == "reshape"](Interpreter &in, CallArgs &a) -> Value {
      std::vector<int64_t> dims;
      TensorData out;
      if (!shapeArgs(in, a.positional, dims))
        return Value::error();
      if (reshape ? !reshapeData(in, d, dims, out) : !transposeData(in, d, dims, out))
        return Value::error();
      return arrayValue(std::move(out));
    });
  if (n == "flatten" || n == "ravel" || n == "copy")
    return method([d, flat = n != "copy"](Interpreter &, CallArgs &) -> Value {
      TensorData out = d;
      if (flat)
        out.shape = Shape::of({static_cast<int64_t>(d.size())});
      return arrayValue(std::move(out));
    });
  if (n == "sum" || n == "prod" || n == "mean" || n == "max" || n == "min")
    return method([d, n](Interpreter &in, CallArgs &a) -> Value {
      if (!a.positional.empty() || !a.keywords.empty())
        return in.error(diag::unsupported_api, "ndarray." + n + "() is supported over the whole array (no axis)");
      return reduceAll(in, n, d);
    });
  found = false;
  return Value::error();
}

//===--- The np module ----------------------------------------------------===//

void installNumPy(Interpreter &in, ModuleObj &np) {
  auto def = [&](const std::string &name, NativeFn fn) { np.attrs[name] = in.makeBuiltin("np." + name, std::move(fn)); };
  auto arrayOf = [](Interpreter &in, const Value &v, TensorData &d) { return npData(in, v, std::nullopt, d); };
  for (DType t : {DType::Float16, DType::Float32, DType::Float64, DType::Int8, DType::Int16, DType::Int32,
                  DType::Int64, DType::UInt8, DType::UInt16, DType::Bool})
    np.attrs[t == DType::Bool ? "bool_" : graph::dtypeName(t)] =
        Value::object(Kind::Native, std::make_shared<NumPyTypeObj>(t));
  np.attrs["float"] = Value::object(Kind::Native, std::make_shared<NumPyTypeObj>(DType::Float64));
  np.attrs["pi"] = Value::real(M_PI);
  np.attrs["e"] = Value::real(M_E);
  np.attrs["newaxis"] = Value::none();
  np.attrs["inf"] = Value::real(INFINITY);
  np.attrs["nan"] = Value::real(NAN);

  for (const char *name : {"array", "asarray"})
    def(name, [name](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, std::string("np.") + name, a, {"*object", "dtype"});
      std::optional<DType> t;
      TensorData d;
      if (!b.ok() || !readDType(in, b.get("dtype"), t) || !npData(in, *b.get("object"), t, d))
        return Value::error();
      return arrayValue(std::move(d));
    });
  for (const char *name : {"zeros", "ones", "empty", "full"})
    def(name, [name = std::string(name)](Interpreter &in, CallArgs &a) -> Value {
      bool full = name == "full";
      ArgBinder b(in, "np." + name, a, full ? std::vector<std::string>{"*shape", "*fill_value", "dtype"}
                                            : std::vector<std::string>{"*shape", "dtype"});
      std::optional<DType> t;
      std::vector<int64_t> dims;
      if (!b.ok() || !readDType(in, b.get("dtype"), t) || !readShape(in, *b.get("shape"), dims))
        return Value::error();
      TensorData fill;
      if (!npData(in, full ? *b.get("fill_value") : Value::real(name == "ones" ? 1.0 : 0.0), t, fill))
        return Value::error();
      if (fill.size() != 1)
        return in.error(diag::unsupported_api, "np.full takes a scalar fill_value in scopec");
      TensorData out = emptyLike(fill.dtype, dims);
      for (int64_t k = out.shape.numElements(); k > 0; --k)
        push(out, fill, 0);
      return arrayValue(std::move(out));
    });
  for (const char *name : {"zeros_like", "ones_like"})
    def(name, [name = std::string(name)](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, "np." + name, a, {"*a", "dtype"});
      std::optional<DType> t;
      TensorData src, fill;
      if (!b.ok() || !readDType(in, b.get("dtype"), t) || !npData(in, *b.get("a"), std::nullopt, src))
        return Value::error();
      if (!npData(in, Value::integer(name == "ones_like"), t ? *t : src.dtype, fill))
        return Value::error();
      TensorData out = emptyLike(fill.dtype, src.shape.dims);
      for (size_t k = 0; k < src.size(); ++k)
        push(out, fill, 0);
      return arrayValue(std::move(out));
    });
  def("arange", [](Interpreter &in, CallArgs &a) -> Value {
    std::optional<DType> t;
    std::vector<Value> args = a.positional;
    for (auto &[k, v] : a.keywords) {
      if (k == "dtype") {
        if (!readDType(in, &v, t))
          return Value::error();
      } else if (k == "start" || k == "stop" || k == "step") {
        size_t pos = k == "start" ? 0 : k == "stop" ? 1 : 2;
        if (args.size() == 1 && pos != 0)
          args.insert(args.begin(), Value::integer(0));
        while (args.size() <= pos)
          args.push_back(pos == 2 ? Value::integer(1) : Value::none());
        args[pos] = v;
      } else {
        return in.error(diag::type_error, "np.arange() got an unexpected keyword argument '" + k + "'");
      }
    }
    if (args.empty() || args.size() > 3)
      return in.error(diag::type_error, "np.arange() takes from 1 to 3 positional arguments");
    if (args.size() == 1)
      args.insert(args.begin(), Value::integer(0));
    if (args.size() == 2)
      args.push_back(Value::integer(1));
    double v[3];
    bool ints = true;
    for (int k = 0; k < 3; ++k) {
      if (!toFloat(args[static_cast<size_t>(k)], v[k]))
        return in.error(diag::type_error, "np.arange() takes numbers, not '" + in.typeName(args[static_cast<size_t>(k)]) + "'");
      ints = ints && !args[static_cast<size_t>(k)].isFloat();
    }
    if (v[2] == 0)
      return in.error(diag::value_error, "Maximum allowed size exceeded");
    double len = std::ceil((v[1] - v[0]) / v[2]);
    if (!(len < static_cast<double>(kMaxElements)))
      return in.error(diag::evaluation_limit, "array of more than " + std::to_string(kMaxElements) +
                                             " elements: too large for scopec's build-time NumPy");
    int64_t n = std::max<int64_t>(0, static_cast<int64_t>(len));
    TensorData d = emptyLike(ints ? DType::Int64 : DType::Float64, {n});
    for (int64_t k = 0; k < n; ++k) {
      if (ints)
        d.i.push_back(args[0].asInt() + k * args[2].asInt());
      else
        d.f.push_back(v[0] + static_cast<double>(k) * v[2]);
    }
    TensorData out;
    if (t && !castArray(in, d, *t, out))
      return Value::error();
    return arrayValue(t ? std::move(out) : std::move(d));
  });
  def("linspace", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "np.linspace", a, {"*start", "*stop", "num", "endpoint", "retstep", "dtype"});
    double lo, hi;
    int64_t num = 50;
    std::optional<DType> t;
    if (!b.ok() || !readDType(in, b.get("dtype"), t))
      return Value::error();
    if (!toFloat(*b.get("start"), lo) || !toFloat(*b.get("stop"), hi))
      return in.error(diag::type_error, "np.linspace() takes numbers for start and stop");
    if (b.has("num") && !toInt(in, *b.get("num"), num, "num"))
      return Value::error();
    if (num < 0)
      return in.error(diag::value_error, "Number of samples, " + std::to_string(num) + ", must be non-negative.");
    if (num > kMaxElements)
      return in.error(diag::evaluation_limit, "array of more than " + std::to_string(kMaxElements) +
                                             " elements: too large for scopec's build-time NumPy");
    bool ok = true;
    bool endpoint = !b.has("endpoint") || in.truthy(*b.get("endpoint"), ok);
    bool retstep = b.has("retstep") && in.truthy(*b.get("retstep"), ok);
    if (!ok)
      return Value::error();
    int64_t div = endpoint ? num - 1 : num;
    double step = div > 0 ? (hi - lo) / static_cast<double>(div) : NAN;
    TensorData d = emptyLike(DType::Float64, {num});
    for (int64_t k = 0; k < num; ++k)
      d.f.push_back(div > 0 ? lo + static_cast<double>(k) * step : lo);
    if (endpoint && num > 1)
      d.f.back() = hi;
    TensorData out;
    if (t && !castArray(in, d, *t, out))
      return Value::error();
    Value arr = arrayValue(t ? std::move(out) : std::move(d));
    return retstep ? Value::tuple({arr, Value::real(step)}) : arr;
  });
  def("reshape", [arrayOf](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "np.reshape", a, {"*a", "*newshape"});
    TensorData d, out;
    std::vector<int64_t> dims;
    if (!b.ok() || !arrayOf(in, *b.get("a"), d) || !shapeArgs(in, {*b.get("newshape")}, dims) ||
        !reshapeData(in, d, dims, out))
      return Value::error();
    return arrayValue(std::move(out));
  });
  def("transpose", [arrayOf](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "np.transpose", a, {"*a", "axes"});
    TensorData d, out;
    std::vector<int64_t> axes;
    if (!b.ok() || !arrayOf(in, *b.get("a"), d))
      return Value::error();
    if (b.has("axes") && !b.get("axes")->isNone() && !shapeArgs(in, {*b.get("axes")}, axes))
      return Value::error();
    if (!transposeData(in, d, axes, out))
      return Value::error();
    return arrayValue(std::move(out));
  });
  def("tile", [arrayOf](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "np.tile", a, {"*A", "*reps"});
    TensorData d, out;
    std::vector<int64_t> reps;
    if (!b.ok() || !arrayOf(in, *b.get("A"), d) || !shapeArgs(in, {*b.get("reps")}, reps) ||
        !tileData(in, d, reps, out))
      return Value::error();
    return arrayValue(std::move(out));
  });
  for (const char *name : {"concatenate", "stack"})
    def(name, [arrayOf, stack = std::string(name) == "stack", name](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, std::string("np.") + name, a, {"*arrays", "axis"});
      std::vector<Value> items;
      if (!b.ok() || !in.iterate(*b.get("arrays"), items))
        return Value::error();
      std::vector<TensorData> xs(items.size());
      for (size_t k = 0; k < items.size(); ++k)
        if (!arrayOf(in, items[k], xs[k]))
          return Value::error();
      int64_t axis = 0;
      Value axisV = b.getOr("axis", Value::integer(0));
      if (!stack && axisV.isNone()) {
        for (auto &x : xs)
          x.shape = Shape::of({static_cast<int64_t>(x.size())});
      } else if (!toInt(in, axisV, axis, "axis")) {
        return Value::error();
      }
      if (stack) {
        if (xs.empty())
          return in.error(diag::value_error, "need at least one array to stack");
        int64_t rank = static_cast<int64_t>(xs[0].shape.rank()) + 1;
        if (!readAxis(in, Value::integer(axis), rank, axis))
          return Value::error();
        std::vector<int64_t> first = xs[0].shape.dims;
        for (auto &x : xs) {
          if (x.shape.dims != first)
            return in.error(diag::value_error, "all input arrays must have the same shape");
          x.shape.dims.insert(x.shape.dims.begin() + axis, 1);
        }
      }
      TensorData out;
      return concatData(in, std::move(xs), axis, out) ? arrayValue(std::move(out)) : Value::error();
    });
  def("expand_dims", [arrayOf](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "np.expand_dims", a, {"*a", "*axis"});
    TensorData d;
    int64_t axis;
    if (!b.ok() || !arrayOf(in, *b.get("a"), d) ||
        !readAxis(in, *b.get("axis"), static_cast<int64_t>(d.shape.rank()) + 1, axis))
      return Value::error();
    d.shape.dims.insert(d.shape.dims.begin() + axis, 1);
    return arrayValue(std::move(d));
  });
  for (const char *name : {"dot", "matmul"})
    def(name, [arrayOf, name](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, std::string("np.") + name, a, {"*a", "*b"});
      TensorData x, y, out;
      if (!b.ok() || !arrayOf(in, *b.get("a"), x) || !arrayOf(in, *b.get("b"), y) || !dotData(in, x, y, out))
        return Value::error();
      return arrayValue(std::move(out));
    });

  // Elementwise functions: numbers give Python floats, arrays give arrays
  // (float64 unless the input is float32).
  auto unary = [&](const std::string &name, double (*f)(double)) {
    def(name, [name, f](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.size() != 1 || !a.keywords.empty())
        return in.error(diag::type_error, "np." + name + "() takes one argument");
      double x;
      if (a.positional[0].isNumber() && toFloat(a.positional[0], x))
        return Value::real(f(x));
      TensorData d;
      if (!npData(in, a.positional[0], std::nullopt, d))
        return Value::error();
      DType t = d.dtype == DType::Float32 ? DType::Float32 : DType::Float64;
      TensorData r = emptyLike(t, d.shape.dims);
      for (size_t k = 0; k < d.size(); ++k)
        r.f.push_back(graph::roundToDType(f(elem(d, k)), t));
      return arrayValue(std::move(r));
    });
  };
  unary("sqrt", [](double x) { return std::sqrt(x); });
  unary("exp", [](double x) { return std::exp(x); });
  unary("log", [](double x) { return std::log(x); });
  unary("sin", [](double x) { return std::sin(x); });
  unary("cos", [](double x) { return std::cos(x); });
  unary("tanh", [](double x) { return std::tanh(x); });
  unary("floor", [](double x) { return std::floor(x); });
  unary("ceil", [](double x) { return std::ceil(x); });
  def("abs", [](Interpreter &in, CallArgs &a) -> Value {
    if (a.positional.size() != 1 || !a.keywords.empty())
      return in.error(diag::type_error, "np.abs() takes one argument");
    if (a.positional[0].isInt())
      return Value::integer(std::llabs(a.positional[0].asInt()));
    if (a.positional[0].isFloat())
      return Value::real(std::fabs(a.positional[0].asFloat()));
    return in.tf().absOp(a.positional[0]);
  });
  def("power", [](Interpreter &in, CallArgs &a) -> Value {
    double x, y;
    if (a.positional.size() != 2 || !toFloat(a.positional[0], x) || !toFloat(a.positional[1], y))
      return in.error(diag::unsupported_api, "np.power is supported on two numbers");
    if (a.positional[0].isInt() && a.positional[1].isInt() && y >= 0) {
      int64_t r = 1;
      for (int64_t k = 0; k < a.positional[1].asInt(); ++k)
        if (__builtin_mul_overflow(r, a.positional[0].asInt(), &r))
          return in.error(diag::integer_overflow, "np.power overflows int64");
      return Value::integer(r);
    }
    return Value::real(std::pow(x, y));
  });
  for (const char *name : {"prod", "sum", "mean", "max", "min", "amax", "amin"})
    def(name, [name = std::string(name)](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.size() != 1 || !a.keywords.empty())
        return in.error(diag::unsupported_api, "np." + name + "() is supported on one sequence or array (no axis)");
      TensorData d;
      if (!npData(in, a.positional[0], std::nullopt, d))
        return Value::error();
      return reduceAll(in, name == "amax" ? "max" : name == "amin" ? "min" : name, d);
    });
}

} // namespace scopec::eval
