// jwt_verifier.cpp — JwtVerifier: the signature first (signature_key.hpp), then the bounded JSON
// of the header and the claims.
#include "server/auth/jwt_verifier.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "server/auth/compact_jwt.hpp"
#include "server/base/check.hpp"
#include "server/base/clock.hpp"
#include "storage/bounded_json.hpp"

namespace weft::server::auth {
namespace {

using Error = tl::unexpected<base::AuthError>;

// Every `alg` a JWS may name (RFC 7518 §3.1) that the library we used before knew; a token naming
// another is "unknown" and its text is never echoed.
constexpr std::array<std::string_view, 10> known_algorithms = {
    "none", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"};

std::int64_t now_s() { return base::now_us() / 1'000'000; }

// A time claim: absent, or an integer of Unix seconds from 0 to max_time_claim.
tl::expected<std::optional<std::int64_t>, base::AuthError> time_claim(const nlohmann::json& claims,
                                                                      const char* name) {
  const auto claim = claims.find(name);
  if (claim == claims.end()) return std::nullopt;
  const std::string what = std::string("the ") + name + " claim";
  if (!claim->is_number_integer()) return Error(base::AuthError{what + " is not an integer"});
  // A uint64 above int64's range is out of range too: compare before converting.
  const bool in_range =
      claim->is_number_unsigned()
          ? claim->get<std::uint64_t>() <= static_cast<std::uint64_t>(JwtVerifier::max_time_claim)
          : claim->get<std::int64_t>() >= 0 &&
                claim->get<std::int64_t>() <= JwtVerifier::max_time_claim;
  if (!in_range) {
    return Error(base::AuthError{what + " is out of range (Unix seconds from 0 to " +
                                 std::to_string(JwtVerifier::max_time_claim) +
                                 ", the end of year 9999)"});
  }
  return claim->get<std::int64_t>();
}

// The claims a verified token carries, as a Principal; errors name the bad claim.
tl::expected<base::Principal, base::AuthError> principal_of(const nlohmann::json& claims) {
  const auto exp = time_claim(claims, "exp");
  if (!exp) return Error(exp.error());
  const auto nbf = time_claim(claims, "nbf");
  if (!nbf) return Error(nbf.error());
  if (const auto iat = time_claim(claims, "iat"); !iat) return Error(iat.error());
  const std::int64_t now = now_s();
  if (*exp && now > **exp + JwtVerifier::leeway_seconds) {
    return Error(base::AuthError{"token expired"});
  }
  if (*nbf && **nbf > now + JwtVerifier::leeway_seconds) {
    return Error(base::AuthError{"token not yet valid"});
  }
  base::Principal principal;
  principal.expires = *exp;
  const auto sub = claims.find("sub");
  if (sub == claims.end() || !sub->is_string() || sub->get<std::string>().empty()) {
    return Error(base::AuthError{"the token has no sub claim"});
  }
  principal.user_id = sub->get<std::string>();
  if (const auto name = claims.find("name"); name != claims.end()) {
    if (!name->is_string()) return Error(base::AuthError{"the name claim is not a string"});
    principal.name = name->get<std::string>();
  }
  if (const auto docs = claims.find("docs"); docs != claims.end()) {
    if (!docs->is_object()) return Error(base::AuthError{"the docs claim is not an object"});
    for (const auto& [pattern, right] : docs->items()) {
      const std::string value = right.is_string() ? right.get<std::string>() : std::string();
      if (value != "read" && value != "write") {
        return Error(base::AuthError{"docs: the right of '" + pattern + "' is not read or write"});
      }
      principal.rights[pattern] = value == "write" ? base::Access::write : base::Access::read;
    }
  }
  return principal;
}

// A JSON object from `part` ("header" or "payload") of a token, parsed with bounded nesting.
tl::expected<nlohmann::json, base::AuthError> object_of(const std::string& text, const char* part) {
  auto json = storage::parse_untrusted_json(text);
  if (!json)
    return Error(base::AuthError{std::string("bad token: the ") + part + ": " + json.error()});
  if (!json->is_object()) {
    return Error(base::AuthError{std::string("bad token: the ") + part + " is not a JSON object"});
  }
  return std::move(*json);
}

// The header's alg, when it is a string; empty otherwise.
std::string alg_of(const nlohmann::json& header) {
  const auto alg = header.find("alg");
  return alg != header.end() && alg->is_string() ? alg->get<std::string>() : std::string();
}

// Why a token no configured key verifies is refused: its header names an algorithm we do not know
// or do not accept, or the signature is wrong.
base::AuthError refusal_of(const CompactJwt& jwt, const std::vector<SignatureKey>& keys) {
  auto header = object_of(jwt.header, "header");
  if (!header) return header.error();
  const std::string alg = alg_of(*header);
  if (std::ranges::find(known_algorithms, alg) == known_algorithms.end()) {
    return base::AuthError{"bad token: unknown algorithm"};
  }
  const bool accepted = std::ranges::any_of(keys, [&](const SignatureKey& key) {
    return std::ranges::find(key.algorithms(), alg) != key.algorithms().end();
  });
  if (!accepted) return base::AuthError{"bad token: algorithm " + alg + " is not accepted"};
  return base::AuthError{"bad signature"};
}

}  // namespace

JwtVerifier::JwtVerifier(std::optional<std::string> secret,
                         std::optional<base::PublicKey> public_key) {
  if (secret && !secret->empty()) keys_.push_back(SignatureKey::hmac(std::move(*secret)));
  if (public_key) {
    // parse_public_key() made the PEM from a key OpenSSL had loaded: it loads again.
    auto key = SignatureKey::public_key(*public_key);
    WEFT_CHECK(key.has_value(), "a parsed public key loads");
    keys_.push_back(std::move(*key));
  }
}

tl::expected<base::Principal, base::AuthError> JwtVerifier::verify(std::string_view token) const {
  if (!enabled()) return base::Principal::development();
  if (token.empty()) return Error(base::AuthError{"no token"});
  if (token.size() > base::max_token_bytes) {
    return Error(base::AuthError{"bad token: larger than " + std::to_string(base::max_token_bytes) +
                                 " bytes"});
  }
  const auto jwt = split_compact_jwt(token);
  if (!jwt) return Error(base::AuthError{"bad token: " + jwt.error()});
  // The configured keys decide: each checks the signature under its own algorithms only, before
  // the header (which names the algorithm) or the payload is parsed.
  std::string verified_alg;
  for (const SignatureKey& key : keys_) {
    for (const std::string& alg : key.algorithms()) {
      if (verified_alg.empty() && key.verifies(alg, jwt->signing_input, jwt->signature)) {
        verified_alg = alg;
      }
    }
  }
  if (verified_alg.empty()) return Error(refusal_of(*jwt, keys_));
  const auto header = object_of(jwt->header, "header");
  if (!header) return Error(header.error());
  if (alg_of(*header) != verified_alg) {
    return Error(
        base::AuthError{"bad token: the header's alg is not the algorithm it is signed with"});
  }
  const auto claims = object_of(jwt->payload, "payload");
  if (!claims) return Error(claims.error());
  return principal_of(*claims);
}

}  // namespace weft::server::auth
