// principal.hpp — who a connection is and what it may do (proto/PROTOCOL.md §13): per-document
// rights, the token verifier the protocol core and the transport ask, and where a request carries
// its token.
//
// TokenVerifier is an interface so that the protocol core links without the JWT library and
// OpenSSL: auth/jwt_verifier.hpp implements it (main() builds one), tests may use their own.
// Errors are values (AuthError) with a reason fit for an HTTP 401 body or an `unauthorized` error
// frame.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace weft::server::base {

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

// The largest token verified, in bytes: an upgrade's token arrives in its headers, which are at
// most 8 KiB (Beast's limit; larger gets 413), so a `refresh` frame's token is held to the same.
// Bigger tokens are refused unread.
inline constexpr std::size_t max_token_bytes = 8 * 1024;

struct AuthError {
  std::string reason;  // e.g. "no token", "bad signature", "token expired"
};

// A public key for RS*/ES* tokens, checked once at startup (auth/public_key.hpp parses it): an
// RSA key of at least 2048 bits, or an EC key on P-256, P-384 or P-521.
struct PublicKey {
  std::string pem;                      // "BEGIN PUBLIC KEY", re-encoded from the parsed key
  std::vector<std::string> algorithms;  // RS256, RS384, RS512; or the one ES* of the curve
};

// Turns tokens into principals. Implementations are immutable after construction: thread-safe.
class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;

  // False in development mode (no secret, no key): every token is the development principal.
  [[nodiscard]] virtual bool enabled() const = 0;
  // A token's principal; in development mode the development principal, whatever the token.
  [[nodiscard]] virtual tl::expected<Principal, AuthError> verify(std::string_view token) const = 0;
  // verify() of the token an upgrade or API request carries (see find_token); none found is an
  // error unless in development mode.
  [[nodiscard]] tl::expected<Principal, AuthError> verify_request(std::string_view authorization,
                                                                  std::string_view target) const;
};

// The development-mode verifier: no authentication (tests, and a server without secret or key).
class OpenVerifier final : public TokenVerifier {
 public:
  [[nodiscard]] bool enabled() const override { return false; }
  [[nodiscard]] tl::expected<Principal, AuthError> verify(std::string_view) const override {
    return Principal::development();
  }
};

// The token of a request: `Authorization: Bearer TOKEN` first, else the query parameter `token`
// of the target (`/ws?token=TOKEN`). None if neither is there (or it is empty).
[[nodiscard]] std::optional<std::string> find_token(std::string_view authorization,
                                                    std::string_view target);

}  // namespace weft::server::base
