// trace.cpp — reading trace files (gzip through zlib) and finding them on disk.
#include "bench/trace.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include <zlib.h>

#ifndef WEFT_SHARED_DIR
#define WEFT_SHARED_DIR "../shared"
#endif

namespace weft::bench {
namespace {

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

}  // namespace

TraceResult<std::string> read_gzip_file(const std::filesystem::path& path) {
  errno = 0;
  GzFile file{gzopen(path.c_str(), "rb")};
  if (!file) {
    return trace_error(TraceErrc::cannot_open,
                       path.string() + ": " + (errno ? std::strerror(errno) : "cannot open"));
  }
  gzbuffer(file.get(), 1U << 18);
  std::string out;
  std::size_t chunk = std::size_t{1} << 20;
  for (;;) {
    const std::size_t old_size = out.size();
    out.resize(old_size + chunk);
    const int n = gzread(file.get(), out.data() + old_size, static_cast<unsigned>(chunk));
    if (n < 0) {
      int zerr = 0;
      const char* what = gzerror(file.get(), &zerr);
      return trace_error(zerr == Z_ERRNO ? TraceErrc::cannot_open : TraceErrc::bad_gzip,
                         path.string() + ": " + (zerr == Z_ERRNO ? std::strerror(errno) : what));
    }
    out.resize(old_size + static_cast<std::size_t>(n));
    if (n == 0) break;
    chunk = std::min(chunk * 2, std::size_t{1} << 26);
  }
  return out;
}

TraceResult<Trace> load_trace(const std::filesystem::path& path) {
  auto bytes = read_gzip_file(path);
  if (!bytes) return tl::unexpected(std::move(bytes.error()));
  return parse_trace(*bytes, trace_name(path));
}

bool looks_concurrent(const std::filesystem::path& path) {
  GzFile file{gzopen(path.c_str(), "rb")};
  if (!file) return false;
  char head[512];
  const int n = gzread(file.get(), head, sizeof head);
  if (n <= 0) return false;
  const std::string_view text{head, static_cast<std::size_t>(n)};
  std::size_t at = text.find("\"kind\"");
  if (at == std::string_view::npos) return false;
  at = text.find_first_not_of(" \t\r\n:", at + 6);
  return at != std::string_view::npos && text.substr(at).starts_with("\"concurrent\"");
}

std::filesystem::path traces_dir() {
  const char* env = std::getenv("WEFT_TRACES_DIR");
  if (env != nullptr && *env != '\0') return env;
  return std::filesystem::path{WEFT_SHARED_DIR} / "traces";
}

std::vector<std::filesystem::path> list_traces(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it{dir, ec}, end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (it->is_regular_file(ec) && file.ends_with(".json.gz")) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string trace_name(const std::filesystem::path& path) {
  std::string file = path.filename().string();
  for (std::string_view suffix : {".json.gz", ".json", ".gz"}) {
    if (file.size() > suffix.size() && file.ends_with(suffix)) {
      file.resize(file.size() - suffix.size());
      break;
    }
  }
  return file;
}

}  // namespace weft::bench
