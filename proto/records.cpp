// records.cpp — the stored records to and from Protobuf (records.proto), and the checks decoding
// makes without a replica: ranges of crdt/README.md §3, UTF-8, column shapes, the algorithm.
//
// Exactness: decode() accepts only what encode() can produce from a valid value, so for every
// record it accepts, encode(decode(bytes)) == bytes (bar unknown fields from newer builds, which
// are dropped), and decode(encode(v)) == v for every valid v.
#include "proto/records.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <optional>
#include <utility>

#include "crdt/utf8.hpp"
#include "proto/record_checks.hpp"
#include "proto/records.pb.h"

namespace weft::proto {

namespace pb = weft::records::v1;
using crdt::id_limit;

namespace detail {

bool is_replica(std::uint64_t replica) { return replica >= 1 && replica < id_limit; }

// An op's `n` units at seq and lamport: seq + n <= 2^53 and lamport + n - 1 < 2^53 (§3).
bool counters_fit(std::uint64_t seq, std::uint64_t lamport, std::uint64_t n) {
  return n >= 1 && seq < id_limit && n <= id_limit - seq && lamport >= 1 && lamport < id_limit &&
         n - 1 < id_limit - lamport;
}

bool is_utf8(std::string_view text) { return crdt::utf8::count_code_points(text).has_value(); }

std::error_code check_insert(const crdt::InsertOp& op) {
  const std::optional<std::uint64_t> n = crdt::utf8::count_code_points(op.text);
  if (!n) return Errc::bad_utf8;
  if (!is_replica(op.replica) || !counters_fit(op.seq, op.lamport, *n)) return Errc::bad_field;
  if (op.parent == crdt::root_id) return {};
  if (!is_replica(op.parent.replica) || op.parent.seq >= id_limit) return Errc::bad_field;
  if (op.parent.replica == op.replica && op.parent.seq >= op.seq) return Errc::bad_field;
  return {};
}

std::error_code check_delete(const crdt::DeleteOp& op) {
  if (!is_replica(op.replica)) return Errc::bad_field;
  std::uint64_t n = 0;
  for (const crdt::IdRange& t : op.targets) {
    if (!is_replica(t.replica) || t.len == 0 || t.seq >= id_limit || t.len > id_limit - t.seq) {
      return Errc::bad_field;
    }
    if (t.replica == op.replica && t.seq + t.len > op.seq) return Errc::bad_field;  // itself
    if (t.len > id_limit - n) return Errc::bad_field;  // n > 2^53 fails counters_fit anyway
    n += t.len;
  }
  return counters_fit(op.seq, op.lamport, n) ? std::error_code{} : Errc::bad_field;
}

}  // namespace detail

using detail::check_delete;
using detail::check_insert;
using detail::is_replica;
using detail::is_utf8;

namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.proto"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::malformed:
        return "bytes are not a record of this type";
      case Errc::bad_field:
        return "record field out of range or inconsistent";
      case Errc::bad_utf8:
        return "record text or id is not valid UTF-8";
      case Errc::unsupported_algo:
        return "record of an unsupported algorithm";
    }
    return "unknown weft.proto error";
  }
};

constexpr std::uint32_t weft_rga = 1;

tl::unexpected<std::error_code> fail(Errc e) { return crdt::fail(make_error_code(e)); }

