// The REST plugin's tests use the SDK's fake query service
// (sluice/testing/fake_api_host.h), reading the query language the REST
// plugin sends: $limit (default 50) and $skip select rows in insertion
// order; count takes only an empty $filter (anything else UNIMPLEMENTED).
// Also here: the endpoints most tests use.
#ifndef SLUICE_PLUGINS_API_REST_TESTS_FAKE_API_HOST_H_
#define SLUICE_PLUGINS_API_REST_TESTS_FAKE_API_HOST_H_

#include "sluice/schema.h"
#include "sluice/testing/fake_api_host.h"
#include "sluice/testing/typed_schema.h"

namespace sluice::rest::testing {

using sluice::testing::FakeEndpoint;
using sluice::testing::FakeVersion;

// The SDK's fake host answering queries as REST writes them (above).
class FakeApiHost : public sluice::testing::FakeApiHost {
 public:
  FakeApiHost();
};

// The schema of the typed test table (sluice/testing/typed_schema.h).
using sluice::testing::TypedSchema;

// The endpoints most tests use:
//   trips at /trips: v1 {trip_id int64 key, name string} rows 10, 11, 12;
//     v2 TypedSchema rows 1..5 (1: every type set, 2: every nullable null,
//     3: strings needing escapes, negative time); current version 2.
//   zones at /geo/zones: v1 {zone string key, borough string?} rows
//     "Upper East/Side" and "Midtown"; v2 same schema, not ready; current 1.
void AddSampleEndpoints(FakeApiHost* host);

}  // namespace sluice::rest::testing

#endif  // SLUICE_PLUGINS_API_REST_TESTS_FAKE_API_HOST_H_
