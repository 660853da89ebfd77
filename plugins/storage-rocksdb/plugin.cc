// Exports the "rocksdb" storage plugin (the only exported symbol of
// storage_rocksdb.so is sluice_plugin_entry).
#include "sluice/plugin.h"

#include "rocksdb_engine.h"

SLUICE_PLUGIN(sluice::storage_rocksdb::RocksDbStorage, "rocksdb", SLUICE_PLUGIN_VERSION,
              "log backend and ordered key/value cache on RocksDB")
