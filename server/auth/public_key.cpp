// public_key.cpp — reading and checking the PEM public key of RS*/ES* tokens (OpenSSL EVP).
#include "server/auth/public_key.hpp"

#include <array>
#include <cerrno>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>
#include <utility>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace weft::server::auth {
namespace {

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

}  // namespace

tl::expected<base::PublicKey, std::string> parse_public_key(std::string_view pem) {
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
  // Re-encoded, so that the verifier (signature_key.hpp), which loads this PEM text, sees only
  // this key.
  const Bio out{BIO_new(BIO_s_mem()), &BIO_free};
  char* data = nullptr;
  if (!out || PEM_write_bio_PUBKEY(out.get(), key.get()) != 1) {
    return tl::unexpected(std::string("cannot encode the key"));
  }
  const long length = BIO_get_mem_data(out.get(), &data);
  return base::PublicKey{std::string(data, static_cast<std::size_t>(length)),
                         std::move(*algorithms)};
}

tl::expected<base::PublicKey, std::string> load_public_key(const std::string& path) {
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

}  // namespace weft::server::auth
