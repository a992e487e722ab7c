// log_limiter.hpp — LogLimiter: an spdlog sink in front of another that writes at most N lines per
// second for each event name (the `event=` value of a line, log.hpp), so that a client that
// triggers a log line in a loop (a divergence report, a refused connection) cannot fill the disk.
//
// Lines over the budget are counted (the `suppressed` counter, weft_log_lines_suppressed_total)
// and not written; once that event's second is over, the next line of any event first writes
//
//   2026-11-26T05:00:01.000Z warn event=log_suppressed of=divergence lines=4170
//
// (and the sink's destructor writes the ones still pending). Lines without an event name share
// one budget, as do event names beyond the first max_events seen. Thread-safe.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <spdlog/sinks/sink.h>

namespace weft::server::base {

class LogLimiter final : public spdlog::sinks::sink {
 public:
  static constexpr std::size_t max_events = 256;
  static constexpr std::chrono::seconds window{1};

  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Requires: `suppressed` outlives the sink. `now` is the time (tests pass their own).
  LogLimiter(std::shared_ptr<spdlog::sinks::sink> inner, std::uint64_t lines_per_second,
             prometheus::Counter& suppressed, Clock now = std::chrono::steady_clock::now);
  LogLimiter(const LogLimiter&) = delete;
  LogLimiter& operator=(const LogLimiter&) = delete;
  ~LogLimiter() override;

  void log(const spdlog::details::log_msg& msg) override;
  void flush() override;
  void set_pattern(const std::string& pattern) override;
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override;

  // The event name of a log line's text ("" if it has none).
  [[nodiscard]] static std::string_view event_of(std::string_view payload);

 private:
  struct Budget {
    std::chrono::steady_clock::time_point window_start;
    std::uint64_t written = 0;     // lines written in this window
    std::uint64_t suppressed = 0;  // lines not written since the last summary
  };
  // Writes the summary of each event whose window has passed (all of them when `all`).
  void write_summaries(std::chrono::steady_clock::time_point now, bool all);  // by mutex_

  std::mutex mutex_;
  std::shared_ptr<spdlog::sinks::sink> inner_;
  const std::uint64_t lines_per_second_;
  prometheus::Counter& suppressed_;
  const Clock now_;
  std::map<std::string, Budget, std::less<>> budgets_;  // by mutex_
};

}  // namespace weft::server::base
