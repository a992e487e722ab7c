// make_vectors.cpp — writes the shared test vectors (crdt/testdata/vectors/*.json) from
// ReferenceRga: run it after changing a case or the reference, and commit the output.
//
// Usage: make_vectors [OUTPUT_DIR]   (default: <source>/crdt/testdata/vectors)
// The cases and the writer are in vector_cases*.cpp; crdt_tests fails if the committed files
// differ from what they produce.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "tests/crdt/vector_cases.hpp"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const fs::path dir =
      argc > 1 ? fs::path(argv[1]) : fs::path(WEFT_SOURCE_DIR) / "crdt" / "testdata" / "vectors";
  fs::create_directories(dir);
  const auto files = weft::crdt::testing::make_vector_files();
  std::set<std::string> written;
  for (const auto& [name, contents] : files) {
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out) {
      std::fprintf(stderr, "make_vectors: cannot write %s\n", (dir / name).c_str());
      return 1;
    }
    written.insert(name);
  }
  // Deleting is left to the person running this: the directory may be one they chose.
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".json" && written.count(name) == 0) {
      std::fprintf(stderr, "make_vectors: %s was not generated: delete it\n", name.c_str());
    }
  }
  std::printf("make_vectors: wrote %zu files to %s\n", files.size(), dir.c_str());
  return 0;
}
