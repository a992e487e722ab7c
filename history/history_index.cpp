// history_index.cpp — HistoryIndex: records applied to the replica and to the per-replica unit
// tables; the element listing rebuilt from the replica's runs when it is read.
#include "history/history_index.hpp"

#include <algorithm>
#include <utility>
#include <variant>

#include "storage/document_loader.hpp"

namespace weft::history {
namespace {

// A replica's seqs are dense in its integrated ops, so its table never needs to grow past the
// units its records used; this bound only stops a corrupt log from asking for gigabytes.
constexpr std::uint64_t max_units_per_replica = std::uint64_t{1} << 28;

storage::StoreError corrupt(std::string_view doc, std::uint64_t index, const std::string& why) {
  return {storage::make_error_code(storage::Errc::corrupt),
          "document " + std::string(doc) + ": log record " + std::to_string(index) + ": " + why};
}

// Decodes well-formed UTF-8 (records are validated when read) into code points.
void decode_utf8(std::string_view text, std::vector<char32_t>& out) {
  out.clear();
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    std::size_t n = 1;
    char32_t cp = b;
    if (b >= 0xF0) {
      n = 4;
      cp = b & 0x07U;
    } else if (b >= 0xE0) {
      n = 3;
      cp = b & 0x0FU;
    } else if (b >= 0xC0) {
      n = 2;
      cp = b & 0x1FU;
    }
    for (std::size_t k = 1; k < n && i + k < text.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3FU);
    }
    out.push_back(cp);
    i += n;
  }
}

}  // namespace

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

storage::Result<void> HistoryIndex::extend(std::span<const proto::OpRecord> records) {
  for (const proto::OpRecord& record : records) {
    if (auto ok = apply(record); !ok) return ok;
  }
  return {};
}

storage::Result<void> HistoryIndex::apply(const proto::OpRecord& record) {
  const std::uint64_t index = rows_.size();
  if (record.index != index) {
    return tl::unexpected(corrupt(doc_, record.index, "expected index " + std::to_string(index)));
  }
  if (index >= max_records) return tl::unexpected(corrupt(doc_, index, "log too long"));
  if (auto ok = storage::apply_record(rga_, doc_, record); !ok) return ok;
  const auto at = static_cast<std::uint32_t>(index);
  RecordRow row;
  row.time_us = record.server_time_us;
  row.user = intern(record.user_id);
  row.replica = crdt::op_replica(record.op);
  const std::uint64_t len = crdt::op_len(record.op);
  Element* own = units(row.replica, crdt::op_seq(record.op), len);
  if (own == nullptr) return tl::unexpected(corrupt(doc_, index, "seq out of bounds"));
  if (const auto* insert = std::get_if<crdt::InsertOp>(&record.op)) {
    static thread_local std::vector<char32_t> cps;
    decode_utf8(insert->text, cps);
    for (std::size_t k = 0; k < cps.size() && k < len; ++k) {
      if (own[k].ins != never) continue;  // a duplicate: the first insert stands
      own[k].ins = at;
      own[k].ch = cps[k];
    }
    row.inserted = static_cast<std::uint32_t>(cps.size());
  } else {
    const auto& erase = std::get<crdt::DeleteOp>(record.op);
    std::uint64_t named = 0;
    for (const crdt::IdRange& target : erase.targets) {
      named += target.len;
      Element* hit = units(target.replica, target.seq, target.len);
      if (hit == nullptr) return tl::unexpected(corrupt(doc_, index, "target out of bounds"));
      for (std::uint64_t k = 0; k < target.len; ++k) {
        if (hit[k].del == never) hit[k].del = at;
      }
    }
    row.deleted = static_cast<std::uint32_t>(std::min<std::uint64_t>(named, never));
  }
  ReplicaUnits& author = replicas_[row.replica];
  row.ordinal = author.records++;
  max_time_.push_back(max_time_.empty() ? row.time_us : std::max(max_time_.back(), row.time_us));
  rows_.push_back(row);
  elements_stale_ = true;
  return {};
}

Element* HistoryIndex::units(crdt::ReplicaId replica, crdt::Seq seq, std::uint64_t len) {
  ReplicaUnits& table = replicas_[replica];
  if (table.units.empty()) table.base = seq;
  if (seq < table.base) {
    const std::uint64_t grow = table.base - seq;
    if (grow + table.units.size() > max_units_per_replica) return nullptr;
    table.units.insert(table.units.begin(), grow, Element{});
    table.base = seq;
  }
  const std::uint64_t offset = seq - table.base;
  if (offset + len > max_units_per_replica) return nullptr;
  if (offset + len > table.units.size()) table.units.resize(offset + len);
  return table.units.data() + offset;
}

std::uint32_t HistoryIndex::intern(const std::string& user) {
  const auto [it, added] = user_ids_.try_emplace(user, static_cast<std::uint32_t>(users_.size()));
  if (added) users_.push_back(user);
  return it->second;
}

const std::vector<Element>& HistoryIndex::elements() const {
  if (!elements_stale_) return elements_;
  elements_.clear();
  for (const crdt::ElementRun& run : rga_.runs()) {
    const auto table = replicas_.find(run.replica);
    if (table == replicas_.end() || run.seq < table->second.base ||
        run.seq - table->second.base + run.len > table->second.units.size()) {
      elements_.insert(elements_.end(), run.len, Element{});  // not from the log: cannot happen
      continue;
    }
    const auto first =
        table->second.units.begin() + static_cast<std::ptrdiff_t>(run.seq - table->second.base);
    elements_.insert(elements_.end(), first, first + static_cast<std::ptrdiff_t>(run.len));
  }
  elements_stale_ = false;
  return elements_;
}

std::uint64_t HistoryIndex::version_at_time(std::int64_t t) const {
  return static_cast<std::uint64_t>(std::upper_bound(max_time_.begin(), max_time_.end(), t) -
                                    max_time_.begin());
}

std::string HistoryIndex::text_at(std::uint64_t n) const {
  std::string text;
  for (const Element& e : elements()) {
    if (e.is_visible_at(n)) append_utf8(text, e.ch);
  }
  return text;
}

std::uint64_t HistoryIndex::length_at(std::uint64_t n) const {
  std::uint64_t length = 0;
  for (const Element& e : elements()) length += e.is_visible_at(n) ? 1 : 0;
  return length;
}

std::size_t HistoryIndex::memory_bytes() const {
  std::size_t bytes = rga_.memory_bytes() + rows_.capacity() * sizeof(RecordRow) +
                      max_time_.capacity() * sizeof(std::int64_t) +
                      elements_.capacity() * sizeof(Element);
  for (const auto& [replica, table] : replicas_) bytes += table.units.capacity() * sizeof(Element);
  for (const std::string& user : users_) bytes += user.capacity() + 64;
  return bytes;
}

}  // namespace weft::history
