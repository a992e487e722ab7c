// server_main.cpp — weft-server: the composition root. Builds the services (config, metrics, log,
// token verifier), the store and its OpStream, the document registry, the HTTP API and the
// transport, and passes each by reference to what needs it (docs/ARCHITECTURE.md).
//
// Startup: options -> store -> listener bound -> the ready line on stdout (the only line on
// stdout; scripts and tests wait for it) -> I/O threads. Shutdown on SIGINT/SIGTERM: stop
// accepting; the registry finishes commits, writes snapshots and closes members with going_away;
// every other WebSocket is closed the same way (drain_deadline bounds the close handshakes);
// then the I/O threads stop, the store's threads finish and the store is closed (flushed).
// A second signal stops at once. Every other line goes to stderr.
#include <array>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "server/api/http_api.hpp"
#include "server/auth/jwt_verifier.hpp"
#include "server/base/config.hpp"
#include "server/base/connection_ids.hpp"
#include "server/base/log.hpp"
#include "server/base/metrics.hpp"
#include "server/base/sha256.hpp"
#include "server/base/store_status.hpp"
#include "server/base/version.hpp"
#include "server/connections/connection.hpp"
#include "server/documents/op_stream.hpp"
#include "server/documents/registry.hpp"
#include "server/open_file_limit.hpp"
#include "server/open_store.hpp"
#include "server/server_options.hpp"
#include "server/store_watch.hpp"
#include "server/transport/ip_limiter.hpp"
#include "server/transport/listener.hpp"
#include "server/transport/open_sessions.hpp"
#include "server/transport/static_files.hpp"
#include "server/transport/tls_certificates.hpp"

namespace {

namespace net = boost::asio;
namespace server = weft::server;
namespace base = weft::server::base;
namespace documents = weft::server::documents;
namespace transport = weft::server::transport;

// How long clients get to answer the close handshake before their sockets are dropped.
constexpr std::chrono::seconds drain_deadline{5};

constexpr int exit_usage = 64;  // sysexits.h EX_USAGE

// The steps of a graceful shutdown, each started by the previous one's completion.
class Shutdown {
 public:
  Shutdown(net::io_context& ioc, transport::Listener& listener, documents::Registry& registry,
           transport::OpenSessions& sessions)
      : ioc_(ioc),
        listener_(listener),
        registry_(registry),
        sessions_(sessions),
        signals_(ioc, SIGINT, SIGTERM),
        deadline_(ioc) {}

  void do_wait() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (!ec) on_signal(signal);
    });
  }

 private:
  void on_signal(int signal) {
    if (started_) {
      std::cerr << "weft-server: signal " << signal << " again, stopping now\n";
      ioc_.stop();
      return;
    }
    started_ = true;
    do_wait();
    std::cerr << "weft-server: signal " << signal << ", shutting down\n";
    listener_.stop();
    registry_.shutdown([this] { on_documents_stopped(); });
  }

  void on_documents_stopped() {
    deadline_.expires_after(drain_deadline);
    deadline_.async_wait([this](const boost::system::error_code& ec) { on_deadline(ec); });
    sessions_.drain(weft::proto::CloseCode::going_away, "server shutting down",
                    [this] { ioc_.stop(); });
  }

  void on_deadline(const boost::system::error_code& ec) {
    if (ec) return;
    std::cerr << "weft-server: " << sessions_.size()
              << " connections did not finish closing; dropping them\n";
    sessions_.abort_all();
    deadline_.expires_after(std::chrono::seconds(1));
    deadline_.async_wait([this](const boost::system::error_code&) { ioc_.stop(); });
  }

  net::io_context& ioc_;
  transport::Listener& listener_;
  documents::Registry& registry_;
  transport::OpenSessions& sessions_;
  net::signal_set signals_;
  net::steady_timer deadline_;
  bool started_ = false;  // signal handlers run one at a time (one wait at once): no data race
};

// SIGHUP: reload the TLS certificate and key (renewals without a restart). A failed reload keeps
// the current ones and says why. Without TLS there is nothing to reload: the signal is logged and
// ignored (its default action would end the server).
class HangupHandler {
 public:
  // `certificates` is null without TLS.
  HangupHandler(net::io_context& ioc, transport::TlsCertificates* certificates)
      : certificates_(certificates), signals_(ioc, SIGHUP) {}

  void do_wait() {
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      on_hangup();
      do_wait();
    });
  }

 private:
  void on_hangup() {
    if (certificates_ == nullptr) {
      std::cerr << "weft-server: SIGHUP: nothing to reload without TLS; ignored\n";
      return;
    }
    if (auto reloaded = certificates_->reload(); reloaded) {
      std::cerr << "weft-server: SIGHUP: reloaded the TLS certificate "
                << certificates_->cert_file().string() << '\n';
    } else {
      std::cerr << "weft-server: SIGHUP: kept the current TLS certificate: " << reloaded.error()
                << '\n';
    }
  }

  transport::TlsCertificates* certificates_;
  net::signal_set signals_;
};

// "node-" and 8 random hex digits: a name for a node given no --node-id.
std::string random_node_id() {
  std::array<std::uint8_t, 4> bytes{};
  base::random_bytes(bytes);
  std::string id = "node-";
  for (const std::uint8_t b : bytes) {
    constexpr std::string_view digits = "0123456789abcdef";
    id += digits[b >> 4];
    id += digits[b & 15];
  }
  return id;
}

