// crash_writer.cpp — storage_crash_writer DIR SEED ROUND: appends forever until it is killed.
//
// The child of crash_test.cpp. One thread per document makes random edits with a real crdt::Rga
// (continuing whatever the store holds), appends each op (now and then a few at once), writes a
// snapshot now and then, and after every append that returned success prints
// "doc index crc32c-of-encoded-record" on stdout with one write(2), so that a line is never torn.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "storage/document_loader.hpp"
#include "storage/record_format.hpp"
#include "storage/rocksdb_store.hpp"
#include "tests/storage/store_test_support.hpp"

using namespace weft;
using namespace weft::storage;

namespace {

constexpr int documents = 4;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "storage_crash_writer: %s\n", what.c_str());
  std::_Exit(2);
}

void acknowledge(const std::string& doc, const proto::OpRecord& record) {
  const std::string line = doc + " " + std::to_string(record.index) + " " +
                           std::to_string(format::crc32c(proto::encode(record))) + "\n";
  if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    die("cannot write to stdout");
  }
}

void write_forever(DocumentStore& store, const std::string& doc, testing::EditingDocument editor) {
  for (std::uint64_t n = 1;; ++n) {
    std::vector<proto::OpRecord> records{editor.edit()};
    if (editor.pick(10) == 0) {
      for (std::uint64_t k = editor.pick(3); k > 0; --k) records.push_back(editor.edit());
    }
    if (auto ok = store.append(doc, records); !ok) die(ok.error().message);
    for (const proto::OpRecord& record : records) acknowledge(doc, record);
    if (n % 40 == 0) {
      if (auto ok = store.write_snapshot(doc, editor.snapshot()); !ok) die(ok.error().message);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) die("usage: storage_crash_writer DIR SEED ROUND");
  const auto seed = static_cast<std::uint32_t>(std::strtoul(argv[2], nullptr, 10));
  const auto round = std::strtoull(argv[3], nullptr, 10);
  // Small chunks, so that SIGKILL often lands around a compaction.
  auto opened = RocksDbStore::open(argv[1], RocksDbOptions{.chunk_records = 16});
  if (!opened) die(opened.error().message);
  DocumentStore& store = **opened;
  std::vector<std::thread> threads;
  for (int d = 0; d < documents; ++d) {
    const std::string doc = "doc-" + std::to_string(d);
    // A fresh replica id each round: the previous round's replica may have ops that never reached
    // the log, and its seqs must not be reused.
    const crdt::ReplicaId self = round * documents + static_cast<crdt::ReplicaId>(d) + 1;
    auto loaded = store.load(doc);
    if (!loaded && loaded.error().code == Errc::not_found) {
      if (auto ok = store.create(testing::make_meta(doc)); !ok) die(ok.error().message);
      loaded = store.load(doc);
    }
    if (!loaded) die(loaded.error().message);
    auto rga = materialize(*loaded, self);
    if (!rga) die(rga.error().message);
    testing::EditingDocument editor(std::move(*rga), loaded->next_index,
                                    seed * 31 + static_cast<std::uint32_t>(d));
    threads.emplace_back(write_forever, std::ref(store), doc, std::move(editor));
  }
  for (std::thread& t : threads) t.join();
}
