// static_files_test.cpp — which files a request target may reach (static_files.hpp).
#include "server/transport/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <doctest/doctest.h>

#include "tests/temp_dir.hpp"

namespace weft::server::transport {
namespace {

namespace fs = std::filesystem;

// A fresh directory tree: TMP/www/{index.html, app.js, css/site.css, .hidden, sub/index.html}
// and TMP/secret.txt beside (outside) the root, removed afterwards.
struct Tree {
  weft::testing::TempDir dir{"weft-static"};
  fs::path base = dir.path();
  fs::path root = base / "www";

  Tree() {
    fs::create_directories(root / "css");
    fs::create_directories(root / "sub");
    write(root / "index.html");
    write(root / "app.js");
    write(root / "css" / "site.css");
    write(root / "sub" / "index.html");
    write(root / "a b.txt");
    write(base / "secret.txt");
  }

  static void write(const fs::path& path) { std::ofstream{path} << path.filename().string(); }

  // The served file's path relative to the root, or "none".
  [[nodiscard]] std::string resolve(std::string_view target) const {
    const auto file = StaticFiles{root}.resolve(target);
    if (!file) return "none";
    return file->path.lexically_relative(fs::canonical(root)).generic_string();
  }
};

}  // namespace

TEST_SUITE("static files") {
  TEST_CASE("a path names the file below the root") {
    const Tree tree;
    CHECK(tree.resolve("/app.js") == "app.js");
    CHECK(tree.resolve("/css/site.css") == "css/site.css");
    CHECK(tree.resolve("/app.js?v=3") == "app.js");
    CHECK(tree.resolve("/a%20b.txt") == "a b.txt");
  }

  TEST_CASE("the root and every share link serve index.html") {
    const Tree tree;
    CHECK(tree.resolve("/") == "index.html");
    CHECK(tree.resolve("/d/meeting-notes") == "index.html");
    CHECK(tree.resolve("/d/a/b?x=1") == "index.html");
    CHECK(tree.resolve("/sub/") == "sub/index.html");
  }

  TEST_CASE("missing files and directories resolve to nothing") {
    const Tree tree;
    CHECK(tree.resolve("/nope.js") == "none");
    CHECK(tree.resolve("/css") == "none");
    CHECK(tree.resolve("app.js") == "none");
    CHECK(StaticFiles{tree.base / "missing"}.resolve("/") == std::nullopt);
  }

  TEST_CASE("dot-dot segments never leave the root, plain or percent-encoded") {
    const Tree tree;
    CHECK(tree.resolve("/../secret.txt") == "none");
    CHECK(tree.resolve("/css/../../secret.txt") == "none");
    CHECK(tree.resolve("/css/../app.js") == "none");  // rejected even when it stays inside
    CHECK(tree.resolve("/%2e%2e/secret.txt") == "none");
    CHECK(tree.resolve("/%2E%2E%2Fsecret.txt") == "none");
    CHECK(tree.resolve("/..%2fsecret.txt") == "none");
    CHECK(tree.resolve("/d/../../secret.txt") == "index.html");  // share links are never files
  }

  TEST_CASE("NUL, backslashes and malformed escapes resolve to nothing") {
    const Tree tree;
    CHECK(tree.resolve("/app.js%00.png") == "none");
    CHECK(tree.resolve("/..%5csecret.txt") == "none");
    CHECK(tree.resolve("/app%2") == "none");
    CHECK(tree.resolve("/app%zz.js") == "none");
  }

  TEST_CASE("a symbolic link out of the root is not followed") {
    const Tree tree;
    fs::create_symlink(tree.base / "secret.txt", tree.root / "link.txt");
    fs::create_directory_symlink(tree.base, tree.root / "up");
    CHECK(tree.resolve("/link.txt") == "none");
    CHECK(tree.resolve("/up/secret.txt") == "none");
  }

  TEST_CASE("an absolute path inside the target stays below the root") {
    const Tree tree;
    CHECK(tree.resolve("//etc/passwd") == "none");
    CHECK(tree.resolve("//") == "index.html");
    std::string absolute = "/";
    absolute += (tree.base / "secret.txt").generic_string();
    CHECK(tree.resolve(absolute) == "none");
  }

  TEST_CASE("content types follow the extension, case-insensitively") {
    CHECK(content_type_for("index.html") == "text/html; charset=utf-8");
    CHECK(content_type_for("app.js") == "text/javascript; charset=utf-8");
    CHECK(content_type_for("site.css") == "text/css; charset=utf-8");
    CHECK(content_type_for("logo.svg") == "image/svg+xml");
    CHECK(content_type_for("logo.PNG") == "image/png");
    CHECK(content_type_for("favicon.ico") == "image/x-icon");
    CHECK(content_type_for("data.json") == "application/json");
    CHECK(content_type_for("app.js.map") == "application/json");
    CHECK(content_type_for("rga.wasm") == "application/wasm");
    CHECK(content_type_for("archive.tar") == "application/octet-stream");
    CHECK(content_type_for("Makefile") == "application/octet-stream");
  }
}

}  // namespace weft::server::transport