template <class Message>
bool parse(Message& message, std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return false;
  return message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

Result<crdt::Op> decode_op(const pb::OpRecord& m) {
  switch (m.op_case()) {
    case pb::OpRecord::kInsert: {
      const pb::InsertOp& in = m.insert();
      crdt::InsertOp op{in.replica(), in.seq(), in.lamport(),
                        crdt::Id{in.parent_replica(), in.parent_seq()}, in.text()};
      if (const std::error_code ec = check_insert(op)) return crdt::fail(ec);
      return op;
    }
    case pb::OpRecord::kDelete: {
      const pb::DeleteOp& del = m.delete_();
      const int count = del.target_replica_size();
      if (del.target_seq_size() != count || del.target_len_size() != count) {
        return fail(Errc::bad_field);
      }
      crdt::DeleteOp op{del.replica(), del.seq(), del.lamport(), {}};
      op.targets.reserve(static_cast<std::size_t>(count));
      for (int i = 0; i < count; ++i) {
        op.targets.push_back({del.target_replica(i), del.target_seq(i), del.target_len(i)});
      }
      if (const std::error_code ec = check_delete(op)) return crdt::fail(ec);
      return op;
    }
    case pb::OpRecord::OP_NOT_SET:
      break;
  }
  return fail(Errc::malformed);  // no op, or one of a kind this build does not know
}

// Snapshot runs: the columns of crdt/README.md §11.1, deltas modulo 2^64 read as signed.
void encode_runs(const crdt::Snapshot& s, pb::SnapshotRecord& m) {
  m.mutable_run_replica_index()->Reserve(static_cast<int>(s.runs.size()));
  m.mutable_run_seq_delta()->Reserve(static_cast<int>(s.runs.size()));
  m.mutable_run_gap_delta()->Reserve(static_cast<int>(s.runs.size()));
  m.mutable_run_len_deleted()->Reserve(static_cast<int>(s.runs.size()));
  std::uint64_t prev_end = 0;
  std::uint64_t prev_gap = 0;
  for (const crdt::ElementRun& run : s.runs) {
    const auto it = std::lower_bound(
        s.replicas.begin(), s.replicas.end(), run.replica,
        [](const crdt::Snapshot::ReplicaState& r, crdt::ReplicaId id) { return r.replica < id; });
    m.add_run_replica_index(static_cast<std::uint32_t>(it - s.replicas.begin()));
    const std::uint64_t gap = run.lamport - run.seq;
    m.add_run_seq_delta(static_cast<std::int64_t>(run.seq - prev_end));
    m.add_run_gap_delta(static_cast<std::int64_t>(gap - prev_gap));
    m.add_run_len_deleted((run.len << 1) | (run.deleted ? 1u : 0u));
    prev_end = run.seq + run.len;
    prev_gap = gap;
  }
}

// The replica table of §11.2: strictly ascending, ids and counters in range, lamports <= clock.
std::error_code decode_replicas(const pb::SnapshotRecord& m, crdt::Snapshot& s) {
  const int count = m.replica_size();
  if (m.next_seq_size() != count || m.last_lamport_size() != count) return Errc::bad_field;
  if (s.clock >= id_limit) return Errc::bad_field;
  s.replicas.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const crdt::Snapshot::ReplicaState r{m.replica(i), m.next_seq(i), m.last_lamport(i)};
    if (!is_replica(r.replica) || (i > 0 && r.replica <= s.replicas.back().replica) ||
        r.next_seq == 0 || r.next_seq > id_limit || r.last_lamport > s.clock) {
      return Errc::bad_field;
    }
    s.replicas.push_back(r);
  }
  return {};
}

// Runs in range of their replica's counters (§11.2), and text with one code point per live
// element. Whether two runs share an id is left to Rga::from_snapshot().
std::error_code decode_runs(const pb::SnapshotRecord& m, crdt::Snapshot& s) {
  const int count = m.run_replica_index_size();
  if (m.run_seq_delta_size() != count || m.run_gap_delta_size() != count ||
      m.run_len_deleted_size() != count) {
    return Errc::bad_field;
  }
  s.runs.reserve(static_cast<std::size_t>(count));
  std::uint64_t prev_end = 0;
  std::uint64_t prev_gap = 0;
  std::uint64_t live = 0;
  for (int i = 0; i < count; ++i) {
    const std::uint32_t index = m.run_replica_index(i);
    if (index >= s.replicas.size()) return Errc::bad_field;
    const crdt::Snapshot::ReplicaState& r = s.replicas[index];
    crdt::ElementRun run;
    run.replica = r.replica;
    run.seq = prev_end + static_cast<std::uint64_t>(m.run_seq_delta(i));
    const std::uint64_t gap = prev_gap + static_cast<std::uint64_t>(m.run_gap_delta(i));
    run.lamport = run.seq + gap;
    run.len = m.run_len_deleted(i) >> 1;
    run.deleted = (m.run_len_deleted(i) & 1) != 0;
    if (run.len == 0 || run.seq >= r.next_seq || run.len > r.next_seq - run.seq ||
        run.lamport == 0 || run.lamport > r.last_lamport ||
        run.len - 1 > r.last_lamport - run.lamport) {
      return Errc::bad_field;
    }
    if (!run.deleted) live += run.len;
    if (live > m.text().size()) return Errc::bad_field;  // more live elements than text bytes
    s.runs.push_back(run);
    prev_end = run.seq + run.len;
    prev_gap = gap;
  }
  const std::optional<std::uint64_t> code_points = crdt::utf8::count_code_points(m.text());
  if (!code_points) return Errc::bad_utf8;
  if (*code_points != live) return Errc::bad_field;
  s.text = m.text();
  return {};
}

}  // namespace

const std::error_category& category() {
  static const Category instance;
  return instance;
}

std::error_code make_error_code(Errc e) { return {static_cast<int>(e), category()}; }

std::string encode(const OpRecord& record) {
  pb::OpRecord m;
  m.set_index(record.index);
  m.set_server_time_us(record.server_time_us);
  m.set_user_id(record.user_id);
  m.set_author_replica(crdt::op_replica(record.op));
  if (const auto* insert = std::get_if<crdt::InsertOp>(&record.op)) {
    pb::InsertOp& in = *m.mutable_insert();
    in.set_replica(insert->replica);
    in.set_seq(insert->seq);
    in.set_lamport(insert->lamport);
    in.set_parent_replica(insert->parent.replica);
    in.set_parent_seq(insert->parent.seq);
    in.set_text(insert->text);
  } else {
    const auto& op = std::get<crdt::DeleteOp>(record.op);
    pb::DeleteOp& del = *m.mutable_delete_();
    del.set_replica(op.replica);
    del.set_seq(op.seq);
    del.set_lamport(op.lamport);
    for (const crdt::IdRange& t : op.targets) {
      del.add_target_replica(t.replica);
      del.add_target_seq(t.seq);
      del.add_target_len(t.len);
    }
  }
  return m.SerializeAsString();
}

