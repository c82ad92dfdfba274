//===- CodeGen.h - The forward pass as LLVM IR ------------------*- C++ -*-===//
//
// plan() picks what the generated code computes (feeds, fetches, weights);
// lower() emits one function specialised to the graph's static shapes with
// the batch (every unknown dimension) as a run-time argument:
//
//   int32_t PREFIX_run(int64_t batch, const void *const *feeds,
//                      void *const *fetches, void *scratch);
//   int64_t PREFIX_scratch_size(int64_t batch);
//   void PREFIX_pack_weights(const void *const *weights, void *const *packed);
//        (LowerOptions::packWeights only)
//
// Feeds and fetches are arrays of pointers in the plan's order; scratch is a
// caller-provided buffer of PREFIX_scratch_size(batch) bytes (64-byte
// aligned). Tensors are in their dtype: float, double, int32_t, int64_t, or
// one byte per bool. Weights are embedded as constants: the code has no mutable
// globals and is re-entrant. Return codes: 0 ok, 1 bad batch, 2 null pointer, 3 integer arithmetic error.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_CODEGEN_CODEGEN_H
#define SCOPEC_CODEGEN_CODEGEN_H

#include "scopec/Graph/Graph.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace scopec::codegen {

/// kArithmetic: integer division by zero or a negative integer power (TF's
/// run-time InvalidArgumentError); the outputs are then unspecified.
/// kIndex: an index out of range (tf.gather / embedding_lookup ids; TF's
/// "indices[...] = v is not in [0, n)"); the out-of-range rows are zeros.
enum RunStatus : int32_t { kOK = 0, kBadBatch = 1, kNullPointer = 2, kArithmetic = 3, kIndex = 4 };
/// What a failing run-time status means, for messages ("integer division
/// by zero ..."); null for kOK and unknown values.
const char *runStatusMessage(int32_t status);

/// A feed or a fetch: its tensor, and its run-time shape: a dimension d < 0
/// is -d times the batch (a feed's is always -1; a fetch may be -2 after a
/// concat of two batches along the batch axis, say).
struct Binding {
  std::string name; ///< tensor name "x:0"
  graph::TensorRef tensor;
  std::vector<int64_t> dims;
  graph::DType dtype = graph::DType::Float32;
  /// Elements for a given batch.
  int64_t numElements(int64_t batch) const;
};

struct Plan {
  std::vector<Binding> feeds;
  std::vector<Binding> fetches;
  /// Nodes to compute, in graph order.
  std::vector<graph::NodeID> nodes;
  /// VariableV2 nodes the computation reads, in graph order.
  std::vector<graph::NodeID> variables;
  /// The run-time shape of each planned node's output 0, in Binding's
  /// encoding (d < 0: -d times the batch). TF's static shapes say only
  /// "unknown"; this pins each unknown dimension to a multiple of the batch,
  /// or makePlan fails (E401) when the size is not a multiple of it.
  std::map<graph::NodeID, std::vector<int64_t>> dims;
};

/// Chooses the fetches (names "a/b:0" or "a/b", or the graph's sinks when
/// empty) and what they depend on. On failure returns false and sets
/// `error` and `code`: "E402" (unknown name) or "E401" (not compilable).
bool makePlan(const graph::Graph &g, const std::vector<std::string> &fetchNames, Plan &plan,
              std::string &error, std::string &code);

/// Values of the variables, keyed by node id (float32, C order).
using WeightValues = std::map<graph::NodeID, std::vector<float>>;

struct LowerOptions {
  std::string prefix = "model";
  /// Weights bound at run time: PREFIX_run takes, after the batch, an
  /// array of pointers to the variables' values in Plan::variables order
  /// (`const void *const *weights`), instead of embedding them.
  bool externalWeights = false;
  /// With externalWeights: the weights array holds each variable in the
  /// layout packedWeightSizes describes, which PREFIX_pack_weights (emitted
  /// too) writes from the variables' values; matrix products then read
  /// their weights as embedded weights are (panels of 32 columns, see
  /// docs/c-abi.md).
  bool packWeights = false;
  /// Keys the random ops' generator (with each op's name): the same seed
  /// gives the same values on every call.
  uint64_t seed = 0;
};

/// For each of Plan::variables, the float32 elements of its packed form:
/// a variable whose every use is the weights of a MatMul (B, not
/// transposed), or the filter of a direct Conv2D, is stored in panels of
/// columns, rows padded to 16 floats (a little larger than the variable);
/// any other keeps its size and layout (its packed form is a copy).
std::vector<int64_t> packedWeightSizes(const graph::Graph &g, const Plan &plan);

/// Emits the module. On failure (an op or dtype codegen cannot lower)
/// returns null and sets `error`.
std::unique_ptr<llvm::Module> lower(const graph::Graph &g, const Plan &plan,
                                    const WeightValues &weights, llvm::LLVMContext &ctx,
                                    const LowerOptions &opts, std::string &error);

} // namespace scopec::codegen

#endif
