// liveness_test.cpp — silence and keep-alive (PROTOCOL.md §2): a client that answers pings is
// kept however long it sends nothing; one that stops answering is closed with 4004.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <doctest/doctest.h>

#include "proto/frame_codec.hpp"
#include "tests/integration/harness.hpp"

namespace weft::integration {
namespace {

namespace net = boost::asio;
namespace websocket = boost::beast::websocket;

constexpr std::uint64_t idle_ms = 600;

// A client on Beast that has said hello and then does only what a case tells it to.
struct QuietClient {
  explicit QuietClient(std::uint16_t port) : ws(ioc) {
    ws.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
    ws.handshake("127.0.0.1", "/ws");
    ws.binary(true);
    ws.write(net::buffer(proto::encode_frame(proto::Hello{proto::protocol_version, "quiet"})));
    boost::beast::flat_buffer buffer;
    ws.read(buffer);
  }

  // Reads the socket below the WebSocket until the server ends the connection, without
  // answering anything (not even pings), and returns the code of the close frame among what
  // arrived (nullopt: none, the connection was cut). Server frames are unmasked.
  std::optional<std::uint16_t> close_code_in_raw_bytes() {
    std::string bytes;
    boost::system::error_code ec;
    char chunk[4096];
    while (!ec) {
      const std::size_t n = ws.next_layer().read_some(net::buffer(chunk), ec);
      bytes.append(chunk, n);
    }
    std::size_t at = 0;
    while (at + 2 <= bytes.size()) {
      const auto opcode = static_cast<unsigned char>(bytes[at]) & 0x0f;
      std::uint64_t len = static_cast<unsigned char>(bytes[at + 1]) & 0x7f;
      std::size_t header = 2;
      if (len >= 126) {
        const std::size_t width = len == 126 ? 2 : 8;
        len = 0;
        for (std::size_t i = 0; i < width; ++i) {
          len = (len << 8) | static_cast<unsigned char>(bytes[at + 2 + i]);
        }
        header += width;
      }
      if (at + header + len > bytes.size()) break;
      if (opcode == 0x8 && len >= 2) {
        return static_cast<std::uint16_t>((static_cast<unsigned char>(bytes[at + header]) << 8) |
                                          static_cast<unsigned char>(bytes[at + header + 1]));
      }
      at += header + len;
    }
    return std::nullopt;
  }

  net::io_context ioc;
  websocket::stream<net::ip::tcp::socket> ws;
};

}  // namespace

TEST_SUITE("integration: liveness") {
  TEST_CASE("a client that answers pings but never sends is kept") {
    Harness h({"--idle-timeout-ms", std::to_string(idle_ms)});
    INFO("server log:\n" << h.server.log());
    QuietClient quiet(h.server.port());
    int pings = 0;
    quiet.ws.control_callback([&](websocket::frame_type kind, boost::beast::string_view) {
      if (kind == websocket::frame_type::ping) ++pings;
    });
    // A pending read answers pings (Beast does it) and would complete if the server closed.
    bool read_done = false;
    boost::beast::flat_buffer buffer;
    quiet.ws.async_read(buffer, [&](boost::beast::error_code, std::size_t) { read_done = true; });
    quiet.ioc.run_for(std::chrono::milliseconds(5 * idle_ms));
    CHECK_FALSE(read_done);
    CHECK(pings >= 3);
    CHECK(quiet.ws.is_open());
  }

  TEST_CASE("a client that stops answering pings is closed with 4004 (idle_timeout)") {
    Harness h({"--idle-timeout-ms", std::to_string(idle_ms)});
    INFO("server log:\n" << h.server.log());
    QuietClient quiet(h.server.port());
    // Reads nothing: the server's ping goes unanswered. Its close frame fits in the socket
    // buffers, so it is there to be read once the connection is over.
    std::this_thread::sleep_for(std::chrono::milliseconds(3 * idle_ms));
    CHECK(quiet.close_code_in_raw_bytes() == std::optional<std::uint16_t>{4004});
    CHECK(h.server.log().find("idle_timeout") != std::string::npos);
  }
}  // TEST_SUITE
}  // namespace weft::integration
