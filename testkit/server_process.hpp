// server_process.hpp — ServerProcess: a real weft-server child on a free port, for the integration
// and smoke tests and `weft-bench load`.
//
// It owns a TempDir (removed on destruction) that holds the data directory (data/) and, unless
// told to pass it through, the server's stderr (server.log). start() runs
// `BINARY --listen 127.0.0.1:0 --data DIR/data ARGS...` and reads the port from the ready line
// ("weft-server: ready on 127.0.0.1:PORT (...)"); the server can be stopped (SIGTERM), killed
// (SIGKILL) and started again on the same data directory.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>
#include <tl/expected.hpp>

#include "testkit/child_process.hpp"
#include "testkit/temp_dir.hpp"

namespace weft::testkit {

// How a server run ended.
struct ServerExit {
  int status = -1;             // the exit code; -1 if a signal ended it or it was not running
  std::string rest_of_stdout;  // what it printed after the ready line
  [[nodiscard]] bool clean() const { return status == 0; }
};

class ServerProcess {
 public:
  enum class Stderr : std::uint8_t { log_file, inherit };

  ServerProcess(std::filesystem::path binary, TempDir dir, Stderr stderr_to = Stderr::log_file);
  ~ServerProcess() = default;  // kills a running server (ChildProcess), then removes the directory
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server and waits up to `timeout` for its ready line; the error says what it
  // printed instead (see log() for its stderr). A server that is not ready is killed.
  [[nodiscard]] tl::expected<void, std::string> start(
      const std::vector<std::string>& args = {},
      std::chrono::milliseconds timeout = std::chrono::seconds{20});
  // NAME=value entries for the environment of the servers start() runs from now on.
  void set_environment(std::vector<std::string> env) { env_ = std::move(env); }
  // SIGTERM (a graceful shutdown).
  void terminate() const;
  // Waits up to `timeout` for the server to exit (SIGKILL after that).
  [[nodiscard]] ServerExit wait(std::chrono::milliseconds timeout = std::chrono::seconds{20});
  // terminate(), then wait().
  [[nodiscard]] ServerExit stop(std::chrono::milliseconds timeout = std::chrono::seconds{20});
  // SIGKILL, then waits: a crash.
  void kill();
  [[nodiscard]] bool running() { return child_ && child_->running(); }

  [[nodiscard]] std::uint16_t port() const { return port_; }
  // The server's process id; -1 when none is running.
  [[nodiscard]] pid_t pid() const { return child_ ? child_->pid() : -1; }
  // Everything the server printed on its first line, newline included.
  [[nodiscard]] const std::string& ready_line() const { return ready_line_; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
  [[nodiscard]] std::filesystem::path data_dir() const { return dir_.path() / "data"; }
  // The last 20000 bytes of the server's stderr (empty when passed through).
  [[nodiscard]] std::string log() const;

 private:
  std::filesystem::path binary_;
  TempDir dir_;  // declared before child_: the server is killed before its files are removed
  Stderr stderr_to_;
  std::optional<ChildProcess> child_;
  std::string ready_line_;
  std::string stdout_after_ready_;  // read with the ready line
  std::uint16_t port_ = 0;
  std::vector<std::string> env_;
};

}  // namespace weft::testkit
