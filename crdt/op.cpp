// op.cpp — accessors shared by both op kinds.
#include "crdt/op.hpp"

#include "crdt/utf8.hpp"

namespace weft::crdt {

ReplicaId op_replica(const Op& op) {
  return std::visit([](const auto& o) { return o.replica; }, op);
}

Seq op_seq(const Op& op) {
  return std::visit([](const auto& o) { return o.seq; }, op);
}

Lamport op_lamport(const Op& op) {
  return std::visit([](const auto& o) { return o.lamport; }, op);
}

std::uint64_t op_len(const Op& op) {
  if (const auto* insert = std::get_if<InsertOp>(&op)) {
    return utf8::count_code_points(insert->text).value_or(0);
  }
  std::uint64_t n = 0;
  for (const IdRange& target : std::get<DeleteOp>(op).targets) n += target.len;
  return n;
}

}  // namespace weft::crdt
