// tls_certificates.cpp — loading PEM files into an OpenSSL server context, and reloading them.
#include "server/transport/tls_certificates.hpp"

#include <string_view>
#include <utility>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace weft::server::transport {
namespace ssl = boost::asio::ssl;

namespace {

// "FILE: WHAT (OpenSSL: reasons)" with OpenSSL's reasons from the thread's error queue, earliest
// first; asio's message alone is often generic. A file that cannot be read says so plainly.
[[nodiscard]] std::string describe(const std::filesystem::path& file, std::string_view what,
                                   const boost::system::error_code& ec) {
  std::string reasons;
  while (const unsigned long code = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(code);
    if (reason == nullptr) continue;
    reasons += (reasons.empty() ? "" : ", ") + std::string(reason);
  }
  std::error_code fs_error;
  if (!std::filesystem::is_regular_file(file, fs_error)) {
    return file.string() + ": no such file (or not a regular file)";
  }
  return file.string() + ": " + std::string(what) +
         " (OpenSSL: " + (reasons.empty() ? ec.message() : reasons) + ")";
}

}  // namespace

tl::expected<std::shared_ptr<ssl::context>, std::string> make_tls_server_context(
    const std::filesystem::path& cert_file, const std::filesystem::path& key_file) {
  ERR_clear_error();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  // TLS 1.2 and 1.3 only; no renegotiation (a CPU-exhaustion vector), no compression (CRIME).
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                           ssl::context::single_dh_use,
                       ec);
  if (ec) return tl::unexpected("TLS context: " + ec.message());
  SSL_CTX_set_options(context->native_handle(), SSL_OP_NO_RENEGOTIATION);
  // OpenSSL's own record buffers go back while a connection is idle (most collaborators are).
  // Asio's TLS stream still keeps ~70 KiB of its own per connection (17 KiB record buffers in
  // its stream core and BIO pair): see server/README.md#tls for the measured cost.
  SSL_CTX_set_mode(context->native_handle(), SSL_MODE_RELEASE_BUFFERS);
  if (context->use_certificate_chain_file(cert_file.string(), ec); ec) {
    return tl::unexpected(describe(cert_file, "not a PEM certificate chain", ec));
  }
  if (context->use_private_key_file(key_file.string(), ssl::context::pem, ec); ec) {
    return tl::unexpected(describe(
        key_file, "not a PEM private key of the certificate in " + cert_file.string(), ec));
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    ERR_clear_error();
    return tl::unexpected(key_file.string() + ": the key does not match the certificate in " +
                          cert_file.string());
  }
  return context;
}

TlsCertificates::TlsCertificates(std::filesystem::path cert_file, std::filesystem::path key_file,
                                 std::shared_ptr<ssl::context> context)
    : cert_file_(std::move(cert_file)),
      key_file_(std::move(key_file)),
      context_(std::move(context)) {}

tl::expected<std::unique_ptr<TlsCertificates>, std::string> TlsCertificates::load(
    std::filesystem::path cert_file, std::filesystem::path key_file) {
  auto context = make_tls_server_context(cert_file, key_file);
  if (!context) return tl::unexpected(std::move(context.error()));
  return std::make_unique<TlsCertificates>(std::move(cert_file), std::move(key_file),
                                           std::move(*context));
}

std::shared_ptr<ssl::context> TlsCertificates::current() const {
  const std::scoped_lock lock{mutex_};
  return context_;
}

tl::expected<void, std::string> TlsCertificates::reload() {
  auto context = make_tls_server_context(cert_file_, key_file_);
  if (!context) return tl::unexpected(std::move(context.error()));
  const std::scoped_lock lock{mutex_};
  context_ = std::move(*context);
  return {};
}

}  // namespace weft::server::transport
