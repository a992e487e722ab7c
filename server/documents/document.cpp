// document.cpp — Document, the actor: events and their queue, loading, joins, ops through the
// commit pipeline to acks and relays, presence, digests, snapshots, unload and shutdown.
//
// The life of an ops frame here: ops() posts an OpsEvent -> dispatch() queues it -> drain() ->
// integrate() (CommitPipeline::integrate, errors to the author) -> start_append() (the batch to
// OpStream::append) -> on_appended() -> finish_commit(): acks to the authors, relays to the others.
#include "server/documents/document.hpp"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <spdlog/logger.h>

#include "crdt/op.hpp"
#include "proto/error_frame.hpp"
#include "proto/frame_codec.hpp"
#include "server/base/check.hpp"
#include "server/base/clock.hpp"
#include "server/base/metrics.hpp"
#include "server/documents/catch_up.hpp"
#include "server/documents/document_limits.hpp"
#include "server/documents/op_runs.hpp"
#include "storage/document_loader.hpp"

namespace weft::server::documents {
namespace {

std::shared_ptr<const std::string> encoded(const proto::Frame& frame) {
  return std::make_shared<const std::string>(proto::encode_frame(frame));
}

// The ack latency metric: every ops event of a batch just acked, from its arrival.
void observe_acks(base::Metrics& metrics,
                  const std::vector<std::chrono::steady_clock::time_point>& received) {
  const auto now = std::chrono::steady_clock::now();
  for (const auto at : received) {
    metrics.ack_seconds.Observe(std::chrono::duration<double>(now - at).count());
  }
}

}  // namespace

Document::Document(const DocumentServices& services, DocumentHost& host, std::string id)
    : services_(services),
      host_(host),
      id_(std::move(id)),
      strand_(boost::asio::make_strand(services.executor)),
      pipeline_(replica_limits(services.config.limits)),
      membership_(services.config.max_replicas_per_document),
      presence_timer_(strand_),
      digests_(std::chrono::milliseconds(services.config.limits.digest_interval_ms)),
      digest_timer_(strand_),
      snapshots_(services.config.snapshots),
      unload_timer_(strand_) {}

Document::~Document() = default;

// --- Events -------------------------------------------------------------------------------------

void Document::start() {
  services_.stream.load(id_, [self = shared_from_this()](auto loaded) {
    boost::asio::post(self->strand_, self->handler(&Document::on_loaded, std::move(loaded)));
  });
}

void Document::join(std::uint64_t connection, std::shared_ptr<Peer> peer, proto::Join join,
                    base::Access access, std::string user_id) {
  post(JoinRequest{connection, std::move(peer), std::move(join), access, std::move(user_id)});
}

void Document::ops(std::uint64_t connection, std::shared_ptr<Peer> peer, proto::Ops ops) {
  post(OpsEvent{connection, std::move(peer), std::move(ops), std::chrono::steady_clock::now(), {}});
}

void Document::ops_from_live(std::uint64_t connection, std::shared_ptr<Peer> peer, MakeOps make) {
  post(OpsEvent{connection, std::move(peer), proto::Ops{id_, {}}, std::chrono::steady_clock::now(),
                std::move(make)});
}

void Document::presence(std::uint64_t connection, std::shared_ptr<Peer> peer,
                        proto::PresenceState state) {
  post(PresenceEvent{connection, std::move(peer), std::move(state)});
}

void Document::leave(std::uint64_t connection, std::shared_ptr<Peer> peer) {
  post(LeaveEvent{connection, std::move(peer)});
}

void Document::shutdown(std::function<void()> done) {
  boost::asio::post(strand_, handler(&Document::do_shutdown, std::move(done)));
}

void Document::post(Event event) {
  boost::asio::post(strand_, handler(&Document::dispatch, std::move(event)));
}

void Document::dispatch(Event event) {
  unloads_.activity();
  if (shutting_down_) {
    if (auto* join = std::get_if<JoinRequest>(&event)) {
      join->peer->close(proto::CloseCode::going_away, "server shutting down");
    }
    return;
  }
  if (state_ == State::failed || state_ == State::released) return forward(std::move(event));
  if (const auto* ops = std::get_if<OpsEvent>(&event)) {
    // A frame is refused whole, naming its first op so its author knows what to send again. An
    // empty queue takes any frame, so one larger than the limit is never refused for ever.
    const std::size_t count = ops->ops.ops.size();
    if (count > 0 && queued_ops_ > 0 && queued_ops_ + count > services_.config.max_queued_ops) {
      const crdt::Op& first = ops->ops.ops.front();
      send_error(*ops->peer, proto::ErrorCode::overloaded,
                 "ops frame refused: the document's op queue is full; send it again later",
                 crdt::Id{crdt::op_replica(first), crdt::op_seq(first)});
      return;
    }
    queued_ops_ += count;
  }
  queue_.push_back(std::move(event));
  drain();
}

void Document::forward(Event event) {
  // A leave needs no reload: the connection cannot be a member of a released document.
  if (auto* leave = std::get_if<LeaveEvent>(&event); leave != nullptr && !successor_) {
    if (leave->peer) send(*leave->peer, proto::Left{id_});
    return;
  }
  if (!successor_) successor_ = host_.successor(id_);
  successor_->post(std::move(event));
}

// Processes queued events in order until the queue is empty or a store write is started.
void Document::drain() {
  while (state_ == State::live && !store_busy_ && !queue_.empty()) {
    if (std::holds_alternative<JoinRequest>(queue_.front())) {
      // Joins see durable state only: make the batch durable first.
      if (pipeline_.has_batch()) return start_append();
      start_joins();
      if (store_busy_) return;
      continue;
    }
    Event event = std::move(queue_.front());
    queue_.pop_front();
    if (auto* ops = std::get_if<OpsEvent>(&event)) {
      queued_ops_ -= ops->ops.ops.size();
      integrate(std::move(*ops));
    } else if (auto* presence = std::get_if<PresenceEvent>(&event)) {
      handle_presence(std::move(*presence));
    } else if (auto* access = std::get_if<AccessEvent>(&event)) {
      handle_access(std::move(*access));
    } else {
      handle_leave(std::get<LeaveEvent>(std::move(event)));
    }
  }
  if (state_ == State::live && !store_busy_ && pipeline_.has_batch()) start_append();
  maybe_schedule_unload();
  report_queue_depth();
}

// --- Loading ------------------------------------------------------------------------------------

void Document::on_loaded(storage::Result<storage::LoadedDocument> loaded) {
  if (!loaded) {
    if (loaded.error().code != storage::Errc::not_found) return fail_load(loaded.error().message);
    if (!writer_waits()) return refuse_missing();
    proto::DocumentMeta meta;
    meta.id = id_;
    meta.created_us = base::now_us();
    meta.epoch = random_epoch();
    services_.stream.create(meta, [self = shared_from_this(), meta](storage::Result<void> r) {
      boost::asio::post(self->strand_, self->handler(&Document::on_created, meta, std::move(r)));
    });
    return;
  }
  auto rga = storage::materialize(*loaded, 0, loading_limits(services_.config.limits));
  if (!rga) return fail_load(rga.error().message);
  rga->set_limits(replica_limits(services_.config.limits));
  pipeline_.load(std::move(*rga), loaded->next_index);
  meta_ = std::move(loaded->meta);
  membership_.load(meta_.replicas);
  const std::uint64_t snapshot_index = loaded->snapshot ? loaded->snapshot->log_index : 0;
  snapshots_.loaded(loaded->next_index - std::min(loaded->next_index, snapshot_index));
  go_live();
}

void Document::on_created(proto::DocumentMeta meta, storage::Result<void> created) {
  if (!created) {
    // Created by someone else meanwhile: load what they made.
    if (created.error().code == storage::Errc::already_exists) return start();
    return fail_load(created.error().message);
  }
  meta_ = std::move(meta);
  membership_.load(meta_.replicas);
  go_live();
}

bool Document::writer_waits() const {
  return std::ranges::any_of(queue_, [](const Event& event) {
    const auto* join = std::get_if<JoinRequest>(&event);
    return join != nullptr && join->access == base::Access::write;
  });
}

// A document that does not exist and that only readers asked for: nothing is created, and each
// join gets the answer of a join without rights (PROTOCOL.md §13: rights never reveal which
// documents exist).
void Document::refuse_missing() {
  turn_away(proto::ErrorCode::access_denied, "no access to this document");
}

void Document::go_live() {
  state_ = State::live;
  if (shutting_down_) return finish_shutdown();
  drain();
}

void Document::fail_load(const std::string& why) {
  services_.log.error("doc={} event=load_failed reason=\"{}\"", id_, why);
  turn_away(proto::ErrorCode::document_unavailable, "cannot load: " + why);
}

void Document::turn_away(proto::ErrorCode code, const std::string& message) {
  state_ = State::failed;
  for (Event& event : std::exchange(queue_, {})) {
    if (auto* join = std::get_if<JoinRequest>(&event)) send_error(*join->peer, code, message);
  }
  queued_ops_ = 0;
  report_queue_depth();
  if (shutting_down_) return finish_shutdown();
  host_.release(*this);
}

// --- Joins --------------------------------------------------------------------------------------

// Prepares the joins at the queue's front, then writes the replica table if they changed it, or
// admits them at once. Requires: live, no batch, no store write in flight.
void Document::start_joins() {
  while (!queue_.empty() && std::holds_alternative<JoinRequest>(queue_.front())) {
    JoinRequest request = std::get<JoinRequest>(std::move(queue_.front()));
    queue_.pop_front();
    auto peer = request.peer;
    if (auto refused =
            membership_.prepare(std::move(request), meta_.epoch, pipeline_.rga().version())) {
      send(*peer, *refused);
    }
  }
  if (!membership_.table_changed()) {
    for (const PreparedJoin& join : membership_.take_prepared()) finish_join(join);
    return;
  }
  meta_.replicas = membership_.table();
  store_busy_ = true;
  services_.stream.update_meta(meta_, [self = shared_from_this()](storage::Result<void> r) {
    boost::asio::post(self->strand_, self->handler(&Document::on_meta_updated, std::move(r)));
  });
}

void Document::on_meta_updated(storage::Result<void> updated) {
  store_busy_ = false;
  if (!updated) return fail_storage(updated.error().message);
  for (const PreparedJoin& join : membership_.take_prepared()) finish_join(join);
  if (shutting_down_) return finish_shutdown();
  drain();
}

void Document::finish_join(const PreparedJoin& join) {
  for (const Member& taken : membership_.admit(join)) {
    send_error(*taken.peer, proto::ErrorCode::replica_taken_over,
               "another connection resumed replica " + std::to_string(join.replica));
  }
  arm_presence_flush();
  const JoinRequest& request = join.request;
  Peer& peer = *request.peer;
  const crdt::VersionVector& durable = pipeline_.durable();
  send(peer, proto::Joined{id_, meta_.epoch, join.replica, join.token, durable, join.reset});
  services_.metrics.joins.Increment();
  services_.log.info("conn={} doc={} event=join replica={} reset={}", request.connection, id_,
                     join.replica, join.reset);
  // Paced by the peer's socket: the frames are encoded as it drains, from a shared image.
  peer.send_paced(catch_up_frames(id_, pipeline_.rga(), pipeline_.next_index(),
                                  request.join.version, join.snapshot, services_.config.limits,
                                  snapshot_images_));
  send(peer, proto::Synced{id_, durable,
                           snapshot_images_.digest(pipeline_.rga(), pipeline_.next_index())});
  proto::Presences others{id_, {}};
  for (auto& entry : membership_.presence().current()) {
    if (entry.replica != join.replica) others.entries.push_back(std::move(entry));
  }
  send(peer, others);
}

// --- Leave and presence -------------------------------------------------------------------------

void Document::handle_presence(PresenceEvent event) {
  const Member* member = membership_.find(event.connection);
  if (member == nullptr) {
    return send_error(*event.peer, proto::ErrorCode::not_joined, "presence: not a member");
  }
  membership_.presence().set(member->replica, std::move(event.state));
  services_.metrics.presence_updates.Increment();
  arm_presence_flush();
}

void Document::handle_leave(const LeaveEvent& event) {
  remove_member(event.connection);
  if (event.peer) send(*event.peer, proto::Left{id_});
}

void Document::remove_member(std::uint64_t connection) {
  const auto replica = membership_.remove(connection);
  if (!replica) return;
  services_.log.info("conn={} doc={} event=leave replica={}", connection, id_, *replica);
  arm_presence_flush();
}

void Document::arm_presence_flush() {
  if (presence_armed_ || !membership_.presence().has_changes()) return;
  presence_armed_ = true;
  presence_timer_.expires_after(
      std::chrono::milliseconds(services_.config.limits.presence_interval_ms));
  presence_timer_.async_wait(handler(&Document::on_presence_timer));
}

void Document::on_presence_timer(boost::system::error_code ec) {
  presence_armed_ = false;
  if (ec || state_ != State::live) return;
  const auto changes = membership_.presence().take_changes();
  for (const auto& [connection, member] : membership_.members()) {
    proto::Presences frame{id_, {}};
    for (const auto& entry : changes) {
      if (entry.replica != member.replica) frame.entries.push_back(entry);
    }
    if (!frame.entries.empty()) send(*member.peer, frame);
  }
}

// --- Commits ------------------------------------------------------------------------------------

// Integrates one ops frame into the current batch. Requires: live, no append in flight.
void Document::integrate(OpsEvent event) {
  const Member* member = membership_.find(event.connection);
  if (member == nullptr) {
    return send_error(*event.peer, proto::ErrorCode::not_joined, "ops: not a member");
  }
  if (event.make) {
    event.ops.ops = event.make(pipeline_.rga(), member->replica);
    if (event.ops.ops.empty()) return;
  }
  base::Metrics& metrics = services_.metrics;
  if (!admit_writer(*member, event.ops)) {
    metrics.ops_rejected.Increment(static_cast<double>(event.ops.ops.size()));
    return;
  }
  metrics.ops_received.Increment(static_cast<double>(event.ops.ops.size()));
  const auto result =
      pipeline_.integrate({event.connection, member->replica, member->user_id}, event.ops,
                          event.received, services_.config.limits.max_document_bytes);
  for (const proto::Error& error : result.errors) send(*member->peer, error);
  // A released op's author learns of its refusal now, as if it had been refused on arrival;
  // if it has left, its rejoin resends the op and gets the refusal then.
  for (const auto& dropped : result.dropped) {
    metrics.ops_rejected.Increment();
    services_.log.info("doc={} event=released_op_rejected replica={} error={}", id_,
                       dropped.replica, dropped.error.name);
    const Member* author = membership_.find_replica(dropped.replica);
    if (author != nullptr) send(*author->peer, dropped.error);
  }
  metrics.ops_applied.Increment(static_cast<double>(result.applied));
  if (result.rejected > 0) {
    metrics.ops_rejected.Increment(static_cast<double>(result.rejected));
    services_.log.info("conn={} doc={} event=ops_rejected count={} of={}", event.connection, id_,
                       result.rejected, event.ops.ops.size());
  }
}

void Document::start_append() {
  if (auto done = pipeline_.start()) {
    // Only duplicates: nothing to make durable, ack what is.
    finish_commit(*done);
    return observe_acks(services_.metrics, done->received);
  }
  services_.metrics.batch_ops.Observe(static_cast<double>(pipeline_.in_flight().size()));
  append_started_ = std::chrono::steady_clock::now();
  store_busy_ = true;
  services_.stream.append(
      id_, pipeline_.in_flight(), [self = shared_from_this()](storage::Result<void> appended) {
        boost::asio::post(self->strand_,
                          self->handler(&Document::on_appended, std::move(appended)));
      });
}

void Document::on_appended(storage::Result<void> appended) {
  store_busy_ = false;
  if (!appended) return fail_storage(appended.error().message);
  const CommitPipeline::Completed done = pipeline_.complete();
  snapshots_.committed(done.records.size());
  finish_commit(done);
  services_.metrics.commit_seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - append_started_).count());
  observe_acks(services_.metrics, done.received);
  if (shutting_down_) return finish_shutdown();
  maybe_snapshot();
  digests_.committed();
  maybe_send_digest();
  drain();
}

