// op_log_chunk.cpp — consecutive log records to and from one column-encoded OpLogChunk.
//
// Typing is what the log mostly holds: one replica inserting one character after its previous
// one, a millisecond later. Each column is chosen so that such a record costs about one byte
// per column, and columns that are all zero (one user, one replica, only inserts) are left empty.
// Each replica's seq and lamport are stored relative to the end of that replica's previous op in
// the chunk (both start at 0), so contiguous typing stores 0s; differences wrap modulo 2^64 and
// are stored as sint64, like the snapshot columns (proto/README.md).
#include <cstddef>
#include <limits>
#include <optional>
#include <utility>

#include "proto/record_checks.hpp"
#include "proto/records.hpp"
#include "proto/records.pb.h"

namespace weft::proto {

namespace pb = weft::records::v1;

namespace {

constexpr std::uint64_t parent_previous = 0;  // (replica, seq - 1)
constexpr std::uint64_t parent_root = 1;      // other parents: parent replica + 1, and parent_seq

// Where a replica's previous op in the chunk ended.
struct ReplicaEnd {
  std::uint64_t seq = 0;
  std::uint64_t lamport = 0;
};

tl::unexpected<std::error_code> fail(Errc e) { return crdt::fail(make_error_code(e)); }

std::int64_t delta(std::uint64_t value, std::uint64_t base) {
  return static_cast<std::int64_t>(value - base);
}

std::uint64_t undelta(std::uint64_t base, std::int64_t d) {
  return base + static_cast<std::uint64_t>(d);
}

// Index of `value` in `dictionary`, appending it if new.
template <class T, class Field>
std::uint32_t intern(std::vector<T>& dictionary, const T& value, Field&& add) {
  for (std::size_t i = 0; i < dictionary.size(); ++i) {
    if (dictionary[i] == value) return static_cast<std::uint32_t>(i);
  }
  dictionary.push_back(value);
  add(value);
  return static_cast<std::uint32_t>(dictionary.size() - 1);
}

template <class Column>
bool all_zero(const Column& column) {
  for (const auto v : column) {
    if (v != 0) return false;
  }
  return true;
}

// A column that is either empty (all 0) or one value per row.
template <class Column>
bool fits(const Column& column, int rows) {
  return column.empty() || column.size() == rows;
}

template <class Column>
auto at_or_zero(const Column& column, int i) {
  return column.empty() ? typename Column::value_type{} : column.Get(i);
}

}  // namespace

std::string encode_chunk(std::span<const OpRecord> records) {
  pb::OpLogChunk m;
  m.set_first_index(records.empty() ? 0 : records.front().index);
  std::vector<std::string> users;
  std::vector<crdt::ReplicaId> replicas;
  std::vector<ReplicaEnd> ends;
  std::int64_t prev_time = 0;
  for (const OpRecord& r : records) {
    m.add_time_delta(
        delta(static_cast<std::uint64_t>(r.server_time_us), static_cast<std::uint64_t>(prev_time)));
    prev_time = r.server_time_us;
    m.add_user_index(intern(users, r.user_id, [&](const std::string& u) { m.add_users(u); }));
    const crdt::ReplicaId replica = crdt::op_replica(r.op);
    const std::uint32_t ri =
        intern(replicas, replica, [&](crdt::ReplicaId id) { m.add_replicas(id); });
    m.add_replica_index(ri);
    ends.resize(replicas.size());
    ReplicaEnd& end = ends[ri];
    const std::uint64_t seq = crdt::op_seq(r.op);
    const std::uint64_t lamport = crdt::op_lamport(r.op);
    m.add_seq_delta(delta(seq, end.seq));
    m.add_lamport_delta(delta(lamport, end.lamport));
    const std::uint64_t len = crdt::op_len(r.op);
    end = {seq + len, lamport + len};
    if (const auto* insert = std::get_if<crdt::InsertOp>(&r.op)) {
      m.add_kind(0);
      if (insert->parent == crdt::root_id) {
        m.add_parent(parent_root);
      } else if (insert->parent.replica == replica && seq >= 1 && insert->parent.seq == seq - 1) {
        m.add_parent(parent_previous);
      } else {
        m.add_parent(insert->parent.replica + 1);
        m.add_parent_seq(insert->parent.seq);
      }
      m.add_text_len(insert->text.size());
      m.mutable_text()->append(insert->text);
    } else {
      const auto& del = std::get<crdt::DeleteOp>(r.op);
      m.add_kind(1);
      m.add_target_count(del.targets.size());
      for (const crdt::IdRange& t : del.targets) {
        m.add_target_replica(t.replica);
        m.add_target_seq(t.seq);
        m.add_target_len(t.len);
      }
    }
  }
  if (all_zero(m.user_index())) m.clear_user_index();
  if (all_zero(m.replica_index())) m.clear_replica_index();
  if (all_zero(m.kind())) m.clear_kind();
  if (all_zero(m.seq_delta())) m.clear_seq_delta();
  if (all_zero(m.lamport_delta())) m.clear_lamport_delta();
  if (all_zero(m.parent())) m.clear_parent();
  return m.SerializeAsString();
}

namespace {

// Cursors into the per-insert, per-delete and per-target columns while decoding.
struct Cursor {
  int insert = 0;
  int explicit_parent = 0;
  std::size_t text = 0;
  int del = 0;
  int target = 0;
};

Result<crdt::Op> decode_insert(const pb::OpLogChunk& m, Cursor& at, crdt::InsertOp op) {
  if (at.insert >= m.text_len_size() || !fits(m.parent(), m.text_len_size())) {
    return fail(Errc::bad_field);
  }
  const std::uint64_t parent = at_or_zero(m.parent(), at.insert);
  if (parent == parent_previous) {
    if (op.seq == 0) return fail(Errc::bad_field);
    op.parent = crdt::Id{op.replica, op.seq - 1};
  } else if (parent == parent_root) {
    op.parent = crdt::root_id;
  } else {
    if (at.explicit_parent >= m.parent_seq_size()) return fail(Errc::bad_field);
    op.parent = crdt::Id{parent - 1, m.parent_seq(at.explicit_parent++)};
  }
  const std::uint64_t len = m.text_len(at.insert++);
  if (len > m.text().size() - at.text) return fail(Errc::bad_field);
  op.text = m.text().substr(at.text, static_cast<std::size_t>(len));
  at.text += static_cast<std::size_t>(len);
  if (const std::error_code ec = detail::check_insert(op)) return crdt::fail(ec);
  return op;
}

Result<crdt::Op> decode_delete(const pb::OpLogChunk& m, Cursor& at, crdt::DeleteOp op) {
  const int targets = m.target_replica_size();
  if (at.del >= m.target_count_size() || m.target_seq_size() != targets ||
      m.target_len_size() != targets) {
    return fail(Errc::bad_field);
  }
  const std::uint64_t count = m.target_count(at.del++);
  if (count > static_cast<std::uint64_t>(targets - at.target)) return fail(Errc::bad_field);
  op.targets.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i, ++at.target) {
    op.targets.push_back(
        {m.target_replica(at.target), m.target_seq(at.target), m.target_len(at.target)});
  }
  if (const std::error_code ec = detail::check_delete(op)) return crdt::fail(ec);
  return op;
}

}  // namespace

