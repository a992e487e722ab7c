// protocol_core_fuzz.cpp — bytes → three connections on a document Registry over a MemoryStore,
// run to completion on one io_context, every Document checking its invariants after every
// handler; then every document's durable log must replay to the text the server serves, and
// every frame the server sent must decode.
//
// Input: a sequence of messages [control, len_lo, len_hi, bytes...]. control bits 0-1 pick the
// connection (3 means 0), bit 2 closes it after the message, bit 3 runs ready handlers first,
// bit 4 sends the message as text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "crdt/rga.hpp"
#include "crdt/snapshot.hpp"
#include "proto/frame_codec.hpp"
#include "server/base/connection_ids.hpp"
#include "server/base/log.hpp"
#include "server/base/metrics.hpp"
#include "server/base/principal.hpp"
#include "server/connections/connection.hpp"
#include "server/documents/op_stream.hpp"
#include "server/documents/registry.hpp"
#include "storage/document_loader.hpp"
#include "storage/memory_store.hpp"

namespace {

using namespace weft;

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "protocol_core_fuzz: %s\n", why.c_str());
  std::abort();
}

// Checks that the server only ever sends frames that decode; keeps the last joiner's catch-up.
class CheckingPeer final : public server::documents::Peer {
 public:
  void send(std::shared_ptr<const std::string> frame) override {
    auto decoded = proto::decode_frame(*frame);
    if (!decoded) fail("server sent an undecodable frame: " + decoded.error().message);
    frames.push_back(std::move(*decoded));
  }
  void close(proto::CloseCode, std::string_view) override {}
  std::vector<proto::Frame> frames;
};

void settle(boost::asio::io_context& ioc) {
  for (int quiet = 0; quiet < 3;) {
    ioc.restart();
    quiet = ioc.poll() == 0 ? quiet + 1 : 0;
  }
}

// Joins `doc` with a fresh checker and compares what it is served with the replayed store log.
void check_document(const server::connections::ConnectionServices& services,
                    boost::asio::io_context& ioc, storage::MemoryStore& store,
                    const std::string& doc) {
  auto replayed = storage::replay(store, doc, UINT64_MAX);
  if (!replayed) fail("log of " + doc + " does not replay: " + replayed.error().message);
  replayed->check_invariants();
  auto peer = std::make_shared<CheckingPeer>();
  server::connections::Connection checker(services, peer, 0, "checker");
  checker.on_message(proto::encode_frame(proto::Hello{proto::protocol_version, "checker"}), true);
  checker.on_message(proto::encode_frame(proto::Join{doc, {}, {}, {}, {}}), true);
  settle(ioc);
  std::string snapshot;
  bool synced = false;
  for (const auto& frame : peer->frames) {
    if (const auto* chunk = std::get_if<proto::SnapshotChunk>(&frame)) snapshot += chunk->bytes;
    if (const auto* s = std::get_if<proto::Synced>(&frame)) {
      synced = true;
      if (s->digest != proto::text_digest(replayed->text())) fail("digest differs from the log");
      if (!(s->version == replayed->version())) fail("version differs from the log");
    }
  }
  if (!synced) return;  // e.g. the document failed to load: nothing served, nothing to compare
  auto decoded = crdt::decode_snapshot(snapshot);
  if (!decoded) fail("served snapshot does not decode");
  auto rga = crdt::Rga::from_snapshot(*decoded);
  if (!rga) fail("served snapshot does not load");
  rga->check_invariants();
  if (rga->text() != replayed->text()) fail("served text differs from the log of " + doc);
  checker.on_closed();
  settle(ioc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  server::base::ServerConfig config;
  config.limits.presence_interval_ms = 0;
  config.limits.digest_interval_ms = 0;
  config.limits.max_frames_per_second = 1000000;
  config.limits.max_ops_per_frame = 64;
  config.unload_after = std::chrono::milliseconds(0);
  config.max_queued_ops = 256;
  config.snapshots.every_ops = 7;

  boost::asio::io_context ioc;
  storage::MemoryStore store;
  server::base::Metrics metrics;
  const server::base::Logger log = server::base::make_null_logger();
  const server::base::OpenVerifier verifier;
  server::documents::StoreOpStream stream(store, ioc.get_executor());
  server::documents::Registry registry({config, stream, metrics, *log, ioc.get_executor(), true});
  const server::connections::ConnectionServices services{config, verifier, metrics, *log, registry};
  {
    std::vector<std::shared_ptr<CheckingPeer>> peers;
    std::vector<std::unique_ptr<server::connections::Connection>> connections;
    for (std::uint64_t i = 1; i <= 3; ++i) {
      peers.push_back(std::make_shared<CheckingPeer>());
      connections.push_back(
          std::make_unique<server::connections::Connection>(services, peers.back(), i, "fuzz"));
    }
    std::size_t at = 0;
    while (at + 3 <= size) {
      const std::uint8_t control = data[at];
      std::size_t len = data[at + 1] | (std::size_t{data[at + 2]} << 8);
      at += 3;
      len = std::min(len, size - at);
      const std::string_view bytes(reinterpret_cast<const char*>(data + at), len);
      at += len;
      auto& connection = *connections[(control & 3) % 3];
      if ((control & 8) != 0) settle(ioc);
      connection.on_message(bytes, (control & 16) == 0);
      if ((control & 4) != 0) connection.on_closed();
      for (auto& peer : peers) peer->frames.clear();
    }
    settle(ioc);
    for (auto& connection : connections) connection->on_closed();
    settle(ioc);
  }
  auto documents = store.list();
  if (!documents) fail("list failed");
  for (const auto& summary : *documents) check_document(services, ioc, store, summary.id);
  return 0;
}
