// hostile_storage_test.cpp — hostile input (issue 13): disk full, bit flips in the RocksDB WAL and
// SST files, records that cannot be applied.
