// redis_keys.hpp — RedisStore's and RedisLeases' key layout (README.md "RedisStore" draws it).
//
// Private to storage/ and its tests. Every key of one document carries the hash tag {doc}, so a
// Redis Cluster keeps them in one slot and one script may touch them all. Document ids are
// [A-Za-z0-9._~-] (is_valid_document_id), so they never contain the braces of the tag.
#pragma once

#include <string>
#include <string_view>

namespace weft::storage::redis_keys {

// HASH: meta (sealed DocumentMeta), next (log length), chunk_end (records below it are in
// chunks), fence (highest fencing token seen), gen (random id of this incarnation of the doc).
inline std::string head(std::string_view doc) { return "weft:{" + std::string(doc) + "}:head"; }
// LIST: sealed OpRecords [chunk_end, next), one element each.
inline std::string log(std::string_view doc) { return "weft:{" + std::string(doc) + "}:log"; }
// ZSET: sealed OpLogChunks, scored by their first index; together they hold [0, chunk_end).
inline std::string chunks(std::string_view doc) { return "weft:{" + std::string(doc) + "}:chunks"; }
// HASH: log_index (decimal) -> sealed SnapshotRecord.
inline std::string snaps(std::string_view doc) { return "weft:{" + std::string(doc) + "}:snaps"; }
// HASH: version name -> sealed NamedVersion.
inline std::string versions(std::string_view doc) {
  return "weft:{" + std::string(doc) + "}:versions";
}
// STRING "<token> <node>" with a PX TTL: the document's owner lease (RedisLeases).
inline std::string lease(std::string_view doc) { return "weft:{" + std::string(doc) + "}:lease"; }
// STRING counter (INCR): the last fencing token a lease was granted with; never decreases.
inline std::string fencing(std::string_view doc) {
  return "weft:{" + std::string(doc) + "}:fencing";
}
// SET: every document id (the one key outside the documents' slots; create and remove touch it).
inline std::string documents() { return "weft:docs"; }

}  // namespace weft::storage::redis_keys
