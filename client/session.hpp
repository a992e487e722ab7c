// session.hpp — Session: a Weft client holding one crdt::Rga replica per joined document.
//
// It speaks proto/PROTOCOL.md over a Connection: hello, join with resume (epoch, replica, token
// and version vector kept per document), catch-up by ops or snapshot, local edits sent as `ops`,
// acks, presence and digests. Every local op stays in the document's Outbox (outbox.hpp) until the
// server acknowledges it (ack next_seq); after a reconnect (or a rejoin) the unacknowledged ops
// are re-applied on top of whatever catch-up brought and sent again, so no acknowledged-or-not
// local edit is lost while the server keeps the client's epoch. A reset (new epoch) drops the
// replica and its unacknowledged ops. When the replica's unacknowledged ops can never be
// integrated (a refused resume token, a takeover, a permanent refusal), the document is rebuilt
// from the server's state and those edits are typed again under a new replica, minus the ones
// the server refused, which are reported as a Refusal (PROTOCOL.md §7.8, recovery.hpp).
//
// Threading: a Session lives on one io_context that the owner runs (several sessions may share
// it: run_until() drives them all). Every member must be called from that thread. Nothing blocks
// except the *_wait helpers, which run the io_context until their condition holds.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <tl/expected.hpp>

#include "client/connection.hpp"
#include "client/outbox.hpp"
#include "client/recovery.hpp"
#include "client/tls.hpp"
#include "crdt/op.hpp"
#include "crdt/rga.hpp"
#include "proto/frame.hpp"

namespace weft::client {

using Clock = std::chrono::steady_clock;

// Runs `ioc` until `done()` holds or `timeout` passes; true if it holds.
bool run_until(boost::asio::io_context& ioc, const std::function<bool()>& done,
               std::chrono::milliseconds timeout);

// Where a joined document stands on the current connection.
enum class DocPhase : std::uint8_t {
  idle,         // not a member (never joined, left, disconnected, or removed by the server)
  joining,      // join sent, waiting for joined
  catching_up,  // joined received, waiting for synced
  live,         // caught up: local ops are sent as they are made
  leaving,      // leave sent, waiting for left
};

// An edit the server refused for good (PROTOCOL.md §8: read_only, document_full, a 1xx error that
// is not retry-later), once the document was rebuilt without it.
struct Refusal {
  std::string name;            // the error's name, e.g. "document_full"
  std::uint64_t code = 0;      // its code
  std::string message;         // plain language: what happened and what was not saved
  std::string server_message;  // the error frame's message
  std::optional<crdt::Id> op;  // the op it named
  Dropped dropped;             // the user's edits that were not saved
};

// A rebuild in progress of a replica whose unacknowledged ops can never be integrated.
struct Recovery {
  DropRule rule;              // rule.replica: the lost replica
  std::vector<crdt::Op> ops;  // its unacknowledged ops, to type again
  std::vector<proto::Error> refusals;
  bool fresh = false;  // the next join asks for a new replica (nil epoch)
};

// One document as this client holds it.
struct DocState {
  std::string id;
  DocPhase phase = DocPhase::idle;
  bool wanted = false;  // joined by the owner and not left: rejoined after a reconnect
  // Resume credentials (from the last joined frame).
  std::optional<std::uint64_t> epoch;
  crdt::ReplicaId replica = 0;
  std::optional<proto::ResumeToken> token;
  std::optional<crdt::Rga> rga;  // exists once a replica was assigned
  Outbox outbox;                 // local ops of `replica` not yet acknowledged
  bool rebuild = false;          // local edits wait: the replica is being rebuilt from the server
  bool rejoin = false;         // leave sent to start over from an empty replica: join again on left
  std::string snapshot_bytes;  // chunks received so far
  crdt::VersionVector server_version;                         // from joined / synced
  std::map<crdt::ReplicaId, proto::PresenceState> presences;  // other members
  std::size_t digests_checked = 0;
  std::size_t digest_mismatches = 0;
  std::size_t lost_ops = 0;  // unacknowledged ops dropped by a reset (another epoch)
  std::size_t resets = 0;
  std::optional<Recovery> recovery;
  std::vector<Refusal> refusals;  // every refusal reported, oldest first
  bool read_only = false;         // a read_only refusal or access_revoked said so: local edits fail
  std::size_t takeovers = 0;      // replica_taken_over received
};

struct SessionOptions {
  std::string client_name = "weft-client-cpp";
  std::chrono::milliseconds timeout{5000};  // for the blocking helpers
  // Access token (a JWT, PROTOCOL.md §13), sent at every handshake as /ws?token=TOKEN; empty:
  // none (a server in development mode needs none).
  std::string token;
  // wss:// instead of ws:// (client/tls.hpp); every connection of the session uses it.
  std::optional<TlsOptions> tls;
  // Called (on the io_context's thread) when a document was rebuilt without edits the server
  // refused for good; DocState::refusals keeps them too.
  std::function<void(const std::string& doc, const Refusal& refusal)> on_refused;
};

class Session {
 public:
  explicit Session(boost::asio::io_context& ioc, SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // TCP + WebSocket handshake only (no hello), waiting until open or failed.
  tl::expected<void, std::string> connect(const std::string& host, std::uint16_t port);
  // Sends hello and waits for welcome (or an error/close).
  tl::expected<void, std::string> hello();
  // connect() + hello().
  tl::expected<void, std::string> open(const std::string& host, std::uint16_t port);
  // Closes the connection (a clean close, or a cut when `abrupt`); documents keep their state
  // and local edits keep working offline.
  void disconnect(bool abrupt = false);
  // Connects again to the last host, says hello, and rejoins every wanted document with its
  // epoch, replica, token and version vector; waits until all of them are live.
  tl::expected<void, std::string> reconnect();
  // The same, to another address (a server restarted on another port).
  tl::expected<void, std::string> reconnect(const std::string& host, std::uint16_t port);

  // Sends join (resuming when the document has credentials) and waits until live.
  tl::expected<void, std::string> join(const std::string& doc);
  void join_async(const std::string& doc);
  void leave(const std::string& doc);

  // Local edits at code-point positions; work offline too. Fail before the first joined.
  tl::expected<void, std::string> local_insert(const std::string& doc, std::uint64_t pos,
                                               std::string_view text);
  tl::expected<void, std::string> local_delete(const std::string& doc, std::uint64_t pos,
                                               std::uint64_t len);
  void set_presence(const std::string& doc, const proto::PresenceState& state);
  // Sends bytes as one binary message, as they are (for hostile-input tests).
  void send_bytes(std::string bytes);
  void send_frame(const proto::Frame& frame);
  // Sends refresh (PROTOCOL.md §5.15) and waits for refreshed (its expiry, Unix seconds, if the
  // token has one) or unauthorized. On success later handshakes use the new token too.
  tl::expected<std::optional<std::uint64_t>, std::string> refresh(const std::string& token);

  [[nodiscard]] std::string text(const std::string& doc) const;
  [[nodiscard]] const DocState* doc(const std::string& doc) const;
  [[nodiscard]] bool live(const std::string& doc) const;
  // Live and every local op acknowledged.
  [[nodiscard]] bool acked(const std::string& doc) const;
  [[nodiscard]] bool connected() const { return conn_ && conn_->is_open(); }
  [[nodiscard]] bool welcomed() const { return welcome_.has_value(); }
  [[nodiscard]] const std::optional<CloseInfo>& close_info() const { return close_info_; }
  // Every frame received on any connection, decoded (undecodable ones as an Error with
  // code 0 and the decoder's message).
  [[nodiscard]] const std::vector<proto::Frame>& received() const { return received_; }
  [[nodiscard]] std::vector<proto::Error> errors() const;

  bool wait_until(const std::function<bool()>& done);
  bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);
  boost::asio::io_context& io() { return ioc_; }

