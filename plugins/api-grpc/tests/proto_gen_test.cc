#include "proto_gen.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "names.h"

namespace sluice::grpcapi {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::FileDescriptorProto;

Schema TripsSchema() {
  Schema s;
  s.fields = {{"Trip ID", Type::kInt64, false},      {"$fare", Type::kFloat64, true},
              {"paid", Type::kBool, false},          {"2nd zone", Type::kString, true},
              {"pickup at", Type::kTimestamp, true}, {"day", Type::kDate, false},
              {"trip_id", Type::kString, true}};
  s.primary_key = {5, 0};
  return s;
}

TEST(ProtoGen, RejectsSchemasWithoutFieldsOrKey) {
  FileDescriptorProto f;
  Schema s;
  EXPECT_EQ(BuildVersionProto("t", 1, s, &f).code(), Code::kInvalidArgument);
  s.fields = {{"a", Type::kInt64, false}};
  Status st = BuildVersionProto("t", 1, s, &f);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("no primary key"), std::string::npos) << st.message();
}

TEST(ProtoGen, RecordFieldsFollowTheSchema) {
  VersionFile vf;
  ASSERT_TRUE(GenerateVersionFile("trips", 2, TripsSchema(), &vf).ok());
  DescriptorPool pool(DescriptorPool::generated_pool());
  const FileDescriptor* file = pool.BuildFile(vf.proto);
  ASSERT_NE(file, nullptr) << vf.text;
  EXPECT_EQ(file->package(), "sluice.trips.v2");
  const Descriptor* rec = file->FindMessageTypeByName("Record");
  ASSERT_NE(rec, nullptr);
  ASSERT_EQ(rec->field_count(), 7);
  const char* names[] = {"trip_id", "fare", "paid", "f_2nd_zone", "pickup_at", "day", "trip_id_2"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(rec->field(i)->name(), names[i]);
    EXPECT_EQ(rec->field(i)->number(), i + 1);
  }
  EXPECT_EQ(rec->field(0)->type(), FieldDescriptor::TYPE_INT64);
  EXPECT_FALSE(rec->field(0)->has_presence());  // non-nullable: plain proto3 scalar
  EXPECT_EQ(rec->field(1)->type(), FieldDescriptor::TYPE_DOUBLE);
  EXPECT_TRUE(rec->field(1)->has_optional_keyword());
  EXPECT_EQ(rec->field(4)->message_type()->full_name(), "google.protobuf.Timestamp");
  EXPECT_EQ(rec->field(5)->type(), FieldDescriptor::TYPE_STRING);  // date
  const Descriptor* get = file->FindMessageTypeByName("GetRequest");
  ASSERT_EQ(get->field_count(), 3);  // key order: day, Trip ID; then select
  EXPECT_EQ(get->field(0)->name(), "day");
  EXPECT_EQ(get->field(1)->name(), "trip_id");
  EXPECT_TRUE(get->field(0)->has_presence());
  EXPECT_TRUE(get->field(1)->has_presence());
  EXPECT_EQ(get->field(2)->name(), "select");
  EXPECT_EQ(get->field(2)->number(), GetSelectNumber(TripsSchema()));
  EXPECT_EQ(get->field(2)->number(), 3);
  EXPECT_TRUE(get->field(2)->is_repeated());
  EXPECT_EQ(get->field(2)->type(), FieldDescriptor::TYPE_STRING);
  const auto* service = file->FindServiceByName("TripsV2");
  ASSERT_NE(service, nullptr);
  ASSERT_EQ(service->method_count(), 4);
  EXPECT_EQ(service->FindMethodByName("get")->output_type(), rec);
  EXPECT_TRUE(service->FindMethodByName("onEvent")->server_streaming());
}

