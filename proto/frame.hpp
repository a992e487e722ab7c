// frame.hpp — the wire protocol's frames: one msgpack array per binary WebSocket message.
//
// proto/PROTOCOL.md is the specification (shapes, who sends what, errors, limits, examples);
// these structs are its C++ form and frame_codec.hpp converts them to and from bytes. Every
// frame is [type, field, ...]; the type numbers below are stable.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "crdt/anchor.hpp"
#include "crdt/op.hpp"
#include "crdt/types.hpp"
#include "crdt/version_vector.hpp"

namespace weft::proto {

// The protocol version this code speaks; hello carries the client's.
inline constexpr std::uint64_t protocol_version = 1;

enum class FrameType : std::uint8_t {
  hello = 1,       // client -> server
  welcome = 2,     // server -> client
  join = 3,        // client -> server
  joined = 4,      // server -> client
  snapshot = 5,    // server -> client
  ops = 6,         // both ways
  synced = 7,      // server -> client
  ack = 8,         // server -> client
  presence = 9,    // client -> server
  presences = 10,  // server -> client
  leave = 11,      // client -> server
  left = 12,       // server -> client
  digest = 13,     // server -> client
  diverged = 14,   // client -> server
  error = 15,      // server -> client
  refresh = 16,    // client -> server
  refreshed = 17,  // server -> client
};

// 8 bytes, big-endian FNV-1a 64 of the document's visible text as UTF-8 (PROTOCOL.md, "Digest").
using Digest = std::array<std::uint8_t, 8>;
// The secret a client presents to author under its replica again after reconnecting.
using ResumeToken = std::array<std::uint8_t, 16>;

// Limits the server enforces and announces in welcome (PROTOCOL.md, "Limits").
struct ServerLimits {
  std::uint64_t max_frame_bytes = 1 << 20;       // client frames above this: close 1009
  std::uint64_t max_ops_per_frame = 4096;        // ops frames with more: error too_many_ops
  std::uint64_t max_run = 1 << 20;               // units per op (crdt Limits::max_run)
  std::uint64_t max_docs_per_connection = 64;    // joins beyond: error too_many_documents
  std::uint64_t max_frames_per_second = 500;     // sustained; bursts up to twice this
  std::uint64_t presence_interval_ms = 50;       // presence reaches others at most this often
  std::uint64_t digest_interval_ms = 1000;       // digest frames at most this often per document
  std::uint64_t idle_timeout_ms = 20000;         // silent connections are closed after this
  std::uint64_t max_ops_per_second = 2000;       // ops per connection (token bucket, burst 2x)
  std::uint64_t max_bytes_per_second = 4 << 20;  // frame bytes per connection (burst 2x)
  std::uint64_t max_connections_per_ip = 64;     // more: the upgrade is refused with HTTP 429
  std::uint64_t max_buffered_ops = 4096;         // ops per document waiting for dependencies
  std::uint64_t max_document_bytes = 64 << 20;   // UTF-8 bytes of ever-inserted text per document
  std::uint64_t max_outbound_bytes = 16 << 20;   // queued for one client; more: close 4003
  friend bool operator==(const ServerLimits&, const ServerLimits&) = default;
};

struct Hello {
  std::uint64_t version = protocol_version;
  std::string client;  // free-form client name and version, for logs
  friend bool operator==(const Hello&, const Hello&) = default;
};

struct Welcome {
  std::uint64_t version = protocol_version;
  std::string server;  // server name and version
  ServerLimits limits;
  friend bool operator==(const Welcome&, const Welcome&) = default;
};

struct Join {
  std::string doc;
  std::optional<std::uint64_t> epoch;  // the epoch the client's replica belongs to; none = fresh
  std::optional<crdt::ReplicaId> replica;  // the replica to resume (with token)
  std::optional<ResumeToken> token;
  crdt::VersionVector version;  // what the client holds (empty when fresh)
  friend bool operator==(const Join&, const Join&) = default;
};

struct Joined {
  std::string doc;
  std::uint64_t epoch = 0;
  crdt::ReplicaId replica = 0;  // the replica this connection authors under in `doc`
  ResumeToken token{};          // present it in a later join to resume `replica`
  crdt::VersionVector version;  // the server's durable version once catch-up is complete
  bool reset = false;           // the client's replica is from another epoch: drop it
  friend bool operator==(const Joined&, const Joined&) = default;
};

// One piece of a crdt snapshot (crdt/README.md §11.1): bytes [offset, offset + size) of `total`.
struct SnapshotChunk {
  std::string doc;
  std::uint64_t offset = 0;
  std::uint64_t total = 0;
  std::string bytes;
  friend bool operator==(const SnapshotChunk&, const SnapshotChunk&) = default;
};

struct Ops {
  std::string doc;
  std::vector<crdt::Op> ops;
  friend bool operator==(const Ops&, const Ops&) = default;
};

// End of catch-up: the client now holds `version`, where the text has `digest`.
struct Synced {
  std::string doc;
  crdt::VersionVector version;
  Digest digest{};
  friend bool operator==(const Synced&, const Synced&) = default;
};

// Every op of the connection's replica in `doc` with seq < next_seq is durable.
struct Ack {
  std::string doc;
  crdt::Seq next_seq = 0;
  friend bool operator==(const Ack&, const Ack&) = default;
};

// A member's presence. `head` is the cursor; `anchor` the other end of the selection (equal to
// head, or absent, when nothing is selected).
struct PresenceState {
  std::optional<crdt::Anchor> head;
  std::optional<crdt::Anchor> anchor;
  std::string name;
  std::string color;  // CSS colour, e.g. "#e0457b"
  bool typing = false;
  friend bool operator==(const PresenceState&, const PresenceState&) = default;
};

struct Presence {
  std::string doc;
  PresenceState state;
  friend bool operator==(const Presence&, const Presence&) = default;
};

struct Presences {
  struct Entry {
    crdt::ReplicaId replica = 0;
    std::optional<PresenceState> state;  // none = the member left
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  std::string doc;
  std::vector<Entry> entries;
  friend bool operator==(const Presences&, const Presences&) = default;
};

struct Leave {
  std::string doc;
  friend bool operator==(const Leave&, const Leave&) = default;
};

struct Left {
  std::string doc;
  friend bool operator==(const Left&, const Left&) = default;
};

// The server's text digest at `version` (sent after changes, at most every digest_interval_ms).
struct DigestFrame {
  std::string doc;
  crdt::VersionVector version;
  Digest digest{};
  friend bool operator==(const DigestFrame&, const DigestFrame&) = default;
};

// A client's report that its digest at `version` differs from the server's.
struct Diverged {
  std::string doc;
  crdt::VersionVector version;
  Digest digest{};  // the client's
  friend bool operator==(const Diverged&, const Diverged&) = default;
};

// Error codes (PROTOCOL.md, "Errors"). Op rejections are op_rejected_base + crdt::Errc.
enum class ErrorCode : std::uint16_t {
  malformed_frame = 1,  // not msgpack, trailing bytes, or wrong shape for its type
  unknown_frame_type = 2,
  frame_too_large = 3,      // (sent with close 1009)
  unsupported_version = 4,  // (sent with close 4001)
  hello_required = 5,       // first frame not hello, or a second hello (close 4002)
  bad_document_id = 6,
  not_joined = 7,
  already_joined = 8,
  too_many_documents = 9,
  rate_limited = 10,  // frame dropped; sustained floods are closed with 1008
  too_many_ops = 11,
  replica_mismatch = 12,      // op authored under a replica that is not this member's
  replica_taken_over = 13,    // another connection resumed this replica: no longer a member
  document_unavailable = 14,  // the document could not be loaded
  storage_failed = 15,        // the store failed: unacknowledged ops were not kept; rejoin
  overloaded = 16,            // the document's queue is full; resend later
  internal_error = 17,
  unauthorized = 18,          // refresh with a token that is invalid or expired (old one stays)
  access_denied = 19,         // join of a document the token gives no access to, or that does
                              // not exist for this user (the two are indistinguishable)
  read_only = 20,             // ops from a member with read access only: op refused
  token_expired = 21,         // the token expired: every membership ends; refresh and rejoin
  access_revoked = 22,        // a refresh narrowed the rights: membership ended or read-only now
  document_full = 23,         // the op would grow the document past max_document_bytes
  too_many_connections = 24,  // (HTTP 429 at the upgrade: more than max_connections_per_ip)
  op_rejected_base = 100,     // + crdt::Errc (101 bad_replica ... 117 bad_snapshot)
};

struct Error {
  std::uint64_t code = 0;  // ErrorCode or op_rejected_base + crdt::Errc
  std::string name;        // e.g. "replica_mismatch", "heap_violation"
  std::string message;     // human-readable detail
  std::optional<std::string> doc;
  std::optional<crdt::Id> op;  // (replica, seq) of the rejected op
  friend bool operator==(const Error&, const Error&) = default;
};

// WebSocket close codes the server uses (PROTOCOL.md, "Errors and close codes").
enum class CloseCode : std::uint16_t {
  normal = 1000,            // the client closed, or the server after a client's close
  going_away = 1001,        // server shutdown: reconnect later
  protocol_error = 1002,    // a WebSocket-level violation (Beast closes with it)
  policy_violation = 1008,  // sustained flood beyond the rate limit
  too_big = 1009,           // frame larger than max_frame_bytes
  internal_error = 1011,
  unsupported_version = 4001,  // hello with a version this server does not speak
  hello_required = 4002,       // first frame not hello (or none within the idle timeout)
  too_slow = 4003,             // the client does not read what it is sent (reserved, issue 5)
  idle_timeout = 4004,         // nothing received for idle_timeout_ms, not even a pong
};

// Replaces the connection's access token (a JWT, PROTOCOL.md "Authentication") without
// reconnecting.
struct Refresh {
  std::string token;
  friend bool operator==(const Refresh&, const Refresh&) = default;
};

// The new token is in force; `expires` is its expiry (Unix seconds), none if it has none.
struct Refreshed {
  std::optional<std::uint64_t> expires;
  friend bool operator==(const Refreshed&, const Refreshed&) = default;
};

using Frame =
    std::variant<Hello, Welcome, Join, Joined, SnapshotChunk, Ops, Synced, Ack, Presence, Presences,
                 Leave, Left, DigestFrame, Diverged, Error, Refresh, Refreshed>;

[[nodiscard]] FrameType frame_type(const Frame& frame);
[[nodiscard]] std::string_view error_name(ErrorCode code);

}  // namespace weft::proto
