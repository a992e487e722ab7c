// signature_key.cpp — HMAC, RSA and ECDSA signature checks with OpenSSL 3.
#include "server/auth/signature_key.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

namespace weft::server::auth {
namespace {

// The digest of an RS*/ES* algorithm by its number of bits; null for any other name.
const EVP_MD* digest_of(std::string_view alg) {
  const std::string_view bits = alg.size() == 5 ? alg.substr(2) : std::string_view();
  if (bits == "256") return EVP_sha256();
  if (bits == "384") return EVP_sha384();
  if (bits == "512") return EVP_sha512();
  return nullptr;
}

// The bytes of r and of s in an ES* signature: the size of the curve's order (RFC 7518 §3.4).
std::size_t ecdsa_half(std::string_view alg) {
  if (alg == "ES256") return 32;
  if (alg == "ES384") return 48;
  return 66;  // ES512: P-521
}

// A JWS ECDSA signature (r || s, each `half` bytes) in the DER form OpenSSL verifies; empty if it
// has the wrong length.
std::string ecdsa_der(std::string_view signature, std::size_t half) {
  if (signature.size() != 2 * half) return {};
  const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
  const std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig{ECDSA_SIG_new(), &ECDSA_SIG_free};
  BIGNUM* r = BN_bin2bn(raw, static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(raw + half, static_cast<int>(half), nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0) return {};
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

bool hmac_sha256_verifies(const std::string& secret, std::string_view input,
                          std::string_view signature) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
           &length) == nullptr) {
    return false;
  }
  return signature.size() == length && CRYPTO_memcmp(mac, signature.data(), length) == 0;
}

bool pkey_verifies(EVP_PKEY* key, const EVP_MD* md, std::string_view input,
                   std::string_view signature) {
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free};
  const bool verified =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) == 1;
  ERR_clear_error();  // a bad signature leaves errors on this thread's queue
  return verified;
}

}  // namespace

SignatureKey SignatureKey::hmac(std::string secret) {
  SignatureKey key;
  key.algorithms_ = {"HS256"};
  key.secret_ = std::move(secret);
  return key;
}

tl::expected<SignatureKey, std::string> SignatureKey::public_key(const base::PublicKey& key) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> in{
      BIO_new_mem_buf(key.pem.data(), static_cast<int>(key.pem.size())), &BIO_free};
  EVP_PKEY* pkey = in ? PEM_read_bio_PUBKEY(in.get(), nullptr, nullptr, nullptr) : nullptr;
  ERR_clear_error();
  if (pkey == nullptr) return tl::unexpected(std::string("the public key does not load"));
  SignatureKey result;
  result.algorithms_ = key.algorithms;
  result.pkey_.reset(pkey, &EVP_PKEY_free);
  return result;
}

bool SignatureKey::verifies(std::string_view alg, std::string_view signing_input,
                            std::string_view signature) const {
  if (std::ranges::find(algorithms_, alg) == algorithms_.end()) return false;
  if (alg == "HS256") return hmac_sha256_verifies(secret_, signing_input, signature);
  const EVP_MD* md = digest_of(alg);
  if (pkey_ == nullptr || md == nullptr) return false;
  if (alg.starts_with("RS")) return pkey_verifies(pkey_.get(), md, signing_input, signature);
  if (alg.starts_with("ES")) {
    const std::string der = ecdsa_der(signature, ecdsa_half(alg));
    return !der.empty() && pkey_verifies(pkey_.get(), md, signing_input, der);
  }
  return false;
}

}  // namespace weft::server::auth
