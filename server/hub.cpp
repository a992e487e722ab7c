// hub.cpp — Hub: the registry of live documents.
#include "server/hub.hpp"

#include <utility>
#include <vector>

#include <boost/asio/post.hpp>

#include "server/document.hpp"
#include "server/log.hpp"
#include "server/metrics.hpp"

namespace weft::server {

Hub::Hub(const ServerConfig& config, OpStream& stream, boost::asio::any_io_executor io)
    : config_(config),
      verifier_(config_.jwt_secret, config_.jwt_public_key),
      stream_(stream),
      io_(std::move(io)),
      own_metrics_(std::make_unique<Metrics>()),
      metrics_(own_metrics_.get()),
      log_(make_null_logger()) {}

Hub::~Hub() = default;

std::shared_ptr<Document> Hub::acquire(const std::string& id) {
  std::shared_ptr<Document> document;
  bool closing = false;
  {
    std::lock_guard lock(mutex_);
    auto& slot = documents_[id];
    if (slot) return slot;
    slot = std::make_shared<Document>(*this, id);
    document = slot;
    closing = shutting_down_;
  }
  metrics_->documents_loaded.Increment();
  log_->debug("doc={} event=load", id);
  document->start();
  // Created after shutdown began: it only turns joiners away.
  if (closing) document->shutdown([] {});
  return document;
}

bool Hub::release(const Document& document) {
  std::lock_guard lock(mutex_);
  const auto it = documents_.find(document.id());
  if (it == documents_.end() || it->second.get() != &document) return false;
  documents_.erase(it);
  metrics_->documents_loaded.Decrement();
  log_->debug("doc={} event=unload", document.id());
  return true;
}

void Hub::set_observability(Metrics& metrics, std::shared_ptr<spdlog::logger> log) {
  metrics_ = &metrics;
  log_ = std::move(log);
}

std::shared_ptr<Document> Hub::find(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const auto it = documents_.find(id);
  return it == documents_.end() ? nullptr : it->second;
}

void Hub::shutdown(std::function<void()> done) {
  std::vector<std::shared_ptr<Document>> documents;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    for (const auto& [id, document] : documents_) documents.push_back(document);
  }
  if (documents.empty()) {
    boost::asio::post(io_, std::move(done));
    return;
  }
  auto remaining = std::make_shared<std::atomic<std::size_t>>(documents.size());
  auto finished = [remaining, done = std::move(done)] {
    if (remaining->fetch_sub(1) == 1) done();
  };
  for (const auto& document : documents) document->shutdown(finished);
}

void Hub::connection_opened() {
  ++connections_;
  metrics_->connections.Increment();
}

void Hub::connection_closed() {
  --connections_;
  metrics_->connections.Decrement();
}

HubStats Hub::stats() const {
  HubStats stats;
  {
    std::lock_guard lock(mutex_);
    stats.documents = documents_.size();
  }
  stats.connections = connections_.load(std::memory_order_relaxed);
  stats.ops_applied = ops_applied.load(std::memory_order_relaxed);
  stats.ops_rejected = ops_rejected.load(std::memory_order_relaxed);
  stats.divergence_reports = divergence_reports.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace weft::server
