// version_vector.hpp — for each replica, the next seq not yet seen: what a replica has integrated.
//
// Invariant: entries sorted by replica, no replica twice, no entry with next_seq == 0.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "crdt/types.hpp"

namespace weft::crdt {

class VersionVector {
 public:
  struct Entry {
    ReplicaId replica = 0;
    Seq next_seq = 0;
    friend constexpr bool operator==(const Entry&, const Entry&) = default;
  };

  VersionVector() = default;
  VersionVector(std::initializer_list<Entry> entries);

  // Seqs below this are held for `replica`; 0 for a replica never seen.
  [[nodiscard]] Seq get(ReplicaId replica) const;
  // Raises or sets the entry; setting 0 removes it.
  void set(ReplicaId replica, Seq next_seq);
  [[nodiscard]] bool covers(Id id) const { return id.seq < get(id.replica); }
  // True when every entry of `other` is <= ours.
  [[nodiscard]] bool includes(const VersionVector& other) const;

  [[nodiscard]] const std::vector<Entry>& entries() const { return entries_; }
  [[nodiscard]] bool empty() const { return entries_.empty(); }
  friend bool operator==(const VersionVector&, const VersionVector&) = default;

 private:
  std::vector<Entry> entries_;
};

}  // namespace weft::crdt
