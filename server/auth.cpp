// auth.cpp — TokenVerifier (libcpp-jwt for the signature and exp/nbf), public keys (OpenSSL) and
// Principal's rights.
#include "server/auth.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <exception>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include <jwt/jwt.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

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

// The algorithms a key verifies: all three RSA ones, or the single ES* whose curve is the key's.
tl::expected<std::vector<std::string>, std::string> algorithms_of(EVP_PKEY* key) {
  constexpr int min_rsa_bits = 2048;
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key) < min_rsa_bits) {
        return tl::unexpected("an RSA key of " + std::to_string(EVP_PKEY_get_bits(key)) +
                              " bits; at least 2048 are needed");
      }
      return std::vector<std::string>{"RS256", "RS384", "RS512"};
    case EVP_PKEY_EC: {
      std::array<char, 64> group{};
      std::size_t length = 0;
      if (EVP_PKEY_get_group_name(key, group.data(), group.size(), &length) != 1) {
        return tl::unexpected(std::string("an EC key without a named curve"));
      }
      const std::string_view curve(group.data(), length);
      if (curve == "prime256v1") return std::vector<std::string>{"ES256"};
      if (curve == "secp384r1") return std::vector<std::string>{"ES384"};
      if (curve == "secp521r1") return std::vector<std::string>{"ES512"};
      return tl::unexpected("an EC key on curve " + std::string(curve) +
                            "; P-256, P-384 or P-521 are needed");
    }
    default:
      return tl::unexpected(std::string("not an RSA or EC key"));
  }
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

tl::expected<PublicKey, std::string> parse_public_key(std::string_view pem) {
  using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
  using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
  const Bio in{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free};
  if (!in) return tl::unexpected(std::string("out of memory"));
  const Key key{PEM_read_bio_PUBKEY(in.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free};
  if (!key) {
    std::array<char, 256> why{};
    ERR_error_string_n(ERR_get_error(), why.data(), why.size());
    ERR_clear_error();
    return tl::unexpected("no public key (-----BEGIN PUBLIC KEY-----) in it: " +
                          std::string(why.data()));
  }
  auto algorithms = algorithms_of(key.get());
  if (!algorithms) return tl::unexpected(algorithms.error());
  // Re-encoded, so that libcpp-jwt (which parses the PEM text it is given) sees only this key.
  const Bio out{BIO_new(BIO_s_mem()), &BIO_free};
  char* data = nullptr;
  if (!out || PEM_write_bio_PUBKEY(out.get(), key.get()) != 1) {
    return tl::unexpected(std::string("cannot encode the key"));
  }
  const long length = BIO_get_mem_data(out.get(), &data);
  return PublicKey{std::string(data, static_cast<std::size_t>(length)), std::move(*algorithms)};
}

tl::expected<PublicKey, std::string> load_public_key(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    return tl::unexpected("cannot read " + path + ": " +
                          std::error_code(errno, std::generic_category()).message());
  }
  auto key = parse_public_key(text.str());
  if (!key) return tl::unexpected(path + ": " + key.error());
  return key;
}

TokenVerifier::TokenVerifier(std::optional<std::string> secret, std::optional<PublicKey> public_key)
    : secret_(std::move(secret)), public_key_(std::move(public_key)) {
  if (secret_ && secret_->empty()) secret_.reset();
}

tl::expected<Principal, AuthError> TokenVerifier::verify(std::string_view token) const {
  if (!enabled()) return Principal::development();
  if (token.empty()) return Error(AuthError{"no token"});
  std::error_code ec;
  try {
    const jwt::string_view text(token.data(), token.size());
    // The configured keys decide: the header's alg only selects the key, and the library is
    // given that one algorithm, so an HS256 token never meets the public key as its secret.
    jwt::jwt_header header;
    header.decode(text.substr(0, text.find('.')), ec);
    if (ec) return Error(AuthError{reason_of(ec)});
    const std::string alg(jwt::alg_to_str(header.algo()));
    const std::string* key = nullptr;
    if (alg == "HS256" && secret_) key = &*secret_;
    if (public_key_ &&
        std::ranges::find(public_key_->algorithms, alg) != public_key_->algorithms.end()) {
      key = &public_key_->pem;
    }
    if (key == nullptr) {
      // The library's name of the algorithm, never the token's text (it may be anything).
      return Error(AuthError{alg == "UNKN" ? "bad token: unknown algorithm"
                                           : "bad token: algorithm " + alg + " is not accepted"});
    }
    const auto decoded =
        jwt::decode(text, jwt::params::algorithms({alg}), ec, jwt::params::secret(*key),
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
  if (!enabled()) return Principal::development();
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
