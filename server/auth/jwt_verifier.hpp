// jwt_verifier.hpp — JwtVerifier: the TokenVerifier of a server with a secret or a public key
// (proto/PROTOCOL.md §13).
//
// Built from the configured HS256 secret and/or public key. verify() accepts HS256 JWTs signed
// with the secret, and RS256/RS384/RS512 (RSA key) or the ES algorithm of the key's curve (EC key)
// signed with the key's private half, whose exp/nbf hold now (with a small leeway for clock skew),
// and turns their claims into a Principal. The configured keys decide which algorithms are
// accepted; a token's `alg` only picks among them (no HS256 with the public key as its secret, no
// `none`). With neither it is in development mode. Immutable: thread-safe.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/base/principal.hpp"

namespace weft::server::auth {

class JwtVerifier final : public base::TokenVerifier {
 public:
  // Neither a secret (an empty one counts as none) nor a key: development mode.
  explicit JwtVerifier(std::optional<std::string> secret,
                       std::optional<base::PublicKey> public_key = std::nullopt);

  [[nodiscard]] bool enabled() const override {
    return secret_.has_value() || public_key_.has_value();
  }
  [[nodiscard]] tl::expected<base::Principal, base::AuthError> verify(
      std::string_view token) const override;

  // Seconds of clock skew tolerated on exp and nbf.
  static constexpr std::uint32_t leeway_seconds = 5;

 private:
  std::optional<std::string> secret_;
  std::optional<base::PublicKey> public_key_;
};

}  // namespace weft::server::auth
