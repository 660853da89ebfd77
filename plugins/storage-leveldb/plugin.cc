// Exports the "leveldb" storage plugin (the only exported symbol of
// storage_leveldb.so is sluice_plugin_entry).
#include "sluice/plugin.h"

#include "leveldb_engine.h"

SLUICE_PLUGIN(sluice::storage_leveldb::LevelDbStorage, "leveldb", SLUICE_PLUGIN_VERSION,
              "log backend and ordered key/value cache on LevelDB")
