// redis_scripts.hpp — the Lua scripts behind RedisStore: every write, and every read that must
// see one commit point, is one script, so Redis runs it atomically.
//
// Private to storage/. README.md ("RedisStore") draws the keys. Conventions shared by all:
//   - KEYS are one document's keys (the hash tag {doc} puts them in one slot), plus the id set
//     `weft:docs` for create and remove only.
//   - ARGV[1] of a write is the writer's fencing token (decimal). A write with a token below the
//     document's `fence` is refused and writes nothing; a successful write with a higher token
//     raises `fence` to it.
//   - A refusal is an error reply `WEFT <code> <message>`; <code> is an Errc name (not_found,
//     already_exists, index_gap, fenced, version_exists, too_many_versions, unknown_version),
//     <message> the detail after the document's name. Any other error reply is Redis's own (OOM,
//     READONLY, ...).
//   - Numbers are decimal strings in and out of hashes; Lua doubles hold them exactly up to 2^53.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace weft::storage::redis_script {

enum class Id : std::uint8_t {
  create,          // KEYS head docs; ARGV token meta gen id
  update_meta,     // KEYS head; ARGV token meta
  append,          // KEYS head log; ARGV token first record... -> {next, chunk_end}
  snapshot,        // KEYS head snaps; ARGV token log_index value keep
  remove,          // KEYS head log chunks snaps versions docs; ARGV token id
  set_fence,       // KEYS head; ARGV token -> 0 (no document) or 1
  compact,         // KEYS head log chunks; ARGV gen first count chunk -> 0 (raced) or 1
  read,            // KEYS head log chunks snaps; ARGV from to with_snapshot -> see redis_store.cpp
  put_version,     // KEYS head versions; ARGV token name at value max
  remove_version,  // KEYS head versions; ARGV token name
  read_versions,   // KEYS head versions -> {name, value, ...}
};
inline constexpr std::size_t count = 11;

// The script's source (with the shared helper functions prepended).
[[nodiscard]] std::string_view source(Id id);

}  // namespace weft::storage::redis_script
