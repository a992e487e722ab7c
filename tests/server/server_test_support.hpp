// server_test_support.hpp — a whole protocol core without sockets, for the server tests.
//
// TestServer runs a document Registry over a MemoryStore on one io_context, whose work settle()
// runs until nothing is ready (store calls run on the same io_context, so everything is
// deterministic). Every document checks its invariants after every handler. Clients are
// Connections whose Peer records every frame it is sent, decoded. TestStream can hold appends
// until released, and fail them.
#pragma once
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <doctest/doctest.h>

#include "crdt/rga.hpp"
#include "crdt/snapshot.hpp"
#include "proto/frame_codec.hpp"
#include "server/base/config.hpp"
#include "server/base/connection_ids.hpp"
#include "server/base/log.hpp"
#include "server/base/metrics.hpp"
#include "server/base/principal.hpp"
#include "server/connections/connection.hpp"
#include "server/documents/op_stream.hpp"
#include "server/documents/peer.hpp"
#include "server/documents/registry.hpp"
#include "storage/memory_store.hpp"

namespace weft::server::test {

using base::Access;
using base::Principal;
using base::ServerConfig;
using connections::Connection;
using connections::ConnectionServices;
using documents::OpStream;
using documents::Peer;
using documents::StoreOpStream;

// The development-mode verifier (no authentication), for servers built without one.
inline const base::TokenVerifier& open_verifier() {
  static const base::OpenVerifier verifier;
  return verifier;
}

class RecordingPeer final : public Peer {
 public:
  void send(std::shared_ptr<const std::string> frame) override {
    auto decoded = proto::decode_frame(*frame);
    std::lock_guard lock(mu_);
    if (!decoded) {
      frames_.push_back(proto::Error{9999, "undecodable", decoded.error().message, {}, {}});
      return;
    }
    frames_.push_back(std::move(*decoded));
  }
  void close(proto::CloseCode code, std::string_view) override {
    std::lock_guard lock(mu_);
    if (!closed_with_) closed_with_ = code;
  }

  // Everything received since the last take().
  std::vector<proto::Frame> take() {
    std::lock_guard lock(mu_);
    return std::exchange(frames_, {});
  }
  [[nodiscard]] std::optional<proto::CloseCode> closed_with() const { return closed_with_; }

 private:
  std::mutex mu_;
  std::vector<proto::Frame> frames_;
  std::optional<proto::CloseCode> closed_with_;
};

// The frames of type T among `frames`, in order.
template <class T>
std::vector<T> only(const std::vector<proto::Frame>& frames) {
  std::vector<T> out;
  for (const auto& f : frames) {
    if (const auto* t = std::get_if<T>(&f)) out.push_back(*t);
  }
  return out;
}

// "joined snapshot synced presences": readable frame sequences for CHECKs.
inline std::string kinds(const std::vector<proto::Frame>& frames) {
  static constexpr const char* names[] = {"hello",   "welcome",  "join",   "joined",   "snapshot",
                                          "ops",     "synced",   "ack",    "presence", "presences",
                                          "leave",   "left",     "digest", "diverged", "error",
                                          "refresh", "refreshed"};
  std::string out;
  for (const auto& f : frames) {
    if (!out.empty()) out += ' ';
    out += names[f.index()];
    if (const auto* e = std::get_if<proto::Error>(&f)) out += ":" + e->name;
  }
  return out;
}

// An OpStream over the store that can hold appends until release_appends() and fail appends.
class TestStream final : public OpStream {
 public:
  TestStream(storage::DocumentStore& store, boost::asio::io_context& ioc)
      : inner_(store, ioc.get_executor()), ioc_(ioc) {}

  bool hold_appends = false;
  bool fail_appends = false;
  int appends = 0;

  void release_appends() {
    hold_appends = false;
    for (auto& held : std::exchange(held_, {})) {
      inner_.append(std::move(held.doc), std::move(held.records), std::move(held.done));
    }
  }

  void load(std::string doc, Then<storage::LoadedDocument> done) override {
    inner_.load(std::move(doc), std::move(done));
  }
  void read_head(std::string doc, Then<storage::DocumentHead> done) override {
    inner_.read_head(std::move(doc), std::move(done));
  }
  void list(Then<std::vector<storage::DocumentSummary>> done) override {
    inner_.list(std::move(done));
  }
  void read_log(std::string doc, std::uint64_t from, std::uint64_t to,
                Then<std::vector<proto::OpRecord>> done) override {
    inner_.read_log(std::move(doc), from, to, std::move(done));
  }
  void replay(std::string doc, std::uint64_t upto, Then<crdt::Rga> done) override {
    inner_.replay(std::move(doc), upto, std::move(done));
  }
  void read_history(std::string doc, HistoryRead read,
                    std::function<void(storage::StoreError)> failed) override {
    inner_.read_history(std::move(doc), std::move(read), std::move(failed));
  }
  void remove(std::string doc, Done done) override {
    inner_.remove(std::move(doc), std::move(done));
  }
  void create(proto::DocumentMeta meta, Done done) override {
    inner_.create(std::move(meta), std::move(done));
  }
  void update_meta(proto::DocumentMeta meta, Done done) override {
    inner_.update_meta(std::move(meta), std::move(done));
  }
  void append(std::string doc, std::vector<proto::OpRecord> records, Done done) override {
    ++appends;
    if (fail_appends) {
      boost::asio::post(ioc_, [done = std::move(done)] {
        done(tl::unexpected(storage::StoreError{storage::Errc::io_error, "disk on fire"}));
      });
      return;
    }
    if (hold_appends) {
      held_.push_back({std::move(doc), std::move(records), std::move(done)});
      return;
    }
    inner_.append(std::move(doc), std::move(records), std::move(done));
  }
  void write_snapshot(std::string doc, proto::SnapshotRecord snapshot, Done done) override {
    inner_.write_snapshot(std::move(doc), std::move(snapshot), std::move(done));
  }
  void put_version(std::string doc, proto::NamedVersion version, Done done) override {
    inner_.put_version(std::move(doc), std::move(version), std::move(done));
  }
  void read_versions(std::string doc, Then<std::vector<proto::NamedVersion>> done) override {
    inner_.read_versions(std::move(doc), std::move(done));
  }
  void remove_version(std::string doc, std::string name, Done done) override {
    inner_.remove_version(std::move(doc), std::move(name), std::move(done));
  }

