// raw_client.hpp — what the cases that misbehave on purpose share: a WebSocket peer written
// directly on Beast (not the client library, which behaves), one raw HTTP/1.1 exchange, and
// measures of the server process. Used by the integration and the hostile-input suites.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <sys/types.h>

#include "proto/frame.hpp"

namespace weft::integration {

// A WebSocket peer on its own io_context, driven only by its blocking calls: between them it
// reads nothing, so with a small receive window it is a slow or stuck reader.
class RawClient {
 public:
  // Connects to 127.0.0.1:port and upgrades on /ws; `receive_window` bytes of socket buffer.
  explicit RawClient(std::uint16_t port, int receive_window = 4096);
  // Sends hello and reads welcome, then sends join of `doc`; reads nothing after.
  void join(const std::string& doc, const std::string& client_name);
  void send(const proto::Frame& frame);
  // The next frame; fails the case if it does not decode.
  [[nodiscard]] proto::Frame read();
  // Reads until the connection ends; the close code the server sent (0: none).
  [[nodiscard]] std::uint16_t read_until_closed();

 private:
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
};

// One raw HTTP request on a fresh connection (the request should say Connection: close); the
// whole response, status line first. A refusal (4xx) is read to the end; after any other status
// only the head is waited for (a 101 leaves the connection open). "connect: ..." if refused.
[[nodiscard]] std::string raw_http(std::uint16_t port, const std::string& request);

// `bytes` bytes of text mixing ASCII with 2-, 3- and 4-byte code points, never cut inside one,
// so that whatever splits it (client chunks, snapshot chunks) cuts through code points.
[[nodiscard]] std::string mixed_text(std::size_t bytes);

// A field of /proc/PID/status in KiB ("VmRSS", "VmHWM"); 0 if unreadable.
[[nodiscard]] std::uint64_t process_status_kib(pid_t pid, std::string_view field);

}  // namespace weft::integration
