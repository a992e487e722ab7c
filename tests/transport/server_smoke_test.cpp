// server_smoke_test.cpp — the real weft-server binary over real sockets: startup, the ready line,
// HTTP routes, the WebSocket upgrade and graceful shutdown on SIGTERM.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
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
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto/frame.hpp"
#include "proto/frame_codec.hpp"

namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

// One weft-server child on a free port, with a temporary data and static directory. The ready
// line is read from its stdout; its stderr goes to a file that stop() returns.
class Server {
 public:
  explicit Server(std::vector<std::string> extra = {}) {
    std::string pattern = (fs::temp_directory_path() / "weft-smoke-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
    fs::create_directories(dir_ / "www");
    std::ofstream{dir_ / "www" / "index.html"} << "<!doctype html><title>weft</title>";
    std::ofstream{dir_ / "secret.txt"} << "secret";
    std::vector<std::string> args{WEFT_SERVER_BIN,
                                  "--listen",
                                  "127.0.0.1:0",
                                  "--data",
                                  (dir_ / "data").string(),
                                  "--static",
                                  (dir_ / "www").string(),
                                  "--threads",
                                  "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int out[2];
    REQUIRE(::pipe(out) == 0);
    const std::string log = (dir_ / "stderr.log").string();
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      if (std::FILE* err = std::freopen(log.c_str(), "w", stderr); err == nullptr) ::_exit(126);
      ::close(out[0]);
      ::close(out[1]);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    stdout_ = ::fdopen(out[0], "r");
    REQUIRE(stdout_ != nullptr);
    ready_line_ = read_line();
    const std::string marker = "ready on 127.0.0.1:";
    const auto at = ready_line_.find(marker);
    REQUIRE_MESSAGE(at != std::string::npos, "no ready line; stderr: " << stderr_text());
    port_ = static_cast<std::uint16_t>(std::stoul(ready_line_.substr(at + marker.size())));
  }

  ~Server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (stdout_ != nullptr) std::fclose(stdout_);
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  struct Exit {
    int status = -1;             // exit status; -1 if killed by a signal
    std::string rest_of_stdout;  // after the ready line
    std::string stderr_text;
  };

  // SIGTERM, then waits for the exit.
  Exit stop() {
    terminate();
    return wait();
  }
  void terminate() const { ::kill(pid_, SIGTERM); }
  Exit wait() {
    Exit exit;
    for (std::string line = read_line(); !line.empty(); line = read_line()) {
      exit.rest_of_stdout += line;
    }
    int status = 0;
    REQUIRE(::waitpid(pid_, &status, 0) == pid_);
    pid_ = -1;
    exit.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    exit.stderr_text = stderr_text();
    return exit;
  }

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& ready_line() const { return ready_line_; }
  [[nodiscard]] const fs::path& dir() const { return dir_; }

 private:
  std::string read_line() {
    std::string line;
    for (int c = std::fgetc(stdout_); c != EOF; c = std::fgetc(stdout_)) {
      line.push_back(static_cast<char>(c));
      if (c == '\n') break;
    }
    return line;
  }
  [[nodiscard]] std::string stderr_text() const {
    std::ifstream in{dir_ / "stderr.log"};
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
  pid_t pid_ = -1;
  std::FILE* stdout_ = nullptr;
  std::string ready_line_;
  std::uint16_t port_ = 0;
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

  weft::proto::Frame exchange(const weft::proto::Frame& frame) {
    ws.write(net::buffer(weft::proto::encode_frame(frame)));
    beast::flat_buffer buffer;
    ws.read(buffer);
    auto decoded = weft::proto::decode_frame(beast::buffers_to_string(buffer.cdata()));
    REQUIRE(decoded.has_value());
    return *decoded;
  }
};

}  // namespace

TEST_SUITE("weft-server") {
  TEST_CASE("it prints one ready line, answers /healthz and stops cleanly on SIGTERM") {
    Server server;
    CHECK(server.ready_line().starts_with("weft-server: ready on 127.0.0.1:"));
    CHECK(server.ready_line().find("(data " + (server.dir() / "data").string() +
                                   ", 2 threads)\n") != std::string::npos);
    const auto health = request(server.port(), http::verb::get, "/healthz");
    CHECK(health.result() == http::status::ok);
    CHECK(health[http::field::content_type] == "application/json");
    CHECK(health.body() ==
          R"({"status":"ok","version":"0.1.0","documents":0,"connections":0,"auth":"none"})");
    const Server::Exit exit = server.stop();
    CHECK_MESSAGE(exit.status == 0, exit.stderr_text);
    CHECK(exit.rest_of_stdout.empty());
    CHECK(exit.stderr_text.find("weft-server: stopped") != std::string::npos);
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
    const Server::Exit exit = server.stop();
    CHECK_MESSAGE(exit.status == 0, exit.stderr_text);
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
    const Server::Exit exit = server.stop();
    CHECK_MESSAGE(exit.status == 0, exit.stderr_text);
  }

  TEST_CASE("an upgrade on another path is refused with 404") {
    Server server;
    const auto response = request(server.port(), http::verb::get, "/chat", true);
    CHECK(response.result() == http::status::not_found);
    CHECK(request(server.port(), http::verb::get, "/ws/any/doc", true).result() ==
          http::status::switching_protocols);
    const Server::Exit exit = server.stop();
    CHECK_MESSAGE(exit.status == 0, exit.stderr_text);
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
    const Server::Exit exit = server.stop();
    CHECK_MESSAGE(exit.status == 0, exit.stderr_text);
    CHECK(exit.stderr_text.find("1009") != std::string::npos);
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
    const Server::Exit exit = server.wait();
    CHECK_MESSAGE(exit.status == 0, exit.stderr_text);
  }
}
