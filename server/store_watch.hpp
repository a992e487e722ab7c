// store_watch.hpp — main()'s watch over the store's health: whether it takes writes, and why not.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/logger.h>

#include "server/base/metrics.hpp"
#include "server/base/store_status.hpp"
#include "storage/document_store.hpp"

namespace weft::server {

// Every second: whether the store takes writes (DocumentStore::health()). A change is logged once
// and shown in /healthz (StoreStatus) and /metrics (weft_store_writable,
// weft_store_write_failures_total). While the store cannot write (a full disk, Redis down),
// appends fail and their documents end memberships with storage_failed; both stores take writes
// again by themselves once the cause is gone, and this says so.
class StoreWatch {
 public:
  struct Store {
    const storage::DocumentStore& store;
    std::string read_only_reason;  // why it was opened read-only at startup (empty if it was not)
    std::string unwritable_hint;   // what the operator should do while it cannot write
    bool durable = true;           // whether acknowledged writes are durable (StoreStatus)
  };

  StoreWatch(boost::asio::io_context& ioc, Store store, base::StoreStatus& status,
             base::Metrics& metrics, spdlog::logger& log)
      : store_(std::move(store)), status_(status), metrics_(metrics), log_(log), timer_(ioc) {
    status_.set({true, "", store_.durable});
  }

  // Checks now, then every second until the io_context stops.
  void check();

 private:
  const Store store_;
  base::StoreStatus& status_;
  base::Metrics& metrics_;
  spdlog::logger& log_;
  boost::asio::steady_timer timer_;
  bool writable_ = true;
  std::string reason_;
  std::uint64_t failures_ = 0;
};

}  // namespace weft::server
