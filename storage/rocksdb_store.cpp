// rocksdb_store.cpp — RocksDbStore: opening the directory, and the reads.
#include "storage/rocksdb_store.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>

#include <rocksdb/options.h>
#include <rocksdb/sst_file_manager.h>
#include <rocksdb/table.h>
#include <stdlib.h>

#include "storage/record_format.hpp"
#include "storage/rocksdb_info_log.hpp"
#include "storage/rocksdb_store_impl.hpp"

namespace weft::storage {

namespace {

constexpr const char* meta_family = "meta";
constexpr const char* log_family = "log";
constexpr const char* snap_family = "snap";
constexpr const char* logchunk_family = "logchunk";
constexpr const char* version_family = "version";

rocksdb::ColumnFamilyOptions family_options() {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  table.checksum = rocksdb::kCRC32c;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

// Every family, but for a read-only open only those that exist: a store written before the
// `version` family existed opens read-only without it (a writable open creates it).
std::vector<rocksdb::ColumnFamilyDescriptor> families(const std::string& dir, bool read_only) {
  std::vector<rocksdb::ColumnFamilyDescriptor> out = {
      {rocksdb::kDefaultColumnFamilyName, family_options()},
      {meta_family, family_options()},
      {log_family, family_options()},
      {snap_family, family_options()},
      {logchunk_family, family_options()}};
  std::vector<std::string> existing;
  if (!read_only || !rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &existing).ok() ||
      std::find(existing.begin(), existing.end(), version_family) != existing.end()) {
    out.emplace_back(version_family, family_options());
  }
  return out;
}

// A secondary instance keeps its own info log and state in a private temporary directory.
std::string make_secondary_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "weft-secondary-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

// A RocksDB snapshot for the duration of one read, so that it sees one commit point. Secondary and
// read-only instances change only in catch_up(), so they read without one.
class ReadView {
 public:
  explicit ReadView(rocksdb::DB& db, bool read_only)
      : db_(db), snapshot_(read_only ? nullptr : db.GetSnapshot()) {
    options_.snapshot = snapshot_;
    options_.verify_checksums = true;
  }
  ~ReadView() {
    if (snapshot_ != nullptr) db_.ReleaseSnapshot(snapshot_);
  }
  ReadView(const ReadView&) = delete;
  ReadView& operator=(const ReadView&) = delete;

  [[nodiscard]] const rocksdb::ReadOptions& options() const { return options_; }
  [[nodiscard]] std::unique_ptr<rocksdb::Iterator> iterator(rocksdb::ColumnFamilyHandle* family) {
    return std::unique_ptr<rocksdb::Iterator>(db_.NewIterator(options_, family));
  }

 private:
  rocksdb::DB& db_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions options_;
};

}  // namespace

RocksDbStore::Impl::~Impl() {
  if (db) {
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      static_cast<void>(db->DestroyColumnFamilyHandle(handle));
    }
    static_cast<void>(db->Close());
    db.reset();
  }
  if (!secondary_dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(secondary_dir, ignored);
  }
}

Errc RocksDbStore::Impl::code_of(const rocksdb::Status& s) {
  if (s.IsCorruption()) return Errc::corrupt;
  if (s.IsNoSpace()) return Errc::no_space;
  return Errc::io_error;
}

StoreError RocksDbStore::Impl::status_error(std::string_view doc, const rocksdb::Status& s) const {
  const std::string where = doc.empty() ? "store '" + dir + "'" : format::describe(doc);
  return StoreError{make_error_code(code_of(s)), where + ": " + s.ToString()};
}

Result<void> RocksDbStore::Impl::catch_up() {
  if (secondary_dir.empty()) return {};
  const rocksdb::Status s = db->TryCatchUpWithPrimary();
  if (!s.ok()) return tl::unexpected(status_error({}, s));
  return {};
}

RocksDbStore::RocksDbStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksDbStore::~RocksDbStore() = default;

