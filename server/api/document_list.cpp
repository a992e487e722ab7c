// document_list.cpp — list_documents(): the summaries, then one load per document shown or
// examined, chained so that one runs at a time.
#include "server/api/document_list.hpp"

#include <memory>
#include <utility>
#include <vector>

#include "server/api/http_api.hpp"
#include "server/api/request_parts.hpp"
#include "storage/document_loader.hpp"

namespace weft::server::api {
using answers::error;
using answers::ok;
using answers::Status;
using nlohmann::json;

namespace {

constexpr std::size_t max_query_bytes = 200;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// One listing: walks the readable summaries after `after`, loading each to learn its title.
class Listing : public std::enable_shared_from_this<Listing> {
 public:
  Listing(documents::OpStream& stream, std::vector<storage::DocumentSummary> documents,
          std::size_t limit, std::optional<std::string> q,
          std::function<void(answers::Response)> respond)
      : stream_(stream),
        documents_(std::move(documents)),
        limit_(limit),
        q_(std::move(q)),
        respond_(std::move(respond)) {}

  void next() {
    if (at_ == documents_.size()) return finish(false);
    if (items_.size() == limit_) return finish(true);
    const storage::DocumentSummary& d = documents_[at_];
    stream_.load(d.id, [self = shared_from_this()](auto loaded) { self->on_loaded(loaded); });
  }

 private:
  void on_loaded(const storage::Result<storage::LoadedDocument>& loaded) {
    const storage::DocumentSummary& d = documents_[at_++];
    json title = nullptr;  // null: the document does not load (e.g. corrupt)
    json length = nullptr;
    if (loaded) {
      if (auto rga = storage::materialize(*loaded)) {
        title = title_of(rga->text());
        length = rga->length();
      }
    }
    const bool matches =
        !q_ || contains_ignoring_case(d.id, *q_) ||
        (title.is_string() && contains_ignoring_case(title.get<std::string>(), *q_));
    if (matches) {
      items_.push_back({{"id", d.id},
                        {"ops", d.op_count},
                        {"bytes", d.bytes},
                        {"last_change_us", d.last_change_us},
                        {"title", std::move(title)},
                        {"length", std::move(length)}});
    }
    next();
  }

  // `more`: documents follow the page's last one (the next page may still turn out empty for q).
  void finish(bool more) {
    const json next = more && !items_.empty() ? json(items_.back()["id"]) : json(nullptr);
    respond_(ok({{"documents", std::move(items_)}, {"next", next}}));
  }

  documents::OpStream& stream_;
  std::vector<storage::DocumentSummary> documents_;  // readable, after `after`, by id
  std::size_t at_ = 0;
  std::size_t limit_;
  std::optional<std::string> q_;
  std::function<void(answers::Response)> respond_;
  json items_ = json::array();
};

}  // namespace

std::string title_of(std::string_view text, std::size_t max_code_points) {
  const std::string_view line = text.substr(0, text.find('\n'));
  std::size_t count = 0;
  std::size_t end = 0;
  while (end < line.size() && count < max_code_points) {
    ++end;
    while (end < line.size() && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) ++end;
    ++count;
  }
  return std::string(line.substr(0, end));
}

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && lower(haystack[i + k]) == lower(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

void list_documents(documents::OpStream& stream, std::string_view target, const ApiCaller& caller,
                    std::size_t default_page, std::size_t max_page,
                    std::function<void(answers::Response)> respond) {
  std::size_t limit = default_page;
  if (const auto text = query_value(target, "limit")) {
    const auto value = decimal_count(*text);
    if (!value || *value == 0 || *value > max_page) {
      return respond(error(Status::bad_request, "bad_request",
                           "limit must be 1.." + std::to_string(max_page)));
    }
    limit = static_cast<std::size_t>(*value);
  }
  std::optional<std::string> after;
  if (const auto text = query_value(target, "after")) after = percent_decode(*text);
  std::optional<std::string> q;
  if (const auto text = query_value(target, "q")) {
    q = percent_decode(*text);
    if (!q || q->empty() || q->size() > max_query_bytes) {
      return respond(
          error(Status::bad_request, "bad_request",
                "q must be 1.." + std::to_string(max_query_bytes) + " bytes, percent-encoded"));
    }
  }
  stream.list([&stream, caller, limit, after = after.value_or(""), q = std::move(q),
               respond = std::move(respond)](auto documents) mutable {
    if (!documents) return respond(answers::store_error(documents.error(), ""));
    std::vector<storage::DocumentSummary> shown;
    for (storage::DocumentSummary& d : *documents) {
      if (d.id > after && caller.may(d.id, false)) shown.push_back(std::move(d));
    }
    std::make_shared<Listing>(stream, std::move(shown), limit, std::move(q), std::move(respond))
        ->next();
  });
}

}  // namespace weft::server::api
