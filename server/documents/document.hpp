// document.hpp — Document: one live document as an actor on its own strand. It owns its
// collaborators (CommitPipeline: the replica and the path to durability; Membership: members,
// joins, replica table, presence; the digest, snapshot and unload schedules) and does their I/O:
// the store through OpStream, frames through each member's Peer (docs/ARCHITECTURE.md).
//
// The public methods only post to the strand, so they may be called from any thread; all state
// is touched from the strand only. States: loading -> live -> (failed | released). Events that
// arrive while loading, or while a store write (append or replica-table update) is in flight, wait
// in a FIFO queue; when idle the queue is drained in order. Ops are integrated at once into the
// current batch; a join first waits for the batch to be durable, so catch-up and snapshots never
// contain non-durable ops. Once released (unloaded or failed), a document forwards every event to
// its successor (DocumentHost::successor).
//
// Invariants (check_invariants(), on the strand between handlers):
//   1. At most one store write of the pipeline is in flight (store_busy_), and an append is in
//      flight only while store_busy_.
//   2. When no append is in flight, the replica holds exactly the durable log (plus ops buffered
//      inside the Rga, which are never acked or relayed) (CommitPipeline).
//   3. A member's frames are sent in pipeline order; acks and relayed ops only after durability:
//      only live documents have members, batches or prepared joins.
//   4. queued_ops_ counts the ops of the queued ops events.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "proto/frame.hpp"
#include "proto/records.hpp"
#include "server/base/principal.hpp"
#include "server/documents/commit_pipeline.hpp"
#include "server/documents/document_host.hpp"
#include "server/documents/membership.hpp"
#include "server/documents/peer.hpp"
#include "server/documents/schedules.hpp"
#include "server/documents/snapshot_image.hpp"
#include "storage/document_store.hpp"

namespace weft::server::documents {

class Document : public std::enable_shared_from_this<Document> {
 public:
  enum class State : std::uint8_t { loading, live, failed, released };

  // Call start() once, after construction (the registry does).
  Document(const DocumentServices& services, DocumentHost& host, std::string id);
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;
  ~Document();

  void start();
  [[nodiscard]] const std::string& id() const { return id_; }

  // Connection events. `connection` identifies the member; frames go to `peer`.
  // `access` (never none) and `user_id` come from the connection's token (base/principal.hpp).
  void join(std::uint64_t connection, std::shared_ptr<Peer> peer, proto::Join join,
            base::Access access = base::Access::write, std::string user_id = {});
  void ops(std::uint64_t connection, std::shared_ptr<Peer> peer, proto::Ops ops);
  // Ops of member `connection` that `make` computes on the strand from the live replica (and the
  // member's replica id) right before they are integrated, so that no other op comes between
  // reading the replica and applying them; otherwise as ops(). None made: nothing is integrated
  // and nothing is sent. For the HTTP API's restore (api/restore_writer.hpp).
  using MakeOps = std::function<std::vector<crdt::Op>(const crdt::Rga& live, crdt::ReplicaId self)>;
  void ops_from_live(std::uint64_t connection, std::shared_ptr<Peer> peer, MakeOps make);
  void presence(std::uint64_t connection, std::shared_ptr<Peer> peer, proto::PresenceState state);
  // An explicit leave (peer set: it is sent `left`) or the connection's end (peer null).
  void leave(std::uint64_t connection, std::shared_ptr<Peer> peer);
  // A refresh or the token's expiry changed the member's access (document_access.cpp): none
  // removes it, read makes it read-only, write lets it edit again. `why` is the error it is sent
  // (none: silent).
  void change_access(std::uint64_t connection, std::shared_ptr<Peer> peer, base::Access access,
                     std::optional<proto::ErrorCode> why, std::string message);

  // Finishes the commit in flight, writes a snapshot, closes members with going_away, then runs
  // `done` (on the strand). Later joins are closed with going_away.
  void shutdown(std::function<void()> done);

  // The HTTP API (document_admin.cpp). members_online: `done` gets the member count (0 unless
  // live), on the strand.
  void members_online(std::function<void(std::size_t)> done);
  // DELETE: once no store write is in flight, ends every membership with storage_failed
  // ("document deleted"; clients rejoin), removes it through the OpStream, then leaves the
  // registry and hands waiting events to the successor, which starts the document anew with a
  // new epoch. `done` gets the removal's result, on the strand.
  void remove(std::function<void(storage::Result<void>)> done);

  // Aborts with a message if an invariant (above, and the collaborators') is broken. Requires:
  // on the strand. Runs after every handler when DocumentServices::check_invariants is set.
  void check_invariants() const;

