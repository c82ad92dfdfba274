//===- WeightsTest.cpp - scopec_weights_load and scopec_weights_pack -----===//
//
// Packing hands the loaded weights to the model's pack function and gives
// it 64-byte aligned blocks of the packed sizes; bad arguments are NULL.
//
//===----------------------------------------------------------------------===//
#include "scopec_rt.h"

#include "scopec/Runtime/Npy.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace {
scopec::npy::Array floats(std::vector<int64_t> shape, float first) {
  scopec::npy::Array a;
  a.shape = std::move(shape);
  a.data.resize(static_cast<size_t>(a.numElements()) * sizeof(float));
  for (int64_t i = 0; i < a.numElements(); ++i)
    a.f32()[i] = first + static_cast<float>(i);
  return a;
}

/// A model's pack function for two weights of 3 and 2 floats packed into 4
/// and 2: the first reversed with a zero after it, the second doubled.
void pack(const void *const *weights, void *const *packed) {
  auto *w0 = static_cast<const float *>(weights[0]), *w1 = static_cast<const float *>(weights[1]);
  auto *p0 = static_cast<float *>(packed[0]), *p1 = static_cast<float *>(packed[1]);
  for (int i = 0; i < 3; ++i)
    p0[i] = w0[2 - i];
  p0[3] = 0;
  for (int i = 0; i < 2; ++i)
    p1[i] = 2 * w1[i];
}

TEST(Weights, PackGivesAlignedBlocksToThePackFunction) {
  std::string path = testing::TempDir() + "weights_" + std::to_string(getpid()) + ".npz";
  std::string error;
  ASSERT_TRUE(scopec::npy::writeNpzFile(path, {{"a", floats({3}, 1)}, {"b/c", floats({1, 2}, 10)}}, error)) << error;
  const char *names[] = {"a", "b/c"};
  const int64_t sizes[] = {3, 2}, packedSizes[] = {4, 2};
  char err[128] = "";
  scopec_weights *w = scopec_weights_load(path.c_str(), 2, names, sizes, err, sizeof err);
  ASSERT_NE(w, nullptr) << err;
  scopec_weights *p = scopec_weights_pack(w, 2, packedSizes, pack);
  ASSERT_NE(p, nullptr);
  scopec_weights_free(w);
  const void *const *ptrs = scopec_weights_pointers(p);
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(reinterpret_cast<uintptr_t>(ptrs[i]) % 64, 0u);
  auto *p0 = static_cast<const float *>(ptrs[0]), *p1 = static_cast<const float *>(ptrs[1]);
  EXPECT_EQ(std::vector<float>(p0, p0 + 4), (std::vector<float>{3, 2, 1, 0}));
  EXPECT_EQ(std::vector<float>(p1, p1 + 2), (std::vector<float>{20, 22}));
  // Invalid arguments: no weights, no pack function, a count that is not
  // the loaded one, no sizes, a negative size.
  w = scopec_weights_load(path.c_str(), 2, names, sizes, err, sizeof err);
  ASSERT_NE(w, nullptr) << err;
  const int64_t negative[] = {4, -1};
  EXPECT_EQ(scopec_weights_pack(nullptr, 2, packedSizes, pack), nullptr);
  EXPECT_EQ(scopec_weights_pack(w, 2, packedSizes, nullptr), nullptr);
  EXPECT_EQ(scopec_weights_pack(w, 1, packedSizes, pack), nullptr);
  EXPECT_EQ(scopec_weights_pack(w, 2, nullptr, pack), nullptr);
  EXPECT_EQ(scopec_weights_pack(w, 2, negative, pack), nullptr);
  scopec_weights_free(w);
  scopec_weights_free(p);
  std::remove(path.c_str());
}
} // namespace