// A batch is durable: ack its authors, relay its ops to every other member. The authors are
// the members whose replica has ops in it (including ops that waited in the buffer and were
// released by someone else's) and those who sent duplicates.
void Document::finish_commit(const CommitPipeline::Completed& done) {
  const crdt::VersionVector& durable = pipeline_.durable();
  for (const auto& [connection, member] : membership_.members()) {
    if (done.authors.contains(connection) || done.replicas.contains(member.replica)) {
      send(*member.peer, proto::Ack{id_, durable.get(member.replica)});
    }
  }
  if (done.records.empty()) return;
  // Members get every op but their own replica's; frames are encoded once per replica.
  const proto::ServerLimits& limits = services_.config.limits;
  std::map<crdt::ReplicaId, std::vector<std::shared_ptr<const std::string>>> frames;
  for (const auto& [connection, member] : membership_.members()) {
    auto [it, inserted] = frames.try_emplace(member.replica);
    if (inserted) {
      std::vector<crdt::Op> ops;
      for (const auto& record : done.records) {
        if (crdt::op_replica(record.op) != member.replica) ops.push_back(record.op);
      }
      it->second = pack_ops_frames(id_, merge_runs(std::move(ops), limits.max_run), limits);
    }
    for (const auto& frame : it->second) member.peer->send(frame);
  }
}

