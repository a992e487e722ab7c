// reference_rga.cpp — the tree-definition replica behind the shared test vectors.
#include "tests/crdt/reference_rga.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

namespace weft::crdt::testing {
namespace {

// The reference has no WEFT_ASSERT of its own on purpose: it must not depend on crdt internals.
void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "ReferenceRga: broken assumption: %s\n", what);
    std::abort();
  }
}

// Sibling order: greater key first, so a newer insert lands closer to its parent.
bool sorts_before(Lamport lamport_a, ReplicaId replica_a, Lamport lamport_b, ReplicaId replica_b) {
  return Key{lamport_a, replica_a} > Key{lamport_b, replica_b};
}

}  // namespace

std::optional<std::u32string> decode_utf8(std::string_view bytes) {
  std::u32string out;
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    std::size_t extra = 0;
    char32_t value = 0;
    char32_t smallest = 0;  // below this, the encoding is overlong
    if (lead < 0x80) {
      value = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1, value = lead & 0x1Fu, smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2, value = lead & 0x0Fu, smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3, value = lead & 0x07u, smallest = 0x10000;
    } else {
      return std::nullopt;  // a continuation byte without a lead, or 0xF8..0xFF
    }
    if (bytes.size() - i - 1 < extra) return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(bytes[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      value = (value << 6) | (next & 0x3Fu);
    }
    if (value < smallest || (value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) {
      return std::nullopt;
    }
    out.push_back(value);
    i += 1 + extra;
  }
  return out;
}

std::string encode_utf8(std::u32string_view code_points) {
  std::string out;
  const auto put = [&out](char32_t bits) { out.push_back(static_cast<char>(bits)); };
  for (const char32_t c : code_points) {
    if (c < 0x80) {
      put(c);
    } else if (c < 0x800) {
      put(0xC0 | (c >> 6)), put(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      put(0xE0 | (c >> 12)), put(0x80 | ((c >> 6) & 0x3F)), put(0x80 | (c & 0x3F));
    } else {
      put(0xF0 | (c >> 18)), put(0x80 | ((c >> 12) & 0x3F));
      put(0x80 | ((c >> 6) & 0x3F)), put(0x80 | (c & 0x3F));
    }
  }
  return out;
}

ReferenceRga::ReferenceRga(ReplicaId self, Limits limits) : self_(self), limits_(limits) {
  nodes_.push_back(Node{root_id, 0, 0, false, {}});
}

Seq ReferenceRga::next_seq(ReplicaId replica) const {
  const auto it = units_.find(replica);
  return it == units_.end() ? 0 : it->second.size();
}

const ReferenceRga::Unit* ReferenceRga::unit(Id id) const {
  const auto it = units_.find(id.replica);
  if (it == units_.end() || id.seq >= it->second.size()) return nullptr;
  return &it->second[id.seq];
}

// Step 1 of apply_remote: everything that can be judged from the op alone.
std::optional<Errc> ReferenceRga::check_format(const Op& op, Unpacked& out) const {
  if (const auto* insert = std::get_if<InsertOp>(&op)) {
    if (insert->replica == 0 || insert->replica >= id_limit) return Errc::bad_replica;
    if (insert->seq >= id_limit || insert->lamport == 0 || insert->lamport >= id_limit) {
      return Errc::bad_counter;
    }
    // The length-dependent checks need the code points; invalid text has no length.
    auto code_points = decode_utf8(insert->text);
    if (code_points) {
      const std::uint64_t n = code_points->size();
      if (n > 0 && (insert->seq + n > id_limit || insert->lamport + n - 1 >= id_limit)) {
        return Errc::bad_counter;
      }
      if (n == 0) return Errc::empty_op;
      if (n > limits_.max_run) return Errc::run_too_long;
    }
    if (!code_points) return Errc::invalid_utf8;
    const Id parent = insert->parent;
    if (parent.replica >= id_limit || (parent.replica == 0 && parent.seq != 0)) {
      return Errc::bad_replica;
    }
    if (parent.seq >= id_limit) return Errc::bad_counter;
    out = Unpacked{true,   insert->replica,         insert->seq, insert->lamport,
                   parent, std::move(*code_points), {}};
    return std::nullopt;
  }

  const auto& del = std::get<DeleteOp>(op);
  if (del.replica == 0 || del.replica >= id_limit) return Errc::bad_replica;
  if (del.seq >= id_limit || del.lamport == 0 || del.lamport >= id_limit) return Errc::bad_counter;
  // Saturate just above the id limit: that is enough to fail every check below.
  std::uint64_t n = 0;
  bool has_empty_target = del.targets.empty();
  for (const IdRange& target : del.targets) {
    n = std::min(n + std::min(target.len, id_limit + 1), id_limit + 1);
    has_empty_target = has_empty_target || target.len == 0;
  }
  if (n > 0 && (del.seq + n > id_limit || del.lamport + n - 1 >= id_limit)) {
    return Errc::bad_counter;
  }
  if (has_empty_target) return Errc::empty_op;
  if (n > limits_.max_run) return Errc::run_too_long;
  for (const IdRange& target : del.targets) {
    if (target.replica == 0 || target.replica >= id_limit) return Errc::bad_replica;
    if (target.seq >= id_limit || target.seq + target.len > id_limit) return Errc::bad_counter;
  }
  out = Unpacked{false, del.replica, del.seq, del.lamport, root_id, {}, {}};
  for (const IdRange& target : del.targets) {
    for (std::uint64_t k = 0; k < target.len; ++k) {
      out.targets.push_back(Id{target.replica, target.seq + k});
    }
  }
  return std::nullopt;
}

ReferenceRga::Outcome ReferenceRga::process(Unpacked op) {
  const auto rejected = [](Errc e) { return Outcome{ApplyStatus::rejected, e}; };
  const ReplicaId r = op.replica;
  const Seq have = next_seq(r);

  // Step 2: idempotence. Units we hold must agree in kind and lamport, unit by unit.
  if (op.seq > have) return Outcome{ApplyStatus::buffered, {}};
  if (op.seq < have) {
    const std::uint64_t held = std::min<std::uint64_t>(op.size(), have - op.seq);
    for (std::uint64_t k = 0; k < held; ++k) {
      const Unit* stored = unit(Id{r, op.seq + k});
      if (stored->is_element != op.is_insert || stored->lamport != op.lamport + k) {
        return rejected(Errc::conflicting_duplicate);
      }
    }
    if (held == op.size()) return Outcome{ApplyStatus::duplicate, {}};
    op.seq += held;
    op.lamport += held;
    if (op.is_insert) {
      op.parent = Id{r, have - 1};
      op.code_points.erase(0, held);
    } else {
      op.targets.erase(op.targets.begin(), op.targets.begin() + static_cast<std::ptrdiff_t>(held));
    }
  }

  // Step 3: an op can name neither itself nor anything its replica makes later.
  const auto names_self = [&](Id id) { return id.replica == r && id.seq >= op.seq; };
  if (op.is_insert ? names_self(op.parent)
                   : std::any_of(op.targets.begin(), op.targets.end(), names_self)) {
    return rejected(Errc::self_reference);
  }

  // Step 4: readiness. Everything named must have been seen.
  const auto seen = [&](Id id) { return id == root_id || unit(id) != nullptr; };
  if (op.is_insert ? !seen(op.parent) : !std::all_of(op.targets.begin(), op.targets.end(), seen)) {
    return Outcome{ApplyStatus::buffered, {}};
  }

  // Step 5: only elements can be parents or targets, never delete units.
  const auto is_element = [&](Id id) { return id == root_id || unit(id)->is_element; };
  if (op.is_insert && !is_element(op.parent)) return rejected(Errc::parent_not_element);
  if (!op.is_insert && !std::all_of(op.targets.begin(), op.targets.end(), is_element)) {
    return rejected(Errc::target_not_element);
  }

  // Step 6 (rule 2): a replica's lamports strictly increase, deletes included.
  const Lamport last = have == 0 ? 0 : unit(Id{r, have - 1})->lamport;
  if (op.lamport <= last) return rejected(Errc::lamport_not_increasing);

  // Step 7 (rule 3): the heap property that makes the tree equal to the list rule.
  if (op.is_insert) {
    const Lamport parent_lamport = op.parent == root_id ? 0 : unit(op.parent)->lamport;
    if (op.lamport <= parent_lamport) return rejected(Errc::heap_violation);
  }

  integrate(op);
  return Outcome{ApplyStatus::applied, {}};
}

void ReferenceRga::integrate(const Unpacked& op) {
  std::vector<Unit>& units = units_[op.replica];
  require(units.size() == op.seq, "integrated ops continue their replica's seqs");
  const std::uint64_t n = op.size();
  if (op.is_insert) {
    for (std::uint64_t k = 0; k < n; ++k) {
      const std::size_t parent = k > 0                  ? nodes_.size() - 1
                                 : op.parent == root_id ? 0
                                                        : unit(op.parent)->node;
      const std::size_t index = nodes_.size();
      nodes_.push_back(
          Node{Id{op.replica, op.seq + k}, op.lamport + k, op.code_points[k], false, {}});
      std::vector<std::size_t>& siblings = nodes_[parent].children;
      const auto later = std::find_if(siblings.begin(), siblings.end(), [&](std::size_t sibling) {
        return sorts_before(op.lamport + k, op.replica, nodes_[sibling].lamport,
                            nodes_[sibling].id.replica);
      });
      siblings.insert(later, index);
      units.push_back(Unit{op.lamport + k, true, index});
    }
  } else {
    for (const Id target : op.targets) nodes_[unit(target)->node].deleted = true;
    for (std::uint64_t k = 0; k < n; ++k) units.push_back(Unit{op.lamport + k, false, 0});
  }
  clock_ = std::max(clock_, op.lamport + n - 1);
}

ApplyResult ReferenceRga::apply_remote(const Op& op) {
  ApplyResult result;
  const auto reject = [&result](Errc e) {
    result.status = ApplyStatus::rejected;
    result.error = make_error_code(e);
    return result;
  };
  Unpacked unpacked;
  if (const auto error = check_format(op, unpacked)) return reject(*error);
  const std::uint64_t units = unpacked.size();
  const Outcome outcome = process(std::move(unpacked));
  switch (outcome.status) {
    case ApplyStatus::rejected:
      return reject(outcome.error);
    case ApplyStatus::buffered:
      if (buffer_.size() >= limits_.max_buffered_ops ||
          buffered_units_ + units > limits_.max_buffered_units) {
        return reject(Errc::buffer_full);
      }
      buffer_.push_back(op);
      buffered_units_ += units;
      result.status = ApplyStatus::buffered;
      return result;
    case ApplyStatus::duplicate:
      result.status = ApplyStatus::duplicate;
      return result;
    case ApplyStatus::applied:
      release_buffered(result);
      return result;
  }
  return result;
}

// Retries the buffer from its oldest op after every integration: buffered order is kept, and
// an op integrated late can still unblock one that was buffered before it.
void ReferenceRga::release_buffered(ApplyResult& result) {
  std::size_t i = 0;
  while (i < buffer_.size()) {
    Unpacked unpacked;
    require(!check_format(buffer_[i], unpacked), "buffered ops passed the format check");
    const std::uint64_t units = unpacked.size();
    const Outcome outcome = process(std::move(unpacked));
    if (outcome.status == ApplyStatus::buffered) {
      ++i;
      continue;
    }
    buffer_.erase(buffer_.begin() + static_cast<std::ptrdiff_t>(i));
    buffered_units_ -= units;
    if (outcome.status == ApplyStatus::applied) {
      ++result.released;
      i = 0;
    } else if (outcome.status == ApplyStatus::rejected) {
      ++result.dropped;
    }
  }
}

Result<InsertOp> ReferenceRga::local_insert(std::uint64_t pos, std::string_view utf8) {
  if (self_ == 0 || self_ >= id_limit) return fail(make_error_code(Errc::no_local_replica));
  const auto code_points = decode_utf8(utf8);
  if (!code_points) return fail(make_error_code(Errc::invalid_utf8));
  if (code_points->empty()) return fail(make_error_code(Errc::empty_op));
  if (code_points->size() > limits_.max_run) return fail(make_error_code(Errc::run_too_long));
  const std::vector<std::size_t> live = live_nodes();
  if (pos > live.size()) return fail(make_error_code(Errc::position_out_of_range));
  InsertOp op{self_, next_seq(self_), clock_ + 1, pos == 0 ? root_id : nodes_[live[pos - 1]].id,
              std::string(utf8)};
  const ApplyResult result = apply_remote(op);
  if (result.status == ApplyStatus::rejected) return fail(result.error);
  require(result.status == ApplyStatus::applied, "a local insert integrates at once");
  return op;
}

Result<DeleteOp> ReferenceRga::local_delete(std::uint64_t pos, std::uint64_t len) {
  if (self_ == 0 || self_ >= id_limit) return fail(make_error_code(Errc::no_local_replica));
  if (len == 0) return fail(make_error_code(Errc::empty_op));
  if (len > limits_.max_run) return fail(make_error_code(Errc::run_too_long));
  const std::vector<std::size_t> live = live_nodes();
  if (pos > live.size() || len > live.size() - pos) {
    return fail(make_error_code(Errc::position_out_of_range));
  }
  DeleteOp op{self_, next_seq(self_), clock_ + 1, {}};
  for (std::uint64_t i = pos; i < pos + len; ++i) {
    const Id id = nodes_[live[i]].id;
    if (!op.targets.empty() && op.targets.back().replica == id.replica &&
        op.targets.back().seq + op.targets.back().len == id.seq) {
      ++op.targets.back().len;
    } else {
      op.targets.push_back(IdRange{id.replica, id.seq, 1});
    }
  }
  const ApplyResult result = apply_remote(op);
  if (result.status == ApplyStatus::rejected) return fail(result.error);
  require(result.status == ApplyStatus::applied, "a local delete integrates at once");
  return op;
}

std::vector<std::size_t> ReferenceRga::document_order() const {
  std::vector<std::size_t> order;
  std::vector<std::size_t> stack{0};
  while (!stack.empty()) {
    const std::size_t node = stack.back();
    stack.pop_back();
    if (node != 0) order.push_back(node);
    const auto& children = nodes_[node].children;
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
  return order;
}

std::vector<std::size_t> ReferenceRga::live_nodes() const {
  std::vector<std::size_t> live;
  for (const std::size_t node : document_order()) {
    if (!nodes_[node].deleted) live.push_back(node);
  }
  return live;
}

std::string ReferenceRga::text() const {
  std::u32string code_points;
  for (const std::size_t node : live_nodes()) code_points.push_back(nodes_[node].code_point);
  return encode_utf8(code_points);
}

std::uint64_t ReferenceRga::length() const { return live_nodes().size(); }

Result<Anchor> ReferenceRga::anchor_at(std::uint64_t pos, Side side) const {
  const std::vector<std::size_t> live = live_nodes();
  if (pos > live.size()) return fail(make_error_code(Errc::position_out_of_range));
  if (side == Side::after) {
    return pos == 0 ? Anchor{root_id, side} : Anchor{nodes_[live[pos - 1]].id, side};
  }
  return pos == live.size() ? Anchor{root_id, side} : Anchor{nodes_[live[pos]].id, side};
}

// Counts the live elements before the anchor's element in document order, so a deleted element
// resolves to where it was; ROOT, an unseen id and a delete unit as §10 says.
std::optional<std::uint64_t> ReferenceRga::resolve(const Anchor& anchor) const {
  if (anchor.id == root_id) return anchor.side == Side::after ? 0 : length();
  const Unit* u = unit(anchor.id);
  if (u == nullptr || !u->is_element) return std::nullopt;
  std::uint64_t before = 0;
  for (const std::size_t node : document_order()) {
    if (node == u->node) {
      const bool counts_itself = anchor.side == Side::after && !nodes_[node].deleted;
      return before + (counts_itself ? 1 : 0);
    }
    if (!nodes_[node].deleted) ++before;
  }
  require(false, "an element is in the document order");
  return std::nullopt;
}

VersionVector ReferenceRga::version() const {
  VersionVector version;
  for (const auto& [replica, units] : units_) {
    if (!units.empty()) version.set(replica, units.size());
  }
  return version;
}

std::vector<ElementRun> ReferenceRga::runs() const {
  std::vector<ElementRun> runs;
  for (const std::size_t index : document_order()) {
    const Node& node = nodes_[index];
    if (!runs.empty()) {
      ElementRun& last = runs.back();
      if (last.replica == node.id.replica && last.seq + last.len == node.id.seq &&
          last.lamport + last.len == node.lamport && last.deleted == node.deleted) {
        ++last.len;
        continue;
      }
    }
    runs.push_back(ElementRun{node.id.replica, node.id.seq, node.lamport, 1, node.deleted});
  }
  return runs;
}

}  // namespace weft::crdt::testing
