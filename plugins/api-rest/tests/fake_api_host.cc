#include "fake_api_host.h"

#include <simdjson.h>

#include <string>
#include <utility>

#include "sluice/row.h"
#include "sluice/status.h"

namespace sluice::rest::testing {

namespace {

// Reads an unsigned member of the query; absent leaves *out unchanged.
Status QueryUint(simdjson::dom::object& q, const char* key, uint64_t* out) {
  simdjson::dom::element e;
  if (q[key].get(e)) return Status();
  if (e.get_uint64().get(*out))
    return InvalidArgument(std::string(key) + ": expected a non-negative integer, found " +
                           simdjson::to_string(e));
  return Status();
}

// The rows a REST query or count selects (see fake_api_host.h).
Status SelectRows(std::string_view query, bool count, size_t, size_t* begin, size_t* end) {
  simdjson::dom::parser parser;
  simdjson::dom::object q;
  if (parser.parse(query.data(), query.size()).get(q))
    return InvalidArgument("query is not a JSON object");
  if (count) {
    simdjson::dom::element filter;
    simdjson::dom::object members;
    if (!q["$filter"].get(filter) && (filter.get(members) || members.size() != 0))
      return Unimplemented("the test host counts only with an empty $filter");
    return Status();
  }
  uint64_t limit = 50, skip = 0;
  SLUICE_RETURN_IF_ERROR(QueryUint(q, "$limit", &limit));
  SLUICE_RETURN_IF_ERROR(QueryUint(q, "$skip", &skip));
  *begin = skip;
  *end = skip + limit < skip ? SIZE_MAX : static_cast<size_t>(skip + limit);
  return Status();
}

}  // namespace

FakeApiHost::FakeApiHost() { set_query_fn(&SelectRows); }

namespace {

std::pair<std::string, std::string> TypedRow(int64_t id, bool nulls, double fare, bool paid,
                                             const std::string& note, int64_t at, int32_t day) {
  std::string row;
  RowWriter w(&row, 6);
  w.Int64(id);
  nulls ? w.Null() : w.Float64(fare);
  w.Bool(paid);
  nulls ? w.Null() : w.String(note);
  w.Timestamp(at);
  nulls ? w.Null() : w.Date(day);
  return {std::to_string(id), row};
}

std::pair<std::string, std::string> PairRow(const std::string& key, const std::string& text) {
  std::string row;
  RowWriter w(&row, 2);
  w.String(key);
  w.String(text);
  return {key, row};
}

}  // namespace

void AddSampleEndpoints(FakeApiHost* host) {
  FakeVersion t1;
  t1.version = 1;
  t1.schema.fields = {{"trip_id", Type::kInt64, false}, {"name", Type::kString, false}};
  t1.schema.primary_key = {0};
  for (int id : {10, 11, 12}) {
    std::string row;
    RowWriter w(&row, 2);
    w.Int64(id);
    w.String("trip " + std::to_string(id));
    t1.rows.emplace_back(std::to_string(id), row);
  }
  t1.log_end = 300;
  t1.cache_offset = 300;
  FakeVersion t2;
  t2.version = 2;
  t2.schema = TypedSchema();
  t2.rows = {TypedRow(1, false, 12.75, true, "tab\there \"q\"", 1706711295123456, 19753),
             TypedRow(2, true, 0, false, "", 0, 0),
             TypedRow(3, false, 0.1, true, "ctl\x01 caf\xc3\xa9 back\\slash\nnew", -1, -1),
             TypedRow(4, false, -2.5, false, "four", 86400000000, 1),
             TypedRow(5, false, 1e21, true, "five", 1000000, 2)};
  t2.log_end = 1000;
  t2.cache_offset = 900;
  host->AddEndpoint({"trips", "/trips", 2, false, {t1, t2}});

  FakeVersion z1;
  z1.version = 1;
  z1.schema.fields = {{"zone", Type::kString, false}, {"borough", Type::kString, true}};
  z1.schema.primary_key = {0};
  z1.rows = {PairRow("Upper East/Side", "Manhattan"), PairRow("Midtown", "Manhattan")};
  FakeVersion z2 = z1;
  z2.version = 2;
  z2.ready = false;
  host->AddEndpoint({"zones", "/geo/zones", 1, true, {z1, z2}});
}

}  // namespace sluice::rest::testing
