// child_process.cpp — fork/exec with a stdout pipe, polled reads with a deadline, and reaping.
#include "testkit/child_process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace weft::testkit {

namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::generic_category().message(errno);
}

// poll()'s timeout until `deadline`, at most an hour at a time (it takes an int).
int poll_timeout(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 3'600'000));
}

}  // namespace

tl::expected<ChildProcess, std::string> ChildProcess::spawn(const ChildSpec& spec) {
  if (spec.argv.empty()) return tl::make_unexpected(std::string("spawn: no program"));
  // Everything the child needs is made before fork: after it, only async-signal-safe calls.
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string stderr_file = spec.stderr_file.string();
  const std::string cwd = spec.cwd.string();
  std::vector<std::string> environment = spec.env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view current(*entry);
    const std::string_view name = current.substr(0, current.find('='));
    const bool replaced = std::any_of(spec.env.begin(), spec.env.end(), [&](const std::string& e) {
      return e.size() > name.size() && e.compare(0, name.size(), name) == 0 &&
             e[name.size()] == '=';
    });
    if (!replaced) environment.emplace_back(current);
  }
  std::vector<char*> envp;
  envp.reserve(environment.size() + 1);
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return tl::make_unexpected(errno_text("pipe"));
  const pid_t pid = ::fork();
  if (pid < 0) {
    const std::string why = errno_text("fork");
    ::close(out[0]);
    ::close(out[1]);
    return tl::make_unexpected(why);
  }
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);  // the duplicate does not close on exec
    if (!stderr_file.empty()) {
      const int err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (err >= 0) ::dup2(err, STDERR_FILENO);
    }
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execvpe(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out[1]);
  return ChildProcess{pid, out[0]};
}

ChildProcess::~ChildProcess() { release(); }

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)),
      status_(std::exchange(other.status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    stdout_fd_ = std::exchange(other.stdout_fd_, -1);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

void ChildProcess::release() noexcept {
  if (pid_ > 0 && !status_) kill();
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  pid_ = -1;
  stdout_fd_ = -1;
}

std::string ChildProcess::read(std::chrono::milliseconds timeout, std::string_view until) {
  std::string got;
  if (stdout_fd_ < 0) return got;
  const auto deadline = Clock::now() + timeout;
  while (until.empty() || got.find(until) == std::string::npos) {
    pollfd fd{stdout_fd_, POLLIN, 0};
    const int ready = ::poll(&fd, 1, poll_timeout(deadline));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) {
      if (Clock::now() >= deadline) break;
      continue;
    }
    char buffer[4096];
    const ssize_t n = ::read(stdout_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of file: the child closed its stdout
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return got;
}

void ChildProcess::signal(int signal) const {
  if (pid_ > 0 && !status_) ::kill(pid_, signal);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (status_ || pid_ <= 0) return status_;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR)) {
      status_ = done == pid_ ? status : -1;  // -1: not our child any more (nothing to reap)
      return status_;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
}

void ChildProcess::kill() {
  signal(SIGKILL);
  (void)wait(forever);
}

}  // namespace weft::testkit
