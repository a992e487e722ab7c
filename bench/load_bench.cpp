// load_bench.cpp — `weft-bench load`: the server child, the typists, the workers that run them,
// and the report.
//
// Typists hold no replica: each appends one character at a time to its own run (parent = its
// previous character, lamport above every lamport it has seen), which is always a valid op.
// All typists of a document live on one worker (one io_context thread), so the per-document
// latency table needs no lock. Latency is measured per (op, receiver) pair: from the moment the
// author queued the op until that member decoded it; percentiles are over all pairs.
#include "bench/load_bench.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "client/connection.hpp"
#include "client/tls.hpp"
#include "proto/frame.hpp"
#include "proto/frame_codec.hpp"
#include "testkit/server_process.hpp"
#include "testkit/temp_dir.hpp"
#include "testkit/throwaway_cert.hpp"

namespace weft::bench {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
  std::optional<std::string> server;  // ws://HOST:PORT/ws or wss://HOST:PORT/ws
  std::string server_bin;
  int docs = 100;
  int clients_per_doc = 10;
  double rate = 5;
  int seconds = 10;
  bool max = false;
  int window = 32;
  int idle = 1000;
  int threads = 1;
  bool tls = false;  // the started server serves wss:// with a throwaway certificate
};

// ---- the server child -------------------------------------------------------------------------

// Starts `binary` (testkit::ServerProcess: a temporary data directory, a free port, the server's
// stderr passed through). With `tls`, the server gets a throwaway certificate made in its
// directory; `cert` names it. Prints why and returns nothing if the server did not start.
std::unique_ptr<testkit::ServerProcess> start_server(const std::string& binary, bool tls,
                                                     std::filesystem::path& cert) {
  auto dir = testkit::TempDir::make("weft-load");
  if (!dir) {
    std::fprintf(stderr, "weft-bench load: %s\n", dir.error().c_str());
    return nullptr;
  }
  auto server = std::make_unique<testkit::ServerProcess>(binary, std::move(*dir),
                                                         testkit::ServerProcess::Stderr::inherit);
  // Every simulated client comes from 127.0.0.1: lift the per-address connection limits (and the
  // total, which the server still lowers to fit its open-file limit).
  std::vector<std::string> args{"--max-connections-per-ip", "4294967295",
                                "--max-sockets-per-ip",     "1000000",
                                "--max-connections",        "1000000"};
  if (tls) {
    const auto files = testkit::make_throwaway_cert(server->dir());
    if (!files) {
      std::fprintf(stderr, "weft-bench load: %s\n", files.error().c_str());
      return nullptr;
    }
    cert = files->cert;
    args.insert(args.end(), {"--tls-cert", files->cert.string(), "--tls-key", files->key.string()});
  }
  if (auto started = server->start(args); !started) {
    std::fprintf(stderr, "weft-bench load: %s\n", started.error().c_str());
    return nullptr;
  }
  return server;
}

std::uint64_t rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return 0;
}

// User + system CPU seconds of `pid` so far.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// ---- typists ----------------------------------------------------------------------------------

struct Worker;

// One document's delivery bookkeeping: ops sent and not yet seen by every other member.
struct DocTrack {
  struct Pending {
    Clock::time_point sent;
    int remaining = 0;
  };
  std::unordered_map<std::uint64_t, Pending> pending;  // key: replica << 32 | seq
  int members = 0;
};

std::uint64_t key(crdt::ReplicaId replica, crdt::Seq seq) { return replica << 32 | seq; }

class Typist {
 public:
  Typist(Worker& worker, std::string doc, DocTrack* track)
      : worker_(worker), doc_(std::move(doc)), track_(track) {}
  void open(const std::string& host, std::uint16_t port);
  void start(Clock::duration period, Clock::duration offset);
  void stop() { sending_ = false; }
  void close() {
    if (conn_) conn_->detach();
  }
  [[nodiscard]] std::uint64_t in_flight() const { return next_seq_ - acked_; }

 private:
  void on_message(std::string_view bytes);
  void on_close(const client::CloseInfo& info);
  void on_tick();
  void send_ops(std::size_t n);

