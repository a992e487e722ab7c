// memory_store.cpp — MemoryStore: the store's contract over a mutex-guarded map.
#include "storage/memory_store.hpp"

#include <algorithm>
#include <utility>

#include "storage/record_format.hpp"

namespace weft::storage {

namespace {

std::uint64_t sealed_bytes(std::string_view doc, const std::string& value) {
  return doc.size() + 9 + value.size();
}

}  // namespace

Result<MemoryStore::Document*> MemoryStore::find(std::string_view doc) {
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  const auto it = documents_.find(doc);
  if (it == documents_.end()) return format::error(Errc::not_found, format::describe(doc));
  return &it->second;
}

Result<void> MemoryStore::create(const proto::DocumentMeta& meta) {
  if (!is_valid_document_id(meta.id)) {
    return format::error(Errc::bad_document_id, format::describe(meta.id) + ": bad id");
  }
  std::string sealed = format::seal(proto::encode(meta));
  const std::lock_guard lock(mu_);
  if (documents_.contains(meta.id)) {
    return format::error(Errc::already_exists, format::describe(meta.id));
  }
  documents_[meta.id].meta = std::move(sealed);
  return {};
}

Result<void> MemoryStore::update_meta(const proto::DocumentMeta& meta) {
  std::string sealed = format::seal(proto::encode(meta));
  const std::lock_guard lock(mu_);
  auto found = find(meta.id);
  if (!found) return tl::unexpected(std::move(found.error()));
  (*found)->meta = std::move(sealed);
  return {};
}

Result<void> MemoryStore::append(std::string_view doc, std::span<const proto::OpRecord> records) {
  std::vector<std::string> sealed;
  sealed.reserve(records.size());
  for (const proto::OpRecord& record : records)
    sealed.push_back(format::seal(proto::encode(record)));
  const std::lock_guard lock(mu_);
  auto found = find(doc);
  if (!found) return tl::unexpected(std::move(found.error()));
  std::vector<std::string>& log = (*found)->log;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].index != log.size() + i) {
      return format::error(Errc::index_gap, format::describe(doc) + ": append at index " +
                                                std::to_string(records[i].index) +
                                                ", next index is " +
                                                std::to_string(log.size() + i));
    }
  }
  std::move(sealed.begin(), sealed.end(), std::back_inserter(log));
  return {};
}

Result<DocumentHead> MemoryStore::read_head(std::string_view doc) {
  const std::lock_guard lock(mu_);
  auto found = find(doc);
  if (!found) return tl::unexpected(std::move(found.error()));
  DocumentHead head;
  auto meta = format::open_meta(doc, (*found)->meta);
  if (!meta) return tl::unexpected(std::move(meta.error()));
  head.meta = std::move(*meta);
  head.next_index = (*found)->log.size();
  return head;
}

Result<LoadedDocument> MemoryStore::load(std::string_view doc) {
  const std::lock_guard lock(mu_);
  auto found = find(doc);
  if (!found) return tl::unexpected(std::move(found.error()));
  const Document& d = **found;
  LoadedDocument loaded;
  auto meta = format::open_meta(doc, d.meta);
  if (!meta) return tl::unexpected(std::move(meta.error()));
  loaded.meta = std::move(*meta);
  std::uint64_t from = 0;
  if (!d.snapshots.empty()) {
    const auto& [log_index, value] = *d.snapshots.rbegin();
    auto snapshot = format::open_snapshot(doc, log_index, value);
    if (!snapshot) return tl::unexpected(std::move(snapshot.error()));
    loaded.snapshot = std::move(*snapshot);
    from = log_index;
  }
  for (std::uint64_t i = from; i < d.log.size(); ++i) {
    auto record = format::open_op(doc, i, d.log[i]);
    if (!record) return tl::unexpected(std::move(record.error()));
    loaded.tail.push_back(std::move(*record));
  }
  loaded.next_index = d.log.size();
  return loaded;
}

Result<std::vector<proto::OpRecord>> MemoryStore::read_log(std::string_view doc, std::uint64_t from,
                                                           std::uint64_t to) {
  const std::lock_guard lock(mu_);
  auto found = find(doc);
  if (!found) return tl::unexpected(std::move(found.error()));
  const std::vector<std::string>& log = (*found)->log;
  std::vector<proto::OpRecord> out;
  for (std::uint64_t i = from; i < std::min<std::uint64_t>(to, log.size()); ++i) {
    auto record = format::open_op(doc, i, log[i]);
    if (!record) return tl::unexpected(std::move(record.error()));
    out.push_back(std::move(*record));
  }
  return out;
}