 private:
  struct OpsEvent {
    std::uint64_t connection = 0;
    std::shared_ptr<Peer> peer;
    proto::Ops ops;
    std::chrono::steady_clock::time_point received{};  // for the ack latency metric
    MakeOps make;  // set by ops_from_live(): fills `ops` when the event is integrated
  };
  struct PresenceEvent {
    std::uint64_t connection = 0;
    std::shared_ptr<Peer> peer;
    proto::PresenceState state;
  };
  struct LeaveEvent {
    std::uint64_t connection = 0;
    std::shared_ptr<Peer> peer;
  };
  struct AccessEvent {
    std::uint64_t connection = 0;
    std::shared_ptr<Peer> peer;
    base::Access access = base::Access::none;
    std::optional<proto::ErrorCode> why;
    std::string message;
  };
  using Event = std::variant<JoinRequest, OpsEvent, PresenceEvent, LeaveEvent, AccessEvent>;

  // A completion handler that runs member `fn` with `args` (then the handler's own arguments)
  // and, if DocumentServices::check_invariants is set, check_invariants(). Keeps the document
  // alive until it runs. Every handler that runs on the strand is made by it.
  template <class Fn, class... Args>
  [[nodiscard]] auto handler(Fn fn, Args... args);

  // document.cpp: the actor: events, loading, joins, leave, presence, commits, unload, shutdown.
  void post(Event event);
  void dispatch(Event event);
  void forward(Event event);
  void drain();
  void on_loaded(storage::Result<storage::LoadedDocument> loaded);
  void on_created(proto::DocumentMeta meta, storage::Result<void> created);
  void go_live();
  void fail_load(const std::string& why);
  // A document that is not stored is created only for a join with write access.
  [[nodiscard]] bool writer_waits() const;
  void refuse_missing();
  // Not live after all (load failed, or refused): every queued join gets `code`, the rest is
  // dropped, and the document leaves the registry.
  void turn_away(proto::ErrorCode code, const std::string& message);
  void start_joins();
  void on_meta_updated(storage::Result<void> updated);
  void finish_join(const PreparedJoin& join);
  void handle_presence(PresenceEvent event);
  void handle_leave(const LeaveEvent& event);
  void remove_member(std::uint64_t connection);
  void integrate(OpsEvent event);
  void start_append();
  void on_appended(storage::Result<void> appended);
  void finish_commit(const CommitPipeline::Completed& done);
  void fail_storage(const std::string& why);
  void arm_presence_flush();
  void on_presence_timer(boost::system::error_code ec);
  void maybe_send_digest();
  void on_digest_timer(boost::system::error_code ec);
  void maybe_snapshot();
  void write_snapshot();
  void on_snapshot_written(std::uint64_t covered, const storage::Result<void>& written);
  [[nodiscard]] bool can_unload() const;
  void maybe_schedule_unload();
  void on_unload_timer(std::uint64_t activity, boost::system::error_code ec);
  void finish_unload();
  void do_shutdown(std::function<void()> done);
  void finish_shutdown();
  void cancel_timers();

  // document_access.cpp: access changes and read-only members.
  void handle_access(AccessEvent event);
  // False (and read_only sent) if the member may not edit.
  [[nodiscard]] bool admit_writer(const Member& member, const proto::Ops& ops) const;

  // document_admin.cpp: the HTTP API's removal, and the queue depth metric.
  void do_remove(std::function<void(storage::Result<void>)> done);
  void on_removed(bool registered, const std::function<void(storage::Result<void>)>& done,
                  storage::Result<void> removed);
  void report_queue_depth();

  void send(Peer& peer, const proto::Frame& frame) const;
  void send_error(Peer& peer, proto::ErrorCode code, std::string message,
                  std::optional<crdt::Id> op = std::nullopt) const;

  const DocumentServices& services_;
  DocumentHost& host_;
  const std::string id_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  State state_ = State::loading;
  std::shared_ptr<Document> successor_;  // once released: where events go

  proto::DocumentMeta meta_;
  CommitPipeline pipeline_;
  Membership membership_;
  SnapshotImages snapshot_images_;  // for joiners' catch-up and synced digests

  std::deque<Event> queue_;
  std::size_t queued_ops_ = 0;
  bool store_busy_ = false;  // an append, a replica-table write or a removal is in flight
  std::chrono::steady_clock::time_point append_started_{};

  boost::asio::steady_timer presence_timer_;
  bool presence_armed_ = false;
  DigestSchedule digests_;
  boost::asio::steady_timer digest_timer_;
  SnapshotSchedule snapshots_;
  UnloadSchedule unloads_;
  boost::asio::steady_timer unload_timer_;

  bool shutting_down_ = false;
  std::function<void()> shutdown_done_;

  std::size_t reported_queue_ = 0;  // queue_.size() as last added to Metrics::queued_events
};

template <class Fn, class... Args>
auto Document::handler(Fn fn, Args... args) {
  return [self = shared_from_this(), fn, ... args = std::move(args)](auto&&... more) mutable {
    ((*self).*fn)(std::move(args)..., std::forward<decltype(more)>(more)...);
    if (self->services_.check_invariants) self->check_invariants();
  };
}

}  // namespace weft::server::documents
