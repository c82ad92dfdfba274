//===- Lower.cpp - Graph to LLVM IR ---------------------------------------===//
//
// One function per model: loop nests specialised to the static shapes, the
// batch as a run-time size. Intermediates live in the caller's scratch buffer
// (each at an offset A + C * batch floats); views (Identity, Reshape,
// ExpandDims, Squeeze) alias their input; fetches are written in place.
// Strict IEEE arithmetic: no fast-math flags.
//
//===----------------------------------------------------------------------===//
#include "scopec/CodeGen/CodeGen.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <functional>
#include <map>
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
  std::map<Key, Value *> bufs_;
  std::map<Key, size_t> fetchIndex_;
  std::vector<Value *> fetchPtrs_;
  int64_t scratchA_ = 0, scratchC_ = 0; ///< scratch size in floats: A + C * batch

  // Shapes.
  const std::vector<int64_t> &dims(TensorRef t) const { return g_.type(t).shape.dims; }
  Value *dimValue(int64_t d) { return d < 0 ? batch_ : b_.getInt64(d); }
  Value *count(const std::vector<int64_t> &d) {
    Value *n = b_.getInt64(1);
    int64_t stat = 1;
    for (int64_t x : d) {
      if (x < 0)
        n = b_.CreateMul(n, batch_);
      else
        stat *= x;
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
  Value *load(Value *base, Value *off) {
    return b_.CreateLoad(f32_, b_.CreateInBoundsGEP(f32_, base, off));
  }
  void store(Value *v, Value *base, Value *off) {
    b_.CreateStore(v, b_.CreateInBoundsGEP(f32_, base, off));
  }
  Value *intrinsic(llvm::Intrinsic::ID id, std::vector<Value *> args) {
    llvm::Function *f = llvm::Intrinsic::getDeclaration(&m_, id, {f32_});
    return b_.CreateCall(f, args);
  }
  Value *libm(const char *name, Value *x) {
    llvm::FunctionCallee f = m_.getOrInsertFunction(name, llvm::FunctionType::get(f32_, {f32_}, false));
    return b_.CreateCall(f, {x});
  }
  Value *fconst(double v) { return llvm::ConstantFP::get(f32_, v); }

  // Buffers.
  Value *input(const Node &n, size_t i) {
    auto it = bufs_.find(Key{n.inputs[i].node, n.inputs[i].index});
    if (it == bufs_.end())
      throw Unsupported{"internal: input " + g_.tensorName(n.inputs[i]) + " of '" + n.name + "' was not lowered"};
    return it->second;
  }
  /// The output buffer of a node: the fetch pointer, or a scratch slot.
  Value *output(const Node &n) {
    Key k{n.id, 0};
    Value *p;
    if (auto it = fetchIndex_.find(k); it != fetchIndex_.end()) {
      p = fetchPtrs_[it->second];
    } else {
      const std::vector<int64_t> &d = n.outputs[0].shape.dims;
      int64_t stat = 1;
      bool batched = false;
      for (int64_t x : d) {
        if (x < 0)
          batched = true;
        else
          stat *= x;
      }
      int64_t rounded = (stat + 15) / 16 * 16;
      Value *off = b_.CreateAdd(b_.getInt64(scratchA_), b_.CreateMul(b_.getInt64(scratchC_), batch_));
      p = b_.CreateInBoundsGEP(f32_, scratch_, off, n.name);
      (batched ? scratchC_ : scratchA_) += rounded;
    }
    bufs_[k] = p;
    return p;
  }
  llvm::GlobalVariable *constantData(const std::string &name, const std::vector<float> &values) {
    auto *ty = llvm::ArrayType::get(f32_, values.size());
    std::vector<llvm::Constant *> elems;
    elems.reserve(values.size());
    for (float v : values)
      elems.push_back(llvm::ConstantFP::get(f32_, v));
    auto *gv = new llvm::GlobalVariable(m_, ty, /*isConstant=*/true, llvm::GlobalValue::PrivateLinkage,
                                        llvm::ConstantArray::get(ty, elems), name);
    gv->setAlignment(llvm::Align(64));
    gv->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    return gv;
  }

  // Op lowerings.
  void elementwise(const Node &n, const std::vector<size_t> &ins,
                   const std::function<Value *(std::vector<Value *> &)> &op);
  void lowerNode(const Node &n);
  void matmul(const Node &n);
  void conv2d(const Node &n);
  void pool(const Node &n, bool isMax);
  void reduce(const Node &n);
  void softmax(const Node &n, bool log);
  void transpose(const Node &n);
  void concat(const Node &n, bool pack);
  void stridedSlice(const Node &n);
  void copy(Value *dst, Value *src, Value *n) {
    loop(n, [&](Value *i) { store(load(src, i), dst, i); }, "copy");
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

void Lowerer::elementwise(const Node &n, const std::vector<size_t> &ins,
                          const std::function<Value *(std::vector<Value *> &)> &op) {
  const std::vector<int64_t> &od = n.outputs[0].shape.dims;
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
        vals.push_back(load(bases[k], d == od ? i : b_.getInt64(0)));
      }
      store(op(vals), out, i);
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
      vals.push_back(load(bases[k], linear(idx, inStrides[k])));
    store(op(vals), out, linear(idx, outStrides));
  });
}

