// reference_rga.hpp — ReferenceRga: a slow, deliberately plain Weft-RGA replica that implements
// the tree definition directly. It writes the shared test vectors and checks crdt::Rga.
//
// Every element is a node whose parent is the element it was inserted after (or ROOT); the
// children of a node are kept sorted by descending key (lamport, replica); the document is the
// pre-order walk of the tree, tombstones included (../shared/design/crdt.md §1.2). Validation,
// idempotence, buffering and local op generation follow crdt/README.md rule by rule, in the
// same order. It shares no algorithmic code with crdt::Rga (only the plain types of op.hpp,
// types.hpp, element_run.hpp, version_vector.hpp, errc.hpp and Limits/ApplyResult), so the two
// can check each other. Everything is O(n) per call or worse: clarity over speed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/anchor.hpp"
#include "crdt/element_run.hpp"
#include "crdt/errc.hpp"
#include "crdt/op.hpp"
#include "crdt/result.hpp"
#include "crdt/rga.hpp"
#include "crdt/types.hpp"
#include "crdt/version_vector.hpp"

namespace weft::crdt::testing {

// Strict UTF-8: nullopt for overlong forms, surrogates, values above U+10FFFF, truncated
// sequences and stray continuation bytes.
[[nodiscard]] std::optional<std::u32string> decode_utf8(std::string_view bytes);
[[nodiscard]] std::string encode_utf8(std::u32string_view code_points);

class ReferenceRga {
 public:
  // `self` is the replica id local edits are made under; 0 = observer, no local edits.
  explicit ReferenceRga(ReplicaId self = 0, Limits limits = {});

  [[nodiscard]] Result<InsertOp> local_insert(std::uint64_t pos, std::string_view utf8);
  [[nodiscard]] Result<DeleteOp> local_delete(std::uint64_t pos, std::uint64_t len);
  ApplyResult apply_remote(const Op& op);

  [[nodiscard]] std::string text() const;
  [[nodiscard]] std::uint64_t length() const;
  [[nodiscard]] VersionVector version() const;
  [[nodiscard]] Lamport clock() const { return clock_; }
  [[nodiscard]] std::vector<ElementRun> runs() const;
  [[nodiscard]] std::size_t buffered_ops() const { return buffer_.size(); }
  // crdt/README.md §10, from the document order: what a presence sender makes of a gap and a
  // receiver of an anchor.
  [[nodiscard]] Result<Anchor> anchor_at(std::uint64_t pos, Side side) const;
  [[nodiscard]] std::optional<std::uint64_t> resolve(const Anchor& anchor) const;

 private:
  // One element: a node of the tree. Node 0 is ROOT.
  struct Node {
    Id id;
    Lamport lamport = 0;
    char32_t code_point = 0;
    bool deleted = false;
    std::vector<std::size_t> children;  // descending key
  };
  // One seq of one replica: an element or a delete unit.
  struct Unit {
    Lamport lamport = 0;
    bool is_element = false;
    std::size_t node = 0;  // valid when is_element
  };
  // An op after the format check, with its text decoded and its targets expanded to units,
  // so that trimming is "drop the first k" for both kinds.
  struct Unpacked {
    bool is_insert = true;
    ReplicaId replica = 0;
    Seq seq = 0;
    Lamport lamport = 0;
    Id parent = root_id;
    std::u32string code_points;
    std::vector<Id> targets;
    [[nodiscard]] std::uint64_t size() const {
      return is_insert ? code_points.size() : targets.size();
    }
  };
  struct Outcome {
    ApplyStatus status = ApplyStatus::applied;
    Errc error{};
  };

  // Validation step 1 (format); on success fills `out`.
  [[nodiscard]] std::optional<Errc> check_format(const Op& op, Unpacked& out) const;
  // Steps 2 to 8: idempotence, readiness, element, lamport and heap checks, integration.
  Outcome process(Unpacked op);
  void integrate(const Unpacked& op);
  void release_buffered(ApplyResult& result);

  [[nodiscard]] Seq next_seq(ReplicaId replica) const;
  [[nodiscard]] const Unit* unit(Id id) const;
  [[nodiscard]] std::vector<std::size_t> document_order() const;  // node indices, ROOT excluded
  [[nodiscard]] std::vector<std::size_t> live_nodes() const;

  ReplicaId self_ = 0;
  Limits limits_;
  Lamport clock_ = 0;
  std::vector<Node> nodes_;
  std::map<ReplicaId, std::vector<Unit>> units_;  // indexed by seq; size = version entry
  std::map<ReplicaId, Lamport> last_lamport_;
  std::vector<Op> buffer_;  // in the order the ops were buffered
  std::uint64_t buffered_units_ = 0;
};

}  // namespace weft::crdt::testing
