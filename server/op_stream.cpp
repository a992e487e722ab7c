// op_stream.cpp — StoreOpStream: each blocking store call runs on the blocking executor, and its
// `done` runs there too (callers post back to their own strand).
#include "server/op_stream.hpp"

#include <utility>

#include <boost/asio/post.hpp>

namespace weft::server {

StoreOpStream::StoreOpStream(storage::DocumentStore& store, boost::asio::any_io_executor blocking)
    : store_(store), blocking_(std::move(blocking)) {}

void StoreOpStream::load(std::string doc,
                         std::function<void(storage::Result<storage::LoadedDocument>)> done) {
  boost::asio::post(
      blocking_, [this, doc = std::move(doc), done = std::move(done)] { done(store_.load(doc)); });
}

void StoreOpStream::create(proto::DocumentMeta meta, Done done) {
  boost::asio::post(blocking_, [this, meta = std::move(meta), done = std::move(done)] {
    done(store_.create(meta));
  });
}

void StoreOpStream::update_meta(proto::DocumentMeta meta, Done done) {
  boost::asio::post(blocking_, [this, meta = std::move(meta), done = std::move(done)] {
    done(store_.update_meta(meta));
  });
}

void StoreOpStream::append(std::string doc, std::vector<proto::OpRecord> records, Done done) {
  boost::asio::post(blocking_, [this, doc = std::move(doc), records = std::move(records),
                                done = std::move(done)] { done(store_.append(doc, records)); });
}

void StoreOpStream::write_snapshot(std::string doc, proto::SnapshotRecord snapshot, Done done) {
  boost::asio::post(blocking_,
                    [this, doc = std::move(doc), snapshot = std::move(snapshot),
                     done = std::move(done)] { done(store_.write_snapshot(doc, snapshot)); });
}

}  // namespace weft::server
