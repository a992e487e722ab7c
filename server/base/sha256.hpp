// sha256.hpp — SHA-256 (FIPS 180-4) and the kernel's CSPRNG, for resume tokens: the protocol core
// stores only a token's SHA-256 (ReplicaEntry::resume_hash) and draws tokens and epochs from
// getrandom(2), so it links no crypto library. The auth tests check the digest against OpenSSL.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace weft::server::base {

using Sha256Digest = std::array<std::uint8_t, 32>;

[[nodiscard]] Sha256Digest sha256(std::span<const std::uint8_t> bytes);
[[nodiscard]] Sha256Digest sha256(std::string_view bytes);

// Fills `out` from the kernel's CSPRNG (getrandom(2)); aborts if it cannot (a predictable token
// is worse than no server).
void random_bytes(std::span<std::uint8_t> out);

// True if `a` and `b` are equal, in time that depends only on their sizes.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace weft::server::base
