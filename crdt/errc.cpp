// errc.cpp — the crdt error category.
#include "crdt/errc.hpp"

#include <string>

namespace weft::crdt {

namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.crdt"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::bad_replica:
        return "replica id out of range";
      case Errc::bad_counter:
        return "seq or lamport out of range";
      case Errc::empty_op:
        return "op inserts or deletes nothing";
      case Errc::run_too_long:
        return "op has more units than allowed";
      case Errc::invalid_utf8:
        return "text is not valid UTF-8 without surrogates";
      case Errc::self_reference:
        return "op references itself or a later op of its replica";
      case Errc::parent_not_element:
        return "insert parent is not an element";
      case Errc::target_not_element:
        return "delete target is not an element";
      case Errc::lamport_not_increasing:
        return "lamport does not increase for this replica";
      case Errc::heap_violation:
        return "insert lamport not greater than its parent's";
      case Errc::conflicting_duplicate:
        return "op reuses ids of different integrated units";
      case Errc::buffer_full:
        return "too many ops waiting for their dependencies";
      case Errc::document_too_large:
        return "document too large";
      case Errc::position_out_of_range:
        return "position out of range";
      case Errc::no_local_replica:
        return "replica has no local replica id";
      case Errc::history_unavailable:
        return "ops older than the loaded snapshot";
      case Errc::bad_snapshot:
        return "snapshot is malformed or inconsistent";
    }
    return "unknown crdt error";
  }
};

}  // namespace

const std::error_category& category() {
  static const Category instance;
  return instance;
}

std::error_code make_error_code(Errc e) { return {static_cast<int>(e), category()}; }

std::string_view errc_name(Errc e) {
  switch (e) {
    case Errc::bad_replica:
      return "bad_replica";
    case Errc::bad_counter:
      return "bad_counter";
    case Errc::empty_op:
      return "empty_op";
    case Errc::run_too_long:
      return "run_too_long";
    case Errc::invalid_utf8:
      return "invalid_utf8";
    case Errc::self_reference:
      return "self_reference";
    case Errc::parent_not_element:
      return "parent_not_element";
    case Errc::target_not_element:
      return "target_not_element";
    case Errc::lamport_not_increasing:
      return "lamport_not_increasing";
    case Errc::heap_violation:
      return "heap_violation";
    case Errc::conflicting_duplicate:
      return "conflicting_duplicate";
    case Errc::buffer_full:
      return "buffer_full";
    case Errc::document_too_large:
      return "document_too_large";
    case Errc::position_out_of_range:
      return "position_out_of_range";
    case Errc::no_local_replica:
      return "no_local_replica";
    case Errc::history_unavailable:
      return "history_unavailable";
    case Errc::bad_snapshot:
      return "bad_snapshot";
  }
  return "unknown";
}

}  // namespace weft::crdt
