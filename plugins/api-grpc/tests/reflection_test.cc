#include "reflection.h"

#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

#include <memory>

#include "fake_api_host.h"
#include "standard_protos.h"

namespace sluice::grpcapi {
namespace {

using google::protobuf::Message;

class ReflectionTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    testing::AddTrips(&host_);
    snap_ = catalog_.Refresh();
  }
  // Asks `field` = `value` of a request; returns the answer.
  std::unique_ptr<Message> Ask(const std::string& field, const std::string& value) {
    const StandardFiles& s = Standard();
    std::unique_ptr<Message> req(s.Prototype(s.reflection_request[GetParam()])->New());
    req->GetReflection()->SetString(req.get(), req->GetDescriptor()->FindFieldByName(field), value);
    std::string answer;
    grpc::Status st = AnswerReflection(*snap_, GetParam(), req->SerializeAsString(), &answer);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::unique_ptr<Message> resp(s.Prototype(s.reflection_response[GetParam()])->New());
    EXPECT_TRUE(resp->ParseFromString(answer));
    return resp;
  }
  std::vector<std::string> FileNames(const Message& resp) {
    const Message& files = resp.GetReflection()->GetMessage(
        resp, resp.GetDescriptor()->FindFieldByName("file_descriptor_response"));
    std::vector<std::string> out;
    for (const std::string& bytes : files.GetReflection()->GetRepeatedFieldRef<std::string>(
             files, files.GetDescriptor()->FindFieldByNumber(1))) {
      google::protobuf::FileDescriptorProto f;
      EXPECT_TRUE(f.ParseFromString(bytes));
      out.push_back(f.name());
    }
    return out;
  }

  testing::FakeApiHost host_;
  ServiceCatalog catalog_{host_.api(), HostServices()};
  std::shared_ptr<const Snapshot> snap_;
};

TEST_P(ReflectionTest, ListsCommonStandardAndTypedServices) {
  auto resp = Ask("list_services", "*");
  EXPECT_NE(resp->DebugString().find("sluice.trips.v2.TripsV2"), std::string::npos);
  EXPECT_EQ(ListedServices(*snap_),
            (std::vector<std::string>{
                "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                "grpc.reflection.v1alpha.ServerReflection", "sluice.trips.Trips",
                "sluice.trips.v1.TripsV1", "sluice.trips.v2.TripsV2", "sluice.v1.Common"}));
}

TEST_P(ReflectionTest, FilesComeWithTheirImports) {
  EXPECT_EQ(FileNames(*Ask("file_containing_symbol", "sluice.trips.Trips")),
            (std::vector<std::string>{"sluice/trips/trips.proto", "sluice/trips/v1/trips.proto",
                                      "google/protobuf/timestamp.proto"}));
  EXPECT_EQ(
      FileNames(*Ask("file_containing_symbol", "sluice.trips.v2.Record")),
      (std::vector<std::string>{"sluice/trips/v2/trips.proto", "google/protobuf/timestamp.proto"}));
  EXPECT_EQ(FileNames(*Ask("file_by_filename", "sluice/v1/common.proto")),
            (std::vector<std::string>{"sluice/v1/common.proto"}));
  EXPECT_EQ(FileNames(*Ask("file_containing_symbol", "grpc.health.v1.Health")),
            (std::vector<std::string>{"grpc/health/v1/health.proto"}));
}

TEST_P(ReflectionTest, UnknownSymbolIsAnErrorResponse) {
  auto resp = Ask("file_containing_symbol", "sluice.nope.Nope");
  const Message& err = resp->GetReflection()->GetMessage(
      *resp, resp->GetDescriptor()->FindFieldByName("error_response"));
  EXPECT_EQ(err.GetReflection()->GetInt32(err, err.GetDescriptor()->FindFieldByNumber(1)),
            static_cast<int>(grpc::StatusCode::NOT_FOUND));
}

INSTANTIATE_TEST_SUITE_P(Protocols, ReflectionTest,
                         ::testing::Values(kReflectionAlpha, kReflectionV1));

}  // namespace
}  // namespace sluice::grpcapi
