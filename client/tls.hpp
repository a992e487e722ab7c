// tls.hpp — TlsOptions: how a client connection speaks TLS (wss://, https://), and the OpenSSL
// context it needs.
//
// Verification (on unless verify_peer is false) checks the server's chain against the trust
// anchors AND that the certificate names the host the client dialled: an IP address against the
// certificate's IP subjectAltNames, a DNS name against its DNS names (boost::asio::ssl::
// host_name_verification). Only TLS 1.2 and later are offered.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/verify_mode.hpp>
#include <tl/expected.hpp>

namespace weft::client {

struct TlsOptions {
  std::string ca_file;      // PEM trust anchors; empty: the system's default paths
  bool verify_peer = true;  // false only for tests and development
  // One context for many connections (the load bench opens thousands); null: every connection
  // makes its own from ca_file. A given context must already hold the trust anchors.
  std::shared_ptr<boost::asio::ssl::context> context;
};

// A client context for TLS 1.2+ trusting `options.ca_file` (or the system's default paths);
// the error says which file could not be loaded and why.
[[nodiscard]] tl::expected<std::shared_ptr<boost::asio::ssl::context>, std::string>
make_tls_context(const TlsOptions& options);

// options.context when given, else make_tls_context(options).
[[nodiscard]] tl::expected<std::shared_ptr<boost::asio::ssl::context>, std::string> context_for(
    const TlsOptions& options);

// Sets up `stream` (an asio ssl::stream) to verify the server as `options` say: the chain and
// that the certificate names `host`, or nothing when verify_peer is false.
template <class SslStream>
void set_verification(SslStream& stream, const TlsOptions& options, const std::string& host) {
  if (options.verify_peer) {
    stream.set_verify_mode(boost::asio::ssl::verify_peer);
    stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
  } else {
    stream.set_verify_mode(boost::asio::ssl::verify_none);
  }
}

}  // namespace weft::client
