// redis_server.hpp — RedisServer for a test case: a real redis-server child on a free loopback
// port, with its files in a temporary directory; stopped (SIGTERM) or killed by its PID.
//
// The default arguments make every write durable (AOF, fsync always, no RDB snapshots), as
// RedisStore's strict durability requires; start() can replace them. Between stop() and start()
// the directory stays, so a restart reads back the same AOF.
#pragma once

#include <chrono>
#include <csignal>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testkit/child_process.hpp"
#include "tests/error_message.hpp"
#include "tests/temp_dir.hpp"

namespace weft::testing {

class RedisServer {
 public:
  static std::vector<std::string> durable() {
    return {"--appendonly", "yes", "--appendfsync", "always", "--save", ""};
  }

  explicit RedisServer(std::vector<std::string> persistence = durable()) : port_(free_port()) {
    start(std::move(persistence));
  }
  ~RedisServer() { kill(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts redis-server on the port and directory, and waits until it answers PING.
  void start(std::vector<std::string> persistence = durable()) {
    REQUIRE_FALSE(child_);
    std::vector<std::string> argv{"redis-server",
                                  "--port",
                                  std::to_string(port_),
                                  "--bind",
                                  "127.0.0.1",
                                  "--dir",
                                  dir_.path().string(),
                                  "--logfile",
                                  (dir_.path() / "redis.log").string(),
                                  "--daemonize",
                                  "no"};
    argv.insert(argv.end(), persistence.begin(), persistence.end());
    auto child = testkit::ChildProcess::spawn({.argv = argv});
    REQUIRE_MESSAGE(child, weft::testing::error_message(child));
    child_.emplace(std::move(*child));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (!answers_ping()) {
      REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "redis-server did not start");
      REQUIRE_MESSAGE(child_->running(), "redis-server exited");
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
  }
  // SIGTERM to the PID (Redis fsyncs and exits), then waits.
  void stop() {
    if (!child_) return;
    child_->signal(SIGTERM);
    static_cast<void>(child_->wait(std::chrono::seconds{10}));
    child_.reset();  // kills it if it is still running
  }
  void kill() {
    if (child_) child_->kill();
    child_.reset();
  }

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  static std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    auto* raw = reinterpret_cast<sockaddr*>(&addr);  // NOLINT: the sockets API
    REQUIRE(::bind(fd, raw, sizeof addr) == 0);
    REQUIRE(::getsockname(fd, raw, &len) == 0);
    ::close(fd);
    return ntohs(addr.sin_port);
  }

  [[nodiscard]] bool answers_ping() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    auto* raw = reinterpret_cast<sockaddr*>(&addr);  // NOLINT: the sockets API
    bool ok = false;
    if (::connect(fd, raw, sizeof addr) == 0 && ::send(fd, "PING\r\n", 6, MSG_NOSIGNAL) == 6) {
      char reply[16] = {};
      ok = ::recv(fd, reply, 7, MSG_WAITALL) == 7 && std::string(reply, 7) == "+PONG\r\n";
    }
    ::close(fd);
    return ok;
  }

  TempDir dir_{"weft-redis-test"};
  std::uint16_t port_;
  std::optional<testkit::ChildProcess> child_;
};

}  // namespace weft::testing
