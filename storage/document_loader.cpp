// document_loader.cpp — materialize() and replay(): records back into a crdt::Rga.
#include "storage/document_loader.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "storage/record_format.hpp"

namespace weft::storage {

namespace {

// Bounds the records held in memory at once while replaying a long log.
constexpr std::uint64_t replay_chunk = 4096;

}  // namespace

Result<void> apply_record(crdt::Rga& rga, std::string_view doc, const proto::OpRecord& record) {
  const crdt::ApplyResult result = rga.apply_remote(record.op);
  switch (result.status) {
    case crdt::ApplyStatus::applied:
    case crdt::ApplyStatus::duplicate:
      return {};
    case crdt::ApplyStatus::buffered:
      return format::error(Errc::corrupt, format::describe(doc) + ": log record " +
                                              std::to_string(record.index) +
                                              ": op depends on an op not in the log before it");
    case crdt::ApplyStatus::rejected:
      break;
  }
  return format::error(Errc::corrupt, format::describe(doc) + ": log record " +
                                          std::to_string(record.index) +
                                          ": op rejected: " + result.error.message());
}

Result<crdt::Rga> materialize(const LoadedDocument& loaded, crdt::ReplicaId self,
                              crdt::Limits limits) {
  const std::string_view doc = loaded.meta.id;
  crdt::Rga rga(self, limits);
  if (loaded.snapshot) {
    auto restored = crdt::Rga::from_snapshot(loaded.snapshot->state, self, limits);
    if (!restored) {
      return format::error(Errc::corrupt, format::describe(doc) + ": snapshot at log index " +
                                              std::to_string(loaded.snapshot->log_index) + ": " +
                                              restored.error().message());
    }
    rga = std::move(*restored);
  }
  for (const proto::OpRecord& record : loaded.tail) {
    if (auto ok = apply_record(rga, doc, record); !ok) return tl::unexpected(ok.error());
  }
  return rga;
}

Result<crdt::Rga> replay(DocumentStore& store, std::string_view doc, std::uint64_t up_to_index) {
  crdt::Rga rga;
  for (std::uint64_t from = 0; from < up_to_index; from += replay_chunk) {
    const std::uint64_t to = from + std::min(replay_chunk, up_to_index - from);
    auto records = store.read_log(doc, from, to);
    if (!records) return tl::unexpected(std::move(records.error()));
    for (const proto::OpRecord& record : *records) {
      if (auto ok = apply_record(rga, doc, record); !ok) return tl::unexpected(ok.error());
    }
    if (records->size() < to - from) break;  // the log ends here
  }
  return rga;
}

}  // namespace weft::storage
