#include "record_codec.h"

#include <google/protobuf/dynamic_message.h>
#include <gtest/gtest.h>

#include <memory>

#include "fake_api_host.h"
#include "grpc_options.h"
#include "proto_gen.h"
#include "status_map.h"

namespace sluice::grpcapi {
namespace {

using google::protobuf::Message;
using testing::SampleRow;
using testing::SampleSchema;

class RecordCodec : public ::testing::Test {
 protected:
  void SetUp() override {
    Schema s = SampleSchema();
    s.primary_key = {3, 0, 5};  // day, id, note: three types of key text
    schema_ = s;
    VersionFile vf;
    ASSERT_TRUE(GenerateVersionFile("trips", 1, schema_, &vf).ok());
    ASSERT_NE(pool_.BuildFile(vf.proto), nullptr);
  }
  std::unique_ptr<Message> New(const std::string& name) {
    return std::unique_ptr<Message>(
        factory_.GetPrototype(pool_.FindMessageTypeByName("sluice.trips.v1." + name))->New());
  }

  Schema schema_;
  google::protobuf::DescriptorPool pool_{google::protobuf::DescriptorPool::generated_pool()};
  google::protobuf::DynamicMessageFactory factory_{&pool_};
};

TEST_F(RecordCodec, RowToMessageSetsValuesAndLeavesNullsUnset) {
  auto rec = New("Record");
  ASSERT_TRUE(RowToMessage(schema_, SampleRow(4, false), rec.get()).ok());
  EXPECT_EQ(rec->ShortDebugString(),
            "id: 4 fare: 6 at { seconds: -2 nanos: 500004000 } day: \"2022-01-12\" paid: true "
            "note: \"note, \\\"4\\\"\\n\"");
  auto nulls = New("Record");
  ASSERT_TRUE(RowToMessage(schema_, SampleRow(3, true), nulls.get()).ok());
  const auto* d = nulls->GetDescriptor();
  for (const char* f : {"fare", "at", "day"})
    EXPECT_FALSE(nulls->GetReflection()->HasField(*nulls, d->FindFieldByName(f))) << f;
  EXPECT_TRUE(nulls->GetReflection()->HasField(*nulls, d->FindFieldByName("note")));
}

TEST_F(RecordCodec, MalformedRowIsInternal) {
  auto rec = New("Record");
  std::string row = SampleRow(4, false);
  EXPECT_EQ(RowToMessage(schema_, row.substr(0, row.size() - 3), rec.get()).code(),
            Code::kInternal);
  EXPECT_EQ(RowToMessage(schema_, row + "x", rec.get()).code(), Code::kInternal);
}

TEST_F(RecordCodec, KeyTextEscapesAndRequiresEveryField) {
  auto req = New("GetRequest");
  const auto* d = req->GetDescriptor();
  const auto* r = req->GetReflection();
  r->SetString(req.get(), d->FindFieldByName("day"), "2024-01-02");
  std::string key;
  Status s = KeyTextFromRequest(schema_, *req, &key);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("GetRequest.id (key column \"id\") is missing"), std::string::npos)
      << s.message();
  r->SetInt64(req.get(), d->FindFieldByName("id"), 0);  // zero is a value, not absence
  r->SetString(req.get(), d->FindFieldByName("note"), "a,b\\c");
  ASSERT_TRUE(KeyTextFromRequest(schema_, *req, &key).ok());
  EXPECT_EQ(key, "2024-01-02,0,a\\,b\\\\c");
}

TEST(StatusMap, NeverUnknown) {
  EXPECT_EQ(ToGrpc(Status()).error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(ToGrpc(InvalidArgument("x")).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ToGrpc(NotFound("x")).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ToGrpc(Unavailable("x")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ToGrpc(ResourceExhausted("x")).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ToGrpc(Status(Code::kUnknown, "x")).error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(ToGrpc(Status(static_cast<Code>(99), "x")).error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(ToGrpc(NotFound("why")).error_message(), "why");
}

Options Opts(std::vector<std::pair<std::string, std::string>> items) {
  return Options(std::move(items));
}

TEST(GrpcOptions, DefaultsAndErrors) {
  GrpcOptions o;
  ASSERT_TRUE(ParseGrpcOptions(Options(), &o).ok());
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 50051);
  EXPECT_EQ(o.max_message_bytes, 16u << 20);
  ASSERT_TRUE(
      ParseGrpcOptions(Opts({{"port", "0"}, {"threads", "2"}, {"max_streams", "3"}}), &o).ok());
  EXPECT_EQ(o.port, 0);
  EXPECT_EQ(o.threads, 2);
  Status s = ParseGrpcOptions(Opts({{"prot", "1"}}), &o);
  EXPECT_EQ(s.message(),
            "option 'prot': unknown option (did you mean \"port\"?); known options: host, port, "
            "threads, max_message_bytes, max_streams, tls");
  s = ParseGrpcOptions(Opts({{"port", "70000"}}), &o);
  EXPECT_EQ(s.message(), "option 'port': expected an integer from 0 to 65535, found '70000'");
  s = ParseGrpcOptions(Opts({{"tls.client_auth", "maybe"}}), &o);
  EXPECT_EQ(s.message(),
            "option 'tls.client_auth': expected none, request or require, found 'maybe'");
  s = ParseGrpcOptions(Opts({{"tls.certfile", "x"}}), &o);
  EXPECT_NE(s.message().find("option 'tls.certfile': unknown option; known options: host"),
            std::string::npos)
      << s.message();
  s = ParseGrpcOptions(Opts({{"max_message_bytes", "big"}}), &o);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("max_message_bytes"), std::string::npos);
}

}  // namespace
}  // namespace sluice::grpcapi
