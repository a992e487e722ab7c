// commands.hpp — the weft-replay commands, and what they share: the store they read, where they
// write, and walking a document's history.
//
// Every command returns the process exit code (cli.hpp) and writes its diagnostics to stderr.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "storage/document_store.hpp"
#include "storage/rocksdb_store.hpp"
#include "tools/replay/cli.hpp"
#include "tools/replay/pager.hpp"
#include "tools/replay/walker.hpp"

namespace weft::replay {

struct Context {
  storage::DocumentStore& store;
  // The data directory's store (null with --log and --redis): verify also checks its files.
  storage::RocksDbStore* files = nullptr;
  bool use_snapshots = true;  // start walks at the newest snapshot before them
  bool allow_pager = true;
};

// Prints the error and returns its exit code (unknown document 2, damaged data 3, else 1).
int report(const storage::StoreError& error);
// Parses the --name option as an index; prints a usage error and returns nullopt if it is bad.
[[nodiscard]] std::optional<std::uint64_t> index_option(const Parsed& parsed, std::string_view name,
                                                        std::uint64_t fallback);

// A walker positioned to apply record `first` next: from the newest snapshot with log_index <=
// first (if ctx.use_snapshots and one exists), after replaying the records before `first`.
// Errc::corrupt naming the first of them that the replica does not apply (rejected, or waiting
// for an op that is not before it): the text after it would be wrong.
[[nodiscard]] storage::Result<Walker> walker_at(const Context& ctx, std::string_view doc,
                                                std::uint64_t first);
// Calls visit(record) for the records [from, to) in order, reading the log in chunks; stops
// early (returning success) when visit returns false.
[[nodiscard]] storage::Result<void> for_each_record(
    const Context& ctx, std::string_view doc, std::uint64_t from, std::uint64_t to,
    const std::function<bool(const proto::OpRecord&)>& visit);
// The number of log records of `doc` (Errc::not_found if there is no such document).
[[nodiscard]] storage::Result<std::uint64_t> op_count(const Context& ctx, std::string_view doc);

int cmd_list(Context& ctx, const Parsed& parsed);
int cmd_info(Context& ctx, const Parsed& parsed);
int cmd_log(Context& ctx, const Parsed& parsed);
int cmd_text(Context& ctx, const Parsed& parsed);
int cmd_versions(Context& ctx, const Parsed& parsed);
int cmd_step(Context& ctx, const Parsed& parsed);
int cmd_blame(Context& ctx, const Parsed& parsed);
int cmd_bisect(Context& ctx, const Parsed& parsed);
int cmd_export(Context& ctx, const Parsed& parsed);
int cmd_import(Context& ctx, const Parsed& parsed);
int cmd_verify(Context& ctx, const Parsed& parsed);
int cmd_salvage(Context& ctx, const Parsed& parsed);

}  // namespace weft::replay
