// commit_pipeline.cpp — CommitPipeline: integration into the batch, the append in flight, and
// what a durable batch acks and relays.
#include "server/documents/commit_pipeline.hpp"

#include <string>
#include <utility>

#include "proto/error_frame.hpp"
#include "server/base/check.hpp"
#include "server/base/clock.hpp"
#include "server/documents/document_limits.hpp"

namespace weft::server::documents {

CommitPipeline::CommitPipeline(crdt::Limits limits) : rga_(0, limits) {}

void CommitPipeline::load(crdt::Rga rga, std::uint64_t next_index) {
  rga_ = std::move(rga);
  document_bytes_ = loaded_document_bytes(rga_);
  durable_ = rga_.version();
  durable_index_ = next_index;
  next_index_ = next_index;
}

CommitPipeline::Integrated CommitPipeline::integrate(const Author& author, const proto::Ops& ops,
                                                     TimePoint received,
                                                     std::uint64_t max_document_bytes) {
  Integrated out;
  std::vector<crdt::Op> integrated;
  // Some op applied or duplicate: the author gets an ack. A buffered op alone gets none, since
  // no ack could cover it yet (an ack of what is durable would tell the author nothing).
  bool accepted = false;
  for (const crdt::Op& op : ops.ops) {
    const crdt::Id id{crdt::op_replica(op), crdt::op_seq(op)};
    if (id.replica != author.replica) {
      ++out.rejected;
      out.errors.push_back(proto::make_error(proto::ErrorCode::replica_mismatch,
                                             "op authored under replica " +
                                                 std::to_string(id.replica) + ", member is " +
                                                 std::to_string(author.replica),
                                             ops.doc, id));
      continue;
    }
    // max_document_ops: the log's length, the same after a restart as before it.
    if (next_index_ + integrated.size() >= max_document_ops) {
      ++out.rejected;
      out.errors.push_back(proto::make_error(
          proto::ErrorCode::document_full,
          "op refused: the document holds " + std::to_string(max_document_ops) + " ops", ops.doc,
          id));
      continue;
    }
    // max_document_bytes: an insert whose text would grow the document past it is refused whole.
    // Checked on arrival with the op's full text; ops released later from the Rga's pending
    // buffer are counted but not refused (they were admitted when they arrived).
    if (const std::uint64_t bytes = inserted_bytes(op);
        bytes > 0 && document_bytes_ + bytes > max_document_bytes) {
      ++out.rejected;
      out.errors.push_back(proto::make_error(proto::ErrorCode::document_full,
                                             "insert of " + std::to_string(bytes) +
                                                 " bytes refused: the document holds " +
                                                 std::to_string(document_bytes_) + " of at most " +
                                                 std::to_string(max_document_bytes) + " bytes",
                                             ops.doc, id));
      continue;
    }
    const std::size_t before = integrated.size();
    const crdt::ApplyResult result = rga_.apply_remote(op, &integrated);
    for (std::size_t i = before; i < integrated.size(); ++i) {
      document_bytes_ += inserted_bytes(integrated[i]);
    }
    if (result.status == crdt::ApplyStatus::rejected) {
      ++out.rejected;
      out.errors.push_back(proto::op_rejected(result.error, ops.doc, id));
    } else if (result.status != crdt::ApplyStatus::buffered) {
      accepted = true;
    }
    for (const crdt::DroppedOp& dropped : result.dropped_ops) {
      out.dropped.push_back(
          {dropped.id.replica, proto::op_rejected(dropped.error, ops.doc, dropped.id)});
    }
  }
  const std::int64_t now = base::now_us();
  for (crdt::Op& op : integrated) {
    batch_.replicas.insert(crdt::op_replica(op));
    batch_.records.push_back(proto::OpRecord{next_index_++, now, author.user_id, std::move(op)});
  }
  out.applied = integrated.size();
  if (accepted) {
    batch_.authors.insert(author.connection);
    batch_.received.push_back(received);
  }
  return out;
}

std::optional<CommitPipeline::Completed> CommitPipeline::start() {
  WEFT_CHECK(!appending_, "one append in flight at most");
  Batch batch = std::exchange(batch_, {});
  if (batch.records.empty()) {
    return Completed{{}, std::move(batch.authors), {}, std::move(batch.received)};
  }
  appending_ = true;
  in_flight_ = std::move(batch);
  in_flight_version_ = rga_.version();
  return std::nullopt;
}

CommitPipeline::Completed CommitPipeline::complete() {
  WEFT_CHECK(appending_, "complete() of an append in flight");
  appending_ = false;
  durable_ = in_flight_version_;
  durable_index_ += in_flight_.records.size();
  Batch done = std::exchange(in_flight_, {});
  return Completed{std::move(done.records), std::move(done.authors), std::move(done.replicas),
                   std::move(done.received)};
}

void CommitPipeline::fail() {
  appending_ = false;
  batch_ = {};
  in_flight_ = {};
}

void CommitPipeline::check_invariants() const {
  const std::uint64_t in_flight = appending_ ? in_flight_.records.size() : 0;
  WEFT_CHECK(appending_ || in_flight_.records.empty(), "1: in-flight records only while appending");
  WEFT_CHECK(durable_index_ + in_flight + batch_.records.size() == next_index_,
             "2: next index = durable + in flight + batch");
  if (!batch_.records.empty()) {
    WEFT_CHECK(batch_.records.front().index == durable_index_ + in_flight,
               "1: the batch follows the append in flight");
  }
  if (!appending_ && batch_.records.empty()) {
    WEFT_CHECK(rga_.version() == durable_, "3: an idle pipeline's replica is the durable log");
  }
  rga_.check_invariants();
}

}  // namespace weft::server::documents