TEST(ProtoGen, TextIsReadableAndParsesToTheSameDescriptor) {
  VersionFile vf;
  ASSERT_TRUE(GenerateVersionFile("trips", 2, TripsSchema(), &vf).ok());
  EXPECT_NE(vf.text.find("syntax = \"proto3\";"), std::string::npos) << vf.text;
  EXPECT_NE(vf.text.find("import \"google/protobuf/timestamp.proto\";"), std::string::npos);
  EXPECT_NE(vf.text.find("// column \"$fare\": float64, nullable"), std::string::npos) << vf.text;
  EXPECT_NE(vf.text.find("optional double fare = 2;"), std::string::npos) << vf.text;
  EXPECT_NE(vf.text.find("int64 trip_id = 1;"), std::string::npos) << vf.text;
  EXPECT_NE(vf.text.find("service TripsV2"), std::string::npos) << vf.text;
  EXPECT_NE(vf.text.find("primary key"), std::string::npos) << vf.text;
  // The parsed text equals the directly built descriptor, source info aside.
  FileDescriptorProto direct;
  ASSERT_TRUE(BuildVersionProto("trips", 2, TripsSchema(), &direct).ok());
  FileDescriptorProto parsed = vf.proto;
  direct.clear_source_code_info();
  for (auto& m : *direct.mutable_message_type())  // the parser leaves named types unresolved
    for (auto& f : *m.mutable_field())
      if (f.has_type_name()) f.clear_type();
  parsed.clear_source_code_info();
  std::string diff;
  google::protobuf::util::MessageDifferencer d;
  d.ReportDifferencesToString(&diff);
  EXPECT_TRUE(d.Compare(direct, parsed)) << diff << "\n" << vf.text;
  EXPECT_GT(vf.proto.source_code_info().location_size(), 10);  // comments kept for reflection
}

TEST(ProtoGen, HostileColumnNamesStillGiveAValidFile) {
  Schema s;
  s.fields = {{"id", Type::kInt64, false},
              {"message", Type::kString, true},
              {"optional", Type::kString, true},
              {"a\nb\"c*/", Type::kBool, true},
              {"\xe6\x97\xa5\xe6\x9c\xac", Type::kString, true},
              {"ID", Type::kInt64, true},
              {"syntax", Type::kDate, true},
              {"import", Type::kFloat64, true}};
  s.primary_key = {0};
  VersionFile vf;
  Status st = GenerateVersionFile("my-table", 1, s, &vf);
  ASSERT_TRUE(st.ok()) << st.ToString();
  DescriptorPool pool(DescriptorPool::generated_pool());
  const FileDescriptor* file = pool.BuildFile(vf.proto);
  ASSERT_NE(file, nullptr) << vf.text;
  const Descriptor* rec = file->FindMessageTypeByName("Record");
  EXPECT_EQ(rec->field(3)->name(), "a_b_c");
  EXPECT_EQ(rec->field(4)->name(), "field_5");
  EXPECT_EQ(rec->field(5)->name(), "id_2");
  EXPECT_NE(file->FindServiceByName("MyTableV1"), nullptr);
  // A key column named "select" keeps its name; GetRequest's select moves.
  s.fields[1].name = "Select";
  s.primary_key = {1, 0};
  st = GenerateVersionFile("my-table", 2, s, &vf);
  ASSERT_TRUE(st.ok()) << st.ToString();
  file = pool.BuildFile(vf.proto);
  ASSERT_NE(file, nullptr) << vf.text;
  const Descriptor* get = file->FindMessageTypeByName("GetRequest");
  ASSERT_EQ(get->field_count(), 3);
  EXPECT_EQ(get->field(0)->name(), "select");
  EXPECT_EQ(get->field(2)->name(), "select_2");
  EXPECT_EQ(get->field(2)->number(), GetSelectNumber(s));
}

TEST(ProtoGen, DescriptorSetCarriesImports) {
  VersionFile vf;
  ASSERT_TRUE(GenerateVersionFile("trips", 2, TripsSchema(), &vf).ok());
  std::string bytes;
  ASSERT_TRUE(DescriptorSetOf(vf.proto, &bytes).ok());
  google::protobuf::FileDescriptorSet set;
  ASSERT_TRUE(set.ParseFromString(bytes));
  ASSERT_EQ(set.file_size(), 2);
  EXPECT_EQ(set.file(0).name(), "google/protobuf/timestamp.proto");
  EXPECT_EQ(set.file(1).name(), "sluice/trips/v2/trips.proto");
  // Loadable on its own, without the generated pool.
  DescriptorPool pool;
  for (const auto& f : set.file()) ASSERT_NE(pool.BuildFile(f), nullptr) << f.name();
}

TEST(ProtoGen, EndpointFileServesTheCurrentVersionsMessages) {
  VersionFile vf;
  ASSERT_TRUE(GenerateVersionFile("trips", 2, TripsSchema(), &vf).ok());
  DescriptorPool pool(DescriptorPool::generated_pool());
  ASSERT_NE(pool.BuildFile(vf.proto), nullptr);
  const FileDescriptor* file = pool.BuildFile(BuildEndpointFile("trips", 2));
  ASSERT_NE(file, nullptr);
  const auto* service = pool.FindServiceByName("sluice.trips.Trips");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->FindMethodByName("query")->output_type()->full_name(),
            "sluice.trips.v2.QueryResponse");
}

}  // namespace
}  // namespace sluice::grpcapi
