// document.cpp — Document: events and their queue, loading, joins and catch-up, leave, presence,
// unload and shutdown. The commit pipeline is in document_commit.cpp.
#include "server/document.hpp"

#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/logger.h>

#include "crdt/snapshot.hpp"
#include "proto/frame_codec.hpp"
#include "server/document_limits.hpp"
#include "server/hub.hpp"
#include "server/metrics.hpp"
#include "server/op_runs.hpp"
#include "storage/document_loader.hpp"

namespace weft::server {
namespace {

std::shared_ptr<const std::string> encoded(const proto::Frame& frame) {
  return std::make_shared<const std::string>(proto::encode_frame(frame));
}

// The highest replica the version vector names (new replicas go above it).
crdt::ReplicaId top_replica(const crdt::VersionVector& vv) {
  return vv.empty() ? 0 : vv.entries().back().replica;
}

}  // namespace

Document::Document(Hub& hub, std::string id)
    : hub_(hub),
      id_(std::move(id)),
      strand_(boost::asio::make_strand(hub.executor())),
      rga_(0, replica_limits(hub.config().limits)),
      presence_timer_(strand_),
      digest_timer_(strand_),
      unload_timer_(strand_) {}

Document::~Document() = default;

void Document::start() {
  hub_.stream().load(id_, [self = shared_from_this()](auto loaded) {
    boost::asio::post(self->strand_,
                      std::bind_front(&Document::on_loaded, self, std::move(loaded)));
  });
}

void Document::join(std::uint64_t connection, std::shared_ptr<Peer> peer, proto::Join join,
                    Access access, std::string user_id) {
  post(JoinEvent{connection, std::move(peer), std::move(join), access, std::move(user_id)});
}

void Document::ops(std::uint64_t connection, std::shared_ptr<Peer> peer, proto::Ops ops) {
  post(OpsEvent{connection, std::move(peer), std::move(ops), std::chrono::steady_clock::now()});
}

void Document::presence(std::uint64_t connection, std::shared_ptr<Peer> peer,
                        proto::PresenceState state) {
  post(PresenceEvent{connection, std::move(peer), std::move(state)});
}

void Document::leave(std::uint64_t connection, std::shared_ptr<Peer> peer) {
  post(LeaveEvent{connection, std::move(peer)});
}

void Document::shutdown(std::function<void()> done) {
  boost::asio::post(strand_,
                    std::bind_front(&Document::do_shutdown, shared_from_this(), std::move(done)));
}

void Document::post(Event event) {
  boost::asio::post(strand_,
                    std::bind_front(&Document::dispatch, shared_from_this(), std::move(event)));
}

void Document::dispatch(Event event) {
  ++activity_;
  if (shutting_down_) {
    if (auto* join = std::get_if<JoinEvent>(&event)) {
      join->peer->close(proto::CloseCode::going_away, "server shutting down");
    }
    return;
  }
  if (state_ == State::failed || state_ == State::released) return forward(std::move(event));
  if (const auto* ops = std::get_if<OpsEvent>(&event)) {
    if (queued_ops_ + ops->ops.ops.size() > hub_.config().max_queued_ops) {
      send_error(*ops->peer, proto::ErrorCode::overloaded, "the document's op queue is full");
      return;
    }
    queued_ops_ += ops->ops.ops.size();
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
  if (!successor_) successor_ = hub_.acquire(id_);
  successor_->post(std::move(event));
}

// Processes queued events in order until the queue is empty or a store write is started.
void Document::drain() {
  while (state_ == State::live && !store_busy_ && !queue_.empty()) {
    if (std::holds_alternative<JoinEvent>(queue_.front())) {
      // Joins see durable state only: make the batch durable first.
      if (!batch_.empty()) return start_append();
      bool needs_meta = false;
      while (!queue_.empty() && std::holds_alternative<JoinEvent>(queue_.front())) {
        JoinEvent join = std::get<JoinEvent>(std::move(queue_.front()));
        queue_.pop_front();
        prepare_join(std::move(join), needs_meta);
      }
      if (needs_meta) {
        meta_.replicas = table_.entries();
        store_busy_ = true;
        hub_.stream().update_meta(meta_, [self = shared_from_this()](storage::Result<void> r) {
          boost::asio::post(self->strand_,
                            std::bind_front(&Document::on_meta_updated, self, std::move(r)));
        });
        return;
      }
      for (PreparedJoin& join : std::exchange(prepared_joins_, {})) finish_join(std::move(join));
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
  if (state_ == State::live && !store_busy_ && !batch_.empty()) start_append();
  maybe_schedule_unload();
  report_queue_depth();
}

void Document::on_loaded(storage::Result<storage::LoadedDocument> loaded) {
  if (!loaded) {
    if (loaded.error().code != storage::Errc::not_found) return fail_load(loaded.error().message);
    proto::DocumentMeta meta;
    meta.id = id_;
    meta.created_us = now_us();
    meta.epoch = random_epoch();
    hub_.stream().create(meta, [self = shared_from_this(), meta](storage::Result<void> r) {
      boost::asio::post(self->strand_,
                        std::bind_front(&Document::on_created, self, meta, std::move(r)));
    });
    return;
  }
  auto rga = storage::materialize(*loaded, 0, replica_limits(hub_.config().limits));
  if (!rga) return fail_load(rga.error().message);
  rga_ = std::move(*rga);
  document_bytes_ = loaded_document_bytes(rga_);
  meta_ = std::move(loaded->meta);
  table_ = ReplicaTable(meta_.replicas);
  next_index_ = loaded->next_index;
  const std::uint64_t snapshot_index = loaded->snapshot ? loaded->snapshot->log_index : 0;
  ops_since_snapshot_ = next_index_ - std::min(next_index_, snapshot_index);
  go_live();
}

void Document::on_created(proto::DocumentMeta meta, storage::Result<void> created) {
  if (!created) {
    // Created by someone else meanwhile: load what they made.
    if (created.error().code == storage::Errc::already_exists) return start();
    return fail_load(created.error().message);
  }
  meta_ = std::move(meta);
  table_ = ReplicaTable(meta_.replicas);
  go_live();
}

void Document::go_live() {
  state_ = State::live;
  durable_vv_ = rga_.version();
  if (shutting_down_) return finish_shutdown();
  drain();
}

void Document::fail_load(const std::string& why) {
  state_ = State::failed;
  for (Event& event : std::exchange(queue_, {})) {
    if (auto* join = std::get_if<JoinEvent>(&event)) {
      send_error(*join->peer, proto::ErrorCode::document_unavailable, "cannot load: " + why);
    }
  }
  queued_ops_ = 0;
  report_queue_depth();
  if (shutting_down_) return finish_shutdown();
  hub_.release(*this);
}

// Decides the joiner's replica. Requires: state live, no batch, no store write in flight.
void Document::prepare_join(JoinEvent event, bool& needs_meta) {
  const proto::Join& join = event.join;
  const auto same_connection = [&](const PreparedJoin& p) {
    return p.event.connection == event.connection;
  };
  if (members_.contains(event.connection) ||
      std::any_of(prepared_joins_.begin(), prepared_joins_.end(), same_connection)) {
    return send_error(*event.peer, proto::ErrorCode::already_joined, "already joined");
  }
  if (!join.epoch && !join.version.empty()) {
    return send_error(*event.peer, proto::ErrorCode::malformed_frame,
                      "join: a version vector without an epoch");
  }
  PreparedJoin prepared;
  prepared.reset = join.epoch && *join.epoch != meta_.epoch;
  prepared.snapshot = !join.epoch || prepared.reset;
  const bool resume = join.epoch && !prepared.reset && join.replica && join.token &&
                      table_.verify(*join.replica, *join.token);
  if (resume) {
    prepared.replica = *join.replica;
    prepared.token = *join.token;
  } else {
    const auto assigned = table_.assign(event.user_id, now_us(), top_replica(rga_.version()));
    prepared.replica = assigned.replica;
    prepared.token = assigned.token;
    needs_meta = true;
  }
  prepared.event = std::move(event);
  prepared_joins_.push_back(std::move(prepared));
}

void Document::on_meta_updated(storage::Result<void> updated) {
  store_busy_ = false;
  if (!updated) return fail_storage(updated.error().message);
  for (PreparedJoin& join : std::exchange(prepared_joins_, {})) finish_join(std::move(join));
  if (shutting_down_) return finish_shutdown();
  drain();
}

void Document::finish_join(PreparedJoin join) {
  // Takeover: whoever authors under this replica now stops being a member.
  for (auto it = members_.begin(); it != members_.end();) {
    if (it->second.replica != join.replica) {
      ++it;
      continue;
    }
    send_error(*it->second.peer, proto::ErrorCode::replica_taken_over,
               "another connection resumed replica " + std::to_string(join.replica));
    it = members_.erase(it);
    presence_.remove(join.replica);
    arm_presence_flush();
  }
  Peer& peer = *join.event.peer;
  members_[join.event.connection] =
      Member{join.event.peer, join.replica, join.event.user_id, join.event.access};
  send(peer, proto::Joined{id_, meta_.epoch, join.replica, join.token, durable_vv_, join.reset});
  hub_.metrics().joins.Increment();
  hub_.log().info("conn={} doc={} event=join replica={} reset={}", join.event.connection, id_,
                  join.replica, join.reset);
  send_catch_up(join);
  send(peer, proto::Synced{id_, durable_vv_, proto::text_digest(rga_.text())});
  proto::Presences others{id_, {}};
  for (auto& entry : presence_.current()) {
    if (entry.replica != join.replica) others.entries.push_back(std::move(entry));
  }
  send(peer, others);
}

// Either snapshot chunks or the ops the joiner lacks, whichever the notes' rules pick.
void Document::send_catch_up(const PreparedJoin& join) {
  Peer& peer = *join.event.peer;
  const proto::ServerLimits& limits = hub_.config().limits;
  std::string snapshot;
  std::vector<crdt::Op> ops;
  bool use_snapshot = join.snapshot;
  if (!use_snapshot) {
    auto missing = rga_.ops_since(join.event.join.version);
    if (missing) {
      ops = std::move(*missing);
    } else {
      use_snapshot = true;  // history_unavailable: older than the snapshot we loaded from
    }
  }
  if (!use_snapshot && !ops.empty()) {
    std::uint64_t op_bytes = 0;
    for (const crdt::Op& op : ops) op_bytes += proto::encode_op(op).size();
    // A snapshot holds at least the text: only worth encoding if the ops are larger.
    if (op_bytes > rga_.length()) {
      snapshot = crdt::encode_snapshot(rga_.snapshot());
      use_snapshot = snapshot.size() < op_bytes;
    }
  }
  if (!use_snapshot) {
    for (const auto& frame : pack_ops_frames(id_, ops, limits)) peer.send(frame);
    return;
  }
  if (snapshot.empty()) snapshot = crdt::encode_snapshot(rga_.snapshot());
  const std::size_t chunk = static_cast<std::size_t>(std::max<std::uint64_t>(
      limits.max_frame_bytes / 2 > 256 ? limits.max_frame_bytes / 2 - 256 : 1, 1));
  std::size_t offset = 0;
  do {
    const std::size_t n = std::min(chunk, snapshot.size() - offset);
    send(peer, proto::SnapshotChunk{id_, offset, snapshot.size(), snapshot.substr(offset, n)});
    offset += n;
  } while (offset < snapshot.size());
}

void Document::handle_presence(PresenceEvent event) {
  const auto it = members_.find(event.connection);
  if (it == members_.end()) {
    return send_error(*event.peer, proto::ErrorCode::not_joined, "presence: not a member");
  }
  presence_.set(it->second.replica, std::move(event.state));
  hub_.metrics().presence_updates.Increment();
  arm_presence_flush();
}

void Document::handle_leave(LeaveEvent event) {
  remove_member(event.connection);
  if (event.peer) send(*event.peer, proto::Left{id_});
}

void Document::remove_member(std::uint64_t connection) {
  const auto it = members_.find(connection);
  if (it == members_.end()) return;
  const crdt::ReplicaId replica = it->second.replica;
  members_.erase(it);
  hub_.log().info("conn={} doc={} event=leave replica={}", connection, id_, replica);
  presence_.remove(replica);
  arm_presence_flush();
}

void Document::arm_presence_flush() {
  if (presence_armed_ || !presence_.has_changes()) return;
  presence_armed_ = true;
  presence_timer_.expires_after(
      std::chrono::milliseconds(hub_.config().limits.presence_interval_ms));
  presence_timer_.async_wait(std::bind_front(&Document::on_presence_timer, shared_from_this()));
}

void Document::on_presence_timer(boost::system::error_code ec) {
  presence_armed_ = false;
  if (ec || state_ != State::live) return;
  const auto changes = presence_.take_changes();
  for (auto& [connection, member] : members_) {
    proto::Presences frame{id_, {}};
    for (const auto& entry : changes) {
      if (entry.replica != member.replica) frame.entries.push_back(entry);
    }
    if (!frame.entries.empty()) send(*member.peer, frame);
  }
}

bool Document::can_unload() const {
  return state_ == State::live && members_.empty() && queue_.empty() && batch_.empty() &&
         !store_busy_ && prepared_joins_.empty() && !shutting_down_;
}

void Document::maybe_schedule_unload() {
  if (!can_unload() || unloading_ || unload_armed_for_ == activity_ + 1) return;
  unload_armed_for_ = activity_ + 1;
  unload_timer_.expires_after(hub_.config().unload_after);
  unload_timer_.async_wait(
      std::bind_front(&Document::on_unload_timer, shared_from_this(), activity_));
}

void Document::on_unload_timer(std::uint64_t activity, boost::system::error_code ec) {
  if (ec || activity != activity_ || !can_unload() || unloading_) return;
  if (ops_since_snapshot_ > 0 || snapshot_busy_) {
    unloading_ = true;
    if (!snapshot_busy_) write_snapshot();
    return;
  }
  finish_unload();
}

void Document::finish_unload() {
  if (!hub_.release(*this)) return;
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
  if (!shutdown_done_ || state_ == State::loading || store_busy_ || snapshot_busy_) return;
  if (state_ == State::live && ops_since_snapshot_ > 0 && !final_snapshot_tried_) {
    final_snapshot_tried_ = true;
    return write_snapshot();
  }
  cancel_timers();
  for (auto& [connection, member] : members_) {
    member.peer->close(proto::CloseCode::going_away, "server shutting down");
  }
  members_.clear();
  state_ = State::released;
  std::exchange(shutdown_done_, nullptr)();
}

void Document::cancel_timers() {
  presence_timer_.cancel();
  digest_timer_.cancel();
  unload_timer_.cancel();
}

void Document::send(Peer& peer, const proto::Frame& frame) const { peer.send(encoded(frame)); }

void Document::send_error(Peer& peer, proto::ErrorCode code, std::string message,
                          std::optional<crdt::Id> op) const {
  send(peer, proto::Error{static_cast<std::uint64_t>(code), std::string(proto::error_name(code)),
                          std::move(message), id_, op});
}

}  // namespace weft::server