  Worker& worker_;
  std::string doc_;
  DocTrack* track_;  // null for idle connections
  std::shared_ptr<client::Connection> conn_;
  std::unique_ptr<net::steady_timer> timer_;
  Clock::duration period_{};
  Clock::time_point next_tick_;
  bool sending_ = false;
  bool live_ = false;
  crdt::ReplicaId replica_ = 0;
  crdt::Seq next_seq_ = 0;
  crdt::Seq acked_ = 0;
  crdt::Lamport max_lamport_ = 0;
  crdt::Id prev_ = crdt::root_id;
};

struct Worker {
  net::io_context ioc{1};
  std::vector<std::unique_ptr<DocTrack>> tracks;
  std::vector<std::unique_ptr<Typist>> typists;
  std::vector<float> latencies_ms;
  const Options* options = nullptr;
  std::optional<client::TlsOptions> tls;  // one ssl::context shared by every connection
  std::atomic<std::uint64_t> live{0};
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> acked{0};
  std::atomic<std::uint64_t> delivered{0};  // (op, receiver) pairs
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> closed{0};
  bool stopping = false;
  std::string first_error;

  void error(const std::string& what) {
    if (errors.fetch_add(1) == 0) first_error = what;
  }
};

void Typist::open(const std::string& host, std::uint16_t port) {
  client::Connection::Events events;
  events.on_open = [this] {
    conn_->send(proto::encode_frame(proto::Hello{proto::protocol_version, "weft-bench load"}));
    conn_->send(
        proto::encode_frame(proto::Join{doc_, std::nullopt, std::nullopt, std::nullopt, {}}));
  };
  events.on_message = [this](std::string_view bytes) { on_message(bytes); };
  events.on_close = [this](const client::CloseInfo& info) { on_close(info); };
  conn_ = client::Connection::create(worker_.ioc, std::move(events));
  conn_->open(host, port, "/ws", worker_.tls);
}

void Typist::on_close(const client::CloseInfo& info) {
  live_ = false;
  sending_ = false;
  worker_.closed.fetch_add(1);
  if (!worker_.stopping) worker_.error("connection closed: " + info.reason);
}

void Typist::on_message(std::string_view bytes) {
  auto frame = proto::decode_frame(bytes);
  if (!frame) return worker_.error("undecodable frame: " + frame.error().message);
  if (const auto* ops = std::get_if<proto::Ops>(&*frame)) {
    const auto now = Clock::now();
    for (const crdt::Op& op : ops->ops) {
      const crdt::Seq len = crdt::op_len(op);
      max_lamport_ = std::max(max_lamport_, crdt::op_lamport(op) + len - 1);
      if (track_ == nullptr) continue;
      for (crdt::Seq k = 0; k < len; ++k) {
        const auto it = track_->pending.find(key(crdt::op_replica(op), crdt::op_seq(op) + k));
        if (it == track_->pending.end()) continue;
        worker_.latencies_ms.push_back(
            std::chrono::duration<float, std::milli>(now - it->second.sent).count());
        worker_.delivered.fetch_add(1, std::memory_order_relaxed);
        if (--it->second.remaining == 0) track_->pending.erase(it);
      }
    }
  } else if (const auto* ack = std::get_if<proto::Ack>(&*frame)) {
    if (ack->next_seq > acked_) {
      worker_.acked.fetch_add(ack->next_seq - acked_, std::memory_order_relaxed);
      acked_ = ack->next_seq;
    }
  } else if (const auto* joined = std::get_if<proto::Joined>(&*frame)) {
    replica_ = joined->replica;
  } else if (const auto* snapshot = std::get_if<proto::SnapshotChunk>(&*frame)) {
    (void)snapshot;  // documents are new: their snapshot is empty
  } else if (std::holds_alternative<proto::Synced>(*frame)) {
    live_ = true;
    worker_.live.fetch_add(1);
  } else if (const auto* error = std::get_if<proto::Error>(&*frame)) {
    worker_.error(error->name + ": " + error->message);
  }
}

void Typist::start(Clock::duration period, Clock::duration offset) {
  if (track_ == nullptr || !live_) return;
  period_ = period;
  sending_ = true;
  timer_ = std::make_unique<net::steady_timer>(worker_.ioc);
  next_tick_ = Clock::now() + offset;
  timer_->expires_at(next_tick_);
  timer_->async_wait([this](boost::system::error_code ec) {
    if (!ec) on_tick();
  });
}

