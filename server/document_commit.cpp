// document_commit.cpp — Document's commit pipeline: ops integrated into the Rga and batched, one
// append in flight, then acks to authors and relays to the other members; digests and snapshots
// after commits; what an append failure does.
#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/logger.h>

#include "crdt/errc.hpp"
#include "proto/frame_codec.hpp"
#include "server/document.hpp"
#include "server/document_limits.hpp"
#include "server/hub.hpp"
#include "server/metrics.hpp"
#include "server/op_runs.hpp"

namespace weft::server {

// Integrates one ops frame into the current batch. Requires: live, no append in flight.
void Document::integrate(OpsEvent event) {
  const auto it = members_.find(event.connection);
  if (it == members_.end()) {
    return send_error(*event.peer, proto::ErrorCode::not_joined, "ops: not a member");
  }
  const Member& member = it->second;
  if (!admit_writer(member, event.ops)) {
    hub_.ops_rejected += event.ops.ops.size();
    return;
  }
  std::vector<crdt::Op> integrated;
  std::uint64_t rejected = 0;
  bool accepted = false;  // some op applied, buffered or duplicate: the author gets an ack
  for (const crdt::Op& op : event.ops.ops) {
    const crdt::Id id{crdt::op_replica(op), crdt::op_seq(op)};
    if (id.replica != member.replica) {
      ++rejected;
      send_error(*member.peer, proto::ErrorCode::replica_mismatch,
                 "op authored under replica " + std::to_string(id.replica) + ", member is " +
                     std::to_string(member.replica),
                 id);
      continue;
    }
    if (!admit_size(member, op, id)) {
      ++rejected;
      continue;
    }
    const std::size_t integrated_before = integrated.size();
    const crdt::ApplyResult result = rga_.apply_remote(op, &integrated);
    for (std::size_t i = integrated_before; i < integrated.size(); ++i) {
      document_bytes_ += inserted_bytes(integrated[i]);
    }
    accepted = accepted || result.status != crdt::ApplyStatus::rejected;
    if (result.status == crdt::ApplyStatus::rejected) {
      ++rejected;
      const bool ours = result.error.category() == crdt::category();
      const auto code = static_cast<std::uint64_t>(proto::ErrorCode::op_rejected_base) +
                        static_cast<std::uint64_t>(result.error.value());
      member.peer->send(std::make_shared<const std::string>(proto::encode_frame(proto::Error{
          code,
          ours ? std::string(crdt::errc_name(static_cast<crdt::Errc>(result.error.value())))
               : "internal_error",
          result.error.message(), id_, id})));
    }
  }
  for (crdt::Op& op : integrated) {
    batch_.records.push_back(
        proto::OpRecord{next_index_++, now_us(), member.user_id, std::move(op)});
  }
  if (accepted) batch_.authors.insert(event.connection);
  if (accepted) batch_.received.push_back(event.received);
  hub_.ops_applied += integrated.size();
  hub_.ops_rejected += rejected;
  Metrics& metrics = hub_.metrics();
  metrics.ops_received.Increment(static_cast<double>(event.ops.ops.size()));
  metrics.ops_applied.Increment(static_cast<double>(integrated.size()));
  if (rejected > 0) {
    metrics.ops_rejected.Increment(static_cast<double>(rejected));
    hub_.log().info("conn={} doc={} event=ops_rejected count={} of={}", event.connection, id_,
                    rejected, event.ops.ops.size());
  }
}

namespace {

// The ack latency metric: every ops event of the batch just acked, from its arrival.
void observe_acks(Metrics& metrics,
                  const std::vector<std::chrono::steady_clock::time_point>& received) {
  const auto now = std::chrono::steady_clock::now();
  for (const auto at : received) {
    metrics.ack_seconds.Observe(std::chrono::duration<double>(now - at).count());
  }
}

}  // namespace

// max_document_bytes: an insert whose text would grow the document past it is refused whole
// (document_full, naming it). Checked on arrival with the op's full text; ops released later from
// the pending buffer are counted but not refused (they were admitted when they arrived).
bool Document::admit_size(const Member& member, const crdt::Op& op, crdt::Id id) {
  const std::uint64_t bytes = inserted_bytes(op);
  const std::uint64_t limit = hub_.config().limits.max_document_bytes;
  if (bytes == 0 || document_bytes_ + bytes <= limit) return true;
  send_error(*member.peer, proto::ErrorCode::document_full,
             "insert of " + std::to_string(bytes) + " bytes refused: the document holds " +
                 std::to_string(document_bytes_) + " of at most " + std::to_string(limit) +
                 " bytes",
             id);
  return false;
}

void Document::start_append() {
  Batch batch = std::exchange(batch_, {});
  if (batch.records.empty()) {
    // Only duplicates (or buffered ops): nothing to make durable, ack what is.
    complete_batch({}, batch.authors);
    return observe_acks(hub_.metrics(), batch.received);
  }
  hub_.metrics().batch_ops.Observe(static_cast<double>(batch.records.size()));
  append_started_ = std::chrono::steady_clock::now();
  in_flight_received_ = std::move(batch.received);
  in_flight_records_ = std::move(batch.records);
  in_flight_authors_ = std::move(batch.authors);
  in_flight_vv_ = rga_.version();
  store_busy_ = true;
  hub_.stream().append(
      id_, in_flight_records_, [self = shared_from_this()](storage::Result<void> appended) {
        boost::asio::post(self->strand_,
                          std::bind_front(&Document::on_appended, self, std::move(appended)));
      });
}

void Document::on_appended(storage::Result<void> appended) {
  store_busy_ = false;
  if (!appended) return fail_storage(appended.error().message);
  durable_vv_ = in_flight_vv_;
  const auto records = std::exchange(in_flight_records_, {});
  const auto authors = std::exchange(in_flight_authors_, {});
  ops_since_snapshot_ += records.size();
  complete_batch(records, authors);
  hub_.metrics().commit_seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - append_started_).count());
  observe_acks(hub_.metrics(), std::exchange(in_flight_received_, {}));
  if (shutting_down_) return finish_shutdown();
  maybe_snapshot();
  digest_due_ = true;
  maybe_send_digest();
  drain();
}

