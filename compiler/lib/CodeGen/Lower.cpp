//===- Lower.cpp - Graph to LLVM IR ---------------------------------------===//
//
// One function per model: loop nests specialised to the static shapes, the
// batch as a run-time size. Intermediates live in the caller's scratch buffer
// (each at a byte offset A + C * batch, 64-byte aligned); views (Identity,
// Reshape, ExpandDims, Squeeze) alias their input; fetches are written in
// place. Tensors are stored in their dtype (bool as one byte); element values
// are LLVM float/double/i32/i64, and i1 for bool. Strict IEEE arithmetic: no
// fast-math flags.
//
//===----------------------------------------------------------------------===//
#include "scopec/CodeGen/CodeGen.h"

#include "llvm/ADT/bit.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>

namespace scopec::codegen {

using namespace scopec::graph;
using llvm::Value;

namespace {

/// Thrown inside the lowering for an op it cannot lower; caught by lower().
struct Unsupported {
  std::string message;
};

struct Key {
  NodeID node;
  uint32_t index;
  bool operator<(const Key &o) const { return node < o.node || (node == o.node && index < o.index); }
};

/// The columns of a unit: 64 for layers at most 128 wide (so two threads
/// can split the columns of a 128-wide layer too); else 128, or the first
/// of 96, 160 and 64 that cuts the layer into an even number of groups, so
/// that two threads share the columns of a row evenly (batch 1: a 384-wide
/// layer in three groups of 128 left one thread two of them). Narrower
/// groups only when needed: groups of 64 everywhere cost 2-5% (mlp's
/// batch 1 on two threads, batch 64 on one).
int64_t gemmGroup(int64_t N) {
  if (N <= 128)
    return 64;
  for (int64_t g : {128, 96, 160, 64})
    if ((N + g - 1) / g % 2 == 0)
      return g;
  return 128;
}
/// Columns per panel of packed weights.
constexpr int64_t kPanel = 32;
/// B[K, N] (row-major) packed in panels of 32 columns, each a contiguous K x
/// 32 block (rows 128 bytes apart, 64-byte aligned); the last, narrower
/// panel's rows are its width rounded up to 16 floats apart (zeros past N).
/// A 12 x 32 block of the product then streams one contiguous block of B
/// whatever N: rows of 500 or 37 floats (2000 and 148 bytes) left most
/// vector loads across two cache lines, rows of 512 floats mapped a
/// panel onto an eighth of the L1 sets (evicting the block's rows of A,
/// which then came from L2), and even 128-float group rows used a quarter.
/// Returns the last panel's row stride.
int64_t packedLastLd(int64_t N) {
  int64_t rest = N - (N - 1) / kPanel * kPanel;
  return (rest + 15) / 16 * 16;
}
int64_t packedSize(int64_t K, int64_t N) { return ((N - 1) / kPanel * kPanel + packedLastLd(N)) * K; }
std::vector<float> packColumns(const std::vector<float> &b, int64_t K, int64_t N) {
  int64_t panels = (N + kPanel - 1) / kPanel, last = packedLastLd(N);
  std::vector<float> out(static_cast<size_t>(packedSize(K, N)), 0.0f);
  for (int64_t j = 0; j < panels; ++j) {
    int64_t ld = j + 1 == panels ? last : kPanel, w = std::min(kPanel, N - j * kPanel);
    for (int64_t k = 0; k < K; ++k)
      for (int64_t c = 0; c < w; ++c)
        out[static_cast<size_t>(j * kPanel * K + k * ld + c)] = b[static_cast<size_t>(k * N + j * kPanel + c)];
  }
  return out;
}
class Lowerer {
public:
  Lowerer(const Graph &g, const Plan &plan, const WeightValues &w, llvm::LLVMContext &ctx,
          llvm::Module &m, const LowerOptions &opts)
      : g_(g), plan_(plan), weights_(w), ctx_(ctx), m_(m), b_(ctx), opts_(opts) {
    f32_ = b_.getFloatTy();
    i64_ = b_.getInt64Ty();
    i32_ = b_.getInt32Ty();
    ptr_ = b_.getPtrTy();
  }

  void run();

  /// How variable `var` is packed (LowerOptions::packWeights, and embedded
  /// weights): kMatMul when every use of it (read directly or through
  /// Identity) is the weights of a MatMul (B, not transposed, static
  /// [K, N]), kConv when every use is the filter of a Conv2D that runs as
  /// a direct convolution; kKept otherwise, or when it (or a read) is fetched.
  enum PackedUse { kKept, kMatMul, kConv };
  static PackedUse packedUse(const Graph &g, const Plan &plan, NodeID var);
  /// Floats of `var`'s packed form.
  static int64_t packedElements(const Graph &g, const Plan &plan, NodeID var);

private:
  const Graph &g_;
  const Plan &plan_;
  const WeightValues &weights_;
  llvm::LLVMContext &ctx_;
  llvm::Module &m_;
  llvm::IRBuilder<> b_;
  const LowerOptions &opts_;
  llvm::Type *f32_, *i64_, *i32_, *ptr_;
  llvm::Function *fn_ = nullptr;
  Value *batch_ = nullptr, *scratch_ = nullptr, *weightsArg_ = nullptr;
  /// Set by integer arithmetic that TF rejects at run time (division by
  /// zero, a negative integer power): PREFIX_run returns kArithmetic.
  llvm::AllocaInst *arithError_ = nullptr;
  /// Set by an index out of range (GatherV2): PREFIX_run returns kIndex.
  llvm::AllocaInst *indexError_ = nullptr;
  std::map<Key, Value *> bufs_;
  std::map<NodeID, unsigned> uses_;  ///< consumers of each node's output 0 in the plan
  std::set<NodeID> done_;            ///< lowered ahead (epilogue operands) or fused away

  std::map<NodeID, PackedUse> packedVars_; ///< variables bound packed (packWeights)
  void packWeightsFunction();
  std::map<Key, size_t> fetchIndex_;
  std::vector<Value *> fetchPtrs_;
  int64_t scratchA_ = 0, scratchC_ = 0; ///< scratch size in bytes: A + C * batch

  // Element types.
  llvm::Type *elemTy(DType t) {
    switch (t) {
    case DType::Float32: return f32_;
    case DType::Float64: return b_.getDoubleTy();
    case DType::Int32: return i32_;
    case DType::Int64: return i64_;
    case DType::Bool: return b_.getInt8Ty();
    default: throw Unsupported{std::string("the code generator has no ") + dtypeName(t) + " tensors"};
    }
  }
  static bool isFloat(DType t) { return t == DType::Float32 || t == DType::Float64; }
  static bool isInt(DType t) { return t == DType::Int32 || t == DType::Int64; }
  DType dtypeOf(TensorRef t) const { return g_.type(t).dtype; }
  DType inType(const Node &n, size_t i) const { return dtypeOf(n.inputs.at(i)); }
  DType outType(const Node &n) const { return n.outputs[0].dtype; }
  /// Inputs from `first` on (the earlier ones are static arguments).
  void requireFloat32(const Node &n, size_t first = 0) {
    for (size_t i = first; i < n.inputs.size(); ++i)
      if (inType(n, i) != DType::Float32 && !constInput(n, i))
        throw Unsupported{"'" + n.name + "' (" + n.op + ") on " + dtypeName(inType(n, i)) +
                          ": the code generator lowers this op for float32 only"};
  }

  // Shapes.
  // Shapes are the plan's run-time shapes: a dimension d < 0 is -d times the batch.
  const std::vector<int64_t> &dims(TensorRef t) const {
    auto it = plan_.dims.find(t.node);
    return it != plan_.dims.end() && t.index == 0 ? it->second : g_.type(t).shape.dims;
  }
  const std::vector<int64_t> &outDims(const Node &n) const { return dims(TensorRef{n.id, 0}); }
  Value *dimValue(int64_t d) { return d == -1 ? batch_ : d < 0 ? b_.CreateMul(batch_, b_.getInt64(-d)) : b_.getInt64(d); }
  Value *count(const std::vector<int64_t> &d) {
    Value *n = b_.getInt64(1);
    int64_t stat = 1;
    for (int64_t x : d) {
      if (x < 0)
        n = b_.CreateMul(n, batch_);
      stat *= x < 0 ? -x : x;
    }
    return b_.CreateMul(n, b_.getInt64(stat));
  }
  std::vector<Value *> strides(const std::vector<int64_t> &d) {
    std::vector<Value *> s(d.size());
    Value *acc = b_.getInt64(1);
    for (size_t k = d.size(); k-- > 0;) {
      s[k] = acc;
      acc = b_.CreateMul(acc, dimValue(d[k]));
    }
    return s;
  }

