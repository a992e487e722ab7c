// outbox.hpp — Outbox: one replica's local ops that the server has not acknowledged yet, and which
// of them are in flight on the current connection.
//
// The JS client's document handle keeps the same bookkeeping (its outbox and in-flight frames);
// this one is simpler because the C++ client resends from the first refused op instead of
// tracking frames.
//
// Invariants:
//   1. ops() hold ops of one replica in seq order, and each one ends above acked().
//   2. in_flight() <= size(): the first in_flight() ops were sent on the current connection; the
//      others wait to be sent.
// Not thread-safe: a Session owns one Outbox per document and touches it from its io_context.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "crdt/op.hpp"
#include "crdt/types.hpp"

namespace weft::client {

class Outbox {
 public:
  // Takes a new local op; it waits to be sent. Requires: it comes after every op held, in seq
  // order, and is of the same replica.
  void push(crdt::Op op);
  // The server holds every op of the replica below `next_seq` (an ack, or the version vector of
  // joined or synced): drops the ops that covers. acked() never goes down.
  void acknowledge(crdt::Seq next_seq);
  // The next frame's ops, oldest first: at least one op if any waits, at most `max_ops`, and no
  // more than `max_bytes` of estimated wire size beyond the first. They count as in flight.
  [[nodiscard]] std::vector<crdt::Op> take_frame(std::size_t max_ops, std::uint64_t max_bytes);
  // The server refused the frame that starts with op `first` (rate_limited): that op and every
  // op sent after it wait to be sent again. Ignored if `first` is not in flight.
  void refused(crdt::Id first);
  // Nothing is in flight any more (the connection closed, or the document caught up again): every
  // op waits to be sent.
  void resend_all() { in_flight_ = 0; }
  // The replica is abandoned (a reset or a refused resume): drops every op and forgets acked(),
  // since the next replica counts its seqs from the start. Returns how many ops it dropped.
  std::size_t abandon();

  // Every op not yet acknowledged, in seq order.
  [[nodiscard]] const std::deque<crdt::Op>& ops() const { return ops_; }
  [[nodiscard]] std::size_t size() const { return ops_.size(); }
  [[nodiscard]] bool empty() const { return ops_.empty(); }
  [[nodiscard]] std::size_t in_flight() const { return in_flight_; }
  [[nodiscard]] bool has_waiting() const { return in_flight_ < ops_.size(); }
  // Every op of the replica below this seq is durable on the server.
  [[nodiscard]] crdt::Seq acked() const { return acked_; }

 private:
  std::deque<crdt::Op> ops_;
  std::size_t in_flight_ = 0;
  crdt::Seq acked_ = 0;
};

}  // namespace weft::client
