// log_export.cpp — LogExport's pages.
#include "server/api/log_export.hpp"

#include <utility>

#include "storage/json_log.hpp"

namespace weft::server::api {

LogExport::LogExport(documents::OpStream& stream, proto::DocumentMeta meta, ExportSlots::Slot slot)
    : stream_(stream), meta_(std::move(meta)), slot_(std::move(slot)) {}

void LogExport::next(std::function<void(Piece)> done) {
  if (complete_) return done(std::optional<std::string>{});
  stream_.read_log(meta_.id, next_index_, next_index_ + page_records,
                   [self = shared_from_this(), done = std::move(done)](auto records) {
                     self->on_page(done, std::move(records));
                   });
}

void LogExport::on_page(const std::function<void(Piece)>& done,
                        storage::Result<std::vector<proto::OpRecord>> records) {
  if (!records) return done(tl::unexpected(records.error()));
  std::string piece = next_index_ == 0 ? storage::log_header(meta_) : std::string();
  for (const proto::OpRecord& record : *records) {
    piece += (next_index_ == 0 ? "" : ",\n") + storage::log_record(record);
    ++next_index_;
  }
  if (records->size() < page_records) {
    piece += storage::log_footer();
    complete_ = true;
  }
  done(std::optional<std::string>(std::move(piece)));
}

}  // namespace weft::server::api
