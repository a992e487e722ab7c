// document.hpp — one live document: its replica, its members, and the commit pipeline that makes
// every op durable before anyone hears of it (issue4-protocol-notes.md, "Server pipeline").
//
// Each Document runs on its own strand of the hub's executor: the public methods only post to it,
// so they may be called from any thread, and all state below is touched from the strand only.
// States: loading -> live -> (failed | released). Events that arrive while loading, or while a
// store write (append or replica-table update) is in flight, wait in a FIFO queue; when idle the
// queue is drained in order. Ops are integrated at once into the current batch; a join first
// waits for the batch to be durable, so catch-up and snapshots never contain non-durable ops.
// Once released (unloaded or failed), a document forwards every event to its successor, the
// document Hub::acquire returns now.
//
// Invariants (on the strand, between handlers):
//   1. At most one store write of the pipeline is in flight (store_busy_).
//   2. When no append is in flight, rga_ holds exactly the durable log (plus ops buffered inside
//      the Rga, which are never acked or relayed).
//   3. A member's frames are sent in pipeline order; acks and relayed ops only after durability.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "crdt/rga.hpp"
#include "proto/frame.hpp"
#include "proto/records.hpp"
#include "server/auth.hpp"
#include "server/peer.hpp"
#include "server/presence_board.hpp"
#include "server/replica_table.hpp"
#include "storage/document_store.hpp"