// The replica holds ops that are not durable: drop it and everyone with it.
void Document::fail_storage(const std::string& why) {
  const std::string message = "store write failed: " + why;
  auto dropped = membership_.clear();
  for (const Member& member : dropped.members) {
    send_error(*member.peer, proto::ErrorCode::storage_failed, message);
  }
  for (const PreparedJoin& join : dropped.prepared) {
    send_error(*join.request.peer, proto::ErrorCode::storage_failed, message);
  }
  for (Event& event : std::exchange(queue_, {})) {
    if (auto* join = std::get_if<JoinRequest>(&event)) {
      send_error(*join->peer, proto::ErrorCode::storage_failed, message);
    }
  }
  queued_ops_ = 0;
  report_queue_depth();
  pipeline_.fail();
  state_ = State::failed;
  cancel_timers();
  if (shutting_down_) return finish_shutdown();
  host_.release(*this);
}

// --- Digests and snapshots ----------------------------------------------------------------------

void Document::maybe_send_digest() {
  // While an append is in flight the replica is ahead of the durable state: on_appended sends it.
  if (store_busy_ || state_ != State::live) return;
  const auto step = digests_.poll(std::chrono::steady_clock::now());
  if (step.arm_at) {
    digest_timer_.expires_at(*step.arm_at);
    digest_timer_.async_wait(handler(&Document::on_digest_timer));
  }
  if (!step.send) return;
  const auto frame = encoded(
      proto::DigestFrame{id_, pipeline_.durable(), proto::text_digest(pipeline_.rga().text())});
  for (const auto& [connection, member] : membership_.members()) member.peer->send(frame);
}

