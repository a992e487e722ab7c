// jwt_verifier.cpp — JwtVerifier: HS256, RS* and ES* tokens through libcpp-jwt.
#include "server/auth/jwt_verifier.hpp"

#include <algorithm>
#include <exception>
#include <system_error>
#include <utility>

#include <jwt/jwt.hpp>

namespace weft::server::auth {
namespace {

using Error = tl::unexpected<base::AuthError>;

// The claims a verified token carries, as a Principal; errors name the bad claim.
tl::expected<base::Principal, base::AuthError> principal_of(const nlohmann::json& claims) {
  base::Principal principal;
  const auto sub = claims.find("sub");
  if (sub == claims.end() || !sub->is_string() || sub->get<std::string>().empty()) {
    return Error(base::AuthError{"the token has no sub claim"});
  }
  principal.user_id = sub->get<std::string>();
  if (const auto name = claims.find("name"); name != claims.end()) {
    if (!name->is_string()) return Error(base::AuthError{"the name claim is not a string"});
    principal.name = name->get<std::string>();
  }
  if (const auto exp = claims.find("exp"); exp != claims.end()) {
    if (!exp->is_number_integer()) return Error(base::AuthError{"the exp claim is not an integer"});
    principal.expires = exp->get<std::int64_t>();
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

[[nodiscard]] std::string reason_of(std::error_code ec) {
  if (ec == jwt::VerificationErrc::TokenExpired) return "token expired";
  if (ec == jwt::VerificationErrc::ImmatureSignature) return "token not yet valid";
  // RS*/ES* signatures that do not verify come back as the algorithm's VerificationErr.
  if (ec == jwt::VerificationErrc::InvalidSignature || ec == jwt::AlgorithmErrc::VerificationErr) {
    return "bad signature";
  }
  return "bad token: " + ec.message();
}

}  // namespace

JwtVerifier::JwtVerifier(std::optional<std::string> secret,
                         std::optional<base::PublicKey> public_key)
    : secret_(std::move(secret)), public_key_(std::move(public_key)) {
  if (secret_ && secret_->empty()) secret_.reset();
}

tl::expected<base::Principal, base::AuthError> JwtVerifier::verify(std::string_view token) const {
  if (!enabled()) return base::Principal::development();
  if (token.empty()) return Error(base::AuthError{"no token"});
  std::error_code ec;
  try {
    const jwt::string_view text(token.data(), token.size());
    // The configured keys decide: the header's alg only selects the key, and the library is
    // given that one algorithm, so an HS256 token never meets the public key as its secret.
    jwt::jwt_header header;
    header.decode(text.substr(0, text.find('.')), ec);
    if (ec) return Error(base::AuthError{reason_of(ec)});
    const std::string alg(jwt::alg_to_str(header.algo()));
    const std::string* key = nullptr;
    if (alg == "HS256" && secret_) key = &*secret_;
    if (public_key_ &&
        std::ranges::find(public_key_->algorithms, alg) != public_key_->algorithms.end()) {
      key = &public_key_->pem;
    }
    if (key == nullptr) {
      // The library's name of the algorithm, never the token's text (it may be anything).
      return Error(base::AuthError{alg == "UNKN"
                                       ? "bad token: unknown algorithm"
                                       : "bad token: algorithm " + alg + " is not accepted"});
    }
    const auto decoded =
        jwt::decode(text, jwt::params::algorithms({alg}), ec, jwt::params::secret(*key),
                    jwt::params::verify(true), jwt::params::leeway(leeway_seconds));
    if (ec) return Error(base::AuthError{reason_of(ec)});
    return principal_of(decoded.payload().create_json_obj());
  } catch (const std::exception& e) {
    // The library reports some malformed inputs (bad JSON, bad base64) by throwing.
    return Error(base::AuthError{std::string("bad token: ") + e.what()});
  }
}

}  // namespace weft::server::auth
