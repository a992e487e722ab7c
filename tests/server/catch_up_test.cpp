// catch_up_test.cpp — paced catch-up: documents/outbound_queue.hpp (frames and paced sources in
// write order) and a joiner whose peer drains one frame at a time (documents/catch_up.hpp): the
// catch-up is produced only as the peer drains, and live ops reach it after its catch-up.
#include "server/documents/catch_up.hpp"

#include <doctest/doctest.h>

#include "server/documents/outbound_queue.hpp"
#include "tests/server/server_test_support.hpp"

namespace weft::server::test {
namespace {

using documents::FrameSource;
using documents::OutboundQueue;
using Frame = OutboundQueue::Frame;

Frame frame_of(std::size_t bytes, char fill = 'f') {
  return std::make_shared<const std::string>(bytes, fill);
}

// `count` frames of `bytes` each; counts how many it produced.
class CountingSource final : public FrameSource {
 public:
  CountingSource(int count, std::size_t bytes) : left_(count), bytes_(bytes) {}
  [[nodiscard]] Frame next() override {
    if (left_ == 0) return nullptr;
    --left_;
    ++produced;
    return frame_of(bytes_, 's');
  }
  int produced = 0;

 private:
  int left_;
  std::size_t bytes_;
};

// Counts the frames a source produced, whatever it is.
class Counted final : public FrameSource {
 public:
  explicit Counted(std::shared_ptr<FrameSource> inner) : inner_(std::move(inner)) {}
  [[nodiscard]] Frame next() override {
    auto frame = inner_->next();
    if (frame) ++produced;
    return frame;
  }
  int produced = 0;

 private:
  std::shared_ptr<FrameSource> inner_;
};

// A peer with a socket that takes one frame per drain_one(): sends and paced sources go through
// an OutboundQueue as in the WebSocket session; `written` holds what the socket took, decoded.
class DrainingPeer final : public Peer {
 public:
  explicit DrainingPeer(std::size_t low_watermark) : queue_(1 << 30, low_watermark) {}

  void send(Frame frame) override { REQUIRE(queue_.push(std::move(frame))); }
  void send_paced(std::shared_ptr<FrameSource> frames) override {
    auto counted = std::make_shared<Counted>(std::move(frames));
    sources_.push_back(counted);
    queue_.push(std::shared_ptr<FrameSource>(counted));
  }
  void close(proto::CloseCode, std::string_view) override {}

  // The socket takes the front frame; false if there was none.
  bool drain_one() {
    const Frame* front = queue_.front();
    if (front == nullptr) return false;
    auto decoded = proto::decode_frame(**front);
    REQUIRE(decoded);
    written.push_back(std::move(*decoded));
    queue_.pop();
    return true;
  }
  void drain_all() {
    while (drain_one()) {
    }
  }
  // Catch-up frames produced so far (taken by the socket or waiting in the queue).
  [[nodiscard]] int produced() const {
    int n = 0;
    for (const auto& source : sources_) n += source->produced;
    return n;
  }
  [[nodiscard]] std::size_t queued_bytes() const { return queue_.bytes(); }

  std::vector<proto::Frame> written;

