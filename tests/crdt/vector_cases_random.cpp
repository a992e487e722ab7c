// vector_cases_random.cpp — random cases (random_N.json): 2-4 honest replicas make random local
// edits with random partial syncs; the ops, some re-sent as slices or merged runs, are then
// delivered in creation order and in random orders, with random duplicates.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tests/crdt/reference_rga.hpp"
#include "tests/crdt/rng.hpp"
#include "tests/crdt/vector_cases.hpp"

namespace weft::crdt::testing {
namespace {

// splitmix64: the same numbers everywhere, unlike <random>'s distributions.
// ---- random: honest replicas with partial syncs, delivered in random orders -------------------

std::string random_text(Rng& rng) {
  static constexpr std::string_view others[] = {
      " ",      "\u00E9",     "\u00DF",     "\u00F1",     "\u20AC",    "\u4E2D",
      "\u3042", "\U0001F600", "\U0001D11E", "\U0001F642", "\U0001F389"};
  const std::uint64_t n = rng.chance(10) ? 5 + rng.below(4) : 1 + rng.below(4);
  std::string text;
  for (std::uint64_t i = 0; i < n; ++i) {
    if (rng.chance(70)) {
      text += static_cast<char>('a' + rng.below(26));
    } else {
      text += others[rng.below(std::size(others))];
    }
  }
  return text;
}

std::vector<Id> target_units(const DeleteOp& op) {
  std::vector<Id> units;
  for (const IdRange& t : op.targets) {
    for (std::uint64_t k = 0; k < t.len; ++k) units.push_back(Id{t.replica, t.seq + k});
  }
  return units;
}

std::vector<IdRange> coalesce(const std::vector<Id>& units) {
  std::vector<IdRange> ranges;
  for (const Id id : units) {
    if (!ranges.empty() && ranges.back().replica == id.replica &&
        ranges.back().seq + ranges.back().len == id.seq) {
      ++ranges.back().len;
    } else {
      ranges.push_back(IdRange{id.replica, id.seq, 1});
    }
  }
  return ranges;
}

std::uint64_t units_of(const Op& op) {
  if (const auto* insert = std::get_if<InsertOp>(&op)) return decode_utf8(insert->text)->size();
  return target_units(std::get<DeleteOp>(op)).size();
}

// Units [from, to) of an honest op, as a retransmission of part of it would carry them.
Op slice(const Op& op, std::uint64_t from, std::uint64_t to) {
  if (const auto* insert = std::get_if<InsertOp>(&op)) {
    const std::u32string code_points = *decode_utf8(insert->text);
    return InsertOp{insert->replica, insert->seq + from, insert->lamport + from,
                    from == 0 ? insert->parent : Id{insert->replica, insert->seq + from - 1},
                    encode_utf8(code_points.substr(from, to - from))};
  }
  const auto& erase = std::get<DeleteOp>(op);
  const std::vector<Id> units = target_units(erase);
  return DeleteOp{erase.replica, erase.seq + from, erase.lamport + from,
                  coalesce({units.begin() + static_cast<std::ptrdiff_t>(from),
                            units.begin() + static_cast<std::ptrdiff_t>(to)})};
}

// Two consecutive ops of one replica merged the way ops_since() merges runs, if they qualify.
std::optional<Op> merge(const Op& a, const Op& b) {
  const auto* ia = std::get_if<InsertOp>(&a);
  const auto* ib = std::get_if<InsertOp>(&b);
  if ((ia == nullptr) != (ib == nullptr)) return std::nullopt;
  const std::uint64_t n = units_of(a);
  if (ia != nullptr) {
    if (ib->replica != ia->replica || ib->seq != ia->seq + n || ib->lamport != ia->lamport + n ||
        ib->parent != Id{ia->replica, ia->seq + n - 1}) {
      return std::nullopt;
    }
    return InsertOp{ia->replica, ia->seq, ia->lamport, ia->parent, ia->text + ib->text};
  }
  const auto& da = std::get<DeleteOp>(a);
  const auto& db = std::get<DeleteOp>(b);
  if (db.replica != da.replica || db.seq != da.seq + n || db.lamport != da.lamport + n) {
    return std::nullopt;
  }
  std::vector<Id> units = target_units(da);
  for (const Id id : target_units(db)) units.push_back(id);
  return DeleteOp{da.replica, da.seq, da.lamport, coalesce(units)};
}

Order shuffled(std::size_t n, Rng& rng) {
  Order order = in_order(n);
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  return order;
}

Order with_duplicates(Order order, Rng& rng) {
  const std::size_t n = order.size();
  for (std::uint64_t extra = rng.below(n / 3 + 2); extra > 0; --extra) {
    const auto at = static_cast<std::ptrdiff_t>(rng.below(order.size() + 1));
    order.insert(order.begin() + at, rng.below(n));
  }
  return order;
}

}  // namespace

ReplayCase random_case(std::uint64_t number) {
  Rng rng(0x7765667400000000ull + number);
  static constexpr ReplicaId pool[] = {1, 2, 3, 4, 7, 1000, ReplicaId{1} << 32, id_limit - 1};
  const std::size_t count = 2 + rng.below(3);
  const bool odd_ids = rng.chance(25);
  std::vector<ReplicaId> ids;
  while (ids.size() < count) {
    const ReplicaId id = odd_ids ? pool[rng.below(std::size(pool))] : ids.size() + 1;
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  Peers p{ids};
  const std::uint64_t edits = 6 + rng.below(25);
  for (std::uint64_t made = 0; made < edits;) {
    const ReplicaId who = ids[rng.below(count)];
    const std::uint64_t len = p.length(who);
    const std::uint64_t roll = rng.below(100);
    if (roll < 30) {
      p.sync(who, ids[rng.below(count)], 1 + rng.below(6));
      continue;
    }
    if (roll < 75 || len == 0) {
      p.insert(who, rng.below(len + 1), random_text(rng));
    } else {
      const std::uint64_t pos = rng.below(len);
      p.erase(who, pos, 1 + rng.below(std::min<std::uint64_t>(4, len - pos)));
    }
    ++made;
  }
  p.sync_all();
  for (const ReplicaId id : ids) {
    if (p.replica(id).runs() != p.replica(ids[0]).runs()) die("random replicas diverged");
  }

  // Re-sent history: slices and merged runs of honest ops, as retransmissions carry them.
  const std::size_t made_ops = p.ops.size();
  for (std::uint64_t copies = rng.below(4); copies > 0; --copies) {
    const Op op = p.ops[rng.below(made_ops)];
    const std::uint64_t n = units_of(op);
    std::optional<Op> merged;
    for (std::size_t j = 0; j < made_ops && !merged; ++j) merged = merge(op, p.ops[j]);
    if (merged && rng.chance(60)) {
      p.ops.push_back(*merged);
    } else if (n >= 2) {
      const std::uint64_t at = 1 + rng.below(n - 1);
      p.ops.push_back(rng.chance(50) ? slice(op, 0, at) : slice(op, at, n));
    }
  }

  const std::size_t n = p.ops.size();
  std::vector<Order> orders = {with_duplicates(in_order(n), rng),
                               with_duplicates(shuffled(n, rng), rng)};
  if (rng.chance(50)) orders.push_back(with_duplicates(shuffled(n, rng), rng));
  std::string replicas;
  for (const ReplicaId id : ids) replicas += (replicas.empty() ? "" : ", ") + std::to_string(id);
  char name[32];
  std::snprintf(name, sizeof name, "random_%03llu", static_cast<unsigned long long>(number));
  const std::string resent = n == made_ops ? "no op is re-sent"
                                           : "ops " + std::to_string(made_ops) + ".." +
                                                 std::to_string(n - 1) +
                                                 " re-send parts of earlier ones (slices or "
                                                 "merged runs)";
  return {name,
          "Replicas " + replicas + " make " + std::to_string(edits) +
              " random local edits with random partial syncs; " + resent +
              ". Delivery 0 is creation order (causal), the others are random; all have random "
              "duplicates.",
          p.ops, orders};
}

}  // namespace weft::crdt::testing
