//===- Backend.h - Optimising, JIT-compiling and emitting modules -*- C++ -*-===//
#ifndef SCOPEC_CODEGEN_BACKEND_H
#define SCOPEC_CODEGEN_BACKEND_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
namespace orc {
class LLJIT;
}
} // namespace llvm

namespace scopec::codegen {

struct TargetOptions {
  std::string triple; ///< empty: the host
  std::string cpu;    ///< empty: the host CPU (with its features)
  unsigned optLevel = 2;
  bool pic = true;
};

/// A target machine for `opts` (E: unknown target, bad CPU).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const TargetOptions &opts);

/// Runs the standard -O<n> pipeline for the target.
void optimizeModule(llvm::Module &m, llvm::TargetMachine &tm, unsigned optLevel);

enum class FileKind { Object, Assembly };
llvm::Error emitFile(llvm::Module &m, llvm::TargetMachine &tm, FileKind kind, const std::string &path);

using RunFn = int32_t (*)(int64_t, const void *const *, void *const *, void *);
/// PREFIX_run_parallel: RunFn's arguments, then parallel_for and its pool (scopec_rt.h).
using ParallelForFn = void (*)(void *, int64_t, void (*)(void *, int64_t, int64_t), void *);
using RunParallelFn = int32_t (*)(int64_t, const void *const *, void *const *, void *, ParallelForFn, void *);
using ScratchFn = int64_t (*)(int64_t);

/// A model compiled in-process with ORC LLJIT.
class JITModel {
public:
  static llvm::Expected<std::unique_ptr<JITModel>> create(std::unique_ptr<llvm::Module> m,
                                                          std::unique_ptr<llvm::LLVMContext> ctx,
                                                          const std::string &prefix,
                                                          unsigned optLevel);
  ~JITModel();
  RunFn run = nullptr;
  RunParallelFn runParallel = nullptr;
  ScratchFn scratchSize = nullptr;

private:
  JITModel() = default;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
};

} // namespace scopec::codegen

#endif
