// rocksdb_info_log.hpp — the RocksDB info log (the `LOG` file) that never fails its database.
//
// RocksDB's own logger writes through a WritableFileWriter, which asserts (aborting the process)
// on the next line after a failed write: a full disk killed the server on every start. This one
// appends with stdio and drops lines it cannot write. Private to storage/.
#pragma once

#include <memory>
#include <string>

#include <rocksdb/env.h>

namespace weft::storage {

// Appends to `path` (created if missing); a file that cannot be opened or written loses lines,
// never the database.
[[nodiscard]] std::shared_ptr<rocksdb::Logger> make_info_log(const std::string& path);

}  // namespace weft::storage
