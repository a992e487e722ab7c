// rocksdb_log.cpp — RocksDbStore's log: chunks and individual records read as one log, and the
// compaction that rewrites old individual records into chunks.
//
// Invariant: a document's log is its chunks (family `logchunk`, keyed by first index, each
// starting where the previous one ends, the first at 0) followed by its individual records
// (family `log`), dense from the last chunk's end. Compaction moves the oldest chunk_records
// individual records into one chunk in one WriteBatch, so every reader sees one form or the other.
#include <algorithm>
#include <utility>

#include <rocksdb/write_batch.h>

#include "storage/record_format.hpp"
#include "storage/rocksdb_store.hpp"
#include "storage/rocksdb_store_impl.hpp"

namespace weft::storage {

namespace {

std::string missing(std::string_view doc, std::uint64_t index) {
  return format::describe(doc) + ": log record " + std::to_string(index) + " is missing";
}

// The first and the last index of `doc`'s keys in `family`, if it has any.
struct KeySpan {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

Result<std::optional<KeySpan>> key_span(RocksDbStore::Impl& impl, const rocksdb::ReadOptions& read,
                                        rocksdb::ColumnFamilyHandle* family, std::string_view doc) {
  const std::unique_ptr<rocksdb::Iterator> it(impl.db->NewIterator(read, family));
  std::optional<KeySpan> span;
  it->Seek(format::doc_begin(doc));
  if (it->Valid()) {
    const auto key = format::split_key(it->key().ToStringView());
    if (key && key->doc == doc) span = KeySpan{key->index, key->index};
  }
  if (span) {
    it->SeekForPrev(format::doc_end(doc));
    const auto key = it->Valid() ? format::split_key(it->key().ToStringView()) : std::nullopt;
    if (key && key->doc == doc) span->last = key->index;
  }
  if (!it->status().ok()) return tl::unexpected(impl.status_error(doc, it->status()));
  return span;
}

// Visits `doc`'s individual records with index in [next, to), which must be dense from `next`.
Result<void> scan_individual(RocksDbStore::Impl& impl, const rocksdb::ReadOptions& read,
                             std::string_view doc, std::uint64_t next, std::uint64_t to,
                             const std::function<Result<void>(proto::OpRecord&&)>& visit) {
  const std::string end = format::doc_end(doc);
  const std::unique_ptr<rocksdb::Iterator> it(impl.db->NewIterator(read, impl.log));
  for (it->Seek(format::key_for(doc, next)); it->Valid() && it->key().compare(end) < 0;
       it->Next()) {
    const auto key = format::split_key(it->key().ToStringView());
    if (!key || key->doc != doc) {
      return format::error(Errc::corrupt, format::describe(doc) + ": malformed key after index " +
                                              std::to_string(next));
    }
    if (key->index >= to) break;
    if (key->index != next) return format::error(Errc::corrupt, missing(doc, next));
    auto record = format::open_op(doc, key->index, it->value().ToStringView());
    if (!record) return tl::unexpected(std::move(record.error()));
    if (auto ok = visit(std::move(*record)); !ok) return ok;
    next = key->index + 1;
  }
  if (!it->status().ok()) return tl::unexpected(impl.status_error(doc, it->status()));
  return {};
}

}  // namespace

Result<RocksDbStore::Impl::DocState> RocksDbStore::Impl::log_state(const rocksdb::ReadOptions& read,
                                                                   std::string_view doc) {
  DocState state;
  state.exists = true;
  auto individual = key_span(*this, read, log, doc);
  if (!individual) return tl::unexpected(std::move(individual.error()));
  if (*individual) {
    state.chunk_end = (*individual)->first;
    state.next_index = (*individual)->last + 1;
    return state;
  }
  // Every record is in a chunk (or there are none): the last chunk says where the log ends.
  auto chunks = key_span(*this, read, logchunk, doc);
  if (!chunks) return tl::unexpected(std::move(chunks.error()));
  if (!*chunks) return state;
  const std::uint64_t first = (*chunks)->last;
  std::string value;
  const rocksdb::Status s = db->Get(read, logchunk, format::key_for(doc, first), &value);
  if (!s.ok()) return tl::unexpected(status_error(doc, s));
  auto records = format::open_chunk(doc, first, std::nullopt, value);
  if (!records) return tl::unexpected(std::move(records.error()));
  state.next_index = state.chunk_end = first + records->size();
  return state;
}

Result<void> RocksDbStore::Impl::read_records(
    const rocksdb::ReadOptions& read, std::string_view doc, std::uint64_t from, std::uint64_t to,
    const std::function<Result<void>(proto::OpRecord&&)>& visit) {
  if (from >= to) return {};
  const std::string end = format::doc_end(doc);
  std::uint64_t next = from;  // the next index to visit
  {
    // The chunk holding `from` (the last one starting at or before it), then those after it.
    const std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, logchunk));
    it->SeekForPrev(format::key_for(doc, from));
    const auto here = it->Valid() ? format::split_key(it->key().ToStringView()) : std::nullopt;
    if (!here || here->doc != doc) it->Seek(format::key_for(doc, from));
    std::optional<std::uint64_t> previous_end;
    for (; it->Valid() && it->key().compare(end) < 0; it->Next()) {
      const auto key = format::split_key(it->key().ToStringView());
      if (!key || key->doc != doc) {
        return format::error(Errc::corrupt, format::describe(doc) + ": malformed chunk key");
      }
      if (key->index >= to) break;
      if (key->index > next) return format::error(Errc::corrupt, missing(doc, next));
      if (previous_end && key->index != *previous_end) {
        return format::error(Errc::corrupt, format::describe(doc) + ": log chunk at " +
                                                std::to_string(key->index) +
                                                " overlaps the one before");
      }
      const std::string value = it->value().ToString();
      auto records = format::open_chunk(doc, key->index, std::nullopt, value);
      if (!records) {
        // Name the chunk's range: it ends where the next chunk or the individual records start.
        std::optional<std::uint64_t> chunk_end;
        it->Next();
        const auto after = it->Valid() ? format::split_key(it->key().ToStringView()) : std::nullopt;
        if (after && after->doc == doc) {
          chunk_end = after->index;
        } else if (auto individual = key_span(*this, read, log, doc); individual && *individual) {
          chunk_end = (*individual)->first;
        }
        return tl::unexpected(format::open_chunk(doc, key->index, chunk_end, value).error());
      }
      previous_end = key->index + records->size();
      for (proto::OpRecord& record : *records) {
        const std::uint64_t index = record.index;
        if (index < next) continue;
        if (index >= to) break;
        if (auto ok = visit(std::move(record)); !ok) return ok;
        next = index + 1;
      }
      next = std::max(next, std::min(*previous_end, to));
    }
    if (!it->status().ok()) return tl::unexpected(status_error(doc, it->status()));
  }
  if (next >= to) return {};
  return scan_individual(*this, read, doc, next, to, visit);
}

void RocksDbStore::Impl::compact_log(const std::vector<std::string>& to_compact) {
  const std::uint64_t c = options.chunk_records;
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  for (const std::string& doc : to_compact) {
    const auto found = docs.find(doc);
    if (found == docs.end()) continue;
    DocState& state = found->second;
    while (state.exists && c > 0 && state.next_index - state.chunk_end >= 2 * c) {
      const std::uint64_t first = state.chunk_end;
      std::vector<proto::OpRecord> records;
      records.reserve(c);
      const auto ok = scan_individual(*this, read, doc, first, first + c, [&](proto::OpRecord&& r) {
        records.push_back(std::move(r));
        return Result<void>{};
      });
      // A damaged record stays where it is, for reads to report.
      if (!ok || records.size() != c || records.front().index != first) return;
      rocksdb::WriteBatch batch;
      batch.Put(logchunk, format::key_for(doc, first), format::seal(proto::encode_chunk(records)));
      batch.DeleteRange(log, format::key_for(doc, first), format::key_for(doc, first + c));
      if (!db->Write(rocksdb::WriteOptions(), &batch).ok()) return;
      state.chunk_end = first + c;
    }
  }
}

}  // namespace weft::storage
