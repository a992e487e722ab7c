// transport_context.hpp — what the transport's sessions share, owned by main(), which outlives
// them all: the services (config, metrics, log, token verifier), the protocol core they hand
// clients to (the registry, through each Connection), and the transport's own tables.
#pragma once
#include "server/api/http_api.hpp"
#include "server/base/config.hpp"
#include "server/base/connection_ids.hpp"
#include "server/base/metrics.hpp"
#include "server/base/principal.hpp"
#include "server/base/store_status.hpp"
#include "server/connections/connection.hpp"
#include "server/transport/ip_limiter.hpp"
#include "server/transport/open_sessions.hpp"
#include "server/transport/static_files.hpp"
#include "server/transport/tls_certificates.hpp"

namespace spdlog {
class logger;
}

namespace weft::server::transport {

struct TransportContext {
  const base::ServerConfig& config;
  base::Metrics& metrics;
  spdlog::logger& log;
  const base::TokenVerifier& verifier;
  base::ConnectionIds& connection_ids;
  // What each WebSocket's Connection is built with (the registry among them).
  const connections::ConnectionServices& connections;
  documents::Registry& registry;  // /healthz
  const StaticFiles& files;
  OpenSessions& sessions;
  IpLimiter* ip_limiter = nullptr;  // max_connections_per_ip; null = no limit
  // Sockets of every kind: max_sockets_per_ip and max_connections; null = no limit.
  IpLimiter* socket_limiter = nullptr;
  api::HttpApi* api = nullptr;  // serves /api/... (api/http_api.hpp); null = 404 there
  // The certificate of a TLS port (tls_certificates.hpp); null = plain HTTP and WebSocket.
  const TlsCertificates* tls = nullptr;
  // Whether the store takes writes (/healthz); null = not shown.
  const base::StoreStatus* store = nullptr;
};

}  // namespace weft::server::transport