namespace weft::server {

class Hub;

// Server time of a log record: microseconds since the Unix epoch.
[[nodiscard]] inline std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Document : public std::enable_shared_from_this<Document> {
 public:
  enum class State : std::uint8_t { loading, live, failed, released };

  // Call start() once, after construction (Hub::acquire does).
  Document(Hub& hub, std::string id);
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;
  ~Document();

  void start();
  [[nodiscard]] const std::string& id() const { return id_; }

  // Connection events. `connection` identifies the member; frames go to `peer`.
  // `access` (never none) and `user_id` come from the connection's token (auth.hpp).
  void join(std::uint64_t connection, std::shared_ptr<Peer> peer, proto::Join join,
            Access access = Access::write, std::string user_id = {});
  void ops(std::uint64_t connection, std::shared_ptr<Peer> peer, proto::Ops ops);
  void presence(std::uint64_t connection, std::shared_ptr<Peer> peer, proto::PresenceState state);
  // An explicit leave (peer set: it is sent `left`) or the connection's end (peer null).
  void leave(std::uint64_t connection, std::shared_ptr<Peer> peer);
  // A refresh or the token's expiry changed the member's access (document_auth.cpp): none removes
  // it, read makes it read-only, write lets it edit again. `why` is the error it is sent
  // (none: silent).
  void change_access(std::uint64_t connection, std::shared_ptr<Peer> peer, Access access,
                     std::optional<proto::ErrorCode> why, std::string message);

  // Finishes the commit in flight, writes a snapshot, closes members with going_away, then runs
  // `done` (on the strand). Later joins are closed with going_away.
  void shutdown(std::function<void()> done);

  // The HTTP API (document_admin.cpp). members_online: `done` gets the member count (0 unless
  // live), on the strand.
  void members_online(std::function<void(std::size_t)> done);
  // DELETE: once no store write is in flight, ends every membership with storage_failed
  // ("document deleted"; clients rejoin), runs `erase` (the store's remove; it may call back on
  // any thread), then leaves the registry and hands waiting events to the successor, which
  // starts the document anew with a new epoch. `done` gets erase's result, on the strand.
  using Eraser = std::function<void(std::function<void(storage::Result<void>)>)>;
  void remove(Eraser erase, std::function<void(storage::Result<void>)> done);

 private:
  struct JoinEvent {
    std::uint64_t connection = 0;
    std::shared_ptr<Peer> peer;
    proto::Join join;
    Access access = Access::write;
    std::string user_id;
  };
  struct OpsEvent {
    std::uint64_t connection = 0;
    std::shared_ptr<Peer> peer;
    proto::Ops ops;
    std::chrono::steady_clock::time_point received{};  // for the ack latency metric
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
    Access access = Access::none;
    std::optional<proto::ErrorCode> why;
    std::string message;
  };
  using Event = std::variant<JoinEvent, OpsEvent, PresenceEvent, LeaveEvent, AccessEvent>;

  struct Member {
    std::shared_ptr<Peer> peer;
    crdt::ReplicaId replica = 0;
    std::string user_id;
    Access access = Access::write;  // read: ops refused with read_only
  };
  // A join whose replica is decided and that waits (at most) for the replica table to be durable.
  struct PreparedJoin {
    JoinEvent event;
    crdt::ReplicaId replica = 0;
    proto::ResumeToken token{};
    bool reset = false;
    bool snapshot = false;  // fresh or reset: catch up with a snapshot
  };
  // Ops integrated since the last append started: the next append.
  struct Batch {
    std::vector<proto::OpRecord> records;
    std::set<std::uint64_t> authors;  // connections to ack (also for duplicates)
    std::vector<std::chrono::steady_clock::time_point> received;  // of its ops events (metrics)
    [[nodiscard]] bool empty() const { return records.empty() && authors.empty(); }
  };

  // document.cpp: events, loading, joins, leave, presence, unload, shutdown.
  void post(Event event);
  void dispatch(Event event);
  void forward(Event event);
  void drain();
  void on_loaded(storage::Result<storage::LoadedDocument> loaded);
  void on_created(proto::DocumentMeta meta, storage::Result<void> created);
  void go_live();
  void fail_load(const std::string& why);
  void prepare_join(JoinEvent event, bool& needs_meta);
  void on_meta_updated(storage::Result<void> updated);
  void finish_join(PreparedJoin join);
  void send_catch_up(const PreparedJoin& join);
  void handle_presence(PresenceEvent event);
  void handle_leave(LeaveEvent event);
  void remove_member(std::uint64_t connection);
  void handle_access(AccessEvent event);  // document_auth.cpp
  // False (and read_only sent) if the member may not edit (document_auth.cpp).
  [[nodiscard]] bool admit_writer(const Member& member, const proto::Ops& ops) const;
  void arm_presence_flush();
  void on_presence_timer(boost::system::error_code ec);
  void maybe_schedule_unload();
  void on_unload_timer(std::uint64_t activity, boost::system::error_code ec);
  [[nodiscard]] bool can_unload() const;
  void finish_unload();
  void do_shutdown(std::function<void()> done);
  void finish_shutdown();
  void cancel_timers();

  // document_commit.cpp: integration, appends, acks, relays, digests, snapshots, failure.
  void integrate(OpsEvent event);
  void start_append();
  void on_appended(storage::Result<void> appended);
  void complete_batch(const std::vector<proto::OpRecord>& records,
                      const std::set<std::uint64_t>& authors);
  void fail_storage(const std::string& why);
  // False (and document_full sent) if integrating `op` would exceed max_document_bytes.
  [[nodiscard]] bool admit_size(const Member& member, const crdt::Op& op, crdt::Id id);
  void maybe_send_digest();
  void on_digest_timer(boost::system::error_code ec);
  void maybe_snapshot();
  void write_snapshot();
  void on_snapshot_written(std::uint64_t covered, storage::Result<void> written);

  // document_admin.cpp: the HTTP API's removal, and the queue depth metric.
  void do_remove(Eraser erase, std::function<void(storage::Result<void>)> done);
  void on_erased(bool registered, std::function<void(storage::Result<void>)> done,
                 storage::Result<void> erased);
  void report_queue_depth();

  void send(Peer& peer, const proto::Frame& frame) const;
  void send_error(Peer& peer, proto::ErrorCode code, std::string message,
                  std::optional<crdt::Id> op = std::nullopt) const;

  Hub& hub_;
  const std::string id_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  State state_ = State::loading;
  std::shared_ptr<Document> successor_;  // once released: where events go

  proto::DocumentMeta meta_;
  ReplicaTable table_;
  crdt::Rga rga_;
  std::uint64_t document_bytes_ = 0;  // the size max_document_bytes bounds (document_limits.hpp)
  crdt::VersionVector durable_vv_;
  std::uint64_t next_index_ = 0;  // log index of the next record integrated
  std::map<std::uint64_t, Member> members_;
  PresenceBoard presence_;

  std::deque<Event> queue_;
  std::size_t queued_ops_ = 0;
  bool store_busy_ = false;
  Batch batch_;
  std::vector<proto::OpRecord> in_flight_records_;
  std::set<std::uint64_t> in_flight_authors_;
  crdt::VersionVector in_flight_vv_;
  std::vector<PreparedJoin> prepared_joins_;

  boost::asio::steady_timer presence_timer_;
  bool presence_armed_ = false;
  boost::asio::steady_timer digest_timer_;
  bool digest_armed_ = false;
  bool digest_due_ = false;
  std::chrono::steady_clock::time_point last_digest_{};

  std::uint64_t ops_since_snapshot_ = 0;
  std::chrono::steady_clock::time_point last_snapshot_ = std::chrono::steady_clock::now();
  bool snapshot_busy_ = false;
  bool final_snapshot_tried_ = false;  // shutdown writes one snapshot, even if it fails

  boost::asio::steady_timer unload_timer_;
  std::uint64_t activity_ = 0;          // bumped by every event: stale unload timers do nothing
  std::uint64_t unload_armed_for_ = 0;  // activity_ + 1 when armed for activity_
  bool unloading_ = false;              // the pre-unload snapshot is being written

  bool shutting_down_ = false;
  std::function<void()> shutdown_done_;

  std::size_t reported_queue_ = 0;  // queue_.size() as last added to Metrics::queued_events
  std::chrono::steady_clock::time_point append_started_{};
  std::vector<std::chrono::steady_clock::time_point> in_flight_received_;
};

}  // namespace weft::server
