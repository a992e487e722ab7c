// redis_store_read.cpp — RedisStore's reads (one script each, so one commit point), the listing
// (pipelined), and the compaction of old records into chunks.
#include <algorithm>
#include <optional>
#include <utility>

#include "storage/deflate.hpp"
#include "storage/record_format.hpp"
#include "storage/redis_keys.hpp"
#include "storage/redis_store.hpp"

namespace weft::storage {

namespace {

using redis_script::Id;

// Documents whose listing goes in one pipeline.
constexpr std::size_t list_batch = 64;

std::optional<std::uint64_t> parse_u64(const RedisReply& reply) {
  if (reply.type == RedisReply::Type::integer) {
    if (reply.integer < 0) return std::nullopt;
    return static_cast<std::uint64_t>(reply.integer);
  }
  if (reply.type != RedisReply::Type::string || reply.str.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : reply.str) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

// Bounds what one stored chunk may inflate to.
constexpr std::size_t max_chunk_bytes = std::size_t{64} << 20;

// A chunk as RedisStore stores it: a deflated sealed OpLogChunk (deflate.hpp).
Result<std::vector<proto::OpRecord>> open_chunk(std::string_view doc, std::uint64_t first_index,
                                                std::optional<std::uint64_t> end_hint,
                                                std::string_view value) {
  const std::optional<std::string> sealed = inflate_value(value, max_chunk_bytes);
  if (!sealed) {
    const std::string end = end_hint ? std::to_string(*end_hint) : std::string("?");
    return format::error(Errc::corrupt, format::describe(doc) + ": log chunk [" +
                                            std::to_string(first_index) + ", " + end +
                                            "): does not inflate");
  }
  return format::open_chunk(doc, first_index, end_hint, *sealed);
}

tl::unexpected<StoreError> malformed(std::string_view doc, std::string_view what) {
  return format::error(Errc::corrupt, format::describe(doc) + ": " + std::string(what));
}

}  // namespace

struct RedisStore::Range {
  proto::DocumentMeta meta;
  std::uint64_t next = 0;
  std::uint64_t chunk_end = 0;
  std::string gen;
  std::optional<proto::SnapshotRecord> snapshot;
  std::vector<proto::OpRecord> records;  // [from, min(to, next)), dense
};

Result<RedisStore::Range> RedisStore::read(std::string_view doc, std::uint64_t from,
                                           std::uint64_t to, bool with_snapshot) {
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  auto connection = pool_.acquire();
  if (!connection) {
    return format::error(Errc::io_error, format::describe(doc) + ": " + connection.error().message);
  }
  to = std::max(from, to);
  auto reply = eval(*connection, doc, Id::read,
                    {redis_keys::head(doc), redis_keys::log(doc), redis_keys::chunks(doc),
                     redis_keys::snaps(doc)},
                    {std::to_string(from), std::to_string(to), with_snapshot ? "1" : "0"});
  if (!reply) return tl::unexpected(std::move(reply.error()));
  const std::vector<RedisReply>& e = reply->elements;
  if (e.size() != 9 || e[7].type != RedisReply::Type::array ||
      e[8].type != RedisReply::Type::array) {
    return format::error(Errc::io_error, format::describe(doc) + ": unexpected reply to read");
  }
  Range range;
  auto meta = format::open_meta(doc, e[0].str);
  if (!meta) return tl::unexpected(std::move(meta.error()));
  range.meta = std::move(*meta);
  const auto next = parse_u64(e[1]);
  const auto chunk_end = parse_u64(e[2]);
  const auto start = parse_u64(e[6]);
  if (!next || !chunk_end || !start || *chunk_end > *next) {
    return malformed(doc, "head has a bad next or chunk_end");
  }
  range.next = *next;
  range.chunk_end = *chunk_end;
  range.gen = e[3].str;
  from = *start;
  if (e[4].integer >= 0) {
    const auto log_index = static_cast<std::uint64_t>(e[4].integer);
    if (log_index > range.next) {
      return malformed(doc, "snapshot at log index " + std::to_string(log_index) +
                                " is beyond the log's end " + std::to_string(range.next));
    }
    auto snapshot = format::open_snapshot(doc, log_index, e[5].str);
    if (!snapshot) return tl::unexpected(std::move(snapshot.error()));
    range.snapshot = std::move(*snapshot);
  }
  if (with_snapshot) to = range.next;
  to = std::min(to, range.next);
  if (from >= to) return range;
  range.records.reserve(to - from);
  std::uint64_t expected = from;
  const std::vector<RedisReply>& chunks = e[7].elements;
  for (std::size_t i = 0; i + 1 < chunks.size(); i += 2) {
    const auto first = parse_u64(chunks[i + 1]);
    if (!first) return malformed(doc, "log chunk with a bad score");
    if (*first > expected) {
      return malformed(doc, "log record " + std::to_string(expected) + " is missing");
    }
    std::optional<std::uint64_t> end_hint;
    if (i + 3 < chunks.size()) end_hint = parse_u64(chunks[i + 3]);
    auto records = open_chunk(doc, *first, end_hint, chunks[i].str);
    if (!records && !end_hint) {
      // Name the damaged chunk's range: it ends where the next chunk starts, or at chunk_end.
      auto after =
          connection->run({"ZRANGEBYSCORE", redis_keys::chunks(doc), "(" + std::to_string(*first),
                           "+inf", "WITHSCORES", "LIMIT", "0", "1"});
      end_hint = after && after->elements.size() == 2 ? parse_u64(after->elements[1])
                                                      : std::optional(range.chunk_end);
      records = open_chunk(doc, *first, end_hint, chunks[i].str);
    }
    if (!records) return tl::unexpected(std::move(records.error()));
    for (proto::OpRecord& record : *records) {
      if (record.index < expected) continue;
      if (record.index >= std::min(to, range.chunk_end)) break;
      if (record.index != expected) {
        return malformed(doc, "log record " + std::to_string(expected) + " is missing");
      }
      range.records.push_back(std::move(record));
      ++expected;
    }
  }
  if (expected < std::min(to, range.chunk_end)) {
    return malformed(doc, "log record " + std::to_string(expected) + " is missing");
  }
  for (const RedisReply& value : e[8].elements) {
    auto record = format::open_op(doc, expected, value.str);
    if (!record) return tl::unexpected(std::move(record.error()));
    range.records.push_back(std::move(*record));
    ++expected;
  }
  if (expected != to) {
    return malformed(doc, "log record " + std::to_string(expected) + " is missing");
  }
  return range;
}

Result<LoadedDocument> RedisStore::load(std::string_view doc) {
  auto range = read(doc, 0, 0, true);
  if (!range) return tl::unexpected(std::move(range.error()));
  LoadedDocument loaded;
  loaded.meta = std::move(range->meta);
  loaded.snapshot = std::move(range->snapshot);
  loaded.tail = std::move(range->records);
  loaded.next_index = range->next;
  return loaded;
}

Result<std::vector<proto::OpRecord>> RedisStore::read_log(std::string_view doc, std::uint64_t from,
                                                          std::uint64_t to) {
  auto range = read(doc, from, to, false);
  if (!range) return tl::unexpected(std::move(range.error()));
  return std::move(range->records);
}

Result<std::vector<proto::SnapshotRecord>> RedisStore::read_snapshots(std::string_view doc) {
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  auto connection = pool_.acquire();
  if (!connection) {
    return format::error(Errc::io_error, format::describe(doc) + ": " + connection.error().message);
  }
  // MULTI/EXEC: the existence check and the snapshots at one point.
  const std::vector<RedisPool::Command> commands{
      {"MULTI"}, {"EXISTS", redis_keys::head(doc)}, {"HGETALL", redis_keys::snaps(doc)}, {"EXEC"}};
  auto replies = connection->pipeline(commands);
  if (!replies) {
    return format::error(Errc::io_error, format::describe(doc) + ": " + replies.error().message);
  }
  const RedisReply& exec = replies->back();
  if (exec.type != RedisReply::Type::array || exec.elements.size() != 2) {
    return format::error(Errc::io_error, format::describe(doc) + ": redis: " + exec.str);
  }
  if (exec.elements[0].integer == 0) return format::error(Errc::not_found, format::describe(doc));
  std::vector<std::pair<std::uint64_t, const std::string*>> found;
  const std::vector<RedisReply>& fields = exec.elements[1].elements;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const auto log_index = parse_u64(fields[i]);
    if (!log_index) return malformed(doc, "snapshot with a bad log index '" + fields[i].str + "'");
    found.emplace_back(*log_index, &fields[i + 1].str);
  }
  std::sort(found.begin(), found.end());
  std::vector<proto::SnapshotRecord> out;
  for (const auto& [log_index, value] : found) {
    auto snapshot = format::open_snapshot(doc, log_index, *value);
    if (!snapshot) return tl::unexpected(std::move(snapshot.error()));
    out.push_back(std::move(*snapshot));
  }
  return out;
}

Result<std::vector<DocumentSummary>> RedisStore::list() {
  auto connection = pool_.acquire();
  if (!connection) return tl::unexpected(std::move(connection.error()));
  auto members = connection->run({"SMEMBERS", redis_keys::documents()});
  if (!members) return tl::unexpected(std::move(members.error()));
  if (members->type != RedisReply::Type::array) {
    return format::error(Errc::io_error, "redis " + pool_.endpoint().describe() + ": SMEMBERS " +
                                             redis_keys::documents() + ": " + members->str);
  }
  std::vector<std::string> ids;
  for (const RedisReply& member : members->elements) ids.push_back(member.str);
  std::sort(ids.begin(), ids.end());
  std::vector<DocumentSummary> out;
  constexpr std::size_t per_doc = 7;
  for (std::size_t begin = 0; begin < ids.size(); begin += list_batch) {
    const std::size_t end = std::min(ids.size(), begin + list_batch);
    std::vector<RedisPool::Command> commands;
    for (std::size_t i = begin; i < end; ++i) {
      const std::string& id = ids[i];
      commands.push_back({"HMGET", redis_keys::head(id), "meta", "next", "chunk_end"});
      commands.push_back({"LINDEX", redis_keys::log(id), "-1"});
      commands.push_back({"ZRANGE", redis_keys::chunks(id), "-1", "-1", "WITHSCORES"});
      for (const std::string& key : {redis_keys::head(id), redis_keys::log(id),
                                     redis_keys::chunks(id), redis_keys::snaps(id)}) {
        commands.push_back({"MEMORY", "USAGE", key});
      }
    }
    auto replies = connection->pipeline(commands);
    if (!replies) return tl::unexpected(std::move(replies.error()));
    for (std::size_t i = begin; i < end; ++i) {
      const RedisReply* r = &(*replies)[(i - begin) * per_doc];
      const std::string& id = ids[i];
      if (r[0].elements.size() != 3 || r[0].elements[0].is_nil()) continue;  // removed meanwhile
      DocumentSummary summary;
      summary.id = id;
      // A damaged record is reported by load(); the listing shows what it can.
      if (auto meta = format::open_meta(id, r[0].elements[0].str)) {
        summary.last_change_us = meta->created_us;
      }
      const auto next = parse_u64(r[0].elements[1]);
      const auto chunk_end = parse_u64(r[0].elements[2]);
      summary.op_count = next.value_or(0);
      if (next && chunk_end && *next > *chunk_end) {
        if (auto last = format::open_op(id, *next - 1, r[1].str)) {
          summary.last_change_us = last->server_time_us;
        }
      } else if (r[2].elements.size() == 2) {
        const auto first = parse_u64(r[2].elements[1]);
        if (auto records = open_chunk(id, first.value_or(0), {}, r[2].elements[0].str)) {
          summary.last_change_us = records->back().server_time_us;
        }
      }
      for (std::size_t k = 3; k < per_doc; ++k) {
        if (r[k].type == RedisReply::Type::integer && r[k].integer > 0) {
          summary.bytes += static_cast<std::uint64_t>(r[k].integer);
        }
      }
      out.push_back(std::move(summary));
    }
  }
  return out;
}

Result<RedisStore::MemoryUsage> RedisStore::memory_usage(std::string_view doc) {
  std::vector<RedisPool::Command> commands;
  for (const std::string& key : {redis_keys::head(doc), redis_keys::log(doc),
                                 redis_keys::chunks(doc), redis_keys::snaps(doc)}) {
    commands.push_back({"MEMORY", "USAGE", key, "SAMPLES", "0"});
  }
  auto connection = pool_.acquire();
  if (!connection) return tl::unexpected(std::move(connection.error()));
  auto replies = connection->pipeline(commands);
  if (!replies) return tl::unexpected(std::move(replies.error()));
  const auto bytes = [&](std::size_t i) -> std::uint64_t {
    const RedisReply& reply = (*replies)[i];
    return reply.type == RedisReply::Type::integer && reply.integer > 0
               ? static_cast<std::uint64_t>(reply.integer)
               : 0;
  };
  return MemoryUsage{bytes(0), bytes(1), bytes(2), bytes(3)};
}

void RedisStore::compact_log(std::string_view doc, std::uint64_t next, std::uint64_t chunk_end) {
  const std::uint64_t c = options_.chunk_records;
  while (c > 0 && next - chunk_end >= 2 * c) {
    auto range = read(doc, chunk_end, chunk_end + c, false);
    // A damaged record stays where it is, for reads to report.
    if (!range || range->chunk_end != chunk_end || range->records.size() != c) return;
    auto connection = pool_.acquire();
    if (!connection) return;
    auto done = eval(*connection, doc, Id::compact,
                     {redis_keys::head(doc), redis_keys::log(doc), redis_keys::chunks(doc)},
                     {range->gen, std::to_string(chunk_end), std::to_string(c),
                      deflate_value(format::seal(proto::encode_chunk(range->records)))});
    if (!done || done->integer != 1) return;
    chunk_end += c;
    next = range->next;
  }
}

Result<DocumentHead> RedisStore::read_head(std::string_view doc) {
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  auto connection = pool_.acquire();
  if (!connection) {
    return format::error(Errc::io_error, format::describe(doc) + ": " + connection.error().message);
  }
  // One HMGET: both fields from one commit point.
  auto reply = connection->run({"HMGET", redis_keys::head(doc), "meta", "next"});
  if (!reply) {
    return format::error(Errc::io_error, format::describe(doc) + ": " + reply.error().message);
  }
  if (reply->is_error()) {
    return format::error(Errc::io_error, format::describe(doc) + ": redis: " + reply->str);
  }
  if (reply->type != RedisReply::Type::array || reply->elements.size() != 2) {
    return format::error(Errc::io_error, format::describe(doc) + ": unexpected reply to HMGET");
  }
  if (reply->elements[0].is_nil()) return format::error(Errc::not_found, format::describe(doc));
  DocumentHead head;
  auto meta = format::open_meta(doc, reply->elements[0].str);
  if (!meta) return tl::unexpected(std::move(meta.error()));
  head.meta = std::move(*meta);
  const auto next = parse_u64(reply->elements[1]);
  if (!next) return malformed(doc, "head has a bad next");
  head.next_index = *next;
  return head;
}

Result<std::vector<proto::NamedVersion>> RedisStore::read_versions(std::string_view doc) {
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  auto connection = pool_.acquire();
  if (!connection) {
    return format::error(Errc::io_error, format::describe(doc) + ": " + connection.error().message);
  }
  auto reply = eval(*connection, doc, Id::read_versions,
                    {redis_keys::head(doc), redis_keys::versions(doc)}, {});
  if (!reply) return tl::unexpected(std::move(reply.error()));
  if (reply->type != RedisReply::Type::array || reply->elements.size() % 2 != 0) {
    return format::error(Errc::io_error,
                         format::describe(doc) + ": unexpected reply to read_versions");
  }
  std::vector<proto::NamedVersion> out;
  out.reserve(reply->elements.size() / 2);
  for (std::size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    // open_version() checks the seal and that the record carries the name it is stored under;
    // a damaged value is Errc::corrupt naming the document and the version.
    auto version = format::open_version(doc, reply->elements[i].str, reply->elements[i + 1].str);
    if (!version) return tl::unexpected(std::move(version.error()));
    out.push_back(std::move(*version));
  }
  format::sort_versions(out);
  return out;
}

}  // namespace weft::storage
