// op_stream.hpp — OpStream: where documents' durable history lives, as the server sees it. The
// one seam between the server and its store: live documents load and persist through it, and the
// HTTP API lists, creates, describes, exports, replays, names versions and deletes through it, so
// there is one write path and the cluster (Redis, a later issue) replaces this one class.
//
// StoreOpStream implements it over storage::DocumentStore, running the blocking calls on a
// thread pool so that concurrent appends of many documents meet in the store's group commit. It
// keeps the history cache (history/history_cache.hpp) of the documents whose history was read.
//
// Callbacks run on the stream's threads, never inline; callers post back to their own strand.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "crdt/rga.hpp"
#include "history/history_cache.hpp"
#include "proto/records.hpp"
#include "storage/document_store.hpp"

namespace weft::server::documents {

class OpStream {
 public:
  virtual ~OpStream() = default;
  template <class T>
  using Then = std::function<void(storage::Result<T>)>;
  using Done = Then<void>;

  // The document's metadata, newest snapshot and log after it; storage::Errc::not_found if it
  // does not exist.
  virtual void load(std::string doc, Then<storage::LoadedDocument> done) = 0;
  // The metadata and the log's length, without reading a snapshot or record (not_found as load).
  virtual void read_head(std::string doc, Then<storage::DocumentHead> done) = 0;
  // storage::Errc::already_exists if a document with meta.id exists.
  virtual void create(proto::DocumentMeta meta, Done done) = 0;
  virtual void update_meta(proto::DocumentMeta meta, Done done) = 0;
  // `done` runs once the records are durable (or failed; then none of them were written).
  virtual void append(std::string doc, std::vector<proto::OpRecord> records, Done done) = 0;
  virtual void write_snapshot(std::string doc, proto::SnapshotRecord snapshot, Done done) = 0;

  // Every document, in id order.
  virtual void list(Then<std::vector<storage::DocumentSummary>> done) = 0;
  // The log records [from, to) (clipped to the log's end).
  virtual void read_log(std::string doc, std::uint64_t from, std::uint64_t to,
                        Then<std::vector<proto::OpRecord>> done) = 0;
  // The replica after the first `upto` log records, rebuilt from the log (history, not load).
  virtual void replay(std::string doc, std::uint64_t upto, Then<crdt::Rga> done) = 0;
  // Runs `read` on the stream's threads with the document's history index brought up to date
  // with its log (history/history_cache.hpp), or `failed` with the store's error (not_found if
  // the document does not exist): exactly one of them runs. `read` must not keep the index.
  using HistoryRead = history::HistoryCache::Reader;
  virtual void read_history(std::string doc, HistoryRead read,
                            std::function<void(storage::StoreError)> failed) = 0;
  // Forgets the document: metadata, log and snapshots. Requires: nothing of it is in flight (a
  // live document calls it through Document::remove).
  virtual void remove(std::string doc, Done done) = 0;

  // Named versions (storage::DocumentStore::put_version, read_versions, remove_version, with
  // their errors): the stream enforces unique names and the limit per document atomically.
  virtual void put_version(std::string doc, proto::NamedVersion version, Done done) = 0;
  // Sorted by `at`, then by name.
  virtual void read_versions(std::string doc, Then<std::vector<proto::NamedVersion>> done) = 0;
  virtual void remove_version(std::string doc, std::string name, Done done) = 0;
};

class StoreOpStream final : public OpStream {
 public:
  // `blocking` runs the store's (blocking) calls; size it for many concurrent commits.
  StoreOpStream(storage::DocumentStore& store, boost::asio::any_io_executor blocking);
  void load(std::string doc, Then<storage::LoadedDocument> done) override;
  void read_head(std::string doc, Then<storage::DocumentHead> done) override;
  void create(proto::DocumentMeta meta, Done done) override;
  void update_meta(proto::DocumentMeta meta, Done done) override;
  void append(std::string doc, std::vector<proto::OpRecord> records, Done done) override;
  void write_snapshot(std::string doc, proto::SnapshotRecord snapshot, Done done) override;
  void list(Then<std::vector<storage::DocumentSummary>> done) override;
  void read_log(std::string doc, std::uint64_t from, std::uint64_t to,
                Then<std::vector<proto::OpRecord>> done) override;
  void replay(std::string doc, std::uint64_t upto, Then<crdt::Rga> done) override;
  void read_history(std::string doc, HistoryRead read,
                    std::function<void(storage::StoreError)> failed) override;
  void remove(std::string doc, Done done) override;
  void put_version(std::string doc, proto::NamedVersion version, Done done) override;
  void read_versions(std::string doc, Then<std::vector<proto::NamedVersion>> done) override;
  void remove_version(std::string doc, std::string name, Done done) override;

 private:
  storage::DocumentStore& store_;
  boost::asio::any_io_executor blocking_;
  history::HistoryCache history_;  // dropped per document on remove()
};

}  // namespace weft::server::documents