  // Control flow.
  void loop(Value *n, const std::function<void(Value *)> &body, const char *name = "i") {
    llvm::BasicBlock *pre = b_.GetInsertBlock();
    llvm::BasicBlock *header = llvm::BasicBlock::Create(ctx_, std::string(name) + ".head", fn_);
    llvm::BasicBlock *bodyBB = llvm::BasicBlock::Create(ctx_, std::string(name) + ".body", fn_);
    llvm::BasicBlock *exit = llvm::BasicBlock::Create(ctx_, std::string(name) + ".exit", fn_);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    llvm::PHINode *iv = b_.CreatePHI(i64_, 2, name);
    iv->addIncoming(b_.getInt64(0), pre);
    b_.CreateCondBr(b_.CreateICmpSLT(iv, n), bodyBB, exit);
    b_.SetInsertPoint(bodyBB);
    body(iv);
    Value *next = b_.CreateAdd(iv, b_.getInt64(1), "", true, true);
    iv->addIncoming(next, b_.GetInsertBlock());
    b_.CreateBr(header);
    b_.SetInsertPoint(exit);
  }
  /// Runs `body` only where `cond` holds (a filter tap inside the image).
  void ifThen(Value *cond, const std::function<void()> &body, const char *name) {
    llvm::BasicBlock *then = llvm::BasicBlock::Create(ctx_, name, fn_);
    llvm::BasicBlock *join = llvm::BasicBlock::Create(ctx_, std::string(name) + ".end", fn_);
    b_.CreateCondBr(cond, then, join);
    b_.SetInsertPoint(then);
    body();
    b_.CreateBr(join);
    b_.SetInsertPoint(join);
  }
  /// The padding before the first output of a SAME convolution (0 for VALID).
  static int64_t padBefore(bool same, int64_t in, int64_t out, int64_t k, int64_t s, int64_t d) {
    return same ? std::max<int64_t>((out - 1) * s + (k - 1) * d + 1 - in, 0) / 2 : 0;
  }
  /// Nested loops over `d`; the body gets the index of each dimension.
  void nest(const std::vector<int64_t> &d, const std::function<void(std::vector<Value *> &)> &body) {
    std::vector<Value *> idx(d.size());
    std::function<void(size_t)> rec = [&](size_t k) {
      if (k == d.size()) {
        body(idx);
        return;
      }
      loop(dimValue(d[k]), [&](Value *i) {
        idx[k] = i;
        rec(k + 1);
      });
    };
    rec(0);
  }
  Value *linear(const std::vector<Value *> &idx, const std::vector<Value *> &st) {
    Value *off = b_.getInt64(0);
    for (size_t k = 0; k < idx.size(); ++k)
      off = b_.CreateAdd(off, b_.CreateMul(idx[k], st[k]));
    return off;
  }
  Value *load(Value *base, Value *off) { return load(DType::Float32, base, off); }
  void store(Value *v, Value *base, Value *off) { store(DType::Float32, v, base, off); }
  /// An element as a value: bool becomes i1.
  Value *load(DType t, Value *base, Value *off) {
    llvm::Type *ty = elemTy(t);
    Value *v = b_.CreateLoad(ty, b_.CreateInBoundsGEP(ty, base, off));
    return t == DType::Bool ? b_.CreateICmpNE(v, b_.getInt8(0)) : v;
  }
  void store(DType t, Value *v, Value *base, Value *off) {
    llvm::Type *ty = elemTy(t);
    if (t == DType::Bool)
      v = b_.CreateZExt(v, ty);
    b_.CreateStore(v, b_.CreateInBoundsGEP(ty, base, off));
  }
  /// An intrinsic overloaded on its first argument's type.
  Value *intrinsic(llvm::Intrinsic::ID id, std::vector<Value *> args) {
    llvm::Function *f = llvm::Intrinsic::getDeclaration(&m_, id, {args[0]->getType()});
    return b_.CreateCall(f, args);
  }
  /// A libm function: `name` + "f" for float, `name` for double.
  Value *libm(const std::string &name, Value *x) {
    bool single = x->getType()->isFloatTy();
    llvm::FunctionCallee f = m_.getOrInsertFunction(single ? name + "f" : name,
                                                    llvm::FunctionType::get(x->getType(), {x->getType()}, false));
    return b_.CreateCall(f, {x});
  }
  Value *fconst(double v) { return llvm::ConstantFP::get(f32_, v); }
  Value *expF32(Value *x);
  /// exp of float32 values as our code (expF32), of float64 ones as LLVM's intrinsic (libm).
  Value *expOf(Value *x) { return x->getType()->getScalarType()->isFloatTy() ? expF32(x) : intrinsic(llvm::Intrinsic::exp, {x}); }
  /// 1 / (1 + exp(-x)): the Sigmoid op and the fused epilogue's (scalars or vectors), the same code.
  Value *sigmoid(Value *x) {
    Value *one = llvm::ConstantFP::get(x->getType(), 1.0);
    return b_.CreateFDiv(one, b_.CreateFAdd(one, expOf(b_.CreateFNeg(x))));
  }
  /// A stack slot in the function's entry block (so SROA can make it a register).
  llvm::AllocaInst *entryAlloca(llvm::Type *t, const char *name) {
    llvm::IRBuilderBase::InsertPointGuard guard(b_);
    b_.SetInsertPoint(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    return b_.CreateAlloca(t, nullptr, name);
  }
  /// Zero of dtype `t` as an element value (i1 false for bool).
  Value *zeroOf(DType t) {
    if (t == DType::Bool)
      return b_.getFalse();
    return isFloat(t) ? static_cast<Value *>(llvm::ConstantFP::get(elemTy(t), 0.0)) : llvm::ConstantInt::get(elemTy(t), 0);
  }
  /// A constant of `like`'s type (float, double or an integer).
  Value *constLike(Value *like, double v) {
    llvm::Type *t = like->getType();
    return t->isFloatingPointTy() ? llvm::ConstantFP::get(t, v)
                                  : llvm::ConstantInt::get(t, static_cast<uint64_t>(static_cast<int64_t>(v)), true);
  }
  void flagArithmeticError(Value *cond) {
    b_.CreateStore(b_.CreateOr(b_.CreateLoad(b_.getInt1Ty(), arithError_), cond), arithError_);
  }
  Value *binaryOp(const std::string &op, DType t, Value *x, Value *y);
  Value *unaryOp(const Node &n, DType t, Value *x);
  Value *cast(Value *x, DType from, DType to);
  Value *intDivide(Value *x, Value *y, bool floor, bool mod);
  Value *intPow(Value *x, Value *y);

  // Buffers.
  Value *input(const Node &n, size_t i) {
    auto it = bufs_.find(Key{n.inputs[i].node, n.inputs[i].index});
    if (it == bufs_.end())
      throw Unsupported{"internal: input " + g_.tensorName(n.inputs[i]) + " of '" + n.name + "' was not lowered"};
    return it->second;
  }
  /// The output buffer of a node: the fetch pointer, or a scratch slot.
  Value *output(const Node &n, uint32_t index = 0) {
    Key k{n.id, index};
    Value *p;
    if (auto it = fetchIndex_.find(k); it != fetchIndex_.end()) {
      p = fetchPtrs_[it->second];
    } else {
      const std::vector<int64_t> &d = dims(TensorRef{n.id, index});
      int64_t stat = static_cast<int64_t>(storageBytes(n.outputs[index].dtype));
      bool batched = false;
      for (int64_t x : d) {
        batched |= x < 0;
        stat *= x < 0 ? -x : x;
      }
      int64_t rounded = (stat + 63) / 64 * 64;
      // A slot at a + c * batch: first fit among freed slots of the same kind
      // (what is left of one stays free), else at the end of the scratch.
      int64_t a = scratchA_, c = scratchC_;
      auto fit = std::find_if(freeSlots_.begin(), freeSlots_.end(),
                              [&](const Slot &f) { return f.batched == batched && f.size >= rounded; });
      if (fit != freeSlots_.end()) {
        a = fit->a;
        c = fit->c;
        if (fit->size > rounded) {
          (batched ? fit->c : fit->a) += rounded;
          fit->size -= rounded;
        } else {
          freeSlots_.erase(fit);
        }
      } else {
        (batched ? scratchC_ : scratchA_) += rounded;
      }
      Value *off = b_.CreateAdd(b_.getInt64(a), b_.CreateMul(b_.getInt64(c), batch_));
      p = b_.CreateInBoundsGEP(b_.getInt8Ty(), scratch_, off, n.name);
      slotOf_[k] = slots_.size();
      slots_.push_back(Slot{batched, a, c, rounded, edgeUses_[k], false});
    }
    bufs_[k] = p;
    return p;
  }
  static bool isView(const std::string &op) {
    return op == "Identity" || op == "StopGradient" || op == "Reshape" || op == "ExpandDims" || op == "Squeeze";
  }
  /// A fetch that is a view (y = tf.identity(h)) of a tensor nothing else
  /// reads: the op computing it writes the fetch buffer itself, instead of
  /// scratch and a copy at the end (4 MiB for image_filter at batch 8).
  void fetchThroughViews() {
    for (size_t i = 0; i < plan_.fetches.size(); ++i) {
      Key k{plan_.fetches[i].tensor.node, plan_.fetches[i].tensor.index};
      Key src = k;
      for (;;) {
        const Node &v = g_.node(src.node);
        if (!isView(v.op) || src.index != 0 || v.inputs.empty())
          break;
        Key in{v.inputs[0].node, v.inputs[0].index};
        const Node &p = g_.node(in.node);
        bool computed = p.op != "Placeholder" && p.op != "Const" && p.op != "VariableV2" &&
                        !(isView(p.op) && !p.inputs.empty() && g_.node(p.inputs[0].node).op == "VariableV2");
        if (edgeUses_[in] != 1 || fetchIndex_.count(in) || bufs_.count(in) || !computed) // bufs_: the feeds
          break;
        src = in;
      }
      if (src.node != k.node)
        fetchIndex_.emplace(src, i);
    }
  }
  /// Scratch slots, planned by liveness: a slot is freed when the last
  /// consumer of every tensor in it (its producer's output and the views of
  /// it) has been lowered; fetched views pin theirs.
  struct Slot {
    bool batched;
    int64_t a, c, size; ///< at a + c * batch; size bytes (times the batch when batched)
    unsigned uses;      ///< consumer edges not yet lowered
    bool pinned;
  };
  std::vector<Slot> slots_, freeSlots_;
  std::map<Key, size_t> slotOf_;
  std::map<Key, unsigned> edgeUses_;
  void shareSlot(Key view, Key of) {
    auto it = slotOf_.find(of);
    if (it == slotOf_.end())
      return;
    slotOf_[view] = it->second;
    slots_[it->second].uses += edgeUses_[view];
    if (fetchIndex_.count(view))
      slots_[it->second].pinned = true;
  }
  void release(size_t slot) {
    Slot &s = slots_[slot];
    if (s.uses == 0 && !s.pinned) {
      freeSlots_.push_back(s);
      s.pinned = true; // freed once
    }
  }
  /// After lowering `n`: its inputs lose a consumer; unread outputs go too.
  void releaseAfter(const Node &n) {
    for (const TensorRef &r : n.inputs)
      if (auto it = slotOf_.find(Key{r.node, r.index}); it != slotOf_.end()) {
        if (slots_[it->second].uses > 0)
          --slots_[it->second].uses;
        release(it->second);
      }
    for (uint32_t i = 0; i < n.outputs.size(); ++i)
      if (auto it = slotOf_.find(Key{n.id, i}); it != slotOf_.end())
        release(it->second);
  }
  llvm::GlobalVariable *global(const std::string &name, llvm::Constant *init) {
    auto *gv = new llvm::GlobalVariable(m_, init->getType(), /*isConstant=*/true, llvm::GlobalValue::PrivateLinkage,
                                        init, name);
    gv->setAlignment(llvm::Align(64));
    gv->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    return gv;
  }
  llvm::GlobalVariable *constantData(const std::string &name, const std::vector<float> &values) {
    return global(name, llvm::ConstantDataArray::get(ctx_, llvm::ArrayRef<float>(values)));
  }
  /// A Const node's value in its dtype.
  llvm::GlobalVariable *constantData(const std::string &name, const TensorData &d) {
    switch (d.dtype) {
    case DType::Float32: {
      std::vector<float> v(d.f.begin(), d.f.end());
      return constantData(name, v);
    }
    case DType::Float64: return global(name, llvm::ConstantDataArray::get(ctx_, llvm::ArrayRef<double>(d.f)));
    case DType::Int64: {
      std::vector<uint64_t> v(d.i.begin(), d.i.end());
      return global(name, llvm::ConstantDataArray::get(ctx_, llvm::ArrayRef<uint64_t>(v)));
    }
    case DType::Int32: {
      std::vector<uint32_t> v;
      for (int64_t x : d.i)
        v.push_back(static_cast<uint32_t>(x));
      return global(name, llvm::ConstantDataArray::get(ctx_, llvm::ArrayRef<uint32_t>(v)));
    }
    case DType::Bool: {
      std::vector<uint8_t> v;
      for (int64_t x : d.i)
        v.push_back(x != 0);
      return global(name, llvm::ConstantDataArray::get(ctx_, llvm::ArrayRef<uint8_t>(v)));
    }
    default: throw Unsupported{"the constant '" + name + "' is " + dtypeName(d.dtype)};
    }
  }

  // Op lowerings.
  void elementwise(const Node &n, const std::vector<size_t> &ins,
                   const std::function<Value *(std::vector<Value *> &)> &op);
  void lowerNode(const Node &n);
  void matmul(const Node &n);
  /// A register-blocked GEMM C[M, :N] = A B[K, N], or the epilogue of a
  /// convolution's blocks: where C is and what runs before it is stored.
  struct GemmTile {
    int64_t K = 0, ldb = 0, ldc = 0;
    Value *b = nullptr, *c = nullptr;
    Value *bias = nullptr; ///< fused epilogue: + bias[n] (N floats), then
    bool relu = false;     ///< relu, or a leaky relu with slope `alpha`:
    /// 1 as LeakyRelu (x > 0 ? x : x * alpha), 2 as Maximum(alpha * x, x),
    /// 3 as Maximum(x, alpha * x) -- each exactly as the op it replaces.
    int leaky = 0;
    float alpha = 0;
    bool sigmoid = false; ///< then 1 / (1 + exp(-x)), as the Sigmoid op
    /// Values of the model function that `rowPtrs` reads (A, its stride):
    /// the GEMM runs in an outlined task, which gets them in `cap`.
    std::vector<Value *> captures;
    /// Fills the pointers to rows m0 .. m0 + rows - 1 of A (K floats each).
    std::function<void(Value *m0, unsigned rows, std::vector<Value *> &ptrs, const std::vector<Value *> &cap)> rowPtrs;
    std::string shape; ///< what rowPtrs depends on besides `cap` (its task's key)
    /// Partial sums per output (Accum::chains): 4 for layers one vector
    /// wide, whose single chain per output would wait on the FMA latency.
    unsigned chains = 1;
    bool denseA = false; ///< rows of A are K floats apart (gemmTile prefetches the next block)
    /// Columns per work unit (gemmGroup(N)), set by gemmRows.
    int64_t group = 0;
    /// B packed in panels of 32 columns (packColumns): 0 when B is row-major with
    /// rows `ldb` floats apart; else the last panel's row stride (see
    /// packColumns), and panel j's K x 32 block starts at j * K * 32.
    int64_t packedLastLd = 0;
    int64_t N = 0;
  };
  /// Consecutive vectors of B that one pointer and row stride address.
  struct BSpan {
    Value *b;
    int64_t ldb;
    unsigned nv;
  };
  /// The accumulators of a block of `rows` x `nv` 16-float vectors, the last
  /// one masked to `tail` lanes when `tail` < 16 (allocas of the entry block:
  /// SROA makes them registers).
  /// With `chains` > 1 each output has that many partial sums, chain p
  /// taking the terms k = p (mod chains); accStore adds them pairwise.
  struct Accum {
    std::vector<llvm::AllocaInst *> acc; ///< [row][vector][chain]
    unsigned rows = 0, nv = 0, tail = 16, chains = 1;
    llvm::AllocaInst *at(unsigned r, unsigned v, unsigned p) const { return acc[(r * nv + v) * chains + p]; }
  };
  Accum accBegin(unsigned rows, unsigned nv, unsigned tail, unsigned chains = 1);
  /// With `ahead`, each term k also prefetches (into L2) byte k * aheadStep
  /// from `ahead`: the next row block of A while this block's first panel runs.
  void accTerms(Accum &a, const std::vector<Value *> &rowPtr, const std::vector<BSpan> &bs, int64_t len,
                Value *ahead = nullptr, int64_t aheadStep = 0);
  void accStore(const Accum &a, const GemmTile &t, Value *m0, Value *n0);
  /// A 16-float vector at `p`; with `masked`, only the first `tail` lanes.
  Value *vecLoad(Value *p, bool masked, unsigned tail);
  llvm::Constant *laneMask(unsigned tail);
  /// Emits PREFIX.task.K(ctx, begin, end) running `body` on units [begin,
  /// end) with `vals` (values of the model function) in `cap`, and runs it
  /// on units [0, units) (see runUnits). `key` names everything the body's
  /// code depends on besides `cap`: a second op with the same key (same
  /// shapes and epilogue: image_filter's two convolutions) runs the task
  /// already emitted.
  void outlined(const std::vector<Value *> &vals, Value *units, const std::string &key,
                const std::function<void(const std::vector<Value *> &cap, Value *begin, Value *end)> &body);
  std::map<std::string, llvm::Function *> tasks_;
  static std::string epilogueKey(const GemmTile &t) {
    return std::to_string(t.bias != nullptr) + "," + std::to_string(t.relu) + "," + std::to_string(t.leaky) + "," +
           std::to_string(t.sigmoid) + "," +
           std::to_string(llvm::bit_cast<uint32_t>(t.alpha)); // the exact slope
  }
  /// A convolution's shape: input H x W x C, output OH x OW x OC, filter
  /// KH x KW, strides, dilations and the padding before the first row/column.
  struct ConvGeom {
    int64_t H, W, C, OH, OW, OC, KH, KW, sh, sw, dh, dw, pt, pl;
  };
  /// Conv2D `n`'s shape; true when it runs as a direct convolution (shapes
  /// known, and not so many k-loops that the plain loop nest is better).
  static bool directConv(const Graph &g, const Plan &plan, const Node &n, ConvGeom &geom);
  /// The variable `r` reads (directly or through Identity), or -1.
  NodeID weightVariable(const TensorRef &r) const {
    const Node *src = &g_.node(r.node);
    if (src->op == "Identity" && g_.node(src->inputs[0].node).op == "VariableV2")
      src = &g_.node(src->inputs[0].node);
    return src->op == "VariableV2" ? src->id : static_cast<NodeID>(-1);
  }
  void convDirect(const GemmTile &t, const ConvGeom &g, Value *x, Value *batch);
  void convRow(const GemmTile &t, const ConvGeom &g, Value *x, Value *nb, Value *oh, Value *n0, int64_t width);
  /// The blocks of an output row for a panel of `width` channels: `count`
  /// blocks of `rows` pixels from `ow0` with the same pixel range per kw
  /// (count > 1 only for blocks whose every pixel reads inside the image).
  struct ConvRun {
    int64_t ow0, rows, count;
    std::vector<std::pair<int64_t, int64_t>> ranges;
  };
  static std::vector<ConvRun> convRuns(const ConvGeom &g, int64_t width);
  /// The output channels in panels: `full` of 32 channels from channel 0,
  /// then, when `count` > `full`, one of `lastWidth` from `lastN0`. A rest
  /// of at most 16 channels after a full panel joins it (one panel of 3
  /// vectors, the last masked: 64 -> 36 channels as 32 + 4 took a 4-channel
  /// panel as costly as the 32-channel one).
  struct ConvPanels {
    int64_t count, full, lastWidth, lastN0;
  };
  static ConvPanels convPanels(int64_t OC) {
    int64_t full = OC / 32, rest = OC % 32;
    if (rest == 0)
      return {full, full, 0, 0};
    if (full > 0 && rest <= 16)
      return {full, full - 1, 32 + rest, (full - 1) * 32};
    return {full + 1, full, rest, full * 32};
  }
  /// A filter [R = KH * KW * C, OC] (HWIO) by convPanels: each panel's
  /// block of R rows of its width rounded up to 16 floats (zeros past OC),
  /// from row 0 at n0 * R (full panels are 32 wide from channel 0). A block
  /// of the convolution then streams one contiguous part of the filter
  /// (rows of 24 or 36 channels straddled cache lines; a 32-channel panel
  /// of 64 read half of every 256-byte row).
  static int64_t convPackedSize(int64_t R, int64_t OC) {
    ConvPanels pp = convPanels(OC);
    return (pp.count > pp.full ? pp.lastN0 + (pp.lastWidth + 15) / 16 * 16 : 32 * pp.full) * R;
  }
  static std::vector<float> convPack(const std::vector<float> &w, int64_t R, int64_t OC) {
    ConvPanels pp = convPanels(OC);
    std::vector<float> out(static_cast<size_t>(convPackedSize(R, OC)), 0.0f);
    for (int64_t p = 0; p < pp.count; ++p) {
      int64_t n0 = p < pp.full ? 32 * p : pp.lastN0, width = p < pp.full ? 32 : pp.lastWidth, ld = (width + 15) / 16 * 16;
      for (int64_t r = 0; r < R; ++r)
        for (int64_t c = 0; c < width; ++c)
          out[static_cast<size_t>(n0 * R + r * ld + c)] = w[static_cast<size_t>(r * OC + n0 + c)];
    }
    return out;
  }
  /// The k-loops the direct convolution emits per output row (all panels).
  static int64_t convCopies(const ConvGeom &g) {
    ConvPanels pp = convPanels(g.OC);
    int64_t n = 0;
    for (int64_t width : {pp.full > 0 ? int64_t{32} : int64_t{0}, pp.count > pp.full ? pp.lastWidth : int64_t{0}})
      if (width > 0)
        for (const ConvRun &c : convRuns(g, width))
          n += static_cast<int64_t>(convSpans(g, c.ranges).size());
    return n;
  }
  /// The k-loops of a block per filter row, as (first kw, number of kw):
  /// undilated along the row (dw = 1, any stride), consecutive kw whose
  /// pixels read inside the image alike (all of them, in a block away from
  /// the edges) take their terms as one k-loop -- pixel r's input at term
  /// kw * C + c is ((ow0 + r) * sw + kw - pl) * C + c and its weight row (kh * KW
  /// + kw) * C + c, both linear in the term (NHWC and HWIO). The same terms
  /// in the same order. A kw that reads no pixel of the block has no loop.
  static std::vector<std::pair<int64_t, int64_t>> convSpans(const ConvGeom &g,
                                                            const std::vector<std::pair<int64_t, int64_t>> &ranges) {
    std::vector<std::pair<int64_t, int64_t>> out;
    for (int64_t kw = 0, span = 1; kw < g.KW; kw += span) {
      for (span = 1; g.dw == 1 && kw + span < g.KW && ranges[static_cast<size_t>(kw + span)] == ranges[static_cast<size_t>(kw)];)
        ++span;
      if (ranges[static_cast<size_t>(kw)].first < ranges[static_cast<size_t>(kw)].second)
        out.emplace_back(kw, span);
    }
    return out;
  }
  void convBlock(const GemmTile &t, const ConvGeom &g, Value *x, Value *nb, Value *oh, Value *n0, unsigned nv,
                 unsigned tail, Value *ow0, unsigned rows, const std::vector<std::pair<int64_t, int64_t>> &ranges);
  /// The bias-add and relu that follow a MatMul/Conv2D and can run in its
  /// epilogue: single consumers, not fetched, a float32 [N] bias. Fills `t`
  /// and returns the node whose output the GEMM writes.
  const Node &fuseEpilogue(const Node &n, int64_t N, GemmTile &t);
  bool soleConsumer(const Node &n, const std::string &op, const Node *&out) const;
  const Node *leakyMaximum(const Node &x, GemmTile &t);
  void lowerAhead(NodeID id);
  /// The block of rows m0 .. m0 + rows - 1 of C times `nv` vectors from
  /// column g * t.group + off (g a group index: a run-time value only in
  /// the code of full groups, whose panels stay in group g).
  void gemmTile(const GemmTile &t, Value *m0, Value *g, int64_t off, unsigned rows, unsigned nv, unsigned tail,
                bool first = false);
  void gemmRows(const GemmTile &t, Value *M, int64_t N);
  void runUnits(llvm::Function *task, Value *ctx, Value *n);
  /// Code for the units whose index `idx` is below `full` (all of one
  /// width: `whole`) and for the others (the narrower last one: `last`),
  /// each emitted once; no branch when all or none of the `count` are full.
  void byWidth(Value *idx, int64_t full, int64_t count, const std::function<void()> &whole,
               const std::function<void()> &last, const std::string &name) {
    if (full == count || full == 0)
      return full ? whole() : last();
    llvm::BasicBlock *wide = llvm::BasicBlock::Create(ctx_, name + ".full", fn_);
    llvm::BasicBlock *narrow = llvm::BasicBlock::Create(ctx_, name + ".last", fn_);
    llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx_, name + ".done", fn_);
    b_.CreateCondBr(b_.CreateICmpULT(idx, b_.getInt64(full)), wide, narrow);
    b_.SetInsertPoint(wide);
    whole();
    b_.CreateBr(done);
    b_.SetInsertPoint(narrow);
    last();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  }
  unsigned taskCount_ = 0;
  Value *pforArg_ = nullptr, *poolArg_ = nullptr; ///< PREFIX_run_parallel's parallel_for and pool
  void gemm(GemmTile t, Value *M, int64_t N, int64_t K, Value *a, Value *lda, Value *bm, Value *c);
  void gather(const Node &n);
  void select(const Node &n);
  void batchNorm(const Node &n);
  void remap(const Node &n);
  void sequenceOp(const Node &n);
  void split(const Node &n);
  void conv2d(const Node &n);
  void conv2dTranspose(const Node &n);
  void pool(const Node &n, bool isMax);
  void lrn(const Node &n);
  void depthwise(const Node &n);
  void reduce(const Node &n);
  void softmax(const Node &n, bool log);
  void transpose(const Node &n);
  void concat(const Node &n, bool pack);
  void stridedSlice(const Node &n);
  void argMax(const Node &n);
  void random(const Node &n);
  llvm::Function *mixFn_ = nullptr;
  Value *mix64(Value *x);
  Value *unitDouble(Value *key, Value *counter);
  void copy(DType t, Value *dst, Value *src, Value *n) {
    loop(n, [&](Value *i) { store(t, load(t, src, i), dst, i); }, "copy");
  }
  /// True (i1) when tf.cond branch `c` is taken: its pred_id equals its
  /// branch; with `nested`, every enclosing branch is taken too.
  Value *branchTaken(int32_t c, bool nested) {
    Value *all = b_.getTrue();
    for (; c >= 0; c = nested ? g_.conds.at(static_cast<size_t>(c)).parent : -1) {
      const CondContext &cc = g_.conds.at(static_cast<size_t>(c));
      auto it = bufs_.find(Key{cc.pred.node, cc.pred.index});
      if (it == bufs_.end())
        throw Unsupported{"internal: the pred_id of a tf.cond was not lowered"};
      Value *p = load(DType::Bool, it->second, b_.getInt64(0));
      all = b_.CreateAnd(all, cc.branch ? p : b_.CreateNot(p));
    }
    return all;
  }
  void merge(const Node &n);
  void topK(const Node &n);
  void spaceToBatch(const Node &n, bool toBatch);
  void resize(const Node &n, bool bilinear);
  /// Lowers `n`; inside a tf.cond branch, only when the branch is taken.
  void lowerGated(const Node &n);
  /// The float32 value of `r` when the code embeds it: a Const, or a
  /// variable (or its read) when the weights are not bound at run time.
  std::optional<std::vector<float>> staticFloats(const TensorRef &r) const {
    const Node *src = &g_.node(r.node);
    if (src->op == "Identity" && g_.node(src->inputs[0].node).op == "VariableV2")
      src = &g_.node(src->inputs[0].node);
    if (src->op == "Const" && src->value && src->value->dtype == DType::Float32)
      return std::vector<float>(src->value->f.begin(), src->value->f.end());
    if (src->op == "VariableV2" && !opts_.externalWeights) {
      auto it = weights_.find(src->id);
      if (it != weights_.end())
        return it->second;
    }
    return std::nullopt;
  }
  const TensorData *constInput(const Node &n, size_t i) const {
    const Node &src = g_.node(n.inputs.at(i).node);
    return src.op == "Const" ? src.value.get() : nullptr;
  }
  int64_t attrInt(const Node &n, const char *k, int64_t dflt) const {
    auto it = n.attrs.find(k);
    return it != n.attrs.end() && std::holds_alternative<int64_t>(it->second) ? std::get<int64_t>(it->second) : dflt;
  }
  std::vector<int64_t> attrInts(const Node &n, const char *k) const {
    auto it = n.attrs.find(k);
    if (it == n.attrs.end() || !std::holds_alternative<std::vector<int64_t>>(it->second))
      throw Unsupported{"'" + n.name + "' has no attribute " + k};
    return std::get<std::vector<int64_t>>(it->second);
  }
};

bool Lowerer::directConv(const Graph &g, const Plan &plan, const Node &n, ConvGeom &geom) {
  auto dimsOf = [&](TensorRef t) -> const std::vector<int64_t> & {
    auto it = plan.dims.find(t.node);
    return it != plan.dims.end() && t.index == 0 ? it->second : g.type(t).shape.dims;
  };
  const std::vector<int64_t> &xd = dimsOf(n.inputs[0]), &wd = dimsOf(n.inputs[1]), &od = dimsOf(TensorRef{n.id, 0});
  auto ints = [&](const char *k, std::vector<int64_t> dflt) {
    auto it = n.attrs.find(k);
    return it != n.attrs.end() && std::holds_alternative<std::vector<int64_t>>(it->second)
               ? std::get<std::vector<int64_t>>(it->second)
               : dflt;
  };
  std::vector<int64_t> st = ints("strides", {1, 1, 1, 1}), dil = ints("dilations", {1, 1, 1, 1});
  auto pad = n.attrs.find("padding");
  bool same = pad != n.attrs.end() && std::holds_alternative<std::string>(pad->second) &&
              std::get<std::string>(pad->second) == "SAME";
  if (xd.size() != 4 || wd.size() != 4 || od.size() != 4 || st.size() != 4 || dil.size() != 4)
    return false;
  int64_t H = xd[1], W = xd[2], C = xd[3], KH = wd[0], KW = wd[1], OC = wd[3], OH = od[1], OW = od[2];
  geom = {H, W, C, OH, OW, OC, KH, KW, st[1], st[2], dil[1], dil[2], padBefore(same, H, OH, KH, st[1], dil[1]),
          padBefore(same, W, OW, KW, st[2], dil[2])};
  // The direct convolution emits a k-loop per filter column and block kind:
  // a filter far wider than usual (or padding touching most blocks) takes
  // the plain loop nest instead -- the same terms in the same order.
  constexpr int64_t kMaxConvCopies = 512;
  return H >= 0 && W >= 0 && C >= 0 && OC > 0 && KH > 0 && KW > 0 && OH > 0 && OW > 0 && convCopies(geom) <= kMaxConvCopies;
}

Lowerer::PackedUse Lowerer::packedUse(const Graph &g, const Plan &plan, NodeID var) {
  std::set<NodeID> reads = {var};
  for (NodeID id : plan.nodes) {
    const Node &n = g.node(id);
    if (n.op == "Identity" && !n.inputs.empty() && reads.count(n.inputs[0].node))
      reads.insert(id);
  }
  for (const Binding &f : plan.fetches)
    if (reads.count(f.tensor.node))
      return kKept;
  PackedUse use = kKept;
  const std::vector<int64_t> &vd = g.node(var).outputs[0].shape.dims;
  for (NodeID id : plan.nodes) {
    const Node &n = g.node(id);
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (!reads.count(n.inputs[i].node) || (n.op == "Identity" && reads.count(id)))
        continue;
      auto flag = [&](const char *k) { return n.attrs.count(k) && std::get<bool>(n.attrs.at(k)); };
      ConvGeom geom;
      PackedUse here = kKept;
      if (n.op == "MatMul" && i == 1 && !flag("transpose_a") && !flag("transpose_b") && vd.size() == 2 && vd[0] >= 0 &&
          vd[1] >= 0)
        here = kMatMul;
      else if (n.op == "Conv2D" && i == 1 && directConv(g, plan, n, geom))
        here = kConv;
      if (here == kKept || (use != kKept && use != here))
        return kKept;
      use = here;
    }
  }
  return use;
}

int64_t Lowerer::packedElements(const Graph &g, const Plan &plan, NodeID var) {
  const std::vector<int64_t> &d = g.node(var).outputs[0].shape.dims;
  switch (packedUse(g, plan, var)) {
  case kMatMul: return packedSize(d[0], d[1]);
  case kConv: return convPackedSize(d[0] * d[1] * d[2], d[3]);
  default: return g.node(var).outputs[0].shape.numElements();
  }
}

void Lowerer::elementwise(const Node &n, const std::vector<size_t> &ins,
                          const std::function<Value *(std::vector<Value *> &)> &op) {
  const std::vector<int64_t> &od = outDims(n);
  Value *out = output(n);
  std::vector<Value *> bases;
  bool flat = true;
  for (size_t i : ins) {
    bases.push_back(input(n, i));
    const std::vector<int64_t> &d = dims(n.inputs[i]);
    int64_t elems = 1;
    for (int64_t x : d)
      elems *= x < 0 ? 2 : x;
    if (d != od && elems != 1)
      flat = false;
  }
  if (flat) {
    loop(count(od), [&](Value *i) {
      std::vector<Value *> vals;
      for (size_t k = 0; k < ins.size(); ++k) {
        const std::vector<int64_t> &d = dims(n.inputs[ins[k]]);
        vals.push_back(load(inType(n, ins[k]), bases[k], d == od ? i : b_.getInt64(0)));
      }
      store(outType(n), op(vals), out, i);
    }, "e");
    return;
  }
  // Broadcasting: each input's stride is 0 along the dimensions it repeats.
  std::vector<std::vector<Value *>> inStrides;
  for (size_t i : ins) {
    const std::vector<int64_t> &d = dims(n.inputs[i]);
    std::vector<Value *> own = strides(d);
    std::vector<Value *> s(od.size(), b_.getInt64(0));
    size_t off = od.size() - d.size();
    for (size_t k = 0; k < d.size(); ++k)
      if (!(d[k] == 1 && od[k + off] != 1))
        s[k + off] = own[k];
    inStrides.push_back(s);
  }
  std::vector<Value *> outStrides = strides(od);
  nest(od, [&](std::vector<Value *> &idx) {
    std::vector<Value *> vals;
    for (size_t k = 0; k < ins.size(); ++k)
      vals.push_back(load(inType(n, ins[k]), bases[k], linear(idx, inStrides[k])));
    store(outType(n), op(vals), out, linear(idx, outStrides));
  });
}

llvm::Constant *Lowerer::laneMask(unsigned tail) {
  std::vector<llvm::Constant *> lanes;
  for (unsigned l = 0; l < 16; ++l)
    lanes.push_back(b_.getInt1(l < tail));
  return llvm::ConstantVector::get(lanes);
}

Value *Lowerer::vecLoad(Value *p, bool masked, unsigned tail) {
  auto *vty = llvm::FixedVectorType::get(f32_, 16);
  if (!masked || tail >= 16)
    return b_.CreateAlignedLoad(vty, p, llvm::Align(4));
  return b_.CreateMaskedLoad(vty, p, llvm::Align(4), laneMask(tail), llvm::Constant::getNullValue(vty));
}

Lowerer::Accum Lowerer::accBegin(unsigned rows, unsigned nv, unsigned tail, unsigned chains) {
  auto *vty = llvm::FixedVectorType::get(f32_, 16);
  Accum a;
  a.rows = rows;
  a.nv = nv;
  a.tail = tail;
  a.chains = chains;
  a.acc.resize(rows * nv * chains);
  for (auto &p : a.acc)
    p = entryAlloca(vty, "acc");
  for (auto *p : a.acc)
    b_.CreateStore(llvm::Constant::getNullValue(vty), p);
  return a;
}

/// acc[r][v] += A_r[k] * B[k, 16 v ...] for k = 0 .. len - 1, in order, one
/// fused multiply-add per term, term k into chain k mod a.chains (every
/// output is the same deterministic chains whatever the blocking, as long
/// as the blocks of one GEMM agree on a.chains); the spans `bs` address the
/// block's vectors of B in order, each at its row 0. A row whose pointer is null takes no
/// terms (a convolution's pixel for which the tap is in the padding).
void Lowerer::accTerms(Accum &a, const std::vector<Value *> &rowPtr, const std::vector<BSpan> &bs, int64_t len,
                       Value *ahead, int64_t aheadStep) {
  auto *vty = llvm::FixedVectorType::get(f32_, 16);
  llvm::Function *fma = llvm::Intrinsic::getDeclaration(&m_, llvm::Intrinsic::fma, {vty});
  llvm::Function *prefetch = llvm::Intrinsic::getDeclaration(&m_, llvm::Intrinsic::prefetch, {ptr_});
  // Term k into chain p.
  auto term = [&](Value *k, unsigned p) {
    if (ahead) // a hint: no fault even past the end of A (a plain GEP, not inbounds)
      b_.CreateCall(prefetch, {b_.CreateGEP(b_.getInt8Ty(), ahead, b_.CreateMul(k, b_.getInt64(aheadStep))), b_.getInt32(0),
                               b_.getInt32(2), b_.getInt32(1)});
    std::vector<Value *> bv;
    for (const BSpan &s : bs) {
      Value *brow = b_.CreateInBoundsGEP(f32_, s.b, b_.CreateMul(k, b_.getInt64(s.ldb)));
      for (unsigned j = 0; j < s.nv; ++j)
        bv.push_back(vecLoad(b_.CreateConstInBoundsGEP1_64(f32_, brow, 16 * j), bv.size() + 1 == a.nv, a.tail));
    }
    for (unsigned r = 0; r < a.rows; ++r) {
      if (!rowPtr[r])
        continue;
      Value *splat = b_.CreateVectorSplat(16, b_.CreateLoad(f32_, b_.CreateInBoundsGEP(f32_, rowPtr[r], k)));
      for (unsigned v = 0; v < a.nv; ++v) {
        llvm::AllocaInst *acc = a.at(r, v, p);
        b_.CreateStore(b_.CreateCall(fma, {splat, bv[v], b_.CreateLoad(vty, acc)}), acc);
      }
    }
  };
  // Two terms per iteration at least: half the loop's scalar instructions,
  // which otherwise take FMA ports now and then (measured 1% faster on the
  // 12 x 32 tile in a C copy, medians of alternating runs). A single row of
  // at most 8 vectors, which streams B from L2 (batch 1), takes 4: more of
  // its loads in flight (alternating runs: mlp's half rows on two threads
  // -3%, the discriminator's 128-wide row on one -4%; a 16-vector row
  // gains nothing).
  const int64_t c = a.chains, step = std::max<int64_t>(c, a.rows == 1 && a.nv <= 8 ? 4 : 2);
  loop(b_.getInt64(len / step), [&](Value *i) {
    for (int64_t j = 0; j < step; ++j)
      term(b_.CreateAdd(b_.CreateMul(i, b_.getInt64(step)), b_.getInt64(j)), static_cast<unsigned>(j % c));
  }, "k");
  for (int64_t k = len / step * step; k < len; ++k)
    term(b_.getInt64(k), static_cast<unsigned>(k % c));
}

/// C[m0 + r, n0 + 16 v ...] = the epilogue of acc[r][v].
void Lowerer::accStore(const Accum &a, const GemmTile &t, Value *m0, Value *n0) {
  auto *vty = llvm::FixedVectorType::get(f32_, 16);
  Value *zero = llvm::Constant::getNullValue(vty);
  llvm::Constant *mask = laneMask(a.tail);
  for (unsigned r = 0; r < a.rows; ++r) {
    Value *crow = b_.CreateInBoundsGEP(f32_, t.c, b_.CreateAdd(b_.CreateMul(b_.CreateAdd(m0, b_.getInt64(r)), b_.getInt64(t.ldc)), n0));
    for (unsigned v = 0; v < a.nv; ++v) {
      bool masked = v + 1 == a.nv && a.tail < 16;
      Value *p = b_.CreateConstInBoundsGEP1_64(f32_, crow, 16 * v);
      // The chains' partial sums pairwise: (c0 + c1) + (c2 + c3).
      std::vector<Value *> part;
      for (unsigned q = 0; q < a.chains; ++q)
        part.push_back(b_.CreateLoad(vty, a.at(r, v, q)));
      for (size_t w = 1; w < part.size(); w *= 2)
        for (size_t q = 0; q + w < part.size(); q += 2 * w)
          part[q] = b_.CreateFAdd(part[q], part[q + w]);
      Value *x = part[0];
      if (t.bias)
        x = b_.CreateFAdd(x, vecLoad(b_.CreateConstInBoundsGEP1_64(f32_, b_.CreateInBoundsGEP(f32_, t.bias, n0), 16 * v), masked, a.tail));
      if (t.relu) // as the Relu op: NaN and negatives give 0
        x = b_.CreateSelect(b_.CreateFCmpOGT(x, zero), x, zero);
      if (t.leaky) {
        Value *ax = b_.CreateFMul(x, llvm::ConstantFP::get(vty, t.alpha));
        x = t.leaky == 1   ? b_.CreateSelect(b_.CreateFCmpOGT(x, zero), x, ax)
            : t.leaky == 2 ? b_.CreateSelect(b_.CreateFCmpOGE(ax, x), ax, x)
                           : b_.CreateSelect(b_.CreateFCmpOGE(x, ax), x, ax);
      }
      if (t.sigmoid)
        x = sigmoid(x);
      if (masked)
        b_.CreateMaskedStore(x, p, llvm::Align(4), mask);
      else
        b_.CreateAlignedStore(x, p, llvm::Align(4));
    }
  }
}

void Lowerer::gemmTile(const GemmTile &t, Value *m0, Value *g, int64_t off, unsigned rows, unsigned nv, unsigned tail,
                       bool first) {
  Accum a = accBegin(rows, nv, tail, t.chains);
  std::vector<Value *> ptrs(rows);
  t.rowPtrs(m0, rows, ptrs, t.captures);
  // The first panel of a row block whose rows of A are contiguous (lda =
  // K) fetches the next block's rows into L2 on the way: A is the one
  // operand that comes from beyond L2 at large batches (mlp N=1024: 3 MiB;
  // measured 2-3% faster in a C copy of the kernel).
  Value *ahead = nullptr;
  if (first && t.denseA)
    ahead = b_.CreateGEP(f32_, ptrs[0], b_.getInt64(static_cast<int64_t>(rows) * t.K));
  Value *n0 = b_.CreateAdd(b_.CreateMul(g, b_.getInt64(t.group)), b_.getInt64(off));
  std::vector<BSpan> bs;
  if (!t.packedLastLd) {
    bs.push_back({b_.CreateInBoundsGEP(f32_, t.b, n0), t.ldb, nv});
  } else {
    // Packed: the vectors of each panel (a run-time g is a full group, so
    // only a static one reaches the last panel).
    auto *gc = llvm::dyn_cast<llvm::ConstantInt>(g);
    const int64_t lastPanel = (t.N - 1) / kPanel;
    for (unsigned v = 0; v < nv;) {
      int64_t c = off + 16 * static_cast<int64_t>(v), j = c / kPanel, within = c % kPanel;
      unsigned n = std::min<unsigned>(nv - v, static_cast<unsigned>((kPanel - within) / 16));
      int64_t ld = gc && static_cast<int64_t>(gc->getZExtValue()) * (t.group / kPanel) + j == lastPanel ? t.packedLastLd : kPanel;
      Value *panel = b_.CreateAdd(b_.CreateMul(g, b_.getInt64(t.group / kPanel)), b_.getInt64(j));
      Value *at = b_.CreateAdd(b_.CreateMul(panel, b_.getInt64(t.K * kPanel)), b_.getInt64(within));
      bs.push_back({b_.CreateInBoundsGEP(f32_, t.b, at), ld, n});
      v += n;
    }
  }
  accTerms(a, ptrs, bs, t.K, ahead, static_cast<int64_t>(rows) * 4);
  accStore(a, t, m0, n0);
}

void Lowerer::outlined(const std::vector<Value *> &vals, Value *units, const std::string &key,
                       const std::function<void(const std::vector<Value *> &cap, Value *begin, Value *end)> &body) {
  // Captured values travel in a struct.
  std::vector<llvm::Type *> types;
  for (Value *v : vals)
    types.push_back(v->getType());
  auto *ctxTy = llvm::StructType::get(ctx_, types);
  llvm::Function *&task = tasks_[key];
  if (!task) {
    task = llvm::Function::Create(llvm::FunctionType::get(b_.getVoidTy(), {ptr_, i64_, i64_}, false),
                                  llvm::Function::PrivateLinkage, opts_.prefix + ".task." + std::to_string(taskCount_++), m_);
    llvm::IRBuilderBase::InsertPointGuard guard(b_);
    llvm::Function *outer = fn_;
    Value *outerBatch = batch_;
    fn_ = task;
    batch_ = nullptr; // the task sees only what it captured
    b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", task));
    std::vector<Value *> cap;
    for (unsigned i = 0; i < vals.size(); ++i)
      cap.push_back(b_.CreateLoad(types[i], b_.CreateStructGEP(ctxTy, task->getArg(0), i)));
    body(cap, task->getArg(1), task->getArg(2));
    b_.CreateRetVoid();
    fn_ = outer;
    batch_ = outerBatch;
  }
  // The model function: fill the context, then run the units. The context
  // lives in the scratch buffer (its own 64-byte slot per call site), and is
  // written only when a value differs from the last call's: the pool's
  // worker then finds it in its cache, unchanged, instead of fetching a line
  // the caller just wrote (an empty two-thread parallel_for with a context:
  // 0.49 -> 0.35 us).
  auto bytes = static_cast<int64_t>((m_.getDataLayout().getTypeAllocSize(ctxTy).getFixedValue() + 63) / 64 * 64);
  Value *off = b_.CreateAdd(b_.getInt64(scratchA_), b_.CreateMul(b_.getInt64(scratchC_), batch_));
  scratchA_ += bytes;
  Value *ctx = b_.CreateInBoundsGEP(b_.getInt8Ty(), scratch_, off, "task.ctx");
  Value *changed = b_.getFalse();
  for (unsigned i = 0; i < vals.size(); ++i) {
    Value *old = b_.CreateLoad(types[i], b_.CreateStructGEP(ctxTy, ctx, i));
    Value *now = vals[i];
    if (types[i]->isFloatingPointTy()) {
      auto *bits = b_.getIntNTy(types[i]->getPrimitiveSizeInBits());
      old = b_.CreateBitCast(old, bits);
      now = b_.CreateBitCast(now, bits);
    }
    changed = b_.CreateOr(changed, b_.CreateICmpNE(old, now));
  }
  ifThen(changed, [&] {
    for (unsigned i = 0; i < vals.size(); ++i)
      b_.CreateStore(vals[i], b_.CreateStructGEP(ctxTy, ctx, i));
  }, "task.ctx.update");
  runUnits(task, ctx, units);
}

/// All of C[M, :N], as work units a thread pool can share: a unit is one
/// row block (12 rows, or the remaining rows: blocks of 4, then single rows)
/// times one group of 128 columns. Every output is computed the same way in
/// any unit order and any split between threads: the results are bitwise
/// identical for any thread count. The units run in an outlined task,
/// PREFIX.task.K(ctx, begin, end), called directly or through the host's
/// parallel_for (PREFIX_run_parallel).
void Lowerer::gemmRows(const GemmTile &tile, Value *M, int64_t N) {
  // 12 x 32 blocks: per k, 2 vector loads of B and 12 broadcasts feed 24
  // FMAs (measured faster than 6 x 64 and 8 x 48 on the MLP: less of B per
  // FMA from L2).
  unsigned nvMax = static_cast<unsigned>(std::min<int64_t>(2, (N + 15) / 16));
  // A layer one vector wide (N <= 16: mlp's 256 x 10, the discriminator's
  // 128 x 1) takes 4 chains per output, in every block (the same sums for a
  // row wherever it falls): 6 rows x 4 chains.
  GemmTile narrow = tile;
  narrow.chains = nvMax == 1 ? 4 : 1;
  unsigned rows = nvMax == 2 ? 12 : 6;
  // 128 columns per unit; 64 for narrow layers, so two threads can split
  // the columns (and B) of a 128-wide layer too.
  const int64_t kGroup = gemmGroup(N);
  narrow.group = kGroup;
  narrow.N = N;
  int64_t groups = (N + kGroup - 1) / kGroup;
  struct Panel {
    int64_t n0;
    unsigned nv, tail;
  };
  // Columns [g0 * kGroup, g1 * kGroup) in panels of up to `widest` vectors.
  auto panels = [&](int64_t g0, int64_t g1, unsigned widest) {
    std::vector<Panel> out;
    int64_t end = std::min(N, g1 * kGroup);
    for (int64_t n0 = g0 * kGroup; n0 < end; n0 += 16 * widest) {
      int64_t width = std::min<int64_t>(end - n0, 16 * widest);
      out.push_back({n0, static_cast<unsigned>((width + 15) / 16), static_cast<unsigned>(width % 16 ? width % 16 : 16)});
    }
    return out;
  };
  // Captured: B, C, the bias, M, then the rows' values.
  std::vector<Value *> vals = {tile.b, tile.c, tile.bias ? tile.bias : llvm::ConstantPointerNull::get(b_.getPtrTy()), M};
  vals.insert(vals.end(), tile.captures.begin(), tile.captures.end());
  Value *units = b_.CreateMul(b_.CreateAdd(b_.CreateUDiv(M, b_.getInt64(rows)),
                                           b_.CreateZExt(b_.CreateICmpNE(b_.CreateURem(M, b_.getInt64(rows)), b_.getInt64(0)), i64_)),
                              b_.getInt64(groups));
  std::string key = "gemm:" + std::to_string(N) + "," + std::to_string(tile.K) + "," + std::to_string(tile.ldb) + "," +
                    std::to_string(tile.ldc) + "," + std::to_string(tile.packedLastLd) + "," + tile.shape + "," +
                    epilogueKey(tile);
  outlined(vals, units, key, [&](const std::vector<Value *> &cap, Value *begin, Value *end) {
    GemmTile t = narrow;
    t.b = cap[0];
    t.c = cap[1];
    t.bias = tile.bias ? cap[2] : nullptr;
    Value *m = cap[3];
    t.captures.assign(cap.begin() + 4, cap.end());
    Value *blocks = b_.CreateUDiv(m, b_.getInt64(rows));
    Value *rowUnits = b_.CreateAdd(blocks, b_.CreateZExt(b_.CreateICmpNE(b_.CreateURem(m, b_.getInt64(rows)), b_.getInt64(0)), i64_));
    // The order of the units, the same for every thread (it depends on M
    // and N only, or on one thread running them all): row blocks in chunks
    // of `chunkRows`, each chunk group by group.
    // - One thread: chunks of one row block (row-block major) -- a block of
    //   A stays in L1 across the groups -- while B fits in half the L2 (1
    //   MiB); a larger B takes chunks of 8 like threads sharing a tall GEMM,
    //   so one group's part of B is read by 8 row blocks while it is in L2
    //   instead of all of B streaming from L3 for every block (784 x 500:
    //   batch 500 -13%, batch 32 -20%, alternating runs).
    // - Threads sharing a GEMM with M < N: one chunk (column-group major) --
    //   a thread's contiguous range covers few groups and reads only their
    //   part of B (two threads on mlp's 784 x 256 layer at batch 64 each
    //   keep half of it in their core's L2).
    // - Threads sharing one with M >= N: chunks of 8 -- a thread's range is
    //   mostly whole chunks of its own rows, so it writes whole rows of C,
    //   which the next layer's units for those rows read on the same core
    //   (mlp N=1024 on two threads: 1.13 ms against 1.18 ms splitting the
    //   columns), and keeps one group's part of B hot at a time (in a C copy,
    //   slow spell: row-block major 1467-1519 us, group major within each
    //   thread's rows 1263-1304 us; on one thread row-block major stays
    //   4-5% ahead).
    constexpr int64_t kChunk = 8;
    Value *alone = b_.CreateAnd(b_.CreateICmpEQ(begin, b_.getInt64(0)),
                                b_.CreateICmpEQ(end, b_.CreateMul(rowUnits, b_.getInt64(groups))));
    Value *tall = b_.CreateICmpUGE(m, b_.getInt64(N));
    Value *whole = b_.CreateOr(alone, tall); // every group of a row block on one thread, mostly
    constexpr int64_t kL2Half = 1 << 20;
    const int64_t aloneChunk = tile.K * N * 4 > kL2Half ? kChunk : 1;
    Value *chunkRows = b_.CreateSelect(alone, b_.getInt64(aloneChunk), b_.CreateSelect(tall, b_.getInt64(kChunk), rowUnits));
    Value *chunkUnits = b_.CreateMul(chunkRows, b_.getInt64(groups));
    loop(b_.CreateSub(end, begin), [&](Value *i) {
      Value *u = b_.CreateAdd(begin, i);
      Value *first = b_.CreateMul(b_.CreateUDiv(u, chunkUnits), chunkRows);
      Value *within = b_.CreateURem(u, chunkUnits);
      Value *left = b_.CreateSub(rowUnits, first); // the last chunk may be shorter
      Value *size = b_.CreateSelect(b_.CreateICmpULT(left, chunkRows), left, chunkRows);
      Value *rowUnit = b_.CreateAdd(first, b_.CreateURem(within, size));
      Value *g = b_.CreateUDiv(within, size);
      llvm::BasicBlock *full = llvm::BasicBlock::Create(ctx_, "unit.block", fn_);
      llvm::BasicBlock *rest = llvm::BasicBlock::Create(ctx_, "unit.rest", fn_);
      llvm::BasicBlock *next = llvm::BasicBlock::Create(ctx_, "unit.next", fn_);
      b_.CreateCondBr(b_.CreateICmpULT(rowUnit, blocks), full, rest);
      // One copy of the code for the full-width column groups, which adds
      // the group's first column at run time, and one for a narrower last
      // group (static panels): emit(base, k) with k the group whose panels
      // the code follows.
      const int64_t fullGroups = N / kGroup;
      auto perGroup = [&](const std::function<void(Value *gv, int64_t k)> &emit) {
        byWidth(g, fullGroups, groups, [&] { emit(g, 0); }, [&] { emit(b_.getInt64(0), groups - 1); }, "group");
      };
      b_.SetInsertPoint(full);
      perGroup([&](Value *gv, int64_t k) {
        Value *m0 = b_.CreateMul(rowUnit, b_.getInt64(rows));
        bool first = true;
        for (const Panel &p : panels(k, k + 1, nvMax)) {
          gemmTile(t, m0, gv, p.n0, rows, p.nv, p.tail, first);
          first = false;
        }
      });
      b_.CreateBr(next);
      b_.SetInsertPoint(rest);
      Value *done = b_.CreateMul(blocks, b_.getInt64(rows));
      Value *quads = b_.CreateUDiv(b_.CreateSub(m, done), b_.getInt64(4));
      Value *singles = b_.CreateAdd(done, b_.CreateMul(quads, b_.getInt64(4)));
      // Single rows over the panels of groups [g0, g1) of up to `widest`
      // vectors, from column base.
      auto singleRows = [&](Value *gv, int64_t g0, int64_t g1, unsigned widest) {
        loop(b_.CreateSub(m, singles), [&](Value *r) {
          for (const Panel &p : panels(g0, g1, widest))
            gemmTile(t, b_.CreateAdd(singles, r), gv, p.n0, 1, p.nv, p.tail);
        }, "mr");
      };
      // A single row reads B once, which bounds it (batch 1): when this
      // thread runs every group, the row takes all the columns in passes
      // of whole groups up to 256 columns (16 vectors; one group when
      // wider), so B is read in long runs
      // (measured 7% faster than half rows on mlp's 784 x 256 layer).
      // Group 0 then does the singles of every group, the others none.
      llvm::BasicBlock *allSingles = llvm::BasicBlock::Create(ctx_, "singles.wide", fn_);
      llvm::BasicBlock *groupRest = llvm::BasicBlock::Create(ctx_, "unit.rest.group", fn_);
      b_.CreateCondBr(b_.CreateAnd(b_.getInt1(groups > 1), b_.CreateAnd(whole, b_.CreateICmpEQ(g, b_.getInt64(0)))),
                      allSingles, groupRest);
      b_.SetInsertPoint(allSingles);
      // (the quads of group 0 first, then every group's single rows)
      loop(quads, [&](Value *q) {
        Value *m0 = b_.CreateAdd(done, b_.CreateMul(q, b_.getInt64(4)));
        for (const Panel &p : panels(0, 1, 4))
          gemmTile(t, m0, b_.getInt64(0), p.n0, 4, p.nv, p.tail);
      }, "mq");
      for (int64_t g0 = 0, pass = std::max<int64_t>(1, 256 / kGroup); g0 < groups; g0 += pass)
        singleRows(b_.getInt64(0), g0, std::min(groups, g0 + pass), 16);
      b_.CreateBr(next);
      b_.SetInsertPoint(groupRest);
      perGroup([&](Value *gv, int64_t k) {
        // The rows after the last full block: blocks of 4 rows x 64 (16
        // accumulators), then single rows with up to 8 vectors (8 chains
        // hide the FMA latency) -- unless group 0 of a thread running every
        // group took them all.
        loop(quads, [&](Value *q) {
          Value *m0 = b_.CreateAdd(done, b_.CreateMul(q, b_.getInt64(4)));
          for (const Panel &p : panels(k, k + 1, 4))
            gemmTile(t, m0, gv, p.n0, 4, p.nv, p.tail);
        }, "mq");
        Value *skip = b_.CreateAnd(b_.getInt1(groups > 1), whole);
        llvm::BasicBlock *own = llvm::BasicBlock::Create(ctx_, "singles.group", fn_);
        llvm::BasicBlock *after = llvm::BasicBlock::Create(ctx_, "singles.done", fn_);
        b_.CreateCondBr(skip, after, own);
        b_.SetInsertPoint(own);
        singleRows(gv, k, k + 1, 8);
        b_.CreateBr(after);
        b_.SetInsertPoint(after);
      });
      b_.CreateBr(next);
      b_.SetInsertPoint(next);
    }, "unit");
  });
}

/// Runs units [0, n) of `task`: directly, or through the host's
/// parallel_for(pool, n, task, ctx) when PREFIX_run_parallel got one.
void Lowerer::runUnits(llvm::Function *task, Value *ctx, Value *n) {
  llvm::BasicBlock *serial = llvm::BasicBlock::Create(ctx_, "units.serial", fn_);
  llvm::BasicBlock *pooled = llvm::BasicBlock::Create(ctx_, "units.pool", fn_);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx_, "units.done", fn_);
  // A single unit runs here: waking the pool for it only costs (a batch-1
  // layer with one column group).
  b_.CreateCondBr(b_.CreateOr(b_.CreateIsNull(pforArg_), b_.CreateICmpULE(n, b_.getInt64(1))), serial, pooled);
  b_.SetInsertPoint(serial);
  b_.CreateCall(task, {ctx, b_.getInt64(0), n});
  b_.CreateBr(done);
  b_.SetInsertPoint(pooled);
  auto *pforTy = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, i64_, ptr_, ptr_}, false);
  b_.CreateCall(pforTy, pforArg_, {poolArg_, n, task, ctx});
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

