// errc.cpp — the storage error category and the document id rule.
#include <string>

#include "storage/document_store.hpp"

namespace weft::storage {

namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.storage"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::not_found:
        return "no such document";
      case Errc::already_exists:
        return "document already exists";
      case Errc::bad_document_id:
        return "bad document id";
      case Errc::index_gap:
        return "log index does not continue the log";
      case Errc::corrupt:
        return "stored data is corrupt";
      case Errc::io_error:
        return "storage I/O error";
      case Errc::read_only:
        return "store is read-only";
      case Errc::no_space:
        return "no space left on the store's disk";
      case Errc::fenced:
        return "write refused: a newer owner holds the document's fence";
      case Errc::bad_version_name:
        return "bad version name";
      case Errc::version_exists:
        return "the document already has a version of that name";
      case Errc::unknown_version:
        return "no named version of that name";
      case Errc::too_many_versions:
        return "the document holds the most named versions it may";
    }
    return "unknown storage error";
  }
};

bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '~' || c == '-';
}

}  // namespace

const std::error_category& category() {
  static const Category instance;
  return instance;
}

std::error_code make_error_code(Errc e) { return {static_cast<int>(e), category()}; }

bool is_valid_document_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    if (!is_id_char(c)) return false;
  }
  return true;
}

}  // namespace weft::storage
