// auth.hpp — who a connection is and what it may do: JWT verification and per-document rights
// (proto/PROTOCOL.md §13).
//
// A TokenVerifier is built from the configured HS256 secret and/or public key. verify() accepts
// HS256 JWTs signed with the secret, and RS256/RS384/RS512 (RSA key) or the ES algorithm of the
// key's curve (EC key) signed with the key's private half, whose exp/nbf hold now (with a small
// leeway for clock skew), and turns their claims into a Principal. The configured keys decide
// which algorithms are accepted; a token's `alg` only picks among them (no HS256 with the public
// key as its secret, no `none`). With neither the server is in development mode and every
// connection is the development principal (write on every document). Errors are values
// (AuthError) with a reason fit for an HTTP 401 body or an `unauthorized` error frame.
// Immutable: thread-safe.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace weft::server {

// What a member may do in one document. Ordered: none < read < write.
enum class Access : std::uint8_t { none, read, write };

[[nodiscard]] std::string_view access_name(Access access);

struct Principal {
  std::string user_id;  // the `sub` claim; recorded with every op the user makes
  std::string name;     // the `name` claim, may be empty
  // Document id pattern -> right: an id, a prefix followed by `*`, or `*` alone.
  std::map<std::string, Access, std::less<>> rights;
  std::optional<std::int64_t> expires;  // `exp`, Unix seconds

  // The right of the most specific matching pattern: the exact id, else the longest matching
  // prefix pattern; none if no pattern matches.
  [[nodiscard]] Access access(std::string_view doc) const;

  // Development mode: anonymous, write on every document, never expires.
  [[nodiscard]] static Principal development();
};

struct AuthError {
  std::string reason;  // e.g. "no token", "bad signature", "token expired"
};

// A public key for RS*/ES* tokens, checked once at startup (OpenSSL): an RSA key of at least 2048
// bits, or an EC key on P-256, P-384 or P-521.
struct PublicKey {
  std::string pem;                      // "BEGIN PUBLIC KEY", re-encoded from the parsed key
  std::vector<std::string> algorithms;  // RS256, RS384, RS512; or the one ES* of the curve
};

// The first "BEGIN PUBLIC KEY" block of `pem`; an error says why it is not a usable key.
[[nodiscard]] tl::expected<PublicKey, std::string> parse_public_key(std::string_view pem);
// parse_public_key() of a file's contents; errors name the file.
[[nodiscard]] tl::expected<PublicKey, std::string> load_public_key(const std::string& path);

class TokenVerifier {
 public:
  // Neither a secret (an empty one counts as none) nor a key: development mode.
  explicit TokenVerifier(std::optional<std::string> secret,
                         std::optional<PublicKey> public_key = std::nullopt);

  [[nodiscard]] bool enabled() const { return secret_.has_value() || public_key_.has_value(); }
  // A token's principal; in development mode the development principal, whatever the token.
  [[nodiscard]] tl::expected<Principal, AuthError> verify(std::string_view token) const;
  // verify() of the token an upgrade request carries (see find_token); none found is an error.
  [[nodiscard]] tl::expected<Principal, AuthError> verify_request(std::string_view authorization,
                                                                  std::string_view target) const;

  // Seconds of clock skew tolerated on exp and nbf.
  static constexpr std::uint32_t leeway_seconds = 5;

 private:
  std::optional<std::string> secret_;
  std::optional<PublicKey> public_key_;
};

// The token of an upgrade request: `Authorization: Bearer TOKEN` first, else the query parameter
// `token` of the target (`/ws?token=TOKEN`). None if neither is there (or it is empty).
[[nodiscard]] std::optional<std::string> find_token(std::string_view authorization,
                                                    std::string_view target);

}  // namespace weft::server