Result<std::unique_ptr<RocksDbStore>> RocksDbStore::open(const std::string& dir, Options options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->dir = dir;
  rocksdb::DBOptions db_options;
  // Any write or check that fails stops writes (reads go on) instead of being ignored.
  db_options.paranoid_checks = true;
  // A damaged WAL fails the open, naming the file, instead of replaying up to the damage and
  // silently dropping every acknowledged write after it (kPointInTimeRecovery, the default):
  // kAbsoluteConsistency first, then at most the torn last record is left out, and said so.
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  db_options.listeners.push_back(impl->health);
  rocksdb::DB* raw = nullptr;
  std::shared_ptr<InfoLog> info_log;
  const auto attempt = [&](rocksdb::WALRecoveryMode mode) {
    db_options.wal_recovery_mode = mode;
    impl->handles.clear();
    if (!options.read_only) {
      info_log = std::make_shared<InfoLog>(dir + "/LOG");
      db_options.info_log = info_log;
      // Recovery from a full disk: RocksDB resumes writes by itself once enough space is free
      // (it polls every 5 s); without a file manager it would stay unwritable until restarted.
      db_options.sst_file_manager.reset(rocksdb::NewSstFileManager(rocksdb::Env::Default()));
      return rocksdb::DB::Open(db_options, dir, families(dir, options.read_only), &impl->handles,
                               &raw);
    }
    db_options.max_open_files = -1;  // required by secondary instances
    {
      // A secondary instance skips a table file that does not load (it expects the primary to
      // delete files under it): a damaged file would read as missing data. A plain read-only
      // open with paranoid_checks fails on it, so it is tried first, then closed.
      info_log = std::make_shared<InfoLog>(dir + "/LOG");
      db_options.info_log = info_log;
      rocksdb::Status probe = rocksdb::DB::OpenForReadOnly(
          db_options, dir, families(dir, options.read_only), &impl->handles, &raw);
      if (!probe.ok()) return probe;
      for (rocksdb::ColumnFamilyHandle* handle : impl->handles) {
        static_cast<void>(raw->DestroyColumnFamilyHandle(handle));
      }
      static_cast<void>(raw->Close());
      delete raw;  // NOLINT: RocksDB's raw-pointer API
      raw = nullptr;
      impl->handles.clear();
    }
    impl->secondary_dir = make_secondary_dir();
    info_log = std::make_shared<InfoLog>((impl->secondary_dir.empty() ? dir : impl->secondary_dir) +
                                         "/LOG");
    db_options.info_log = info_log;
    rocksdb::Status s =
        impl->secondary_dir.empty()
            ? rocksdb::Status::IOError("cannot create a secondary directory")
            : rocksdb::DB::OpenAsSecondary(db_options, dir, impl->secondary_dir,
                                           families(dir, options.read_only), &impl->handles, &raw);
    if (!s.ok()) {
      std::error_code ignored;
      if (!impl->secondary_dir.empty()) std::filesystem::remove_all(impl->secondary_dir, ignored);
      impl->secondary_dir.clear();
      impl->handles.clear();
      info_log = std::make_shared<InfoLog>(dir + "/LOG");
      db_options.info_log = info_log;
      s = rocksdb::DB::OpenForReadOnly(db_options, dir, families(dir, options.read_only),
                                       &impl->handles, &raw);
    }
    return s;
  };
  // RocksDB's status does not say which file is damaged; its log does.
  const auto describe = [&](const rocksdb::Status& s) {
    const std::string detail = info_log->problems();
    return s.ToString() + (detail.empty() ? "" : " (RocksDB: " + detail + ")");
  };
  rocksdb::Status s;
  std::string why;
  if (options.salvage_wal) {
    if (options.read_only) return format::error(Errc::read_only, "salvage needs a writable store");
    // kPointInTimeRecovery stops at the first damaged record. Each append is one atomic batch,
    // so what it keeps is a state the store was in: every document's log a prefix of what it was.
    s = attempt(rocksdb::WALRecoveryMode::kPointInTimeRecovery);
    why = s.ok() ? std::string() : describe(s);
    if (const std::string dropped = info_log->problems(); s.ok() && !dropped.empty()) {
      impl->recovery_note =
          "the write-ahead log was replayed up to its first damaged record and the rest was "
          "dropped (RocksDB: " +
          dropped + ")";
    }
  } else {
    s = attempt(rocksdb::WALRecoveryMode::kAbsoluteConsistency);
    why = s.ok() ? std::string() : describe(s);
    if (s.IsCorruption() && attempt(rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords).ok()) {
      // Only an incomplete last record may be left out: a write torn by a crash in the middle
      // of its (multi-call) write, which was never acknowledged, since acks follow the sync. Any
      // other damage fails again. It is reported, never silent: recovery_note() says what was
      // dropped.
      impl->recovery_note =
          "the write-ahead log's last record was incomplete and was left out (a "
          "write torn by a crash, never acknowledged, or damage): " +
          why;
      s = rocksdb::Status::OK();
    }
  }
  if (!s.ok()) return format::error(Impl::code_of(s), "cannot open store '" + dir + "': " + why);
  impl->db.reset(raw);
  impl->meta = impl->handles[1];
  impl->log = impl->handles[2];
  impl->snap = impl->handles[3];
  impl->logchunk = impl->handles[4];
  if (impl->handles.size() > 5) impl->version = impl->handles[5];
  return std::unique_ptr<RocksDbStore>(new RocksDbStore(std::move(impl)));
}

