// document_admin.cpp — Document's part of the HTTP API (members online, removal) and the queue
// depth metric.
//
// Removal waits, by polling on the strand every remove_retry, until nothing of the document is
// in flight (loading, an append or replica-table write, a snapshot): what the store then deletes
// is everything the document ever wrote. While it waits and removes, store_busy_ keeps the queue
// from draining, so joins that arrive meanwhile go to the successor, which finds no document and
// creates it with a new epoch.
#include <chrono>
#include <memory>
#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/logger.h>

#include "server/base/metrics.hpp"
#include "server/documents/document.hpp"

namespace weft::server::documents {
namespace {

constexpr std::chrono::milliseconds remove_retry{5};

}  // namespace

void Document::members_online(std::function<void(std::size_t)> done) {
  boost::asio::post(strand_, [self = shared_from_this(), done = std::move(done)] {
    done(self->state_ == State::live ? self->membership_.members().size() : 0);
  });
}

void Document::remove(std::function<void(storage::Result<void>)> done) {
  boost::asio::post(strand_, handler(&Document::do_remove, std::move(done)));
}

void Document::do_remove(std::function<void(storage::Result<void>)> done) {
  if (state_ == State::loading || store_busy_ || snapshots_.busy()) {
    auto timer = std::make_shared<boost::asio::steady_timer>(strand_, remove_retry);
    timer->async_wait([self = shared_from_this(), timer, done = std::move(done)](
                          boost::system::error_code) mutable { self->do_remove(std::move(done)); });
    return;
  }
  // Not in the registry any more (failed, unloaded, shut down): only the store holds it.
  const bool registered = state_ == State::live && !shutting_down_;
  if (registered) {
    store_busy_ = true;
    cancel_timers();
    const auto dropped = membership_.clear();
    for (const Member& member : dropped.members) {
      send_error(*member.peer, proto::ErrorCode::storage_failed,
                 "document deleted: rejoin to start it anew");
    }
    services_.log.info("doc={} event=delete members={}", id_, dropped.members.size());
  }
  services_.stream.remove(id_, [self = shared_from_this(), registered,
                                done = std::move(done)](storage::Result<void> removed) mutable {
    boost::asio::post(self->strand_, self->handler(&Document::on_removed, registered,
                                                   std::move(done), std::move(removed)));
  });
}

void Document::on_removed(bool registered, const std::function<void(storage::Result<void>)>& done,
                          storage::Result<void> removed) {
  if (!registered) return done(std::move(removed));
  store_busy_ = false;
  state_ = State::released;
  host_.release(*this);
  queued_ops_ = 0;
  for (Event& event : std::exchange(queue_, {})) forward(std::move(event));
  report_queue_depth();
  done(std::move(removed));
  // A shutdown that arrived while the store removed the document waits for nothing else now.
  if (shutting_down_) finish_shutdown();
}

void Document::report_queue_depth() {
  const std::size_t now = queue_.size();
  if (now > reported_queue_) {
    services_.metrics.queued_events.Increment(static_cast<double>(now - reported_queue_));
  } else if (now < reported_queue_) {
    services_.metrics.queued_events.Decrement(static_cast<double>(reported_queue_ - now));
  }
  reported_queue_ = now;
}

}  // namespace weft::server::documents