 private:
  void start_connection(const std::string& host, std::uint16_t port);
  void on_message(std::string_view bytes);
  void on_close(const CloseInfo& info);
  void handle(const proto::Frame& frame);
  void on_joined(const proto::Joined& joined);
  void on_snapshot(const proto::SnapshotChunk& chunk);
  void on_ops(const proto::Ops& ops);
  void on_synced(const proto::Synced& synced);
  void on_ack(const proto::Ack& ack);
  void on_presences(const proto::Presences& presences);
  void on_left(const proto::Left& left);
  void on_digest(const proto::DigestFrame& digest);
  void on_error(const proto::Error& error);
  void send_join(DocState& doc);
  // After document_unavailable: joins every wanted idle document again after a pause that
  // doubles up to a limit (PROTOCOL.md §10, obligation 8).
  void rejoin_later();
  void rejoin_from_scratch(DocState& doc);
  void recover(DocState& doc, const proto::Error* refusal);
  void finish_recovery(DocState& doc);
  void flush(DocState& doc);
  void schedule_flush(DocState& doc);
  [[nodiscard]] std::uint64_t op_text_budget(std::string_view doc) const;
  void resend_after_rate_limit(DocState& doc, crdt::Id first);
  DocState* find(std::string_view doc);

  boost::asio::io_context& ioc_;
  SessionOptions options_;
  std::shared_ptr<Connection> conn_;
  bool opening_ = false;
  std::string host_;
  std::uint16_t port_ = 0;
  std::optional<proto::Welcome> welcome_;
  std::optional<CloseInfo> close_info_;
  std::map<std::string, DocState, std::less<>> docs_;
  std::vector<proto::Frame> received_;
  std::size_t errors_seen_ = 0;             // hello() waits for a new error
  boost::asio::steady_timer resend_timer_;  // resend_after_rate_limit()
  bool resend_armed_ = false;
  boost::asio::steady_timer rejoin_timer_;  // rejoin_later()
  bool rejoin_armed_ = false;
  std::chrono::milliseconds rejoin_pause_;  // doubles per document_unavailable, reset by synced
};

}  // namespace weft::client
