// rocksdb_commit.cpp — RocksDbStore's writes: requests, the group-commit queue, one batch each.
#include <algorithm>

#include <rocksdb/write_batch.h>

#include "storage/record_format.hpp"
#include "storage/rocksdb_store.hpp"
#include "storage/rocksdb_store_impl.hpp"

namespace weft::storage {

namespace {

// Bounds one group so a leader never holds its followers for a huge batch.
constexpr std::size_t max_group_requests = 4096;

StoreError refusal(Errc code, std::string message) {
  return StoreError{make_error_code(code), std::move(message)};
}

CommitRequest meta_request(CommitRequest::Kind kind, const proto::DocumentMeta& meta) {
  CommitRequest request;
  request.kind = kind;
  request.doc = meta.id;
  request.puts.emplace_back(meta.id, format::seal(proto::encode(meta)));
  return request;
}

}  // namespace

Result<void> RocksDbStore::Impl::check_writable(std::string_view doc) const {
  if (options.read_only) {
    return format::error(Errc::read_only, format::describe(doc) + ": store opened read-only");
  }
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  return {};
}

Result<void> RocksDbStore::Impl::commit(CommitRequest& request) {
  std::unique_lock lock(mu);
  queue.push_back(&request);
  cv.wait(lock, [&] { return request.done || (queue.front() == &request && !compacting); });
  if (!request.done) {
    const std::size_t n = std::min(queue.size(), max_group_requests);
    const std::vector<CommitRequest*> group(queue.begin(), queue.begin() + static_cast<long>(n));
    lock.unlock();
    const std::vector<std::string> to_compact = write_group(group);
    lock.lock();
    for (CommitRequest* member : group) {
      member->done = true;
      queue.pop_front();
    }
    // The group is acknowledged before compaction; the next leader waits until it is over, since
    // compaction reads and updates the leader's cache.
    compacting = !to_compact.empty();
    cv.notify_all();
    if (compacting) {
      lock.unlock();
      compact_log(to_compact);
      lock.lock();
      compacting = false;
      cv.notify_all();
    }
  }
  if (request.error) return tl::unexpected(std::move(*request.error));
  return {};
}

Result<RocksDbStore::Impl::DocState> RocksDbStore::Impl::state_of(
    std::string_view doc, std::unordered_map<std::string, DocState>& pending) {
  const std::string key(doc);
  if (const auto it = pending.find(key); it != pending.end()) return it->second;
  if (const auto it = docs.find(key); it != docs.end()) return it->second;
  DocState state;
  std::string value;
  const rocksdb::Status s = db->Get(rocksdb::ReadOptions(), meta, key, &value);
  if (s.IsNotFound()) return state;
  if (!s.ok()) return tl::unexpected(status_error(doc, s));
  auto logged = log_state(rocksdb::ReadOptions(), doc);
  if (!logged) return tl::unexpected(std::move(logged.error()));
  state = *logged;
  docs.emplace(key, state);
  return state;
}

Result<std::set<std::string>> RocksDbStore::Impl::version_names(std::string_view doc) {
  std::set<std::string> out;
  const std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), version));
  const std::string begin = format::doc_begin(doc);
  const std::string end = format::doc_end(doc);
  for (it->Seek(begin); it->Valid() && it->key().compare(end) < 0; it->Next()) {
    out.emplace(it->key().ToStringView().substr(begin.size()));
  }
  if (!it->status().ok()) return tl::unexpected(status_error(doc, it->status()));
  return out;
}

Result<std::vector<std::uint64_t>> RocksDbStore::Impl::snapshot_indexes(std::string_view doc) {
  std::vector<std::uint64_t> out;
  const std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), snap));
  const std::string end = format::doc_end(doc);
  for (it->Seek(format::doc_begin(doc)); it->Valid() && it->key().compare(end) < 0; it->Next()) {
    if (const auto key = format::split_key(it->key().ToStringView()); key && key->doc == doc) {
      out.push_back(key->index);
    }
  }
  if (!it->status().ok()) return tl::unexpected(status_error(doc, it->status()));
  return out;
}

