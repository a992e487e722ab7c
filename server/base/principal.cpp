// principal.cpp — rights of a principal, and finding a request's token.
#include "server/base/principal.hpp"

namespace weft::server::base {

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

tl::expected<Principal, AuthError> TokenVerifier::verify_request(std::string_view authorization,
                                                                 std::string_view target) const {
  if (!enabled()) return Principal::development();
  const std::optional<std::string> token = find_token(authorization, target);
  if (!token) return tl::unexpected(AuthError{"no token"});
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

}  // namespace weft::server::base