const std::string& RocksDbStore::recovery_note() const { return impl_->recovery_note; }

StoreHealth RocksDbStore::health() const {
  if (impl_->options.read_only) return {false, "opened read-only", 0};
  return impl_->health->get();
}

Result<void> RocksDbStore::verify_files() {
  if (auto ok = impl_->catch_up(); !ok) return ok;
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  const rocksdb::Status s = impl_->db->VerifyChecksum(read);
  if (!s.ok()) return tl::unexpected(impl_->status_error({}, s));
  return {};
}

Result<void> RocksDbStore::compact() {
  if (impl_->options.read_only) {
    return format::error(Errc::read_only, "store '" + impl_->dir + "' opened read-only");
  }
  rocksdb::FlushOptions flush;
  flush.wait = true;
  rocksdb::Status s = impl_->db->Flush(flush, impl_->handles);
  rocksdb::CompactRangeOptions range;
  range.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* family : impl_->handles) {
    if (s.ok()) s = impl_->db->CompactRange(range, family, nullptr, nullptr);
  }
  if (!s.ok()) return tl::unexpected(impl_->status_error({}, s));
  return {};
}

namespace {

// Reads `doc`'s snapshots from log index `from` on, while index < to; calls visit(index, value)
// for each.
template <class Visit>
Result<void> scan(RocksDbStore::Impl& impl, ReadView& view, rocksdb::ColumnFamilyHandle* family,
                  std::string_view doc, std::uint64_t from, std::uint64_t to, Visit visit) {
  const std::unique_ptr<rocksdb::Iterator> it = view.iterator(family);
  const std::string end = format::doc_end(doc);
  std::uint64_t expected = from;
  for (it->Seek(format::key_for(doc, from)); it->Valid() && it->key().compare(end) < 0;
       it->Next()) {
    const auto key = format::split_key(it->key().ToStringView());
    if (!key || key->doc != doc) {
      return format::error(Errc::corrupt, format::describe(doc) + ": malformed key after index " +
                                              std::to_string(expected));
    }
    if (key->index >= to) break;
    if (auto ok = visit(key->index, it->value().ToStringView()); !ok) return ok;
    expected = key->index + 1;
  }
  if (!it->status().ok()) return tl::unexpected(impl.status_error(doc, it->status()));
  return {};
}

// The index after the last record of `doc` in `family` (0 if none).
Result<std::uint64_t> end_index(RocksDbStore::Impl& impl, ReadView& view,
                                rocksdb::ColumnFamilyHandle* family, std::string_view doc) {
  const std::unique_ptr<rocksdb::Iterator> it = view.iterator(family);
  it->SeekForPrev(format::doc_end(doc));
  std::uint64_t end = 0;
  if (it->Valid()) {
    const auto key = format::split_key(it->key().ToStringView());
    if (key && key->doc == doc) end = key->index + 1;
  }
  if (!it->status().ok()) return tl::unexpected(impl.status_error(doc, it->status()));
  return end;
}

Result<proto::DocumentMeta> read_meta(RocksDbStore::Impl& impl, ReadView& view,
                                      std::string_view doc) {
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  std::string value;
  const rocksdb::Status s = impl.db->Get(view.options(), impl.meta, doc, &value);
  if (s.IsNotFound()) return format::error(Errc::not_found, format::describe(doc));
  if (!s.ok()) return tl::unexpected(impl.status_error(doc, s));
  return format::open_meta(doc, value);
}

}  // namespace

