// token_verify_fuzz.cpp — bytes to JwtVerifier::verify (server/auth/jwt_verifier.hpp): the first
// code an unauthenticated client reaches, at the upgrade, on the HTTP API and in `refresh`
// (issue 13).
//
// The first byte picks how the rest becomes a token: as it is (splitting, base64url, the
// signature checks of both configured keys and the refusal reasons), or as the payload or the
// header text of a token correctly signed with the verifier's HS256 secret (the bounded JSON
// parse and the claims, which only a verified token reaches). Checks: no crash, no exception
// (verify() returns errors as values), every refusal has a reason, an accepted token has a sub
// and an exp in [0, max_time_claim], and nothing above max_token_bytes is accepted.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "server/auth/compact_jwt.hpp"
#include "server/auth/jwt_verifier.hpp"
#include "server/auth/public_key.hpp"

namespace {

constexpr std::string_view secret = "fuzz-secret";

// A P-256 public key (generated once for this target), so that ES256 signatures are checked too.
constexpr std::string_view ec_public_pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEvp/rszTygkv9PehhOKBJLM115Czt\n"
    "27YndY8+3bv+8lg6iuLm9cXntsd99Y9IABxcmeL5R3DnJVhFSeIJ+R7u0Q==\n"
    "-----END PUBLIC KEY-----\n";

[[noreturn]] void fail(const char* what, std::string_view token) {
  std::fprintf(stderr, "FUZZ FAILURE: %s\ntoken (%zu bytes): %.*s\n", what, token.size(),
               static_cast<int>(std::min<std::size_t>(token.size(), 2000)), token.data());
  std::abort();
}

// header.payload.signature with these texts, HS256-signed with the secret.
std::string sign(std::string_view header, std::string_view payload) {
  const std::string input = weft::server::auth::base64url_encode(header) + "." +
                            weft::server::auth::base64url_encode(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  return input + "." +
         weft::server::auth::base64url_encode(
             std::string_view(reinterpret_cast<const char*>(mac), length));
}

const weft::server::auth::JwtVerifier& verifier() {
  static const weft::server::auth::JwtVerifier instance = [] {
    auto key = weft::server::auth::parse_public_key(ec_public_pem);
    if (!key) fail("the fuzzer's public key does not parse", key.error());
    return weft::server::auth::JwtVerifier(std::string(secret), *key);
  }();
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using weft::server::auth::JwtVerifier;
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string token;
  switch (data[0] % 3) {
    case 0:
      token = rest;
      break;
    case 1:
      token = sign(R"({"alg":"HS256","typ":"JWT"})", rest);
      break;
    default:
      token = sign(rest, R"({"sub":"ann","docs":{"*":"write"}})");
      break;
  }
  const auto principal = verifier().verify(token);
  if (!principal) {
    if (principal.error().reason.empty()) fail("a refusal without a reason", token);
    return 0;
  }
  if (token.size() > weft::server::base::max_token_bytes) fail("an oversized token passed", token);
  if (principal->user_id.empty()) fail("a principal without a sub", token);
  if (principal->expires &&
      (*principal->expires < 0 || *principal->expires > JwtVerifier::max_time_claim)) {
    fail("an exp out of range passed", token);
  }
  return 0;
}
