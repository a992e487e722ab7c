// open_sessions.cpp — registration of open sessions and the shutdown drain.
#include "server/transport/open_sessions.hpp"

#include <string>
#include <utility>
#include <vector>

namespace weft::server::transport {

bool OpenSessions::add(std::uint64_t id, std::weak_ptr<OpenSession> session) {
  const std::lock_guard lock{mutex_};
  if (draining_) return false;
  sessions_.emplace(id, std::move(session));
  return true;
}

void OpenSessions::remove(std::uint64_t id) {
  std::function<void()> drained;
  {
    const std::lock_guard lock{mutex_};
    sessions_.erase(id);
    if (draining_ && sessions_.empty()) drained = std::exchange(drained_, nullptr);
  }
  if (drained) drained();
}

void OpenSessions::drain(proto::CloseCode code, std::string_view reason,
                         std::function<void()> drained) {
  std::vector<std::shared_ptr<OpenSession>> open;
  {
    const std::lock_guard lock{mutex_};
    draining_ = true;
    for (const auto& [id, weak] : sessions_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
    if (!sessions_.empty()) {
      drained_ = std::move(drained);
      drained = nullptr;
    }
  }
  for (const auto& session : open) session->close(code, reason);
  if (drained) drained();
}

void OpenSessions::abort_all() {
  std::vector<std::shared_ptr<OpenSession>> open;
  {
    const std::lock_guard lock{mutex_};
    for (const auto& [id, weak] : sessions_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (const auto& session : open) session->abort();
}

std::size_t OpenSessions::size() const {
  const std::lock_guard lock{mutex_};
  return sessions_.size();
}

}  // namespace weft::server::transport
