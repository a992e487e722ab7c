// store_status.cpp — StoreStatus: one view of the store's writability behind a mutex.
#include "server/base/store_status.hpp"

#include <utility>

namespace weft::server::base {

void StoreStatus::set(View view) {
  const std::lock_guard lock(mu_);
  view_ = std::move(view);
}

StoreStatus::View StoreStatus::get() const {
  const std::lock_guard lock(mu_);
  return view_;
}

}  // namespace weft::server::base
