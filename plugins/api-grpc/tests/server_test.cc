// The gRPC server over an in-memory query service, called by a real gRPC
// client on 127.0.0.1: routing, typed messages, errors, deadlines,
// reflection, health, streams and shutdown.
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/impl/codegen/sync_stream.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "fake_api_host.h"
#include "grpc_server.h"
#include "sluice/row.h"
#include "sluice/v1/common.pb.h"

namespace sluice::grpcapi {
namespace {

using google::protobuf::Message;
using testing::AddTrips;
using testing::FakeApiHost;
using testing::SampleRow;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AddTrips(&host_);
    GrpcOptions o;
    o.port = 0;
    o.max_streams = 2;
    server_ = std::make_unique<GrpcServer>(host_.api(), HostServices(), o);
    std::string address;
    ASSERT_TRUE(server_->Start(&address).ok());
    ASSERT_EQ(address.rfind("grpc://127.0.0.1:", 0), 0u) << address;
    channel_ = grpc::CreateChannel(address.substr(7), grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    host_.Release();
    server_->Stop();
  }

  // Calls unary `method` with `req`; *resp gets the answer.
  grpc::Status Call(const std::string& method, const Message& req, Message* resp,
                    int deadline_ms = 5000, std::string* version = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(deadline_ms));
    grpc::Status s = grpc::internal::BlockingUnaryCall<Message, Message>(
        channel_.get(),
        grpc::internal::RpcMethod(method.c_str(), grpc::internal::RpcMethod::NORMAL_RPC), &ctx, req,
        resp);
    if (version != nullptr) {
      auto it = ctx.GetServerInitialMetadata().find("x-sluice-version");
      *version = it == ctx.GetServerInitialMetadata().end()
                     ? ""
                     : std::string(it->second.data(), it->second.size());
    }
    return s;
  }
  // The count of `endpoint` through the common service (*version: the
  // version that answered).
  uint64_t Count(const std::string& endpoint, std::string* version = nullptr) {
    v1::CountRequest c;
    c.set_endpoint(endpoint);
    v1::CountResponse cr;
    grpc::Status s = Call("/sluice.v1.Common/count", c, &cr, 5000, version);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return cr.count();
  }
  // A message of the typed service's pool (the server's current snapshot).
  std::unique_ptr<Message> Typed(const std::string& full_name) {
    snap_ = server_->catalog().Get();
    return std::unique_ptr<Message>(snap_->New(snap_->pool().FindMessageTypeByName(full_name)));
  }

  FakeApiHost host_;
  std::unique_ptr<GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::shared_ptr<const Snapshot> snap_;
};

TEST_F(ServerTest, CommonQueryCountGetAnswerFromTheCurrentVersion) {
  v1::QueryRequest q;
  q.set_endpoint("trips");
  v1::QueryResponse qr;
  std::string version;
  ASSERT_TRUE(Call("/sluice.v1.Common/query", q, &qr, 5000, &version).ok());
  EXPECT_EQ(version, "1");
  EXPECT_EQ(qr.version(), 1u);
  ASSERT_EQ(qr.records_size(), 3);
  EXPECT_EQ(qr.records(1),
            "{\"id\":2,\"fare\":null,\"at\":null,\"day\":null,\"paid\":true,"
            "\"note\":\"note, \\\"2\\\"\\n\"}");
  EXPECT_EQ(qr.plan().plan(), "scan");
  EXPECT_EQ(Count("/trips"), 3u);
  v1::GetRequest g;
  g.set_endpoint("trips");
  g.set_key("3");
  v1::GetResponse gr;
  ASSERT_TRUE(Call("/sluice.v1.Common/get", g, &gr).ok());
  EXPECT_EQ(gr.record().substr(0, 16), "{\"id\":3,\"fare\":4");
}

TEST_F(ServerTest, TypedGetAndQueryUseGeneratedMessages) {
  auto req = Typed("sluice.trips.v1.GetRequest");
  req->GetReflection()->SetInt64(req.get(), req->GetDescriptor()->FindFieldByName("id"), 3);
  auto rec = Typed("sluice.trips.v1.Record");
  ASSERT_TRUE(Call("/sluice.trips.Trips/get", *req, rec.get()).ok());
  EXPECT_EQ(rec->ShortDebugString().substr(0, 15), "id: 3 fare: 4.5");
  auto q = Typed("sluice.trips.v1.QueryRequest");
  auto qr = Typed("sluice.trips.v1.QueryResponse");
  ASSERT_TRUE(Call("/sluice.trips.v1.TripsV1/query", *q, qr.get()).ok());
  EXPECT_EQ(qr->GetReflection()->FieldSize(*qr, qr->GetDescriptor()->FindFieldByName("records")),
            3);
}

