// document_limits.cpp — replica limits and document size accounting.
#include "server/documents/document_limits.hpp"

#include <variant>

namespace weft::server::documents {

crdt::Limits replica_limits(const proto::ServerLimits& limits) {
  crdt::Limits out;
  out.max_run = limits.max_run;
  out.max_buffered_ops_per_replica = static_cast<std::size_t>(limits.max_buffered_ops);
  out.max_buffered_ops = static_cast<std::size_t>(limits.max_buffered_ops * buffer_shares);
  out.max_buffered_units = out.max_buffered_units_per_replica * buffer_shares;
  return out;
}

crdt::Limits loading_limits(const proto::ServerLimits& limits) {
  crdt::Limits out = replica_limits(limits);
  out.max_run = max_run_limit;
  return out;
}

std::uint64_t loaded_document_bytes(const crdt::Rga& rga) {
  std::uint64_t deleted = 0;
  for (const crdt::ElementRun& run : rga.runs()) {
    if (run.deleted) deleted += run.len;
  }
  return rga.text().size() + deleted;
}

std::uint64_t inserted_bytes(const crdt::Op& op) {
  const auto* insert = std::get_if<crdt::InsertOp>(&op);
  return insert == nullptr ? 0 : insert->text.size();
}

}  // namespace weft::server::documents