void Document::on_digest_timer(boost::system::error_code ec) {
  digests_.timer_fired();
  if (ec) return;
  maybe_send_digest();
}

void Document::maybe_snapshot() {
  if (snapshots_.due(std::chrono::steady_clock::now())) write_snapshot();
}

// Requires: no append in flight (the replica equals the durable log of next_index() records).
void Document::write_snapshot() {
  const std::uint64_t covered = snapshots_.begin();
  proto::SnapshotRecord record;
  record.log_index = pipeline_.next_index();
  record.created_us = base::now_us();
  record.state = pipeline_.rga().snapshot();
  services_.stream.write_snapshot(
      id_, std::move(record), [self = shared_from_this(), covered](storage::Result<void> written) {
        boost::asio::post(self->strand_, self->handler(&Document::on_snapshot_written, covered,
                                                       std::move(written)));
      });
}

void Document::on_snapshot_written(std::uint64_t covered, const storage::Result<void>& written) {
  snapshots_.finished(covered, written.has_value(), std::chrono::steady_clock::now());
  if (shutting_down_) return finish_shutdown();
  if (unloads_.unloading()) {
    unloads_.set_unloading(false);
    // A failed snapshot costs only load time: the log is durable.
    if (can_unload()) return finish_unload();
    maybe_schedule_unload();
  }
}

