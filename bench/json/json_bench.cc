// bench_json: CPU seconds of the JSON text the API plugins write: records as
// REST's query answers write them (RecordJson inside a JsonWriter array) and
// as the gRPC common service does (AppendRecordJson a row), and timestamps
// and dates alone as the SDK formats them (gRPC's typed services, keys).
// Rows look like the bench dataset's trips (ids, a vendor string, two
// timestamps, fares with two decimals, a distance, a flag, a day).
//
//   bench_json [--rows N] [--rounds R]
//
// Prints one line per case: the median CPU seconds (user + system) of R
// rounds of encoding the same N rows, and the bytes written per round (the
// same before and after a change that keeps the text). Deterministic, so
// `valgrind --tool=callgrind bench_json --rows 20000 --rounds 1` counts the
// same instructions on a loaded machine (bench/results/NOTES.md).
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "sluice/json.h"
#include "sluice/row.h"
#include "sluice/schema.h"
#include "sluice/timefmt.h"

namespace {

using namespace sluice;

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

Schema TripSchema() {
  Schema s;
  s.fields = {{"trip_id", Type::kInt64, false},   {"vendor", Type::kString, true},
              {"pickup", Type::kTimestamp, true}, {"dropoff", Type::kTimestamp, true},
              {"passengers", Type::kInt64, true}, {"distance", Type::kFloat64, true},
              {"fare", Type::kFloat64, true},     {"paid", Type::kBool, true},
              {"day", Type::kDate, true},         {"note", Type::kString, true}};
  s.primary_key = {0};
  return s;
}

// N encoded rows, the same on every run (a fixed xorshift sequence).
std::vector<std::string> TripRows(const Schema& schema, int n) {
  static const char* kVendors[] = {"CMT", "VTS", "DDS", "Creative Mobile"};
  uint64_t x = 88172645463325252ull;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  std::vector<std::string> rows(n);
  for (int i = 0; i < n; ++i) {
    RowWriter w(&rows[i], static_cast<uint32_t>(schema.fields.size()));
    int64_t pickup = 1704067200000000 + static_cast<int64_t>(next() % 31536000) * 1000000;
    w.Int64(1000000 + i);
    w.String(kVendors[next() % 4]);
    w.Timestamp(pickup);
    w.Timestamp(pickup + static_cast<int64_t>(next() % 3600000000));
    if (i % 7 == 0) w.Null();
    else w.Int64(static_cast<int64_t>(next() % 6) + 1);
    w.Float64(static_cast<double>(next() % 40000) / 1000);  // 0.000 .. 39.999
    w.Float64(static_cast<double>(next() % 10000) / 100);   // two decimals
    w.Bool(next() % 2 == 0);
    w.Date(static_cast<int32_t>(pickup / 86400000000));
    if (i % 5 == 0) w.String("card \"tip\" incl.\n");
    else w.Null();
    if (!w.Finish()) std::abort();
  }
  return rows;
}

struct Case {
  const char* name;
  std::function<size_t()> run;  // one round; returns the bytes written
};

}  // namespace

int main(int argc, char** argv) {
  int rows_n = 200000, rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--rows") == 0) rows_n = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: bench_json [--rows N] [--rounds R]\n");
      return 2;
    }
  }
  const Schema schema = TripSchema();
  const std::vector<std::string> rows = TripRows(schema, rows_n);
  std::vector<int64_t> stamps;
  for (int i = 0; i < rows_n; ++i) stamps.push_back(1704067200000000 + int64_t{i} * 1234567891);

  std::vector<Case> cases = {
      {"records, REST query answer",
       [&] {
         std::string out;
         RecordJson record(schema);
         JsonWriter w(&out);
         w.BeginObject();
         w.Key("records");
         w.BeginArray();
         for (const std::string& row : rows)
           if (!w.Record(record, row).ok()) std::abort();
         w.EndArray();
         w.EndObject();
         return out.size();
       }},
      {"records, gRPC JSON",
       [&] {
         std::string out;
         for (const std::string& row : rows)
           if (!AppendRecordJson(&out, schema, row).ok()) std::abort();
         return out.size();
       }},
      {"timestamps and dates",
       [&] {
         std::string out;
         size_t total = 0;
         for (int64_t us : stamps) {
           out.clear();
           AppendTimestamp(&out, us);
           AppendDate(&out, static_cast<int32_t>(us / 86400000000));
           total += out.size();
         }
         return total;
       }},
  };
  for (const Case& c : cases) {
    std::vector<double> secs;
    size_t bytes = 0;
    for (int r = 0; r < rounds; ++r) {
      double t0 = CpuSeconds();
      bytes = c.run();
      secs.push_back(CpuSeconds() - t0);
    }
    std::sort(secs.begin(), secs.end());
    std::printf("%-28s %8.4f s CPU (median of %d)  %zu bytes\n", c.name, secs[secs.size() / 2],
                rounds, bytes);
  }
  return 0;
}