bool Lowerer::soleConsumer(const Node &n, const std::string &op, const Node *&out) const {
  auto u = uses_.find(n.id);
  if (u == uses_.end() || u->second != 1 || fetchIndex_.count(Key{n.id, 0}))
    return false;
  for (NodeID id : plan_.nodes) {
    const Node &c = g_.node(id);
    for (const TensorRef &r : c.inputs)
      if (r.node == n.id) {
        if (c.op != op && !(op == "BiasAdd" && (c.op == "Add" || c.op == "AddV2")))
          return false;
        out = &c;
        return true;
      }
  }
  return false;
}

void Lowerer::lowerAhead(NodeID id) {
  if (bufs_.count(Key{id, 0}))
    return;
  const Node &n = g_.node(id);
  for (const TensorRef &r : n.inputs)
    lowerAhead(r.node);
  lowerNode(n);
  done_.insert(id);
}

const Node &Lowerer::fuseEpilogue(const Node &n, int64_t N, GemmTile &t) {
  const Node *cur = &n, *next = nullptr;
  if (soleConsumer(*cur, "BiasAdd", next) && next->outputs[0].shape.dims == cur->outputs[0].shape.dims) {
    const TensorRef &other = next->inputs[0].node == cur->id ? next->inputs[1] : next->inputs[0];
    const Node &src = g_.node(other.node);
    bool cheap = src.op == "Const" || src.op == "VariableV2" || (src.op == "Identity" && g_.node(src.inputs[0].node).op == "VariableV2");
    if (cheap && g_.type(other).dtype == DType::Float32 && dims(other) == std::vector<int64_t>{N}) {
      lowerAhead(other.node);
      t.bias = bufs_.at(Key{other.node, other.index});
      done_.insert(next->id);
      cur = next;
    }
  }
  if (soleConsumer(*cur, "Relu", next)) {
    t.relu = true;
    done_.insert(next->id);
    cur = next;
  } else if (soleConsumer(*cur, "LeakyRelu", next) && next->outputs[0].dtype == DType::Float32) {
    t.leaky = 1;
    t.alpha = static_cast<float>(next->attrs.count("alpha") ? std::get<double>(next->attrs.at("alpha")) : 0.2);
    done_.insert(next->id);
    cur = next;
  } else if (const Node *mx = leakyMaximum(*cur, t)) {
    cur = mx;
  } else if (soleConsumer(*cur, "Sigmoid", next) && next->outputs[0].dtype == DType::Float32) {
    t.sigmoid = true;
    done_.insert(next->id);
    cur = next;
  }
  return *cur;
}

