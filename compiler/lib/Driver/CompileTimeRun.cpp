//===- CompileTimeRun.cpp - sess.run at compile time through the JIT ------===//
//
// The evaluator's TensorComputer: plans the one fetch, lowers it with the
// variables' values embedded, JIT-compiles it (-O1: these graphs are small
// and run once) and runs it on the feed_dict's values. The same planner,
// lowering and JIT as `scopec run`, so compile-time values and run-time
// outputs cannot disagree.
//
//===----------------------------------------------------------------------===//
#include "scopec/Driver/CompileTimeRun.h"

#include "scopec/CodeGen/Backend.h"
#include "scopec/CodeGen/CodeGen.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <cstring>

namespace scopec::driver {

namespace {

using graph::DType;
using graph::TensorData;

bool storable(DType t) {
  return t == DType::Float32 || t == DType::Float64 || t == DType::Int32 || t == DType::Int64 || t == DType::Bool;
}

/// A value in the generated code's layout (C order, its dtype).
std::vector<unsigned char> toBuffer(const TensorData &d, DType t) {
  size_t n = d.size();
  std::vector<unsigned char> buf(std::max<size_t>(8, n * graph::storageBytes(t)));
  unsigned char *p = buf.data();
  for (size_t k = 0; k < n; ++k) {
    double f = graph::isFloating(d.dtype) ? d.f[k] : static_cast<double>(d.i[k]);
    int64_t i = graph::isFloating(d.dtype) ? static_cast<int64_t>(d.f[k]) : d.i[k];
    switch (t) {
    case DType::Float32: reinterpret_cast<float *>(p)[k] = static_cast<float>(f); break;
    case DType::Float64: reinterpret_cast<double *>(p)[k] = f; break;
    case DType::Int32: reinterpret_cast<int32_t *>(p)[k] = static_cast<int32_t>(i); break;
    case DType::Int64: reinterpret_cast<int64_t *>(p)[k] = i; break;
    default: p[k] = f != 0; break;
    }
  }
  return buf;
}

void fromBuffer(const unsigned char *p, DType t, const std::vector<int64_t> &shape, TensorData &out) {
  out = TensorData{};
  out.dtype = t;
  out.shape.dims = shape;
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  for (int64_t k = 0; k < n; ++k) {
    switch (t) {
    case DType::Float32: out.f.push_back(reinterpret_cast<const float *>(p)[k]); break;
    case DType::Float64: out.f.push_back(reinterpret_cast<const double *>(p)[k]); break;
    case DType::Int32: out.i.push_back(reinterpret_cast<const int32_t *>(p)[k]); break;
    case DType::Int64: out.i.push_back(reinterpret_cast<const int64_t *>(p)[k]); break;
    default: out.i.push_back(p[k] != 0); break;
    }
  }
}

bool computeWithJIT(const graph::Graph &g, graph::TensorRef fetch, const std::map<graph::NodeID, TensorData> &feeds,
                    const std::map<graph::NodeID, std::vector<float>> &variables, TensorData &out,
                    std::string &error) {
  codegen::Plan plan;
  std::string code;
  if (!codegen::makePlan(g, {g.tensorName(fetch)}, plan, error, code))
    return false;
  // The batch: what the fed values give every unknown dimension.
  int64_t batch = -1;
  std::vector<std::vector<unsigned char>> feedData;
  for (const codegen::Binding &b : plan.feeds) {
    auto it = feeds.find(b.tensor.node);
    if (it == feeds.end() || !storable(b.dtype)) {
      error = "no value for '" + b.name + "'";
      return false;
    }
    const std::vector<int64_t> &given = it->second.shape.dims;
    if (given.size() != b.dims.size())
      return false;
    for (size_t k = 0; k < given.size(); ++k)
      if (b.dims[k] < 0) {
        if (batch >= 0 && given[k] != batch) {
          error = "the feeds give the batch different sizes";
          return false;
        }
        batch = given[k];
      }
    feedData.push_back(toBuffer(it->second, b.dtype));
  }
  if (batch == 0) {
    error = "an empty batch";
    return false;
  }
  if (batch < 0)
    batch = 1;
  const codegen::Binding &result = plan.fetches.at(0);
  if (!storable(result.dtype)) {
    error = "the fetch is " + std::string(graph::dtypeName(result.dtype));
    return false;
  }
  auto ctx = std::make_unique<llvm::LLVMContext>();
  codegen::LowerOptions lo;
  lo.prefix = "scopec_eval";
  std::unique_ptr<llvm::Module> m = codegen::lower(g, plan, variables, *ctx, lo, error);
  if (!m)
    return false;
  auto jit = codegen::JITModel::create(std::move(m), std::move(ctx), lo.prefix, /*optLevel=*/1);
  if (!jit) {
    error = llvm::toString(jit.takeError());
    return false;
  }
  std::vector<int64_t> shape;
  for (int64_t d : result.dims)
    shape.push_back(d < 0 ? -d * batch : d);
  std::vector<unsigned char> fetchData(std::max<size_t>(8, static_cast<size_t>(result.numElements(batch)) * graph::storageBytes(result.dtype)));
  std::vector<const void *> feedPtrs;
  for (auto &f : feedData)
    feedPtrs.push_back(f.data());
  void *fetchPtr = fetchData.data();
  std::vector<unsigned char> scratch(static_cast<size_t>((*jit)->scratchSize(batch)) + 64);
  void *aligned = reinterpret_cast<void *>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) & ~uintptr_t(63));
  int32_t status = (*jit)->run(batch, feedPtrs.data(), &fetchPtr, aligned);
  if (status != codegen::kOK) {
    const char *why = codegen::runStatusMessage(status);
    error = why ? why : "the generated code returned status " + std::to_string(status);
    return false;
  }
  fromBuffer(fetchData.data(), result.dtype, shape, out);
  return true;
}

} // namespace

eval::TensorComputer jitTensorComputer() { return computeWithJIT; }

} // namespace scopec::driver
