// json_log.hpp — the exported log file; the format lives in storage/json_log.hpp (the server's
// HTTP API writes it too), these names keep weft-replay's spelling.
#pragma once

#include "storage/json_log.hpp"

namespace weft::replay {

using storage::append_json_string;
using storage::log_footer;
using storage::log_header;
using storage::log_record;
using storage::LogFile;
using storage::read_log_file;

}  // namespace weft::replay