/// tf.maximum(alpha * x, x) (or its mirror) on `x`, the leaky relu of
/// models written without tf.nn.leaky_relu: x's only consumers are a Mul by a
/// float32 scalar Const and the Maximum of that product and x.
const Node *Lowerer::leakyMaximum(const Node &x, GemmTile &t) {
  auto u = uses_.find(x.id);
  if (u == uses_.end() || u->second != 2 || fetchIndex_.count(Key{x.id, 0}) || x.outputs.size() != 1)
    return nullptr;
  const Node *mul = nullptr, *mx = nullptr;
  for (NodeID id : plan_.nodes) {
    const Node &c = g_.node(id);
    for (const TensorRef &r : c.inputs)
      if (r.node == x.id) {
        if (c.op == "Mul" && !mul)
          mul = &c;
        else if (c.op == "Maximum" && !mx)
          mx = &c;
        else
          return nullptr;
        break;
      }
  }
  if (!mul || !mx || mx->inputs.size() != 2 || mul->inputs.size() != 2)
    return nullptr;
  auto um = uses_.find(mul->id);
  if (um == uses_.end() || um->second != 1 || fetchIndex_.count(Key{mul->id, 0}))
    return nullptr;
  const TensorRef &k = mul->inputs[0].node == x.id ? mul->inputs[1] : mul->inputs[0];
  const Node &kn = g_.node(k.node);
  if (kn.op != "Const" || !kn.value || kn.value->dtype != DType::Float32 || kn.value->f.size() != 1 ||
      !kn.value->shape.dims.empty())
    return nullptr;
  bool mulFirst = mx->inputs[0].node == mul->id && mx->inputs[1].node == x.id;
  bool mulSecond = mx->inputs[1].node == mul->id && mx->inputs[0].node == x.id;
  if ((!mulFirst && !mulSecond) || mx->outputs[0].shape.dims != x.outputs[0].shape.dims ||
      mx->outputs[0].dtype != DType::Float32)
    return nullptr;
  t.leaky = mulFirst ? 2 : 3;
  t.alpha = static_cast<float>(kn.value->f[0]);
  done_.insert(mul->id);
  done_.insert(mx->id);
  return mx;
}

/// C[M, N] = A[M, K] B[K, N], row-major, N and K static.
void Lowerer::gemm(GemmTile t, Value *M, int64_t N, int64_t K, Value *a, Value *lda, Value *bm, Value *c) {
  t.K = K;
  t.b = bm;
  t.ldb = N;
  t.c = c;
  t.ldc = N;
  // A static row stride stays a constant inside the task: the rows' loads
  // then address base + r * lda as displacements (no pointer chain).
  auto *staticLda = llvm::dyn_cast<llvm::ConstantInt>(lda);
  t.captures = staticLda ? std::vector<Value *>{a} : std::vector<Value *>{a, lda};
  t.shape = staticLda ? "lda=" + std::to_string(staticLda->getZExtValue()) : "lda";
  t.denseA = staticLda && staticLda->getSExtValue() == K;
  t.rowPtrs = [&, staticLda](Value *m0, unsigned rows, std::vector<Value *> &ptrs, const std::vector<Value *> &cap) {
    Value *stride = staticLda ? static_cast<Value *>(staticLda) : cap[1];
    Value *base = b_.CreateInBoundsGEP(f32_, cap[0], b_.CreateMul(m0, stride));
    for (unsigned r = 0; r < rows; ++r)
      ptrs[r] = staticLda ? b_.CreateConstInBoundsGEP1_64(f32_, base, static_cast<uint64_t>(r) * staticLda->getZExtValue())
                          : b_.CreateInBoundsGEP(f32_, cap[0], b_.CreateMul(b_.CreateAdd(m0, b_.getInt64(r)), cap[1]));
  };
  gemmRows(t, M, N);
}

void Lowerer::matmul(const Node &n) {
  requireFloat32(n);
  auto ta = n.attrs.count("transpose_a") && std::get<bool>(n.attrs.at("transpose_a"));
  auto tb = n.attrs.count("transpose_b") && std::get<bool>(n.attrs.at("transpose_b"));
  const std::vector<int64_t> &ad = dims(n.inputs[0]), &bd = dims(n.inputs[1]);
  if (!ta && !tb && bd[0] >= 0 && bd[1] >= 0) {
    GemmTile t;
    const Node &last = fuseEpilogue(n, bd[1], t);
    Value *a = input(n, 0), *w = input(n, 1), *out = output(last);
    // Weights known at compile time are embedded packed in panels;
    // bound at run time, they come packed with packWeights.
    if (packedVars_.count(weightVariable(n.inputs[1]))) {
      t.packedLastLd = packedLastLd(bd[1]);
    } else if (std::optional<std::vector<float>> vals = staticFloats(n.inputs[1])) {
      w = constantData(g_.node(n.inputs[1].node).name + ".packed", packColumns(*vals, bd[0], bd[1]));
      t.packedLastLd = packedLastLd(bd[1]);
    }
    return gemm(t, dimValue(ad[0]), bd[1], bd[0], a, dimValue(ad[1]), w, out);
  }
  Value *a = input(n, 0), *w = input(n, 1), *out = output(n);
  Value *M = dimValue(ta ? ad[1] : ad[0]), *K = dimValue(ta ? ad[0] : ad[1]);
  Value *N = dimValue(tb ? bd[0] : bd[1]);
  Value *lda = dimValue(ad[1]), *ldb = dimValue(bd[1]);
  // out[i, :] = sum_k a[i, k] * b[k, :]: the inner loop runs along a row
  // of b and of out (contiguous, vectorisable).
  loop(M, [&](Value *i) {
    Value *row = b_.CreateMul(i, N);
    loop(N, [&](Value *j) { store(fconst(0), out, b_.CreateAdd(row, j)); }, "z");
    loop(K, [&](Value *k) {
      Value *aik = load(a, ta ? b_.CreateAdd(b_.CreateMul(k, lda), i) : b_.CreateAdd(b_.CreateMul(i, lda), k));
      loop(N, [&](Value *j) {
        Value *bkj = load(w, tb ? b_.CreateAdd(b_.CreateMul(j, ldb), k) : b_.CreateAdd(b_.CreateMul(k, ldb), j));
        Value *o = b_.CreateAdd(row, j);
        store(b_.CreateFAdd(load(out, o), b_.CreateFMul(aik, bkj)), out, o);
      }, "j");
    }, "k");
  }, "m");
}

/// Conv2D as a direct convolution (an implicit GEMM whose rows are output
/// pixels and whose reduction runs over the filter taps and the input
/// channels). A unit is one output row of one image times one panel of 32
/// output channels; along the row, blocks of up to 14 pixels x 32 channels
/// are accumulated in registers over the taps (kh, kw) and the channels, in
/// that order, one fused multiply-add per term, and stored once with the
/// fused epilogue -- every output the same chain whatever the unit order or
/// thread count. Taps that fall in the padding are skipped, as oneDNN does
/// (they would multiply a zero: only an inf or NaN weight could tell).
void Lowerer::convDirect(const GemmTile &t, const ConvGeom &g, Value *x, Value *batch) {
  const ConvPanels pp = convPanels(g.OC);
  const int64_t panels = pp.count, full = pp.full;
  std::vector<Value *> vals = {t.b, t.c, t.bias ? t.bias : llvm::ConstantPointerNull::get(b_.getPtrTy()), x};
  Value *units = b_.CreateMul(batch, b_.getInt64(g.OH * panels));
  std::string key = t.packedLastLd ? "conv.packed" : "conv";
  for (int64_t v : {g.H, g.W, g.C, g.OH, g.OW, g.OC, g.KH, g.KW, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl})
    key += "," + std::to_string(v);
  outlined(vals, units, key + "," + epilogueKey(t), [&](const std::vector<Value *> &cap, Value *begin, Value *end) {
    GemmTile k = t;
    k.b = cap[0];
    k.c = cap[1];
    k.bias = t.bias ? cap[2] : nullptr;
    loop(b_.CreateSub(end, begin), [&](Value *i) {
      // Panel-minor: consecutive units read the same rows of the input.
      Value *u = b_.CreateAdd(begin, i);
      Value *p = b_.CreateURem(u, b_.getInt64(panels)), *row = b_.CreateUDiv(u, b_.getInt64(panels));
      Value *oh = b_.CreateURem(row, b_.getInt64(g.OH)), *nb = b_.CreateUDiv(row, b_.getInt64(g.OH));
      byWidth(p, full, panels, [&] { convRow(k, g, cap[3], nb, oh, b_.CreateMul(p, b_.getInt64(32)), 32); },
              [&] { convRow(k, g, cap[3], nb, oh, b_.getInt64(pp.lastN0), pp.lastWidth); }, "panel");
    }, "unit");
  });
}

/// Output row `oh` of image `nb`, channels n0 .. n0 + width - 1, in blocks
/// of pixels as even as 14 (16 for one vector of channels, 9 for three) allows. For each
/// kw, the pixels of a block that read inside the image are a range; a
/// block at the row's edges, where that range is not the whole block, gets
/// code for its own ranges, and each run of blocks between them one loop.
void Lowerer::convRow(const GemmTile &t, const ConvGeom &g, Value *x, Value *nb, Value *oh, Value *n0, int64_t width) {
  unsigned nv = static_cast<unsigned>((width + 15) / 16), tail = static_cast<unsigned>(width % 16 ? width % 16 : 16);
  for (const ConvRun &c : convRuns(g, width)) {
    auto rows = static_cast<unsigned>(c.rows);
    if (c.count == 1)
      convBlock(t, g, x, nb, oh, n0, nv, tail, b_.getInt64(c.ow0), rows, c.ranges);
    else
      loop(b_.getInt64(c.count), [&](Value *j) {
        convBlock(t, g, x, nb, oh, n0, nv, tail, b_.CreateAdd(b_.getInt64(c.ow0), b_.CreateMul(j, b_.getInt64(c.rows))), rows,
                  c.ranges);
      }, "ow");
  }
}

std::vector<Lowerer::ConvRun> Lowerer::convRuns(const ConvGeom &g, int64_t width) {
  // Up to 16 x 16, 14 x 32 (28 accumulators, 2 vectors of B) or 9 x 48 (27, 3 vectors).
  const int64_t rmax = width <= 16 ? 16 : width <= 32 ? 14 : 9;
  const int64_t blocks = (g.OW + rmax - 1) / rmax, size = g.OW / blocks, extra = g.OW % blocks;
  auto rowsOf = [&](int64_t bi) { return size + (bi < extra ? 1 : 0); };
  auto ranges = [&](int64_t ow0, int64_t rows) {
    std::vector<std::pair<int64_t, int64_t>> out;
    for (int64_t kw = 0; kw < g.KW; ++kw) {
      // Pixel r reads column (ow0 + r) * sw + kw * dw - pl: in the image
      // for a range of r (the first and the last such pixel bound it).
      int64_t lo = rows, hi = 0;
      for (int64_t r = 0; r < rows; ++r) {
        int64_t iw = (ow0 + r) * g.sw + kw * g.dw - g.pl;
        if (iw >= 0 && iw < g.W) {
          lo = std::min(lo, r);
          hi = r + 1;
        }
      }
      out.emplace_back(lo, hi);
    }
    return out;
  };
  auto clean = [&](const std::vector<std::pair<int64_t, int64_t>> &rr, int64_t rows) {
    return std::all_of(rr.begin(), rr.end(), [&](auto r) { return r.first == 0 && r.second == rows; });
  };
  std::vector<ConvRun> runs;
  for (int64_t bi = 0, ow0 = 0; bi < blocks;) {
    int64_t rows = rowsOf(bi), count = 1;
    auto rr = ranges(ow0, rows);
    if (clean(rr, rows))
      while (bi + count < blocks && rowsOf(bi + count) == rows && clean(ranges(ow0 + count * rows, rows), rows))
        ++count;
    runs.push_back({ow0, rows, count, rr});
    bi += count;
    ow0 += count * rows;
  }
  return runs;
}

/// The block of `rows` pixels from `ow0`: filter rows outside the image are
/// skipped at run time; for each kw, only pixels ranges[kw] take terms.
void Lowerer::convBlock(const GemmTile &t, const ConvGeom &g, Value *x, Value *nb, Value *oh, Value *n0, unsigned nv,
                        unsigned tail, Value *ow0, unsigned rows, const std::vector<std::pair<int64_t, int64_t>> &ranges) {
  Accum a = accBegin(rows, nv, tail);
  loop(b_.getInt64(g.KH), [&](Value *kh) {
    Value *ih = b_.CreateSub(b_.CreateAdd(b_.CreateMul(oh, b_.getInt64(g.sh)), b_.CreateMul(kh, b_.getInt64(g.dh))), b_.getInt64(g.pt));
    ifThen(b_.CreateAnd(b_.CreateICmpSGE(ih, b_.getInt64(0)), b_.CreateICmpSLT(ih, b_.getInt64(g.H))), [&] {
      Value *line = b_.CreateMul(b_.CreateAdd(b_.CreateMul(nb, b_.getInt64(g.H)), ih), b_.getInt64(g.W));
      for (auto [kw, span] : convSpans(g, ranges)) {
        auto [lo, hi] = ranges[static_cast<size_t>(kw)];
        // Pixel r reads column iw0 + r * sw; iw0 itself may be in the
        // padding (a plain GEP: only rows lo .. hi - 1 are read).
        Value *iw0 = b_.CreateSub(b_.CreateAdd(b_.CreateMul(ow0, b_.getInt64(g.sw)), b_.getInt64(kw * g.dw)), b_.getInt64(g.pl));
        Value *base = b_.CreateGEP(f32_, x, b_.CreateMul(b_.CreateAdd(line, iw0), b_.getInt64(g.C)));
        std::vector<Value *> ptrs(rows, nullptr);
        for (int64_t r = lo; r < hi; ++r)
          ptrs[static_cast<size_t>(r)] = b_.CreateConstGEP1_64(f32_, base, static_cast<uint64_t>(r * g.sw * g.C));
        // Filter row (kh * KW + kw) * C of the panel: HWIO rows OC apart, or
        // packed (convPack: the panel's block from row 0 at n0 * R, rows 16 nv apart).
        const int64_t ld = t.packedLastLd ? 16 * static_cast<int64_t>(nv) : g.OC;
        Value *tap = b_.CreateMul(b_.CreateAdd(b_.CreateMul(kh, b_.getInt64(g.KW)), b_.getInt64(kw)), b_.getInt64(g.C * ld));
        Value *first = t.packedLastLd ? b_.CreateMul(n0, b_.getInt64(g.KH * g.KW * g.C)) : n0;
        Value *brow = b_.CreateInBoundsGEP(f32_, t.b, b_.CreateAdd(tap, first));
        accTerms(a, ptrs, {{brow, ld, nv}}, span * g.C);
      }
    }, "tap");
  }, "kh");
  accStore(a, t, b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(nb, b_.getInt64(g.OH)), oh), b_.getInt64(g.OW)), ow0), n0);
}

void Lowerer::conv2d(const Node &n) {
  requireFloat32(n);
  const std::vector<int64_t> &xd = dims(n.inputs[0]);
  ConvGeom geom;
  bool direct = directConv(g_, plan_, n, geom);
  auto [H, W, C, OH, OW, OC, KH, KW, sh, sw, dh, dw, pt, pl] = geom;
  if (H < 0 || W < 0 || C < 0 || OH < 0 || OW < 0)
    throw Unsupported{"Conv2D '" + n.name + "' needs known spatial and channel dimensions"};
  Value *x = input(n, 0), *w = input(n, 1), *out = nullptr;
  if (direct) {
    GemmTile t;
    const Node &last = fuseEpilogue(n, OC, t);
    if (packedVars_.count(weightVariable(n.inputs[1]))) {
      t.packedLastLd = 1;
    } else if (std::optional<std::vector<float>> vals = staticFloats(n.inputs[1])) {
      w = constantData(g_.node(n.inputs[1].node).name + ".packed", convPack(*vals, KH * KW * C, OC));
      t.packedLastLd = 1;
    }
    t.b = w;
    t.c = output(last);
    t.ldb = t.ldc = OC;
    convDirect(t, geom, x, dimValue(xd[0]));
    return;
  }
  out = output(n);
  loop(dimValue(xd[0]), [&](Value *bi) {
    loop(b_.getInt64(OH), [&](Value *oh) {
      loop(b_.getInt64(OW), [&](Value *ow) {
        Value *obase = b_.CreateMul(b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(bi, b_.getInt64(OH)), oh), b_.getInt64(OW)), ow), b_.getInt64(OC));
        loop(b_.getInt64(OC), [&](Value *oc) { store(fconst(0), out, b_.CreateAdd(obase, oc)); }, "z");
        loop(b_.getInt64(KH), [&](Value *kh) {
          Value *ih = b_.CreateSub(b_.CreateAdd(b_.CreateMul(oh, b_.getInt64(sh)), b_.CreateMul(kh, b_.getInt64(dh))), b_.getInt64(pt));
          Value *inH = b_.CreateAnd(b_.CreateICmpSGE(ih, b_.getInt64(0)), b_.CreateICmpSLT(ih, b_.getInt64(H)));
          loop(b_.getInt64(KW), [&](Value *kw) {
            Value *iw = b_.CreateSub(b_.CreateAdd(b_.CreateMul(ow, b_.getInt64(sw)), b_.CreateMul(kw, b_.getInt64(dw))), b_.getInt64(pl));
            Value *inside = b_.CreateAnd(inH, b_.CreateAnd(b_.CreateICmpSGE(iw, b_.getInt64(0)), b_.CreateICmpSLT(iw, b_.getInt64(W))));
            ifThen(inside, [&] {
            Value *xbase = b_.CreateMul(b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(bi, b_.getInt64(H)), ih), b_.getInt64(W)), iw), b_.getInt64(C));
            Value *wbase = b_.CreateMul(b_.CreateAdd(b_.CreateMul(kh, b_.getInt64(KW)), kw), b_.getInt64(C * OC));
            loop(b_.getInt64(C), [&](Value *ic) {
              Value *xv = load(x, b_.CreateAdd(xbase, ic));
              Value *wrow = b_.CreateAdd(wbase, b_.CreateMul(ic, b_.getInt64(OC)));
              loop(b_.getInt64(OC), [&](Value *oc) {
                Value *o = b_.CreateAdd(obase, oc);
                store(intrinsic(llvm::Intrinsic::fma, {xv, load(w, b_.CreateAdd(wrow, oc)), load(out, o)}), out, o);
              }, "oc");
            }, "ic");
            }, "tap");
          }, "kw");
        }, "kh");
      }, "ow");
    }, "oh");
  }, "n");
}

