// frame_codec.cpp — frames to msgpack and back, exactly as PROTOCOL.md specifies.
//
// Encoding goes through msgpack-c's packer, whose integer, str, bin, array and map headers are
// always the shortest form: that is the canonical encoding the golden vectors pin down.
// Decoding uses MsgpackReader (msgpack_reader.hpp says why not msgpack::unpack): first one pass
// checks that the message is exactly one well-formed msgpack value, then the frame's shape is
// read field by field. So a well-formed array with an unknown type number is unknown_frame_type,
// and everything else that is wrong (including truncation and trailing bytes) malformed_frame.
// Arrays may hold more elements than this version reads; the extra ones are skipped.
#include "proto/frame_codec.hpp"

#include <array>
#include <optional>
#include <utility>
#include <vector>

#include <msgpack.hpp>

#include "proto/msgpack_reader.hpp"

namespace weft::proto {

namespace {

using detail::MsgpackReader;
using Scope = MsgpackReader::Scope;

// ---- encoding ----

struct StringStream {
  std::string bytes;
  void write(const char* data, std::size_t size) { bytes.append(data, size); }
};
using Packer = msgpack::packer<StringStream>;

constexpr std::string_view limit_names[] = {
    "max_frame_bytes",         "max_ops_per_frame",      "max_run",
    "max_docs_per_connection", "max_frames_per_second",  "presence_interval_ms",
    "digest_interval_ms",      "idle_timeout_ms",        "max_ops_per_second",
    "max_bytes_per_second",    "max_connections_per_ip", "max_buffered_ops",
    "max_document_bytes",      "max_outbound_bytes"};

static_assert(std::size(limit_names) == limit_count);

// The limits in the order of limit_names.
template <class Limits>
auto limit_fields(Limits& l) {
  return std::array{&l.max_frame_bytes,         &l.max_ops_per_frame,      &l.max_run,
                    &l.max_docs_per_connection, &l.max_frames_per_second,  &l.presence_interval_ms,
                    &l.digest_interval_ms,      &l.idle_timeout_ms,        &l.max_ops_per_second,
                    &l.max_bytes_per_second,    &l.max_connections_per_ip, &l.max_buffered_ops,
                    &l.max_document_bytes,      &l.max_outbound_bytes};
}

void pack_str(Packer& p, std::string_view s) {
  p.pack_str(static_cast<std::uint32_t>(s.size()));
  p.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

template <class Bytes>
void pack_bin(Packer& p, const Bytes& b) {
  p.pack_bin(static_cast<std::uint32_t>(b.size()));
  p.pack_bin_body(reinterpret_cast<const char*>(b.data()), static_cast<std::uint32_t>(b.size()));
}

void pack_vv(Packer& p, const crdt::VersionVector& vv) {
  p.pack_array(static_cast<std::uint32_t>(vv.entries().size()));
  for (const auto& e : vv.entries()) {
    p.pack_array(2);
    p.pack_uint64(e.replica);
    p.pack_uint64(e.next_seq);
  }
}

void pack_anchor(Packer& p, const crdt::Anchor& a) {
  p.pack_array(3);
  p.pack_uint64(a.id.replica);
  p.pack_uint64(a.id.seq);
  p.pack_uint64(static_cast<std::uint64_t>(a.side));
}

void pack_op(Packer& p, const crdt::Op& op) {
  if (const auto* insert = std::get_if<crdt::InsertOp>(&op)) {
    p.pack_array(7);
    p.pack_uint64(1);
    p.pack_uint64(insert->replica);
    p.pack_uint64(insert->seq);
    p.pack_uint64(insert->lamport);
    p.pack_uint64(insert->parent.replica);
    p.pack_uint64(insert->parent.seq);
    pack_str(p, insert->text);
    return;
  }
  const auto& erase = std::get<crdt::DeleteOp>(op);
  p.pack_array(5);
  p.pack_uint64(2);
  p.pack_uint64(erase.replica);
  p.pack_uint64(erase.seq);
  p.pack_uint64(erase.lamport);
  p.pack_array(static_cast<std::uint32_t>(erase.targets.size()));
  for (const crdt::IdRange& t : erase.targets) {
    p.pack_array(3);
    p.pack_uint64(t.replica);
    p.pack_uint64(t.seq);
    p.pack_uint64(t.len);
  }
}

void pack_state(Packer& p, const PresenceState& s) {
  const std::uint32_t count = (s.head ? 1U : 0U) + (s.anchor ? 1U : 0U) +
                              (s.name.empty() ? 0U : 1U) + (s.color.empty() ? 0U : 1U) +
                              (s.typing ? 1U : 0U);
  p.pack_map(count);
  if (s.head) {
    pack_str(p, "head");
    pack_anchor(p, *s.head);
  }
  if (s.anchor) {
    pack_str(p, "anchor");
    pack_anchor(p, *s.anchor);
  }
  if (!s.name.empty()) {
    pack_str(p, "name");
    pack_str(p, s.name);
  }
  if (!s.color.empty()) {
    pack_str(p, "color");
    pack_str(p, s.color);
  }
  if (s.typing) {
    pack_str(p, "typing");
    p.pack_true();
  }
}

// One overload per frame: packs its fields after the type number.
void pack_fields(Packer& p, const Hello& f) {
  p.pack_uint64(f.version);
  pack_str(p, f.client);
}
void pack_fields(Packer& p, const Welcome& f) {
  p.pack_uint64(f.version);
  pack_str(p, f.server);
  p.pack_map(static_cast<std::uint32_t>(std::size(limit_names)));
  const auto values = limit_fields(f.limits);
  for (std::size_t i = 0; i < values.size(); ++i) {
    pack_str(p, limit_names[i]);
    p.pack_uint64(*values[i]);
  }
}
void pack_fields(Packer& p, const Join& f) {
  pack_str(p, f.doc);
  f.epoch ? p.pack_uint64(*f.epoch) : p.pack_nil();
  f.replica ? p.pack_uint64(*f.replica) : p.pack_nil();
  f.token ? pack_bin(p, *f.token) : static_cast<void>(p.pack_nil());
  pack_vv(p, f.version);
}
void pack_fields(Packer& p, const Joined& f) {
  pack_str(p, f.doc);
  p.pack_uint64(f.epoch);
  p.pack_uint64(f.replica);
  pack_bin(p, f.token);
  pack_vv(p, f.version);
  f.reset ? p.pack_true() : p.pack_false();
}
void pack_fields(Packer& p, const SnapshotChunk& f) {
  pack_str(p, f.doc);
  p.pack_uint64(f.offset);
  p.pack_uint64(f.total);
  pack_bin(p, f.bytes);
}
void pack_fields(Packer& p, const Ops& f) {
  pack_str(p, f.doc);
  p.pack_array(static_cast<std::uint32_t>(f.ops.size()));
  for (const crdt::Op& op : f.ops) pack_op(p, op);
}
void pack_fields(Packer& p, const Synced& f) {
  pack_str(p, f.doc);
  pack_vv(p, f.version);
  pack_bin(p, f.digest);
}
void pack_fields(Packer& p, const Ack& f) {
  pack_str(p, f.doc);
  p.pack_uint64(f.next_seq);
}
void pack_fields(Packer& p, const Presence& f) {
  pack_str(p, f.doc);
  pack_state(p, f.state);
}
void pack_fields(Packer& p, const Presences& f) {
  pack_str(p, f.doc);
  p.pack_array(static_cast<std::uint32_t>(f.entries.size()));
  for (const Presences::Entry& e : f.entries) {
    p.pack_array(2);
    p.pack_uint64(e.replica);
    e.state ? pack_state(p, *e.state) : static_cast<void>(p.pack_nil());
  }
}
void pack_fields(Packer& p, const Leave& f) { pack_str(p, f.doc); }
void pack_fields(Packer& p, const Left& f) { pack_str(p, f.doc); }
void pack_fields(Packer& p, const Refresh& f) { pack_str(p, f.token); }
void pack_fields(Packer& p, const Refreshed& f) {
  f.expires ? p.pack_uint64(*f.expires) : p.pack_nil();
}
void pack_fields(Packer& p, const DigestFrame& f) {
  pack_str(p, f.doc);
  pack_vv(p, f.version);
  pack_bin(p, f.digest);
}
void pack_fields(Packer& p, const Diverged& f) {
  pack_str(p, f.doc);
  pack_vv(p, f.version);
  pack_bin(p, f.digest);
}
void pack_fields(Packer& p, const Error& f) {
  p.pack_uint64(f.code);
  pack_str(p, f.name);
  pack_str(p, f.message);
  f.doc ? pack_str(p, *f.doc) : static_cast<void>(p.pack_nil());
  if (f.op) {
    p.pack_array(2);
    p.pack_uint64(f.op->replica);
    p.pack_uint64(f.op->seq);
  } else {
    p.pack_nil();
  }
}

// Number of fields after the type number that this version writes and requires, by type.
constexpr std::uint32_t field_count[] = {0, 2, 3, 5, 6, 4, 2, 3, 2, 2, 2, 1, 1, 3, 3, 5, 1, 1};

}  // namespace

std::string encode_frame(const Frame& frame) {
  StringStream out;
  Packer p(out);
  const auto type = static_cast<std::uint32_t>(frame_type(frame));
  p.pack_array(1 + field_count[type]);
  p.pack_uint64(type);
  std::visit([&p](const auto& f) { pack_fields(p, f); }, frame);
  return std::move(out.bytes);
}

std::string encode_op(const crdt::Op& op) {
  StringStream out;
  Packer p(out);
  pack_op(p, op);
  return std::move(out.bytes);
}

std::array<LimitEntry, limit_count> limit_entries(const ServerLimits& limits) {
  std::array<LimitEntry, limit_count> out;
  const auto values = limit_fields(limits);
  for (std::size_t i = 0; i < limit_count; ++i) out[i] = {limit_names[i], *values[i]};
  return out;
}

Digest text_digest(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  Digest d{};
  for (std::size_t i = 0; i < d.size(); ++i) {
    d[i] = static_cast<std::uint8_t>(h >> (8 * (d.size() - 1 - i)));
  }
  return d;
}

// ---- decoding ----

namespace {

constexpr std::string_view frame_names[] = {
    "",     "hello",  "welcome",  "join",     "joined",    "snapshot",
    "ops",  "synced", "ack",      "presence", "presences", "leave",
    "left", "digest", "diverged", "error",    "refresh",   "refreshed"};

// Reads field `index` of the frame with `read`, naming it in any error.
template <class Read>
auto field(MsgpackReader& r, std::uint64_t index, std::string_view name, Read read) {
  const Scope scope(r, MsgpackReader::field(index, name));
  return read();
}

std::optional<std::uint64_t> optional_uint(MsgpackReader& r) {
  if (r.nil()) return std::nullopt;
  return r.uint();
}

template <std::size_t N>
std::array<std::uint8_t, N> read_fixed_bin(MsgpackReader& r) {
  std::array<std::uint8_t, N> out{};
  const std::string_view b = r.bin();
  if (!r.ok()) return out;
  if (b.size() != N) {
    r.fail("expected bin " + std::to_string(N) + ", found bin " + std::to_string(b.size()));
    return out;
  }
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>(b[i]);
  return out;
}

crdt::VersionVector read_vv(MsgpackReader& r) {
  crdt::VersionVector vv;
  const std::uint32_t n = r.array(0);
  std::optional<crdt::ReplicaId> previous;
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    const Scope entry(r, MsgpackReader::item("entry", i));
    const std::uint32_t fields = r.array(2);
    const crdt::ReplicaId replica = r.uint();
    const crdt::Seq next_seq = r.uint();
    r.skip(fields > 2 ? fields - 2 : 0);
    if (!r.ok()) break;
    if (replica == 0) {
      r.fail("replica 0 (no replica holds units under id 0)");
    } else if (previous && replica <= *previous) {
      r.fail("replicas not strictly ascending (" + std::to_string(replica) + " after " +
             std::to_string(*previous) + ")");
    } else if (next_seq == 0) {
      r.fail("next_seq is 0 (entries have next_seq >= 1)");
    }
    previous = replica;
    vv.set(replica, next_seq);  // ascending, so this appends
  }
  return vv;
}

crdt::Anchor read_anchor(MsgpackReader& r) {
  crdt::Anchor a;
  const std::uint32_t fields = r.array(3);
  a.id.replica = r.uint();
  a.id.seq = r.uint();
  const std::uint64_t side = r.uint();
  r.skip(fields > 3 ? fields - 3 : 0);
  if (r.ok() && side > 1)
    r.fail("side must be 0 (before) or 1 (after), found " + std::to_string(side));
  a.side = side == 0 ? crdt::Side::before : crdt::Side::after;
  return a;
}

crdt::Op read_op(MsgpackReader& r) {
  const std::uint32_t fields = r.array(1);
  const std::uint64_t kind = r.uint();
  if (!r.ok()) return crdt::InsertOp{};
  if (kind == 1) {
    if (fields < 7) r.fail("insert has " + std::to_string(fields) + " elements, expected 7");
    crdt::InsertOp op;
    op.replica = r.uint();
    op.seq = r.uint();
    op.lamport = r.uint();
    op.parent.replica = r.uint();
    op.parent.seq = r.uint();
    op.text = std::string(r.str(/*check_utf8=*/false));  // Rga reports invalid_utf8 per op
    r.skip(fields > 7 ? fields - 7 : 0);
    return op;
  }
  if (kind == 2) {
    if (fields < 5) r.fail("delete has " + std::to_string(fields) + " elements, expected 5");
    crdt::DeleteOp op;
    op.replica = r.uint();
    op.seq = r.uint();
    op.lamport = r.uint();
    const std::uint32_t n = r.array(0);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
      const Scope target(r, MsgpackReader::item("target", i));
      const std::uint32_t t = r.array(3);
      const crdt::ReplicaId replica = r.uint();
      const crdt::Seq seq = r.uint();
      const std::uint64_t len = r.uint();
      r.skip(t > 3 ? t - 3 : 0);
      op.targets.push_back(crdt::IdRange{replica, seq, len});
    }
    r.skip(fields > 5 ? fields - 5 : 0);
    return op;
  }
  r.fail("unknown op kind " + std::to_string(kind) + " (1 insert, 2 delete)");
  return crdt::InsertOp{};
}

// A map with str keys, each known key at most once; calls on_key(index of the key in `names`)
// with r on its value, and skips the values of unknown keys. nil values are left to on_key.
template <std::size_t N, class OnKey>
void read_keyed_map(MsgpackReader& r, const std::string_view (&names)[N], OnKey on_key) {
  const std::uint32_t pairs = r.map();
  std::uint32_t seen = 0;
  static_assert(N < 32);
  for (std::uint32_t i = 0; i < pairs && r.ok(); ++i) {
    const std::string_view key = r.str();
    if (!r.ok()) return;
    std::size_t k = 0;
    while (k < N && names[k] != key) ++k;
    if (k == N) {
      r.skip(1);
      continue;
    }
    const Scope scope(r, MsgpackReader::plain(names[k]));
    if ((seen >> k) & 1U) return r.fail("key appears twice");
    seen |= 1U << k;
    on_key(k);
  }
}

constexpr std::string_view state_keys[] = {"head", "anchor", "name", "color", "typing"};
constexpr std::size_t max_name_bytes = 64;
constexpr std::size_t max_color_bytes = 32;

PresenceState read_state(MsgpackReader& r) {
  PresenceState s;
  read_keyed_map(r, state_keys, [&](std::size_t k) {
    if (r.nil()) return;  // nil = the key is absent
    switch (k) {
      case 0:
        s.head = read_anchor(r);
        break;
      case 1:
        s.anchor = read_anchor(r);
        break;
      case 2:
        s.name = std::string(r.str());
        if (s.name.size() > max_name_bytes) r.fail("longer than 64 bytes");
        break;
      case 3:
        s.color = std::string(r.str());
        if (s.color.size() > max_color_bytes) r.fail("longer than 32 bytes");
        break;
      default:
        s.typing = r.boolean();
        break;
    }
  });
  return s;
}

ServerLimits read_limits(MsgpackReader& r) {
  ServerLimits limits;
  const auto values = limit_fields(limits);
  read_keyed_map(r, limit_names, [&](std::size_t k) { *values[k] = r.uint(); });
  return limits;
}

// The fields after the type number of a frame of a known `type`; failures are recorded in r.
Frame read_fields(MsgpackReader& r, FrameType type) {
  const auto doc = [&r] { return field(r, 1, "doc", [&r] { return std::string(r.str()); }); };
  switch (type) {
    case FrameType::hello: {
      Hello out;
      out.version = field(r, 1, "version", [&] { return r.uint(); });
      out.client = field(r, 2, "client", [&] { return std::string(r.str()); });
      return out;
    }
    case FrameType::welcome: {
      Welcome out;
      out.version = field(r, 1, "version", [&] { return r.uint(); });
      out.server = field(r, 2, "server", [&] { return std::string(r.str()); });
      out.limits = field(r, 3, "limits", [&] { return read_limits(r); });
      return out;
    }
    case FrameType::join: {
      Join out;
      out.doc = doc();
      out.epoch = field(r, 2, "epoch", [&] { return optional_uint(r); });
      out.replica = field(r, 3, "replica", [&] { return optional_uint(r); });
      out.token = field(r, 4, "token", [&]() -> std::optional<ResumeToken> {
        if (r.nil()) return std::nullopt;
        return read_fixed_bin<16>(r);
      });
      out.version = field(r, 5, "vv", [&] {
        crdt::VersionVector vv = read_vv(r);
        if (r.ok() && !out.epoch && !vv.empty()) r.fail("must be empty when epoch is nil");
        return vv;
      });
      return out;
    }
    case FrameType::joined: {
      Joined out;
      out.doc = doc();
      out.epoch = field(r, 2, "epoch", [&] { return r.uint(); });
      out.replica = field(r, 3, "replica", [&] { return r.uint(); });
      out.token = field(r, 4, "token", [&] { return read_fixed_bin<16>(r); });
      out.version = field(r, 5, "vv", [&] { return read_vv(r); });
      out.reset = field(r, 6, "reset", [&] { return r.boolean(); });
      return out;
    }
    case FrameType::snapshot: {
      SnapshotChunk out;
      out.doc = doc();
      out.offset = field(r, 2, "offset", [&] { return r.uint(); });
      out.total = field(r, 3, "total", [&] { return r.uint(); });
      out.bytes = field(r, 4, "bytes", [&] {
        std::string bytes(r.bin());
        if (r.ok() && (out.offset > out.total || bytes.size() > out.total - out.offset)) {
          r.fail("offset + size exceeds total");
        }
        return bytes;
      });
      return out;
    }
    case FrameType::ops: {
      Ops out;
      out.doc = doc();
      out.ops = field(r, 2, "ops", [&] {
        std::vector<crdt::Op> ops;
        const std::uint32_t n = r.array(0);
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
          const Scope op(r, MsgpackReader::item("op", i));
          ops.push_back(read_op(r));
        }
        return ops;
      });
      return out;
    }
    case FrameType::synced:
    case FrameType::digest:
    case FrameType::diverged: {
      std::string d = doc();
      crdt::VersionVector vv = field(r, 2, "vv", [&] { return read_vv(r); });
      const Digest digest = field(r, 3, "digest", [&] { return read_fixed_bin<8>(r); });
      if (type == FrameType::synced) return Synced{std::move(d), std::move(vv), digest};
      if (type == FrameType::digest) return DigestFrame{std::move(d), std::move(vv), digest};
      return Diverged{std::move(d), std::move(vv), digest};
    }
    case FrameType::ack: {
      Ack out;
      out.doc = doc();
      out.next_seq = field(r, 2, "next_seq", [&] { return r.uint(); });
      return out;
    }
    case FrameType::presence: {
      Presence out;
      out.doc = doc();
      out.state = field(r, 2, "state", [&] { return read_state(r); });
      return out;
    }
    case FrameType::presences: {
      Presences out;
      out.doc = doc();
      out.entries = field(r, 2, "entries", [&] {
        std::vector<Presences::Entry> entries;
        const std::uint32_t n = r.array(0);
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
          const Scope entry(r, MsgpackReader::item("entry", i));
          const std::uint32_t fields = r.array(2);
          Presences::Entry e;
          e.replica = r.uint();
          if (!r.nil()) e.state = read_state(r);
          r.skip(fields > 2 ? fields - 2 : 0);
          entries.push_back(std::move(e));
        }
        return entries;
      });
      return out;
    }
    case FrameType::leave:
      return Leave{doc()};
    case FrameType::left:
      return Left{doc()};
    case FrameType::refresh:
      return Refresh{field(r, 1, "token", [&] { return std::string(r.str()); })};
    case FrameType::refreshed:
      return Refreshed{field(r, 1, "expires", [&]() -> std::optional<std::uint64_t> {
        if (r.nil()) return std::nullopt;
        return r.uint();
      })};
    case FrameType::error: {
      Error out;
      out.code = field(r, 1, "code", [&] { return r.uint(); });
      out.name = field(r, 2, "name", [&] { return std::string(r.str()); });
      out.message = field(r, 3, "message", [&] { return std::string(r.str()); });
      out.doc = field(r, 4, "doc", [&]() -> std::optional<std::string> {
        if (r.nil()) return std::nullopt;
        return std::string(r.str());
      });
      out.op = field(r, 5, "op", [&]() -> std::optional<crdt::Id> {
        if (r.nil()) return std::nullopt;
        const std::uint32_t fields = r.array(2);
        crdt::Id id;
        id.replica = r.uint();
        id.seq = r.uint();
        r.skip(fields > 2 ? fields - 2 : 0);
        return id;
      });
      return out;
    }
  }
  return Hello{};  // unreachable: called with known types only
}

}  // namespace

