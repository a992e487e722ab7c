// http_client.hpp — one blocking HTTP/1.1 request to the server under test (Beast), for the HTTP
// API and /metrics cases, in plain text or over TLS.
#pragma once

#include <cstdint>
#include <string>

#include "client/tls.hpp"

namespace weft::integration {

struct HttpReply {
  int status = 0;  // 0: no answer (the message says why in body)
  std::string content_type;
  std::string allow;
  std::string body;
};

[[nodiscard]] HttpReply http_request(std::uint16_t port, const std::string& method,
                                     const std::string& target, const std::string& body = "");

// The same over TLS to 127.0.0.1:port; unless tls.verify_peer is false, the certificate must
// chain to tls.ca_file and name IP 127.0.0.1. A failed TLS handshake is status 0 with body
// "tls handshake: ...".
[[nodiscard]] HttpReply https_request(std::uint16_t port, const client::TlsOptions& tls,
                                      const std::string& method, const std::string& target,
                                      const std::string& body = "");

// The value of the /metrics sample line that starts with `series` and a space; -1 if none.
[[nodiscard]] double metric_sample(const std::string& metrics_text, const std::string& series);

}  // namespace weft::integration
