// throwaway_cert.hpp — a self-signed certificate for TLS tests and `weft-bench load --tls`, made
// by the openssl command line: EC P-256, valid two days, CN=localhost, subjectAltName
// IP:127.0.0.1 and DNS:localhost. The certificate is its own CA: clients trust exactly it by
// naming cert.pem as their trust anchor.
#pragma once

#include <filesystem>
#include <string>

#include <tl/expected.hpp>

namespace weft::testkit {

struct CertFiles {
  std::filesystem::path cert;  // PEM certificate (also the trust anchor)
  std::filesystem::path key;   // PEM private key, unencrypted
};

// Writes cert.pem and key.pem into `dir` (which must exist).
[[nodiscard]] tl::expected<CertFiles, std::string> make_throwaway_cert(
    const std::filesystem::path& dir);

}  // namespace weft::testkit