void Typist::on_tick() {
  if (!sending_ || !live_) return;
  if (worker_.options->max) {
    const auto window = static_cast<std::uint64_t>(worker_.options->window);
    // One frame per tick at most (the server's rate limit counts frames): the window's free slots.
    if (in_flight() < window) send_ops(window - in_flight());
  } else {
    send_ops(1);
  }
  next_tick_ += period_;
  timer_->expires_at(next_tick_);
  timer_->async_wait([this](boost::system::error_code ec) {
    if (!ec) on_tick();
  });
}

void Typist::send_ops(std::size_t n) {
  proto::Ops frame{doc_, {}};
  frame.ops.reserve(n);
  const auto now = Clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    const crdt::Lamport lamport = ++max_lamport_;
    frame.ops.emplace_back(crdt::InsertOp{replica_, next_seq_, lamport, prev_,
                                          std::string(1, static_cast<char>('a' + next_seq_ % 26))});
    prev_ = {replica_, next_seq_};
    track_->pending[key(replica_, next_seq_)] = {now, track_->members - 1};
    if (track_->members <= 1) track_->pending.erase(key(replica_, next_seq_));
    ++next_seq_;
  }
  worker_.sent.fetch_add(n, std::memory_order_relaxed);
  conn_->send(proto::encode_frame(frame));
}

// ---- the run ----------------------------------------------------------------------------------

int usage(const char* why) {
  std::fprintf(stderr,
               "weft-bench load: %s\nusage: weft-bench load [--server ws[s]://HOST:PORT/ws | "
               "--server-bin PATH [--tls]] [--docs D] [--clients-per-doc C] [--rate R] "
               "[--seconds S] [--max] [--window W] [--idle N] [--threads T]\n",
               why);
  return 2;
}

std::string default_server_bin() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "weft-server";
  return (self.parent_path().parent_path() / "server" / "weft-server").string();
}

// ws://HOST:PORT/ws or wss://HOST:PORT/ws (then `tls` is set).
bool parse_ws_url(const std::string& url, std::string& host, std::uint16_t& port, bool& tls) {
  tls = url.rfind("wss://", 0) == 0;
  if (!tls && url.rfind("ws://", 0) != 0) return false;
  const std::string rest = url.substr(tls ? 6 : 5);
  const auto colon = rest.find(':');
  if (colon == std::string::npos) return false;
  host = rest.substr(0, colon);
  const unsigned long value = std::strtoul(rest.c_str() + colon + 1, nullptr, 10);
  if (value == 0 || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

template <class Done>
bool wait_for(Done done, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

double percentile(std::vector<float>& samples, double q) {
  if (samples.empty()) return 0;
  const auto at = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1));
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(at),
                   samples.end());
  return std::round(static_cast<double>(samples[at]) * 1000) / 1000;
}

template <class F>
std::uint64_t sum(std::vector<std::unique_ptr<Worker>>& workers, F field) {
  std::uint64_t total = 0;
  for (auto& worker : workers) total += field(*worker).load();
  return total;
}

std::optional<Options> parse(int argc, char** argv) {
  Options o;
  o.server_bin = default_server_bin();
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--max") {
      o.max = true;
      continue;
    }
    if (arg == "--tls") {
      o.tls = true;
      continue;
    }
    if (i + 1 >= argc) return std::nullopt;
    const std::string value = argv[++i];
    const auto number = [&](int& out, int min) {
      out = std::atoi(value.c_str());
      return out >= min;
    };
    bool ok = true;
    if (arg == "--server") {
      o.server = value;
    } else if (arg == "--server-bin") {
      o.server_bin = value;
    } else if (arg == "--docs") {
      ok = number(o.docs, 1);
    } else if (arg == "--clients-per-doc") {
      ok = number(o.clients_per_doc, 1);
    } else if (arg == "--rate") {
      o.rate = std::atof(value.c_str());
      ok = o.rate > 0 && o.rate <= 400;  // the server's frame limit is 500/s per connection
    } else if (arg == "--seconds") {
      ok = number(o.seconds, 1);
    } else if (arg == "--window") {
      ok = number(o.window, 1);
    } else if (arg == "--idle") {
      ok = number(o.idle, 0);
    } else if (arg == "--threads") {
      ok = number(o.threads, 1);
    } else {
      ok = false;
    }
    if (!ok) return std::nullopt;
  }
  return o;
}

}  // namespace