/// Conv2DBackpropInput (conv2d_transpose) as a gather: each output pixel
/// sums the input pixels whose window covers it,
///   y[n, oh, ow, c] = sum over kh, kw, ic with oh + pt - kh = ih * s (0 <= ih < H)
///                     of x[n, ih, iw, ic] * w[kh, kw, c, ic].
void Lowerer::conv2dTranspose(const Node &n) {
  requireFloat32(n, 1); // input_sizes may be computed (tf.shape pieces)
  const std::vector<int64_t> &wd = dims(n.inputs[1]), &xd = dims(n.inputs[2]), &od = outDims(n);
  std::vector<int64_t> st = attrInts(n, "strides");
  bool same = std::get<std::string>(n.attrs.at("padding")) == "SAME";
  int64_t H = xd[1], W = xd[2], IC = xd[3], KH = wd[0], KW = wd[1], OH = od[1], OW = od[2], OC = od[3];
  if (H < 0 || W < 0 || IC < 0 || OH < 0 || OW < 0 || OC < 0)
    throw Unsupported{"conv2d_transpose '" + n.name + "' needs static shapes"};
  if (xd[0] < 0 && od[0] >= 0)
    throw Unsupported{"conv2d_transpose '" + n.name + "': output_shape fixes the batch (" + std::to_string(od[0]) +
                      ") while the input's is known only at run time"};
  // The padding of the forward convolution this transposes (from OH x OW to H x W).
  int64_t pt = padBefore(same, OH, H, KH, st[1], 1), pl = padBefore(same, OW, W, KW, st[2], 1);
  Value *w = input(n, 1), *x = input(n, 2), *out = output(n);
  auto zero = b_.getInt64(0);
  loop(dimValue(od[0]), [&](Value *bi) {
    loop(b_.getInt64(OH), [&](Value *oh) {
      loop(b_.getInt64(OW), [&](Value *ow) {
        Value *obase = b_.CreateMul(b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(bi, b_.getInt64(OH)), oh), b_.getInt64(OW)), ow), b_.getInt64(OC));
        loop(b_.getInt64(OC), [&](Value *c) { store(fconst(0), out, b_.CreateAdd(obase, c)); }, "z");
        loop(b_.getInt64(KH), [&](Value *kh) {
          Value *th = b_.CreateSub(b_.CreateAdd(oh, b_.getInt64(pt)), kh);
          Value *ih = b_.CreateSDiv(th, b_.getInt64(st[1]));
          Value *okH = b_.CreateAnd(b_.CreateICmpSGE(th, zero),
                                    b_.CreateAnd(b_.CreateICmpEQ(b_.CreateSRem(th, b_.getInt64(st[1])), zero),
                                                 b_.CreateICmpSLT(ih, b_.getInt64(H))));
          loop(b_.getInt64(KW), [&](Value *kw) {
            Value *tw = b_.CreateSub(b_.CreateAdd(ow, b_.getInt64(pl)), kw);
            Value *iw = b_.CreateSDiv(tw, b_.getInt64(st[2]));
            Value *ok = b_.CreateAnd(okH, b_.CreateAnd(b_.CreateICmpSGE(tw, zero),
                                                       b_.CreateAnd(b_.CreateICmpEQ(b_.CreateSRem(tw, b_.getInt64(st[2])), zero),
                                                                    b_.CreateICmpSLT(iw, b_.getInt64(W)))));
            ifThen(ok, [&] {
            Value *xbase = b_.CreateMul(b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(bi, b_.getInt64(H)), ih), b_.getInt64(W)), iw), b_.getInt64(IC));
            Value *wbase = b_.CreateMul(b_.CreateAdd(b_.CreateMul(kh, b_.getInt64(KW)), kw), b_.getInt64(OC * IC));
            loop(b_.getInt64(OC), [&](Value *c) {
              Value *o = b_.CreateAdd(obase, c);
              Value *wrow = b_.CreateAdd(wbase, b_.CreateMul(c, b_.getInt64(IC)));
              loop(b_.getInt64(IC), [&](Value *ic) {
                Value *term = b_.CreateFMul(load(x, b_.CreateAdd(xbase, ic)), load(w, b_.CreateAdd(wrow, ic)));
                store(b_.CreateFAdd(load(out, o), term), out, o);
              }, "ic");
            }, "c");
            }, "ttap");
          }, "kw");
        }, "kh");
      }, "ow");
    }, "oh");
  }, "n");
}

/// DepthwiseConv2dNative: out[n, oh, ow, c * M + m] = sum over the taps of
/// x[n, ih, iw, c] * w[kh, kw, c, m] (taps in the padding contribute nothing).
void Lowerer::depthwise(const Node &n) {
  requireFloat32(n);
  const std::vector<int64_t> &xd = dims(n.inputs[0]), &wd = dims(n.inputs[1]), &od = outDims(n);
  std::vector<int64_t> st = attrInts(n, "strides"), dil = n.attrs.count("dilations") ? attrInts(n, "dilations")
                                                                                      : std::vector<int64_t>{1, 1, 1, 1};
  bool same = std::get<std::string>(n.attrs.at("padding")) == "SAME";
  int64_t H = xd[1], W = xd[2], C = xd[3], KH = wd[0], KW = wd[1], M = wd[3], OH = od[1], OW = od[2];
  if (H < 0 || W < 0 || C < 0)
    throw Unsupported{"depthwise convolution '" + n.name + "' needs known spatial and channel dimensions"};
  int64_t pt = padBefore(same, H, OH, KH, st[1], dil[1]), pl = padBefore(same, W, OW, KW, st[2], dil[2]);
  Value *x = input(n, 0), *w = input(n, 1), *out = output(n);
  Value *acc = entryAlloca(f32_, "dw.sum");
  nest({od[0], OH, OW, C, M}, [&](std::vector<Value *> &i) {
    b_.CreateStore(fconst(0), acc);
    loop(b_.getInt64(KH), [&](Value *kh) {
      Value *ih = b_.CreateSub(b_.CreateAdd(b_.CreateMul(i[1], b_.getInt64(st[1])), b_.CreateMul(kh, b_.getInt64(dil[1]))), b_.getInt64(pt));
      loop(b_.getInt64(KW), [&](Value *kw) {
        Value *iw = b_.CreateSub(b_.CreateAdd(b_.CreateMul(i[2], b_.getInt64(st[2])), b_.CreateMul(kw, b_.getInt64(dil[2]))), b_.getInt64(pl));
        Value *inside = b_.CreateAnd(b_.CreateAnd(b_.CreateICmpSGE(ih, b_.getInt64(0)), b_.CreateICmpSLT(ih, b_.getInt64(H))),
                                     b_.CreateAnd(b_.CreateICmpSGE(iw, b_.getInt64(0)), b_.CreateICmpSLT(iw, b_.getInt64(W))));
        ifThen(inside, [&] {
        Value *xi = b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(i[0], b_.getInt64(H)), ih), b_.getInt64(W)), iw), b_.getInt64(C)), i[3]);
        Value *wi = b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(kh, b_.getInt64(KW)), kw), b_.getInt64(C)), i[3]), b_.getInt64(M)), i[4]);
        b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(f32_, acc), b_.CreateFMul(load(x, xi), load(w, wi))), acc);
        }, "dwtap");
      }, "kw");
    }, "kh");
    Value *o = b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(i[0], b_.getInt64(OH)), i[1]), b_.getInt64(OW)), i[2]),
                                         b_.getInt64(C * M)),
                            b_.CreateAdd(b_.CreateMul(i[3], b_.getInt64(M)), i[4]));
    store(b_.CreateLoad(f32_, acc), out, o);
  });
}

/// LRN across channels: x / (bias + alpha * sum of x^2 over c - r .. c + r)^beta.
void Lowerer::lrn(const Node &n) {
  requireFloat32(n);
  const std::vector<int64_t> &xd = dims(n.inputs[0]);
  int64_t C = xd[3], r = attrInt(n, "depth_radius", 5);
  auto real = [&](const char *k, double d) {
    auto it = n.attrs.find(k);
    return it != n.attrs.end() && std::holds_alternative<double>(it->second) ? std::get<double>(it->second) : d;
  };
  Value *bias = fconst(static_cast<float>(real("bias", 1))), *alpha = fconst(static_cast<float>(real("alpha", 1)));
  Value *beta = fconst(static_cast<float>(real("beta", 0.5)));
  Value *x = input(n, 0), *out = output(n);
  loop(b_.CreateUDiv(count(xd), b_.getInt64(C)), [&](Value *p) {
    Value *base = b_.CreateMul(p, b_.getInt64(C));
    loop(b_.getInt64(C), [&](Value *c) {
      Value *lo = b_.CreateSelect(b_.CreateICmpSGT(b_.CreateSub(c, b_.getInt64(r)), b_.getInt64(0)), b_.CreateSub(c, b_.getInt64(r)), b_.getInt64(0));
      Value *hi = b_.CreateSelect(b_.CreateICmpSLT(b_.CreateAdd(c, b_.getInt64(r + 1)), b_.getInt64(C)), b_.CreateAdd(c, b_.getInt64(r + 1)), b_.getInt64(C));
      llvm::AllocaInst *acc = entryAlloca(f32_, "lrn.sum");
      b_.CreateStore(fconst(0), acc);
      loop(b_.CreateSub(hi, lo), [&](Value *k) {
        Value *v = load(x, b_.CreateAdd(base, b_.CreateAdd(lo, k)));
        b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(f32_, acc), b_.CreateFMul(v, v)), acc);
      }, "w");
      Value *den = intrinsic(llvm::Intrinsic::pow, {b_.CreateFAdd(bias, b_.CreateFMul(alpha, b_.CreateLoad(f32_, acc))), beta});
      Value *i = b_.CreateAdd(base, c);
      store(b_.CreateFDiv(load(x, i), den), out, i);
    }, "c");
  }, "p");
}

void Lowerer::pool(const Node &n, bool isMax) {
  requireFloat32(n);
  const std::vector<int64_t> &xd = dims(n.inputs[0]), &od = outDims(n);
  std::vector<int64_t> st = attrInts(n, "strides"), ks = attrInts(n, "ksize");
  bool same = std::get<std::string>(n.attrs.at("padding")) == "SAME";
  int64_t H = xd[1], W = xd[2], C = xd[3], OH = od[1], OW = od[2];
  if (H < 0 || W < 0 || C < 0)
    throw Unsupported{"pooling '" + n.name + "' needs known spatial and channel dimensions"};
  int64_t pt = padBefore(same, H, OH, ks[1], st[1], 1), pl = padBefore(same, W, OW, ks[2], st[2], 1);
  Value *x = input(n, 0), *out = output(n);
  llvm::AllocaInst *acc = nullptr, *cnt = nullptr;
  {
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    acc = entry.CreateAlloca(f32_);
    cnt = entry.CreateAlloca(f32_);
  }
  loop(dimValue(xd[0]), [&](Value *bi) {
    loop(b_.getInt64(OH), [&](Value *oh) {
      loop(b_.getInt64(OW), [&](Value *ow) {
        loop(b_.getInt64(C), [&](Value *c) {
          b_.CreateStore(fconst(isMax ? -std::numeric_limits<float>::infinity() : 0.0), acc);
          b_.CreateStore(fconst(0), cnt);
          loop(b_.getInt64(ks[1]), [&](Value *kh) {
            Value *ih = b_.CreateSub(b_.CreateAdd(b_.CreateMul(oh, b_.getInt64(st[1])), kh), b_.getInt64(pt));
            loop(b_.getInt64(ks[2]), [&](Value *kw) {
              Value *iw = b_.CreateSub(b_.CreateAdd(b_.CreateMul(ow, b_.getInt64(st[2])), kw), b_.getInt64(pl));
              Value *inside = b_.CreateAnd(b_.CreateAnd(b_.CreateICmpSGE(ih, b_.getInt64(0)), b_.CreateICmpSLT(ih, b_.getInt64(H))),
                                           b_.CreateAnd(b_.CreateICmpSGE(iw, b_.getInt64(0)), b_.CreateICmpSLT(iw, b_.getInt64(W))));
              llvm::BasicBlock *then = llvm::BasicBlock::Create(ctx_, "win", fn_);
              llvm::BasicBlock *skip = llvm::BasicBlock::Create(ctx_, "nowin", fn_);
              b_.CreateCondBr(inside, then, skip);
              b_.SetInsertPoint(then);
              Value *v = load(x, b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(bi, b_.getInt64(H)), ih), b_.getInt64(W)), iw), b_.getInt64(C)), c));
              Value *a = b_.CreateLoad(f32_, acc);
              b_.CreateStore(isMax ? b_.CreateSelect(b_.CreateFCmpOGT(v, a), v, a) : b_.CreateFAdd(a, v), acc);
              b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(f32_, cnt), fconst(1)), cnt);
              b_.CreateBr(skip);
              b_.SetInsertPoint(skip);
            }, "kw");
          }, "kh");
          Value *r = b_.CreateLoad(f32_, acc);
          if (!isMax)
            r = b_.CreateFDiv(r, b_.CreateLoad(f32_, cnt));
          Value *o = b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(bi, b_.getInt64(OH)), oh), b_.getInt64(OW)), ow), b_.getInt64(C)), c);
          store(r, out, o);
        }, "c");
      }, "ow");
    }, "oh");
  }, "n");
}

void Lowerer::reduce(const Node &n) {
  const TensorData *axesData = constInput(n, 1);
  if (!axesData)
    throw Unsupported{"'" + n.name + "' reduces over axes that are not constant"};
  const std::vector<int64_t> &xd = dims(n.inputs[0]);
  int64_t r = static_cast<int64_t>(xd.size());
  std::vector<bool> reduced(xd.size(), false);
  for (int64_t a : axesData->i)
    reduced[static_cast<size_t>(a < 0 ? a + r : a)] = true;
  // Output strides over the kept dimensions (keep_dims does not change the layout).
  std::vector<int64_t> kept;
  for (size_t k = 0; k < xd.size(); ++k)
    if (!reduced[k])
      kept.push_back(xd[k]);
  std::vector<Value *> ks = strides(kept), os(xd.size(), b_.getInt64(0));
  for (size_t k = 0, j = 0; k < xd.size(); ++k)
    if (!reduced[k])
      os[k] = ks[j++];
  DType t = outType(n);
  bool logical = n.op == "Any" || n.op == "All";
  if (logical ? t != DType::Bool : !isFloat(t) && !isInt(t))
    throw Unsupported{"'" + n.name + "' (" + n.op + ") on " + dtypeName(t)};
  Value *x = input(n, 0), *out = output(n);
  bool isMax = n.op == "Max", isMin = n.op == "Min", isProd = n.op == "Prod";
  llvm::Type *ty = elemTy(t);
  Value *init;
  if (logical)
    init = b_.getInt1(n.op == "All");
  else if (isFloat(t))
    init = llvm::ConstantFP::get(ty, isMax ? -INFINITY : isMin ? INFINITY : isProd ? 1.0 : 0.0);
  else
    init = isMax ? llvm::ConstantInt::get(ty, llvm::APInt::getSignedMinValue(ty->getIntegerBitWidth()))
           : isMin ? llvm::ConstantInt::get(ty, llvm::APInt::getSignedMaxValue(ty->getIntegerBitWidth()))
                   : llvm::ConstantInt::get(ty, isProd ? 1 : 0);
  const char *combine = isMax ? "Maximum" : isMin ? "Minimum" : isProd ? "Mul" : n.op == "Any" ? "LogicalOr"
                        : n.op == "All" ? "LogicalAnd" : "Add";
  Value *outCount = count(kept);
  loop(outCount, [&](Value *i) { store(t, init, out, i); }, "z");
  std::vector<Value *> xs = strides(xd);
  nest(xd, [&](std::vector<Value *> &idx) {
    Value *o = linear(idx, os);
    Value *v = load(t, x, linear(idx, xs)), *a = load(t, out, o);
    store(t, isMax || isMin ? binaryOp(combine, t, v, a) : binaryOp(combine, t, a, v), out, o);
  });
  if (n.op == "Mean") {
    Value *reducedCount = b_.getInt64(1);
    for (size_t k = 0; k < xd.size(); ++k)
      if (reduced[k])
        reducedCount = b_.CreateMul(reducedCount, dimValue(xd[k]));
    // TF divides integer sums with truncation; an empty reduction of floats is NaN.
    Value *div = isFloat(t) ? b_.CreateSIToFP(reducedCount, ty) : b_.CreateIntCast(reducedCount, ty, true);
    loop(outCount, [&](Value *i) {
      Value *v = load(t, out, i);
      store(t, isFloat(t) ? b_.CreateFDiv(v, div) : b_.CreateSDiv(v, b_.CreateSelect(b_.CreateICmpEQ(div, constLike(div, 0)), constLike(div, 1), div)), out, i);
    }, "mean");
  }
}

void Lowerer::softmax(const Node &n, bool log) {
  requireFloat32(n);
  const std::vector<int64_t> &xd = dims(n.inputs[0]);
  int64_t last = xd.back();
  if (last < 0)
    throw Unsupported{"softmax '" + n.name + "' over an unknown dimension"};
  std::vector<int64_t> rows(xd.begin(), xd.end() - 1);
  Value *x = input(n, 0), *out = output(n);
  llvm::AllocaInst *mx, *sum;
  {
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    mx = entry.CreateAlloca(f32_);
    sum = entry.CreateAlloca(f32_);
  }
  loop(count(rows), [&](Value *r) {
    Value *base = b_.CreateMul(r, b_.getInt64(last));
    b_.CreateStore(fconst(-std::numeric_limits<float>::infinity()), mx);
    loop(b_.getInt64(last), [&](Value *j) {
      Value *v = load(x, b_.CreateAdd(base, j)), *m = b_.CreateLoad(f32_, mx);
      b_.CreateStore(b_.CreateSelect(b_.CreateFCmpOGT(v, m), v, m), mx);
    }, "max");
    b_.CreateStore(fconst(0), sum);
    Value *m = b_.CreateLoad(f32_, mx);
    loop(b_.getInt64(last), [&](Value *j) {
      Value *o = b_.CreateAdd(base, j);
      Value *e = expF32(b_.CreateFSub(load(x, o), m));
      if (!log)
        store(e, out, o);
      b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(f32_, sum), e), sum);
    }, "exp");
    Value *s = b_.CreateLoad(f32_, sum);
    Value *ls = log ? intrinsic(llvm::Intrinsic::log, {s}) : nullptr;
    loop(b_.getInt64(last), [&](Value *j) {
      Value *o = b_.CreateAdd(base, j);
      store(log ? b_.CreateFSub(b_.CreateFSub(load(x, o), m), ls) : b_.CreateFDiv(load(out, o), s), out, o);
    }, "norm");
  }, "row");
}

void Lowerer::transpose(const Node &n) {
  const TensorData *perm = constInput(n, 1);
  if (!perm)
    throw Unsupported{"transpose '" + n.name + "' with a non-constant permutation"};
  const std::vector<int64_t> &xd = dims(n.inputs[0]), &od = outDims(n);
  std::vector<Value *> xs = strides(xd), os = strides(od), src(od.size());
  for (size_t k = 0; k < od.size(); ++k)
    src[k] = xs[static_cast<size_t>(perm->i[k])];
  Value *x = input(n, 0), *out = output(n);
  DType t = outType(n);
  nest(od, [&](std::vector<Value *> &idx) { store(t, load(t, x, linear(idx, src)), out, linear(idx, os)); });
}

void Lowerer::concat(const Node &n, bool pack) {
  const std::vector<int64_t> &od = outDims(n);
  size_t nIn = pack ? n.inputs.size() : n.inputs.size() - 1;
  int64_t axis = pack ? attrInt(n, "axis", 0) : constInput(n, n.inputs.size() - 1)->i.at(0);
  if (axis < 0)
    axis += static_cast<int64_t>(od.size());
  Value *out = output(n);
  std::vector<Value *> os = strides(od);
  Value *offset = b_.getInt64(0);
  for (size_t i = 0; i < nIn; ++i) {
    std::vector<int64_t> d = dims(n.inputs[i]);
    if (pack)
      d.insert(d.begin() + axis, 1);
    std::vector<Value *> is = strides(d);
    Value *src = input(n, i);
    Value *off = offset;
    nest(d, [&](std::vector<Value *> &idx) {
      std::vector<Value *> oidx = idx;
      oidx[static_cast<size_t>(axis)] = b_.CreateAdd(idx[static_cast<size_t>(axis)], off);
      store(outType(n), load(outType(n), src, linear(idx, is)), out, linear(oidx, os));
    });
    offset = b_.CreateAdd(offset, dimValue(d[static_cast<size_t>(axis)]));
  }
}

/// GatherV2: for each outer index and each index value, one row of
/// params (zeros and kIndex when the value is out of range).
void Lowerer::gather(const Node &n) {
  const TensorData *ad = constInput(n, 2);
  const std::vector<int64_t> &pd = dims(n.inputs[0]), &id = dims(n.inputs[1]);
  int64_t axis = ad && !ad->i.empty() ? ad->i[0] : 0;
  if (axis < 0)
    axis += static_cast<int64_t>(pd.size());
  std::vector<int64_t> outer(pd.begin(), pd.begin() + axis), inner(pd.begin() + axis + 1, pd.end());
  Value *nOuter = count(outer), *nInner = count(inner), *nIdx = count(id), *limit = dimValue(pd[static_cast<size_t>(axis)]);
  Value *params = input(n, 0), *indices = input(n, 1), *out = output(n);
  DType t = outType(n), it = inType(n, 1);
  loop(nOuter, [&](Value *o) {
    loop(nIdx, [&](Value *j) {
      Value *v = load(it, indices, j);
      if (it == DType::Int32)
        v = b_.CreateSExt(v, i64_);
      Value *ok = b_.CreateAnd(b_.CreateICmpSGE(v, b_.getInt64(0)), b_.CreateICmpSLT(v, limit));
      b_.CreateStore(b_.CreateOr(b_.CreateLoad(b_.getInt1Ty(), indexError_), b_.CreateNot(ok)), indexError_);
      Value *row = b_.CreateSelect(ok, v, b_.getInt64(0));
      Value *src = b_.CreateMul(b_.CreateAdd(b_.CreateMul(o, limit), row), nInner);
      Value *dst = b_.CreateMul(b_.CreateAdd(b_.CreateMul(o, nIdx), j), nInner);
      Value *zero = zeroOf(t);
      loop(nInner, [&](Value *i) {
        Value *x = load(t, params, b_.CreateAdd(src, i));
        store(t, b_.CreateSelect(ok, x, zero), out, b_.CreateAdd(dst, i));
      }, "g");
    }, "j");
  }, "o");
}