// Validates each request against the documents' states as the requests before it in the group
// leave them, then commits every valid one in one batch with one sync. A snapshot deletes, in the
// same batch, the ones beyond the newest keep_snapshots (counting those this group writes).
std::vector<std::string> RocksDbStore::Impl::write_group(const std::vector<CommitRequest*>& group) {
  rocksdb::WriteBatch batch;
  std::unordered_map<std::string, DocState> pending;
  // Per document: the snapshot indexes it will have after this group, once looked up.
  std::unordered_map<std::string, std::vector<std::uint64_t>> snapshots;
  // Per document: the names of its named versions after this group, once looked up.
  std::unordered_map<std::string, std::set<std::string>> versions;
  const auto names_of = [&](std::string_view doc) -> Result<std::set<std::string>*> {
    auto known = versions.find(std::string(doc));
    if (known == versions.end()) {
      auto on_disk = version_names(doc);
      if (!on_disk) return tl::unexpected(std::move(on_disk.error()));
      known = versions.emplace(std::string(doc), std::move(*on_disk)).first;
    }
    return &known->second;
  };
  std::vector<CommitRequest*> accepted;
  for (CommitRequest* r : group) {
    auto state = state_of(r->doc, pending);
    if (!state) {
      r->error = std::move(state.error());
      continue;
    }
    const std::string who = format::describe(r->doc);
    DocState next = *state;
    const bool needs_document = r->kind != CommitRequest::Kind::create;
    if (needs_document && !state->exists) {
      r->error = refusal(Errc::not_found, who);
      continue;
    }
    switch (r->kind) {
      case CommitRequest::Kind::create:
        if (state->exists) {
          r->error = refusal(Errc::already_exists, who);
          continue;
        }
        next = DocState{true, 0, 0};
        batch.Put(meta, r->puts[0].first, r->puts[0].second);
        break;
      case CommitRequest::Kind::update_meta:
        batch.Put(meta, r->puts[0].first, r->puts[0].second);
        break;
      case CommitRequest::Kind::append:
        if (r->first != state->next_index) {
          r->error =
              refusal(Errc::index_gap, who + ": append at index " + std::to_string(r->first) +
                                           ", next index is " + std::to_string(state->next_index));
          continue;
        }
        for (const auto& [key, value] : r->puts) batch.Put(log, key, value);
        next.next_index += r->count;
        break;
      case CommitRequest::Kind::snapshot:
        if (r->first > state->next_index) {
          r->error = refusal(Errc::index_gap,
                             who + ": snapshot at log index " + std::to_string(r->first) +
                                 " is beyond the log's end " + std::to_string(state->next_index));
          continue;
        }
        if (options.keep_snapshots > 0) {
          auto kept = snapshots.find(std::string(r->doc));
          if (kept == snapshots.end()) {
            auto on_disk = snapshot_indexes(r->doc);
            if (!on_disk) {
              r->error = std::move(on_disk.error());
              continue;
            }
            kept = snapshots.emplace(std::string(r->doc), std::move(*on_disk)).first;
          }
          std::vector<std::uint64_t>& indexes = kept->second;
          if (!std::binary_search(indexes.begin(), indexes.end(), r->first)) {
            indexes.insert(std::upper_bound(indexes.begin(), indexes.end(), r->first), r->first);
          }
          batch.Put(snap, r->puts[0].first, r->puts[0].second);
          const std::size_t excess =
              indexes.size() > options.keep_snapshots ? indexes.size() - options.keep_snapshots : 0;
          for (std::size_t i = 0; i < excess; ++i) {
            batch.Delete(snap, format::key_for(r->doc, indexes[i]));
          }
          indexes.erase(indexes.begin(), indexes.begin() + static_cast<long>(excess));
        } else {
          batch.Put(snap, r->puts[0].first, r->puts[0].second);
        }
        break;
      case CommitRequest::Kind::remove:
        batch.Delete(meta, std::string(r->doc));
        batch.DeleteRange(log, format::doc_begin(r->doc), format::doc_end(r->doc));
        batch.DeleteRange(logchunk, format::doc_begin(r->doc), format::doc_end(r->doc));
        batch.DeleteRange(snap, format::doc_begin(r->doc), format::doc_end(r->doc));
        batch.DeleteRange(version, format::doc_begin(r->doc), format::doc_end(r->doc));
        snapshots[std::string(r->doc)].clear();
        versions[std::string(r->doc)].clear();
        next = DocState{};
        break;
      case CommitRequest::Kind::put_version:
      case CommitRequest::Kind::remove_version: {
        auto names = names_of(r->doc);
        if (!names) {
          r->error = std::move(names.error());
          continue;
        }
        std::set<std::string>& held = **names;
        if (r->kind == CommitRequest::Kind::remove_version) {
          if (held.erase(r->name) == 0) {
            r->error = refusal(Errc::unknown_version, who + ": no version '" + r->name + "'");
            continue;
          }
          batch.Delete(version, format::version_key(r->doc, r->name));
          break;
        }
        proto::NamedVersion named;
        named.name = r->name;
        named.at = r->first;
        if (auto refused = format::check_new_version(r->doc, named, state->next_index,
                                                     held.contains(r->name), held.size());
            !refused) {
          r->error = std::move(refused.error());
          continue;
        }
        held.insert(r->name);
        batch.Put(version, r->puts[0].first, r->puts[0].second);
        break;
      }
    }
    pending[std::string(r->doc)] = next;
    accepted.push_back(r);
  }
  if (batch.Count() == 0) return {};
  rocksdb::WriteOptions write_options;
  write_options.sync = options.sync;
  const rocksdb::Status s = db->Write(write_options, &batch);
  if (!s.ok()) {
    // The outcome on disk is unknown: forget the cache, it is reloaded on next use.
    health->write_failed(s);
    docs.clear();
    for (CommitRequest* r : accepted) r->error = status_error(r->doc, s);
    return {};
  }
  health->write_succeeded();
  std::vector<std::string> to_compact;
  const std::uint64_t c = options.chunk_records;
  for (auto& [doc, state] : pending) {
    docs[doc] = state;
    if (c > 0 && state.exists && state.next_index - state.chunk_end >= 2 * c) {
      to_compact.push_back(doc);
    }
  }
  const std::lock_guard lock(mu);
  ++stats.commits;
  stats.requests += accepted.size();
  return to_compact;
}

