// The wire-format writer must give the very bytes protobuf serializes for
// the Record RowToMessage fills, for every type, null and default value.
#include "record_wire.h"

#include <google/protobuf/dynamic_message.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>

#include "fake_api_host.h"
#include "proto_gen.h"
#include "record_codec.h"

namespace sluice::grpcapi {
namespace {

using google::protobuf::Message;

// Every type twice: nullable (proto3 optional) and not (implicit presence).
Schema WideSchema() {
  Schema s;
  s.fields = {
      {"i", Type::kInt64, false},   {"oi", Type::kInt64, true},     {"f", Type::kFloat64, false},
      {"of", Type::kFloat64, true}, {"b", Type::kBool, false},      {"ob", Type::kBool, true},
      {"s", Type::kString, false},  {"os", Type::kString, true},    {"d", Type::kDate, false},
      {"od", Type::kDate, true},    {"t", Type::kTimestamp, false}, {"ot", Type::kTimestamp, true}};
  s.primary_key = {0};
  return s;
}

struct Sample {
  int64_t i;
  double f;
  bool b;
  std::string s;
  int32_t d;
  int64_t t;
};

// One row with the same value in both columns of each type; nullable
// columns are null when `nulls`.
std::string WideRow(const Sample& x, bool nulls) {
  std::string row;
  RowWriter w(&row, 12);
  w.Int64(x.i), nulls ? w.Null() : w.Int64(x.i);
  w.Float64(x.f), nulls ? w.Null() : w.Float64(x.f);
  w.Bool(x.b), nulls ? w.Null() : w.Bool(x.b);
  w.String(x.s), nulls ? w.Null() : w.String(x.s);
  w.Date(x.d), nulls ? w.Null() : w.Date(x.d);
  w.Timestamp(x.t), nulls ? w.Null() : w.Timestamp(x.t);
  EXPECT_TRUE(w.Finish());
  return row;
}

class RecordWire : public ::testing::Test {
 protected:
  void Load(const Schema& schema) {
    schema_ = schema;
    VersionFile vf;
    ASSERT_TRUE(GenerateVersionFile("wide", 1, schema_, &vf).ok());
    ASSERT_NE(pool_.BuildFile(vf.proto), nullptr);
    record_ = factory_.GetPrototype(pool_.FindMessageTypeByName("sluice.wide.v1.Record"));
    ASSERT_NE(record_, nullptr);
  }
  // What protobuf serializes for the row's Record.
  std::string ViaMessage(const std::string& row) {
    std::unique_ptr<Message> m(record_->New());
    EXPECT_TRUE(RowToMessage(schema_, row, m.get()).ok());
    std::string out;
    EXPECT_TRUE(m->SerializeToString(&out));
    return out;
  }
  std::string Direct(const std::string& row) {
    std::string out;
    EXPECT_TRUE(AppendRecordWire(&out, schema_, row).ok());
    return out;
  }

  Schema schema_;
  const Message* record_ = nullptr;
  google::protobuf::DescriptorPool pool_{google::protobuf::DescriptorPool::generated_pool()};
  google::protobuf::DynamicMessageFactory factory_{&pool_};
};

TEST_F(RecordWire, MatchesProtobufForEveryTypeNullAndDefault) {
  Load(WideSchema());
  const double kInf = std::numeric_limits<double>::infinity();
  const Sample samples[] = {
      {0, 0.0, false, "", 0, 0},     // every default
      {0, -0.0, false, "", -1, -1},  // -0.0, before 1970
      {1, 1.5, true, "a", 19000, 1700000000123456},
      {-1, -2.25, true, std::string("nul\0in", 6), -719162, -1500000},
      {INT64_MAX, kInf, true, std::string(300, 'x'), 2932896, 253402300799999999},
      {INT64_MIN, -kInf, false, "\xc3\xa9t\xc3\xa9", 100, 999999},
      {1LL << 35, std::nan(""), true, "z", 7, 1000000},
      {5, 0.25, false, "w", 4000000, -4000000000000000000},  // years past 9999 and before 0
  };
  for (const Sample& x : samples) {
    for (bool nulls : {false, true}) {
      std::string row = WideRow(x, nulls);
      EXPECT_EQ(Direct(row), ViaMessage(row)) << "i=" << x.i << " nulls=" << nulls;
    }
  }
}

TEST_F(RecordWire, DatesAndTimestampsOverTheirRange) {
  Load(WideSchema());
  for (int64_t day = -1000000; day < 3500000; day += 2749) {
    Sample x{day, 0, false, "", static_cast<int32_t>(day), day * 86400000000 + day % 999983};
    std::string row = WideRow(x, false);
    ASSERT_EQ(Direct(row), ViaMessage(row)) << day;
  }
}

TEST_F(RecordWire, MatchesProtobufOnTheSampleSchema) {
  Load(testing::SampleSchema());
  for (int64_t id = 0; id < 6; ++id)
    for (bool nulls : {false, true}) {
      std::string row = testing::SampleRow(id, nulls);
      EXPECT_EQ(Direct(row), ViaMessage(row)) << id << " " << nulls;
    }
}

TEST_F(RecordWire, RepeatedRecordsParseAsTheQueryResponse) {
  Load(testing::SampleSchema());
  std::string body, rec;
  for (int64_t id = 1; id <= 3; ++id) {
    rec.clear();
    ASSERT_TRUE(AppendRecordWire(&rec, schema_, testing::SampleRow(id, id == 2)).ok());
    AppendLengthDelimited(&body, 1, rec);
  }
  const auto* resp_type = pool_.FindMessageTypeByName("sluice.wide.v1.QueryResponse");
  ASSERT_NE(resp_type, nullptr);
  std::unique_ptr<Message> resp(factory_.GetPrototype(resp_type)->New());
  ASSERT_TRUE(resp->ParseFromString(body));
  const auto* records = resp_type->FindFieldByNumber(1);
  ASSERT_EQ(resp->GetReflection()->FieldSize(*resp, records), 3);
  const Message& second = resp->GetReflection()->GetRepeatedMessage(*resp, records, 1);
  EXPECT_EQ(second.ShortDebugString(), "id: 2 paid: true note: \"note, \\\"2\\\"\\n\"");
}

TEST_F(RecordWire, MalformedRowIsInternal) {
  Load(testing::SampleSchema());
  std::string row = testing::SampleRow(4, false), out;
  EXPECT_EQ(AppendRecordWire(&out, schema_, row.substr(0, row.size() - 3)).code(), Code::kInternal);
  out.clear();
  EXPECT_EQ(AppendRecordWire(&out, schema_, row + "x").code(), Code::kInternal);
}

}  // namespace
}  // namespace sluice::grpcapi
