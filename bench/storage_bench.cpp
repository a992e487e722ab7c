// storage_bench.cpp — the storage benchmark: RocksDbStore appends, group commit and cold load;
// with --redis URL, RedisStore's appends and the automerge-paper document's memory in Redis.
//
// Everything runs in a fresh directory (under --data DIR, default the system temp folder), removed
// at the end. Appends are durable (RocksDbOptions::sync = true): a WAL sync per commit. The Redis
// runs use the server at URL as it is configured (RedisStore refuses a non-durable one) and
// remove the documents they wrote.
#include "bench/storage_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/count_option.hpp"
#include "bench/trace.hpp"
#include "crdt/rga.hpp"
#include "storage/document_loader.hpp"
#include "storage/redis_store.hpp"
#include "storage/rocksdb_store.hpp"
#include "storage/snapshot_policy.hpp"
#include "testkit/temp_dir.hpp"

namespace weft::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  fs::path data = fs::temp_directory_path();
  int runs = 5;
  int ops = 2000;        // appends per append_single run
  int threads = 64;      // documents (one writer thread each) in append_group
  int per_thread = 200;  // appends per document in append_group
  int chunk_records = static_cast<int>(storage::RocksDbOptions{}.chunk_records);  // 0 = off
  std::string redis;  // a redis:// URL: also measure RedisStore there
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  const std::size_t n = samples.size();
  return n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

double round3(double value) { return std::round(value * 1000) / 1000; }

void print(const nlohmann::ordered_json& line) {
  std::printf("%s\n", line.dump().c_str());
  std::fflush(stdout);
}

nlohmann::ordered_json line_for(const char* mode) {
  nlohmann::ordered_json line;
  line["bench"] = "storage";
  line["mode"] = mode;
  return line;
}

void complain(const std::string& what, const storage::StoreError& error) {
  std::fprintf(stderr, "weft-bench storage: %s: %s\n", what.c_str(), error.message.c_str());
}

proto::DocumentMeta meta_for(const std::string& doc, crdt::ReplicaId replica) {
  proto::DocumentMeta meta;
  meta.id = doc;
  meta.epoch = 1;
  meta.replicas.push_back({replica, "bench", "bench", 0, {}});
  return meta;
}

// `n` records of one replica typing "abc...": what a server appends for a typist.
std::vector<proto::OpRecord> typing(crdt::ReplicaId replica, int n) {
  crdt::Rga rga{replica};
  std::vector<proto::OpRecord> records;
  for (int i = 0; i < n; ++i) {
    const char ch = static_cast<char>('a' + i % 26);
    auto op = rga.local_insert(static_cast<std::uint64_t>(i), std::string_view{&ch, 1});
    if (!op) break;
    records.push_back({static_cast<std::uint64_t>(i), i, "bench", std::move(*op)});
  }
  return records;
}

std::unique_ptr<storage::RocksDbStore> open_store(const fs::path& dir, const Options& options) {
  storage::RocksDbOptions rocks;
  rocks.chunk_records = static_cast<std::uint32_t>(options.chunk_records);
  auto store = storage::RocksDbStore::open(dir.string(), rocks);
  if (!store) {
    complain("open " + dir.string(), store.error());
    return nullptr;
  }
  return std::move(*store);
}

std::unique_ptr<storage::RedisStore> open_redis(const Options& options) {
  storage::RedisStoreOptions redis;
  redis.chunk_records = static_cast<std::uint32_t>(options.chunk_records);
  auto store = storage::RedisStore::open(options.redis, redis);
  if (!store) {
    complain("open " + options.redis, store.error());
    return nullptr;
  }
  return std::move(*store);
}

// `mode` names the line: append_single (RocksDB) or redis_append_single.
bool run_append_single(storage::DocumentStore* store, const Options& options, const char* mode) {
  bool ok = store != nullptr;
  std::vector<double> rates;
  const std::vector<proto::OpRecord> records = typing(1, options.ops);
  for (int run = 0; run < options.runs && ok; ++run) {
    const std::string doc = "single-" + std::to_string(run);
    ok = store->create(meta_for(doc, 1)).has_value();
    const auto start = Clock::now();
    for (std::size_t i = 0; i < records.size() && ok; ++i) {
      auto appended = store->append(doc, std::span{&records[i], 1});
      if (!appended) complain("append", appended.error());
      ok = appended.has_value();
    }
    rates.push_back(static_cast<double>(records.size()) / seconds_since(start));
    if (ok && std::string_view(mode) != "append_single") static_cast<void>(store->remove(doc));
  }
  auto line = line_for(mode);
  line["ops_per_s"] = static_cast<std::uint64_t>(std::round(median(rates)));
  line["ops"] = records.size();
  line["runs"] = rates.size();
  line["ok"] = ok;
  print(line);
  return ok;
}

