// auth.cpp — TokenVerifier (libcpp-jwt for the signature and exp/nbf) and Principal's rights.
#include "server/auth.hpp"

#include <exception>
#include <system_error>
#include <utility>

#include <jwt/jwt.hpp>

namespace weft::server {
namespace {

using Error = tl::unexpected<AuthError>;

// The claims a verified token carries, as a Principal; errors name the bad claim.
tl::expected<Principal, AuthError> principal_of(const nlohmann::json& claims) {
  Principal principal;
  const auto sub = claims.find("sub");
  if (sub == claims.end() || !sub->is_string() || sub->get<std::string>().empty()) {
    return Error(AuthError{"the token has no sub claim"});
  }
  principal.user_id = sub->get<std::string>();
  if (const auto name = claims.find("name"); name != claims.end()) {
    if (!name->is_string()) return Error(AuthError{"the name claim is not a string"});
    principal.name = name->get<std::string>();
  }
  if (const auto exp = claims.find("exp"); exp != claims.end()) {
    if (!exp->is_number_integer()) return Error(AuthError{"the exp claim is not an integer"});
    principal.expires = exp->get<std::int64_t>();
  }
  if (const auto docs = claims.find("docs"); docs != claims.end()) {
    if (!docs->is_object()) return Error(AuthError{"the docs claim is not an object"});
    for (const auto& [pattern, right] : docs->items()) {
      const std::string value = right.is_string() ? right.get<std::string>() : std::string();
      if (value != "read" && value != "write") {
        return Error(AuthError{"docs: the right of '" + pattern + "' is not read or write"});
      }
      principal.rights[pattern] = value == "write" ? Access::write : Access::read;
    }
  }
  return principal;
}

[[nodiscard]] std::string reason_of(std::error_code ec) {
  if (ec == jwt::VerificationErrc::TokenExpired) return "token expired";
  if (ec == jwt::VerificationErrc::ImmatureSignature) return "token not yet valid";
  if (ec == jwt::VerificationErrc::InvalidSignature) return "bad signature";
  return "bad token: " + ec.message();
}

}  // namespace

std::string_view access_name(Access access) {
  switch (access) {
    case Access::none:
      return "none";
    case Access::read:
      return "read";
    case Access::write:
      return "write";
  }
  return "none";
}

Access Principal::access(std::string_view doc) const {
  if (const auto exact = rights.find(doc); exact != rights.end()) return exact->second;
  Access best = Access::none;
  std::size_t best_length = 0;
  bool found = false;
  for (const auto& [pattern, right] : rights) {
    if (!pattern.ends_with('*')) continue;
    const std::string_view prefix = std::string_view(pattern).substr(0, pattern.size() - 1);
    if (!doc.starts_with(prefix) || (found && prefix.size() <= best_length)) continue;
    best = right;
    best_length = prefix.size();
    found = true;
  }
  return best;
}

Principal Principal::development() {
  Principal principal;
  principal.rights["*"] = Access::write;
  return principal;
}

TokenVerifier::TokenVerifier(std::optional<std::string> secret) : secret_(std::move(secret)) {
  if (secret_ && secret_->empty()) secret_.reset();
}

tl::expected<Principal, AuthError> TokenVerifier::verify(std::string_view token) const {
  if (!secret_) return Principal::development();
  if (token.empty()) return Error(AuthError{"no token"});
  std::error_code ec;
  try {
    // Only HS256: a token naming another algorithm (or "none") is refused by the library.
    const auto decoded =
        jwt::decode(jwt::string_view(token.data(), token.size()),
                    jwt::params::algorithms({"HS256"}), ec, jwt::params::secret(*secret_),
                    jwt::params::verify(true), jwt::params::leeway(leeway_seconds));
    if (ec) return Error(AuthError{reason_of(ec)});
    return principal_of(decoded.payload().create_json_obj());
  } catch (const std::exception& e) {
    // The library reports some malformed inputs (bad JSON, bad base64) by throwing.
    return Error(AuthError{std::string("bad token: ") + e.what()});
  }
}

tl::expected<Principal, AuthError> TokenVerifier::verify_request(std::string_view authorization,
                                                                 std::string_view target) const {
  if (!secret_) return Principal::development();
  const std::optional<std::string> token = find_token(authorization, target);
  if (!token) return Error(AuthError{"no token"});
  return verify(*token);
}

std::optional<std::string> find_token(std::string_view authorization, std::string_view target) {
  constexpr std::string_view bearer = "Bearer ";
  if (authorization.starts_with(bearer) && authorization.size() > bearer.size()) {
    return std::string(authorization.substr(bearer.size()));
  }
  const std::size_t question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.starts_with("token=") && pair.size() > 6) return std::string(pair.substr(6));
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return std::nullopt;
}

}  // namespace weft::server
