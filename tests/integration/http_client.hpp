// http_client.hpp — one blocking HTTP/1.1 request to the server under test (Beast), for the HTTP
// API and /metrics cases.
#pragma once

#include <cstdint>
#include <string>

namespace weft::integration {

struct HttpReply {
  int status = 0;  // 0: no answer (the message says why in body)
  std::string content_type;
  std::string allow;
  std::string body;
};

[[nodiscard]] HttpReply http_request(std::uint16_t port, const std::string& method,
                                     const std::string& target, const std::string& body = "");

}  // namespace weft::integration
