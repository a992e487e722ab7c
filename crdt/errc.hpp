// errc.hpp — why the document model refuses an op, a local edit or a snapshot.
//
// Values are stable: the protocol (proto/PROTOCOL.md) reports them to peers by number.
#pragma once

#include <string_view>
#include <system_error>

namespace weft::crdt {

enum class Errc {
  bad_replica = 1,         // replica is 0 or >= 2^53
  bad_counter,             // seq or lamport out of range (or overflows with the op's length)
  empty_op,                // inserts no text or deletes nothing
  run_too_long,            // more units than Limits::max_run
  invalid_utf8,            // not UTF-8, overlong, or a surrogate code point
  self_reference,          // parent or target names the op itself or a later seq of its replica
  parent_not_element,      // parent id was seen, but names a delete unit (rule 3)
  target_not_element,      // a target id was seen, but names a delete unit (rule 4)
  lamport_not_increasing,  // lamport <= the replica's previous lamport (rule 2)
  heap_violation,          // insert lamport <= lamport of its parent (rule 3)
  conflicting_duplicate,   // same ids as integrated units, different lamport or kind (rule 5)
  buffer_full,             // not ready, and the pending-op buffer is at its limit
  document_too_large,      // the replica would exceed its unit capacity
  position_out_of_range,   // a local edit or conversion beyond the document's length
  no_local_replica,        // local edit on a replica constructed without its own replica id
  history_unavailable,     // ops older than the snapshot this replica was loaded from
  bad_snapshot,            // snapshot bytes or fields are malformed or inconsistent
};

[[nodiscard]] const std::error_category& category();
// The enumerator's name, e.g. "heap_violation": used in test vectors and logs.
[[nodiscard]] std::string_view errc_name(Errc e);
[[nodiscard]] std::error_code make_error_code(Errc e);

}  // namespace weft::crdt

template <>
struct std::is_error_code_enum<weft::crdt::Errc> : std::true_type {};
