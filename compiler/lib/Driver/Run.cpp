//===- Run.cpp - scopec run, build and weights ----------------------------===//
#include "scopec/Driver/Run.h"

#include "scopec_rt.h"

#include "scopec/CodeGen/Backend.h"
#include "scopec/CodeGen/CodeGen.h"
#include "scopec/Driver/Driver.h"
#include "scopec/Driver/Render.h"
#include "scopec/Eval/Interpreter.h"
#include "scopec/Graph/ShapeInference.h"
#include "scopec/Runtime/Npy.h"
#include "scopec_rt.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

namespace scopec::driver {

namespace {

/// A code-generation diagnostic (E401/E402) in the text format.
void codegenError(const FileResult &r, const std::string &code, const std::string &message,
                  llvm::raw_ostream &err) {
  err << r.displayName << ": error: " << message << " [" << code << ' '
      << (code == "E402" ? "unknown-feed-or-fetch" : "not-compilable") << "]\n";
}

/// Variables' values: initializers for `seed`, overridden from a .npz.
bool weightValues(const FileResult &r, const codegen::Plan &plan, const std::string &npz,
                  uint64_t seed, codegen::WeightValues &out, llvm::raw_ostream &err, int &rc) {
  std::string error;
  if (!r.interp->initialWeights(seed, out, error)) {
    err << r.displayName << ": error: " << error << " [E401 not-compilable]\n";
    rc = kExitErrors;
    return false;
  }
  if (npz.empty())
    return true;
  npy::NamedArrays arrays;
  if (!npy::readNpzFile(npz, arrays, error)) {
    err << "scopec: error: " << error << '\n';
    rc = kExitUsage;
    return false;
  }
  const graph::Graph &g = r.interp->graph();
  for (auto &[name, a] : arrays) {
    const graph::Node *n = g.find(name);
    if (!n && name.size() > 2 && name.compare(name.size() - 2, 2, ":0") == 0)
      n = g.find(name.substr(0, name.size() - 2));
    if (!n || n->op != "VariableV2") {
      err << "scopec: error: " << npz << ": '" << name << "' is not a variable of the model\n";
      rc = kExitUsage;
      return false;
    }
    const graph::Shape &s = n->outputs[0].shape;
    if (a.type != npy::ElemType::Float32 || a.shape != s.dims) {
      err << "scopec: error: " << npz << ": '" << name << "' is " << npy::elemTypeName(a.type) << a.shapeString()
          << " but the variable is float32" << s.str() << '\n';
      rc = kExitUsage;
      return false;
    }
    out[n->id] = std::vector<float>(a.f32(), a.f32() + a.numElements());
  }
  return true;
}

/// The .npy element type of a graph dtype (false: none).
bool elemTypeOf(graph::DType t, npy::ElemType &out) {
  switch (t) {
  case graph::DType::Float32: out = npy::ElemType::Float32; return true;
  case graph::DType::Float64: out = npy::ElemType::Float64; return true;
  case graph::DType::Int32: out = npy::ElemType::Int32; return true;
  case graph::DType::Int64: out = npy::ElemType::Int64; return true;
  case graph::DType::Bool: out = npy::ElemType::Bool; return true;
  default: return false;
  }
}

template <typename T> T elementAs(const npy::Array &a, int64_t k) {
  const unsigned char *p = a.data.data();
  switch (a.type) {
  case npy::ElemType::Float32: return static_cast<T>(reinterpret_cast<const float *>(p)[k]);
  case npy::ElemType::Float64: return static_cast<T>(reinterpret_cast<const double *>(p)[k]);
  case npy::ElemType::Int32: return static_cast<T>(reinterpret_cast<const int32_t *>(p)[k]);
  case npy::ElemType::Int64: return static_cast<T>(reinterpret_cast<const int64_t *>(p)[k]);
  case npy::ElemType::Bool: return static_cast<T>(p[k] != 0);
  }
  return T{};
}

/// Converts a feed to the placeholder's element type, as TF's feed_dict
/// does with np.asarray(value, dtype). Returns false when a float value has
/// no integer or bool counterpart (NaN, out of range, a fraction).
bool convertTo(npy::Array &a, npy::ElemType to, std::string &why) {
  if (a.type == to)
    return true;
  int64_t n = a.numElements();
  bool fromFloat = a.type == npy::ElemType::Float32 || a.type == npy::ElemType::Float64;
  bool toInt = to == npy::ElemType::Int32 || to == npy::ElemType::Int64;
  if (fromFloat && (toInt || to == npy::ElemType::Bool))
    for (int64_t k = 0; k < n; ++k) {
      double v = elementAs<double>(a, k);
      double lim = to == npy::ElemType::Int32 ? 2147483648.0 : 9223372036854775808.0;
      if (!(v == std::trunc(v)) || v >= lim || v < -lim || (to == npy::ElemType::Bool && v != 0 && v != 1)) {
        why = "element " + std::to_string(k) + " (" + std::to_string(v) + ") is not a " + npy::elemTypeName(to);
        return false;
      }
    }
  std::vector<unsigned char> data(static_cast<size_t>(n) * npy::elemSize(to));
  unsigned char *d = data.data();
  for (int64_t k = 0; k < n; ++k) {
    switch (to) {
    case npy::ElemType::Float32: reinterpret_cast<float *>(d)[k] = elementAs<float>(a, k); break;
    case npy::ElemType::Float64: reinterpret_cast<double *>(d)[k] = elementAs<double>(a, k); break;
    case npy::ElemType::Int32: reinterpret_cast<int32_t *>(d)[k] = elementAs<int32_t>(a, k); break;
    case npy::ElemType::Int64: reinterpret_cast<int64_t *>(d)[k] = elementAs<int64_t>(a, k); break;
    case npy::ElemType::Bool: d[k] = elementAs<double>(a, k) != 0; break;
    }
  }
  a.data = std::move(data);
  a.type = to;
  return true;
}

std::string shapeText(const std::vector<int64_t> &d) {
  std::string s = "[";
  for (size_t k = 0; k < d.size(); ++k)
    s += (k ? "," : "") + (d[k] < 0 ? std::string("?") : std::to_string(d[k]));
  return s + "]";
}

} // namespace

int runModel(const std::string &input, const RunOptions &opts, llvm::raw_ostream &out,
             llvm::raw_ostream &err) {
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  Clock::time_point tStart = Clock::now();
  FileResult r;
  int rc = compileForProduct(input, r, err, /*needGraph=*/true);
  if (rc != kExitOK)
    return rc;
  const graph::Graph &g = r.interp->graph();
  codegen::Plan plan;
  std::string error, code;
  if (!codegen::makePlan(g, opts.fetches, plan, error, code)) {
    codegenError(r, code, error, err);
    return code == "E402" ? kExitUsage : kExitErrors;
  }
  Clock::time_point tFront = Clock::now();
  codegen::WeightValues weights;
  if (!weightValues(r, plan, opts.weights, opts.seed, weights, err, rc))
    return rc;
  Clock::time_point tWeights = Clock::now();
  auto ctx = std::make_unique<llvm::LLVMContext>();
  codegen::LowerOptions lo;
  lo.prefix = "scopec_model";
  lo.seed = opts.seed;
  std::unique_ptr<llvm::Module> m = codegen::lower(g, plan, weights, *ctx, lo, error);
  if (!m) {
    codegenError(r, "E401", error, err);
    return kExitErrors;
  }
  Clock::time_point tLower = Clock::now();
  auto jit = codegen::JITModel::create(std::move(m), std::move(ctx), lo.prefix, opts.optLevel);
  if (!jit) {
    err << "scopec: error: JIT compilation failed: " << llvm::toString(jit.takeError()) << '\n';
    return kExitUsage;
  }
  Clock::time_point tJit = Clock::now();
  codegen::JITModel &model = **jit;
  // Feeds.
  std::map<std::string, npy::Array> given;
  for (const std::string &spec : opts.inputs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      npy::NamedArrays arrays;
      if (!npy::readNpzFile(spec, arrays, error)) {
        err << "scopec: error: " << error << '\n';
        return kExitUsage;
      }
      for (auto &[k, v] : arrays)
        given[k] = std::move(v);
      continue;
    }
    npy::Array a;
    if (!npy::readNpyFile(spec.substr(eq + 1), a, error)) {
      err << "scopec: error: " << error << '\n';
      return kExitUsage;
    }
    given[spec.substr(0, eq)] = std::move(a);
  }
  int64_t batch = -1;
  std::vector<npy::Array> feedData;
  for (const codegen::Binding &b : plan.feeds) {
    std::string op = b.name.substr(0, b.name.rfind(':'));
    auto it = given.find(op);
    if (it == given.end())
      it = given.find(b.name);
    if (it == given.end()) {
      err << "scopec: error: missing feed for placeholder '" << op << "' " << shapeText(b.dims)
          << " (give --input " << op << "=FILE.npy)\n";
      return kExitUsage;
    }
    npy::Array a = std::move(it->second);
    given.erase(it);
    npy::ElemType want;
    std::string why;
    if (!elemTypeOf(b.dtype, want) || !convertTo(a, want, why)) {
      err << "scopec: error: feed '" << op << "' (" << npy::elemTypeName(a.type) << ") cannot be converted to the placeholder's "
          << graph::dtypeName(b.dtype) << (why.empty() ? "" : ": " + why) << '\n';
      return kExitUsage;
    }
    bool ok = a.shape.size() == b.dims.size();
    for (size_t k = 0; ok && k < b.dims.size(); ++k) {
      if (b.dims[k] < 0) {
        if (batch < 0)
          batch = a.shape[k];
        ok = a.shape[k] == batch && batch > 0;
      } else {
        ok = a.shape[k] == b.dims[k];
      }
    }
    if (!ok) {
      err << "scopec: error: feed '" << op << "' has shape " << a.shapeString() << " but the placeholder is "
          << shapeText(b.dims) << (batch > 0 ? " with batch " + std::to_string(batch) : "") << '\n';
      return kExitUsage;
    }
    feedData.push_back(std::move(a));
  }
  for (auto &[name, a] : given) {
    err << "scopec: error: --input '" << name << "' names no placeholder the fetches depend on\n";
    return kExitUsage;
  }
  if (batch < 0)
    batch = 1;
  // Buffers.
  std::vector<const void *> feedPtrs;
  for (npy::Array &a : feedData)
    feedPtrs.push_back(a.data.data());
  std::vector<npy::Array> fetchData(plan.fetches.size());
  std::vector<void *> fetchPtrs;
  for (size_t i = 0; i < plan.fetches.size(); ++i) {
    const codegen::Binding &b = plan.fetches[i];
    npy::Array &a = fetchData[i];
    if (!elemTypeOf(b.dtype, a.type)) {
      codegenError(r, "E401", "the fetch '" + b.name + "' is " + graph::dtypeName(b.dtype), err);
      return kExitErrors;
    }
    for (int64_t d : b.dims)
      a.shape.push_back(d < 0 ? -d * batch : d);
    // At least 8 bytes, so that an empty tensor still has a non-null pointer.
    a.data.resize(std::max<size_t>(8, static_cast<size_t>(b.numElements(batch)) * npy::elemSize(a.type)));
    fetchPtrs.push_back(a.data.data());
  }
  int64_t scratchBytes = model.scratchSize(batch);
  std::vector<float> scratchStore(static_cast<size_t>(scratchBytes / 4 + 16));
  void *scratch = reinterpret_cast<void *>((reinterpret_cast<uintptr_t>(scratchStore.data()) + 63) & ~uintptr_t(63));
  // --threads N: the built-in pool through PREFIX_run_parallel (N = 1: no pool).
  std::unique_ptr<scopec_pool, void (*)(scopec_pool *)> pool(nullptr, scopec_pool_free);
  if (opts.threads > 1) {
    pool.reset(scopec_pool_create(static_cast<int>(opts.threads)));
    if (!pool) {
      err << "scopec: error: cannot start " << opts.threads << " threads\n";
      return kExitInternalError;
    }
  }
  auto runOnce = [&] {
    return pool ? model.runParallel(batch, feedPtrs.data(), fetchPtrs.data(), scratch, scopec_parallel_for, pool.get())
                : model.run(batch, feedPtrs.data(), fetchPtrs.data(), scratch);
  };
  int32_t status = runOnce();
  if (status == codegen::kArithmetic || status == codegen::kIndex) {
    err << "scopec: error: the model failed at run time: " << codegen::runStatusMessage(status)
        << " (TF raises InvalidArgumentError)\n";
    return kExitErrors;
  }
  if (status != codegen::kOK) {
    err << "scopec: error: the compiled model returned status " << status << '\n';
    return kExitUsage;
  }
  if (opts.bench) {
    std::vector<double> times;
    for (unsigned k = 0; k < opts.bench; ++k) {
      auto t0 = std::chrono::steady_clock::now();
      runOnce();
      times.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(times.begin(), times.end());
    out << "median latency: " << llvm::format("%.2f", times[times.size() / 2]) << " us over "
        << opts.bench << " runs (batch " << batch << ")\n";
    // What compiling took, JIT included: the issue-6 budget is the lowering plus LLVM.
    out << "compile: " << llvm::format("%.1f", ms(tStart, tJit)) << " ms (front end and plan "
        << llvm::format("%.1f", ms(tStart, tFront)) << ", weights " << llvm::format("%.1f", ms(tFront, tWeights))
        << ", lowering " << llvm::format("%.1f", ms(tWeights, tLower)) << ", LLVM -O" << opts.optLevel << " and JIT "
        << llvm::format("%.1f", ms(tLower, tJit)) << ")\n";
    // Memory of a forward pass beyond feeds and fetches: the weights and the scratch.
    int64_t weightBytes = 0;
    for (const auto &[id, d] : weights)
      weightBytes += static_cast<int64_t>(d.size()) * 4;
    out << "memory: weights " << weightBytes << " B, scratch " << scratchBytes << " B at batch " << batch << "\n";
  }
  if (!opts.output.empty()) {
    npy::NamedArrays arrays;
    for (size_t i = 0; i < plan.fetches.size(); ++i) {
      npy::Array &a = fetchData[i];
      a.data.resize(static_cast<size_t>(a.numElements()) * npy::elemSize(a.type));
      arrays.emplace_back(plan.fetches[i].name, std::move(a));
    }
    if (!npy::writeNpzFile(opts.output, arrays, error)) {
      err << "scopec: error: " << error << '\n';
      return kExitUsage;
    }
    return kExitOK;
  }
  for (size_t i = 0; i < plan.fetches.size(); ++i) {
    const codegen::Binding &b = plan.fetches[i];
    std::vector<int64_t> dims = b.dims;
    for (int64_t &d : dims)
      if (d < 0)
        d *= -batch;
    const npy::Array &a = fetchData[i];
    int64_t n = b.numElements(batch);
    double mn = INFINITY, mx = -INFINITY, sum = 0;
    for (int64_t k = 0; k < n; ++k) {
      double v = elementAs<double>(a, k);
      mn = std::min(mn, v);
      mx = std::max(mx, v);
      sum += v;
    }
    out << b.name << ' ' << npy::elemTypeName(a.type) << shapeText(dims) << " min=" << llvm::format("%g", mn)
        << " max=" << llvm::format("%g", mx) << " mean=" << llvm::format("%g", n ? sum / double(n) : 0.0)
        << " first=[";
    for (int64_t k = 0; k < std::min<int64_t>(n, 6); ++k)
      out << (k ? ", " : "") << llvm::format("%g", elementAs<double>(a, k));
    out << (n > 6 ? ", ...]\n" : "]\n");
  }
  return kExitOK;
}

int writeWeights(const std::string &input, const std::string &output, uint64_t seed,
                 llvm::raw_ostream &err) {
  FileResult r;
  int rc = compileForProduct(input, r, err, /*needGraph=*/true);
  if (rc != kExitOK)
    return rc;
  std::map<graph::NodeID, std::vector<float>> values;
  std::string error;
  if (!r.interp->initialWeights(seed, values, error)) {
    err << r.displayName << ": error: " << error << " [E401 not-compilable]\n";
    return kExitErrors;
  }
  const graph::Graph &g = r.interp->graph();
  npy::NamedArrays arrays;
  for (auto &[id, v] : values) {
    npy::Array a;
    a.type = npy::ElemType::Float32;
    a.shape = g.node(id).outputs[0].shape.dims;
    a.data.resize(v.size() * 4);
    std::memcpy(a.data.data(), v.data(), v.size() * 4);
    arrays.emplace_back(g.node(id).name, std::move(a));
  }
  if (!npy::writeNpzFile(output, arrays, error)) {
    err << "scopec: error: " << error << '\n';
    return kExitUsage;
  }
  return kExitOK;
}

} // namespace scopec::driver