// --- Unload and shutdown ------------------------------------------------------------------------

bool Document::can_unload() const {
  return state_ == State::live && membership_.members().empty() && queue_.empty() &&
         !pipeline_.has_batch() && !store_busy_ && !membership_.has_prepared() && !shutting_down_;
}

void Document::maybe_schedule_unload() {
  if (!unloads_.arm(can_unload())) return;
  unload_timer_.expires_after(services_.config.unload_after);
  unload_timer_.async_wait(handler(&Document::on_unload_timer, unloads_.current()));
}

void Document::on_unload_timer(std::uint64_t activity, boost::system::error_code ec) {
  if (ec || activity != unloads_.current() || !can_unload() || unloads_.unloading()) return;
  if (snapshots_.dirty() || snapshots_.busy()) {
    unloads_.set_unloading(true);
    if (!snapshots_.busy()) write_snapshot();
    return;
  }
  finish_unload();
}

void Document::finish_unload() {
  if (!host_.release(*this)) return;
  state_ = State::released;
  cancel_timers();
}

void Document::do_shutdown(std::function<void()> done) {
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  queue_.clear();
  queued_ops_ = 0;
  finish_shutdown();
}

// Runs again whenever a store write completes, until nothing is in flight.
void Document::finish_shutdown() {
  if (!shutdown_done_ || state_ == State::loading || store_busy_ || snapshots_.busy()) return;
  if (state_ == State::live && snapshots_.dirty() && snapshots_.take_final()) {
    return write_snapshot();
  }
  cancel_timers();
  for (const Member& member : membership_.clear().members) {
    member.peer->close(proto::CloseCode::going_away, "server shutting down");
  }
  state_ = State::released;
  std::exchange(shutdown_done_, nullptr)();
}

