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

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string data_dir = "./data";
  std::string static_dir = "./client-js/public";  // the editor's files, served at /
  unsigned threads = 0;                           // 0 = the core count
  unsigned store_threads = 32;                    // blocking store calls (group commit)
  proto::ServerLimits limits;
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
