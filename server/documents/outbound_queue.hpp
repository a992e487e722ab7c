// outbound_queue.hpp — OutboundQueue: what waits for one client's socket: encoded frames, and
// paced sources (a joiner's catch-up) that produce their frames only as the socket drains.
//
// Frames are written in the order they were queued; a source's frames take its place in that
// order, and frames queued after a source wait until it is exhausted. A source produces while
// fewer than `low_watermark` bytes are ready to write, so a catch-up of any size holds about one
// frame in memory, and a client that stops reading stops its production. The max_outbound_bytes
// rule (PROTOCOL.md §9) applies to frames queued from outside: push() refuses a frame that would
// take the queued bytes above `max_bytes`; frames a source produces are never refused.
//
// Invariants: bytes() is the size of every queued frame (ready or waiting behind a source); the
// first waiting item, if any, is a source. Not thread-safe: one strand owns it (the session's).
#pragma once
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <variant>

#include "server/documents/peer.hpp"

namespace weft::server::documents {

class OutboundQueue {
 public:
  using Frame = std::shared_ptr<const std::string>;

  OutboundQueue(std::size_t max_bytes, std::size_t low_watermark);

  // Queues `frame` after everything queued. False (nothing queued) if bytes() would exceed
  // max_bytes: the client does not read.
  [[nodiscard]] bool push(Frame frame);
  // Queues `source` after everything queued.
  void push(std::shared_ptr<FrameSource> source);

  // The frame to write next, producing from the first source if no frame is ready; null if
  // nothing is left. It stays the front until pop().
  [[nodiscard]] const Frame* front();
  // The front frame was written.
  void pop();
  // Drops everything but the front frame (it may be being written): the sources, the frames
  // ready and the frames waiting behind a source.
  void drop_all_but_front();
  // Drops the sources and every frame queued after the first one (a close ends a catch-up).
  void drop_sources();
  void clear();

  [[nodiscard]] std::size_t bytes() const { return bytes_; }
  [[nodiscard]] bool empty() const { return ready_.empty() && waiting_.empty(); }
  [[nodiscard]] bool has_sources() const { return !waiting_.empty(); }

 private:
  using Item = std::variant<Frame, std::shared_ptr<FrameSource>>;
  // Produces from the first source while fewer than low_watermark_ bytes are ready; moves the
  // frames after an exhausted source to ready_.
  void refill();

  std::size_t max_bytes_;
  std::size_t low_watermark_;
  std::deque<Frame> ready_;   // in write order; the front may be being written
  std::deque<Item> waiting_;  // from the first source on
  std::size_t ready_bytes_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace weft::server::documents
