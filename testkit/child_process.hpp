// child_process.hpp — ChildProcess: a program run as a child of this one, its stdout on a pipe
// that this process reads, for tests and benchmarks that drive real binaries (weft-server,
// storage_crash_writer, openssl s_server).
//
// The child is killed (SIGKILL) and reaped when its ChildProcess goes, so a failing case leaves no
// process behind. Single-threaded: one thread owns a ChildProcess.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>
#include <tl/expected.hpp>

namespace weft::testkit {

struct ChildSpec {
  // argv[0] is the program: a path, or a name looked up in PATH.
  std::vector<std::string> argv{};
  // Where the child's stderr goes (appended; "/dev/null" discards it); empty: this process's.
  std::filesystem::path stderr_file{};
  // The child's working directory; empty: this process's.
  std::filesystem::path cwd{};
  // NAME=value entries added to (or replacing those of) this process's environment for the child.
  std::vector<std::string> env{};
};

class ChildProcess {
 public:
  // Forks and execs `spec`. A program that cannot be executed shows as a child that exits with
  // status 127 (126 if `cwd` cannot be entered) without printing anything.
  [[nodiscard]] static tl::expected<ChildProcess, std::string> spawn(const ChildSpec& spec);

  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads the child's stdout until what this call read contains `until` (when not empty), the
  // child closes it (on exit), or `timeout` passes; returns what it read.
  [[nodiscard]] std::string read(std::chrono::milliseconds timeout, std::string_view until = {});
  // Sends `signal` if the child has not been reaped yet.
  void signal(int signal) const;
  // Waits up to `timeout` for the child to exit; its wait status (as waitpid gives it), or
  // nullopt if it is still running. Once reaped, returns the same status every time (-1 if
  // someone else reaped it).
  [[nodiscard]] std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGKILL, then waits for the exit.
  void kill();
  [[nodiscard]] bool running() { return pid_ > 0 && !wait(std::chrono::milliseconds{0}); }
  // The child's id; -1 once it has been reaped.
  [[nodiscard]] pid_t pid() const { return status_ ? -1 : pid_; }

  // A timeout that never passes.
  static constexpr std::chrono::milliseconds forever{std::chrono::hours{24 * 365}};

 private:
  ChildProcess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}
  void release() noexcept;

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::optional<int> status_;  // set once reaped
};

}  // namespace weft::testkit