Result<void> RocksDbStore::create(const proto::DocumentMeta& meta) {
  if (auto ok = impl_->check_writable(meta.id); !ok) return ok;
  CommitRequest request = meta_request(CommitRequest::Kind::create, meta);
  return impl_->commit(request);
}

Result<void> RocksDbStore::update_meta(const proto::DocumentMeta& meta) {
  if (auto ok = impl_->check_writable(meta.id); !ok) return ok;
  CommitRequest request = meta_request(CommitRequest::Kind::update_meta, meta);
  return impl_->commit(request);
}

Result<void> RocksDbStore::append(std::string_view doc, std::span<const proto::OpRecord> records) {
  if (auto ok = impl_->check_writable(doc); !ok) return ok;
  CommitRequest request;
  request.kind = CommitRequest::Kind::append;
  request.doc = doc;
  request.count = records.size();
  request.first = records.empty() ? 0 : records.front().index;
  request.puts.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].index != request.first + i) {
      return format::error(Errc::index_gap, format::describe(doc) + ": records not dense at " +
                                                std::to_string(records[i].index));
    }
    request.puts.emplace_back(format::key_for(doc, records[i].index),
                              format::seal(proto::encode(records[i])));
  }
  if (records.empty()) {
    // Nothing to write; answer whether the document exists, as an append would.
    auto loaded = read_log(doc, 0, 0);
    if (!loaded) return tl::unexpected(std::move(loaded.error()));
    return {};
  }
  return impl_->commit(request);
}

Result<void> RocksDbStore::write_snapshot(std::string_view doc,
                                          const proto::SnapshotRecord& snapshot) {
  if (auto ok = impl_->check_writable(doc); !ok) return ok;
  CommitRequest request;
  request.kind = CommitRequest::Kind::snapshot;
  request.doc = doc;
  request.first = snapshot.log_index;
  request.puts.emplace_back(format::key_for(doc, snapshot.log_index),
                            format::seal(proto::encode(snapshot)));
  return impl_->commit(request);
}

Result<void> RocksDbStore::remove(std::string_view doc) {
  if (auto ok = impl_->check_writable(doc); !ok) return ok;
  CommitRequest request;
  request.kind = CommitRequest::Kind::remove;
  request.doc = doc;
  return impl_->commit(request);
}

Result<void> RocksDbStore::put_version(std::string_view doc, const proto::NamedVersion& version) {
  if (auto ok = impl_->check_writable(doc); !ok) return ok;
  if (!proto::is_valid_version_name(version.name)) {
    return format::error(Errc::bad_version_name, format::describe(doc) + ": bad version name");
  }
  CommitRequest request;
  request.kind = CommitRequest::Kind::put_version;
  request.doc = doc;
  request.first = version.at;
  request.name = version.name;
  request.puts.emplace_back(format::version_key(doc, version.name),
                            format::seal(proto::encode(version)));
  return impl_->commit(request);
}

Result<void> RocksDbStore::remove_version(std::string_view doc, std::string_view name) {
  if (auto ok = impl_->check_writable(doc); !ok) return ok;
  if (!proto::is_valid_version_name(name)) {
    return format::error(Errc::unknown_version,
                         format::describe(doc) + ": no version '" + std::string(name) + "'");
  }
  CommitRequest request;
  request.kind = CommitRequest::Kind::remove_version;
  request.doc = doc;
  request.name = std::string(name);
  return impl_->commit(request);
}

CommitStats RocksDbStore::commit_stats() const {
  const std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

}  // namespace weft::storage
