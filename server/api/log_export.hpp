// log_export.hpp — LogExport: the body of GET /api/docs/ID/log, read from the OpStream a page of
// records at a time and handed out piece by piece, so that an export holds one page in memory
// however long the log is (the HTTP session writes each piece as a chunk before asking for the
// next).
//
// The pieces together are exactly what `weft-replay export --format json` writes
// (storage/json_log.hpp): the header with the metadata, the records, the footer. The export holds
// its ExportSlot until it is destroyed.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "proto/records.hpp"
#include "server/api/export_slots.hpp"
#include "server/documents/op_stream.hpp"
#include "storage/document_store.hpp"

namespace weft::server::api {

class LogExport : public std::enable_shared_from_this<LogExport> {
 public:
  static constexpr std::uint64_t page_records = 64;
  // The next piece of the body; nullopt once the body is complete.
  using Piece = storage::Result<std::optional<std::string>>;

  // Requires: `stream` outlives the export and every pending next().
  LogExport(documents::OpStream& stream, proto::DocumentMeta meta, ExportSlots::Slot slot);

  // Reads the next piece; `done` runs once, on the stream's threads. Requires: the previous
  // next() has completed.
  void next(std::function<void(Piece)> done);

 private:
  void on_page(const std::function<void(Piece)>& done,
               storage::Result<std::vector<proto::OpRecord>> records);

  documents::OpStream& stream_;
  const proto::DocumentMeta meta_;
  ExportSlots::Slot slot_;
  std::uint64_t next_index_ = 0;  // the first record not yet read
  bool complete_ = false;         // the footer has been handed out
};

}  // namespace weft::server::api
