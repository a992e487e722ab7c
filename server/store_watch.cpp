// store_watch.cpp — see store_watch.hpp.
#include "server/store_watch.hpp"

#include <chrono>

namespace weft::server {

void StoreWatch::check() {
  storage::StoreHealth health = store_.store.health();
  if (!store_.read_only_reason.empty()) health.reason = store_.read_only_reason;
  if (health.write_failures > failures_) {
    metrics_.store_write_failures.Increment(static_cast<double>(health.write_failures - failures_));
    failures_ = health.write_failures;
  }
  if (health.writable != writable_ || health.reason != reason_) {
    if (!health.writable) {
      log_.error(
          "event=store_unwritable reason=\"{}\" writes fail (clients get storage_failed), "
          "reads go on; {}",
          health.reason, store_.unwritable_hint);
    } else {
      log_.warn("event=store_writable writes work again");
    }
    writable_ = health.writable;
    reason_ = health.reason;
    metrics_.store_writable.Set(writable_ ? 1 : 0);
    status_.set({writable_, reason_, store_.durable});
  }
  timer_.expires_after(std::chrono::seconds(1));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) check();
  });
}

}  // namespace weft::server
