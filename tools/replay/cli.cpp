// cli.cpp — the command table and help texts of weft-replay.
#include "tools/replay/cli.hpp"

#include <cstdio>
#include <string>

namespace weft::replay {

namespace {

// Where the documents come from, as every usage line shows it.
constexpr const char* sources = "(--data DIR | --log FILE | --redis URL)";

}  // namespace

std::optional<std::string> Parsed::get(std::string_view option) const {
  const auto it = options.find(option);
  if (it == options.end()) return std::nullopt;
  return it->second;
}

const std::vector<CommandSpec>& commands() {
  static const std::vector<CommandSpec> table{
      {"list",
       "list",
       "Lists the documents: id, op count, approximate bytes on disk, time of the last change.",
       0,
       0,
       {},
       false,
       true},
      {"info",
       "info DOC",
       "Prints the document's metadata (creation time, epoch, algorithm), its replica table\n"
       "(replica -> user, display name, first seen), its snapshots and its version vector.",
       1,
       1,
       {},
       false,
       true},
      {"log",
       "log DOC [--from N] [--to M]",
       "One line per op, records N to M inclusive (default: all):\n"
       "  index  time (UTC)  user  replica  insert|delete  @position(s)  \"text\"\n"
       "Positions are those of that moment: an insert's first inserted character after it\n"
       "applied; a delete's targets before it applied. Text is escaped (\\n, \\t, \\xNN).",
       1,
       1,
       {{"--from"}, {"--to"}},
       false,
       true},
      {"text",
       "text DOC [--at N | --time T | --version NAME]",
       "Prints the document's text: now, after op N (records 0..N applied), as it was at\n"
       "time T (every op with a server time <= T; T is ISO 8601 UTC like 2024-05-01T12:00:00Z\n"
       "or microseconds since the epoch), or at the named version NAME (exactly its `at`\n"
       "records applied; an unknown name exits 1).",
       1,
       1,
       {{"--at"}, {"--time"}, {"--version"}},
       false,
       true},
      {"versions",
       "versions DOC",
       "Lists the document's named versions, by version then name:\n"
       "  name  at (records applied)  user  created (UTC)",
       1,
       1,
       {},
       false,
       true},
      {"step",
       "step DOC [--from N] [--to M] [--context K]",
       "Walks forward op by op from op N (default 0) to M, showing each change in context,\n"
       "diff-like: K characters each side (default 20), [-deleted-] and {+inserted+}.",
       1,
       1,
       {{"--from"}, {"--to"}, {"--context"}},
       false,
       true},
      {"blame",
       "blame DOC [--at N]",
       "Who wrote each surviving character, by ranges of positions typed in one go (one\n"
       "replica, consecutive ops): positions, op index range, user, replica, preview.",
       1,
       1,
       {{"--at"}},
       false,
       true},
      {"bisect",
       "bisect DOC --contains S | --not-contains S | --invariant",
       "Prints the first op after which the condition holds although it did not hold just\n"
       "before it: the text first contains S, first stops containing S (after having\n"
       "contained it), or the replica's invariants first break (Rga::check_invariants(), run\n"
       "in a child process; a binary search that assumes a broken replica stays broken).\n"
       "Exit 1 if no op does.",
       1,
       1,
       {{"--contains"}, {"--not-contains"}, {"--invariant", false}},
       false,
       false},
      {"export",
       "export DOC --format json|trace [--output FILE]",
       "json: the metadata and every log record (the file --log reads).\n"
       "trace: a sequential editing trace (../shared/traces/README.md) computed by replaying:\n"
       "endContent, and per op one txn of [pos, del, text] patches; `import` reads it back.",
       1,
       1,
       {{"--format"}, {"--output"}},
       false,
       false},
      {"import",
       "import TRACE DOC [--user U] [--replica R] [--snapshot-every N]",
       "Builds a new document DOC from a sequential editing trace (.json or .json.gz): one\n"
       "replica (default 1) of user U (default \"import\"); each patch becomes a delete and/or\n"
       "an insert op, appended with increasing times (1 ms apart, the last one now).\n"
       "Snapshots follow storage::SnapshotPolicy (every 1000 ops by default; --snapshot-every\n"
       "N sets the op count, 0 = none).",
       2,
       2,
       {{"--user"}, {"--replica"}, {"--snapshot-every"}},
       true,
       false},
      {"salvage",
       "salvage",
       "For a COPY of a data directory whose write-ahead log is damaged (the server refuses\n"
       "to start, naming a .log file): replays the log up to its first damaged record, drops\n"
       "the rest (acknowledged writes after the damage are lost; the line says how many bytes),\n"
       "rewrites what was kept into table files so the directory opens normally again, then\n"
       "verifies every document as `verify` does. Exit 0 if every document verifies.\n"
       "Needs --data DIR (RocksDB only).",
       0,
       0,
       {},
       true,
       false},
      {"verify",
       "verify [DOC]",
       "Replays each document's (or DOC's) full log from scratch and compares the replica\n"
       "with every stored snapshot at its log index (text and runs), and with what load()\n"
       "returns; with --data it first checks every block of the table files. Exit 1 if any\n"
       "document diverges or is damaged.",
       0,
       1,
       {},
       false,
       false},
  };
  return table;
}

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& spec : commands()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::optional<Parsed> parse_command(const CommandSpec& spec,
                                    const std::vector<std::string>& words) {
  Parsed parsed;
  parsed.spec = &spec;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "--help" || word == "-h") {
      parsed.help = true;
      return parsed;
    }
    if (word.size() > 1 && word[0] == '-') {
      const OptionSpec* option = nullptr;
      for (const OptionSpec& o : spec.options) {
        if (o.name == word) option = &o;
      }
      if (option == nullptr) {
        usage_error("unknown option " + word + " for " + std::string{spec.name}, &spec);
        return std::nullopt;
      }
      if (parsed.has(word)) {
        usage_error(word + " given twice", &spec);
        return std::nullopt;
      }
      if (!option->takes_value) {
        parsed.options[word] = "";
        continue;
      }
      if (i + 1 >= words.size()) {
        usage_error(word + " needs a value", &spec);
        return std::nullopt;
      }
      parsed.options[word] = words[++i];
      continue;
    }
    parsed.args.push_back(word);
  }
  if (parsed.args.size() < spec.min_args || parsed.args.size() > spec.max_args) {
    usage_error("wrong number of arguments for " + std::string{spec.name}, &spec);
    return std::nullopt;
  }
  return parsed;
}

