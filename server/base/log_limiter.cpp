// log_limiter.cpp — LogLimiter's budgets and summary lines.
#include "server/base/log_limiter.hpp"

#include <utility>

#include <spdlog/details/log_msg.h>

namespace weft::server::base {

LogLimiter::LogLimiter(std::shared_ptr<spdlog::sinks::sink> inner, std::uint64_t lines_per_second,
                       prometheus::Counter& suppressed, Clock now)
    : inner_(std::move(inner)),
      lines_per_second_(lines_per_second),
      suppressed_(suppressed),
      now_(std::move(now)) {}

LogLimiter::~LogLimiter() {
  const std::lock_guard lock(mutex_);
  write_summaries(now_(), true);
  inner_->flush();
}

std::string_view LogLimiter::event_of(std::string_view payload) {
  constexpr std::string_view key = "event=";
  for (std::size_t at = payload.find(key); at != std::string_view::npos;
       at = payload.find(key, at + 1)) {
    if (at != 0 && payload[at - 1] != ' ') continue;
    const std::string_view rest = payload.substr(at + key.size());
    return rest.substr(0, rest.find(' '));
  }
  return {};
}

void LogLimiter::log(const spdlog::details::log_msg& msg) {
  const auto now = now_();
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  std::string_view event = event_of(payload);
  const std::lock_guard lock(mutex_);
  write_summaries(now, false);
  auto it = budgets_.find(event);
  if (it == budgets_.end()) {
    if (budgets_.size() >= max_events) event = "*";
    it = budgets_.try_emplace(std::string(event), Budget{now}).first;
  }
  Budget& budget = it->second;
  if (now - budget.window_start >= window) {
    budget.window_start = now;
    budget.written = 0;
  }
  if (budget.written >= lines_per_second_) {
    ++budget.suppressed;
    suppressed_.Increment();
    return;
  }
  ++budget.written;
  inner_->log(msg);
}

void LogLimiter::write_summaries(std::chrono::steady_clock::time_point now, bool all) {
  for (auto& [event, budget] : budgets_) {
    if (budget.suppressed == 0 || (!all && now - budget.window_start < window)) continue;
    const std::string line = "event=log_suppressed of=" + (event.empty() ? "-" : event) +
                             " lines=" + std::to_string(std::exchange(budget.suppressed, 0));
    inner_->log(spdlog::details::log_msg("weft", spdlog::level::warn, line));
  }
}

void LogLimiter::flush() {
  const std::lock_guard lock(mutex_);
  inner_->flush();
}

void LogLimiter::set_pattern(const std::string& pattern) {
  const std::lock_guard lock(mutex_);
  inner_->set_pattern(pattern);
}

void LogLimiter::set_formatter(std::unique_ptr<spdlog::formatter> formatter) {
  const std::lock_guard lock(mutex_);
  inner_->set_formatter(std::move(formatter));
}

}  // namespace weft::server::base
