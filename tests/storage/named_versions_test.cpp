// named_versions_test.cpp — the named-version part of the DocumentStore contract, against both
// stores; then what only the durable store has (reopen, damage).
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "storage/document_store.hpp"
#include "storage/record_format.hpp"
#include "tests/storage/raw_rocksdb.hpp"
#include "tests/storage/store_fixtures.hpp"
#include "tests/storage/store_test_support.hpp"

using namespace weft;
using namespace weft::storage;
using weft::storage::testing::code_of;
using weft::storage::testing::EditingDocument;
using weft::storage::testing::make_meta;
using weft::storage::testing::MemoryFixture;
using weft::storage::testing::RedisFixture;
using weft::storage::testing::RocksFixture;

namespace {

proto::NamedVersion named(std::string name, std::uint64_t at) {
  return {std::move(name), at, "ana", 1'764'133'300'000'000};
}

std::vector<std::string> names(const Result<std::vector<proto::NamedVersion>>& versions) {
  REQUIRE(versions);
  std::vector<std::string> out;
  for (const proto::NamedVersion& v : *versions) out.push_back(v.name);
  return out;
}

// A document "doc-a" with `n` log records.
void make_document(DocumentStore& store, int n) {
  REQUIRE(store.create(make_meta("doc-a")));
  EditingDocument doc(1);
  for (int i = 0; i < n; ++i) {
    const proto::OpRecord record = doc.edit();
    REQUIRE(store.append("doc-a", std::span(&record, 1)));
  }
}

}  // namespace

TEST_CASE_TEMPLATE("named versions in a document store", F, MemoryFixture, RocksFixture,
                   RedisFixture) {
  F fixture;
  DocumentStore& store = fixture.store();
  make_document(store, 4);

  SUBCASE("versions are listed by at, then by name, as they were put") {
    REQUIRE(store.put_version("doc-a", named("zeta", 1)));
    REQUIRE(store.put_version("doc-a", named("beta", 3)));
    REQUIRE(store.put_version("doc-a", named("alpha", 3)));
    REQUIRE(store.put_version("doc-a", named("empty", 0)));
    REQUIRE(store.put_version("doc-a", named("whole ü", 4)));
    CHECK(names(store.read_versions("doc-a")) ==
          std::vector<std::string>{"empty", "zeta", "alpha", "beta", "whole ü"});
    CHECK(store.read_versions("doc-a")->front() == named("empty", 0));
  }

  SUBCASE("a name is unique in its document, not across documents") {
    REQUIRE(store.put_version("doc-a", named("draft", 1)));
    CHECK(code_of(store.put_version("doc-a", named("draft", 2))) == Errc::version_exists);
    REQUIRE(store.create(make_meta("doc-b")));
    CHECK(store.put_version("doc-b", named("draft", 0)));
    CHECK(store.read_versions("doc-a")->front().at == 1);
  }

  SUBCASE("a version past the log's end, a bad name or an unknown document is refused") {
    CHECK(code_of(store.put_version("doc-a", named("late", 5))) == Errc::index_gap);
    CHECK(code_of(store.put_version("doc-a", named("", 1))) == Errc::bad_version_name);
    CHECK(code_of(store.put_version("doc-a", named("a\nb", 1))) == Errc::bad_version_name);
    CHECK(code_of(store.put_version("doc-a", named(std::string(201, 'x'), 1))) ==
          Errc::bad_version_name);
    CHECK(code_of(store.put_version("nope", named("draft", 0))) == Errc::not_found);
    CHECK(code_of(store.read_versions("nope")) == Errc::not_found);
    CHECK(code_of(store.remove_version("nope", "draft")) == Errc::not_found);
    CHECK(names(store.read_versions("doc-a")).empty());
  }

  SUBCASE("removing a version forgets its name; an unknown name is unknown_version") {
    REQUIRE(store.put_version("doc-a", named("draft", 1)));
    REQUIRE(store.put_version("doc-a", named("final", 2)));
    CHECK(store.remove_version("doc-a", "draft"));
    CHECK(code_of(store.remove_version("doc-a", "draft")) == Errc::unknown_version);
    CHECK(code_of(store.remove_version("doc-a", "")) == Errc::unknown_version);
    CHECK(names(store.read_versions("doc-a")) == std::vector<std::string>{"final"});
    CHECK(store.put_version("doc-a", named("draft", 3)));
  }

  SUBCASE("a document holds at most max_named_versions") {
    for (std::size_t i = 0; i < max_named_versions; ++i) {
      // Appended rather than "v" + to_string(i): GCC 12 -O3 warns falsely (-Wrestrict) on that.
      std::string name = "v";
      name += std::to_string(i);
      REQUIRE(store.put_version("doc-a", named(name, 0)));
    }
    CHECK(code_of(store.put_version("doc-a", named("one more", 0))) == Errc::too_many_versions);
    CHECK(store.read_versions("doc-a")->size() == max_named_versions);
    REQUIRE(store.remove_version("doc-a", "v7"));
    CHECK(store.put_version("doc-a", named("one more", 0)));
  }

  SUBCASE("removing the document removes its versions; a new one of that id has none") {
    REQUIRE(store.put_version("doc-a", named("draft", 1)));
    REQUIRE(store.remove("doc-a"));
    CHECK(code_of(store.read_versions("doc-a")) == Errc::not_found);
    REQUIRE(store.create(make_meta("doc-a")));
    CHECK(names(store.read_versions("doc-a")).empty());
    CHECK(store.put_version("doc-a", named("draft", 0)));
  }
}

TEST_CASE("named versions are durable across a reopen of the RocksDB store") {
  RocksFixture fixture;
  make_document(fixture.store(), 3);
  REQUIRE(fixture.store().put_version("doc-a", named("draft", 2)));
  REQUIRE(fixture.store().put_version("doc-a", named("gone", 1)));
  REQUIRE(fixture.store().remove_version("doc-a", "gone"));
  fixture.reopen();
  const auto versions = fixture.store().read_versions("doc-a");
  REQUIRE(versions);
  CHECK(*versions == std::vector<proto::NamedVersion>{named("draft", 2)});
  CHECK(code_of(fixture.store().put_version("doc-a", named("draft", 0))) == Errc::version_exists);
}

TEST_CASE("a damaged named version is corrupt, naming the document and the version") {
  RocksFixture fixture;
  make_document(fixture.store(), 1);
  REQUIRE(fixture.store().put_version("doc-a", named("draft", 1)));
  fixture.rocks.reset();
  storage::testing::raw_put(fixture.dir.path(), "version", format::version_key("doc-a", "draft"),
                            format::seal(proto::encode(named("other", 1))));
  fixture.reopen();
  const auto versions = fixture.store().read_versions("doc-a");
  REQUIRE_FALSE(versions);
  CHECK(versions.error().code == Errc::corrupt);
  CHECK(versions.error().message.find("document 'doc-a': named version 'draft'") !=
        std::string::npos);
  fixture.rocks.reset();
  storage::testing::raw_put(fixture.dir.path(), "version", format::version_key("doc-a", "draft"),
                            "xx");
  fixture.reopen();
  CHECK(code_of(fixture.store().read_versions("doc-a")) == Errc::corrupt);
}
