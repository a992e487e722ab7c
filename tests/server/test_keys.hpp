// test_keys.hpp — throwaway RSA and EC key pairs as PEM text (OpenSSL EVP), for signing RS*/ES*
// test tokens with libcpp-jwt and configuring the server's public key. Used by the unit tests
// (tests/server/auth_test.cpp) and the integration tests (tests/integration/auth_test.cpp).
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include <doctest/doctest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

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

}  // namespace weft::test_keys
