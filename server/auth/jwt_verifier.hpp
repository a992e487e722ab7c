// jwt_verifier.hpp — JwtVerifier: the TokenVerifier of a server with a secret or a public key
// (proto/PROTOCOL.md §13).
//
// Built from the configured HS256 secret and/or public key. verify() accepts HS256 JWTs signed
// with the secret, and RS256/RS384/RS512 (RSA key) or the ES algorithm of the key's curve (EC key)
// signed with the key's private half, whose exp/nbf hold now (with a small leeway for clock skew),
// and turns their claims into a Principal. The configured keys decide which algorithms are
// accepted; a token's `alg` only picks among them (no HS256 with the public key as its secret, no
// `none`). With neither it is in development mode. Immutable: thread-safe.
//
// Hostile tokens (issue 13): a token above base::max_token_bytes is refused unread; the
// signature is checked over the raw "header.payload" before any JSON is parsed, and the header
// and payload are then parsed with bounded nesting (storage/bounded_json.hpp). The time claims
// exp, nbf and iat must be integers from 0 to max_time_claim.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/signature_key.hpp"
#include "server/base/principal.hpp"

namespace weft::server::auth {

class JwtVerifier final : public base::TokenVerifier {
 public:
  // Neither a secret (an empty one counts as none) nor a key: development mode.
  explicit JwtVerifier(std::optional<std::string> secret,
                       std::optional<base::PublicKey> public_key = std::nullopt);

  [[nodiscard]] bool enabled() const override { return !keys_.empty(); }
  [[nodiscard]] tl::expected<base::Principal, base::AuthError> verify(
      std::string_view token) const override;

  // Seconds of clock skew tolerated on exp and nbf.
  static constexpr std::uint32_t leeway_seconds = 5;
  // The latest exp, nbf or iat accepted: 9999-12-31T23:59:59Z in Unix seconds. Beyond it (or
  // below 0) a token is refused as malformed, never read as expired or as never expiring.
  static constexpr std::int64_t max_time_claim = 253'402'300'799;

 private:
  std::vector<SignatureKey> keys_;  // the secret's, then the public key's
};

}  // namespace weft::server::auth
