// outbox.cpp — Outbox: acknowledgements, frame sizing, refusals.
#include "client/outbox.hpp"

#include <algorithm>
#include <utility>
#include <variant>

namespace weft::client {

namespace {

// A delete target [replica, seq, len] encodes in at most this many bytes.
constexpr std::uint64_t delete_target_bytes = 30;

crdt::Seq op_end(const crdt::Op& op) { return crdt::op_seq(op) + crdt::op_len(op); }

// An upper bound of `op`'s encoded size: its text or targets plus 64 bytes of fixed fields.
std::uint64_t op_wire_bytes(const crdt::Op& op) {
  if (const auto* insert = std::get_if<crdt::InsertOp>(&op)) return insert->text.size() + 64;
  return std::get<crdt::DeleteOp>(op).targets.size() * delete_target_bytes + 64;
}

}  // namespace

void Outbox::push(crdt::Op op) { ops_.push_back(std::move(op)); }

void Outbox::acknowledge(crdt::Seq next_seq) {
  acked_ = std::max(acked_, next_seq);
  while (!ops_.empty() && op_end(ops_.front()) <= acked_) {
    ops_.pop_front();
    if (in_flight_ > 0) --in_flight_;
  }
}

std::vector<crdt::Op> Outbox::take_frame(std::size_t max_ops, std::uint64_t max_bytes) {
  std::vector<crdt::Op> frame;
  std::uint64_t bytes = 0;
  while (has_waiting() && (frame.empty() || frame.size() < max_ops)) {
    const crdt::Op& op = ops_[in_flight_];
    const std::uint64_t size = op_wire_bytes(op);
    if (!frame.empty() && bytes + size > max_bytes) break;
    frame.push_back(op);
    bytes += size;
    ++in_flight_;
  }
  return frame;
}

void Outbox::refused(crdt::Id first) {
  for (std::size_t i = 0; i < in_flight_; ++i) {
    if (crdt::op_replica(ops_[i]) == first.replica && crdt::op_seq(ops_[i]) == first.seq) {
      in_flight_ = i;
      return;
    }
  }
}

std::size_t Outbox::abandon() {
  const std::size_t dropped = ops_.size();
  ops_.clear();
  in_flight_ = 0;
  acked_ = 0;
  return dropped;
}

}  // namespace weft::client
