//===- Backend.cpp - Target machines, the pass pipeline, ORC LLJIT --------===//
#include "scopec/CodeGen/Backend.h"

#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <mutex>

namespace scopec::codegen {

namespace {
void initialiseTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
}

llvm::CodeGenOptLevel codeGenLevel(unsigned o) {
  return o == 0 ? llvm::CodeGenOptLevel::None
         : o == 1 ? llvm::CodeGenOptLevel::Less
         : o == 2 ? llvm::CodeGenOptLevel::Default
                  : llvm::CodeGenOptLevel::Aggressive;
}
} // namespace

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const TargetOptions &opts) {
  initialiseTargets();
  std::string triple = opts.triple.empty() ? llvm::sys::getDefaultTargetTriple() : opts.triple;
  std::string err;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "unknown target '%s': %s",
                                   triple.c_str(), err.c_str());
  bool host = opts.triple.empty() || opts.triple == llvm::sys::getDefaultTargetTriple();
  std::string cpu = opts.cpu.empty() ? (host ? std::string(llvm::sys::getHostCPUName()) : "generic") : opts.cpu;
  std::string features;
  if (host && opts.cpu.empty()) {
    llvm::StringMap<bool> f = llvm::sys::getHostCPUFeatures();
    for (auto &kv : f)
      features += (features.empty() ? "" : ",") + std::string(kv.second ? "+" : "-") + kv.first().str();
  }
  llvm::TargetOptions to;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, to, opts.pic ? llvm::Reloc::PIC_ : llvm::Reloc::Static, std::nullopt,
      codeGenLevel(opts.optLevel)));
  if (!tm)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "cannot create a target machine for '%s' (cpu '%s')",
                                   triple.c_str(), cpu.c_str());
  if (!opts.cpu.empty() && !tm->getMCSubtargetInfo()->isCPUStringValid(cpu))
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "unknown CPU '%s' for target '%s'",
                                   cpu.c_str(), triple.c_str());
  return tm;
}

void optimizeModule(llvm::Module &m, llvm::TargetMachine &tm, unsigned optLevel) {
  m.setDataLayout(tm.createDataLayout());
  m.setTargetTriple(tm.getTargetTriple().str());
  for (llvm::Function &f : m) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", tm.getTargetCPU());
    f.addFnAttr("target-features", tm.getTargetFeatureString());
    // 512-bit vectors where the CPU has them (the default prefers 256).
    f.addFnAttr("prefer-vector-width", "512");
    f.addFnAttr("min-legal-vector-width", "512");
  }
  if (optLevel == 0)
    return;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  // No loop unroller: the lowering unrolls the loops that matter itself
  // (GEMM and convolution k-loops, register blocks), and LLVM's unroller
  // left the code of the benchmark models unchanged (mlp, image_filter: the
  // same assembly) while taking 15-20% of the -O3 pipeline's time. The loop
  // vectorizer still interleaves elementwise loops.
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = false;
  llvm::PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(level);
  mpm.run(m, mam);
}

llvm::Error emitFile(llvm::Module &m, llvm::TargetMachine &tm, FileKind kind, const std::string &path) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError(ec, "cannot write '%s': %s", path.c_str(), ec.message().c_str());
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, out, nullptr,
                             kind == FileKind::Object ? llvm::CodeGenFileType::ObjectFile
                                                      : llvm::CodeGenFileType::AssemblyFile))
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "the target cannot emit this file type");
  pm.run(m);
  out.flush();
  return llvm::Error::success();
}

JITModel::~JITModel() = default;

llvm::Expected<std::unique_ptr<JITModel>> JITModel::create(std::unique_ptr<llvm::Module> m,
                                                           std::unique_ptr<llvm::LLVMContext> ctx,
                                                           const std::string &prefix,
                                                           unsigned optLevel) {
  initialiseTargets();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb)
    return jtmb.takeError();
  jtmb->setCodeGenOptLevel(codeGenLevel(optLevel));
  TargetOptions host;
  host.optLevel = optLevel;
  auto tm = createTargetMachine(host);
  if (!tm)
    return tm.takeError();
  jtmb->setCPU(std::string((*tm)->getTargetCPU()));
  llvm::SubtargetFeatures feats((*tm)->getTargetFeatureString());
  jtmb->addFeatures(feats.getFeatures());
  optimizeModule(*m, **tm, optLevel);
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
  if (!jit)
    return jit.takeError();
  if (auto err = (*jit)->addIRModule(llvm::orc::ThreadSafeModule(std::move(m), std::move(ctx))))
    return err;
  auto run = (*jit)->lookup(prefix + "_run");
  if (!run)
    return run.takeError();
  auto runParallel = (*jit)->lookup(prefix + "_run_parallel");
  if (!runParallel)
    return runParallel.takeError();
  auto size = (*jit)->lookup(prefix + "_scratch_size");
  if (!size)
    return size.takeError();
  std::unique_ptr<JITModel> model(new JITModel());
  model->run = run->toPtr<RunFn>();
  model->runParallel = runParallel->toPtr<RunParallelFn>();
  model->scratchSize = size->toPtr<ScratchFn>();
  model->jit_ = std::move(*jit);
  return model;
}

} // namespace scopec::codegen
