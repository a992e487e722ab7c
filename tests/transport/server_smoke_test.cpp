// server_smoke_test.cpp — the real weft-server binary over real sockets: startup, the ready line,
// HTTP routes, the WebSocket upgrade, welcome's limits against the flags, and graceful shutdown
// on SIGTERM.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <doctest/doctest.h>

#include "proto/frame.hpp"
#include "proto/frame_codec.hpp"
#include "server/server_options.hpp"
#include "tests/server_process.hpp"

namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

// One weft-server child on a free port (tests/server_process.hpp), with 2 threads and a static
// directory: DIR/www/index.html, and DIR/secret.txt beside (outside) it.
class Server : public weft::testing::ServerProcess {
 public:
  explicit Server(const std::vector<std::string>& extra = {}) {
    fs::create_directories(dir() / "www");
    std::ofstream{dir() / "www" / "index.html"} << "<!doctype html><title>weft</title>";
    std::ofstream{dir() / "secret.txt"} << "secret";
    std::vector<std::string> args{"--static", (dir() / "www").string(), "--threads", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto started = start(args);
    REQUIRE_MESSAGE(started.has_value(), started.error(), "; stderr: ", log());
  }
};

// One HTTP/1.1 request on a new connection, optionally a WebSocket upgrade request.
http::response<http::string_body> request(std::uint16_t port, http::verb method,
                                          std::string_view target, bool upgrade = false) {
  net::io_context ioc;
  tcp::socket socket{ioc};
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  http::request<http::empty_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(false);
  if (upgrade) {
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::sec_websocket_version, "13");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  }
  http::write(socket, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(method == http::verb::head);
  http::read(socket, buffer, parser);  // a 101 has no body: this stops after the header
  return parser.release();
}

// A connected WebSocket on `target`, after a hello that was answered with welcome.
struct Client {
  net::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};

  Client(std::uint16_t port, std::string_view target) {
    ws.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
    ws.handshake("127.0.0.1", target);
    ws.binary(true);
  }

  // The reply's bytes.
  std::string exchange_bytes(const weft::proto::Frame& frame) {
    ws.write(net::buffer(weft::proto::encode_frame(frame)));
    beast::flat_buffer buffer;
    ws.read(buffer);
    return beast::buffers_to_string(buffer.cdata());
  }

  weft::proto::Frame exchange(const weft::proto::Frame& frame) {
    auto decoded = weft::proto::decode_frame(exchange_bytes(frame));
    REQUIRE(decoded.has_value());
    return *decoded;
  }
};

// Reads the msgpack a welcome is made of (canonical: the shortest forms), for reading its limits
// map key by key as it is on the wire rather than through the decoder, which skips unknown keys.
class WelcomeReader {
 public:
  explicit WelcomeReader(std::string_view bytes) : bytes_(bytes) {}

  // The limits map of [2, version, server, limits], in wire order.
  std::vector<std::pair<std::string, std::uint64_t>> limits() {
    REQUIRE(header(0x90, 0x0f, 0xdc) == 4);
    REQUIRE(uint() == 2);
    (void)uint();
    (void)str();
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (std::uint64_t n = header(0x80, 0x0f, 0xde); n > 0; --n) {
      std::string key = str();
      out.emplace_back(std::move(key), uint());
    }
    CHECK(at_ == bytes_.size());
    return out;
  }

 private:
  std::uint8_t byte() {
    REQUIRE(at_ < bytes_.size());
    return static_cast<std::uint8_t>(bytes_[at_++]);
  }
  std::uint64_t big_endian(int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value = value << 8 | byte();
    return value;
  }
  std::uint64_t uint() {
    const std::uint8_t b = byte();
    if (b <= 0x7f) return b;
    REQUIRE((b >= 0xcc && b <= 0xcf));
    return big_endian(1 << (b - 0xcc));
  }
  // An array or map header: the fix form (`fix` with `mask` bits of count) or its 16-bit form.
  std::uint64_t header(std::uint8_t fix, std::uint8_t mask, std::uint8_t form16) {
    const std::uint8_t b = byte();
    if ((b & ~mask) == fix) return b & mask;
    REQUIRE(b == form16);
    return big_endian(2);
  }
  std::string str() {
    const std::uint8_t b = byte();
    std::uint64_t size = 0;
    if ((b & 0xe0) == 0xa0) {
      size = b & 0x1f;
    } else {
      REQUIRE(b == 0xd9);
      size = big_endian(1);
    }
    REQUIRE(at_ + size <= bytes_.size());
    std::string out(bytes_.substr(at_, size));
    at_ += size;
    return out;
  }

  std::string_view bytes_;
  std::size_t at_ = 0;
};

}  // namespace

