// server_options.hpp — weft-server's command line and environment, turned into a
// base::ServerConfig.
//
// Every flag has a `--name VALUE` and a `--name=VALUE` spelling; a flag given twice keeps the
// last value. Four settings also come from the environment (WEFT_LISTEN, WEFT_DATA, WEFT_THREADS,
// WEFT_STATIC); a flag always overrides its variable. Errors are values: a bad flag or value
// yields a message naming it, and main() exits 64 (EX_USAGE) with usage() on stderr.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "server/base/config.hpp"

namespace weft::server {

// What main() should do: serve, or print help or the version and exit 0.
enum class Action { serve, help, version };

struct ParsedOptions {
  Action action = Action::serve;
  base::ServerConfig config;  // threads is resolved (never 0)
};

// Looks up an environment variable; none = not set. main() passes std::getenv; tests a map.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;

// `args` excludes the program name. `cores` is what threads defaults to (0 = unknown: 1).
[[nodiscard]] tl::expected<ParsedOptions, std::string> parse_options(
    std::span<const std::string_view> args, const Environment& env, unsigned cores);

// The values an integer flag accepts, both ends included.
struct FlagRange {
  std::uint64_t min = 0;
  std::uint64_t max = 0;
};
// The range of integer flag `name` (without the leading --); none for an unknown flag or one
// that takes another kind of value. server/README.md and PROTOCOL.md state it for every limit.
[[nodiscard]] std::optional<FlagRange> flag_range(std::string_view name);

// Host and port of "HOST:PORT" or "[IPv6]:PORT"; port 0 = any free port.
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};
[[nodiscard]] tl::expected<ListenAddress, std::string> parse_listen_address(std::string_view text);

// The --help text.
[[nodiscard]] std::string usage();

}  // namespace weft::server
