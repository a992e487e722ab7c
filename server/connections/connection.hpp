// connection.hpp — the protocol core of one client connection: frames in, frames out, no sockets.
//
// The transport calls on_message() for each WebSocket message, one at a time, and on_closed()
// once when the connection ends; everything the client is sent goes through its Peer. The
// connection handles hello, rate limiting and routing; each document (document.hpp) handles
// join, ops, presence and leave for its members on its own strand. Not thread-safe: the
// transport calls it serially (from its read loop).
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "proto/frame.hpp"
#include "server/base/config.hpp"
#include "server/base/metrics.hpp"
#include "server/base/principal.hpp"
#include "server/connections/token_bucket.hpp"
#include "server/documents/document.hpp"
#include "server/documents/peer.hpp"
#include "server/documents/registry.hpp"

namespace spdlog {
class logger;
}

namespace weft::server::connections {

using documents::Peer;

// What every connection uses. Requires: everything referenced outlives the connections.
struct ConnectionServices {
  const base::ServerConfig& config;
  const base::TokenVerifier& verifier;  // refresh frames
  base::Metrics& metrics;
  spdlog::logger& log;
  documents::Registry& registry;  // where joins find their documents
};

class Connection {
 public:
  // `principal`: who the client is and what it may access (auth.hpp); development mode's by
  // default.
  Connection(const ConnectionServices& services, std::shared_ptr<Peer> peer, std::uint64_t id,
             std::string remote, base::Principal principal = base::Principal::development());
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // One complete WebSocket message; `binary` is false for text messages (an error: frames are
  // binary).
  void on_message(std::string_view bytes, bool binary);
  // The connection is gone (closed by either side, or dead): leave every document at once.
  // Idempotent.
  void on_closed();
  // True once a valid hello was received.
  [[nodiscard]] bool greeted() const { return greeted_; }
  [[nodiscard]] std::uint64_t id() const { return id_; }
  // Authentication (auth.hpp, PROTOCOL.md §13). The current token's expiry (Unix seconds), for
  // the transport's timer; it changes when a refresh frame is accepted.
  [[nodiscard]] std::optional<std::int64_t> token_expires() const { return principal_.expires; }
  // The transport's timer reached token_expires(): every membership ends with token_expired;
  // the connection stays open for a refresh and new joins.
  void on_token_expired();

 private:
  // Rest of the private interface: connection.cpp.
  void handle(proto::Frame frame);
  void on_frame(proto::Hello hello);
  void on_frame(proto::Join join);
  void on_frame(proto::Ops ops);
  void on_frame(proto::Presence presence);
  void on_frame(proto::Leave leave);
  void on_frame(proto::Diverged diverged);
  void on_frame(const proto::Refresh& refresh);
  template <class ServerFrame>
  void on_frame(ServerFrame frame);  // frames only servers send: malformed_frame
  void send(const proto::Frame& frame);
  void send_error(proto::ErrorCode code, std::string message,
                  std::optional<std::string> doc = std::nullopt);
  // Closes the connection (the peer sends `code`) and leaves every document.
  void close(proto::CloseCode code, std::string_view reason);
  [[nodiscard]] bool admit_frame();  // the frame rate limit; false = drop the frame
  // The ops/s and bytes/s buckets (connection_limits.cpp); false = the frame was refused with
  // rate_limited.
  [[nodiscard]] bool admit_ops(const proto::Ops& ops);

  const ConnectionServices& services_;
  std::shared_ptr<Peer> peer_;
  std::uint64_t id_ = 0;
  std::string remote_;
  bool greeted_ = false;
  bool closed_ = false;
  std::string client_;
  base::Principal principal_;
  bool token_expired_ = false;  // since the last accepted refresh: joins get token_expired
  // The documents joined (or being joined), for routing and for leaving them all on close.
  std::map<std::string, std::shared_ptr<documents::Document>, std::less<>> documents_;
  // Frames: max_frames_per_second, up to twice that banked.
  TokenBucket frame_bucket_;
  std::uint64_t dropped_in_window_ = 0;
  std::chrono::steady_clock::time_point window_start_;
  // Ops frames: op count and message bytes per second (PROTOCOL.md §9).
  TokenBucket ops_bucket_;
  TokenBucket bytes_bucket_;
  std::size_t message_bytes_ = 0;  // size of the message being handled
};

}  // namespace weft::server::connections