TEST_SUITE("weft-server") {
  TEST_CASE("it prints one ready line, answers /healthz and stops cleanly on SIGTERM") {
    Server server;
    CHECK(server.ready_line().starts_with("weft-server: ready on 127.0.0.1:"));
    CHECK(server.ready_line().find("(data " + server.data_dir().string() + ", 2 threads)\n") !=
          std::string::npos);
    const auto health = request(server.port(), http::verb::get, "/healthz");
    CHECK(health.result() == http::status::ok);
    CHECK(health[http::field::content_type] == "application/json");
    // Without --node-id the node is named node- and 8 random hex digits.
    const std::string prefix =
        R"({"status":"ok","version":"0.1.0","documents":0,"connections":0,"auth":"none",)"
        R"("store":"ok","backend":"rocksdb","node":"node-)";
    CHECK(health.body().starts_with(prefix));
    CHECK(health.body().size() == prefix.size() + 10);
    CHECK(health.body().ends_with("\"}"));
    const weft::testkit::ServerExit exit = server.stop();
    CHECK_MESSAGE(exit.status == 0, server.log());
    CHECK(exit.rest_of_stdout.empty());
    CHECK(server.log().find("weft-server: stopped") != std::string::npos);
  }

  TEST_CASE("the editor's page is served at / and at share links; other files are not") {
    Server server;
    const auto root = request(server.port(), http::verb::get, "/");
    CHECK(root.result() == http::status::ok);
    CHECK(root[http::field::content_type] == "text/html; charset=utf-8");
    CHECK(root.body() == "<!doctype html><title>weft</title>");
    CHECK(request(server.port(), http::verb::get, "/d/notes").body() == root.body());
    const auto head = request(server.port(), http::verb::head, "/index.html");
    CHECK(head.result() == http::status::ok);
    CHECK(head[http::field::content_length] == std::to_string(root.body().size()));
    CHECK(request(server.port(), http::verb::get, "/missing.js").result() ==
          http::status::not_found);
    CHECK(request(server.port(), http::verb::get, "/%2e%2e/secret.txt").result() ==
          http::status::not_found);
    CHECK(request(server.port(), http::verb::post, "/healthz").result() ==
          http::status::method_not_allowed);
    CHECK(request(server.port(), http::verb::delete_, "/").result() ==
          http::status::method_not_allowed);
    const weft::testkit::ServerExit exit = server.stop();
    CHECK_MESSAGE(exit.status == 0, server.log());
  }

  TEST_CASE("a WebSocket on /ws is welcomed after hello and counted by /healthz") {
    Server server;
    {
      Client client{server.port(), "/ws"};
      const auto reply = client.exchange(weft::proto::Hello{1, "smoke-test"});
      REQUIRE(std::holds_alternative<weft::proto::Welcome>(reply));
      CHECK(std::get<weft::proto::Welcome>(reply).limits.max_frame_bytes == 1 << 20);
      CHECK(request(server.port(), http::verb::get, "/healthz").body().find(R"("connections":1)") !=
            std::string::npos);
      client.ws.close(websocket::close_code::normal);
    }
    const weft::testkit::ServerExit exit = server.stop();
    CHECK_MESSAGE(exit.status == 0, server.log());
  }

  TEST_CASE(
      "welcome announces each limit flag's value, and every key it announces is a flag (#14)") {
    // Every limit flag set to a value unlike its default and unlike any other key's, so a flag
    // that fed another key, or a key that no flag feeds, shows.
    std::vector<std::string> flags;
    std::vector<std::pair<std::string, std::uint64_t>> expected;
    for (const weft::proto::LimitEntry& entry :
         weft::proto::limit_entries(weft::proto::ServerLimits{})) {
      std::string flag(entry.name);
      std::replace(flag.begin(), flag.end(), '_', '-');
      const auto range = weft::server::flag_range(flag);
      REQUIRE_MESSAGE(range.has_value(), flag);
      const std::uint64_t step = expected.size() + 1;
      const std::uint64_t value =
          entry.value + step <= range->max ? entry.value + step : entry.value - step;
      flags.insert(flags.end(), {"--" + flag, std::to_string(value)});
      expected.emplace_back(entry.name, value);
    }
    Server server{flags};
    Client client{server.port(), "/ws"};
    CHECK(WelcomeReader{client.exchange_bytes(weft::proto::Hello{1, "smoke-test"})}.limits() ==
          expected);
    client.ws.close(websocket::close_code::normal);
    const weft::testkit::ServerExit exit = server.stop();
    CHECK_MESSAGE(exit.status == 0, server.log());
  }

  TEST_CASE("an upgrade on another path is refused with 404") {
    Server server;
    const auto response = request(server.port(), http::verb::get, "/chat", true);
    CHECK(response.result() == http::status::not_found);
    CHECK(request(server.port(), http::verb::get, "/ws/any/doc", true).result() ==
          http::status::switching_protocols);
    const weft::testkit::ServerExit exit = server.stop();
    CHECK_MESSAGE(exit.status == 0, server.log());
  }

  TEST_CASE("a message above --max-frame-bytes is answered with close 1009") {
    Server server{{"--max-frame-bytes", "1024"}};
    Client client{server.port(), "/ws"};
    REQUIRE(std::holds_alternative<weft::proto::Welcome>(
        client.exchange(weft::proto::Hello{1, "smoke-test"})));
    client.ws.write(net::buffer(std::string(2048, 'x')));
    beast::flat_buffer buffer;
    beast::error_code ec;
    client.ws.read(buffer, ec);
    // Beast fails the connection after its close frame without awaiting the reply, so the read
    // ends with closed or with the error of replying on a socket already shut down.
    CHECK(ec);
    CHECK(client.ws.reason().code == websocket::close_code::too_big);
    const weft::testkit::ServerExit exit = server.stop();
    CHECK_MESSAGE(exit.status == 0, server.log());
    CHECK(server.log().find("1009") != std::string::npos);
  }

  TEST_CASE("SIGTERM closes open WebSockets with going_away") {
    Server server;
    Client client{server.port(), "/ws"};
    REQUIRE(std::holds_alternative<weft::proto::Welcome>(
        client.exchange(weft::proto::Hello{1, "smoke-test"})));
    server.terminate();
    beast::flat_buffer buffer;
    beast::error_code ec;
    client.ws.read(buffer, ec);
    CHECK(ec == websocket::error::closed);
    CHECK(client.ws.reason().code == websocket::close_code::going_away);
    const weft::testkit::ServerExit exit = server.wait();
    CHECK_MESSAGE(exit.status == 0, server.log());
  }
}
