// registry.cpp — Registry: the table of live documents.
#include "server/documents/registry.hpp"

#include <atomic>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <spdlog/logger.h>

#include "server/base/metrics.hpp"
#include "server/documents/document.hpp"

namespace weft::server::documents {

Registry::Registry(DocumentServices services) : services_(std::move(services)) {}

Registry::~Registry() = default;

std::shared_ptr<Document> Registry::acquire(const std::string& id) {
  std::shared_ptr<Document> document;
  bool closing = false;
  {
    std::lock_guard lock(mutex_);
    auto& slot = documents_[id];
    if (slot) return slot;
    slot = std::make_shared<Document>(services_, *this, id);
    document = slot;
    closing = shutting_down_;
  }
  services_.metrics.documents_loaded.Increment();
  services_.log.debug("doc={} event=load", id);
  document->start();
  // Created after shutdown began: it only turns joiners away.
  if (closing) document->shutdown([] {});
  return document;
}

std::shared_ptr<Document> Registry::successor(const std::string& id) { return acquire(id); }

bool Registry::release(const Document& document) {
  std::lock_guard lock(mutex_);
  const auto it = documents_.find(document.id());
  if (it == documents_.end() || it->second.get() != &document) return false;
  documents_.erase(it);
  services_.metrics.documents_loaded.Decrement();
  services_.log.debug("doc={} event=unload", document.id());
  return true;
}

std::shared_ptr<Document> Registry::find(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const auto it = documents_.find(id);
  return it == documents_.end() ? nullptr : it->second;
}

std::size_t Registry::size() const {
  std::lock_guard lock(mutex_);
  return documents_.size();
}

void Registry::shutdown(std::function<void()> done) {
  std::vector<std::shared_ptr<Document>> documents;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    for (const auto& [id, document] : documents_) documents.push_back(document);
  }
  if (documents.empty()) {
    boost::asio::post(services_.executor, std::move(done));
    return;
  }
  auto remaining = std::make_shared<std::atomic<std::size_t>>(documents.size());
  auto finished = [remaining, done = std::move(done)] {
    if (remaining->fetch_sub(1) == 1) done();
  };
  for (const auto& document : documents) document->shutdown(finished);
}

}  // namespace weft::server::documents
