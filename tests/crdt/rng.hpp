// rng.hpp — the seeded generator of the crdt tests (splitmix64): the same seed gives the same
// sequence on every platform, so generated vectors and failing seeds reproduce exactly.
#pragma once

#include <cstddef>
#include <cstdint>

namespace weft::crdt::testing {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); 0 when n == 0.
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  std::size_t index(std::size_t n) { return static_cast<std::size_t>(below(n)); }
  bool chance(unsigned percent) { return below(100) < percent; }

 private:
  std::uint64_t state_;
};

}  // namespace weft::crdt::testing