/// FusedBatchNormV3 in inference form (is_training=false), as TF's CPU
/// kernel: s = scale * rsqrt(variance + epsilon), y = x * s + (offset - mean * s),
/// per channel (NHWC). Only y (output 0) is compiled.
void Lowerer::batchNorm(const Node &n) {
  requireFloat32(n);
  if (n.attrs.count("is_training") && std::get<bool>(n.attrs.at("is_training")))
    throw Unsupported{"'" + n.name + "' (FusedBatchNormV3) with is_training=True: the compiled forward pass uses the moving statistics"};
  for (NodeID id : plan_.nodes)
    for (const TensorRef &r : g_.node(id).inputs)
      if (r.node == n.id && r.index != 0)
        throw Unsupported{"'" + n.name + "' (FusedBatchNormV3): only its output y is compiled"};
  for (const auto &f : plan_.fetches)
    if (f.tensor.node == n.id && f.tensor.index != 0)
      throw Unsupported{"'" + n.name + "' (FusedBatchNormV3): only its output y is compiled"};
  double eps = n.attrs.count("epsilon") ? std::get<double>(n.attrs.at("epsilon")) : 1e-4;
  const std::vector<int64_t> &xd = dims(n.inputs[0]);
  int64_t C = xd.back();
  if (C < 0)
    throw Unsupported{"'" + n.name + "' (FusedBatchNormV3) needs a known channel dimension"};
  Value *x = input(n, 0), *scale = input(n, 1), *offset = input(n, 2), *mean = input(n, 3), *var = input(n, 4);
  Value *out = output(n);
  // Per-channel factors first (a scratch-free loop over C), then one pass over x.
  Value *count = this->count(xd);
  Value *rows = b_.CreateUDiv(count, b_.getInt64(C));
  Value *epsV = fconst(static_cast<float>(eps));
  loop(rows, [&](Value *r) {
    loop(b_.getInt64(C), [&](Value *c) {
      Value *s = b_.CreateFMul(load(scale, c), b_.CreateFDiv(fconst(1), intrinsic(llvm::Intrinsic::sqrt, {b_.CreateFAdd(load(var, c), epsV)})));
      Value *o = b_.CreateFSub(load(offset, c), b_.CreateFMul(load(mean, c), s));
      Value *i = b_.CreateAdd(b_.CreateMul(r, b_.getInt64(C)), c);
      store(b_.CreateFAdd(b_.CreateFMul(load(x, i), s), o), out, i);
    }, "c");
  }, "r");
}

/// Tile, Pad (constant zeros), Slice and ReverseV2: each output element reads
/// one input element (or is a pad zero), by an index map per axis.
void Lowerer::remap(const Node &n) {
  const std::vector<int64_t> &xd = dims(n.inputs[0]), &od = outDims(n);
  const TensorData *arg = constInput(n, 1);
  if (!arg)
    throw Unsupported{"'" + n.name + "' (" + n.op + ") with arguments that are not constant"};
  std::set<int64_t> reversed;
  if (n.op == "ReverseV2")
    for (int64_t a : arg->i)
      reversed.insert(a < 0 ? a + static_cast<int64_t>(xd.size()) : a);
  DType t = outType(n);
  Value *x = input(n, 0), *out = output(n);
  std::vector<Value *> xs = strides(xd), os = strides(od);
  Value *zero = zeroOf(t);
  nest(od, [&](std::vector<Value *> &idx) {
    Value *inside = b_.getTrue(), *off = b_.getInt64(0);
    for (size_t k = 0; k < idx.size(); ++k) {
      Value *i = idx[k];
      if (n.op == "Tile")
        i = b_.CreateURem(i, dimValue(xd[k]));
      else if (n.op == "Slice")
        i = b_.CreateAdd(i, b_.getInt64(arg->i[k]));
      else if (n.op == "ReverseV2" && reversed.count(static_cast<int64_t>(k)))
        i = b_.CreateSub(b_.CreateSub(dimValue(xd[k]), b_.getInt64(1)), i);
      else if (n.op == "Pad") {
        i = b_.CreateSub(i, b_.getInt64(arg->i[2 * k]));
        inside = b_.CreateAnd(inside, b_.CreateAnd(b_.CreateICmpSGE(i, b_.getInt64(0)), b_.CreateICmpSLT(i, dimValue(xd[k]))));
        i = b_.CreateSelect(inside, i, b_.getInt64(0));
      }
      off = b_.CreateAdd(off, b_.CreateMul(i, xs[k]));
    }
    Value *v = load(t, x, off);
    if (n.op == "Pad")
      v = b_.CreateSelect(inside, v, zero);
    store(t, v, out, linear(idx, os));
  });
}

/// SpaceToBatchND / BatchToSpaceND over M spatial dimensions: the batch
/// index of the blocked tensor is (block position) * N + n; spatial index y
/// of it is y * b + (block offset) - pad_start of the image one (zero when
/// outside, for SpaceToBatchND).
void Lowerer::spaceToBatch(const Node &n, bool toBatch) {
  const TensorData *block = constInput(n, 1), *pads = constInput(n, 2);
  if (!block || !pads)
    throw Unsupported{"'" + n.name + "' (" + n.op + ") with a block shape or paddings that are not constant"};
  const std::vector<int64_t> &xd = dims(n.inputs[0]), &od = outDims(n);
  const std::vector<int64_t> &sd = toBatch ? xd : od; // the image's dims
  size_t m = block->i.size();
  DType t = outType(n);
  Value *x = input(n, 0), *out = output(n);
  std::vector<Value *> xs = strides(xd), os = strides(od);
  Value *N = dimValue(sd[0]), *zero = zeroOf(t);
  nest(od, [&](std::vector<Value *> &idx) {
    // The image position (ib, iy...) of blocked position (bb, by...).
    std::vector<Value *> blocked(idx.size()), image(idx.size());
    Value *inside = b_.getTrue();
    if (toBatch) {
      blocked = idx;
      Value *pos = b_.CreateUDiv(idx[0], N);
      image[0] = b_.CreateURem(idx[0], N);
      for (size_t k = m; k-- > 0;) {
        Value *bk = b_.getInt64(block->i[k]);
        Value *off = b_.CreateURem(pos, bk);
        pos = b_.CreateUDiv(pos, bk);
        Value *y = b_.CreateSub(b_.CreateAdd(b_.CreateMul(idx[k + 1], bk), off), b_.getInt64(pads->i[2 * k]));
        inside = b_.CreateAnd(inside, b_.CreateAnd(b_.CreateICmpSGE(y, b_.getInt64(0)), b_.CreateICmpSLT(y, dimValue(sd[k + 1]))));
        image[k + 1] = b_.CreateSelect(inside, y, b_.getInt64(0));
      }
      for (size_t k = m + 1; k < idx.size(); ++k)
        image[k] = idx[k];
      Value *v = load(t, x, linear(image, xs));
      store(t, b_.CreateSelect(inside, v, zero), out, linear(idx, os));
    } else {
      image = idx;
      Value *pos = b_.getInt64(0);
      for (size_t k = 0; k < m; ++k) {
        Value *bk = b_.getInt64(block->i[k]);
        Value *y = b_.CreateAdd(idx[k + 1], b_.getInt64(pads->i[2 * k])); // crop_start
        pos = b_.CreateAdd(b_.CreateMul(pos, bk), b_.CreateURem(y, bk));
        blocked[k + 1] = b_.CreateUDiv(y, bk);
      }
      blocked[0] = b_.CreateAdd(b_.CreateMul(pos, N), idx[0]);
      for (size_t k = m + 1; k < idx.size(); ++k)
        blocked[k] = idx[k];
      store(t, load(t, x, linear(blocked, xs)), out, linear(idx, os));
    }
  });
}

/// ResizeBilinear / ResizeNearestNeighbor with TF's kernels' arithmetic:
/// the per-row and per-column source indices and weights are computed here
/// in float32 exactly as TF computes them (scale in/out, or (in-1)/(out-1)
/// with align_corners; half-pixel centres), stored as tables; each output
/// is TF's top + (bottom - top) * y_lerp of the two x lerps.
void Lowerer::resize(const Node &n, bool bilinear) {
  auto flag = [&](const char *k) { return n.attrs.count(k) && std::get<bool>(n.attrs.at(k)); };
  bool align = flag("align_corners"), half = flag("half_pixel_centers");
  const std::vector<int64_t> &xd = dims(n.inputs[0]), &od = outDims(n);
  if (xd[1] < 0 || xd[2] < 0 || xd[3] < 0 || od[1] < 0 || od[2] < 0)
    throw Unsupported{"'" + n.name + "' (" + n.op + ") needs static image sizes"};
  DType it = inType(n, 0), ot = outType(n);
  if (!isFloat(it) && !isInt(it))
    throw Unsupported{"'" + n.name + "' (" + n.op + ") on " + dtypeName(it)};
  struct Axis {
    TensorData lo, hi, lerp;
  };
  auto axis = [&](int64_t in, int64_t out) {
    float scale = align && out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                                   : static_cast<float>(in) / static_cast<float>(out);
    Axis a;
    for (TensorData *d : {&a.lo, &a.hi}) {
      d->dtype = DType::Int64;
      d->shape = Shape::of({out});
    }
    a.lerp.dtype = DType::Float32;
    a.lerp.shape = Shape::of({out});
    for (int64_t i = 0; i < out; ++i) {
      if (bilinear) {
        float v = half ? (static_cast<float>(i) + 0.5f) * scale - 0.5f : static_cast<float>(i) * scale;
        float f = std::floor(v);
        a.lo.i.push_back(std::max<int64_t>(static_cast<int64_t>(f), 0));
        a.hi.i.push_back(std::min<int64_t>(static_cast<int64_t>(std::ceil(v)), in - 1));
        a.lerp.f.push_back(v - f);
      } else {
        float v = static_cast<float>(i) * scale;
        a.lo.i.push_back(std::min<int64_t>(align ? static_cast<int64_t>(std::round(v)) : static_cast<int64_t>(std::floor(v)), in - 1));
      }
    }
    return a;
  };
  Axis ya = axis(xd[1], od[1]), xa = axis(xd[2], od[2]);
  Value *ylo = constantData(n.name + "/ylo", ya.lo), *xlo = constantData(n.name + "/xlo", xa.lo);
  Value *yhi = nullptr, *xhi = nullptr, *ly = nullptr, *lx = nullptr;
  if (bilinear) {
    yhi = constantData(n.name + "/yhi", ya.hi);
    xhi = constantData(n.name + "/xhi", xa.hi);
    ly = constantData(n.name + "/ylerp", ya.lerp);
    lx = constantData(n.name + "/xlerp", xa.lerp);
  }
  Value *x = input(n, 0), *out = output(n);
  Value *H = b_.getInt64(xd[1]), *W = b_.getInt64(xd[2]), *C = b_.getInt64(xd[3]);
  std::vector<Value *> os = strides(od);
  nest(od, [&](std::vector<Value *> &idx) {
    auto at = [&](Value *yy, Value *xx) {
      return b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(idx[0], H), yy), W), xx), C), idx[3]);
    };
    Value *y0 = load(DType::Int64, ylo, idx[1]), *x0 = load(DType::Int64, xlo, idx[2]);
    if (!bilinear) {
      store(ot, load(it, x, at(y0, x0)), out, linear(idx, os));
      return;
    }
    Value *y1 = load(DType::Int64, yhi, idx[1]), *x1 = load(DType::Int64, xhi, idx[2]);
    auto px = [&](Value *yy, Value *xx) {
      Value *v = load(it, x, at(yy, xx));
      return it == DType::Float32 ? v : cast(v, it, DType::Float32);
    };
    Value *fx = load(DType::Float32, lx, idx[2]), *fy = load(DType::Float32, ly, idx[1]);
    Value *tl = px(y0, x0), *tr = px(y0, x1), *bl = px(y1, x0), *br = px(y1, x1);
    Value *top = b_.CreateFAdd(tl, b_.CreateFMul(b_.CreateFSub(tr, tl), fx));
    Value *bottom = b_.CreateFAdd(bl, b_.CreateFMul(b_.CreateFSub(br, bl), fx));
    store(ot, b_.CreateFAdd(top, b_.CreateFMul(b_.CreateFSub(bottom, top), fy)), out, linear(idx, os));
  });
}

/// Split, SplitV and Unpack: output i copies its slice of the input along
/// `axis` (Unpack drops the axis).
void Lowerer::split(const Node &n) {
  size_t valueIn = n.op == "Split" ? 1 : 0;
  const TensorData *ad = constInput(n, n.op == "Split" ? 0 : n.op == "SplitV" ? 2 : 0);
  const std::vector<int64_t> &xd = dims(n.inputs[valueIn]);
  int64_t r = static_cast<int64_t>(xd.size());
  int64_t axis = n.op == "Unpack" ? attrInt(n, "axis", 0) : (ad ? ad->i.at(0) : 0);
  if (n.op != "Unpack" && !ad)
    throw Unsupported{"'" + n.name + "' (" + n.op + ") along an axis that is not constant"};
  if (axis < 0)
    axis += r;
  if (xd[static_cast<size_t>(axis)] < 0)
    throw Unsupported{"'" + n.name + "' (" + n.op + ") along the batch axis"};
  DType t = outType(n);
  Value *x = input(n, valueIn);
  std::vector<int64_t> outer(xd.begin(), xd.begin() + axis), inner(xd.begin() + axis + 1, xd.end());
  Value *nOuter = count(outer), *nInner = count(inner);
  int64_t len = xd[static_cast<size_t>(axis)], offset = 0;
  for (uint32_t i = 0; i < n.outputs.size(); ++i) {
    int64_t width = n.op == "Unpack" ? 1 : n.outputs[i].shape.dims[static_cast<size_t>(axis)];
    Value *out = output(n, i), *w = b_.getInt64(width);
    loop(nOuter, [&](Value *o) {
      loop(b_.CreateMul(w, nInner), [&](Value *j) {
        Value *src = b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(o, b_.getInt64(len)), b_.getInt64(offset)), nInner), j);
        store(t, load(t, x, src), out, b_.CreateAdd(b_.CreateMul(o, b_.CreateMul(w, nInner)), j));
      }, "j");
    }, "o");
    offset += width;
  }
}

/// OneHot (last axis), Range (from constants) and Cumsum (exclusive, reverse).
void Lowerer::sequenceOp(const Node &n) {
  DType t = outType(n);
  Value *out = output(n);
  const std::vector<int64_t> &od = outDims(n);
  if (n.op == "Range") {
    const TensorData *a = constInput(n, 0), *d = constInput(n, 2);
    if (!a || !d)
      throw Unsupported{"'" + n.name + "' (Range) from values that are not constant"};
    double start = isFloat(t) ? a->f[0] : static_cast<double>(a->i[0]);
    double delta = isFloat(t) ? d->f[0] : static_cast<double>(d->i[0]);
    loop(dimValue(od[0]), [&](Value *i) {
      Value *v = isFloat(t) ? b_.CreateFAdd(llvm::ConstantFP::get(elemTy(t), start),
                                            b_.CreateFMul(b_.CreateSIToFP(i, elemTy(t)), llvm::ConstantFP::get(elemTy(t), delta)))
                            : b_.CreateAdd(llvm::ConstantInt::get(elemTy(t), static_cast<uint64_t>(static_cast<int64_t>(start))),
                                           b_.CreateMul(b_.CreateIntCast(i, elemTy(t), true),
                                                        llvm::ConstantInt::get(elemTy(t), static_cast<uint64_t>(static_cast<int64_t>(delta)))));
      store(t, v, out, i);
    }, "r");
    return;
  }
  if (n.op == "OneHot") {
    if (attrInt(n, "axis", -1) != -1 && attrInt(n, "axis", -1) != static_cast<int64_t>(od.size()) - 1)
      throw Unsupported{"'" + n.name + "' (OneHot) on an axis other than the last"};
    int64_t depth = od.back();
    DType it = inType(n, 0);
    Value *ix = input(n, 0), *on = load(t, input(n, 2), b_.getInt64(0)), *off = load(t, input(n, 3), b_.getInt64(0));
    loop(count(dims(n.inputs[0])), [&](Value *i) {
      Value *v = load(it, ix, i);
      if (it != DType::Int64)
        v = b_.CreateIntCast(v, i64_, it != DType::UInt8);
      loop(b_.getInt64(depth), [&](Value *d) {
        store(t, b_.CreateSelect(b_.CreateICmpEQ(v, d), on, off), out, b_.CreateAdd(b_.CreateMul(i, b_.getInt64(depth)), d));
      }, "d");
    }, "i");
    return;
  }
  // Cumsum along `axis`: outer x axis x inner, a running sum per (outer, inner).
  const TensorData *ad = constInput(n, 1);
  if (!ad)
    throw Unsupported{"'" + n.name + "' (Cumsum) over an axis that is not constant"};
  int64_t axis = ad->i.at(0), r = static_cast<int64_t>(od.size());
  if (axis < 0)
    axis += r;
  bool exclusive = n.attrs.count("exclusive") && std::get<bool>(n.attrs.at("exclusive"));
  bool reverse = n.attrs.count("reverse") && std::get<bool>(n.attrs.at("reverse"));
  std::vector<int64_t> outer(od.begin(), od.begin() + axis), inner(od.begin() + axis + 1, od.end());
  Value *len = dimValue(od[static_cast<size_t>(axis)]), *nIn = count(inner), *x = input(n, 0);
  Value *zero = zeroOf(t);
  llvm::AllocaInst *acc = entryAlloca(elemTy(t), "cumsum");
  loop(count(outer), [&](Value *o) {
    loop(nIn, [&](Value *j) {
      b_.CreateStore(zero, acc);
      loop(len, [&](Value *k) {
        Value *pos = reverse ? b_.CreateSub(b_.CreateSub(len, b_.getInt64(1)), k) : k;
        Value *off = b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(o, len), pos), nIn), j);
        Value *v = load(t, x, off), *sum = b_.CreateLoad(elemTy(t), acc);
        Value *next = isFloat(t) ? b_.CreateFAdd(sum, v) : b_.CreateAdd(sum, v);
        store(t, exclusive ? sum : next, out, off);
        b_.CreateStore(next, acc);
      }, "k");
    }, "j");
  }, "o");
}

/// Select: elementwise when the condition has the output's shape; a vector
/// condition picks whole rows.
void Lowerer::select(const Node &n) {
  DType t = outType(n);
  if (dims(n.inputs[0]).size() == outDims(n).size() || dims(n.inputs[0]).empty())
    return elementwise(n, {0, 1, 2}, [&](std::vector<Value *> &v) { return b_.CreateSelect(v[0], v[1], v[2]); });
  const std::vector<int64_t> &od = outDims(n);
  std::vector<int64_t> rest(od.begin() + 1, od.end());
  Value *c = input(n, 0), *x = input(n, 1), *y = input(n, 2), *out = output(n), *inner = count(rest);
  loop(dimValue(od[0]), [&](Value *r) {
    Value *pick = load(DType::Bool, c, r);
    loop(inner, [&](Value *i) {
      Value *off = b_.CreateAdd(b_.CreateMul(r, inner), i);
      store(t, b_.CreateSelect(pick, load(t, x, off), load(t, y, off)), out, off);
    }, "s");
  }, "r");
}

void Lowerer::stridedSlice(const Node &n) {
  const TensorData *bd = constInput(n, 1), *ed = constInput(n, 2), *sd = constInput(n, 3);
  if (!bd || !ed || !sd)
    throw Unsupported{"slice '" + n.name + "' with non-constant bounds"};
  const std::vector<int64_t> &xd = dims(n.inputs[0]), &od = outDims(n);
  int64_t beginMask = attrInt(n, "begin_mask", 0), ellipsis = attrInt(n, "ellipsis_mask", 0),
          newAxis = attrInt(n, "new_axis_mask", 0), shrink = attrInt(n, "shrink_axis_mask", 0);
  // For each input dimension: first index and step (the output dims map to
  // the non-shrunk input dims in order; new axes are size-1 output dims).
  std::vector<Value *> first(xd.size()), step(xd.size());
  std::vector<int> outOfIn; // output dim -> input dim, or -1 for a new axis
  size_t specs = bd->i.size(), inDim = 0;
  size_t consumed = 0;
  for (size_t k = 0; k < specs; ++k)
    if (!(newAxis >> k & 1) && !(ellipsis >> k & 1))
      ++consumed;
  for (size_t k = 0; k < specs; ++k) {
    if (ellipsis >> k & 1) {
      for (size_t j = 0; j < xd.size() - consumed; ++j, ++inDim) {
        first[inDim] = b_.getInt64(0);
        step[inDim] = b_.getInt64(1);
        outOfIn.push_back(static_cast<int>(inDim));
      }
      continue;
    }
    if (newAxis >> k & 1) {
      outOfIn.push_back(-1);
      continue;
    }
    int64_t s = sd->i[k], bgn = bd->i[k], size = xd[inDim];
    Value *sizeV = dimValue(size);
    Value *b0;
    if (beginMask >> k & 1)
      b0 = s > 0 ? b_.getInt64(0) : b_.CreateSub(sizeV, b_.getInt64(1));
    else if (bgn < 0)
      b0 = b_.CreateAdd(sizeV, b_.getInt64(bgn));
    else
      b0 = b_.getInt64(bgn);
    if (s > 0)
      b0 = b_.CreateSelect(b_.CreateICmpSLT(b0, b_.getInt64(0)), b_.getInt64(0), b0);
    first[inDim] = b0;
    step[inDim] = b_.getInt64(s);
    if (!(shrink >> k & 1))
      outOfIn.push_back(static_cast<int>(inDim));
    ++inDim;
  }
  for (; inDim < xd.size(); ++inDim) {
    first[inDim] = b_.getInt64(0);
    step[inDim] = b_.getInt64(1);
    outOfIn.push_back(static_cast<int>(inDim));
  }
  if (outOfIn.size() != od.size())
    throw Unsupported{"slice '" + n.name + "': internal shape mismatch"};
  std::vector<Value *> xs = strides(xd), os = strides(od);
  Value *x = input(n, 0), *out = output(n);
  // The fixed part of the source offset (shrunk dims and slice starts).
  Value *base = b_.getInt64(0);
  for (size_t k = 0; k < xd.size(); ++k)
    base = b_.CreateAdd(base, b_.CreateMul(first[k], xs[k]));
  nest(od, [&](std::vector<Value *> &idx) {
    Value *src = base;
    for (size_t j = 0; j < od.size(); ++j)
      if (outOfIn[j] >= 0) {
        size_t d = static_cast<size_t>(outOfIn[j]);
        src = b_.CreateAdd(src, b_.CreateMul(b_.CreateMul(idx[j], step[d]), xs[d]));
      }
    store(outType(n), load(outType(n), x, src), out, linear(idx, os));
  });
}

Value *Lowerer::intDivide(Value *x, Value *y, bool floor, bool mod) {
  // TF fails on a zero divisor ("Integer division by zero"): flag it and
  // divide by 1 instead, so nothing traps. MIN / -1 wraps (no trap either).
  Value *zero = constLike(y, 0), *one = constLike(y, 1), *minusOne = constLike(y, -1);
  Value *isZero = b_.CreateICmpEQ(y, zero);
  flagArithmeticError(isZero);
  Value *safe = b_.CreateSelect(b_.CreateOr(isZero, b_.CreateICmpEQ(y, minusOne)), one, y);
  Value *isNegOne = b_.CreateICmpEQ(y, minusOne);
  Value *q = b_.CreateSDiv(x, safe), *r = b_.CreateSRem(x, safe);
  q = b_.CreateSelect(isNegOne, b_.CreateSub(zero, x), q);
  r = b_.CreateSelect(isNegOne, zero, r);
  if (!floor)
    return mod ? r : q;
  // Python/TF floor semantics: round the quotient down, give the remainder the divisor's sign.
  Value *adjust = b_.CreateAnd(b_.CreateICmpNE(r, zero), b_.CreateICmpNE(b_.CreateICmpSLT(r, zero), b_.CreateICmpSLT(y, zero)));
  if (mod)
    return b_.CreateSelect(adjust, b_.CreateAdd(r, y), r);
  return b_.CreateSelect(adjust, b_.CreateSub(q, one), q);
}

