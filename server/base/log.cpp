// log.cpp — the stderr logger and its line format.
#include "server/base/log.hpp"

#include <array>
#include <cstdio>
#include <utility>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "server/base/log_limiter.hpp"

namespace weft::server::base {

namespace {

Logger make_logger(spdlog::sink_ptr sink, spdlog::level::level_enum level) {
  auto logger = std::make_shared<spdlog::logger>("weft", std::move(sink));
  logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      "%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc));
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace);  // one line per event, visible at once (tests read it)
  return logger;
}

}  // namespace

Logger make_stderr_logger(spdlog::level::level_enum level) {
  return make_logger(std::make_shared<spdlog::sinks::stderr_sink_mt>(), level);
}

Logger make_stderr_logger(spdlog::level::level_enum level, std::uint64_t lines_per_second,
                          prometheus::Counter& suppressed) {
  return make_logger(std::make_shared<LogLimiter>(std::make_shared<spdlog::sinks::stderr_sink_mt>(),
                                                  lines_per_second, suppressed),
                     level);
}

Logger make_null_logger() {
  auto logger =
      std::make_shared<spdlog::logger>("weft", std::make_shared<spdlog::sinks::null_sink_mt>());
  logger->set_level(spdlog::level::off);
  return logger;
}

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 7> levels{{
      {"trace", spdlog::level::trace},
      {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},
      {"critical", spdlog::level::critical},
      {"off", spdlog::level::off},
  }};
  for (const auto& [text, level] : levels) {
    if (text == name) return level;
  }
  return std::nullopt;
}

std::string quote(std::string_view value) {
  bool plain = !value.empty();
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= ' ' || c == '"' || c == '\\' || c == '=' || c == 0x7f) plain = false;
  }
  if (plain) return std::string(value);
  std::string out = "\"";
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.append(1, '\\').append(1, ch);
    } else if (c < 0x20 || c == 0x7f) {
      std::array<char, 8> buf{};
      std::snprintf(buf.data(), buf.size(), "\\x%02x", c);
      out += buf.data();
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace weft::server::base