int serve(const base::ServerConfig& config) {
  boost::system::error_code address_error;
  const net::ip::tcp::endpoint endpoint{net::ip::make_address(config.host, address_error),
                                        config.port};
  if (address_error) {
    std::cerr << "weft-server: bad listen address " << config.host << '\n';
    return exit_usage;
  }
  auto opened = server::open_store(config);
  if (!opened) {
    std::cerr << "weft-server: " << opened.error() << '\n';
    return 1;
  }
  // Declaration order is destruction order, reversed: the store outlives the threads that call
  // it, those threads outlive the stream, and the registry (with its documents, timers and strands)
  // goes before the io_context that they belong to.
  const std::unique_ptr<weft::storage::DocumentStore> store = std::move(opened->store);
  std::unique_ptr<transport::TlsCertificates> tls;
  if (!config.tls_cert.empty()) {
    auto loaded = transport::TlsCertificates::load(config.tls_cert, config.tls_key);
    if (!loaded) {
      std::cerr << "weft-server: cannot use the TLS certificate: " << loaded.error() << '\n';
      return 1;
    }
    tls = std::move(*loaded);
  }
  // Sockets are descriptors: use all the system allows, and never accept more than fit.
  const server::OpenFileLimit files_limit = server::raise_open_file_limit();
  if (!files_limit.error.empty()) {
    std::cerr << "weft-server: cannot raise the open-file limit: " << files_limit.error << '\n';
  }
  const std::uint64_t max_connections =
      server::connections_that_fit(config.resources.max_connections, files_limit.soft);
  if (max_connections < config.resources.max_connections) {
    std::cerr << "weft-server: at most " << max_connections << " connections (open-file limit "
              << files_limit.soft << "; raise it with ulimit -n to allow --max-connections "
              << config.resources.max_connections << ")\n";
  }
  // The services outlive everything that reports to them or asks them.
  base::Metrics metrics;
  const base::Logger log =
      base::make_stderr_logger(base::parse_log_level(config.log_level).value(),
                               config.resources.log_lines_per_second, metrics.log_lines_suppressed);
  const weft::server::auth::JwtVerifier verifier{config.jwt_secret, config.jwt_public_key};
  base::ConnectionIds connection_ids;
  net::thread_pool blocking{config.store_threads};
  documents::StoreOpStream stream{*store, blocking.get_executor()};
  const transport::StaticFiles files{config.static_dir};
  transport::OpenSessions sessions;
  transport::IpLimiter ip_limiter{config.limits.max_connections_per_ip};  // outlives every session
  transport::IpLimiter socket_limiter{config.resources.max_sockets_per_ip, max_connections,
                                      &metrics.sockets};
  net::io_context ioc{static_cast<int>(config.threads)};
  base::StoreStatus store_status;
  server::StoreWatch store_watch{
      ioc,
      {*store, opened->read_only_reason, opened->unwritable_hint, opened->durable},
      store_status,
      metrics,
      *log};
  store_watch.check();
  documents::Registry registry{{config, stream, metrics, *log, ioc.get_executor()}};
  const weft::server::connections::ConnectionServices connection_services{config, verifier, metrics,
                                                                          *log, registry};
  weft::server::api::HttpApi api{config, registry, stream, connection_ids,
                                 &metrics.exports_refused};

  auto listener = transport::Listener::open(
      ioc, endpoint,
      {config, metrics, *log, verifier, connection_ids, connection_services, registry, files,
       sessions, &ip_limiter, &socket_limiter, &api, tls.get(), &store_status});
  if (!listener) {
    std::cerr << "weft-server: " << listener.error() << '\n';
    return 1;
  }
  Shutdown shutdown{ioc, **listener, registry, sessions};
  shutdown.do_wait();
  HangupHandler hangup{ioc, tls.get()};
  hangup.do_wait();
  (*listener)->run();
  if (!std::filesystem::is_directory(files.root())) {
    std::cerr << "weft-server: no static directory " << files.root().string()
              << ": only /healthz and /ws are served\n";
  }
  if (!verifier.enabled()) {
    std::cerr << "weft-server: development mode: no authentication (every client may read and "
                 "write every document; set --jwt-secret or --jwt-public-key)\n";
  }
  std::cout << "weft-server: ready on " << transport::to_string((*listener)->local_endpoint())
            << " (" << opened->where << (config.redis_url.empty() ? "" : ", node " + config.node_id)
            << ", " << config.threads << " threads" << (tls ? ", TLS" : "") << ")" << std::endl;

  std::vector<std::thread> threads;
  threads.reserve(config.threads - 1);
  for (unsigned i = 1; i < config.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (std::thread& thread : threads) thread.join();
  blocking.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  const auto environment = [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  auto parsed = server::parse_options(args, environment, std::thread::hardware_concurrency());
  if (!parsed) {
    std::cerr << "weft-server: " << parsed.error() << "\n\n" << server::usage();
    return exit_usage;
  }
  switch (parsed->action) {
    case server::Action::help:
      std::cout << server::usage();
      return 0;
    case server::Action::version:
      std::cout << "weft-server " << base::server_version << '\n';
      return 0;
    case server::Action::serve:
      break;
  }
  if (parsed->config.node_id.empty()) parsed->config.node_id = random_node_id();
  const int status = serve(parsed->config);
  if (status == 0) std::cerr << "weft-server: stopped\n";
  return status;
}