void Lowerer::matmul(const Node &n) {
  auto ta = n.attrs.count("transpose_a") && std::get<bool>(n.attrs.at("transpose_a"));
  auto tb = n.attrs.count("transpose_b") && std::get<bool>(n.attrs.at("transpose_b"));
  const std::vector<int64_t> &ad = dims(n.inputs[0]), &bd = dims(n.inputs[1]);
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

void Lowerer::conv2d(const Node &n) {
  const std::vector<int64_t> &xd = dims(n.inputs[0]), &wd = dims(n.inputs[1]), &od = n.outputs[0].shape.dims;
  std::vector<int64_t> st = attrInts(n, "strides"), dil = {1, 1, 1, 1};
  if (n.attrs.count("dilations"))
    dil = attrInts(n, "dilations");
  bool same = std::get<std::string>(n.attrs.at("padding")) == "SAME";
  int64_t H = xd[1], W = xd[2], C = xd[3], KH = wd[0], KW = wd[1], OC = wd[3];
  int64_t OH = od[1], OW = od[2];
  if (H < 0 || W < 0 || C < 0 || OH < 0 || OW < 0)
    throw Unsupported{"Conv2D '" + n.name + "' needs known spatial and channel dimensions"};
  auto padBefore = [&](int64_t in, int64_t out, int64_t k, int64_t s, int64_t d) -> int64_t {
    if (!same)
      return 0;
    int64_t total = std::max<int64_t>((out - 1) * s + (k - 1) * d + 1 - in, 0);
    return total / 2;
  };
  int64_t pt = padBefore(H, OH, KH, st[1], dil[1]), pl = padBefore(W, OW, KW, st[2], dil[2]);
  Value *x = input(n, 0), *w = input(n, 1), *out = output(n);
  loop(dimValue(xd[0]), [&](Value *bi) {
    loop(b_.getInt64(OH), [&](Value *oh) {
      loop(b_.getInt64(OW), [&](Value *ow) {
        Value *obase = b_.CreateMul(b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(bi, b_.getInt64(OH)), oh), b_.getInt64(OW)), ow), b_.getInt64(OC));
        loop(b_.getInt64(OC), [&](Value *oc) { store(fconst(0), out, b_.CreateAdd(obase, oc)); }, "z");
        loop(b_.getInt64(KH), [&](Value *kh) {
          Value *ih = b_.CreateSub(b_.CreateAdd(b_.CreateMul(oh, b_.getInt64(st[1])), b_.CreateMul(kh, b_.getInt64(dil[1]))), b_.getInt64(pt));
          Value *inH = b_.CreateAnd(b_.CreateICmpSGE(ih, b_.getInt64(0)), b_.CreateICmpSLT(ih, b_.getInt64(H)));
          loop(b_.getInt64(KW), [&](Value *kw) {
            Value *iw = b_.CreateSub(b_.CreateAdd(b_.CreateMul(ow, b_.getInt64(st[2])), b_.CreateMul(kw, b_.getInt64(dil[2]))), b_.getInt64(pl));
            Value *inside = b_.CreateAnd(inH, b_.CreateAnd(b_.CreateICmpSGE(iw, b_.getInt64(0)), b_.CreateICmpSLT(iw, b_.getInt64(W))));
            llvm::BasicBlock *then = llvm::BasicBlock::Create(ctx_, "tap", fn_);
            llvm::BasicBlock *skip = llvm::BasicBlock::Create(ctx_, "notap", fn_);
            b_.CreateCondBr(inside, then, skip);
            b_.SetInsertPoint(then);
            Value *xbase = b_.CreateMul(b_.CreateAdd(b_.CreateMul(b_.CreateAdd(b_.CreateMul(bi, b_.getInt64(H)), ih), b_.getInt64(W)), iw), b_.getInt64(C));
            Value *wbase = b_.CreateMul(b_.CreateAdd(b_.CreateMul(kh, b_.getInt64(KW)), kw), b_.getInt64(C * OC));
            loop(b_.getInt64(C), [&](Value *ic) {
              Value *xv = load(x, b_.CreateAdd(xbase, ic));
              Value *wrow = b_.CreateAdd(wbase, b_.CreateMul(ic, b_.getInt64(OC)));
              loop(b_.getInt64(OC), [&](Value *oc) {
                Value *o = b_.CreateAdd(obase, oc);
                store(b_.CreateFAdd(load(out, o), b_.CreateFMul(xv, load(w, b_.CreateAdd(wrow, oc)))), out, o);
              }, "oc");
            }, "ic");
            b_.CreateBr(skip);
            b_.SetInsertPoint(skip);
          }, "kw");
        }, "kh");
      }, "ow");
    }, "oh");
  }, "n");
}

