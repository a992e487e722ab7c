// main.cpp — weft-replay: the operator's tool for Weft's operation logs (tools/README.md).
//
//   weft-replay (--data DIR | --log FILE | --redis URL) [--redis-durability strict|relaxed]
//               [--no-pager] [--from-scratch] COMMAND ...
//
// Read commands open the data directory read-only (a RocksDB secondary instance), so they work
// on a directory that a running server has open; import opens it read-write. --log loads an
// exported JSON log into a MemoryStore, and every read command then works on it the same way.
// --redis opens a cluster's RedisStore: read commands accept any Redis persistence (they write
// nothing); a writing command needs durable writes unless --redis-durability relaxed.
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/memory_store.hpp"
#include "storage/redis_store.hpp"
#include "storage/rocksdb_store.hpp"
#include "tools/replay/cli.hpp"
#include "tools/replay/commands.hpp"
#include "tools/replay/json_log.hpp"

namespace {

using namespace weft::replay;
namespace storage = weft::storage;

using Command = int (*)(Context&, const Parsed&);

Command command_function(std::string_view name) {
  if (name == "list") return cmd_list;
  if (name == "info") return cmd_info;
  if (name == "log") return cmd_log;
  if (name == "text") return cmd_text;
  if (name == "versions") return cmd_versions;
  if (name == "step") return cmd_step;
  if (name == "blame") return cmd_blame;
  if (name == "bisect") return cmd_bisect;
  if (name == "export") return cmd_export;
  if (name == "import") return cmd_import;
  if (name == "salvage") return cmd_salvage;
  return cmd_verify;
}

// The exported log in `path`, as a MemoryStore holding that one document.
storage::Result<std::unique_ptr<storage::DocumentStore>> open_log_file(const std::string& path) {
  auto file = read_log_file(path);
  if (!file) {
    return tl::unexpected(
        storage::StoreError{storage::make_error_code(storage::Errc::corrupt), file.error()});
  }
  auto store = std::make_unique<storage::MemoryStore>();
  if (auto created = store->create(file->meta); !created) return tl::unexpected(created.error());
  const std::span<const weft::proto::OpRecord> records{file->records};
  for (std::size_t at = 0; at < records.size(); at += 4096) {
    auto appended = store->append(
        file->meta.id, records.subspan(at, std::min<std::size_t>(4096, records.size() - at)));
    if (!appended) {
      return tl::unexpected(
          storage::StoreError{appended.error().code, path + ": " + appended.error().message});
    }
  }
  return std::unique_ptr<storage::DocumentStore>{std::move(store)};
}

using Durability = storage::RedisStoreOptions::Durability;

// The value of --redis-durability; nullopt if it is neither spelling.
std::optional<Durability> parse_durability(std::string_view value) {
  if (value == "strict") return Durability::strict;
  if (value == "relaxed") return Durability::relaxed;
  return std::nullopt;
}

// Read commands write nothing, so how durable Redis makes writes does not matter to them: they
// open relaxed. A writing command is strict unless the operator relaxed it.
storage::Result<std::unique_ptr<storage::DocumentStore>> open_redis(
    const std::string& url, const CommandSpec& spec, std::optional<Durability> durability) {
  storage::RedisStoreOptions options;
  options.durability = spec.writes ? durability.value_or(Durability::strict) : Durability::relaxed;
  auto opened = storage::RedisStore::open(url, options);
  if (!opened) return tl::unexpected(std::move(opened.error()));
  return std::unique_ptr<storage::DocumentStore>{std::move(*opened)};
}

int run(const std::vector<std::string>& words) {
  std::string data_dir;
  std::string log_file;
  std::string redis_url;
  std::optional<Durability> redis_durability;
  bool allow_pager = true;
  bool use_snapshots = true;
  std::size_t i = 0;
  for (; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "--help" || w == "-h" || w == "help") {
      if (w == "help" && i + 1 < words.size()) {
        if (const CommandSpec* spec = find_command(words[i + 1])) {
          print_command_help(*spec);
          return exit_ok;
        }
        return usage_error("unknown command '" + words[i + 1] + "'");
      }
      print_tool_help();
      return exit_ok;
    }
    if (w == "--data" || w == "--log" || w == "--redis") {
      if (i + 1 >= words.size()) return usage_error(w + " needs a value");
      (w == "--data" ? data_dir : w == "--log" ? log_file : redis_url) = words[++i];
    } else if (w == "--redis-durability") {
      if (i + 1 >= words.size()) return usage_error(w + " needs a value");
      redis_durability = parse_durability(words[++i]);
      if (!redis_durability) {
        return usage_error("--redis-durability is strict or relaxed, not '" + words[i] + "'");
      }
    } else if (w == "--no-pager") {
      allow_pager = false;
    } else if (w == "--from-scratch") {
      use_snapshots = false;
    } else if (!w.empty() && w[0] == '-') {
      return usage_error("unknown option " + w);
    } else {
      break;
    }
  }
  if (i == words.size()) return usage_error("no command");
  const CommandSpec* spec = find_command(words[i]);
  if (spec == nullptr) return usage_error("unknown command '" + words[i] + "'");
  auto parsed =
      parse_command(*spec, {words.begin() + static_cast<std::ptrdiff_t>(i) + 1, words.end()});
  if (!parsed) return exit_usage;
  if (parsed->help) {
    print_command_help(*spec);
    return exit_ok;
  }
  const int sources = static_cast<int>(!data_dir.empty()) + static_cast<int>(!log_file.empty()) +
                      static_cast<int>(!redis_url.empty());
  if (sources != 1) {
    return usage_error("give exactly one of --data DIR, --log FILE and --redis URL", spec);
  }
  if (redis_durability && redis_url.empty()) {
    return usage_error("--redis-durability needs --redis URL", spec);
  }
  if (!log_file.empty() && spec->writes) {
    return usage_error(
        std::string{spec->name} + " needs --data DIR or --redis URL (a log file is read-only)",
        spec);
  }
  if (!redis_url.empty() && spec->name == "salvage") {
    return usage_error("salvage needs --data DIR (it repairs a RocksDB write-ahead log)", spec);
  }
  storage::RocksDbStore* files = nullptr;
  auto store = [&]() -> storage::Result<std::unique_ptr<storage::DocumentStore>> {
    if (!log_file.empty()) return open_log_file(log_file);
    if (!redis_url.empty()) return open_redis(redis_url, *spec, redis_durability);
    storage::RocksDbOptions options;
    options.read_only = !spec->writes;
    options.salvage_wal = spec->name == "salvage";
    auto opened = storage::RocksDbStore::open(data_dir, options);
    if (!opened) return tl::unexpected(std::move(opened.error()));
    files = opened->get();
    return std::unique_ptr<storage::DocumentStore>{std::move(*opened)};
  }();
  if (!store) {
    const std::string& source = !data_dir.empty()   ? data_dir
                                : !log_file.empty() ? log_file
                                                    : redis_url;
    std::fprintf(stderr, "weft-replay: cannot open %s: %s\n", source.c_str(),
                 store.error().message.c_str());
    return store.error().code == storage::Errc::corrupt ? exit_damaged : exit_failed;
  }
  Context ctx{**store, files, use_snapshots, allow_pager};
  return command_function(spec->name)(ctx, *parsed);
}

}  // namespace

int main(int argc, char** argv) {
  // A reader that goes away (`| head`, a pager quit early) must end writes, not the process:
  // destructors close the store and remove its secondary directory.
  std::signal(SIGPIPE, SIG_IGN);
  return run(std::vector<std::string>{argv + 1, argv + argc});
}
