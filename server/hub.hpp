// hub.hpp — the server's registry of live documents and the services they share.
//
// A document is loaded on its first join and unloaded after its last member has left and the
// grace period (ServerConfig::unload_after) has passed. The registry's mutex is taken on join and
// unload only; ops, acks and presence never touch it (each Document runs on its own strand).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "server/config.hpp"
#include "server/op_stream.hpp"

namespace spdlog {
class logger;
}

namespace weft::server {

class Document;
class Metrics;

struct HubStats {
  std::uint64_t documents = 0;    // loaded now
  std::uint64_t connections = 0;  // open now
  std::uint64_t ops_applied = 0;  // since start
  std::uint64_t ops_rejected = 0;
  std::uint64_t divergence_reports = 0;
};

class Hub {
 public:
  // `io` runs documents and connections; `stream` is where documents load and persist.
  Hub(const ServerConfig& config, OpStream& stream, boost::asio::any_io_executor io);
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;
  ~Hub();

  // The live document `id`, created (and its load started) if it is not loaded. Requires: id is
  // a valid document id (storage::is_valid_document_id).
  [[nodiscard]] std::shared_ptr<Document> acquire(const std::string& id);
  // Called by a document on its strand when it is idle and persisted: removes it from the
  // registry unless it was acquired again meanwhile. True if it was removed.
  bool release(const Document& document);

  // Stops every document: pending commits finish, snapshots are written, members are sent a
  // close with going_away. `done` runs (on some executor thread) when everything is flushed.
  void shutdown(std::function<void()> done);

  [[nodiscard]] std::uint64_t next_connection_id() { return next_connection_id_++; }
  void connection_opened();
  void connection_closed();
  [[nodiscard]] HubStats stats() const;

  [[nodiscard]] const ServerConfig& config() const { return config_; }
  // Built once from config().jwt_secret and jwt_public_key; shared by every session.
  [[nodiscard]] const TokenVerifier& verifier() const { return verifier_; }
  [[nodiscard]] OpStream& stream() { return stream_; }
  [[nodiscard]] boost::asio::any_io_executor executor() const { return io_; }

  // Observability (metrics.hpp, log.hpp). main() sets both before serving; until then (and in
  // tests) the hub has metrics of its own and a logger that writes nothing.
  void set_observability(Metrics& metrics, std::shared_ptr<spdlog::logger> log);
  [[nodiscard]] Metrics& metrics() const { return *metrics_; }
  [[nodiscard]] spdlog::logger& log() const { return *log_; }
  // The document `id` if it is loaded now, else null; never loads (the HTTP API's view).
  [[nodiscard]] std::shared_ptr<Document> find(std::string_view id) const;

  // Counters documents add to (relaxed atomics: statistics only).
  std::atomic<std::uint64_t> ops_applied{0};
  std::atomic<std::uint64_t> ops_rejected{0};
  std::atomic<std::uint64_t> divergence_reports{0};

 private:
  ServerConfig config_;
  TokenVerifier verifier_;
  OpStream& stream_;
  boost::asio::any_io_executor io_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Document>, std::less<>> documents_;
  bool shutting_down_ = false;
  std::atomic<std::uint64_t> next_connection_id_{1};
  std::atomic<std::uint64_t> connections_{0};
  std::unique_ptr<Metrics> own_metrics_;  // used until set_observability()
  Metrics* metrics_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace weft::server
