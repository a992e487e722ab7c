// cli.hpp — weft-replay's command line: the commands, their options and help texts, and exit
// codes.
//
// Exit codes (tools/README.md): 0 success; 1 the check or search found nothing or failed
// (verify found a divergence or damage, bisect found no such op, an I/O error); 2 unknown
// document; 3 damaged data (a record fails its checksum or does not decode); 64 bad arguments.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::replay {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_unknown_document = 2;
inline constexpr int exit_damaged = 3;
inline constexpr int exit_usage = 64;  // EX_USAGE of sysexits.h

struct OptionSpec {
  std::string_view name;  // "--from"
  bool takes_value = true;
};

struct CommandSpec {
  std::string_view name;
  std::string_view synopsis;  // "log DOC [--from N] [--to M]"
  std::string_view help;      // what it prints, option by option
  std::size_t min_args = 0;
  std::size_t max_args = 0;
  std::vector<OptionSpec> options;
  bool writes = false;  // needs the data directory read-write
  bool paged = false;   // output may be long: page it on a terminal
};

struct Parsed {
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;
  std::map<std::string, std::string, std::less<>> options;
  bool help = false;

  [[nodiscard]] bool has(std::string_view option) const { return options.contains(option); }
  [[nodiscard]] std::optional<std::string> get(std::string_view option) const;
};

[[nodiscard]] const std::vector<CommandSpec>& commands();
[[nodiscard]] const CommandSpec* find_command(std::string_view name);

// Parses the words after the command name. On error, prints why and the command's usage to
// stderr and returns nullopt.
[[nodiscard]] std::optional<Parsed> parse_command(const CommandSpec& spec,
                                                  const std::vector<std::string>& words);

void print_tool_help();
void print_command_help(const CommandSpec& spec);
// Prints "weft-replay: <why>" and a usage hint to stderr; returns exit_usage.
int usage_error(std::string_view why, const CommandSpec* spec = nullptr);

}  // namespace weft::replay
