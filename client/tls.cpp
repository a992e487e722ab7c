// tls.cpp — make_tls_context(): a TLS 1.2+ client context with its trust anchors.
#include "client/tls.hpp"

#include <openssl/ssl.h>

namespace weft::client {

namespace ssl = boost::asio::ssl;

tl::expected<std::shared_ptr<ssl::context>, std::string> make_tls_context(
    const TlsOptions& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1) {
    return tl::make_unexpected(std::string("tls: cannot require TLS 1.2"));
  }
  boost::system::error_code ec;
  if (options.ca_file.empty()) {
    context->set_default_verify_paths(ec);
    if (ec) return tl::make_unexpected("tls: default trust anchors: " + ec.message());
  } else {
    context->load_verify_file(options.ca_file, ec);
    if (ec) return tl::make_unexpected("tls: CA file " + options.ca_file + ": " + ec.message());
  }
  return context;
}

tl::expected<std::shared_ptr<ssl::context>, std::string> context_for(const TlsOptions& options) {
  if (options.context) return options.context;
  return make_tls_context(options);
}

}  // namespace weft::client
