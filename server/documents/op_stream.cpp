// op_stream.cpp — StoreOpStream: each blocking store call runs on the blocking executor, and its
// `done` runs there too (callers post back to their own strand).
#include "server/documents/op_stream.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>

#include "storage/document_loader.hpp"

namespace weft::server::documents {

StoreOpStream::StoreOpStream(storage::DocumentStore& store, boost::asio::any_io_executor blocking)
    : store_(store), blocking_(std::move(blocking)) {}

void StoreOpStream::load(std::string doc, Then<storage::LoadedDocument> done) {
  boost::asio::post(
      blocking_, [this, doc = std::move(doc), done = std::move(done)] { done(store_.load(doc)); });
}

void StoreOpStream::read_head(std::string doc, Then<storage::DocumentHead> done) {
  boost::asio::post(blocking_, [this, doc = std::move(doc), done = std::move(done)] {
    done(store_.read_head(doc));
  });
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

void StoreOpStream::list(Then<std::vector<storage::DocumentSummary>> done) {
  boost::asio::post(blocking_, [this, done = std::move(done)] {
    auto documents = store_.list();
    if (documents) {
      std::sort(documents->begin(), documents->end(),
                [](const auto& a, const auto& b) { return a.id < b.id; });
    }
    done(std::move(documents));
  });
}

void StoreOpStream::read_log(std::string doc, std::uint64_t from, std::uint64_t to,
                             Then<std::vector<proto::OpRecord>> done) {
  boost::asio::post(blocking_, [this, doc = std::move(doc), from, to, done = std::move(done)] {
    done(store_.read_log(doc, from, to));
  });
}

void StoreOpStream::replay(std::string doc, std::uint64_t upto, Then<crdt::Rga> done) {
  boost::asio::post(blocking_, [this, doc = std::move(doc), upto, done = std::move(done)] {
    done(storage::replay(store_, doc, upto));
  });
}

void StoreOpStream::read_history(std::string doc, HistoryRead read,
                                 std::function<void(storage::StoreError)> failed) {
  boost::asio::post(
      blocking_, [this, doc = std::move(doc), read = std::move(read), failed = std::move(failed)] {
        if (auto ok = history_.read(store_, doc, read); !ok) failed(std::move(ok.error()));
      });
}

void StoreOpStream::remove(std::string doc, Done done) {
  boost::asio::post(blocking_, [this, doc = std::move(doc), done = std::move(done)] {
    history_.forget(doc);
    auto removed = store_.remove(doc);
    history_.forget(doc);  // a read that ran meanwhile; the epoch check covers a recreation
    done(std::move(removed));
  });
}

void StoreOpStream::put_version(std::string doc, proto::NamedVersion version, Done done) {
  boost::asio::post(blocking_,
                    [this, doc = std::move(doc), version = std::move(version),
                     done = std::move(done)] { done(store_.put_version(doc, version)); });
}

void StoreOpStream::read_versions(std::string doc, Then<std::vector<proto::NamedVersion>> done) {
  boost::asio::post(blocking_, [this, doc = std::move(doc), done = std::move(done)] {
    done(store_.read_versions(doc));
  });
}

void StoreOpStream::remove_version(std::string doc, std::string name, Done done) {
  boost::asio::post(blocking_,
                    [this, doc = std::move(doc), name = std::move(name), done = std::move(done)] {
                      done(store_.remove_version(doc, name));
                    });
}

}  // namespace weft::server::documents