void Lowerer::pool(const Node &n, bool isMax) {
  const std::vector<int64_t> &xd = dims(n.inputs[0]), &od = n.outputs[0].shape.dims;
  std::vector<int64_t> st = attrInts(n, "strides"), ks = attrInts(n, "ksize");
  bool same = std::get<std::string>(n.attrs.at("padding")) == "SAME";
  int64_t H = xd[1], W = xd[2], C = xd[3], OH = od[1], OW = od[2];
  if (H < 0 || W < 0 || C < 0)
    throw Unsupported{"pooling '" + n.name + "' needs known spatial and channel dimensions"};
  int64_t pt = same ? std::max<int64_t>((OH - 1) * st[1] + ks[1] - H, 0) / 2 : 0;
  int64_t pl = same ? std::max<int64_t>((OW - 1) * st[2] + ks[2] - W, 0) / 2 : 0;
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
  Value *x = input(n, 0), *out = output(n);
  bool isMax = n.op == "Max", isMin = n.op == "Min";
  double init = isMax ? -std::numeric_limits<float>::infinity() : isMin ? std::numeric_limits<float>::infinity() : 0.0;
  Value *outCount = count(kept);
  loop(outCount, [&](Value *i) { store(fconst(init), out, i); }, "z");
  std::vector<Value *> xs = strides(xd);
  nest(xd, [&](std::vector<Value *> &idx) {
    Value *o = linear(idx, os);
    Value *v = load(x, linear(idx, xs)), *a = load(out, o);
    store(isMax ? b_.CreateSelect(b_.CreateFCmpOGT(v, a), v, a)
          : isMin ? b_.CreateSelect(b_.CreateFCmpOLT(v, a), v, a)
                  : b_.CreateFAdd(a, v),
          out, o);
  });
  if (n.op == "Mean") {
    Value *reducedCount = b_.getInt64(1);
    for (size_t k = 0; k < xd.size(); ++k)
      if (reduced[k])
        reducedCount = b_.CreateMul(reducedCount, dimValue(xd[k]));
    Value *div = b_.CreateSIToFP(reducedCount, f32_);
    loop(outCount, [&](Value *i) { store(b_.CreateFDiv(load(out, i), div), out, i); }, "mean");
  }
}

void Lowerer::softmax(const Node &n, bool log) {
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
      Value *e = intrinsic(llvm::Intrinsic::exp, {b_.CreateFSub(load(x, o), m)});
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
  const std::vector<int64_t> &xd = dims(n.inputs[0]), &od = n.outputs[0].shape.dims;
  std::vector<Value *> xs = strides(xd), os = strides(od), src(od.size());
  for (size_t k = 0; k < od.size(); ++k)
    src[k] = xs[static_cast<size_t>(perm->i[k])];
  Value *x = input(n, 0), *out = output(n);
  nest(od, [&](std::vector<Value *> &idx) { store(load(x, linear(idx, src)), out, linear(idx, os)); });
}

