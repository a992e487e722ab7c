// static_files.cpp — safe target-to-file resolution and the extension table.
#include "server/transport/static_files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <system_error>
#include <utility>

namespace weft::server::transport {
namespace {

[[nodiscard]] std::optional<int> hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

// The decoded path, or none if an escape is malformed or the result holds NUL or a backslash.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const auto high = hex_value(text[i + 1]);
      const auto low = hex_value(text[i + 2]);
      if (!high || !low) return std::nullopt;
      c = static_cast<char>(*high * 16 + *low);
      i += 2;
    }
    if (c == '\0' || c == '\\') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

// True if `path` is `root` or below it, comparing whole path elements.
[[nodiscard]] bool is_within(const std::filesystem::path& root, const std::filesystem::path& path) {
  return std::mismatch(root.begin(), root.end(), path.begin(), path.end()).first == root.end();
}

}  // namespace

StaticFiles::StaticFiles(const std::filesystem::path& root) {
  std::error_code ec;
  root_ = std::filesystem::weakly_canonical(std::filesystem::absolute(root, ec), ec);
  if (ec) root_ = std::filesystem::absolute(root, ec).lexically_normal();
  if (root_.filename().empty()) root_ = root_.parent_path();  // no trailing '/': see is_within()
}

std::optional<StaticFile> StaticFiles::resolve(std::string_view target) const {
  target = target.substr(0, target.find_first_of("?#"));
  if (!target.starts_with('/')) return std::nullopt;
  std::optional<std::string> decoded = percent_decode(target);
  if (!decoded) return std::nullopt;
  std::string& path = *decoded;

  std::string relative;
  if (path == "/" || path.starts_with("/d/") || path == "/d") {
    relative = "index.html";
  } else {
    for (std::size_t start = 1; start <= path.size();) {
      std::size_t end = path.find('/', start);
      if (end == std::string::npos) end = path.size();
      const std::string_view segment = std::string_view(path).substr(start, end - start);
      if (segment == "..") return std::nullopt;
      start = end + 1;
    }
    // Without its leading slashes: "//etc/passwd" must not become an absolute path.
    const std::size_t first = path.find_first_not_of('/');
    relative = first == std::string::npos ? std::string() : path.substr(first);
    if (relative.empty() || relative.ends_with('/')) relative += "index.html";
  }

  std::error_code ec;
  const std::filesystem::path file = std::filesystem::weakly_canonical(root_ / relative, ec);
  if (ec || !is_within(root_, file) || file == root_) return std::nullopt;
  if (!std::filesystem::is_regular_file(file, ec) || ec) return std::nullopt;
  return StaticFile{file, content_type_for(file)};
}

std::string_view content_type_for(const std::filesystem::path& path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> types{{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".wasm", "application/wasm"},
      {".txt", "text/plain; charset=utf-8"},
  }};
  const std::string extension = path.extension().string();
  for (const auto& [ext, type] : types) {
    if (std::equal(ext.begin(), ext.end(), extension.begin(), extension.end(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      return type;
    }
  }
  return "application/octet-stream";
}

}  // namespace weft::server::transport
