// vector_cases.hpp — the cases behind the shared test vectors (crdt/testdata/vectors/), made
// with ReferenceRga only, and the writer that turns them into the committed JSON files.
//
// make_vectors writes make_vector_files() to disk; crdt_tests checks that the committed files
// are byte for byte what it returns, so the vectors cannot drift from the reference. Everything
// is deterministic (fixed seeds, our own generator). Format: crdt/testdata/README.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crdt/anchor.hpp"
#include "crdt/op.hpp"
#include "crdt/rga.hpp"
#include "crdt/types.hpp"
#include "tests/crdt/reference_rga.hpp"

namespace weft::crdt::testing {

using Order = std::vector<std::size_t>;  // indices into a case's ops, in delivery order

// Ops delivered to a fresh observer (replica 0) in each order; every order must end in the
// same state, which becomes the case's `expect`.
struct ReplayCase {
  std::string name;
  std::string description;
  std::vector<Op> ops;
  std::vector<Order> orders;
};

// One step of a local case: a remote op, or a local insert or delete whose op is recorded, or
// the anchor of a gap (anchor_at) or the position of an anchor (resolve), whose result is
// recorded.
struct LocalStep {
  enum class Kind { remote, insert, erase, anchor_at, resolve } kind = Kind::remote;
  Op op;
  std::uint64_t pos = 0;
  std::uint64_t len = 0;
  std::string text;
  Anchor anchor;  // resolve: the anchor; anchor_at: its side
};
struct LocalCase {
  std::string name;
  std::string description;
  ReplicaId replica = 0;
  std::vector<LocalStep> steps;
};

// Builders that keep the case tables short.
[[nodiscard]] Op ins(ReplicaId r, Seq s, Lamport l, Id parent, std::string text);
[[nodiscard]] Op del(ReplicaId r, Seq s, Lamport l, std::vector<IdRange> targets);
[[nodiscard]] LocalStep remote(Op op);
[[nodiscard]] LocalStep type(std::uint64_t pos, std::string text);
[[nodiscard]] LocalStep cut(std::uint64_t pos, std::uint64_t len);
[[nodiscard]] LocalStep anchor_at(std::uint64_t pos, Side side);
[[nodiscard]] LocalStep resolve(Id id, Side side);
[[nodiscard]] Order in_order(std::size_t n);
[[nodiscard]] Order reversed(std::size_t n);
// A step's result as the vectors spell it: "applied", "duplicate", "buffered" or
// "rejected:<errc_name>".
[[nodiscard]] std::string result_name(const ApplyResult& result);
// A generator bug, not a test failure: stop at once.
[[noreturn]] void die(const std::string& why);

// Reference replicas making honest local edits; every op made is kept in `ops`, in creation
// order (which is causal).
class Peers {
 public:
  explicit Peers(const std::vector<ReplicaId>& ids);
  std::size_t insert(ReplicaId who, std::uint64_t pos, std::string_view text);
  std::size_t erase(ReplicaId who, std::uint64_t pos, std::uint64_t len);
  // Delivers to `to` at most `limit` of the ops `from` holds and `to` lacks, in `from`'s order.
  void sync(ReplicaId from, ReplicaId to, std::size_t limit = SIZE_MAX);
  // Every replica ends up with every op.
  void sync_all();
  [[nodiscard]] const ReferenceRga& replica(ReplicaId id) const { return replicas_.at(id); }
  [[nodiscard]] std::uint64_t length(ReplicaId id) const { return replica(id).length(); }

  std::vector<Op> ops;

 private:
  std::size_t record(ReplicaId who, const Op& op);
  std::map<ReplicaId, ReferenceRga> replicas_;
  std::map<ReplicaId, std::vector<std::size_t>> held_;  // integration order
  std::map<ReplicaId, std::set<std::size_t>> has_;
};

// The case tables, one per vector file (vector_cases_*.cpp).
[[nodiscard]] std::vector<ReplayCase> ordering_cases();
[[nodiscard]] std::vector<ReplayCase> idempotence_cases();
[[nodiscard]] std::vector<ReplayCase> buffering_cases();
[[nodiscard]] std::vector<ReplayCase> unicode_cases();
[[nodiscard]] std::vector<ReplayCase> hostile_cases();
[[nodiscard]] std::vector<LocalCase> local_cases();
[[nodiscard]] std::vector<LocalCase> anchor_cases();
// Random case `number` (random_NNN): same number, same case.
[[nodiscard]] ReplayCase random_case(std::uint64_t number);

// (file name, contents) of every vector file, in a fixed order.
using VectorFiles = std::vector<std::pair<std::string, std::string>>;
[[nodiscard]] VectorFiles make_vector_files();

}  // namespace weft::crdt::testing
