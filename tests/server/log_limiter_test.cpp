// log_limiter_test.cpp — server/base/log_limiter.hpp: lines per event name and second, the count
// of those not written, and the summary line.
#include "server/base/log_limiter.hpp"

#include <chrono>
#include <memory>
#include <sstream>
#include <string>

#include <doctest/doctest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

namespace weft::server::base {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  std::ostringstream out;
  prometheus::Counter suppressed;
  std::chrono::steady_clock::time_point now{};
  std::shared_ptr<LogLimiter> sink;
  std::shared_ptr<spdlog::logger> logger;

  explicit Fixture(std::uint64_t lines_per_second) {
    auto inner = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
    sink =
        std::make_shared<LogLimiter>(inner, lines_per_second, suppressed, [this] { return now; });
    sink->set_pattern("%v");
    logger = std::make_shared<spdlog::logger>("test", sink);
  }

  [[nodiscard]] std::size_t count(const std::string& text) const {
    const std::string all = out.str();
    std::size_t n = 0;
    for (auto at = all.find(text); at != std::string::npos; at = all.find(text, at + 1)) ++n;
    return n;
  }
};

}  // namespace

TEST_SUITE("log limiter") {
  TEST_CASE("the event name is the value of event= as a key of its own") {
    CHECK(LogLimiter::event_of("conn=1 doc=a event=divergence remote=x") == "divergence");
    CHECK(LogLimiter::event_of("event=open") == "open");
    CHECK(LogLimiter::event_of("msg=\"no event\" subevent=x") == "");
    CHECK(LogLimiter::event_of("no key at all") == "");
  }

  TEST_CASE("each event writes at most N lines a second; the rest are counted and summed up") {
    Fixture f(3);
    for (int i = 0; i < 10; ++i) f.logger->warn("conn=1 event=divergence n={}", i);
    f.logger->info("event=open conn=2");
    CHECK(f.count("event=divergence") == 3);
    CHECK(f.count("event=open") == 1);  // another event has its own budget
    CHECK(f.suppressed.Value() == 7);
    CHECK(f.count("event=log_suppressed") == 0);
    f.now += 1s;
    f.logger->warn("conn=1 event=divergence n=10");
    CHECK(f.count("event=log_suppressed of=divergence lines=7") == 1);
    CHECK(f.count("event=divergence") == 4);
  }

  TEST_CASE("pending summaries are written when the sink goes") {
    Fixture f(1);
    f.logger->warn("event=too_big");
    f.logger->warn("event=too_big");
    f.logger.reset();
    f.sink.reset();
    CHECK(f.count("event=log_suppressed of=too_big lines=1") == 1);
  }
}

}  // namespace weft::server::base
