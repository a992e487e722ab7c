// static_files.hpp — maps request targets to files of the static directory (the browser editor).
//
// Invariant: resolve() only ever returns a regular file inside the root, as the file system sees
// it after resolving symbolic links. Targets containing "..", a backslash or NUL (also when
// percent-encoded), or malformed percent escapes resolve to nothing, as do files outside the root
// reached through symbolic links. "/" and every "/d/..." (a document's share link) serve
// index.html, so that the editor's client-side routing can open the document.
#pragma once
#include <filesystem>
#include <optional>
#include <string_view>

namespace weft::server::transport {

struct StaticFile {
  std::filesystem::path path;     // canonical, inside the root
  std::string_view content_type;  // for the Content-Type header
};

class StaticFiles {
 public:
  // `root` need not exist: then nothing resolves.
  explicit StaticFiles(const std::filesystem::path& root);

  // The file a request target (path plus optional query) names; none = 404.
  [[nodiscard]] std::optional<StaticFile> resolve(std::string_view target) const;
  [[nodiscard]] const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;  // weakly canonical, absolute
};

// The Content-Type for a file name by its extension; application/octet-stream if unknown.
[[nodiscard]] std::string_view content_type_for(const std::filesystem::path& path);

}  // namespace weft::server::transport
