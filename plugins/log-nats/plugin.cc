// Exports the "nats" storage plugin (the only exported symbol of
// log_nats.so is sluice_plugin_entry).
#include "sluice/plugin.h"

#include "nats_storage.h"

SLUICE_PLUGIN(sluice::log_nats::NatsStorage, "nats", SLUICE_PLUGIN_VERSION,
              "log backend on NATS JetStream, shared by many hosts (no key/value cache)")
