// peer.hpp — one client connection as the protocol core sees it: a place to send frames to, and
// FrameSource, frames a peer produces one at a time as its socket drains (a joiner's catch-up).
//
// The transport (websocket_session.cpp) implements Peer over Beast; tests implement it with a
// recording fake. Thread-safe: documents call it from their own strands. Frames sent from one
// strand arrive in the order they were sent, paced sources included.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "proto/frame.hpp"

namespace weft::server::documents {

// Encoded frames produced on demand, in order. Used by one peer at a time, from any thread: a
// source holds its own state and shares only immutable data (e.g. a SnapshotImage).
class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // The next frame; null once every frame was produced (and from then on).
  [[nodiscard]] virtual std::shared_ptr<const std::string> next() = 0;
};

class Peer {
 public:
  virtual ~Peer() = default;
  // Queues one encoded frame (a binary WebSocket message). Shared so that a broadcast is encoded
  // once. Does nothing once the connection is closing.
  virtual void send(std::shared_ptr<const std::string> frame) = 0;
  // Queues every frame of `frames`, in order; frames sent later follow them. A peer with a socket
  // produces them only as its socket takes what it queued before (outbound_queue.hpp), so that a
  // large catch-up never sits in memory whole. This default produces them all at once.
  virtual void send_paced(std::shared_ptr<FrameSource> frames) {
    const std::shared_ptr<FrameSource> source = std::move(frames);
    while (auto frame = source->next()) send(std::move(frame));
  }
  // Sends the queued frames, then a close with `code` and `reason`, then closes. Frames of a
  // paced source not produced yet, and what was sent after it, are dropped.
  virtual void close(proto::CloseCode code, std::string_view reason) = 0;
};

}  // namespace weft::server::documents