Value *Lowerer::intPow(Value *x, Value *y) {
  // Exponentiation by squaring, as a small loop; a negative exponent is
  // TF's "Integers to negative integer powers are not allowed".
  llvm::Type *ty = x->getType();
  flagArithmeticError(b_.CreateICmpSLT(y, constLike(y, 0)));
  Value *e0 = b_.CreateSelect(b_.CreateICmpSLT(y, constLike(y, 0)), constLike(y, 0), y);
  llvm::BasicBlock *pre = b_.GetInsertBlock();
  llvm::BasicBlock *head = llvm::BasicBlock::Create(ctx_, "ipow.head", fn_);
  llvm::BasicBlock *body = llvm::BasicBlock::Create(ctx_, "ipow.body", fn_);
  llvm::BasicBlock *exit = llvm::BasicBlock::Create(ctx_, "ipow.exit", fn_);
  b_.CreateBr(head);
  b_.SetInsertPoint(head);
  llvm::PHINode *acc = b_.CreatePHI(ty, 2), *base = b_.CreatePHI(ty, 2), *e = b_.CreatePHI(ty, 2);
  acc->addIncoming(constLike(x, 1), pre);
  base->addIncoming(x, pre);
  e->addIncoming(e0, pre);
  b_.CreateCondBr(b_.CreateICmpSGT(e, constLike(y, 0)), body, exit);
  b_.SetInsertPoint(body);
  Value *odd = b_.CreateICmpNE(b_.CreateAnd(e, constLike(y, 1)), constLike(y, 0));
  acc->addIncoming(b_.CreateSelect(odd, b_.CreateMul(acc, base), acc), body);
  base->addIncoming(b_.CreateMul(base, base), body);
  e->addIncoming(b_.CreateAShr(e, constLike(y, 1)), body);
  b_.CreateBr(head);
  b_.SetInsertPoint(exit);
  return acc;
}

Value *Lowerer::binaryOp(const std::string &op, DType t, Value *x, Value *y) {
  bool f = isFloat(t);
  if (t == DType::Bool) {
    if (op == "LogicalAnd")
      return b_.CreateAnd(x, y);
    if (op == "LogicalOr")
      return b_.CreateOr(x, y);
    if (op == "Equal")
      return b_.CreateICmpEQ(x, y);
    if (op == "NotEqual")
      return b_.CreateICmpNE(x, y);
    throw Unsupported{op + " on bool tensors"};
  }
  if (op == "Add" || op == "AddV2" || op == "BiasAdd")
    return f ? b_.CreateFAdd(x, y) : b_.CreateAdd(x, y);
  if (op == "Sub")
    return f ? b_.CreateFSub(x, y) : b_.CreateSub(x, y);
  if (op == "Mul")
    return f ? b_.CreateFMul(x, y) : b_.CreateMul(x, y);
  if (op == "RealDiv")
    return f ? b_.CreateFDiv(x, y) : intDivide(x, y, false, false);
  if (op == "FloorDiv")
    return f ? intrinsic(llvm::Intrinsic::floor, {b_.CreateFDiv(x, y)}) : intDivide(x, y, true, false);
  if (op == "FloorMod") {
    if (!f)
      return intDivide(x, y, true, true);
    Value *r = b_.CreateFRem(x, y), *zero = constLike(x, 0);
    Value *adjust = b_.CreateAnd(b_.CreateFCmpONE(r, zero), b_.CreateXor(b_.CreateFCmpOLT(r, zero), b_.CreateFCmpOLT(y, zero)));
    return b_.CreateSelect(adjust, b_.CreateFAdd(r, y), r);
  }
  if (op == "Pow")
    return f ? intrinsic(llvm::Intrinsic::pow, {x, y}) : intPow(x, y);
  if (op == "SquaredDifference") {
    Value *d = f ? b_.CreateFSub(x, y) : b_.CreateSub(x, y);
    return f ? b_.CreateFMul(d, d) : b_.CreateMul(d, d);
  }
  if (op == "Maximum")
    return b_.CreateSelect(f ? b_.CreateFCmpOGE(x, y) : b_.CreateICmpSGE(x, y), x, y);
  if (op == "Minimum")
    return b_.CreateSelect(f ? b_.CreateFCmpOLE(x, y) : b_.CreateICmpSLE(x, y), x, y);
  if (op == "Less")
    return f ? b_.CreateFCmpOLT(x, y) : b_.CreateICmpSLT(x, y);
  if (op == "LessEqual")
    return f ? b_.CreateFCmpOLE(x, y) : b_.CreateICmpSLE(x, y);
  if (op == "Greater")
    return f ? b_.CreateFCmpOGT(x, y) : b_.CreateICmpSGT(x, y);
  if (op == "GreaterEqual")
    return f ? b_.CreateFCmpOGE(x, y) : b_.CreateICmpSGE(x, y);
  if (op == "Equal")
    return f ? b_.CreateFCmpOEQ(x, y) : b_.CreateICmpEQ(x, y);
  if (op == "NotEqual")
    return f ? b_.CreateFCmpUNE(x, y) : b_.CreateICmpNE(x, y);
  throw Unsupported{"internal: no binary op " + op};
}

Value *Lowerer::unaryOp(const Node &n, DType t, Value *x) {
  const std::string &op = n.op;
  bool f = isFloat(t);
  if (op == "LogicalNot")
    return b_.CreateNot(x);
  if (t == DType::Bool)
    throw Unsupported{"'" + n.name + "' (" + op + ") on bool tensors"};
  Value *zero = constLike(x, 0);
  if (op == "Neg")
    return f ? b_.CreateFNeg(x) : b_.CreateSub(zero, x);
  if (op == "Abs")
    return f ? intrinsic(llvm::Intrinsic::fabs, {x}) : b_.CreateSelect(b_.CreateICmpSLT(x, zero), b_.CreateSub(zero, x), x);
  if (op == "Square")
    return f ? b_.CreateFMul(x, x) : b_.CreateMul(x, x);
  if (op == "Relu")
    return b_.CreateSelect(f ? b_.CreateFCmpOGT(x, zero) : b_.CreateICmpSGT(x, zero), x, zero);
  if (op == "Relu6") {
    Value *six = constLike(x, 6);
    Value *r = b_.CreateSelect(f ? b_.CreateFCmpOGT(x, zero) : b_.CreateICmpSGT(x, zero), x, zero);
    return b_.CreateSelect(f ? b_.CreateFCmpOLT(r, six) : b_.CreateICmpSLT(r, six), r, six);
  }
  if (!f)
    throw Unsupported{"'" + n.name + "' (" + op + ") on " + dtypeName(t) + " tensors"};
  if (op == "Sqrt")
    return intrinsic(llvm::Intrinsic::sqrt, {x});
  if (op == "Exp")
    return expOf(x);
  if (op == "Log")
    return intrinsic(llvm::Intrinsic::log, {x});
  if (op == "LeakyRelu") {
    double alpha = n.attrs.count("alpha") ? std::get<double>(n.attrs.at("alpha")) : 0.2;
    return b_.CreateSelect(b_.CreateFCmpOGT(x, zero), x, b_.CreateFMul(x, constLike(x, alpha)));
  }
  if (op == "Elu")
    return b_.CreateSelect(b_.CreateFCmpOGT(x, zero), x, libm("expm1", x));
  if (op == "Sigmoid")
    return sigmoid(x);
  if (op == "Tanh")
    return libm("tanh", x);
  if (op == "Rsqrt")
    return b_.CreateFDiv(constLike(x, 1), intrinsic(llvm::Intrinsic::sqrt, {x}));
  if (op == "Softplus") {
    // TF's kernel: x above -log(eps)-2, exp(x) below log(eps)+2, else log1p(exp(x)).
    double th = std::log(t == DType::Float32 ? 1.1920928955078125e-07 : 2.220446049250313e-16) + 2.0;
    Value *big = b_.CreateFCmpOGT(x, constLike(x, -th)), *small = b_.CreateFCmpOLT(x, constLike(x, th));
    Value *e = expOf(x);
    return b_.CreateSelect(big, x, b_.CreateSelect(small, e, libm("log1p", e)));
  }
  throw Unsupported{"internal: no unary op " + op};
}

/// exp of float32 values (a float or a vector of floats) without a call, so
/// that the loop vectorizer makes 16-lane code of it (libm's expf is a call
/// per element): n = rint(x log2 e); r = x - n ln2 in two FMAs (ln2 as a
/// float plus the rest); exp(r) by its degree-7 Taylor polynomial in Horner
/// form (|r| <= 0.347: truncation below 0.05 ulp); times 2^n as two exact
/// powers of two, 2^(n/2) then 2^(n - n/2), so that a subnormal result is
/// rounded once. Within 1 ulp of the exact value over all floats (tested on a
/// sweep against float64); exp(+inf) = inf, exp(-inf) = 0, NaN stays NaN.
Value *Lowerer::expF32(Value *x) {
  llvm::Type *t = x->getType();
  llvm::Type *it = b_.getInt32Ty();
  if (auto *vt = llvm::dyn_cast<llvm::VectorType>(t))
    it = llvm::VectorType::get(it, vt->getElementCount());
  auto c = [&](double v) { return llvm::ConstantFP::get(t, v); };
  auto ci = [&](int v) { return llvm::ConstantInt::get(it, static_cast<uint64_t>(static_cast<int64_t>(v)), true); };
  auto fma = [&](Value *a, Value *b, Value *d) { return intrinsic(llvm::Intrinsic::fma, {a, b, d}); };
  // Beyond [-104, 89] the result is 0 or inf already; NaN takes 0 here (no
  // poison from the integer conversion) and is put back at the end.
  Value *nan = b_.CreateFCmpUNO(x, x);
  Value *xc = b_.CreateSelect(nan, c(0), x);
  xc = b_.CreateSelect(b_.CreateFCmpOGT(xc, c(89)), c(89), xc);
  xc = b_.CreateSelect(b_.CreateFCmpOLT(xc, c(-104)), c(-104), xc);
  Value *n = intrinsic(llvm::Intrinsic::rint, {b_.CreateFMul(xc, c(1.44269504088896341))});
  const float ln2hi = 0.693147182464599609375f; // ln 2 rounded to float
  const double ln2lo = 0.6931471805599453094 - ln2hi;
  Value *r = fma(n, c(-ln2hi), xc);
  r = fma(n, c(-static_cast<float>(ln2lo)), r);
  Value *p = c(1.0 / 5040);
  for (double k : {1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1.0, 1.0})
    p = fma(p, r, c(static_cast<float>(k)));
  Value *ni = b_.CreateFPToSI(n, it);
  Value *n1 = b_.CreateAShr(ni, ci(1)), *n2 = b_.CreateSub(ni, n1);
  auto pow2 = [&](Value *e) { return b_.CreateBitCast(b_.CreateShl(b_.CreateAdd(e, ci(127)), ci(23)), t); };
  Value *y = b_.CreateFMul(b_.CreateFMul(p, pow2(n1)), pow2(n2));
  return b_.CreateSelect(nan, b_.CreateFAdd(x, x), y);
}

Value *Lowerer::cast(Value *x, DType from, DType to) {
  if (from == to)
    return x;
  llvm::Type *ty = to == DType::Bool ? b_.getInt1Ty() : elemTy(to);
  if (to == DType::Bool) // C++'s conversion: anything but zero (NaN included) is true
    return isFloat(from) ? b_.CreateFCmpUNE(x, constLike(x, 0)) : b_.CreateICmpNE(x, constLike(x, 0));
  if (from == DType::Bool)
    return isFloat(to) ? b_.CreateUIToFP(x, ty) : b_.CreateZExt(x, ty);
  if (isFloat(from) && isFloat(to))
    return b_.CreateFPCast(x, ty);
  if (isInt(from) && isInt(to))
    return b_.CreateIntCast(x, ty, true);
  if (isInt(from))
    return b_.CreateSIToFP(x, ty);
  // Float to integer saturates (NaN gives 0): never poison.
  llvm::Function *sat = llvm::Intrinsic::getDeclaration(&m_, llvm::Intrinsic::fptosi_sat, {ty, x->getType()});
  return b_.CreateCall(sat, {x});
}

void Lowerer::argMax(const Node &n) {
  const TensorData *axisData = constInput(n, 1);
  if (!axisData || axisData->i.empty())
    throw Unsupported{"'" + n.name + "' (ArgMax) over an axis that is not constant"};
  const std::vector<int64_t> &xd = dims(n.inputs[0]);
  DType t = inType(n, 0), ot = outType(n);
  if (!isFloat(t) && !isInt(t))
    throw Unsupported{"'" + n.name + "' (ArgMax) on " + dtypeName(t)};
  int64_t axis = axisData->i[0];
  if (axis < 0)
    axis += static_cast<int64_t>(xd.size());
  std::vector<int64_t> outer(xd.begin(), xd.begin() + axis), inner(xd.begin() + axis + 1, xd.end());
  Value *len = dimValue(xd[static_cast<size_t>(axis)]);
  std::vector<Value *> xs = strides(xd);
  Value *axisStride = xs[static_cast<size_t>(axis)];
  Value *innerCount = count(inner), *x = input(n, 0), *out = output(n);
  llvm::AllocaInst *best, *bestIdx;
  {
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    best = entry.CreateAlloca(elemTy(t));
    bestIdx = entry.CreateAlloca(i64_);
  }
  loop(count(outer), [&](Value *o) {
    loop(innerCount, [&](Value *in) {
      Value *base = b_.CreateAdd(b_.CreateMul(b_.CreateMul(o, len), innerCount), in);
      b_.CreateStore(load(t, x, base), best);
      b_.CreateStore(b_.getInt64(0), bestIdx);
      loop(len, [&](Value *k) {
        Value *v = load(t, x, b_.CreateAdd(base, b_.CreateMul(k, axisStride)));
        Value *cur = b_.CreateLoad(elemTy(t), best);
        // The first maximum (minimum) wins; a NaN wins over numbers (as TF's CPU kernel for ArgMax).
        bool mx = n.op == "ArgMax";
        Value *better = isFloat(t) ? b_.CreateAnd(mx ? b_.CreateFCmpUGT(v, cur) : b_.CreateFCmpULT(v, cur), b_.CreateFCmpORD(cur, cur))
                                   : mx ? b_.CreateICmpSGT(v, cur) : b_.CreateICmpSLT(v, cur);
        b_.CreateStore(b_.CreateSelect(better, v, cur), best);
        b_.CreateStore(b_.CreateSelect(better, k, b_.CreateLoad(i64_, bestIdx)), bestIdx);
      }, "arg");
      store(ot, b_.CreateIntCast(b_.CreateLoad(i64_, bestIdx), elemTy(ot), true), out, b_.CreateAdd(b_.CreateMul(o, innerCount), in));
    }, "in");
  }, "out");
}

// Random ops: a counter-based generator (SplitMix64's finalizer over the op's
// key and the element's counter), so the code stays free of mutable state:
// every call draws the same values, and LowerOptions::seed changes them.
Value *Lowerer::mix64(Value *x) {
  if (!mixFn_) {
    auto *fty = llvm::FunctionType::get(i64_, {i64_}, false);
    mixFn_ = llvm::Function::Create(fty, llvm::Function::PrivateLinkage, "scopec.mix64", m_);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", mixFn_));
    Value *z = mixFn_->getArg(0);
    z = b.CreateMul(b.CreateXor(z, b.CreateLShr(z, 30)), b.getInt64(0xbf58476d1ce4e5b9ULL));
    z = b.CreateMul(b.CreateXor(z, b.CreateLShr(z, 27)), b.getInt64(0x94d049bb133111ebULL));
    b.CreateRet(b.CreateXor(z, b.CreateLShr(z, 31)));
  }
  return b_.CreateCall(mixFn_, {x});
}

/// A double in [0, 1) from the top 53 bits of mix64(key + counter * golden).
Value *Lowerer::unitDouble(Value *key, Value *counter) {
  Value *h = mix64(b_.CreateAdd(key, b_.CreateMul(counter, b_.getInt64(0x9e3779b97f4a7c15ULL))));
  return b_.CreateFMul(b_.CreateUIToFP(b_.CreateLShr(h, 11), b_.getDoubleTy()),
                       llvm::ConstantFP::get(b_.getDoubleTy(), 0x1p-53));
}

void Lowerer::random(const Node &n) {
  DType t = outType(n);
  if (!isFloat(t))
    throw Unsupported{"'" + n.name + "' (" + n.op + ") of " + dtypeName(t)};
  uint64_t key = 1469598103934665603ULL; // FNV-1a of the op's name, then the seed
  for (char c : n.name)
    key = (key ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  key ^= opts_.seed * 0xd1b54a32d192ed03ULL;
  Value *K = b_.getInt64(key), *out = output(n);
  llvm::Type *ty = elemTy(t), *f64 = b_.getDoubleTy();
  auto normal = [&](Value *i, Value *attempt) {
    Value *c = b_.CreateAdd(b_.CreateMul(i, b_.getInt64(128)), b_.CreateMul(attempt, b_.getInt64(2)));
    Value *u1 = b_.CreateFSub(llvm::ConstantFP::get(f64, 1.0), unitDouble(K, c)); // (0, 1]
    Value *u2 = unitDouble(K, b_.CreateAdd(c, b_.getInt64(1)));
    Value *r = intrinsic(llvm::Intrinsic::sqrt, {b_.CreateFMul(llvm::ConstantFP::get(f64, -2.0), intrinsic(llvm::Intrinsic::log, {u1}))});
    return b_.CreateFMul(r, intrinsic(llvm::Intrinsic::cos, {b_.CreateFMul(u2, llvm::ConstantFP::get(f64, 6.283185307179586))}));
  };
  loop(count(outDims(n)), [&](Value *i) {
    Value *v;
    if (n.op == "RandomUniform") {
      // The top 24 bits, so that the float is below 1 exactly as TF's [0, 1).
      Value *h = mix64(b_.CreateAdd(K, b_.CreateMul(i, b_.getInt64(0x9e3779b97f4a7c15ULL))));
      v = b_.CreateFMul(b_.CreateUIToFP(b_.CreateLShr(h, 40), f64), llvm::ConstantFP::get(f64, 0x1p-24));
    } else if (n.op == "RandomStandardNormal") {
      v = normal(i, b_.getInt64(0));
    } else {
      // TruncatedNormal: redraw until |z| < 2 (TF's rule), at most 64 times.
      llvm::BasicBlock *pre = b_.GetInsertBlock();
      llvm::BasicBlock *head = llvm::BasicBlock::Create(ctx_, "tn.draw", fn_);
      llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx_, "tn.done", fn_);
      b_.CreateBr(head);
      b_.SetInsertPoint(head);
      llvm::PHINode *attempt = b_.CreatePHI(i64_, 2);
      attempt->addIncoming(b_.getInt64(0), pre);
      Value *z = normal(i, attempt);
      Value *next = b_.CreateAdd(attempt, b_.getInt64(1));
      attempt->addIncoming(next, head);
      Value *inside = b_.CreateFCmpOLT(intrinsic(llvm::Intrinsic::fabs, {z}), llvm::ConstantFP::get(f64, 2.0));
      b_.CreateCondBr(b_.CreateOr(inside, b_.CreateICmpSGE(next, b_.getInt64(64))), done, head);
      b_.SetInsertPoint(done);
      v = b_.CreateSelect(inside, z, llvm::ConstantFP::get(f64, 0.0));
    }
    store(t, b_.CreateFPCast(v, ty), out, i);
  }, "rnd");
}

