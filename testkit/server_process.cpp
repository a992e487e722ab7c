// server_process.cpp — weft-server's command line, its ready line, and how a run ends.
#include "testkit/server_process.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string_view>
#include <utility>

#include <sys/wait.h>

namespace weft::testkit {

namespace {

constexpr std::string_view ready_marker = "ready on 127.0.0.1:";
constexpr std::size_t log_tail_bytes = 20000;

}  // namespace

ServerProcess::ServerProcess(std::filesystem::path binary, TempDir dir, Stderr stderr_to)
    : binary_(std::move(binary)), dir_(std::move(dir)), stderr_to_(stderr_to) {}

tl::expected<void, std::string> ServerProcess::start(const std::vector<std::string>& args,
                                                     std::chrono::milliseconds timeout) {
  if (running()) return tl::make_unexpected(std::string("the server is already running"));
  ready_line_.clear();
  stdout_after_ready_.clear();
  port_ = 0;
  ChildSpec spec;
  spec.argv = {binary_.string(), "--listen", "127.0.0.1:0", "--data", data_dir().string()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = env_;
  if (stderr_to_ == Stderr::log_file) spec.stderr_file = dir_.path() / "server.log";
  auto child = ChildProcess::spawn(spec);
  if (!child) return tl::make_unexpected(child.error());
  child_.emplace(std::move(*child));

  std::string printed = child_->read(timeout, "\n");
  const std::size_t newline = printed.find('\n');
  const std::size_t at = printed.find(ready_marker);
  if (newline == std::string::npos || at == std::string::npos || at > newline) {
    child_->kill();
    return tl::make_unexpected(binary_.string() + " printed no ready line (stdout: \"" + printed +
                               "\")");
  }
  ready_line_ = printed.substr(0, newline + 1);
  stdout_after_ready_ = printed.substr(newline + 1);
  port_ = static_cast<std::uint16_t>(
      std::strtoul(ready_line_.c_str() + at + ready_marker.size(), nullptr, 10));
  if (port_ == 0) {
    child_->kill();
    return tl::make_unexpected("no port in the ready line: " + ready_line_);
  }
  return {};
}

void ServerProcess::terminate() const {
  if (child_) child_->signal(SIGTERM);
}

ServerExit ServerProcess::wait(std::chrono::milliseconds timeout) {
  ServerExit exit;
  if (!child_ || child_->pid() < 0) return exit;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  exit.rest_of_stdout = std::exchange(stdout_after_ready_, {}) + child_->read(timeout);
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  const std::optional<int> status = child_->wait(std::max(left, std::chrono::milliseconds{0}));
  if (!status) {
    child_->kill();
    return exit;
  }
  if (WIFEXITED(*status)) exit.status = WEXITSTATUS(*status);
  return exit;
}

ServerExit ServerProcess::stop(std::chrono::milliseconds timeout) {
  terminate();
  return wait(timeout);
}

void ServerProcess::kill() {
  if (child_) child_->kill();
}

std::string ServerProcess::log() const {
  std::ifstream in(dir_.path() / "server.log", std::ios::binary);
  std::string all{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return all.size() > log_tail_bytes ? all.substr(all.size() - log_tail_bytes) : all;
}

}  // namespace weft::testkit