bool run_append_group(const fs::path& dir, const Options& options) {
  auto store = open_store(dir, options);
  bool ok = store != nullptr;
  std::vector<std::vector<proto::OpRecord>> work;
  work.reserve(static_cast<std::size_t>(options.threads));
  for (int t = 0; t < options.threads; ++t) {
    work.push_back(typing(static_cast<crdt::ReplicaId>(t) + 1, options.per_thread));
  }
  std::vector<double> rates;
  std::vector<double> batches;
  std::size_t total = 0;
  for (int run = 0; run < options.runs && ok; ++run) {
    const std::string prefix = "group-" + std::to_string(run) + "-";
    for (int t = 0; t < options.threads && ok; ++t) {
      ok = store->create(meta_for(prefix + std::to_string(t), 1)).has_value();
    }
    std::vector<char> failed(work.size(), 0);
    const storage::CommitStats before = store->commit_stats();
    const auto start = Clock::now();
    std::vector<std::thread> writers;
    for (std::size_t t = 0; t < work.size(); ++t) {
      writers.emplace_back([&, t] {
        const std::string doc = prefix + std::to_string(t);
        for (const proto::OpRecord& record : work[t]) {
          if (!store->append(doc, std::span{&record, 1})) {
            failed[t] = 1;
            return;
          }
        }
      });
    }
    for (std::thread& w : writers) w.join();
    const double seconds = seconds_since(start);
    const storage::CommitStats after = store->commit_stats();
    total = 0;
    for (const auto& w : work) total += w.size();
    ok = ok && std::count(failed.begin(), failed.end(), 1) == 0;
    rates.push_back(static_cast<double>(total) / seconds);
    const auto commits = after.commits - before.commits;
    batches.push_back(commits == 0 ? 0
                                   : static_cast<double>(after.requests - before.requests) /
                                         static_cast<double>(commits));
  }
  auto line = line_for("append_group");
  line["ops_per_s"] = static_cast<std::uint64_t>(std::round(median(rates)));
  line["ops"] = total;
  line["threads"] = options.threads;
  line["mean_batch"] = round3(median(batches));
  line["runs"] = rates.size();
  line["ok"] = ok;
  print(line);
  return ok;
}

// The trace typed into replica 1 and stored as a server would: records appended in batches,
// snapshots per the default SnapshotPolicy (by op count; the import is faster than its clock).
bool import_trace(storage::DocumentStore& store, const std::string& doc, const Trace& trace) {
  if (auto created = store.create(meta_for(doc, 1)); !created) {
    complain("create", created.error());
    return false;
  }
  const storage::SnapshotPolicy policy;
  crdt::Rga rga{1};
  std::vector<proto::OpRecord> pending;
  std::uint64_t next = 0;
  std::uint64_t since_snapshot = 0;
  const auto flush = [&] {
    auto appended = store.append(doc, pending);
    if (!appended) complain("append", appended.error());
    pending.clear();
    return appended.has_value();
  };
  const auto add = [&](crdt::Op op) {
    pending.push_back({next, static_cast<std::int64_t>(next) * 1000, "bench", std::move(op)});
    ++next;
    if (policy.due(++since_snapshot, 0)) {
      since_snapshot = 0;
      if (!flush()) return false;
      auto written = store.write_snapshot(doc, {1, next, 0, rga.snapshot()});
      if (!written) complain("write_snapshot", written.error());
      return written.has_value();
    }
    return pending.size() < 4096 || flush();
  };
  for (const Patch& p : trace.patches) {
    if (p.del > 0) {
      auto op = rga.local_delete(p.pos, p.del);
      if (!op || !add(std::move(*op))) return false;
    }
    if (!p.ins.empty()) {
      auto op = rga.local_insert(p.pos, p.ins);
      if (!op || !add(std::move(*op))) return false;
    }
  }
  return pending.empty() || flush();
}

// Bytes of RocksDB data files (tables and write-ahead logs) under `dir`. The cold-load store holds
// only the measured document, and it is compacted first (RocksDbStore::compact(): memtables
// flushed, WAL retired, deleted and overwritten values dropped), so this is that document's
// full history as it stays on disk.
std::uint64_t data_bytes(const fs::path& dir) {
  std::uint64_t bytes = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".sst" || ext == ".log")) bytes += entry.file_size();
  }
  return bytes;
}

bool run_cold_load(const fs::path& dir, const Options& options, std::uint64_t& disk_bytes) {
  auto line = line_for("cold_load");
  const fs::path path = traces_dir() / "automerge-paper.json.gz";
  auto trace = load_trace(path);
  if (!trace) {
    std::fprintf(stderr, "weft-bench storage: %s\n", trace.error().message.c_str());
    return false;
  }
  const std::string doc = "automerge-paper";
  {
    auto store = open_store(dir, options);
    if (!store || !import_trace(*store, doc, *trace)) return false;
    if (auto compacted = store->compact(); !compacted) {
      complain("compact", compacted.error());
      return false;
    }
  }
  bool ok = true;
  std::vector<double> samples;
  std::uint64_t tail = 0;
  std::uint64_t listed = 0;
  for (int run = 0; run < options.runs + 1 && ok; ++run) {
    auto store = open_store(dir, options);  // fresh: no cache of ours survives the previous run
    if (!store) return false;
    const auto start = Clock::now();
    auto loaded = store->load(doc);
    auto rga = loaded ? storage::materialize(*loaded) : tl::unexpected(loaded.error());
    const double ms = seconds_since(start) * 1000;
    if (!rga) complain("load", rga.error());
    ok = rga && rga->text() == trace->end_content;
    if (run > 0) samples.push_back(ms);  // the first run warms the page cache
    if (loaded) tail = loaded->tail.size();
    if (auto docs = store->list(); docs && !docs->empty()) listed = docs->front().bytes;
  }
  line["ms"] = round3(median(samples));
  line["runs"] = samples.size();
  line["ops"] = trace->patches.size();
  line["tail_ops"] = tail;
  disk_bytes = data_bytes(dir);
  line["disk_bytes"] = disk_bytes;
  line["listed_bytes"] = listed;
  line["ok"] = ok;
  print(line);
  return ok;
}