void Document::cancel_timers() {
  presence_timer_.cancel();
  digest_timer_.cancel();
  unload_timer_.cancel();
}

// --- Invariants and sending ---------------------------------------------------------------------

void Document::check_invariants() const {
  WEFT_CHECK(!pipeline_.appending() || store_busy_, "1: an append in flight keeps the store busy");
  if (state_ != State::live) {
    WEFT_CHECK(membership_.members().empty() || state_ == State::loading,
               "3: only a live document has members");
    WEFT_CHECK(!membership_.has_prepared(), "3: only a live document prepares joins");
  }
  std::size_t ops = 0;
  for (const Event& event : queue_) {
    if (const auto* e = std::get_if<OpsEvent>(&event)) ops += e->ops.ops.size();
  }
  WEFT_CHECK(ops == queued_ops_, "4: queued_ops_ counts the queued ops");
  if (state_ == State::live) {
    pipeline_.check_invariants();
    membership_.check_invariants();
  }
}

void Document::send(Peer& peer, const proto::Frame& frame) const { peer.send(encoded(frame)); }

void Document::send_error(Peer& peer, proto::ErrorCode code, std::string message,
                          std::optional<crdt::Id> op) const {
  send(peer, proto::make_error(code, std::move(message), id_, op));
}

}  // namespace weft::server::documents
