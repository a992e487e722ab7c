// sha256_test.cpp — server/base/sha256.hpp against the FIPS 180-4 examples (auth_tests also
// compares it with OpenSSL on random inputs), and the constant-time compare.
#include "server/base/sha256.hpp"

#include <string>

#include <doctest/doctest.h>

namespace weft::server::base {
namespace {

std::string hex(const Sha256Digest& digest) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : digest) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

}  // namespace

TEST_SUITE("sha256") {
  TEST_CASE("the FIPS 180-4 examples hash to their published digests") {
    CHECK(hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(hex(sha256(std::string(1000000, 'a'))) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }

  TEST_CASE("lengths around the block boundary pad correctly") {
    // 55 bytes fit one padded block, 56 need two (FIPS 180-4 §5.1.1).
    CHECK(hex(sha256(std::string(55, 'a'))) ==
          "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    CHECK(hex(sha256(std::string(56, 'a'))) ==
          "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    CHECK(hex(sha256(std::string(64, 'a'))) ==
          "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  }

  TEST_CASE("random bytes differ between draws") {
    std::array<std::uint8_t, 16> a{};
    std::array<std::uint8_t, 16> b{};
    random_bytes(a);
    random_bytes(b);
    CHECK(a != b);
  }

  TEST_CASE("the constant-time compare tells equal from unequal and other sizes") {
    CHECK(constant_time_equal("abc", "abc"));
    CHECK_FALSE(constant_time_equal("abc", "abd"));
    CHECK_FALSE(constant_time_equal("abc", "ab"));
  }
}

}  // namespace weft::server::base