void Lowerer::lowerNode(const Node &n) {
  Key k{n.id, 0};
  if (n.op == "FusedBatchNormV3")
    return batchNorm(n);
  if (n.op == "Split" || n.op == "SplitV" || n.op == "Unpack")
    return split(n);
  if (n.op == "Switch") { // both outputs are its data (the consumers are gated)
    for (uint32_t i = 0; i < 2; ++i) {
      bufs_[Key{n.id, i}] = input(n, 0);
      shareSlot(Key{n.id, i}, Key{n.inputs[0].node, n.inputs[0].index});
    }
    return;
  }
  if (n.op == "Merge")
    return merge(n);
  if (n.op == "TopKV2")
    return topK(n);
  if (n.outputs.size() != 1)
    throw Unsupported{"op '" + n.name + "' (" + n.op + ") with several outputs"};
  DType ot = outType(n);
  elemTy(ot); // a dtype the generated code can store
  const std::string &op = n.op;
  if (op == "Placeholder")
    return; // bound in run()
  if (op == "VariableV2") {
    if (ot != DType::Float32)
      throw Unsupported{"the variable '" + n.name + "' is " + dtypeName(ot) + "; compiled variables are float32"};
    if (opts_.externalWeights) {
      auto pos = std::find(plan_.variables.begin(), plan_.variables.end(), n.id);
      bufs_[k] = b_.CreateLoad(ptr_, b_.CreateConstInBoundsGEP1_64(ptr_, weightsArg_, static_cast<uint64_t>(pos - plan_.variables.begin())), n.name);
      return;
    }
    auto it = weights_.find(n.id);
    if (it == weights_.end())
      throw Unsupported{"no value for the variable '" + n.name + "'"};
    bufs_[k] = constantData(n.name, it->second);
    return;
  }
  if (op == "Const") {
    bufs_[k] = constantData(n.name, *n.value);
    return;
  }
  if (isView(op)) {
    bufs_[k] = input(n, 0);
    shareSlot(k, Key{n.inputs[0].node, n.inputs[0].index});
    return;
  }
  using Vals = std::vector<Value *>;
  static const std::set<std::string> binary = {
      "Add", "AddV2", "BiasAdd", "Sub", "Mul", "RealDiv", "FloorDiv", "FloorMod", "Pow", "Maximum",
      "Minimum", "Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual",
      "SquaredDifference", "LogicalAnd", "LogicalOr"};
  static const std::set<std::string> unary = {"Neg", "Abs", "Square", "Sqrt", "Exp", "Log", "Relu", "Relu6",
                                              "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Rsqrt", "Softplus",
                                              "LogicalNot"};
  if (binary.count(op)) {
    DType t = inType(n, 0);
    return elementwise(n, {0, 1}, [&](Vals &v) { return binaryOp(op, t, v[0], v[1]); });
  }
  if (unary.count(op)) {
    DType t = inType(n, 0);
    return elementwise(n, {0}, [&](Vals &v) { return unaryOp(n, t, v[0]); });
  }
  if (op == "Cast") {
    DType from = inType(n, 0);
    return elementwise(n, {0}, [&](Vals &v) { return cast(v[0], from, ot); });
  }
  if (op == "Fill")
    return elementwise(n, {1}, [&](Vals &v) { return v[0]; });
  if (op == "ZerosLike") {
    Value *zero = zeroOf(ot);
    return elementwise(n, {0}, [&](Vals &) { return zero; });
  }
  if (op == "AddN") {
    std::vector<size_t> ins(n.inputs.size());
    for (size_t i = 0; i < ins.size(); ++i)
      ins[i] = i;
    DType t = ot;
    return elementwise(n, ins, [&](Vals &v) {
      Value *acc = v[0];
      for (size_t i = 1; i < v.size(); ++i)
        acc = binaryOp("Add", t, acc, v[i]);
      return acc;
    });
  }
  if (op == "Select")
    return select(n);
  if (op == "ArgMax" || op == "ArgMin")
    return argMax(n);
  if (op == "RandomUniform" || op == "RandomStandardNormal" || op == "TruncatedNormal")
    return random(n);
  if (op == "MatMul")
    return matmul(n);
  if (op == "Conv2D")
    return conv2d(n);
  if (op == "Conv2DBackpropInput")
    return conv2dTranspose(n);
  if (op == "DepthwiseConv2dNative")
    return depthwise(n);
  if (op == "MaxPool" || op == "AvgPool")
    return pool(n, op == "MaxPool");
  if (op == "LRN")
    return lrn(n);
  if (op == "Sum" || op == "Mean" || op == "Max" || op == "Min" || op == "Prod" || op == "Any" || op == "All")
    return reduce(n);
  if (op == "Softmax" || op == "LogSoftmax")
    return softmax(n, op == "LogSoftmax");
  if (op == "Transpose")
    return transpose(n);
  if (op == "ConcatV2" || op == "Pack")
    return concat(n, op == "Pack");
  if (op == "StridedSlice")
    return stridedSlice(n);
  if (op == "GatherV2")
    return gather(n);
  if (op == "Tile" || op == "Pad" || op == "Slice" || op == "ReverseV2")
    return remap(n);
  if (op == "SpaceToBatchND" || op == "BatchToSpaceND")
    return spaceToBatch(n, op == "SpaceToBatchND");
  if (op == "ResizeBilinear" || op == "ResizeNearestNeighbor")
    return resize(n, op == "ResizeBilinear");
  if (op == "OneHot" || op == "Range" || op == "Cumsum")
    return sequenceOp(n);
  if (op == "Shape") { // the input's run-time dimensions
    const std::vector<int64_t> &xd = dims(n.inputs[0]);
    Value *out = output(n);
    for (size_t k = 0; k < xd.size(); ++k) {
      Value *d = dimValue(xd[k]);
      store(ot, ot == DType::Int32 ? b_.CreateTrunc(d, i32_) : d, out, b_.getInt64(static_cast<int64_t>(k)));
    }
    return;
  }
  if (op == "Assign")
    throw Unsupported{"'" + n.name + "' (Assign) changes a variable: the compiled forward pass only reads them"};
  throw Unsupported{"the op '" + n.name + "' (" + op + ") cannot be compiled yet"};
}

/// TopKV2 (sorted): per row, the j-th output is the largest element that
/// comes after the (j-1)-th in the order (value descending, index
/// ascending), so equal values keep their input order as TF's does.
void Lowerer::topK(const Node &n) {
  const std::vector<int64_t> &xd = dims(n.inputs[0]);
  int64_t len = xd.back(), k = n.outputs[0].shape.dims.back();
  DType t = inType(n, 0);
  if (len < 0 || k < 0 || (!isFloat(t) && !isInt(t)))
    throw Unsupported{"'" + n.name + "' (TopKV2) needs a static last dimension and k, on numbers"};
  std::vector<int64_t> outer(xd.begin(), xd.end() - 1);
  Value *x = input(n, 0), *vals = output(n, 0), *idxs = output(n, 1);
  llvm::Type *ty = elemTy(t);
  llvm::AllocaInst *bestV = entryAlloca(ty, "topk.v"), *bestI = entryAlloca(i64_, "topk.i");
  llvm::AllocaInst *prevV = entryAlloca(ty, "topk.pv"), *prevI = entryAlloca(i64_, "topk.pi");
  auto gt = [&](Value *a, Value *b) { return isFloat(t) ? b_.CreateFCmpOGT(a, b) : b_.CreateICmpSGT(a, b); };
  auto eq = [&](Value *a, Value *b) { return isFloat(t) ? b_.CreateFCmpOEQ(a, b) : b_.CreateICmpEQ(a, b); };
  loop(count(outer), [&](Value *row) {
    Value *base = b_.CreateMul(row, b_.getInt64(len));
    loop(b_.getInt64(k), [&](Value *j) {
      b_.CreateStore(b_.getInt64(-1), bestI);
      b_.CreateStore(llvm::Constant::getNullValue(ty), bestV);
      Value *first = b_.CreateICmpEQ(j, b_.getInt64(0));
      loop(b_.getInt64(len), [&](Value *e) {
        Value *v = load(t, x, b_.CreateAdd(base, e));
        Value *pv = b_.CreateLoad(ty, prevV), *pi = b_.CreateLoad(i64_, prevI);
        // After the previous pick: smaller, or equal with a larger index.
        Value *after = b_.CreateOr(first, b_.CreateOr(gt(pv, v), b_.CreateAnd(eq(pv, v), b_.CreateICmpSGT(e, pi))));
        Value *bv = b_.CreateLoad(ty, bestV), *bi = b_.CreateLoad(i64_, bestI);
        Value *better = b_.CreateAnd(after, b_.CreateOr(b_.CreateICmpSLT(bi, b_.getInt64(0)), gt(v, bv)));
        b_.CreateStore(b_.CreateSelect(better, v, bv), bestV);
        b_.CreateStore(b_.CreateSelect(better, e, bi), bestI);
      }, "e");
      Value *o = b_.CreateAdd(b_.CreateMul(row, b_.getInt64(k)), j);
      Value *bv = b_.CreateLoad(ty, bestV), *bi = b_.CreateLoad(i64_, bestI);
      store(t, bv, vals, o);
      store(DType::Int32, b_.CreateTrunc(bi, i32_), idxs, o);
      b_.CreateStore(bv, prevV);
      b_.CreateStore(bi, prevI);
    }, "j");
  }, "row");
}

/// Merge(false, true) of a tf.cond: a copy of the taken branch's value,
/// and value_index (1 for the true branch).
void Lowerer::merge(const Node &n) {
  int32_t c = n.inputs.size() == 2 ? g_.node(n.inputs[1].node).cond : -1;
  if (c < 0 || g_.conds.at(static_cast<size_t>(c)).branch != 1)
    throw Unsupported{"'" + n.name + "' (Merge) is not the join of a tf.cond"};
  DType t = n.outputs[0].dtype;
  elemTy(t);
  Value *taken = branchTaken(c, false);
  Value *out = output(n, 0), *cnt = count(outDims(n));
  Value *src = b_.CreateSelect(taken, input(n, 1), input(n, 0));
  copy(t, out, src, cnt);
  store(DType::Int32, b_.CreateZExt(taken, i32_), output(n, 1), b_.getInt64(0));
}

void Lowerer::lowerGated(const Node &n) {
  if (n.cond < 0 || n.op == "Switch") {
    lowerNode(n);
    return;
  }
  Value *taken = branchTaken(n.cond, true);
  llvm::BasicBlock *pre = b_.GetInsertBlock();
  size_t before = fn_->size();
  std::map<Key, Value *> had = bufs_;
  llvm::BasicBlock *then = llvm::BasicBlock::Create(ctx_, "branch." + n.name, fn_);
  llvm::BasicBlock *join = llvm::BasicBlock::Create(ctx_, "branch." + n.name + ".end", fn_);
  b_.CreateCondBr(taken, then, join);
  b_.SetInsertPoint(then);
  lowerNode(n);
  llvm::BasicBlock *last = b_.GetInsertBlock();
  b_.CreateBr(join);
  // join comes after the blocks the body created: keep the layout in order.
  join->moveAfter(last);
  b_.SetInsertPoint(join);
  // Buffers defined inside the branch (views computed there) reach the code
  // after it through a phi; on the path that skips the branch they are never read.
  std::set<llvm::BasicBlock *> inside;
  size_t k = 0;
  for (llvm::BasicBlock &bb : *fn_)
    if (k++ >= before || &bb == then)
      inside.insert(&bb);
  inside.erase(join);
  for (auto &[key, v] : bufs_) {
    auto it = had.find(key);
    if (it != had.end() && it->second == v)
      continue;
    auto *inst = llvm::dyn_cast<llvm::Instruction>(v);
    if (!inst || !inside.count(inst->getParent()))
      continue;
    llvm::PHINode *phi = b_.CreatePHI(v->getType(), 2, "from." + n.name);
    phi->addIncoming(v, last);
    phi->addIncoming(llvm::Constant::getNullValue(v->getType()), pre);
    v = phi;
  }
}

void Lowerer::run() {
  std::string P = opts_.prefix;
  std::vector<llvm::Type *> params = {i64_, ptr_, ptr_, ptr_};
  if (opts_.externalWeights)
    params.insert(params.begin() + 1, ptr_);
  // PREFIX_run(args...) is PREFIX_run_parallel(args..., NULL, NULL): one thread.
  std::vector<llvm::Type *> pparams = params;
  pparams.push_back(ptr_);
  pparams.push_back(ptr_);
  fn_ = llvm::Function::Create(llvm::FunctionType::get(i32_, pparams, false), llvm::Function::ExternalLinkage,
                               P + "_run_parallel", m_);
  {
    llvm::Function *serial = llvm::Function::Create(llvm::FunctionType::get(i32_, params, false),
                                                    llvm::Function::ExternalLinkage, P + "_run", m_);
    llvm::IRBuilder<> sb(llvm::BasicBlock::Create(ctx_, "entry", serial));
    std::vector<Value *> fwd;
    for (auto &a : serial->args())
      fwd.push_back(&a);
    fwd.push_back(llvm::ConstantPointerNull::get(b_.getPtrTy()));
    fwd.push_back(llvm::ConstantPointerNull::get(b_.getPtrTy()));
    sb.CreateRet(sb.CreateCall(fn_, fwd));
  }
  if (opts_.externalWeights && opts_.packWeights)
    for (NodeID v : plan_.variables)
      if (PackedUse use = packedUse(g_, plan_, v); use != kKept)
        packedVars_[v] = use;
  auto args = fn_->arg_begin();
  batch_ = &*args++;
  if (opts_.externalWeights) {
    weightsArg_ = &*args++;
    weightsArg_->setName("weights");
  }
  Value *feeds = &*args++, *fetches = &*args++;
  scratch_ = &*args++;
  pforArg_ = &*args++;
  poolArg_ = &*args++;
  pforArg_->setName("parallel_for");
  poolArg_->setName("pool");
  batch_->setName("batch");
  feeds->setName("feeds");
  fetches->setName("fetches");
  scratch_->setName("scratch");
  for (auto &a : fn_->args())
    if (a.getType()->isPointerTy())
      a.addAttr(llvm::Attribute::NoUndef);
  llvm::BasicBlock *entry = llvm::BasicBlock::Create(ctx_, "entry", fn_);
  llvm::BasicBlock *bad = llvm::BasicBlock::Create(ctx_, "bad_batch", fn_);
  llvm::BasicBlock *nullp = llvm::BasicBlock::Create(ctx_, "null_pointer", fn_);
  b_.SetInsertPoint(bad);
  b_.CreateRet(b_.getInt32(kBadBatch));
  b_.SetInsertPoint(nullp);
  b_.CreateRet(b_.getInt32(kNullPointer));
  b_.SetInsertPoint(entry);
  arithError_ = b_.CreateAlloca(b_.getInt1Ty(), nullptr, "arith_error");
  b_.CreateStore(b_.getFalse(), arithError_);
  indexError_ = b_.CreateAlloca(b_.getInt1Ty(), nullptr, "index_error");
  b_.CreateStore(b_.getFalse(), indexError_);
  // Argument checks: a batch of at least 1 (and at most 2^31), non-null pointers.
  llvm::BasicBlock *ok = llvm::BasicBlock::Create(ctx_, "args_ok", fn_);
  Value *batchOk = b_.CreateAnd(b_.CreateICmpSGE(batch_, b_.getInt64(1)), b_.CreateICmpSLE(batch_, b_.getInt64(int64_t(1) << 31)));
  llvm::BasicBlock *ptrCheck = llvm::BasicBlock::Create(ctx_, "check_ptrs", fn_);
  b_.CreateCondBr(batchOk, ptrCheck, bad);
  b_.SetInsertPoint(ptrCheck);
  Value *anyNull = b_.CreateOr(b_.CreateIsNull(fetches), b_.CreateIsNull(scratch_));
  if (!plan_.feeds.empty())
    anyNull = b_.CreateOr(anyNull, b_.CreateIsNull(feeds));
  if (weightsArg_ && !plan_.variables.empty())
    anyNull = b_.CreateOr(anyNull, b_.CreateIsNull(weightsArg_));
  b_.CreateCondBr(anyNull, nullp, ok);
  // The arrays are valid: load and check their elements.
  b_.SetInsertPoint(ok);
  std::vector<Value *> feedPtrs;
  Value *elemNull = b_.getFalse();
  for (size_t i = 0; i < plan_.feeds.size(); ++i) {
    Value *p = b_.CreateLoad(ptr_, b_.CreateConstInBoundsGEP1_64(ptr_, feeds, i), plan_.feeds[i].name);
    feedPtrs.push_back(p);
    elemNull = b_.CreateOr(elemNull, b_.CreateIsNull(p));
  }
  for (size_t i = 0; i < plan_.fetches.size(); ++i) {
    Value *p = b_.CreateLoad(ptr_, b_.CreateConstInBoundsGEP1_64(ptr_, fetches, i), plan_.fetches[i].name);
    fetchPtrs_.push_back(p);
    elemNull = b_.CreateOr(elemNull, b_.CreateIsNull(p));
  }
  llvm::BasicBlock *body = llvm::BasicBlock::Create(ctx_, "body", fn_);
  b_.CreateCondBr(elemNull, nullp, body);
  b_.SetInsertPoint(body);
  for (size_t i = 0; i < plan_.feeds.size(); ++i)
    bufs_[Key{plan_.feeds[i].tensor.node, 0}] = feedPtrs[i];
  for (size_t i = 0; i < plan_.fetches.size(); ++i)
    fetchIndex_.emplace(Key{plan_.fetches[i].tensor.node, plan_.fetches[i].tensor.index}, i);
  for (NodeID id : plan_.nodes)
    for (const TensorRef &r : g_.node(id).inputs) {
      ++uses_[r.node];
      ++edgeUses_[Key{r.node, r.index}];
    }
  fetchThroughViews();
  // Constants and weights first, outside any tf.cond branch: their buffers
  // then dominate every use (ops lowered ahead for fusion included).
  for (NodeID id : plan_.nodes) {
    const Node &n = g_.node(id);
    bool weightRead = n.op == "Identity" && g_.node(n.inputs[0].node).op == "VariableV2";
    if (n.op == "Const" || n.op == "VariableV2" || weightRead) {
      lowerNode(n);
      done_.insert(id);
    }
  }
  for (NodeID id : plan_.nodes)
    if (!done_.count(id)) {
      lowerGated(g_.node(id));
      releaseAfter(g_.node(id));
    }
  // Fetches that are views, feeds, weights or constants: copy them out.
  for (size_t i = 0; i < plan_.fetches.size(); ++i) {
    Key k{plan_.fetches[i].tensor.node, plan_.fetches[i].tensor.index};
    Value *src = bufs_.at(k);
    if (src != fetchPtrs_[i])
      copy(plan_.fetches[i].dtype, fetchPtrs_[i], src, count(plan_.fetches[i].dims));
  }
  Value *status = b_.CreateSelect(b_.CreateLoad(b_.getInt1Ty(), arithError_), b_.getInt32(kArithmetic), b_.getInt32(kOK));
  b_.CreateRet(b_.CreateSelect(b_.CreateLoad(b_.getInt1Ty(), indexError_), b_.getInt32(kIndex), status));

  // PREFIX_scratch_size(batch): bytes.
  auto *sty = llvm::FunctionType::get(i64_, {i64_}, false);
  llvm::Function *size = llvm::Function::Create(sty, llvm::Function::ExternalLinkage, P + "_scratch_size", m_);
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", size));
  Value *bsz = size->getArg(0);
  Value *bytes = b_.CreateAdd(b_.getInt64(scratchA_), b_.CreateMul(b_.getInt64(scratchC_), bsz));
  b_.CreateRet(b_.CreateAdd(bytes, b_.getInt64(64)));
  if (opts_.externalWeights && opts_.packWeights)
    packWeightsFunction();
}

/// PREFIX_pack_weights(weights, packed): packed[i] = variable i's packed
/// form (packColumns' layout for the weights of MatMuls, else a copy).
void Lowerer::packWeightsFunction() {
  fn_ = llvm::Function::Create(llvm::FunctionType::get(b_.getVoidTy(), {ptr_, ptr_}, false),
                               llvm::Function::ExternalLinkage, opts_.prefix + "_pack_weights", m_);
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", fn_));
  Value *in = fn_->getArg(0), *out = fn_->getArg(1);
  for (size_t i = 0; i < plan_.variables.size(); ++i) {
    NodeID v = plan_.variables[i];
    Value *src = b_.CreateLoad(ptr_, b_.CreateConstInBoundsGEP1_64(ptr_, in, i));
    Value *dst = b_.CreateLoad(ptr_, b_.CreateConstInBoundsGEP1_64(ptr_, out, i));
    const std::vector<int64_t> &d = g_.node(v).outputs[0].shape.dims;
    auto it = packedVars_.find(v);
    if (it == packedVars_.end()) {
      copy(DType::Float32, dst, src, count(d));
      continue;
    }
    // B[R, N] (a filter as [KH * KW * C, OC]) by panels: columns n0 ..
    // n0 + width - 1 to rows ld apart from n0 * R. Full panels of 32 from
    // column 0 in a loop, then the last (narrower, padded) one.
    const int64_t R = it->second == kConv ? d[0] * d[1] * d[2] : d[0], N = d.back();
    auto panel = [&](Value *n0, int64_t ld, int64_t width) {
      loop(b_.getInt64(R), [&](Value *r) {
        Value *from = b_.CreateAdd(b_.CreateMul(r, b_.getInt64(N)), n0);
        Value *to = b_.CreateAdd(b_.CreateMul(r, b_.getInt64(ld)), b_.CreateMul(n0, b_.getInt64(R)));
        copy(DType::Float32, b_.CreateInBoundsGEP(f32_, dst, to), b_.CreateInBoundsGEP(f32_, src, from), b_.getInt64(width));
        if (ld > width) // the padding: zeros
          loop(b_.getInt64(ld - width), [&](Value *c) { store(fconst(0), dst, b_.CreateAdd(to, b_.CreateAdd(c, b_.getInt64(width)))); }, "pad");
      }, "r");
    };
    int64_t full = N / kPanel, lastN0 = full * kPanel, lastWidth = N - lastN0;
    if (it->second == kConv) {
      ConvPanels pp = convPanels(N);
      full = pp.full, lastN0 = pp.lastN0, lastWidth = pp.count > pp.full ? pp.lastWidth : 0;
    }
    loop(b_.getInt64(full), [&](Value *j) { panel(b_.CreateMul(j, b_.getInt64(kPanel)), kPanel, kPanel); }, "panel");
    if (lastWidth > 0)
      panel(b_.getInt64(lastN0), (lastWidth + 15) / 16 * 16, lastWidth);
  }
  b_.CreateRetVoid();
}

} // namespace

std::vector<int64_t> packedWeightSizes(const Graph &g, const Plan &plan) {
  std::vector<int64_t> out;
  for (NodeID v : plan.variables)
    out.push_back(Lowerer::packedElements(g, plan, v));
  return out;
}

std::unique_ptr<llvm::Module> lower(const Graph &g, const Plan &plan, const WeightValues &weights,
                                    llvm::LLVMContext &ctx, const LowerOptions &opts,
                                    std::string &error) {
  auto m = std::make_unique<llvm::Module>(opts.prefix, ctx);
  for (const Binding &b : plan.feeds) {
    int unknown = 0;
    for (size_t k = 0; k < b.dims.size(); ++k)
      if (b.dims[k] < 0) {
        ++unknown;
        if (k != 0) {
          error = "the feed '" + b.name + "' has an unknown dimension other than the first (the batch)";
          return nullptr;
        }
      }
    if (b.dtype != DType::Float32 && b.dtype != DType::Float64 && b.dtype != DType::Int32 &&
        b.dtype != DType::Int64 && b.dtype != DType::Bool) {
      error = "the feed '" + b.name + "' is " + dtypeName(b.dtype) +
              "; the code generator takes float32, float64, int32, int64 and bool feeds";
      return nullptr;
    }
  }
  for (NodeID id : plan.nodes) {
    const Node &n = g.node(id);
    // Output 0's run-time shape is the plan's (it follows shape tensors);
    // the other outputs of multi-output ops have their static shapes.
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      const TensorType &t = n.outputs[i];
      int unknown = 0;
      for (int64_t d : t.shape.dims)
        unknown += d < 0;
      if (t.shape.unknownRank || (unknown > 1 && (i > 0 || !plan.dims.count(n.id)))) {
        error = "'" + n.name + "' has a shape the code generator cannot size: " + t.shape.str() +
                " (only the batch may be unknown)";
        return nullptr;
      }
    }
  }
  Lowerer l(g, plan, weights, ctx, *m, opts);
  try {
    l.run();
  } catch (Unsupported &u) {
    error = u.message;
    return nullptr;
  }
  std::string verify;
  llvm::raw_string_ostream os(verify);
  if (llvm::verifyModule(*m, &os)) {
    error = "internal: the generated module is invalid: " + os.str();
    return nullptr;
  }
  return m;
}

const char *runStatusMessage(int32_t status) {
  switch (status) {
  case kBadBatch: return "the batch is not between 1 and 2^31";
  case kNullPointer: return "a NULL array, array element or scratch buffer";
  case kArithmetic: return "integer division by zero or a negative integer power";
  case kIndex: return "an index out of range (tf.gather / tf.nn.embedding_lookup ids outside [0, rows))";
  default: return nullptr;
  }
}

} // namespace scopec::codegen
