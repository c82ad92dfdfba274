//===- Run.h - scopec run, build and weights --------------------*- C++ -*-===//
#ifndef SCOPEC_DRIVER_RUN_H
#define SCOPEC_DRIVER_RUN_H

#include <cstdint>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace scopec::driver {

struct RunOptions {
  std::vector<std::string> inputs;  ///< "NAME=x.npy" or "feeds.npz"
  std::string weights;              ///< .npz keyed by variable name
  std::vector<std::string> fetches; ///< tensor or op names; empty: the sinks
  std::string output;               ///< .npz; empty: a summary on stdout
  uint64_t seed = 0;
  unsigned bench = 0;               ///< run this many times, print the median
  unsigned optLevel = 2;
  unsigned threads = 1;             ///< threads of the built-in pool (PREFIX_run_parallel)
};

/// `scopec run FILE`: JIT-compiles the forward pass and runs it.
int runModel(const std::string &input, const RunOptions &opts, llvm::raw_ostream &out,
             llvm::raw_ostream &err);

struct BuildOptions {
  std::string output;               ///< BASE: writes BASE.o and BASE.h
  std::vector<std::string> emit;    ///< obj, header, so, llvm, asm (default obj,header)
  std::vector<std::string> fetches;
  std::string weights;
  std::string prefix;               ///< default: the file stem
  std::string triple, cpu;
  unsigned optLevel = 2;
  uint64_t seed = 0;
  bool weightsAtRuntime = false; ///< weights as a run-time argument, not embedded
  bool packWeights = false;      ///< ... packed by PREFIX_pack_weights (implies weightsAtRuntime)
};

/// `scopec build FILE -o BASE`: ahead-of-time compilation.
int buildModel(const std::string &input, const BuildOptions &opts, llvm::raw_ostream &out,
               llvm::raw_ostream &err);

/// `scopec weights FILE -o w.npz`: every variable's initial value.
int writeWeights(const std::string &input, const std::string &output, uint64_t seed,
                 llvm::raw_ostream &err);

} // namespace scopec::driver

#endif
