// open_store.cpp — see open_store.hpp.
#include "server/open_store.hpp"

#include <filesystem>
#include <iostream>
#include <system_error>
#include <utility>

#include "storage/redis_store.hpp"
#include "storage/rocksdb_store.hpp"

namespace weft::server {
namespace {

tl::expected<OpenedStore, std::string> open_rocksdb(const base::ServerConfig& config) {
  std::error_code dir_error;
  std::filesystem::create_directories(config.data_dir, dir_error);
  OpenedStore out;
  out.where = "data " + config.data_dir;
  out.unwritable_hint = "free space on the disk of the data directory";
  auto opened = storage::RocksDbStore::open(config.data_dir, {});
  if (!opened && opened.error().code == storage::Errc::no_space) {
    // Opening for writing needs a little space (a new WAL and MANIFEST): serve what is stored.
    out.read_only_reason = "the disk was full at startup (" + opened.error().message +
                           "); serving read-only: free space and restart to take writes";
    std::cerr << "weft-server: cannot open the store in " << config.data_dir
              << " for writing, the disk is full: " << opened.error().message
              << "; serving it read-only (writes get storage_failed) until restarted with free "
                 "space\n";
    opened = storage::RocksDbStore::open(config.data_dir, {.read_only = true});
  }
  if (!opened) {
    const std::string& why = opened.error().message;
    return tl::unexpected(
        "cannot open the store in " + config.data_dir + ": " + why +
        (why.find("lock") != std::string::npos ? " (is another server using it?)" : ""));
  }
  if (!(*opened)->recovery_note().empty()) {
    std::cerr << "weft-server: WARNING: store " << config.data_dir << ": "
              << (*opened)->recovery_note() << '\n';
  }
  out.store = std::move(*opened);
  return out;
}

tl::expected<OpenedStore, std::string> open_redis(const base::ServerConfig& config) {
  storage::RedisStoreOptions options;
  options.replicas = config.redis_replicas;
  options.durability = config.redis_relaxed_durability
                           ? storage::RedisStoreOptions::Durability::relaxed
                           : storage::RedisStoreOptions::Durability::strict;
  auto opened = storage::RedisStore::open(config.redis_url, options);
  if (!opened) {
    return tl::unexpected("cannot use Redis at " + config.redis_url + ": " +
                          opened.error().message);
  }
  OpenedStore out;
  out.where = "redis " + config.redis_url;
  out.durability = (*opened)->durability_note();
  out.unwritable_hint = "check that Redis at " + config.redis_url + " runs and takes writes";
  out.durable = (*opened)->durable();
  if (!out.durable) {
    std::cerr << "weft-server: WARNING: --redis-durability relaxed: acknowledged ops may be lost "
                 "if Redis fails ("
              << out.durability << ")\n";
  }
  out.store = std::move(*opened);
  return out;
}

}  // namespace

tl::expected<OpenedStore, std::string> open_store(const base::ServerConfig& config) {
  return config.redis_url.empty() ? open_rocksdb(config) : open_redis(config);
}

}  // namespace weft::server
