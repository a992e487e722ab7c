// metrics.cpp — Metrics: family names, help texts and bucket boundaries.
#include "server/base/metrics.hpp"

#include <sstream>
#include <utility>

#include <prometheus/text_serializer.h>

namespace weft::server::base {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

template <class Builder>
auto& family(Builder builder, prometheus::Registry& registry, const char* name, const char* help) {
  return builder.Name(name).Help(help).Register(registry);
}

prometheus::Counter& counter(prometheus::Registry& registry, const char* name, const char* help) {
  return family(BuildCounter(), registry, name, help).Add({});
}

prometheus::Gauge& gauge(prometheus::Registry& registry, const char* name, const char* help) {
  return family(BuildGauge(), registry, name, help).Add({});
}

prometheus::Histogram& histogram(prometheus::Registry& registry, const char* name, const char* help,
                                 const prometheus::Histogram::BucketBoundaries& b) {
  return family(BuildHistogram(), registry, name, help).Add({}, b);
}

// Seconds: from a fast fsync (100 us) to a stalled disk.
prometheus::Histogram::BucketBoundaries latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      closes_(family(BuildCounter(), *registry_, "weft_closes_total",
                     "WebSocket connections closed, by reason")),
      tls_handshakes_(family(BuildCounter(), *registry_, "weft_tls_handshakes_total",
                             "Connections to a TLS port, by result (ok, failed, plain)")),
      connections(gauge(*registry_, "weft_connections", "Open WebSocket connections")),
      documents_loaded(gauge(*registry_, "weft_documents_loaded", "Documents loaded in memory")),
      joins(counter(*registry_, "weft_joins_total", "Joins completed")),
      ops_received(counter(*registry_, "weft_ops_received_total", "Ops received from clients")),
      ops_applied(counter(*registry_, "weft_ops_applied_total", "Ops integrated into documents")),
      ops_rejected(counter(*registry_, "weft_ops_rejected_total", "Ops refused with an error")),
      bytes_in(counter(*registry_, "weft_bytes_received_total", "WebSocket bytes received")),
      bytes_out(counter(*registry_, "weft_bytes_sent_total", "WebSocket bytes sent")),
      presence_updates(
          counter(*registry_, "weft_presence_updates_total", "Presence updates received")),
      commit_seconds(histogram(*registry_, "weft_store_commit_seconds",
                               "Store append of one batch, start to durable", latency_buckets())),
      batch_ops(histogram(*registry_, "weft_batch_ops", "Log records per store append",
                          {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096})),
      ack_seconds(histogram(*registry_, "weft_ack_latency_seconds",
                            "Ops frame received by its document until its ack is sent",
                            latency_buckets())),
      queued_events(gauge(*registry_, "weft_queued_events",
                          "Events waiting in document queues, all documents")),
      outbound_bytes(gauge(*registry_, "weft_outbound_queued_bytes",
                           "Frame bytes queued for clients and not yet written, all connections")),
      divergence_reports(counter(*registry_, "weft_divergence_reports_total",
                                 "Clients reporting a digest mismatch")),
      sockets(gauge(*registry_, "weft_sockets_open",
                    "Open client sockets of every kind (HTTP, TLS, WebSocket)")),
      connections_refused(
          counter(*registry_, "weft_connections_refused_total",
                  "Sockets refused over --max-connections or --max-sockets-per-ip")),
      exports_refused(counter(*registry_, "weft_exports_refused_total",
                              "Log exports answered 503 over --max-concurrent-exports")),
      log_lines_suppressed(counter(*registry_, "weft_log_lines_suppressed_total",
                                   "Log lines over --log-lines-per-second, counted not written")),
      store_writable(gauge(*registry_, "weft_store_writable",
                           "1 while the store takes writes, 0 while it cannot (disk full)")),
      store_write_failures(counter(*registry_, "weft_store_write_failures_total",
                                   "Store commits that failed (disk full, I/O error)")) {
  store_writable.Set(1);
}

std::string_view close_reason_name(proto::CloseCode code) {
  switch (code) {
    case proto::CloseCode::normal:
      return "normal";
    case proto::CloseCode::going_away:
      return "going_away";
    case proto::CloseCode::protocol_error:
      return "protocol_error";
    case proto::CloseCode::policy_violation:
      return "policy_violation";
    case proto::CloseCode::too_big:
      return "too_big";
    case proto::CloseCode::internal_error:
      return "internal_error";
    case proto::CloseCode::unsupported_version:
      return "unsupported_version";
    case proto::CloseCode::hello_required:
      return "hello_required";
    case proto::CloseCode::too_slow:
      return "too_slow";
    case proto::CloseCode::idle_timeout:
      return "idle_timeout";
  }
  return "other";
}

std::string Metrics::render() const {
  std::ostringstream out;
  prometheus::TextSerializer{}.Serialize(out, registry_->Collect());
  return out.str();
}

void Metrics::count_close(std::string_view reason) {
  closes_.Add({{"reason", std::string(reason)}}).Increment();
}

void Metrics::count_tls_handshake(std::string_view result) {
  tls_handshakes_.Add({{"result", std::string(result)}}).Increment();
}

}  // namespace weft::server::base
