// config.hpp — everything an operator can set, with the defaults the README documents.
//
// main() fills it from flags and environment variables (server_main.cpp); the protocol core and
// the transport read it and never consult the environment themselves.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "proto/frame.hpp"
#include "server/base/principal.hpp"
#include "storage/snapshot_policy.hpp"

namespace weft::server::base {

// Bounds on what clients may hold before and outside the WebSocket protocol (issue 13, item 8):
// sockets, idle HTTP connections, log exports, client-triggered log lines.
struct ResourceLimits {
  // A connection must send a request's headers within this, the first request as each later
  // one on a kept-alive connection; else it is closed.
  std::chrono::milliseconds http_idle_timeout{10000};
  std::uint64_t max_connections = 10000;     // open sockets of every kind; more are refused
  std::uint64_t max_sockets_per_ip = 256;    // open sockets of one address; more are refused
  std::uint64_t max_concurrent_exports = 4;  // GET /api/docs/ID/log at once; more: 503
  std::uint64_t log_lines_per_second = 20;   // per event name; more are counted, not written
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string data_dir = "./data";  // the RocksDB store's directory, unless redis_url is set
  // Cluster mode (docs/cluster.md): documents live in this Redis (redis://HOST[:PORT][/DB],
  // storage::RedisStore) instead of data_dir. Empty = one node on RocksDB.
  std::string redis_url;
  std::uint32_t redis_replicas = 0;  // acknowledge a write once WAIT reports this many replicas
  bool redis_relaxed_durability = false;          // run on a Redis whose writes are not durable
  std::string node_id;                            // names this node (/healthz, logs); set by main()
  std::string static_dir = "./client-js/public";  // the editor's files, served at /
  unsigned threads = 0;                           // 0 = the core count
  unsigned store_threads = 32;                    // blocking store calls (group commit)
  proto::ServerLimits limits;
  ResourceLimits resources;
  storage::SnapshotPolicy snapshots;
  std::chrono::milliseconds unload_after{30000};  // a document without members stays this long
  std::chrono::milliseconds hello_timeout{10000};
  std::size_t max_queued_ops = 65536;  // per document, while a commit is in flight
  // Replica table entries per document; beyond, the oldest not in use are evicted
  // (documents/replica_table.hpp).
  std::size_t max_replicas_per_document = 4096;
  std::string log_level = "info";  // of the stderr log (base/log.hpp: parse_log_level)
  // HS256 secret and RS*/ES* public key for client tokens (principal.hpp, auth/jwt_verifier.hpp);
  // either one turns authentication on, neither = development mode. The key is parsed with the
  // options.
  std::optional<std::string> jwt_secret;
  std::optional<PublicKey> jwt_public_key;
  // TLS (transport/tls_certificates.hpp): PEM certificate chain and private key. Both set = the
  // port speaks TLS only (https://, wss://); both empty = plain HTTP and WebSocket.
  std::string tls_cert;
  std::string tls_key;
};

}  // namespace weft::server::base
