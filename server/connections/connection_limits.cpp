// connection_limits.cpp — Connection's per-connection ops/s and bytes/s limits (PROTOCOL.md §9).
#include <string>

#include "crdt/op.hpp"
#include "proto/error_frame.hpp"
#include "server/connections/connection.hpp"

namespace weft::server::connections {

// An ops frame costs one token per op in the ops bucket and its message size in the bytes bucket.
// It passes only if both buckets admit it; otherwise it is refused whole, before any document sees
// it, with rate_limited naming its first op, so the client knows what to send again.
bool Connection::admit_ops(const proto::Ops& ops) {
  if (ops.ops.empty()) return true;
  const auto now = TokenBucket::Clock::now();
  const auto op_cost = static_cast<double>(ops.ops.size());
  const auto byte_cost = static_cast<double>(message_bytes_);
  const bool ops_fit = ops_bucket_.fits(op_cost, now);
  if (ops_fit && bytes_bucket_.take(byte_cost, now)) {
    (void)ops_bucket_.take(op_cost, now);
    return true;
  }
  const crdt::Op& first = ops.ops.front();
  const std::string what =
      ops_fit
          ? std::to_string(message_bytes_) + " bytes exceed " +
                std::to_string(services_.config.limits.max_bytes_per_second) + " bytes per second"
          : std::to_string(ops.ops.size()) + " ops exceed " +
                std::to_string(services_.config.limits.max_ops_per_second) + " ops per second";
  send(proto::make_error(proto::ErrorCode::rate_limited,
                         "ops frame refused: " + what + "; send it again later", ops.doc,
                         crdt::Id{crdt::op_replica(first), crdt::op_seq(first)}));
  return false;
}

}  // namespace weft::server::connections
