// tls_cert.hpp — a throwaway self-signed certificate for the TLS cases, made by the openssl
// command line: EC P-256, valid two days, CN=localhost, subjectAltName IP:127.0.0.1 and
// DNS:localhost. The certificate is its own CA: clients trust it by naming cert.pem as ca_file.
#pragma once

#include <filesystem>

namespace weft::integration {

struct TlsFiles {
  std::filesystem::path cert;  // PEM certificate (also the trust anchor)
  std::filesystem::path key;   // PEM private key, unencrypted
};

// Writes cert.pem and key.pem into `dir` (which must exist); fails the running test case
// (REQUIRE) if openssl does not produce them.
[[nodiscard]] TlsFiles make_tls_files(const std::filesystem::path& dir);

}  // namespace weft::integration