std::string encode(const SnapshotRecord& record) {
  pb::SnapshotRecord m;
  m.set_algo(record.algo);
  m.set_log_index(record.log_index);
  m.set_created_us(record.created_us);
  const crdt::Snapshot& s = record.state;
  m.set_clock(s.clock);
  for (const crdt::Snapshot::ReplicaState& r : s.replicas) {
    m.add_replica(r.replica);
    m.add_next_seq(r.next_seq);
    m.add_last_lamport(r.last_lamport);
  }
  encode_runs(s, m);
  m.set_text(s.text);
  return m.SerializeAsString();
}

std::string encode(const DocumentMeta& record) {
  pb::DocumentMeta m;
  m.set_id(record.id);
  m.set_created_us(record.created_us);
  m.set_epoch(record.epoch);
  m.set_algo(record.algo);
  for (const ReplicaEntry& entry : record.replicas) {
    pb::ReplicaEntry& e = *m.add_replicas();
    e.set_replica(entry.replica);
    e.set_user_id(entry.user_id);
    e.set_display_name(entry.display_name);
    e.set_first_seen_us(entry.first_seen_us);
    e.set_resume_hash(entry.resume_hash);
  }
  return m.SerializeAsString();
}

Result<OpRecord> decode_op_record(std::string_view bytes) {
  pb::OpRecord m;
  if (!parse(m, bytes)) return fail(Errc::malformed);
  if (!is_utf8(m.user_id())) return fail(Errc::bad_utf8);
  Result<crdt::Op> op = decode_op(m);
  if (!op) return crdt::fail(op.error());
  if (m.author_replica() != crdt::op_replica(*op)) return fail(Errc::bad_field);
  return OpRecord{m.index(), m.server_time_us(), m.user_id(), std::move(*op)};
}

Result<SnapshotRecord> decode_snapshot_record(std::string_view bytes) {
  pb::SnapshotRecord m;
  if (!parse(m, bytes)) return fail(Errc::malformed);
  if (m.algo() != weft_rga) return fail(Errc::unsupported_algo);
  SnapshotRecord record{m.algo(), m.log_index(), m.created_us(), {}};
  record.state.clock = m.clock();
  if (const std::error_code ec = decode_replicas(m, record.state)) return crdt::fail(ec);
  if (const std::error_code ec = decode_runs(m, record.state)) return crdt::fail(ec);
  return record;
}

Result<DocumentMeta> decode_document_meta(std::string_view bytes) {
  pb::DocumentMeta m;
  if (!parse(m, bytes)) return fail(Errc::malformed);
  if (m.algo() != weft_rga) return fail(Errc::unsupported_algo);
  if (!is_utf8(m.id())) return fail(Errc::bad_utf8);
  DocumentMeta record{m.id(), m.created_us(), m.epoch(), m.algo(), {}};
  record.replicas.reserve(static_cast<std::size_t>(m.replicas_size()));
  for (const pb::ReplicaEntry& e : m.replicas()) {
    if (!is_utf8(e.user_id()) || !is_utf8(e.display_name())) return fail(Errc::bad_utf8);
    if (!is_replica(e.replica()) ||
        (!record.replicas.empty() && e.replica() <= record.replicas.back().replica)) {
      return fail(Errc::bad_field);
    }
    if (!e.resume_hash().empty() && e.resume_hash().size() != 32) return fail(Errc::bad_field);
    record.replicas.push_back(
        {e.replica(), e.user_id(), e.display_name(), e.first_seen_us(), e.resume_hash()});
  }
  return record;
}

bool is_valid_version_name(std::string_view name) {
  if (name.empty() || name.size() > max_version_name_bytes || !is_utf8(name)) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto byte = static_cast<unsigned char>(name[i]);
    if (byte < 0x20 || byte == 0x7F) return false;
    // U+0080..U+009F are 0xC2 0x80..0x9F in UTF-8.
    if (byte == 0xC2 && i + 1 < name.size() && static_cast<unsigned char>(name[i + 1]) <= 0x9F) {
      return false;
    }
  }
  return true;
}

std::string encode(const NamedVersion& record) {
  pb::NamedVersion m;
  m.set_name(record.name);
  m.set_at(record.at);
  m.set_user_id(record.user_id);
  m.set_created_us(record.created_us);
  return m.SerializeAsString();
}

Result<NamedVersion> decode_named_version(std::string_view bytes) {
  pb::NamedVersion m;
  if (!parse(m, bytes)) return fail(Errc::malformed);
  if (!is_utf8(m.name()) || !is_utf8(m.user_id())) return fail(Errc::bad_utf8);
  if (!is_valid_version_name(m.name())) return fail(Errc::bad_field);
  return NamedVersion{m.name(), m.at(), m.user_id(), m.created_us()};
}

}  // namespace weft::proto
