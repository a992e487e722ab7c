// recovery.cpp — retype() and refusal_message() (PROTOCOL.md §7.8).
#include "client/recovery.hpp"

#include <map>
#include <optional>
#include <utility>
#include <variant>

#include "crdt/anchor.hpp"

namespace weft::client {

namespace {

// The byte length of the UTF-8 sequence starting with `lead` (the text is valid UTF-8).
std::size_t sequence_bytes(unsigned char lead) {
  if (lead < 0x80U) return 1;
  if (lead < 0xE0U) return 2;
  if (lead < 0xF0U) return 3;
  return 4;
}

std::uint64_t count_characters(std::string_view text) {
  std::uint64_t n = 0;
  for (std::size_t at = 0; at < text.size();
       at += sequence_bytes(static_cast<unsigned char>(text[at]))) {
    ++n;
  }
  return n;
}

class Retyper {
 public:
  Retyper(crdt::Rga& rga, const DropRule& rule) : rga_(rga), rule_(rule) {}

  void insert(const crdt::InsertOp& op) {
    const bool drop = is_dropped(op.replica, op.seq);
    const crdt::Id parent = now(op.parent);
    pos_ = rga_.resolve({parent, crdt::Side::after}).value_or(rga_.length());
    crdt::Seq seq = op.seq;
    const std::string_view text = op.text;
    std::size_t run_from = 0;
    std::size_t run_bytes = 0;
    crdt::Seq run_seq = seq;
    for (std::size_t at = 0; at < text.size(); ++seq) {
      const std::size_t n = sequence_bytes(static_cast<unsigned char>(text[at]));
      if (drop) {
        moved_[{op.replica, seq}] = parent;
        out_.dropped.text.append(text.substr(at, n));
      } else if (held(op.replica, seq)) {
        type_run(op.replica, run_seq, text.substr(run_from, run_bytes));
        run_bytes = 0;
        pos_ = rga_.resolve({{op.replica, seq}, crdt::Side::after}).value_or(pos_);
      } else {
        if (run_bytes == 0) {
          run_from = at;
          run_seq = seq;
        }
        run_bytes += n;
      }
      at += n;
    }
    type_run(op.replica, run_seq, text.substr(run_from, run_bytes));
  }

  void erase(const crdt::DeleteOp& op) {
    const bool drop = is_dropped(op.replica, op.seq);
    crdt::Seq seq = op.seq;
    for (const crdt::IdRange& range : op.targets) {
      for (std::uint64_t j = 0; j < range.len; ++j, ++seq) {
        if (held(op.replica, seq)) continue;
        const crdt::Id id = now({range.replica, range.seq + j});
        const auto at = rga_.resolve({id, crdt::Side::before});
        const auto after = rga_.resolve({id, crdt::Side::after});
        if (!at || !after || *after != *at + 1) continue;  // unseen or deleted already
        if (drop) {
          ++out_.dropped.deleted;
        } else if (auto made = rga_.local_delete(*at, 1)) {
          out_.ops.emplace_back(std::move(*made));
        }
      }
    }
  }

  Retyped take() { return std::move(out_); }

 private:
  [[nodiscard]] bool is_dropped(crdt::ReplicaId replica, crdt::Seq seq) const {
    return replica == rule_.replica && (rule_.drop_all || rule_.dropped.contains(seq));
  }
  [[nodiscard]] bool held(crdt::ReplicaId replica, crdt::Seq seq) const {
    return seq < version_.get(replica);
  }
  [[nodiscard]] crdt::Id now(crdt::Id id) const {
    const auto it = moved_.find({id.replica, id.seq});
    return it == moved_.end() ? id : it->second;
  }

  void type_run(crdt::ReplicaId replica, crdt::Seq first, std::string_view text) {
    if (text.empty()) return;
    auto made = rga_.local_insert(pos_, text);
    if (!made) return;  // the position comes from the replica itself: cannot fail
    const std::uint64_t n = count_characters(text);
    for (std::uint64_t k = 0; k < n; ++k) {
      moved_[{replica, first + k}] = crdt::Id{made->replica, made->seq + k};
    }
    pos_ += n;
    out_.ops.emplace_back(std::move(*made));
  }

  crdt::Rga& rga_;
  const DropRule& rule_;
  const crdt::VersionVector version_ = rga_.version();  // the server's, before any retyping
  std::map<std::pair<crdt::ReplicaId, crdt::Seq>, crdt::Id> moved_;
  std::uint64_t pos_ = 0;
  Retyped out_;
};

}  // namespace

Retyped retype(crdt::Rga& rga, std::span<const crdt::Op> ops, const DropRule& rule) {
  Retyper retyper{rga, rule};
  for (const crdt::Op& op : ops) {
    if (const auto* insert = std::get_if<crdt::InsertOp>(&op)) {
      retyper.insert(*insert);
    } else {
      retyper.erase(std::get<crdt::DeleteOp>(op));
    }
  }
  return retyper.take();
}

std::string refusal_message(std::string_view name, const Dropped& dropped,
                            std::uint64_t max_document_bytes) {
  const std::uint64_t typed = count_characters(dropped.text);
  const auto characters = [](std::uint64_t n) {
    return std::to_string(n) + (n == 1 ? " character" : " characters");
  };
  std::string lost;
  if (typed > 0) lost = characters(typed) + " typed";
  if (dropped.deleted > 0) {
    lost += (lost.empty() ? "" : " and ") + characters(dropped.deleted) + " deleted";
  }
  const std::string what =
      lost.empty() ? "nothing was lost"
                   : lost + (typed + dropped.deleted == 1 ? " was" : " were") + " not saved";
  if (name == "read_only") return "This document is read-only: " + what + ".";
  if (name == "document_full") {
    return "The document is full (max " + std::to_string(max_document_bytes) + " bytes): " + what +
           ".";
  }
  return "The server refused an edit (" + std::string(name) + "): " + what + ".";
}

}  // namespace weft::client