Result<std::vector<OpRecord>> decode_chunk(std::string_view bytes) {
  pb::OpLogChunk m;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return fail(Errc::malformed);
  }
  const int n = m.time_delta_size();
  if (!fits(m.user_index(), n) || !fits(m.replica_index(), n) || !fits(m.kind(), n) ||
      !fits(m.seq_delta(), n) || !fits(m.lamport_delta(), n)) {
    return fail(Errc::bad_field);
  }
  if (n > 0 && static_cast<std::uint64_t>(n - 1) >
                   std::numeric_limits<std::uint64_t>::max() - m.first_index()) {
    return fail(Errc::bad_field);
  }
  for (const std::string& user : m.users()) {
    if (!detail::is_utf8(user)) return fail(Errc::bad_utf8);
  }
  std::vector<ReplicaEnd> ends(static_cast<std::size_t>(m.replicas_size()));
  std::vector<OpRecord> out;
  out.reserve(static_cast<std::size_t>(n));
  Cursor at;
  std::uint64_t time = 0;
  for (int i = 0; i < n; ++i) {
    time = undelta(time, m.time_delta(i));
    const std::uint32_t ui = at_or_zero(m.user_index(), i);
    const std::uint32_t ri = at_or_zero(m.replica_index(), i);
    if (ui >= static_cast<std::uint32_t>(m.users_size()) ||
        ri >= static_cast<std::uint32_t>(m.replicas_size())) {
      return fail(Errc::bad_field);
    }
    ReplicaEnd& end = ends[ri];
    const crdt::ReplicaId replica = m.replicas(static_cast<int>(ri));
    const std::uint64_t seq = undelta(end.seq, at_or_zero(m.seq_delta(), i));
    const std::uint64_t lamport = undelta(end.lamport, at_or_zero(m.lamport_delta(), i));
    Result<crdt::Op> op = fail(Errc::bad_field);
    switch (at_or_zero(m.kind(), i)) {
      case 0:
        op = decode_insert(m, at, crdt::InsertOp{replica, seq, lamport, crdt::root_id, {}});
        break;
      case 1:
        op = decode_delete(m, at, crdt::DeleteOp{replica, seq, lamport, {}});
        break;
      default:
        break;
    }
    if (!op) return crdt::fail(op.error());
    const std::uint64_t len = crdt::op_len(*op);
    end = {seq + len, lamport + len};
    out.push_back(OpRecord{m.first_index() + static_cast<std::uint64_t>(i),
                           static_cast<std::int64_t>(time), m.users(static_cast<int>(ui)),
                           std::move(*op)});
  }
  if (at.insert != m.text_len_size() || at.explicit_parent != m.parent_seq_size() ||
      at.text != m.text().size() || at.del != m.target_count_size() ||
      at.target != m.target_replica_size()) {
    return fail(Errc::bad_field);
  }
  return out;
}

}  // namespace weft::proto