int load_main(int argc, char** argv) {
  const auto parsed = parse(argc, argv);
  if (!parsed) return usage("bad or unknown option");
  const Options& o = *parsed;

  std::unique_ptr<testkit::ServerProcess> server;  // none with --server
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool tls = o.tls;
  std::filesystem::path ca_file;  // empty: the system's trust anchors (an external wss:// server)
  if (o.server) {
    if (o.tls) return usage("--tls starts a server: with --server, say wss://");
    if (!parse_ws_url(*o.server, host, port, tls)) {
      return usage("--server needs ws://HOST:PORT/ws or wss://HOST:PORT/ws");
    }
  } else {
    server = start_server(o.server_bin, o.tls, ca_file);
    if (!server) {
      std::fprintf(stderr, "weft-bench load: %s did not start\n", o.server_bin.c_str());
      return 1;
    }
    port = server->port();
  }
  std::optional<client::TlsOptions> tls_options;
  if (tls) {
    tls_options.emplace();
    tls_options->ca_file = ca_file.string();
    auto context = client::make_tls_context(*tls_options);
    if (!context) {
      std::fprintf(stderr, "weft-bench load: %s\n", context.error().c_str());
      return 1;  // ~ServerProcess kills the server
    }
    tls_options->context = std::move(*context);
  }

  const auto threads = static_cast<std::size_t>(o.threads);
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t t = 0; t < threads; ++t) {
    workers.push_back(std::make_unique<Worker>());
    workers.back()->options = &o;
    workers.back()->tls = tls_options;
  }
  // Names unique per run, so that a long-lived --server starts every document empty.
  const std::string prefix = "load-" + std::to_string(::getpid()) + "-" +
                             std::to_string(Clock::now().time_since_epoch().count() % 1000000);
  for (int d = 0; d < o.docs; ++d) {
    Worker& w = *workers[static_cast<std::size_t>(d) % threads];
    auto& track = *w.tracks.emplace_back(std::make_unique<DocTrack>());
    track.members = o.clients_per_doc;
    for (int c = 0; c < o.clients_per_doc; ++c) {
      w.typists.push_back(std::make_unique<Typist>(w, prefix + "-" + std::to_string(d), &track));
    }
  }
  std::vector<std::thread> runners;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  for (auto& w : workers) {
    guards.push_back(net::make_work_guard(w->ioc));
    for (auto& typist : w->typists)
      net::post(w->ioc, [&typist, &host, port] { typist->open(host, port); });
    runners.emplace_back([&ioc = w->ioc] { ioc.run(); });
  }
  const auto clients =
      static_cast<std::uint64_t>(o.docs) * static_cast<std::uint64_t>(o.clients_per_doc);
  if (!wait_for(
          [&] {
            return sum(
                       workers, [](Worker & w) -> auto& { return w.live; }) == clients;
          },
          120s)) {
    std::fprintf(stderr, "weft-bench load: only %llu of %llu clients joined\n",
                 static_cast<unsigned long long>(sum(
                     workers, [](Worker & w) -> auto& { return w.live; })),
                 static_cast<unsigned long long>(clients));
  }

  const pid_t server_pid = server ? server->pid() : -1;
  const double cpu_before = server_pid > 0 ? cpu_seconds(server_pid) : 0;
  const auto started = Clock::now();
  const Clock::duration period = o.max ? Clock::duration{5ms}
                                       : std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(1.0 / o.rate));
  for (auto& w : workers) {
    net::post(w->ioc, [&w = *w, period] {
      std::mt19937_64 rng{42};
      for (auto& typist : w.typists) {
        const auto offset = Clock::duration{
            static_cast<Clock::rep>(rng() % static_cast<std::uint64_t>(period.count()))};
        typist->start(period, offset);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds{o.seconds});
  for (auto& w : workers) {
    net::post(w->ioc, [&w = *w] {
      for (auto& typist : w.typists) typist->stop();
    });
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  const double cpu_after = server_pid > 0 ? cpu_seconds(server_pid) : 0;
  const std::uint64_t server_rss = server_pid > 0 ? rss_bytes(server_pid) : 0;
  // Drain: every op acknowledged and delivered to every other member (or 10 s).
  const auto sent = [&] {
    return sum(
        workers, [](Worker & w) -> auto& { return w.sent; });
  };
  const auto acked = [&] {
    return sum(
        workers, [](Worker & w) -> auto& { return w.acked; });
  };
  const auto delivered = [&] {
    return sum(
        workers, [](Worker & w) -> auto& { return w.delivered; });
  };
  const std::uint64_t receivers = static_cast<std::uint64_t>(o.clients_per_doc - 1);
  wait_for([&] { return acked() == sent() && delivered() == sent() * receivers; }, 10s);
  const std::uint64_t acked_in_run = acked();

  // Memory per idle connection: hello + join, nothing else.
  std::uint64_t idle_bytes = 0;
  if (server_pid > 0 && o.idle > 0) {
    std::this_thread::sleep_for(200ms);
    const std::uint64_t rss_before = rss_bytes(server_pid);
    const std::uint64_t live_before = sum(
        workers, [](Worker & w) -> auto& { return w.live; });
    for (int i = 0; i < o.idle; ++i) {
      Worker& w = *workers[static_cast<std::size_t>(i) % threads];
      net::post(w.ioc, [&w, i, &o, &prefix, &host, port] {
        auto& typist = *w.typists.emplace_back(
            std::make_unique<Typist>(w, prefix + "-" + std::to_string(i % o.docs), nullptr));
        typist.open(host, port);
      });
    }
    const auto target = live_before + static_cast<std::uint64_t>(o.idle);
    wait_for(
        [&] {
          return sum(
                     workers, [](Worker & w) -> auto& { return w.live; }) >= target;
        },
        60s);
    std::this_thread::sleep_for(300ms);
    const std::uint64_t rss_after = rss_bytes(server_pid);
    idle_bytes =
        rss_after > rss_before ? (rss_after - rss_before) / static_cast<std::uint64_t>(o.idle) : 0;
  }

  for (auto& w : workers) {
    net::post(w->ioc, [&w = *w] {
      w.stopping = true;
      for (auto& typist : w.typists) typist->close();
    });
  }
  guards.clear();
  for (auto& runner : runners) runner.join();
  const bool server_ok = !server || server->stop().clean();

  std::vector<float> latencies;
  std::string first_error;
  for (auto& w : workers) {
    latencies.insert(latencies.end(), w->latencies_ms.begin(), w->latencies_ms.end());
    if (first_error.empty()) first_error = w->first_error;
  }
  const std::uint64_t errors = sum(
      workers, [](Worker & w) -> auto& { return w.errors; });
  const std::uint64_t total_sent = sent();
  nlohmann::ordered_json line;
  line["bench"] = "load";
  line["mode"] = o.max ? "max" : "rate";
  line["tls"] = tls;
  line["docs"] = o.docs;
  line["clients"] = clients;
  line["clients_per_doc"] = o.clients_per_doc;
  line["rate"] = o.max ? 0.0 : o.rate;
  line["window"] = o.max ? o.window : 0;
  line["seconds"] = o.seconds;
  line["ops_sent"] = total_sent;
  line["ops_acked"] = acked_in_run;
  line["ops_per_s"] = std::round(static_cast<double>(total_sent) / elapsed);
  line["deliveries"] = latencies.size();
  line["p50_ms"] = percentile(latencies, 0.5);
  line["p99_ms"] = percentile(latencies, 0.99);
  line["p999_ms"] = percentile(latencies, 0.999);
  line["errors"] = errors;
  line["server_rss_bytes"] = server_rss;
  line["server_cpu_pct"] = std::round((cpu_after - cpu_before) / elapsed * 1000) / 10;
  line["idle_conns"] = o.server ? 0 : o.idle;
  line["idle_conn_bytes"] = idle_bytes;
  std::printf("%s\n", line.dump().c_str());
  if (!first_error.empty())
    std::fprintf(stderr, "weft-bench load: first error: %s\n", first_error.c_str());
  const bool complete = acked_in_run == total_sent && latencies.size() == total_sent * receivers;
  if (!complete)
    std::fprintf(stderr, "weft-bench load: not every op was acknowledged and delivered\n");
  if (!server_ok && !o.server)
    std::fprintf(stderr, "weft-bench load: the server did not exit cleanly\n");
  return errors == 0 && complete && (server_ok || o.server) ? 0 : 1;
}

}  // namespace weft::bench
