// The gRPC plugin's tests use the SDK's fake query service
// (sluice/testing/fake_api_host.h: its trigger texts "bad", "unknown" and
// "stall", Emit, Release, Close); here, the endpoints they use.
#ifndef SLUICE_PLUGINS_API_GRPC_TESTS_FAKE_API_HOST_H_
#define SLUICE_PLUGINS_API_GRPC_TESTS_FAKE_API_HOST_H_

#include <cstdint>
#include <string>

#include "sluice/schema.h"
#include "sluice/testing/fake_api_host.h"

namespace sluice::grpcapi::testing {

using sluice::testing::FakeApiHost;
using sluice::testing::FakeEndpoint;
using sluice::testing::FakeVersion;

// Schema used by most tests: id int64 (key), fare float64?, at timestamp?,
// day date?, paid bool, note string?
Schema SampleSchema();
// A row of SampleSchema; fare, at and day null when `nulls`.
std::string SampleRow(int64_t id, bool nulls);
// "trips" with v1 (3 rows: ids 1, 2 null-heavy, 3) ready and current, and
// v2 (same schema, rows 1..5) not ready.
void AddTrips(FakeApiHost* host);

}  // namespace sluice::grpcapi::testing

#endif  // SLUICE_PLUGINS_API_GRPC_TESTS_FAKE_API_HOST_H_
