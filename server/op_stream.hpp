// op_stream.hpp — where a document's durable history lives, as the server's documents see it.
//
// A narrow asynchronous interface so that scale-out (several server nodes sharing documents
// through Redis Streams, a later issue) replaces this one class and not the documents.
// StoreOpStream implements it over storage::DocumentStore, running the blocking calls on a
// thread pool so that concurrent appends of many documents meet in the store's group commit.
//
// Callbacks run on the stream's threads, never inline; callers post back to their own strand.
#pragma once
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "proto/records.hpp"
#include "storage/document_store.hpp"

namespace weft::server {

class OpStream {
 public:
  virtual ~OpStream() = default;
  using Done = std::function<void(storage::Result<void>)>;
  // The document's metadata, newest snapshot and log after it; storage::Errc::not_found if it
  // does not exist.
  virtual void load(std::string doc,
                    std::function<void(storage::Result<storage::LoadedDocument>)> done) = 0;
  virtual void create(proto::DocumentMeta meta, Done done) = 0;
  virtual void update_meta(proto::DocumentMeta meta, Done done) = 0;
  // `done` runs once the records are durable (or failed; then none of them were written).
  virtual void append(std::string doc, std::vector<proto::OpRecord> records, Done done) = 0;
  virtual void write_snapshot(std::string doc, proto::SnapshotRecord snapshot, Done done) = 0;
};

class StoreOpStream final : public OpStream {
 public:
  // `blocking` runs the store's (blocking) calls; size it for many concurrent commits.
  StoreOpStream(storage::DocumentStore& store, boost::asio::any_io_executor blocking);
  void load(std::string doc,
            std::function<void(storage::Result<storage::LoadedDocument>)> done) override;
  void create(proto::DocumentMeta meta, Done done) override;
  void update_meta(proto::DocumentMeta meta, Done done) override;
  void append(std::string doc, std::vector<proto::OpRecord> records, Done done) override;
  void write_snapshot(std::string doc, proto::SnapshotRecord snapshot, Done done) override;

 private:
  storage::DocumentStore& store_;
  boost::asio::any_io_executor blocking_;
};

}  // namespace weft::server
