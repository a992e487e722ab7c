// peer.hpp — one client connection as the protocol core sees it: a place to send frames to.
//
// The transport (websocket_session.cpp) implements it over Beast; tests implement it with a
// recording fake. Thread-safe: documents call it from their own strands. Frames sent from one
// strand arrive in the order they were sent.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "proto/frame.hpp"

namespace weft::server::documents {

class Peer {
 public:
  virtual ~Peer() = default;
  // Queues one encoded frame (a binary WebSocket message). Shared so that a broadcast is encoded
  // once. Does nothing once the connection is closing.
  virtual void send(std::shared_ptr<const std::string> frame) = 0;
  // Sends the queued frames, then a close with `code` and `reason`, then closes.
  virtual void close(proto::CloseCode code, std::string_view reason) = 0;
};

}  // namespace weft::server::documents
