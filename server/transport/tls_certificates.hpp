// tls_certificates.hpp — the server's TLS identity (--tls-cert, --tls-key): an OpenSSL context
// loaded from PEM files at startup and replaced on SIGHUP.
//
// Certificates are renewed (Let's Encrypt: every 60 to 90 days) while clients stay connected:
// reload() builds a new context from the same files and swaps it in; handshakes that started
// before keep the context they began with (each TLS session holds a shared_ptr to its context),
// later ones get the new one. A reload that fails (missing file, key not matching the
// certificate) leaves the current context in place and says why. Thread-safe.
#pragma once
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <tl/expected.hpp>

namespace weft::server::transport {

class TlsCertificates {
 public:
  // Loads both files; the error names the file and OpenSSL's reason.
  [[nodiscard]] static tl::expected<std::unique_ptr<TlsCertificates>, std::string> load(
      std::filesystem::path cert_file, std::filesystem::path key_file);

  // The context for a new connection's handshake.
  [[nodiscard]] std::shared_ptr<boost::asio::ssl::context> current() const;
  // Reads the files again; on success new handshakes use them, on failure nothing changes.
  [[nodiscard]] tl::expected<void, std::string> reload();

  [[nodiscard]] const std::filesystem::path& cert_file() const { return cert_file_; }

  TlsCertificates(std::filesystem::path cert_file, std::filesystem::path key_file,
                  std::shared_ptr<boost::asio::ssl::context> context);  // use load()

 private:
  const std::filesystem::path cert_file_;
  const std::filesystem::path key_file_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_;  // by mutex_; never null
};

// A server context for `cert_file` and `key_file`: TLS 1.2 or newer, the key checked against
// the certificate. Exposed for tests.
[[nodiscard]] tl::expected<std::shared_ptr<boost::asio::ssl::context>, std::string>
make_tls_server_context(const std::filesystem::path& cert_file,
                        const std::filesystem::path& key_file);

}  // namespace weft::server::transport
