// throwaway_cert.hpp — a self-signed certificate for `weft-bench load --tls`, made by the openssl
// command line: EC P-256, valid two days, subjectAltName IP:127.0.0.1 and DNS:localhost. The
// certificate is its own CA: the bench's clients trust exactly it.
#pragma once

#include <filesystem>
#include <string>

#include <tl/expected.hpp>

namespace weft::bench {

struct CertFiles {
  std::filesystem::path cert;  // PEM certificate (also the trust anchor)
  std::filesystem::path key;   // PEM private key, unencrypted
};

// Writes cert.pem and key.pem into `dir` (which must exist).
[[nodiscard]] tl::expected<CertFiles, std::string> make_throwaway_cert(
    const std::filesystem::path& dir);

}  // namespace weft::bench
