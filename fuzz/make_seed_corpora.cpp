// make_seed_corpora.cpp — writes the generated part of the seed corpora in fuzz/corpus/.
//
// Usage: make_seed_corpora <fuzz/corpus directory>
// snapshot_decode_fuzz gets real encoded snapshots of small documents (empty, typed, concurrent,
// deleted, astral text, ids near 2^53, a loaded-then-edited replica) plus a few broken ones;
// the op-driven targets get deterministic pseudo-random inputs of a few sizes. Seeds that a
// fuzzing run found interesting are added beside them by hand (README.md).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crdt/rga.hpp"
#include "crdt/snapshot.hpp"

namespace {

using weft::crdt::Op;
using weft::crdt::Rga;

// ROOT/TARGET/NAME: a seed file of one fuzz target's corpus.
std::string corpus_file(const std::string& root, std::string_view target, std::string_view name) {
  std::string path = root;
  path += '/';
  path += target;
  path += '/';
  path += name;
  return path;
}

void write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "make_seed_corpora: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

template <class R>
auto must(R result) {
  if (!result) {
    std::fprintf(stderr, "make_seed_corpora: %s\n", result.error().message().c_str());
    std::exit(1);
  }
  return std::move(*result);
}

void exchange(Rga& a, Rga& b) {
  for (const Op& op : must(a.ops_since(b.version()))) (void)b.apply_remote(op);
  for (const Op& op : must(b.ops_since(a.version()))) (void)a.apply_remote(op);
}

std::vector<std::pair<std::string, Rga>> documents() {
  std::vector<std::pair<std::string, Rga>> docs;
  docs.emplace_back("empty", Rga(1));

  Rga typed(1);
  (void)must(typed.local_insert(0, "hello world"));
  docs.emplace_back("typed", std::move(typed));

  Rga a(1);
  Rga b(2);
  (void)must(a.local_insert(0, "abc"));
  (void)must(b.local_insert(0, "xyz"));
  exchange(a, b);
  (void)must(a.local_delete(1, 3));
  (void)must(b.local_insert(2, "\xC3\xA9\xE2\x82\xAC"));
  exchange(a, b);
  docs.emplace_back("concurrent", std::move(a));

  Rga astral(3);
  (void)must(
      astral.local_insert(0, "\xF0\x9F\x98\x80\xF0\x9D\x84\x9E\xF4\x8F\xBF\xBF\xE4\xB8\xAD"));
  (void)must(astral.local_insert(2, "\xED\x9F\xBF\xEE\x80\x80"));
  docs.emplace_back("astral", std::move(astral));

  Rga gone(4);
  (void)must(gone.local_insert(0, "all of this goes"));
  (void)must(gone.local_delete(0, 16));
  docs.emplace_back("all_deleted", std::move(gone));

  const std::uint64_t top = weft::crdt::id_limit - 1;
  Rga high(top);
  Rga low(1);
  (void)must(high.local_insert(0, "top"));
  (void)must(low.local_insert(0, "low"));
  exchange(high, low);
  (void)must(high.local_delete(2, 2));
  exchange(high, low);
  docs.emplace_back("high_ids", std::move(high));

  // Many small runs from five replicas, typing forwards, backwards and deleting.
  std::vector<Rga> many;
  for (std::uint64_t r = 1; r <= 5; ++r) many.emplace_back(r);
  for (int round = 0; round < 6; ++round) {
    for (std::size_t i = 0; i < many.size(); ++i) {
      Rga& r = many[i];
      (void)must(r.local_insert((r.length() * (i + 1)) / 6, round % 2 ? "ab" : "\xD0\xB6"));
      if (r.length() > 4 && (round + i) % 3 == 0) (void)must(r.local_delete(1, 2));
    }
    for (std::size_t i = 1; i < many.size(); ++i) exchange(many[0], many[i]);
  }
  docs.emplace_back("five_replicas", std::move(many[0]));

  // Loaded from a snapshot, then edited: its runs mix history it holds and history it does not.
  Rga base(6);
  (void)must(base.local_insert(0, "snapshot"));
  Rga loaded = must(Rga::from_snapshot(base.snapshot(), 7));
  (void)must(loaded.local_insert(4, "--"));
  (void)must(loaded.local_delete(0, 1));
  docs.emplace_back("loaded_then_edited", std::move(loaded));
  return docs;
}

// splitmix64, for inputs that are the same on every machine.
std::string pseudo_random_bytes(std::uint64_t seed, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    out += static_cast<char>((z ^ (z >> 31)) & 0xFF);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seed_corpora <fuzz/corpus directory>\n");
    return 2;
  }
  const std::string root = argv[1];
  for (auto& [name, rga] : documents()) {
    const std::string bytes = weft::crdt::encode_snapshot(rga.snapshot());
    write(corpus_file(root, "snapshot_decode_fuzz", name + ".snap"), bytes);
    if (name == "concurrent") {
      write(root + "/snapshot_decode_fuzz/truncated.snap", bytes.substr(0, bytes.size() - 3));
      write(root + "/snapshot_decode_fuzz/trailing_byte.snap", bytes + '\0');
      std::string bad_magic = bytes;
      bad_magic[3] = '\x02';
      write(root + "/snapshot_decode_fuzz/bad_magic.snap", bad_magic);
    }
  }
  const std::size_t sizes[] = {16, 64, 256, 1024};
  for (std::size_t i = 0; i < std::size(sizes); ++i) {
    const std::string n = std::to_string(sizes[i]);
    write(corpus_file(root, "rga_convergence_fuzz", "random_" + n),
          pseudo_random_bytes(1000 + i, sizes[i]));
    write(corpus_file(root, "rga_hostile_ops_fuzz", "random_" + n),
          pseudo_random_bytes(2000 + i, sizes[i]));
  }
  return 0;
}
