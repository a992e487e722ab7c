// log.hpp — the server's structured log: one line per event on stderr, passed explicitly (no
// spdlog default logger: no global mutable state).
//
//   2026-11-26T05:00:00.123Z info conn=12 doc=notes event=join replica=3
//
// Time is UTC with milliseconds; then the level; then key=value pairs, `event=` naming what
// happened. Values with spaces are written as key="a b" (quote()).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <spdlog/logger.h>

namespace weft::server::base {

using Logger = std::shared_ptr<spdlog::logger>;

// The stderr logger weft-server uses, at `level`.
[[nodiscard]] Logger make_stderr_logger(spdlog::level::level_enum level);
// The same, writing at most `lines_per_second` lines of each event name (log_limiter.hpp); the
// others are counted in `suppressed`. Requires: `suppressed` outlives the logger.
[[nodiscard]] Logger make_stderr_logger(spdlog::level::level_enum level,
                                        std::uint64_t lines_per_second,
                                        prometheus::Counter& suppressed);
// A logger that writes nothing (tests, fuzzers).
[[nodiscard]] Logger make_null_logger();
// "trace", "debug", "info", "warn", "error", "critical", "off"; nullopt for anything else.
[[nodiscard]] std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);
// A value for key=value: as is if it has no space, quote or control byte, else "..." escaped.
[[nodiscard]] std::string quote(std::string_view value);

}  // namespace weft::server::base
