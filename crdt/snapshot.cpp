// snapshot.cpp — the snapshot byte format (crdt/README.md §11): varints, columns of deltas.
#include "crdt/snapshot.hpp"

#include "crdt/errc.hpp"

namespace weft::crdt {

namespace {

constexpr std::string_view magic{"WRS\x01", 4};

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  [[nodiscard]] bool varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ == bytes_.size()) return false;
      const auto b = static_cast<unsigned char>(bytes_[at_++]);
      if (shift == 63 && b > 1) return false;  // more than 64 bits
      v |= std::uint64_t{b & 0x7Fu} << shift;
      if (b < 0x80) return true;
    }
    return false;
  }
  [[nodiscard]] bool bytes(std::uint64_t n, std::string_view& out) {
    if (n > bytes_.size() - at_) return false;
    out = bytes_.substr(at_, n);
    at_ += n;
    return true;
  }
  [[nodiscard]] std::size_t remaining() const { return bytes_.size() - at_; }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
};

}  // namespace

std::string encode_snapshot(const Snapshot& snapshot) {
  std::string out = encode_snapshot_head(snapshot);
  out.append(snapshot.text);
  return out;
}

std::string encode_snapshot_head(const Snapshot& snapshot) {
  std::string out;
  out.reserve(16 + snapshot.replicas.size() * 8 + snapshot.runs.size() * 6);
  out.append(magic);
  put_varint(out, snapshot.clock);
  put_varint(out, snapshot.replicas.size());
  ReplicaId prev = 0;
  for (const Snapshot::ReplicaState& r : snapshot.replicas) {
    put_varint(out, r.replica - prev);
    put_varint(out, r.next_seq);
    put_varint(out, r.last_lamport);
    prev = r.replica;
  }
  put_varint(out, snapshot.runs.size());
  // Runs are matched to the replica table by id; the table is sorted, so binary search.
  // Deltas wrap modulo 2^64; from_snapshot() checks the decoded values.
  std::uint64_t prev_end = 0;
  std::uint64_t prev_gap = 0;
  for (const ElementRun& run : snapshot.runs) {
    std::size_t lo = 0;
    std::size_t hi = snapshot.replicas.size();
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (snapshot.replicas[mid].replica < run.replica) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    put_varint(out, lo);
    put_varint(out, zigzag(static_cast<std::int64_t>(run.seq - prev_end)));
    const std::uint64_t gap = run.lamport - run.seq;
    put_varint(out, zigzag(static_cast<std::int64_t>(gap - prev_gap)));
    put_varint(out, (run.len << 1) | (run.deleted ? 1u : 0u));
    prev_end = run.seq + run.len;
    prev_gap = gap;
  }
  put_varint(out, snapshot.text.size());
  return out;
}

Result<Snapshot> decode_snapshot(std::string_view bytes) {
  const auto bad = [] { return fail(Errc::bad_snapshot); };
  if (bytes.substr(0, magic.size()) != magic) return bad();
  Reader in(bytes.substr(magic.size()));
  Snapshot s;
  std::uint64_t count = 0;
  if (!in.varint(s.clock) || !in.varint(count)) return bad();
  // Every entry takes at least one byte per field: bound the allocation by the input.
  if (count > in.remaining() / 3) return bad();
  s.replicas.resize(count);
  ReplicaId prev = 0;
  for (Snapshot::ReplicaState& r : s.replicas) {
    std::uint64_t delta = 0;
    if (!in.varint(delta) || !in.varint(r.next_seq) || !in.varint(r.last_lamport)) return bad();
    if (delta == 0 || delta >= id_limit - prev) return bad();  // ascending ids below 2^53
    r.replica = prev + delta;
    prev = r.replica;
  }
  if (!in.varint(count) || count > in.remaining() / 4) return bad();
  s.runs.resize(count);
  std::uint64_t prev_end = 0;
  std::uint64_t prev_gap = 0;
  for (ElementRun& run : s.runs) {
    std::uint64_t ix = 0;
    std::uint64_t seq_delta = 0;
    std::uint64_t gap_delta = 0;
    std::uint64_t len_deleted = 0;
    if (!in.varint(ix) || !in.varint(seq_delta) || !in.varint(gap_delta) ||
        !in.varint(len_deleted) || ix >= s.replicas.size()) {
      return bad();
    }
    run.replica = s.replicas[ix].replica;
    run.seq = prev_end + static_cast<std::uint64_t>(unzigzag(seq_delta));
    const std::uint64_t gap = prev_gap + static_cast<std::uint64_t>(unzigzag(gap_delta));
    run.lamport = run.seq + gap;
    run.len = len_deleted >> 1;
    run.deleted = (len_deleted & 1) != 0;
    prev_end = run.seq + run.len;
    prev_gap = gap;
  }
  std::uint64_t text_bytes = 0;
  std::string_view text;
  if (!in.varint(text_bytes) || !in.bytes(text_bytes, text) || in.remaining() != 0) return bad();
  s.text = std::string(text);
  return s;
}

}  // namespace weft::crdt
