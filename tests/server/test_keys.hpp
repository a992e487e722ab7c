// test_keys.hpp — throwaway RSA and EC key pairs as PEM text (OpenSSL EVP), and test tokens
// signed with them or with an HS256 secret (libcpp-jwt; sign_raw() for hostile ones), for
// configuring the server's public key and minting what clients present. Used by the unit tests
// (tests/server/auth_test.cpp), the integration tests (tests/integration/auth_test.cpp) and the
// hostile-input suite (tests/hostile/hostile_tokens_test.cpp).
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <doctest/doctest.h>
#include <jwt/jwt.hpp>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "server/auth/compact_jwt.hpp"

namespace weft::test_keys {

struct KeyPair {
  std::string private_pem;  // "BEGIN PRIVATE KEY" (PKCS#8)
  std::string public_pem;   // "BEGIN PUBLIC KEY"
};

namespace detail {

inline std::string pem_of(EVP_PKEY* key, bool private_half) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> out{BIO_new(BIO_s_mem()), &BIO_free};
  REQUIRE(out);
  const int written =
      private_half ? PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                   : PEM_write_bio_PUBKEY(out.get(), key);
  REQUIRE(written == 1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

inline KeyPair pair_of(EVP_PKEY* generated) {
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{generated, &EVP_PKEY_free};
  REQUIRE(key);
  return KeyPair{pem_of(key.get(), true), pem_of(key.get(), false)};
}

}  // namespace detail

// A fresh RSA key pair of `bits` bits.
inline KeyPair rsa(std::size_t bits = 2048) {
  return detail::pair_of(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}

// A fresh EC key pair on `curve` ("P-256", "P-384", "P-521", "secp256k1", ...).
inline KeyPair ec(const char* curve = "P-256") {
  return detail::pair_of(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}

// Unix seconds now, for exp and nbf claims.
inline std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The claims of a test token (PROTOCOL.md §13); name, exp and nbf only when given.
struct Claims {
  std::string sub = "ann";
  nlohmann::json docs = {{"*", "write"}};
  std::optional<std::string> name;
  std::optional<std::int64_t> exp;
  std::optional<std::int64_t> nbf;
};

// A token with `claims`, signed under `alg` with `key`: a secret for HS*, a private key PEM for
// RS* and ES*.
inline std::string sign(std::string_view alg, std::string_view key, const Claims& claims) {
  jwt::jwt_object token{jwt::params::algorithm(jwt::string_view(alg.data(), alg.size())),
                        jwt::params::secret(jwt::string_view(key.data(), key.size()))};
  token.add_claim("sub", claims.sub);
  if (claims.name) token.add_claim("name", *claims.name);
  token.add_claim("docs", claims.docs);
  if (claims.exp) token.add_claim("exp", *claims.exp);
  if (claims.nbf) token.add_claim("nbf", *claims.nbf);
  return token.signature();
}

// A compact JWT of exactly these header and payload texts, HS256-signed with `secret` whatever
// the header says: for tokens a JWT library would not build (nested 300,000 levels deep, `exp`
// of -1, not JSON at all).
inline std::string sign_raw(std::string_view payload_json, std::string_view secret,
                            std::string_view header_json = R"({"alg":"HS256","typ":"JWT"})") {
  const std::string input = weft::server::auth::base64url_encode(header_json) + "." +
                            weft::server::auth::base64url_encode(payload_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  REQUIRE(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
               reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
               &length) != nullptr);
  return input + "." +
         weft::server::auth::base64url_encode(
             std::string_view(reinterpret_cast<const char*>(mac), length));
}

}  // namespace weft::test_keys
