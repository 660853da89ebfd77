// The nats-server every test of log_nats_server_test talks to, started once
// per process by a gtest environment; every test is skipped when
// nats-server is not installed.
#ifndef SLUICE_PLUGINS_LOG_NATS_TESTS_SERVER_ENV_H_
#define SLUICE_PLUGINS_LOG_NATS_TESTS_SERVER_ENV_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nats_storage.h"
#include "sluice/host_services.h"

namespace sluice::log_nats::testing {

// URL of the shared server. REQUIRES: the environment set up.
const std::string& ServerUrl();

// A fresh stream prefix ("t1", "t2", ...), so tests sharing the server do
// not see each other's streams.
std::string FreshPrefix();

// Options for a storage on the shared server, plus `extra`.
Options ServerOptions(const std::string& prefix,
                      std::vector<std::pair<std::string, std::string>> extra = {});

}  // namespace sluice::log_nats::testing

#endif  // SLUICE_PLUGINS_LOG_NATS_TESTS_SERVER_ENV_H_