Result<LoadedDocument> RocksDbStore::load(std::string_view doc) {
  if (auto ok = impl_->catch_up(); !ok) return tl::unexpected(std::move(ok.error()));
  ReadView view(*impl_->db, impl_->options.read_only);
  LoadedDocument loaded;
  auto meta = read_meta(*impl_, view, doc);
  if (!meta) return tl::unexpected(std::move(meta.error()));
  loaded.meta = std::move(*meta);
  auto logged = impl_->log_state(view.options(), doc);
  if (!logged) return tl::unexpected(std::move(logged.error()));
  loaded.next_index = logged->next_index;
  auto snap_end = end_index(*impl_, view, impl_->snap, doc);
  if (!snap_end) return tl::unexpected(std::move(snap_end.error()));
  std::uint64_t from = 0;
  if (*snap_end > 0) {
    const std::uint64_t log_index = *snap_end - 1;
    if (log_index > loaded.next_index) {
      return format::error(Errc::corrupt, format::describe(doc) + ": snapshot at log index " +
                                              std::to_string(log_index) +
                                              " is beyond the log's end " +
                                              std::to_string(loaded.next_index));
    }
    std::string value;
    const rocksdb::Status s =
        impl_->db->Get(view.options(), impl_->snap, format::key_for(doc, log_index), &value);
    if (!s.ok()) return tl::unexpected(impl_->status_error(doc, s));
    auto snapshot = format::open_snapshot(doc, log_index, value);
    if (!snapshot) return tl::unexpected(std::move(snapshot.error()));
    loaded.snapshot = std::move(*snapshot);
    from = log_index;
  }
  loaded.tail.reserve(loaded.next_index - from);
  auto ok = impl_->read_records(view.options(), doc, from, loaded.next_index,
                                [&](proto::OpRecord&& record) -> Result<void> {
                                  loaded.tail.push_back(std::move(record));
                                  return {};
                                });
  if (!ok) return tl::unexpected(std::move(ok.error()));
  return loaded;
}

Result<DocumentHead> RocksDbStore::read_head(std::string_view doc) {
  if (auto ok = impl_->catch_up(); !ok) return tl::unexpected(std::move(ok.error()));
  ReadView view(*impl_->db, impl_->options.read_only);
  DocumentHead head;
  auto meta = read_meta(*impl_, view, doc);
  if (!meta) return tl::unexpected(std::move(meta.error()));
  head.meta = std::move(*meta);
  auto logged = impl_->log_state(view.options(), doc);
  if (!logged) return tl::unexpected(std::move(logged.error()));
  head.next_index = logged->next_index;
  return head;
}

Result<std::vector<proto::OpRecord>> RocksDbStore::read_log(std::string_view doc,
                                                            std::uint64_t from, std::uint64_t to) {
  if (auto ok = impl_->catch_up(); !ok) return tl::unexpected(std::move(ok.error()));
  ReadView view(*impl_->db, impl_->options.read_only);
  if (auto meta = read_meta(*impl_, view, doc); !meta) return tl::unexpected(meta.error());
  std::vector<proto::OpRecord> out;
  if (from >= to) return out;
  auto ok = impl_->read_records(view.options(), doc, from, to,
                                [&](proto::OpRecord&& record) -> Result<void> {
                                  out.push_back(std::move(record));
                                  return {};
                                });
  if (!ok) return tl::unexpected(std::move(ok.error()));
  return out;
}

