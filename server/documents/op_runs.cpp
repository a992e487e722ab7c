// op_runs.cpp — merge_runs(), pack_ops_frames() and OpsFramePacker.
#include "server/documents/op_runs.hpp"

#include <algorithm>
#include <iterator>
#include <utility>
#include <variant>

#include "proto/frame_codec.hpp"

namespace weft::server::documents {
namespace {

// Room for the frame's own fields around the ops (type, doc id <= 128 bytes, array headers).
constexpr std::size_t frame_overhead = 256;

bool continues(const crdt::InsertOp& a, const crdt::InsertOp& b, std::uint64_t len) {
  return a.replica == b.replica && b.seq == a.seq + len && b.lamport == a.lamport + len &&
         b.parent == crdt::Id{a.replica, a.seq + len - 1};
}

bool continues(const crdt::DeleteOp& a, const crdt::DeleteOp& b, std::uint64_t len) {
  return a.replica == b.replica && b.seq == a.seq + len && b.lamport == a.lamport + len;
}

void append_targets(std::vector<crdt::IdRange>& to, const std::vector<crdt::IdRange>& from) {
  for (const crdt::IdRange& r : from) {
    if (!to.empty() && to.back().replica == r.replica && to.back().seq + to.back().len == r.seq) {
      to.back().len += r.len;
    } else {
      to.push_back(r);
    }
  }
}

// Byte length of the longest prefix of `text` holding whole code points and <= max bytes (at
// least one code point).
std::size_t utf8_prefix(std::string_view text, std::size_t max) {
  if (text.size() <= max) return text.size();
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  if (cut == 0) {
    cut = 1;
    while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) ++cut;
  }
  return cut;
}

std::uint64_t code_points(std::string_view text) {
  return static_cast<std::uint64_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// Splits an op whose encoding exceeds `max_bytes` into consecutive ops that each fit.
void split_into(const crdt::Op& op, std::size_t max_bytes, std::vector<crdt::Op>& out) {
  if (proto::encode_op(op).size() <= max_bytes) {
    out.push_back(op);
    return;
  }
  if (const auto* insert = std::get_if<crdt::InsertOp>(&op)) {
    std::string_view rest = insert->text;
    crdt::InsertOp piece = *insert;
    const std::size_t text_budget = max_bytes > 64 ? max_bytes - 64 : 1;
    while (!rest.empty()) {
      const std::size_t cut = utf8_prefix(rest, text_budget);
      piece.text.assign(rest.substr(0, cut));
      rest.remove_prefix(cut);
      const std::uint64_t n = code_points(piece.text);
      out.push_back(piece);
      piece.parent = crdt::Id{piece.replica, piece.seq + n - 1};
      piece.seq += n;
      piece.lamport += n;
    }
    return;
  }
  const auto& erase = std::get<crdt::DeleteOp>(op);
  const std::size_t per_op =
      std::max<std::size_t>(1, (max_bytes - std::min<std::size_t>(max_bytes, 64)) / 32);
  crdt::DeleteOp piece{erase.replica, erase.seq, erase.lamport, {}};
  for (std::size_t i = 0; i < erase.targets.size(); i += per_op) {
    const std::size_t end = std::min(erase.targets.size(), i + per_op);
    piece.targets.assign(erase.targets.begin() + static_cast<std::ptrdiff_t>(i),
                         erase.targets.begin() + static_cast<std::ptrdiff_t>(end));
    std::uint64_t n = 0;
    for (const auto& t : piece.targets) n += t.len;
    out.push_back(piece);
    piece.seq += n;
    piece.lamport += n;
  }
}

}  // namespace

std::vector<crdt::Op> merge_runs(std::vector<crdt::Op> ops, std::uint64_t max_run) {
  std::vector<crdt::Op> merged;
  merged.reserve(ops.size());
  std::uint64_t last_len = 0;
  for (crdt::Op& op : ops) {
    const std::uint64_t len = crdt::op_len(op);
    if (!merged.empty() && last_len + len <= max_run) {
      crdt::Op& last = merged.back();
      auto* a = std::get_if<crdt::InsertOp>(&last);
      auto* b = std::get_if<crdt::InsertOp>(&op);
      if (a != nullptr && b != nullptr && continues(*a, *b, last_len)) {
        a->text += b->text;
        last_len += len;
        continue;
      }
      auto* da = std::get_if<crdt::DeleteOp>(&last);
      auto* db = std::get_if<crdt::DeleteOp>(&op);
      if (da != nullptr && db != nullptr && continues(*da, *db, last_len)) {
        append_targets(da->targets, db->targets);
        last_len += len;
        continue;
      }
    }
    merged.push_back(std::move(op));
    last_len = len;
  }
  return merged;
}

std::vector<std::shared_ptr<const std::string>> pack_ops_frames(const std::string& doc,
                                                                const std::vector<crdt::Op>& ops,
                                                                const proto::ServerLimits& limits) {
  OpsFramePacker packer(doc, ops, limits);
  std::vector<std::shared_ptr<const std::string>> frames;
  while (auto frame = packer.next()) frames.push_back(std::move(frame));
  return frames;
}

OpsFramePacker::OpsFramePacker(std::string doc, std::vector<crdt::Op> ops,
                               const proto::ServerLimits& limits)
    : doc_(std::move(doc)),
      ops_(std::move(ops)),
      budget_(static_cast<std::size_t>(std::max<std::uint64_t>(limits.max_frame_bytes / 2, 1024)) -
              frame_overhead),
      max_ops_(static_cast<std::size_t>(std::max<std::uint64_t>(limits.max_ops_per_frame, 1))) {}

std::shared_ptr<const std::string> OpsFramePacker::next() {
  proto::Ops frame{doc_, {}};
  std::size_t bytes = 0;
  while (frame.ops.size() < max_ops_) {
    if (pieces_.empty()) {
      if (next_op_ == ops_.size()) break;
      std::vector<crdt::Op> pieces;
      split_into(ops_[next_op_], budget_, pieces);
      ops_[next_op_++] = crdt::Op{};  // packed: its memory goes as the catch-up proceeds
      pieces_.assign(std::make_move_iterator(pieces.begin()),
                     std::make_move_iterator(pieces.end()));
    }
    const std::size_t size = proto::encode_op(pieces_.front()).size();
    if (!frame.ops.empty() && bytes + size > budget_) break;
    frame.ops.push_back(std::move(pieces_.front()));
    pieces_.pop_front();
    bytes += size;
  }
  if (frame.ops.empty()) return nullptr;
  return std::make_shared<const std::string>(proto::encode_frame(frame));
}

}  // namespace weft::server::documents
