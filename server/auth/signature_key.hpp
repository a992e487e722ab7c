// signature_key.hpp — a key JWT signatures are checked with (RFC 7518 §3), through OpenSSL: the
// HS256 secret (HMAC-SHA256), or the public key of RS256/RS384/RS512 (RSASSA-PKCS1-v1_5) or of
// the one ES* of its curve (ECDSA; JWS writes the signature as the raw r || s, not DER).
//
// Each key knows the algorithms it accepts; verifies() never checks a signature under another
// algorithm, so a token's `alg` cannot make the public key an HMAC secret. Immutable after
// construction: thread-safe (OpenSSL's verify calls do not modify the key).
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

#include "server/base/principal.hpp"

namespace weft::server::auth {

class SignatureKey {
 public:
  // HS256 with `secret`.
  [[nodiscard]] static SignatureKey hmac(std::string secret);
  // The algorithms of `key` (parse_public_key() made it); an error if OpenSSL cannot load its PEM.
  [[nodiscard]] static tl::expected<SignatureKey, std::string> public_key(
      const base::PublicKey& key);

  [[nodiscard]] const std::vector<std::string>& algorithms() const { return algorithms_; }
  // True iff `alg` is one of algorithms() and `signature` is its signature of `signing_input`
  // under this key. Constant time in the secret's HMAC comparison.
  [[nodiscard]] bool verifies(std::string_view alg, std::string_view signing_input,
                              std::string_view signature) const;

 private:
  SignatureKey() = default;

  std::vector<std::string> algorithms_;
  std::string secret_;              // HS256
  std::shared_ptr<EVP_PKEY> pkey_;  // RS*, ES*
};

}  // namespace weft::server::auth