TEST_F(ServerTest, GetSelectsFieldsTypedAndCommon) {
  v1::GetRequest g;
  g.set_endpoint("trips");
  g.set_key("3");
  g.add_select("note");
  g.add_select("id");
  v1::GetResponse gr;
  ASSERT_TRUE(Call("/sluice.v1.Common/get", g, &gr).ok());
  EXPECT_EQ(gr.record(), "{\"note\":\"note, \\\"3\\\"\\n\",\"id\":3}");  // in the order named
  g.add_select("fair");
  grpc::Status s = Call("/sluice.v1.Common/get", g, &gr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "sluice.v1.GetRequest.select: unknown field 'fair' (did you mean \"fare\"?); fields: "
            "id, fare, at, day, paid, note");
  auto req = Typed("sluice.trips.v1.GetRequest");
  const auto* d = req->GetDescriptor();
  req->GetReflection()->SetInt64(req.get(), d->FindFieldByName("id"), 3);
  req->GetReflection()->AddString(req.get(), d->FindFieldByName("select"), "fare");
  auto rec = Typed("sluice.trips.v1.Record");
  ASSERT_TRUE(Call("/sluice.trips.Trips/get", *req, rec.get()).ok());
  EXPECT_EQ(rec->ShortDebugString(), "fare: 4.5");  // the key unselected: unset, as in REST
  req->GetReflection()->AddString(req.get(), d->FindFieldByName("select"), "fare");
  s = Call("/sluice.trips.Trips/get", *req, rec.get());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "sluice.trips.v1.GetRequest.select: field fare appears twice");
}

