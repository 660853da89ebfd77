#include "fake_api_host.h"

#include <string>
#include <utility>

#include "sluice/row.h"

namespace sluice::grpcapi::testing {

Schema SampleSchema() {
  Schema s;
  s.fields = {{"id", Type::kInt64, false},    {"fare", Type::kFloat64, true},
              {"at", Type::kTimestamp, true}, {"day", Type::kDate, true},
              {"paid", Type::kBool, false},   {"note", Type::kString, true}};
  s.primary_key = {0};
  return s;
}

std::string SampleRow(int64_t id, bool nulls) {
  std::string row;
  RowWriter w(&row, 6);
  w.Int64(id);
  if (nulls) {
    w.Null(), w.Null(), w.Null();
  } else {
    w.Float64(id * 1.5);
    w.Timestamp(-1500000 + id);  // before 1970, with a fraction
    w.Date(19000 + static_cast<int32_t>(id));
  }
  w.Bool(id % 2 == 0);
  w.String("note, \"" + std::to_string(id) + "\"\n");
  w.Finish();
  return row;
}

void AddTrips(FakeApiHost* host) {
  FakeEndpoint e{"trips", "/trips", 1, false, {}};
  FakeVersion v1{1, true, SampleSchema(), {}, 100, 100};
  for (int64_t id : {1, 2, 3}) v1.rows.emplace_back(std::to_string(id), SampleRow(id, id == 2));
  FakeVersion v2{2, false, SampleSchema(), {}, 200, 200};
  for (int64_t id = 1; id <= 5; ++id)
    v2.rows.emplace_back(std::to_string(id), SampleRow(id, false));
  e.versions = {v1, v2};
  host->AddEndpoint(std::move(e));
}

}  // namespace sluice::grpcapi::testing