// The batch is durable: ack its authors, relay its ops to every other member.
void Document::complete_batch(const std::vector<proto::OpRecord>& records,
                              const std::set<std::uint64_t>& authors) {
  for (const std::uint64_t connection : authors) {
    const auto it = members_.find(connection);
    if (it == members_.end()) continue;
    send(*it->second.peer, proto::Ack{id_, durable_vv_.get(it->second.replica)});
  }
  if (records.empty()) return;
  // Members get every op but their own replica's; frames are encoded once per replica.
  std::map<crdt::ReplicaId, std::vector<std::shared_ptr<const std::string>>> frames;
  for (auto& [connection, member] : members_) {
    auto [it, inserted] = frames.try_emplace(member.replica);
    if (inserted) {
      std::vector<crdt::Op> ops;
      for (const auto& record : records) {
        if (crdt::op_replica(record.op) != member.replica) ops.push_back(record.op);
      }
      it->second = pack_ops_frames(id_, merge_runs(std::move(ops), hub_.config().limits.max_run),
                                   hub_.config().limits);
    }
    for (const auto& frame : it->second) member.peer->send(frame);
  }
}

// The in-memory state holds ops that are not durable: drop it and everyone with it.
void Document::fail_storage(const std::string& why) {
  for (auto& [connection, member] : members_) {
    send_error(*member.peer, proto::ErrorCode::storage_failed, "store write failed: " + why);
  }
  for (const PreparedJoin& join : std::exchange(prepared_joins_, {})) {
    send_error(*join.event.peer, proto::ErrorCode::storage_failed, "store write failed: " + why);
  }
  for (Event& event : std::exchange(queue_, {})) {
    if (auto* join = std::get_if<JoinEvent>(&event)) {
      send_error(*join->peer, proto::ErrorCode::storage_failed, "store write failed: " + why);
    }
  }
  members_.clear();
  queued_ops_ = 0;
  report_queue_depth();
  batch_ = {};
  in_flight_records_.clear();
  in_flight_authors_.clear();
  state_ = State::failed;
  cancel_timers();
  if (shutting_down_) return finish_shutdown();
  hub_.release(*this);
}

void Document::maybe_send_digest() {
  if (!digest_due_ || store_busy_ || state_ != State::live) return;
  const auto interval = std::chrono::milliseconds(hub_.config().limits.digest_interval_ms);
  const auto now = std::chrono::steady_clock::now();
  if (now < last_digest_ + interval) {
    if (!digest_armed_) {
      digest_armed_ = true;
      digest_timer_.expires_at(last_digest_ + interval);
      digest_timer_.async_wait(std::bind_front(&Document::on_digest_timer, shared_from_this()));
    }
    return;
  }
  digest_due_ = false;
  last_digest_ = now;
  const auto frame = std::make_shared<const std::string>(
      proto::encode_frame(proto::DigestFrame{id_, durable_vv_, proto::text_digest(rga_.text())}));
  for (auto& [connection, member] : members_) member.peer->send(frame);
}

void Document::on_digest_timer(boost::system::error_code ec) {
  digest_armed_ = false;
  if (ec) return;
  // While an append is in flight the Rga is ahead of the durable state: on_appended sends it.
  maybe_send_digest();
}

void Document::maybe_snapshot() {
  if (snapshot_busy_) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - last_snapshot_).count();
  if (hub_.config().snapshots.due(ops_since_snapshot_, seconds)) write_snapshot();
}

// Requires: no append in flight (the Rga equals the durable log of next_index_ records).
void Document::write_snapshot() {
  snapshot_busy_ = true;
  proto::SnapshotRecord record;
  record.log_index = next_index_;
  record.created_us = now_us();
  record.state = rga_.snapshot();
  hub_.stream().write_snapshot(
      id_, std::move(record),
      [self = shared_from_this(), covered = ops_since_snapshot_](storage::Result<void> written) {
        boost::asio::post(self->strand_, std::bind_front(&Document::on_snapshot_written, self,
                                                         covered, std::move(written)));
      });
}

void Document::on_snapshot_written(std::uint64_t covered, storage::Result<void> written) {
  snapshot_busy_ = false;
  if (written) {
    ops_since_snapshot_ -= std::min(ops_since_snapshot_, covered);
    last_snapshot_ = std::chrono::steady_clock::now();
  }
  if (shutting_down_) return finish_shutdown();
  if (unloading_) {
    unloading_ = false;
    // A failed snapshot costs only load time: the log is durable.
    if (can_unload()) return finish_unload();
    maybe_schedule_unload();
  }
}

}  // namespace weft::server