void Lowerer::concat(const Node &n, bool pack) {
  const std::vector<int64_t> &od = n.outputs[0].shape.dims;
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
      store(load(src, linear(idx, is)), out, linear(oidx, os));
    });
    offset = b_.CreateAdd(offset, dimValue(d[static_cast<size_t>(axis)]));
  }
}

void Lowerer::stridedSlice(const Node &n) {
  const TensorData *bd = constInput(n, 1), *ed = constInput(n, 2), *sd = constInput(n, 3);
  if (!bd || !ed || !sd)
    throw Unsupported{"slice '" + n.name + "' with non-constant bounds"};
  const std::vector<int64_t> &xd = dims(n.inputs[0]), &od = n.outputs[0].shape.dims;
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
    store(load(x, src), out, linear(idx, os));
  });
}

void Lowerer::lowerNode(const Node &n) {
  Key k{n.id, 0};
  if (n.outputs.size() != 1)
    throw Unsupported{"op '" + n.name + "' (" + n.op + ") with several outputs"};
  if (n.op != "Placeholder" && n.outputs[0].dtype != DType::Float32)
    throw Unsupported{"'" + n.name + "' (" + n.op + ") computes " + dtypeName(n.outputs[0].dtype) +
                      "; the code generator lowers float32 tensors only"};
  const std::string &op = n.op;
  if (op == "Placeholder")
    return; // bound in run()
  if (op == "VariableV2") {
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
    std::vector<float> v(n.value->f.begin(), n.value->f.end());
    bufs_[k] = constantData(n.name, v);
    return;
  }
  if (op == "Identity" || op == "Reshape" || op == "ExpandDims" || op == "Squeeze") {
    bufs_[k] = input(n, 0);
    return;
  }
  using Vals = std::vector<Value *>;
  auto bin = [&](std::function<Value *(Value *, Value *)> f) {
    elementwise(n, {0, 1}, [&](Vals &v) { return f(v[0], v[1]); });
  };
  auto un = [&](std::function<Value *(Value *)> f) {
    elementwise(n, {0}, [&](Vals &v) { return f(v[0]); });
  };
  if (op == "Add" || op == "AddV2" || op == "BiasAdd")
    return bin([&](Value *x, Value *y) { return b_.CreateFAdd(x, y); });
  if (op == "Sub")
    return bin([&](Value *x, Value *y) { return b_.CreateFSub(x, y); });
  if (op == "Mul")
    return bin([&](Value *x, Value *y) { return b_.CreateFMul(x, y); });
  if (op == "RealDiv")
    return bin([&](Value *x, Value *y) { return b_.CreateFDiv(x, y); });
  if (op == "Maximum")
    return bin([&](Value *x, Value *y) { return b_.CreateSelect(b_.CreateFCmpOGE(x, y), x, y); });
  if (op == "Minimum")
    return bin([&](Value *x, Value *y) { return b_.CreateSelect(b_.CreateFCmpOLE(x, y), x, y); });
  if (op == "Pow")
    return bin([&](Value *x, Value *y) { return intrinsic(llvm::Intrinsic::pow, {x, y}); });
  if (op == "Neg")
    return un([&](Value *x) { return b_.CreateFNeg(x); });
  if (op == "Abs")
    return un([&](Value *x) { return intrinsic(llvm::Intrinsic::fabs, {x}); });
  if (op == "Square")
    return un([&](Value *x) { return b_.CreateFMul(x, x); });
  if (op == "Sqrt")
    return un([&](Value *x) { return intrinsic(llvm::Intrinsic::sqrt, {x}); });
  if (op == "Exp")
    return un([&](Value *x) { return intrinsic(llvm::Intrinsic::exp, {x}); });
  if (op == "Log")
    return un([&](Value *x) { return intrinsic(llvm::Intrinsic::log, {x}); });
  if (op == "Relu")
    return un([&](Value *x) { return b_.CreateSelect(b_.CreateFCmpOGT(x, fconst(0)), x, fconst(0)); });
  if (op == "Relu6")
    return un([&](Value *x) {
      Value *r = b_.CreateSelect(b_.CreateFCmpOGT(x, fconst(0)), x, fconst(0));
      return b_.CreateSelect(b_.CreateFCmpOLT(r, fconst(6)), r, fconst(6));
    });
  if (op == "LeakyRelu") {
    double alpha = n.attrs.count("alpha") ? std::get<double>(n.attrs.at("alpha")) : 0.2;
    return un([&](Value *x) { return b_.CreateSelect(b_.CreateFCmpOGT(x, fconst(0)), x, b_.CreateFMul(x, fconst(alpha))); });
  }
  if (op == "Elu")
    return un([&](Value *x) {
      return b_.CreateSelect(b_.CreateFCmpOGT(x, fconst(0)), x, libm("expm1f", x));
    });
  if (op == "Sigmoid")
    return un([&](Value *x) {
      return b_.CreateFDiv(fconst(1), b_.CreateFAdd(fconst(1), intrinsic(llvm::Intrinsic::exp, {b_.CreateFNeg(x)})));
    });
  if (op == "Tanh")
    return un([&](Value *x) { return libm("tanhf", x); });
  if (op == "MatMul")
    return matmul(n);
  if (op == "Conv2D")
    return conv2d(n);
  if (op == "MaxPool" || op == "AvgPool")
    return pool(n, op == "MaxPool");
  if (op == "Sum" || op == "Mean" || op == "Max" || op == "Min")
    return reduce(n);
  if (op == "Softmax" || op == "LogSoftmax")
    return softmax(n, op == "LogSoftmax");
  if (op == "Transpose")
    return transpose(n);
  if (op == "ConcatV2" || op == "Pack")
    return concat(n, op == "Pack");
  if (op == "StridedSlice")
    return stridedSlice(n);
  throw Unsupported{"the op '" + n.name + "' (" + op + ") cannot be compiled yet"};
}

