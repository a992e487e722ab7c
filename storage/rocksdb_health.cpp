// rocksdb_health.cpp — HealthListener: RocksDB's background-error state and the failed commits.
#include "storage/rocksdb_health.hpp"

namespace weft::storage {

void HealthListener::OnBackgroundError(rocksdb::BackgroundErrorReason /*reason*/,
                                       rocksdb::Status* error) {
  if (error == nullptr || error->ok()) return;
  const std::lock_guard lock(mu_);
  state_.writable = false;
  state_.reason = error->ToString();
}

void HealthListener::OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) {
  const std::lock_guard lock(mu_);
  if (info.new_bg_error.ok()) {
    state_.writable = true;
    state_.reason.clear();
  } else {
    state_.writable = false;
    state_.reason = info.new_bg_error.ToString();
  }
}

void HealthListener::write_failed(const rocksdb::Status& error) {
  const std::lock_guard lock(mu_);
  ++state_.write_failures;
  state_.writable = false;
  state_.reason = error.ToString();
}

void HealthListener::write_succeeded() {
  const std::lock_guard lock(mu_);
  state_.writable = true;
  state_.reason.clear();
}

StoreHealth HealthListener::get() const {
  const std::lock_guard lock(mu_);
  return state_;
}

}  // namespace weft::storage
