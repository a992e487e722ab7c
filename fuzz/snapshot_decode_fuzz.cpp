// snapshot_decode_fuzz.cpp — arbitrary bytes into decode_snapshot() and Rga::from_snapshot().
//
// Neither may crash, whatever the bytes, and neither may encoding what was decoded. When loading
// succeeds, the snapshot round-trips through encode/decode, the replica passes check_invariants(),
// holds the snapshot's text, clock and version, its own snapshot round-trips through bytes and
// loads to the same state, and it keeps working: position look-ups, a local insert and delete
// under a fresh replica id, and a remote insert after its first element, each followed by
// check_invariants().
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crdt/rga.hpp"
#include "crdt/snapshot.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

using weft::crdt::ApplyStatus;
using weft::crdt::id_limit;
using weft::crdt::InsertOp;
using weft::crdt::ReplicaId;
using weft::crdt::Rga;
using weft::crdt::Snapshot;
using weft::fuzz::describe;
using weft::fuzz::fail;

std::uint64_t live_length(const Snapshot& s) {
  std::uint64_t n = 0;
  for (const auto& r : s.runs) n += r.deleted ? 0 : r.len;
  return n;
}

void check_round_trip(const Snapshot& snap, const char* what) {
  const std::string bytes = weft::crdt::encode_snapshot(snap);
  auto again = weft::crdt::decode_snapshot(bytes);
  if (!again) fail(std::string(what) + ": its own encoding does not decode");
  if (!(*again == snap)) fail(std::string(what) + ": encode/decode changed the snapshot");
}

void exercise(Rga& rga) {
  const std::uint64_t len = rga.length();
  // Every run's first element is found, at a position within the document.
  for (const auto& run : rga.runs()) {
    const auto pos = rga.position_of(weft::crdt::Id{run.replica, run.seq});
    if (!pos || *pos > len) fail("position_of failed for a loaded element");
  }
  if (len > 0) {
    auto id = rga.id_at(len - 1);
    if (!id) fail("id_at failed on a loaded replica");
    if (rga.position_of(*id) != len - 1) fail("id_at and position_of disagree");
  }
  // Local edits fail only when no lamport or seq is left.
  const bool exhausted = rga.clock() + 2 >= id_limit;
  auto ins = rga.local_insert(len / 2, "x\xF0\x9F\x98\x80");
  rga.check_invariants();
  if (!ins && !exhausted) fail("local_insert failed on a loaded replica: " + ins.error().message());
  if (ins && rga.length() != len + 2) fail("local_insert on a loaded replica: wrong length");
  auto del = rga.local_delete(0, rga.length() < 3 ? rga.length() : 3);
  rga.check_invariants();
  (void)del;
  // A remote insert after the first element, from a replica id not in the snapshot.
  const auto runs = rga.runs();
  if (!runs.empty() && rga.clock() + 2 < id_limit && rga.version().get(id_limit - 3) == 0) {
    const InsertOp op{id_limit - 3, 0, rga.clock() + 1,
                      weft::crdt::Id{runs[0].replica, runs[0].seq}, "ab"};
    const auto res = rga.apply_remote(op);
    rga.check_invariants();
    if (res.status != ApplyStatus::applied) {
      fail("a valid insert into a loaded replica was rejected (" + res.error.message() +
           "): " + describe(op));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto decoded = weft::crdt::decode_snapshot(bytes);
  if (!decoded) return 0;
  // decode_snapshot() checks the format only; encoding needs a consistent snapshot (sorted
  // replicas that every run names), so an inconsistent one must merely not crash the encoder.
  (void)weft::crdt::encode_snapshot(*decoded);

  // A fresh replica id for local edits: one above every id in the snapshot, if there is room.
  ReplicaId self = 1;
  for (const auto& r : decoded->replicas) self = r.replica >= self ? r.replica + 1 : self;
  if (self >= id_limit - 3) self = 0;

  auto loaded = Rga::from_snapshot(*decoded, self);
  if (!loaded) return 0;
  Rga& rga = *loaded;
  rga.check_invariants();
  check_round_trip(*decoded, "a snapshot that loads");
  if (rga.text() != decoded->text) fail("loaded text differs from the snapshot's");
  if (rga.length() != live_length(*decoded)) fail("loaded length differs from the snapshot's");
  if (rga.clock() != decoded->clock) fail("loaded clock differs from the snapshot's");
  for (const auto& r : decoded->replicas) {
    if (rga.version().get(r.replica) != r.next_seq) fail("loaded version differs");
  }

  const Snapshot own = rga.snapshot();
  if (own.runs != rga.runs()) fail("snapshot().runs differs from runs(): " + describe(rga.runs()));
  check_round_trip(own, "a loaded replica's snapshot");
  auto reloaded = Rga::from_snapshot(own, self);
  if (!reloaded)
    fail("a loaded replica's own snapshot does not load: " + reloaded.error().message());
  reloaded->check_invariants();
  weft::fuzz::expect_same_state(rga, *reloaded, "snapshot of a loaded replica");

  if (self != 0) exercise(rga);
  return 0;
}