void Lowerer::run() {
  std::string P = opts_.prefix;
  std::vector<llvm::Type *> params = {i64_, ptr_, ptr_, ptr_};
  if (opts_.externalWeights)
    params.insert(params.begin() + 1, ptr_);
  auto *fty = llvm::FunctionType::get(i32_, params, false);
  fn_ = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, P + "_run", m_);
  auto args = fn_->arg_begin();
  batch_ = &*args++;
  if (opts_.externalWeights) {
    weightsArg_ = &*args++;
    weightsArg_->setName("weights");
  }
  Value *feeds = &*args++, *fetches = &*args++;
  scratch_ = &*args++;
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
    lowerNode(g_.node(id));
  // Fetches that are views, feeds, weights or constants: copy them out.
  for (size_t i = 0; i < plan_.fetches.size(); ++i) {
    Key k{plan_.fetches[i].tensor.node, plan_.fetches[i].tensor.index};
    Value *src = bufs_.at(k);
    if (src != fetchPtrs_[i])
      copy(fetchPtrs_[i], src, count(plan_.fetches[i].dims));
  }
  b_.CreateRet(b_.getInt32(kOK));

  // PREFIX_scratch_size(batch): bytes.
  auto *sty = llvm::FunctionType::get(i64_, {i64_}, false);
  llvm::Function *size = llvm::Function::Create(sty, llvm::Function::ExternalLinkage, P + "_scratch_size", m_);
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", size));
  Value *bsz = size->getArg(0);
  Value *floats = b_.CreateAdd(b_.getInt64(scratchA_), b_.CreateMul(b_.getInt64(scratchC_), bsz));
  b_.CreateRet(b_.CreateMul(b_.CreateAdd(floats, b_.getInt64(16)), b_.getInt64(4)));
}

} // namespace

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
    if (b.dtype != DType::Float32) {
      error = "the feed '" + b.name + "' is " + dtypeName(b.dtype) + "; the code generator takes float32 feeds only";
      return nullptr;
    }
  }
  for (NodeID id : plan.nodes) {
    const Node &n = g.node(id);
    for (const TensorType &t : n.outputs) {
      int unknown = 0;
      for (int64_t d : t.shape.dims)
        unknown += d < 0;
      if (t.shape.unknownRank || unknown > 1) {
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

} // namespace scopec::codegen
