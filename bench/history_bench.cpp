// history_bench.cpp — `weft-bench history`: a blocking HTTP/1.1 GET per request (POSIX sockets,
// Connection: close), timed from connect to the end of the body.
#include "bench/history_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <netdb.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/count_option.hpp"

namespace weft::bench {
namespace {

struct Target {
  std::string host;
  std::string port;
};

struct Answer {
  int status = 0;  // 0: no answer
  std::string body;
};

Answer get(const Target& target, const std::string& path, const std::string& token) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(target.host.c_str(), target.port.c_str(), &hints, &found) != 0) return {};
  const int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  const bool connected = fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0;
  freeaddrinfo(found);
  if (!connected) {
    if (fd >= 0) close(fd);
    return {};
  }
  std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: " + target.host + "\r\nConnection: close\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  request += "\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, 0);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string reply;
  char buffer[65536];
  for (;;) {
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    reply.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  Answer answer;
  const auto space = reply.find(' ');
  const auto head_end = reply.find("\r\n\r\n");
  if (space == std::string::npos || head_end == std::string::npos) return {};
  answer.status = std::atoi(reply.c_str() + space + 1);
  answer.body = reply.substr(head_end + 4);
  return answer;
}

double percentile(std::vector<double> ms, double p) {
  if (ms.empty()) return 0;
  std::sort(ms.begin(), ms.end());
  const auto rank = static_cast<std::size_t>(std::llround(p * static_cast<double>(ms.size() - 1)));
  return ms[std::min(rank, ms.size() - 1)];
}

int usage(const char* why) {
  std::fprintf(stderr,
               "weft-bench history: %s\nusage: weft-bench history --server HOST:PORT --doc ID "
               "[--runs N] [--token JWT]\n",
               why);
  return 2;
}

}  // namespace

int history_main(int argc, char** argv) {
  std::optional<Target> target;
  std::string doc;
  std::string token;
  int runs = 20;
  for (int i = 0; i + 1 < argc; i += 2) {
    const std::string_view arg = argv[i];
    const char* value = argv[i + 1];
    if (arg == "--server") {
      const std::string_view text = value;
      const auto colon = text.rfind(':');
      if (colon == std::string_view::npos) return usage("--server is HOST:PORT");
      target = Target{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
    } else if (arg == "--doc") {
      doc = value;
    } else if (arg == "--token") {
      token = value;
    } else if (arg == "--runs") {
      const auto n = parse_count(value, 1);
      if (!n) return usage("--runs must be 1..1000000");
      runs = *n;
    } else {
      return usage("unknown option");
    }
  }
  if (argc % 2 != 0) return usage("an option without its value");
  if (!target || doc.empty()) return usage("--server and --doc are required");

  const std::string base = "/api/docs/" + doc;
  using Clock = std::chrono::steady_clock;
  bool all_ok = true;
  // Times one GET; false (and a message) unless it is answered 200.
  const auto timed = [&](const std::string& path, double& ms) {
    const auto start = Clock::now();
    const Answer answer = get(*target, path, token);
    ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (answer.status != 200) {
      std::fprintf(stderr, "weft-bench history: GET %s: %d %s\n", path.c_str(), answer.status,
                   answer.body.substr(0, 200).c_str());
      all_ok = false;
      return false;
    }
    return true;
  };

  double cold_ms = 0;
  const auto start = Clock::now();
  const Answer first = get(*target, base + "/history", token);
  cold_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (first.status != 200) {
    std::fprintf(stderr, "weft-bench history: GET %s/history: %d %s\n", base.c_str(), first.status,
                 first.body.substr(0, 200).c_str());
    return 1;
  }
  const auto ops = nlohmann::json::parse(first.body, nullptr, false).value("ops", std::uint64_t{0});

  struct Kind {
    std::string name;
    std::vector<std::string> paths;
    std::vector<double> ms;
  };
  std::vector<Kind> kinds{
      {"timeline", {base + "/history"}, {}},
      {"text", {}, {}},
      {"blame", {base + "/blame"}, {}},
      {"diff",
       {base + "/diff?from=" + std::to_string(ops / 10) + "&to=" + std::to_string(ops * 9 / 10)},
       {}}};
  for (std::uint64_t k = 1; k <= 9; k += 2) {
    kinds[1].paths.push_back(base + "/text?at=" + std::to_string(ops * k / 10));
  }
  for (int run = 0; run < runs; ++run) {
    for (Kind& kind : kinds) {
      for (const std::string& path : kind.paths) {
        double ms = 0;
        if (timed(path, ms)) kind.ms.push_back(ms);
      }
    }
  }
  for (const Kind& kind : kinds) {
    nlohmann::json line{{"mode", "history"},
                        {"doc", doc},
                        {"ops", ops},
                        {"request", kind.name},
                        {"n", kind.ms.size()},
                        {"p50_ms", percentile(kind.ms, 0.5)},
                        {"p99_ms", percentile(kind.ms, 0.99)},
                        {"max_ms", percentile(kind.ms, 1.0)},
                        {"cold_ms", cold_ms}};
    std::printf("%s\n", line.dump().c_str());
  }
  return all_ok ? 0 : 1;
}

}  // namespace weft::bench