tl::expected<Frame, FrameError> decode_frame(std::string_view bytes) {
  const auto malformed = [](std::string message) {
    return tl::unexpected(FrameError{ErrorCode::malformed_frame, std::move(message)});
  };
  {
    MsgpackReader whole(bytes);
    whole.skip(1);
    if (!whole.ok()) return malformed("not msgpack: " + whole.error());
    if (whole.remaining() != 0) {
      return malformed(std::to_string(whole.remaining()) + " trailing bytes after the frame");
    }
  }
  MsgpackReader r(bytes);
  const std::uint32_t count = r.array(1);
  if (!r.ok()) return malformed("frame: " + r.error());
  const std::uint64_t type = field(r, 0, "type", [&] { return r.uint(); });
  if (!r.ok()) return malformed("frame: " + r.error());
  if (type < 1 || type > static_cast<std::uint64_t>(FrameType::refreshed)) {
    return tl::unexpected(
        FrameError{ErrorCode::unknown_frame_type, "unknown frame type " + std::to_string(type)});
  }
  const std::string_view name = frame_names[type];
  if (count < 1 + field_count[type]) {
    return malformed(std::string(name) + ": has " + std::to_string(count - 1) +
                     " fields after the type, expected at least " +
                     std::to_string(field_count[type]));
  }
  const Scope scope(r, MsgpackReader::plain(name));
  Frame frame = read_fields(r, static_cast<FrameType>(type));
  r.skip(count - 1 - field_count[type]);  // fields a later version added
  if (!r.ok()) return malformed(r.error());
  return frame;
}

}  // namespace weft::proto