 private:
  struct Held {
    std::string doc;
    std::vector<proto::OpRecord> records;
    Done done;
  };
  StoreOpStream inner_;
  boost::asio::io_context& ioc_;
  std::vector<Held> held_;
};

// The text a client holds after applying `frames` as it was sent them: snapshot chunks (each
// at the offset the previous ones reached) loaded once whole, then every op applied.
inline std::string caught_up_text(const std::vector<proto::Frame>& frames) {
  std::string snapshot;
  crdt::Rga rga;
  for (const auto& f : frames) {
    if (const auto* chunk = std::get_if<proto::SnapshotChunk>(&f)) {
      REQUIRE(chunk->offset == snapshot.size());
      snapshot += chunk->bytes;
      if (snapshot.size() == chunk->total) {
        auto decoded = crdt::decode_snapshot(snapshot);
        REQUIRE(decoded);
        auto loaded = crdt::Rga::from_snapshot(*decoded);
        REQUIRE(loaded);
        rga = std::move(*loaded);
      }
    }
    if (const auto* ops = std::get_if<proto::Ops>(&f)) {
      for (const auto& op : ops->ops) {
        REQUIRE(rga.apply_remote(op).status == crdt::ApplyStatus::applied);
      }
    }
  }
  return rga.text();
}

// Limits that make tests quick: presence flushes at once, digests and unloads not unless asked.
inline ServerConfig test_config() {
  ServerConfig config;
  config.limits.presence_interval_ms = 0;
  config.limits.digest_interval_ms = 3600 * 1000;
  config.unload_after = std::chrono::hours(1);
  return config;
}

struct Client {
  Client(const ConnectionServices& services, std::uint64_t id)
      : peer(std::make_shared<RecordingPeer>()), connection(services, peer, id, "test") {}
  void send(const proto::Frame& frame) { connection.on_message(proto::encode_frame(frame), true); }
  std::vector<proto::Frame> take() { return peer->take(); }

  std::shared_ptr<RecordingPeer> peer;
  Connection connection;
};

// Declaration order matters: clients go before the registry, the registry before the services and
// the io_context.
class TestServer {
 public:
  // `verifier` decides refresh frames; it must outlive the server.
  explicit TestServer(ServerConfig config = test_config(),
                      const base::TokenVerifier& verifier = open_verifier())
      : config_(std::move(config)),
        stream(store, ioc),
        registry({config_, stream, metrics, *log_, ioc.get_executor(), true}),
        services{config_, verifier, metrics, *log_, registry} {}
  ~TestServer() {
    clients_.clear();
    settle();
  }

  // Runs every ready handler (store calls included) until none is left.
  void settle() {
    for (int quiet = 0; quiet < 3;) {
      ioc.restart();
      quiet = ioc.poll() == 0 ? quiet + 1 : 0;
    }
  }

  // A new connection (not greeted).
  Client& open() {
    clients_.push_back(std::make_unique<Client>(services, ids.next()));
    return *clients_.back();
  }
  // A greeted connection, its welcome taken.
  Client& connect() {
    Client& client = open();
    client.send(proto::Hello{proto::protocol_version, "test"});
    settle();
    client.take();
    return client;
  }
  // Joins `doc` and returns the joined frame; the catch-up frames are left to take().
  proto::Joined join(Client& client, proto::Join join) {
    client.send(join);
    settle();
    const auto frames = client.peer->take();
    const auto joined = only<proto::Joined>(frames);
    REQUIRE_MESSAGE(joined.size() == 1, kinds(frames));
    last_frames = frames;
    return joined.front();
  }
  proto::Joined join_fresh(Client& client, const std::string& doc) {
    return join(client, proto::Join{doc, std::nullopt, std::nullopt, std::nullopt, {}});
  }
  void close(Client& client) { client.connection.on_closed(); }

  boost::asio::io_context ioc;

 private:
  ServerConfig config_;
  base::Logger log_ = base::make_null_logger();

 public:
  base::Metrics metrics;
  base::ConnectionIds ids;
  storage::MemoryStore store;
  TestStream stream;
  documents::Registry registry;
  ConnectionServices services;
  std::vector<proto::Frame> last_frames;  // everything the last join() received

 private:
  std::deque<std::unique_ptr<Client>> clients_;
};

inline crdt::InsertOp insert(crdt::ReplicaId replica, crdt::Seq seq, crdt::Lamport lamport,
                             crdt::Id parent, std::string text) {
  return crdt::InsertOp{replica, seq, lamport, parent, std::move(text)};
}

}  // namespace weft::server::test
