// metrics.hpp — the server's Prometheus metrics: one registry, the families operators watch, and
// their text rendering for GET /metrics.
//
// Owned by main() (tests and fuzzers make their own), passed by reference to what reports. Every
// member is thread-safe (prometheus-cpp's metrics are atomics), so documents, connections and
// sessions update them from their own strands without coordination.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "proto/frame.hpp"

namespace weft::server::base {

// The `reason` label of a close the server sent: going_away, too_slow, ...
[[nodiscard]] std::string_view close_reason_name(proto::CloseCode code);

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Prometheus text exposition format (version 0.0.4) of every family.
  [[nodiscard]] std::string render() const;

  // A WebSocket closed; `reason` is a close code name (going_away, too_slow, ...) or "client".
  void count_close(std::string_view reason);
  // A connection on a TLS port was classified: "ok" (handshake done), "failed" (handshake
  // error or timeout) or "plain" (plain text, answered 400).
  void count_tls_handshake(std::string_view result);

 private:
  std::shared_ptr<prometheus::Registry> registry_;  // first: the families below live in it
  prometheus::Family<prometheus::Counter>& closes_;
  prometheus::Family<prometheus::Counter>& tls_handshakes_;

 public:
  prometheus::Gauge& connections;       // open WebSockets
  prometheus::Gauge& documents_loaded;  // documents in the registry
  prometheus::Counter& joins;           // joins completed (joined sent)
  prometheus::Counter& ops_received;    // ops in ops frames that reached a document
  prometheus::Counter& ops_applied;     // ops integrated (new to the document)
  prometheus::Counter& ops_rejected;    // ops refused with an error frame
  prometheus::Counter& bytes_in;        // WebSocket message bytes read
  prometheus::Counter& bytes_out;       // WebSocket message bytes written
  prometheus::Counter& presence_updates;
  prometheus::Histogram& commit_seconds;  // one store append of a batch, start to durable
  prometheus::Histogram& batch_ops;       // records per append
  prometheus::Histogram& ack_seconds;     // ops frame received by its document -> ack sent
  prometheus::Gauge& queued_events;       // events waiting in documents' queues, all documents
  prometheus::Gauge& outbound_bytes;      // encoded frames queued for clients, not yet written
  prometheus::Counter& divergence_reports;
  // Resource bounds (issue 13, item 8).
  prometheus::Gauge& sockets;                 // open sockets of every kind (HTTP, TLS, WebSocket)
  prometheus::Counter& connections_refused;   // sockets refused over max_connections or per address
  prometheus::Counter& exports_refused;       // log exports answered 503 (too many at once)
  prometheus::Counter& log_lines_suppressed;  // log lines over log_lines_per_second, not written
  prometheus::Gauge& store_writable;          // 1 while the store takes writes, 0 when it cannot
  prometheus::Counter& store_write_failures;  // store commits that failed (disk full, I/O error)
};

}  // namespace weft::server::base