Result<std::vector<proto::SnapshotRecord>> MemoryStore::read_snapshots(std::string_view doc) {
  const std::lock_guard lock(mu_);
  auto found = find(doc);
  if (!found) return tl::unexpected(std::move(found.error()));
  std::vector<proto::SnapshotRecord> out;
  for (const auto& [log_index, value] : (*found)->snapshots) {
    auto snapshot = format::open_snapshot(doc, log_index, value);
    if (!snapshot) return tl::unexpected(std::move(snapshot.error()));
    out.push_back(std::move(*snapshot));
  }
  return out;
}

Result<std::vector<DocumentSummary>> MemoryStore::list() {
  const std::lock_guard lock(mu_);
  std::vector<DocumentSummary> out;
  for (const auto& [id, d] : documents_) {
    DocumentSummary summary;
    summary.id = id;
    summary.op_count = d.log.size();
    summary.bytes = sealed_bytes(id, d.meta);
    for (const std::string& value : d.log) summary.bytes += sealed_bytes(id, value);
    for (const auto& [log_index, value] : d.snapshots) summary.bytes += sealed_bytes(id, value);
    // A damaged record is reported by load(); the listing shows what it can.
    if (auto meta = format::open_meta(id, d.meta)) summary.last_change_us = meta->created_us;
    if (!d.log.empty()) {
      if (auto last = format::open_op(id, d.log.size() - 1, d.log.back())) {
        summary.last_change_us = last->server_time_us;
      }
    }
    out.push_back(std::move(summary));
  }
  return out;
}

Result<void> MemoryStore::write_snapshot(std::string_view doc,
                                         const proto::SnapshotRecord& snapshot) {
  std::string sealed = format::seal(proto::encode(snapshot));
  const std::lock_guard lock(mu_);
  auto found = find(doc);
  if (!found) return tl::unexpected(std::move(found.error()));
  if (snapshot.log_index > (*found)->log.size()) {
    return format::error(Errc::index_gap, format::describe(doc) + ": snapshot at log index " +
                                              std::to_string(snapshot.log_index) +
                                              " is beyond the log's end " +
                                              std::to_string((*found)->log.size()));
  }
  std::map<std::uint64_t, std::string>& snapshots = (*found)->snapshots;
  snapshots[snapshot.log_index] = std::move(sealed);
  while (options_.keep_snapshots > 0 && snapshots.size() > options_.keep_snapshots) {
    snapshots.erase(snapshots.begin());
  }
  return {};
}

Result<void> MemoryStore::remove(std::string_view doc) {
  const std::lock_guard lock(mu_);
  auto found = find(doc);
  if (!found) return tl::unexpected(std::move(found.error()));
  documents_.erase(documents_.find(doc));
  return {};
}

Result<void> MemoryStore::put_version(std::string_view doc, const proto::NamedVersion& version) {
  if (!proto::is_valid_version_name(version.name)) {
    return format::error(Errc::bad_version_name, format::describe(doc) + ": bad version name");
  }
  std::string sealed = format::seal(proto::encode(version));
  const std::lock_guard lock(mu_);
  auto found = find(doc);
  if (!found) return tl::unexpected(std::move(found.error()));
  Document& d = **found;
  if (auto refused = format::check_new_version(
          doc, version, d.log.size(), d.versions.contains(version.name), d.versions.size());
      !refused) {
    return refused;
  }
  d.versions.emplace(version.name, std::move(sealed));
  return {};
}

Result<std::vector<proto::NamedVersion>> MemoryStore::read_versions(std::string_view doc) {
  const std::lock_guard lock(mu_);
  auto found = find(doc);
  if (!found) return tl::unexpected(std::move(found.error()));
  std::vector<proto::NamedVersion> out;
  for (const auto& [name, value] : (*found)->versions) {
    auto version = format::open_version(doc, name, value);
    if (!version) return tl::unexpected(std::move(version.error()));
    out.push_back(std::move(*version));
  }
  format::sort_versions(out);
  return out;
}

Result<void> MemoryStore::remove_version(std::string_view doc, std::string_view name) {
  const std::lock_guard lock(mu_);
  auto found = find(doc);
  if (!found) return tl::unexpected(std::move(found.error()));
  const auto it = (*found)->versions.find(name);
  if (it == (*found)->versions.end()) {
    return format::error(Errc::unknown_version,
                         format::describe(doc) + ": no version '" + std::string(name) + "'");
  }
  (*found)->versions.erase(it);
  return {};
}

}  // namespace weft::storage
