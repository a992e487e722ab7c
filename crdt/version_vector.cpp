// version_vector.cpp — sorted-vector implementation of VersionVector.
#include "crdt/version_vector.hpp"

#include <algorithm>

namespace weft::crdt {

namespace {
bool replica_less(const VersionVector::Entry& e, ReplicaId r) { return e.replica < r; }
}  // namespace

VersionVector::VersionVector(std::initializer_list<Entry> entries) {
  for (const Entry& e : entries) set(e.replica, e.next_seq);
}

Seq VersionVector::get(ReplicaId replica) const {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), replica, replica_less);
  return it != entries_.end() && it->replica == replica ? it->next_seq : 0;
}

void VersionVector::set(ReplicaId replica, Seq next_seq) {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), replica, replica_less);
  if (it != entries_.end() && it->replica == replica) {
    if (next_seq == 0) {
      entries_.erase(it);
    } else {
      it->next_seq = next_seq;
    }
  } else if (next_seq != 0) {
    entries_.insert(it, Entry{replica, next_seq});
  }
}

bool VersionVector::includes(const VersionVector& other) const {
  return std::all_of(other.entries_.begin(), other.entries_.end(),
                     [&](const Entry& e) { return get(e.replica) >= e.next_seq; });
}

}  // namespace weft::crdt