void print_tool_help() {
  std::printf(
      "weft-replay: inspect and replay the operation logs of a Weft data directory or cluster.\n\n"
      "usage: weft-replay %s [--redis-durability strict|relaxed]\n"
      "                   [--no-pager] [--from-scratch] COMMAND ...\n"
      "       weft-replay COMMAND --help\n\n"
      "  --data DIR      a store's data directory; read commands open it read-only (RocksDB\n"
      "                  secondary), so it may be in use by a running server\n"
      "  --log FILE      a log exported with `export --format json` instead of a directory\n"
      "  --redis URL     a cluster's store on Redis, redis://HOST[:PORT][/DB]; every command\n"
      "                  but salvage works on it\n"
      "  --redis-durability strict|relaxed\n"
      "                  with --redis, for import: strict (the default) refuses a Redis that\n"
      "                  does not make every write durable (AOF with appendfsync always);\n"
      "                  read commands write nothing and accept any persistence\n"
      "  --no-pager      never page (long output is paged only when stdout is a terminal,\n"
      "                  with $PAGER or `less -FRX`)\n"
      "  --from-scratch  replay from op 0 instead of starting at the newest snapshot before\n"
      "                  the ops a command looks at\n\ncommands:\n",
      sources);
  for (const CommandSpec& spec : commands())
    std::printf("  %s\n", std::string{spec.synopsis}.c_str());
  std::printf(
      "\nexit codes: 0 ok; 1 check failed or nothing found (verify, bisect) or I/O error;\n"
      "            2 unknown document; 3 damaged data; 64 bad arguments\n");
}

void print_command_help(const CommandSpec& spec) {
  std::printf("usage: weft-replay %s %s\n\n%s\n", sources, std::string{spec.synopsis}.c_str(),
              std::string{spec.help}.c_str());
}

int usage_error(std::string_view why, const CommandSpec* spec) {
  std::fprintf(stderr, "weft-replay: %s\n", std::string{why}.c_str());
  if (spec != nullptr) {
    std::fprintf(stderr, "usage: weft-replay %s %s\n", sources,
                 std::string{spec->synopsis}.c_str());
  } else {
    std::fprintf(stderr,
                 "usage: weft-replay %s COMMAND ... (weft-replay --help lists the commands)\n",
                 sources);
  }
  return exit_usage;
}

}  // namespace weft::replay