 private:
  OutboundQueue queue_;
  std::vector<std::shared_ptr<Counted>> sources_;
};

// A connection on `server` that says hello and joins "doc" through `peer`, settled: its
// catch-up then waits on what `peer` drains.
std::unique_ptr<Connection> join_paced(TestServer& server,
                                       const std::shared_ptr<DrainingPeer>& peer) {
  auto connection = std::make_unique<Connection>(server.services, peer, server.ids.next(), "test");
  connection->on_message(proto::encode_frame(proto::Hello{proto::protocol_version, "paced"}), true);
  connection->on_message(
      proto::encode_frame(proto::Join{"doc", std::nullopt, std::nullopt, std::nullopt, {}}), true);
  server.settle();
  return connection;
}

// A server whose frames are small, so that a modest document has many catch-up frames.
ServerConfig small_frames() {
  ServerConfig config = test_config();
  config.limits.max_frame_bytes = 4096;
  return config;
}

}  // namespace

TEST_SUITE("OutboundQueue") {
  TEST_CASE("a source produces only while fewer than the low watermark bytes are ready") {
    OutboundQueue queue(1 << 20, 100);
    auto source = std::make_shared<CountingSource>(10, 60);
    queue.push(std::shared_ptr<FrameSource>(source));
    CHECK(source->produced == 2);  // 0 -> 60 -> 120 bytes ready: stops at the watermark
    CHECK(queue.bytes() == 120);
    for (int written = 1; written <= 8; ++written) {
      REQUIRE(queue.front() != nullptr);
      queue.pop();
      CHECK(source->produced == std::min(10, written + 2));
    }
    CHECK(queue.has_sources());
    queue.pop();
    queue.pop();
    CHECK(queue.front() == nullptr);
    CHECK_FALSE(queue.has_sources());
    CHECK(queue.bytes() == 0);
  }

  TEST_CASE("frames queued after a source are written after all of its frames") {
    OutboundQueue queue(1 << 20, 1);
    REQUIRE(queue.push(frame_of(3, 'a')));
    queue.push(std::shared_ptr<FrameSource>(std::make_shared<CountingSource>(3, 2)));
    REQUIRE(queue.push(frame_of(4, 'b')));
    std::string order;
    while (const Frame* front = queue.front()) {
      order += (*front)->front();
      queue.pop();
    }
    CHECK(order == "asssb");
  }

  TEST_CASE("pushed frames beyond max bytes are refused; produced ones never are") {
    OutboundQueue queue(100, 1000);
    queue.push(std::shared_ptr<FrameSource>(std::make_shared<CountingSource>(3, 60)));
    CHECK(queue.bytes() == 180);  // the source's own frames may exceed the limit
    CHECK_FALSE(queue.push(frame_of(1)));
    queue.drop_all_but_front();
    CHECK(queue.bytes() == 60);
    CHECK_FALSE(queue.has_sources());
    CHECK(queue.push(frame_of(40)));
    CHECK_FALSE(queue.push(frame_of(1)));
  }

  TEST_CASE("drop_sources ends a catch-up and what waits behind it; ready frames stay") {
    OutboundQueue queue(1 << 20, 1);  // 'a' ready: the source produces nothing yet
    REQUIRE(queue.push(frame_of(5, 'a')));
    queue.push(std::shared_ptr<FrameSource>(std::make_shared<CountingSource>(5, 20)));
    REQUIRE(queue.push(frame_of(5, 'b')));
    queue.drop_sources();
    CHECK(queue.bytes() == 5);
    REQUIRE(queue.front() != nullptr);
    CHECK((*queue.front())->front() == 'a');
    queue.pop();
    CHECK(queue.front() == nullptr);
  }
}

TEST_SUITE("paced catch-up") {
  TEST_CASE("a joiner's snapshot chunks are produced only as its peer drains") {
    TestServer server(small_frames());
    Client& writer = server.connect();
    const auto r = server.join_fresh(writer, "doc").replica;
    const std::string text(200'000, 'x');
    writer.send(proto::Ops{"doc", {insert(r, 0, 1, crdt::root_id, text)}});
    server.settle();

    auto peer = std::make_shared<DrainingPeer>(1);  // produce only when nothing is ready
    auto joiner = join_paced(server, peer);
    // ~110 chunks of at most 1792 bytes make the document; nothing drained yet, so the document
    // produced none of them (welcome and joined wait in front).
    CHECK(peer->produced() == 0);
    const std::size_t queued_at_join = peer->queued_bytes();
    CHECK(queued_at_join < 4096);

    int drained = 0;
    int most_ahead = 0;  // chunks produced but not yet taken by the socket
    while (peer->drain_one()) {
      ++drained;
      int taken = 0;
      for (const auto& f : peer->written) taken += std::holds_alternative<proto::SnapshotChunk>(f);
      most_ahead = std::max(most_ahead, peer->produced() - taken);
      CHECK(peer->queued_bytes() <= 4096);
      server.settle();
    }
    CHECK(most_ahead <= 1);
    const auto chunks = only<proto::SnapshotChunk>(peer->written);
    CHECK(chunks.size() > 100);
    CHECK(peer->produced() == static_cast<int>(chunks.size()));
    CHECK(kinds(peer->written).starts_with("welcome joined snapshot"));
    CHECK(kinds(peer->written).ends_with("snapshot synced presences"));
    CHECK(caught_up_text(peer->written) == text);
    joiner->on_closed();
    server.settle();
  }

  TEST_CASE("live ops committed during a paced catch-up reach the joiner after it, in order") {
    TestServer server(small_frames());
    Client& writer = server.connect();
    const auto r = server.join_fresh(writer, "doc").replica;
    const std::string text(50'000, 'y');
    writer.send(proto::Ops{"doc", {insert(r, 0, 1, crdt::root_id, text)}});
    server.settle();

    auto peer = std::make_shared<DrainingPeer>(1);
    auto joiner = join_paced(server, peer);
    for (int i = 0; i < 5; ++i) REQUIRE(peer->drain_one());  // welcome, joined, some chunks
    CHECK(only<proto::Synced>(peer->written).empty());
    writer.take();

    // Two edits become durable while the joiner is still catching up.
    const crdt::Seq end = text.size();
    writer.send(proto::Ops{"doc", {insert(r, end, end + 1, {r, end - 1}, "A")}});
    server.settle();
    writer.send(proto::Ops{"doc", {insert(r, end + 1, end + 2, {r, end}, "B")}});
    server.settle();
    CHECK(only<proto::Ack>(writer.take()).size() == 2);
    CHECK(only<proto::Ops>(peer->written).empty());

    peer->drain_all();
    const std::string seen = kinds(peer->written);
    const auto synced_at = seen.find("synced");
    const auto ops_at = seen.find("ops");
    REQUIRE(synced_at != std::string::npos);
    REQUIRE(ops_at != std::string::npos);
    CHECK(synced_at < ops_at);
    CHECK(seen.find("snapshot", synced_at) == std::string::npos);
    CHECK(caught_up_text(peer->written) == text + "AB");
    joiner->on_closed();
    server.settle();
  }

  TEST_CASE("a joiner while another is still sent a snapshot gets it and the ops since") {
    TestServer server(small_frames());
    Client& writer = server.connect();
    const auto r = server.join_fresh(writer, "doc").replica;
    const std::string text(20'000, 'w');
    writer.send(proto::Ops{"doc", {insert(r, 0, 1, crdt::root_id, text)}});
    server.settle();
    auto first = std::make_shared<DrainingPeer>(1);
    auto first_connection = join_paced(server, first);
    for (int i = 0; i < 4; ++i) REQUIRE(first->drain_one());  // still catching up
    const crdt::Seq end = text.size();
    writer.send(proto::Ops{"doc", {insert(r, end, end + 1, {r, end - 1}, "!")}});
    server.settle();
    auto second = std::make_shared<DrainingPeer>(1);
    auto second_connection = join_paced(server, second);
    first->drain_all();
    second->drain_all();
    CHECK(caught_up_text(first->written) == text + "!");
    CHECK(caught_up_text(second->written) == text + "!");
    // The second was sent the first one's snapshot (same bytes), then the op made since.
    const auto first_chunks = only<proto::SnapshotChunk>(first->written);
    const auto second_chunks = only<proto::SnapshotChunk>(second->written);
    REQUIRE(first_chunks.size() == second_chunks.size());
    for (std::size_t i = 0; i < first_chunks.size(); ++i) {
      CHECK(first_chunks[i].bytes == second_chunks[i].bytes);
    }
    CHECK(kinds(second->written).ends_with("snapshot ops synced presences"));
    const auto synced = only<proto::Synced>(second->written);
    REQUIRE(synced.size() == 1);
    CHECK(synced.front().digest == proto::text_digest(text + "!"));
    first_connection->on_closed();
    second_connection->on_closed();
    server.settle();
  }

  TEST_CASE("joiners of the same state share one snapshot image") {
    const crdt::ReplicaId r = 1;
    documents::SnapshotImages images;
    crdt::Rga rga;
    REQUIRE(rga.apply_remote(insert(r, 0, 1, crdt::root_id, "abc")).status ==
            crdt::ApplyStatus::applied);
    const auto first = images.image(rga, 1);
    const auto second = images.image(rga, 1);
    CHECK(first.get() == second.get());
    CHECK(first->bytes(0, first->size()) == crdt::encode_snapshot(rga.snapshot()));
    CHECK(images.digest(rga, 1) == proto::text_digest("abc"));
    REQUIRE(rga.apply_remote(insert(r, 3, 4, {r, 2}, "d")).status == crdt::ApplyStatus::applied);
    const auto third = images.image(rga, 2);
    CHECK(third.get() != first.get());
    CHECK(first->text == "abc");  // a joiner still sending the old image keeps it intact
    CHECK(third->text == "abcd");
  }
}

}  // namespace weft::server::test
