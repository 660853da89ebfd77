// The SDK's source conformance suite (sluice/testing/source_conformance.h)
// against the fixture source tests use (tests/fixtures/fixture_source.cc),
// loaded as the host loads it: its tables live in the connection's options.
#include "sluice/testing/source_conformance.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "sluice/client/source_client.h"
#include "sluice/testing/plugin_module.h"
#include "util/log.h"

namespace sluice::host {
namespace {

using sluice::testing::SourceFixture;
using sluice::testing::SourceTable;
using sluice::testing::SourceUnderTest;

SourceFixture Fixture() {
  SourceFixture f;
  f.make = [](const SourceTable& t, SourceUnderTest* out) {
    std::string prefix = "tables." + t.name + ".";
    std::vector<std::pair<std::string, std::string>> items = {
        {prefix + "columns.0", "id:int64"}, {prefix + "columns.1", "name:string"}};
    for (size_t i = 0; i < t.rows.size(); ++i)
      items.emplace_back(prefix + "rows." + std::to_string(i), t.rows[i]);
    const sluice_source_vtable* vt = nullptr;
    SLUICE_RETURN_IF_ERROR(sluice::testing::LoadSourceModule(
        std::string(SLUICE_TEST_FIXTURE_DIR) + "/fixture_rows.so", "fixture_rows", &vt));
    return client::CreateSource(vt, log::HostServicesTable(), Options(std::move(items)),
                                &out->source);
  };
  f.bad_rows = true;  // its options are text: an id may be anything
  return f;
}

SLUICE_SOURCE_CONFORMANCE_TESTS(FixtureRows, Fixture());

}  // namespace
}  // namespace sluice::host
