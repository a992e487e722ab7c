// server_process.hpp — ServerProcess: a real weft-server child process for integration tests.
//
// It owns a temporary data directory under /tmp (removed on destruction), starts the binary with
// `--listen 127.0.0.1:0 --data DIR`, reads the port from the ready line, and can stop it
// (SIGTERM, expecting exit 0), kill it (SIGKILL) and start it again on the same data directory.
// The server's stderr goes to a log file that log() returns, for failure messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace weft::integration {

class ServerProcess {
 public:
  explicit ServerProcess(std::string binary = WEFT_SERVER_BIN);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server and waits for its ready line; false (see log()) if it did not come.
  bool start(const std::vector<std::string>& extra_args = {},
             std::chrono::milliseconds timeout = std::chrono::seconds{20});
  // SIGTERM and wait; true if it exited with status 0.
  bool stop(std::chrono::milliseconds timeout = std::chrono::seconds{20});
  // SIGKILL and wait: a crash.
  void kill();
  // True while the child has not exited.
  [[nodiscard]] bool running();

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] const std::filesystem::path& data_dir() const { return data_; }
  // The server's stderr so far (its last 20000 bytes).
  [[nodiscard]] std::string log() const;

 private:
  std::string binary_;
  std::filesystem::path dir_;  // holds data/ and server.log
  std::filesystem::path data_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::uint16_t port_ = 0;
};

// True if GET /healthz on 127.0.0.1:port answers 200.
[[nodiscard]] bool healthz(std::uint16_t port);

}  // namespace weft::integration
