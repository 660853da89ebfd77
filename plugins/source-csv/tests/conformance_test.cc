// The SDK's source conformance suite (sluice/testing/source_conformance.h)
// against the csv source: its class directly, and its built module through
// the C ABI as the host loads it. Each table is a file <table>.csv in one
// directory of the test binary.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "csv_source.h"
#include "sluice/client/source_client.h"
#include "sluice/testing/plugin_module.h"
#include "sluice/testing/source_conformance.h"
#include "test_util.h"

namespace sluice::csv {
namespace {

using sluice::testing::SourceFixture;
using sluice::testing::SourceTable;
using sluice::testing::SourceUnderTest;

const std::string& Dir() {
  static const csv::testing::TempDir* dir = new csv::testing::TempDir();  // for the whole run
  return dir->path();
}

Status AppendRows(const SourceTable& t, const std::vector<std::string>& rows) {
  std::ofstream f(Dir() + "/" + t.name + ".csv", std::ios::binary | std::ios::app);
  for (const std::string& r : rows) f << r << "\n";
  f.flush();
  return f ? Status() : Internal("cannot append to " + t.name + ".csv");
}

// The table as a file with a header line; its options give the column types
// so that a bad row is one, not a string column.
Status WriteTable(const SourceTable& t, SourceUnderTest* out) {
  csv::testing::WriteFile(Dir() + "/" + t.name + ".csv", "id,name\n");
  SLUICE_RETURN_IF_ERROR(AppendRows(t, t.rows));
  out->table_options = Options({{"types.id", "int64"}, {"types.name", "string"}});
  return Status();
}

SourceFixture Fixture(bool through_abi) {
  SourceFixture f;
  f.make = [through_abi](const SourceTable& t, SourceUnderTest* out) {
    SLUICE_RETURN_IF_ERROR(WriteTable(t, out));
    Options options(std::vector<std::pair<std::string, std::string>>{{"path", Dir()}});
    if (!through_abi) {
      std::unique_ptr<CsvSource> s;
      SLUICE_RETURN_IF_ERROR(CsvSource::Create(HostServices(), options, &s));
      out->source = std::move(s);
      return Status();
    }
    const sluice_source_vtable* vt = nullptr;
    SLUICE_RETURN_IF_ERROR(sluice::testing::LoadSourceModule(SLUICE_SOURCE_CSV_SO, "csv", &vt));
    return client::CreateSource(vt, nullptr, options, &out->source);
  };
  f.append = &AppendRows;
  f.cleanup = [](const std::vector<std::string>& tables) {
    for (const std::string& t : tables) std::remove((Dir() + "/" + t + ".csv").c_str());
  };
  f.bad_rows = true;
  return f;
}

SLUICE_SOURCE_CONFORMANCE_TESTS(Csv, Fixture(false));
SLUICE_SOURCE_CONFORMANCE_TESTS(CsvModule, Fixture(true));

}  // namespace
}  // namespace sluice::csv