TEST_F(ServerTest, ErrorsMapToTheirCodes) {
  v1::CountRequest c;
  v1::CountResponse cr;
  c.set_endpoint("trips");
  c.set_query("bad");
  grpc::Status s = Call("/sluice.v1.Common/count", c, &cr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "query is not valid JSON: bad");
  c.set_query("unknown");  // a host answering UNKNOWN still never reaches the client as UNKNOWN
  EXPECT_EQ(Call("/sluice.v1.Common/count", c, &cr).error_code(), grpc::StatusCode::INTERNAL);
  c.set_query("");
  c.set_version(2);  // not ready
  s = Call("/sluice.v1.Common/count", c, &cr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(s.error_message().find("not ready"), std::string::npos);
  c.set_version(7);
  EXPECT_EQ(Call("/sluice.v1.Common/count", c, &cr).error_code(), grpc::StatusCode::NOT_FOUND);
  c.set_endpoint("nope");
  EXPECT_EQ(Call("/sluice.v1.Common/count", c, &cr).error_code(), grpc::StatusCode::NOT_FOUND);
  auto req = Typed("sluice.trips.v1.GetRequest");
  auto rec = Typed("sluice.trips.v1.Record");
  s = Call("/sluice.trips.v1.TripsV1/get", *req, rec.get());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  req->GetReflection()->SetInt64(req.get(), req->GetDescriptor()->FindFieldByName("id"), 9);
  s = Call("/sluice.trips.v1.TripsV1/get", *req, rec.get());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "trips v1: no record with key \"9\"");
  EXPECT_EQ(Call("/sluice.trips.v2.TripsV2/get", *req, rec.get()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Call("/sluice.trips.v3.TripsV3/get", *req, rec.get()).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(ServerTest, DeadlineEndsAStalledQuery) {
  v1::QueryRequest q;
  q.set_endpoint("trips");
  q.set_query("stall");
  v1::QueryResponse qr;
  auto start = std::chrono::steady_clock::now();
  grpc::Status s = Call("/sluice.v1.Common/query", q, &qr, 200);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  host_.Release();
  q.set_query("");
  EXPECT_TRUE(Call("/sluice.v1.Common/query", q, &qr).ok());  // the server is still fine
}

TEST_F(ServerTest, HealthFollowsReadinessAndSwitches) {
  server_->CatalogChanged();
  auto health = server_->catalog().Get()->Health();
  EXPECT_TRUE(health.at("sluice.trips.v1.TripsV1"));
  EXPECT_FALSE(health.at("sluice.trips.v2.TripsV2"));
  EXPECT_TRUE(health.at("sluice.trips.Trips"));
  host_.SetReady("trips", 2, true);
  host_.SetCurrentDirectly("trips", 2);
  server_->CatalogChanged();
  snap_ = server_->catalog().Get();
  health = snap_->Health();
  EXPECT_TRUE(health.at("sluice.trips.v2.TripsV2"));
  const auto* svc = snap_->pool().FindServiceByName("sluice.trips.Trips");
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(svc->FindMethodByName("get")->output_type()->full_name(), "sluice.trips.v2.Record");
  std::string version;
  EXPECT_EQ(Count("trips", &version), 5u);
  EXPECT_EQ(version, "2");
}

TEST_F(ServerTest, StreamsDeliverChangesAndAreLimited) {
  v1::EventRequest req;
  req.set_endpoint("trips");
  req.set_version(1);
  grpc::ClientContext ctx;
  const grpc::internal::RpcMethod method("/sluice.v1.Common/onEvent",
                                         grpc::internal::RpcMethod::SERVER_STREAMING);
  std::unique_ptr<grpc::ClientReader<v1::Event>> reader(
      grpc::internal::ClientReaderFactory<v1::Event>::Create(channel_.get(), method, &ctx, req));
  reader->WaitForInitialMetadata();  // the subscription is live
  EXPECT_EQ(host_.watchers(), 1);
  host_.Emit("trips", 1, SLUICE_OP_INSERT, SampleRow(7, true));
  host_.Emit("trips", 2, SLUICE_OP_INSERT, SampleRow(8, true));  // another version
  host_.Emit("trips", 1, SLUICE_OP_DELETE, SampleRow(1, true));
  v1::Event e;
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.op(), v1::OP_INSERT);
  EXPECT_EQ(e.record().substr(0, 8), "{\"id\":7,");
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.op(), v1::OP_DELETE);
  EXPECT_EQ(e.version(), 1u);
  // max_streams is 2: a third concurrent stream is refused.
  grpc::ClientContext ctx2, ctx3;
  std::unique_ptr<grpc::ClientReader<v1::Event>> second(
      grpc::internal::ClientReaderFactory<v1::Event>::Create(channel_.get(), method, &ctx2, req));
  second->WaitForInitialMetadata();
  std::unique_ptr<grpc::ClientReader<v1::Event>> third(
      grpc::internal::ClientReaderFactory<v1::Event>::Create(channel_.get(), method, &ctx3, req));
  EXPECT_FALSE(third->Read(&e));
  EXPECT_EQ(third->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ctx.TryCancel();
  while (reader->Read(&e)) {}
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // Stopping the server ends the remaining stream promptly.
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_FALSE(second->Read(&e));
  EXPECT_NE(second->Finish().error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(host_.watchers(), 0);
}

TEST_F(ServerTest, EndpointWithoutCurrentVersionIsUnavailable) {
  testing::FakeEndpoint zones{"zones", "/zones", 0, false, {}};
  zones.versions.push_back({1, false, testing::SampleSchema(), {}});
  host_.AddEndpoint(zones);
  server_->CatalogChanged();
  snap_ = server_->catalog().Get();
  EXPECT_FALSE(snap_->Health().at("sluice.zones.Zones"));
  EXPECT_FALSE(snap_->Health().at("sluice.zones.v1.ZonesV1"));
  auto q = Typed("sluice.zones.v1.CountRequest");
  auto r = Typed("sluice.zones.v1.CountResponse");
  EXPECT_EQ(Call("/sluice.zones.Zones/count", *q, r.get()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Call("/sluice.zones.v1.ZonesV1/count", *q, r.get()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST(ServerLimits, AnswersOverMaxMessageBytesAreRefused) {
  FakeApiHost host;
  testing::FakeEndpoint big{"big", "/big", 1, false, {}};
  big.versions.push_back({1, true, testing::SampleSchema(), {}});
  for (int id = 1; id <= 10; ++id) {
    std::string row;
    RowWriter w(&row, 6);
    w.Int64(id), w.Null(), w.Null(), w.Null(), w.Bool(true), w.String(std::string(1000, 'x'));
    big.versions[0].rows.emplace_back(std::to_string(id), row);
  }
  host.AddEndpoint(big);
  GrpcOptions o;
  o.port = 0;
  o.max_message_bytes = 4096;
  GrpcServer server(host.api(), HostServices(), o);
  std::string address;
  ASSERT_TRUE(server.Start(&address).ok());
  auto channel = grpc::CreateChannel(address.substr(7), grpc::InsecureChannelCredentials());
  v1::QueryRequest q;
  q.set_endpoint("big");
  v1::QueryResponse qr;
  grpc::ClientContext ctx;
  grpc::Status s = grpc::internal::BlockingUnaryCall<Message, Message>(
      channel.get(),
      grpc::internal::RpcMethod("/sluice.v1.Common/query", grpc::internal::RpcMethod::NORMAL_RPC),
      &ctx, q, &qr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_message().find("max_message_bytes (4096 bytes"), std::string::npos)
      << s.error_message();
  server.Stop();
}

TEST_F(ServerTest, ReflectionListsTypedServices) {
  snap_ = server_->catalog().Get();
  std::vector<std::string> names = snap_->TypedServices();
  EXPECT_EQ(names, (std::vector<std::string>{"sluice.trips.Trips", "sluice.trips.v1.TripsV1",
                                             "sluice.trips.v2.TripsV2"}));
  EXPECT_NE(snap_->pool().FindFileContainingSymbol("sluice.v1.Common"), nullptr);
  EXPECT_NE(snap_->pool().FindFileContainingSymbol("grpc.health.v1.Health"), nullptr);
}

}  // namespace
}  // namespace sluice::grpcapi
