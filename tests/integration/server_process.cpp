// server_process.cpp — fork/exec of weft-server, the ready line, signals, and a /healthz probe.
#include "tests/integration/server_process.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace weft::integration {

namespace {

// Waits up to `timeout` for the child to exit; its wait status, or -1 if it is still running.
int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0) return 0;
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

}  // namespace

ServerProcess::ServerProcess(std::string binary) : binary_(std::move(binary)) {
  std::string pattern = (std::filesystem::temp_directory_path() / "weft-it-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  dir_ = pattern;
  data_ = dir_ / "data";
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) kill();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool ServerProcess::start(const std::vector<std::string>& extra_args,
                          std::chrono::milliseconds timeout) {
  if (pid_ > 0) return false;
  int out[2];
  if (::pipe(out) != 0) return false;
  const std::string log_path = (dir_ / "server.log").string();
  std::vector<std::string> args{binary_, "--listen", "127.0.0.1:0", "--data", data_.string()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ < 0) return false;
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) ::dup2(log, STDERR_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  stdout_fd_ = out[0];

  // The ready line: "weft-server: ready on 127.0.0.1:PORT (data DIR, N threads)".
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) break;
    char buffer[256];
    const ssize_t n = ::read(stdout_fd_, buffer, sizeof buffer);
    if (n <= 0) break;
    line.append(buffer, static_cast<std::size_t>(n));
  }
  const std::string marker = "ready on 127.0.0.1:";
  const auto at = line.find(marker);
  if (at == std::string::npos) {
    kill();
    return false;
  }
  port_ = static_cast<std::uint16_t>(std::strtoul(line.c_str() + at + marker.size(), nullptr, 10));
  return port_ != 0;
}

bool ServerProcess::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return false;
  ::kill(pid_, SIGTERM);
  int status = wait_exit(pid_, timeout);
  if (status == -1) {
    kill();
    return false;
  }
  pid_ = -1;
  ::close(stdout_fd_);
  stdout_fd_ = -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void ServerProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  (void)wait_exit(pid_, std::chrono::seconds{20});
  pid_ = -1;
  ::close(stdout_fd_);
  stdout_fd_ = -1;
}

bool ServerProcess::running() {
  if (pid_ <= 0) return false;
  return wait_exit(pid_, std::chrono::milliseconds{0}) == -1;
}

std::string ServerProcess::log() const {
  std::ifstream in(dir_ / "server.log", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  constexpr std::size_t keep = 20000;
  return all.size() > keep ? all.substr(all.size() - keep) : all;
}

bool healthz(std::uint16_t port) {
  namespace net = boost::asio;
  net::io_context ioc;
  net::ip::tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return false;
  const std::string request =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  net::write(socket, net::buffer(request), ec);
  if (ec) return false;
  std::string response;
  net::read(socket, net::dynamic_buffer(response), ec);  // until the server closes
  return response.rfind("HTTP/1.1 200", 0) == 0;
}

}  // namespace weft::integration