Result<std::vector<proto::SnapshotRecord>> RocksDbStore::read_snapshots(std::string_view doc) {
  if (auto ok = impl_->catch_up(); !ok) return tl::unexpected(std::move(ok.error()));
  ReadView view(*impl_->db, impl_->options.read_only);
  if (auto meta = read_meta(*impl_, view, doc); !meta) return tl::unexpected(meta.error());
  std::vector<proto::SnapshotRecord> out;
  auto ok = scan(*impl_, view, impl_->snap, doc, 0, UINT64_MAX,
                 [&](std::uint64_t log_index, std::string_view value) -> Result<void> {
                   auto snapshot = format::open_snapshot(doc, log_index, value);
                   if (!snapshot) return tl::unexpected(std::move(snapshot.error()));
                   out.push_back(std::move(*snapshot));
                   return {};
                 });
  if (!ok) return tl::unexpected(std::move(ok.error()));
  return out;
}

Result<std::vector<DocumentSummary>> RocksDbStore::list() {
  if (auto ok = impl_->catch_up(); !ok) return tl::unexpected(std::move(ok.error()));
  ReadView view(*impl_->db, impl_->options.read_only);
  std::vector<DocumentSummary> out;
  const std::unique_ptr<rocksdb::Iterator> it = view.iterator(impl_->meta);
  rocksdb::SizeApproximationOptions size_options;
  size_options.include_memtables = true;
  size_options.include_files = true;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    DocumentSummary summary;
    summary.id = it->key().ToString();
    const std::string_view doc = summary.id;
    summary.bytes = it->key().size() + it->value().size();
    // A damaged record is reported by load(); the listing shows what it can.
    if (auto meta = format::open_meta(doc, it->value().ToStringView())) {
      summary.last_change_us = meta->created_us;
    }
    if (auto logged = impl_->log_state(view.options(), doc)) summary.op_count = logged->next_index;
    if (summary.op_count > 0) {
      static_cast<void>(impl_->read_records(view.options(), doc, summary.op_count - 1,
                                            summary.op_count,
                                            [&](proto::OpRecord&& last) -> Result<void> {
                                              summary.last_change_us = last.server_time_us;
                                              return {};
                                            }));
    }
    const std::string begin = format::doc_begin(doc);
    const std::string end = format::doc_end(doc);
    const rocksdb::Range range(begin, end);
    for (rocksdb::ColumnFamilyHandle* family : {impl_->log, impl_->logchunk, impl_->snap}) {
      std::uint64_t size = 0;
      if (impl_->db->GetApproximateSizes(size_options, family, &range, 1, &size).ok()) {
        summary.bytes += size;
      }
    }
    out.push_back(std::move(summary));
  }
  if (!it->status().ok()) return tl::unexpected(impl_->status_error({}, it->status()));
  return out;
}

Result<std::vector<proto::NamedVersion>> RocksDbStore::read_versions(std::string_view doc) {
  if (auto ok = impl_->catch_up(); !ok) return tl::unexpected(std::move(ok.error()));
  ReadView view(*impl_->db, impl_->options.read_only);
  if (auto meta = read_meta(*impl_, view, doc); !meta) return tl::unexpected(meta.error());
  std::vector<proto::NamedVersion> out;
  if (impl_->version == nullptr) return out;
  const std::unique_ptr<rocksdb::Iterator> it = view.iterator(impl_->version);
  const std::string begin = format::doc_begin(doc);
  const std::string end = format::doc_end(doc);
  for (it->Seek(begin); it->Valid() && it->key().compare(end) < 0; it->Next()) {
    const std::string_view name = it->key().ToStringView().substr(begin.size());
    auto version = format::open_version(doc, name, it->value().ToStringView());
    if (!version) return tl::unexpected(std::move(version.error()));
    out.push_back(std::move(*version));
  }
  if (!it->status().ok()) return tl::unexpected(impl_->status_error(doc, it->status()));
  format::sort_versions(out);
  return out;
}

}  // namespace weft::storage
