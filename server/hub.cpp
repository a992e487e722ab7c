// hub.cpp — Hub: the registry of live documents.
#include "server/hub.hpp"

#include <utility>
#include <vector>

#include <boost/asio/post.hpp>

#include "server/document.hpp"

namespace weft::server {

Hub::Hub(const ServerConfig& config, OpStream& stream, boost::asio::any_io_executor io)
    : config_(config), stream_(stream), io_(std::move(io)) {}

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
  return true;
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
