// registry.hpp — Registry: the live documents of this server, by id. A document is loaded on its
// first acquire() and leaves when it releases itself (unloaded after its last member left and the
// grace period passed, failed, or deleted).
//
// The registry's mutex is taken on acquire, release, find and shutdown only; ops, acks and
// presence never touch it (each Document runs on its own strand). Thread-safe.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "server/documents/document_host.hpp"

namespace weft::server::documents {

class Registry final : public DocumentHost {
 public:
  // `services` are handed to every document. Requires: they outlive the registry.
  explicit Registry(DocumentServices services);
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  ~Registry() override;

  // The live document `id`, created (and its load started) if it is not loaded. Requires: id is
  // a valid document id (storage::is_valid_document_id).
  [[nodiscard]] std::shared_ptr<Document> acquire(const std::string& id);
  // The document `id` if it is loaded now, else null; never loads (the HTTP API's view).
  [[nodiscard]] std::shared_ptr<Document> find(std::string_view id) const;
  // Documents loaded now.
  [[nodiscard]] std::size_t size() const;

  // Stops every document: pending commits finish, snapshots are written, members are sent a
  // close with going_away. `done` runs (on some executor thread) when everything is flushed.
  void shutdown(std::function<void()> done);

  // DocumentHost
  [[nodiscard]] std::shared_ptr<Document> successor(const std::string& id) override;
  bool release(const Document& document) override;

 private:
  const DocumentServices services_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Document>, std::less<>> documents_;  // by mutex_
  bool shutting_down_ = false;                                               // by mutex_
};

}  // namespace weft::server::documents