// automerge-paper's full history in RedisStore: the memory Redis uses for the document's keys
// (MEMORY USAGE, every element counted) against the RocksDB figure of the same import.
bool run_redis_memory(storage::RedisStore& store, std::uint64_t rocksdb_bytes) {
  auto line = line_for("redis_memory");
  auto trace = load_trace(traces_dir() / "automerge-paper.json.gz");
  if (!trace) {
    std::fprintf(stderr, "weft-bench storage: %s\n", trace.error().message.c_str());
    return false;
  }
  const std::string doc = "weft-bench-automerge-paper";
  static_cast<void>(store.remove(doc));
  const auto start = Clock::now();
  bool ok = import_trace(store, doc, *trace);
  const double import_s = seconds_since(start);
  std::uint64_t bytes = 0;
  double load_ms = 0;
  if (ok) {
    auto used = store.memory_usage(doc);
    if (!used) complain("memory_usage", used.error());
    if (used) {
      bytes = used->total();
      line["redis_log_bytes"] = used->log;
      line["redis_chunk_bytes"] = used->chunks;
      line["redis_snapshot_bytes"] = used->snaps;
    }
    const auto load_start = Clock::now();
    auto loaded = store.load(doc);
    auto rga = loaded ? storage::materialize(*loaded) : tl::unexpected(loaded.error());
    load_ms = seconds_since(load_start) * 1000;
    if (!rga) complain("load", rga.error());
    ok = used && rga && rga->text() == trace->end_content;
  }
  static_cast<void>(store.remove(doc));
  line["ops"] = trace->patches.size();
  line["import_s"] = round3(import_s);
  line["load_ms"] = round3(load_ms);
  line["redis_bytes"] = bytes;
  line["rocksdb_disk_bytes"] = rocksdb_bytes;
  line["ratio"] = rocksdb_bytes == 0
                      ? 0.0
                      : round3(static_cast<double>(bytes) / static_cast<double>(rocksdb_bytes));
  line["ok"] = ok;
  print(line);
  return ok;
}

int usage(const char* why) {
  std::fprintf(stderr,
               "weft-bench storage: %s\nusage: weft-bench storage [--data DIR] [--runs N] "
               "[--ops N] [--threads N] [--per-thread N] [--chunk-records N] [--redis URL]\n",
               why);
  return 2;
}

}  // namespace

int storage_main(int argc, char** argv) {
  Options options;
  for (int i = 0; i < argc; i += 2) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return usage("an option needs a value");
    if (arg == "--data") {
      options.data = argv[i + 1];
      continue;
    }
    if (arg == "--redis") {
      options.redis = argv[i + 1];
      continue;
    }
    if (arg == "--chunk-records") {
      const auto records = parse_count(argv[i + 1], 0);
      if (!records) return usage("--chunk-records needs N >= 0");
      options.chunk_records = *records;  // 0 turns chunking off
      continue;
    }
    const auto count = parse_count(argv[i + 1], 1);
    if (!count) return usage("a count needs 1 <= N <= 1000000");
    if (arg == "--runs") {
      options.runs = *count;
    } else if (arg == "--ops") {
      options.ops = *count;
    } else if (arg == "--threads") {
      options.threads = *count;
    } else if (arg == "--per-thread") {
      options.per_thread = *count;
    } else {
      return usage("unknown option");
    }
  }
  std::error_code ec;
  fs::create_directories(options.data, ec);
  const auto root = testkit::TempDir::make("weft-bench-storage", options.data);
  if (!root) {
    std::fprintf(stderr, "weft-bench storage: %s\n", root.error().c_str());
    return 1;
  }
  auto single = open_store(root->path() / "single", options);
  bool ok = run_append_single(single.get(), options, "append_single");
  single.reset();
  ok = run_append_group(root->path() / "group", options) && ok;
  std::uint64_t rocksdb_bytes = 0;
  ok = run_cold_load(root->path() / "cold", options, rocksdb_bytes) && ok;
  if (!options.redis.empty()) {
    auto redis = open_redis(options);
    ok = redis && run_append_single(redis.get(), options, "redis_append_single") && ok;
    ok = redis && run_redis_memory(*redis, rocksdb_bytes) && ok;
  }
  return ok ? 0 : 1;
}

}  // namespace weft::bench
