#include "openapi.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fake_api_host.h"
#include "openapi_check.h"
#include "rest_plugin.h"
#include "sluice/atomic_file.h"

namespace sluice::rest {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

std::string Text(element e) {
  std::string_view s;
  return e.get(s) ? std::string("<not a string>") : std::string(s);
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    json_ = OpenApiDocument("trips", "/trips", 2, testing::TypedSchema());
    ASSERT_FALSE(parser_.parse(json_).get(doc_)) << json_;
  }
  element At(const char* pointer) {
    element e;
    EXPECT_FALSE(doc_.at_pointer(pointer).get(e)) << pointer;
    return e;
  }
  bool Has(const char* pointer) {
    element e;
    return !doc_.at_pointer(pointer).get(e);
  }

  std::string json_;
  simdjson::dom::parser parser_;
  element doc_;
};

TEST_F(OpenApiTest, HeaderAndInfo) {
  EXPECT_EQ(Text(At("/openapi")), "3.0.3");
  EXPECT_EQ(Text(At("/info/version")), "2");
  EXPECT_NE(Text(At("/info/title")).find("trips"), std::string::npos);
}

TEST_F(OpenApiTest, EveryRouteVersionedAndUnversioned) {
  object paths;
  ASSERT_FALSE(At("/paths").get(paths));
  EXPECT_EQ(paths.size(), 12u);
  for (std::string prefix : {"/v2/trips", "/trips"}) {
    struct {
      std::string path;
      const char* method;
    } routes[] = {{prefix, "get"},
                  {prefix + "/count", "post"},
                  {prefix + "/query", "post"},
                  {prefix + "/aggregate", "post"},
                  {prefix + "/oapi", "get"},
                  {prefix + "/{pk}", "get"}};
    for (const auto& r : routes) {
      // JSON pointer escapes '/' in a key as ~1.
      std::string key;
      for (char c : r.path) key += c == '/' ? std::string("~1") : std::string(1, c);
      std::string op = "/paths/" + key + "/" + r.method;
      EXPECT_TRUE(Has(op.c_str())) << op;
      EXPECT_TRUE(Has((op + "/responses/200").c_str())) << op;
      EXPECT_TRUE(Has((op + "/responses/404").c_str())) << op;
    }
  }
  EXPECT_EQ(Text(At("/paths/~1trips~1{pk}/get/parameters/0/name")), "pk");
  EXPECT_EQ(Text(At("/paths/~1trips~1{pk}/get/parameters/0/in")), "path");
  EXPECT_EQ(Text(At("/paths/~1v2~1trips/get/parameters/2/name")), "order_by");
  EXPECT_EQ(
      Text(At("/paths/~1trips~1query/post/requestBody/content/application~1json/schema/$ref")),
      "#/components/schemas/Query");
  EXPECT_EQ(
      Text(At("/paths/~1trips/get/responses/200/content/application~1json/schema/items/$ref")),
      "#/components/schemas/Record");
  EXPECT_EQ(Text(At("/paths/~1trips~1count/post/responses/413/$ref")),
            "#/components/responses/PayloadTooLarge");
  EXPECT_EQ(Text(At("/paths/~1trips/get/operationId")), "trips_list");
  EXPECT_EQ(Text(At("/paths/~1v2~1trips/get/operationId")), "trips_v2_list");
}

TEST_F(OpenApiTest, SelectFiltersAndExportAreDocumented) {
  // get by key: pk, then select; list: limit, skip, order_by, select, order,
  // after, or, and, then one filter per field (TypedSchema: id, fare, ...).
  EXPECT_EQ(Text(At("/paths/~1trips~1{pk}/get/parameters/1/name")), "select");
  const char* names[] = {"select", "order", "after", "or", "and", "id", "fare", "paid"};
  for (int i = 0; i < 8; ++i) {
    std::string p = "/paths/~1trips/get/parameters/" + std::to_string(3 + i) + "/name";
    EXPECT_EQ(Text(At(p.c_str())), names[i]) << p;
  }
  EXPECT_EQ(Text(At("/components/schemas/Query/properties/$select/items/enum/1")), "fare");
  EXPECT_TRUE(Has("/paths/~1trips/get/responses/200/content/text~1csv"));
  EXPECT_TRUE(Has("/paths/~1trips~1query/post/responses/200/content/application~1x-ndjson"));
  EXPECT_FALSE(Has("/paths/~1trips~1count/post/responses/200/content/text~1csv"));
}

TEST_F(OpenApiTest, RecordSchemaTypes) {
  struct {
    const char* field;
    const char* type;
    const char* format;
    bool nullable;
  } want[] = {{"id", "integer", "int64", false},    {"fare", "number", "double", true},
              {"paid", "boolean", nullptr, false},  {"note", "string", nullptr, true},
              {"at", "string", "date-time", false}, {"day", "string", "date", true}};
  object props;
  ASSERT_FALSE(At("/components/schemas/Record/properties").get(props));
  size_t i = 0;
  for (auto member : props) {  // schema order is kept
    ASSERT_LT(i, 6u);
    EXPECT_EQ(member.key, want[i].field);
    EXPECT_EQ(Text(member.value["type"]), want[i].type);
    element format;
    bool has_format = !member.value["format"].get(format);
    EXPECT_EQ(has_format, want[i].format != nullptr) << want[i].field;
    if (has_format) { EXPECT_EQ(Text(format), want[i].format); }
    bool nullable = false;
    if (member.value["nullable"].get(nullable)) nullable = false;
    EXPECT_EQ(nullable, want[i].nullable) << want[i].field;
    ++i;
  }
  EXPECT_EQ(i, 6u);
  simdjson::dom::array required;
  ASSERT_FALSE(At("/components/schemas/Record/required").get(required));
  EXPECT_EQ(required.size(), 6u);
  EXPECT_EQ(Text(At("/components/schemas/Record/required/5")), "day");
}

TEST_F(OpenApiTest, QueryAndErrorSchemas) {
  for (const char* p :
       {"/components/schemas/Query/properties/$filter",
        "/components/schemas/Query/properties/$order_by",
        "/components/schemas/Query/properties/$limit", "/components/schemas/Query/properties/$skip",
        "/components/schemas/Query/properties/$after",
        "/components/schemas/Error/properties/error/properties/code",
        "/components/schemas/Error/properties/error/properties/message",
        "/components/schemas/Count/properties/count", "/components/headers/X-Sluice-Version",
        "/components/responses/NotFound"})
    EXPECT_TRUE(Has(p)) << p;
  EXPECT_EQ(Text(At("/components/schemas/Query/properties/$order_by/$ref")),
            "#/components/schemas/OrderBy");
  EXPECT_EQ(Text(At("/components/schemas/OrderBy/oneOf/0/properties/fare/enum/1")), "desc");
  int64_t one_field = 0;  // the array form holds one field per element
  EXPECT_FALSE(At("/components/schemas/OrderBy/oneOf/1/items/maxProperties").get(one_field));
  EXPECT_EQ(one_field, 1);
}

TEST_F(OpenApiTest, QueryBodyIsTypedByTheSchema) {
  // Every field may be filtered: a value, or an operator object of its type.
  EXPECT_EQ(Text(At("/components/schemas/Filter/properties/fare/oneOf/0/type")), "number");
  EXPECT_EQ(Text(At("/components/schemas/Filter/properties/at/oneOf/1/properties/$gte/format")),
            "date-time");
  EXPECT_EQ(Text(At("/components/schemas/Filter/properties/id/oneOf/1/properties/$in/items/type")),
            "integer");
  EXPECT_EQ(Text(At("/components/schemas/Filter/properties/$and/items/$ref")),
            "#/components/schemas/Filter");
  EXPECT_EQ(Text(At("/components/schemas/Filter/properties/$not/$ref")),
            "#/components/schemas/Filter");
  EXPECT_TRUE(Has("/components/schemas/Filter/properties/note/oneOf/1/properties/$contains"));
  EXPECT_FALSE(Has("/components/schemas/Filter/properties/fare/oneOf/1/properties/$contains"));
  // Equality may test for null; comparisons may not.
  bool nullable = false;
  EXPECT_FALSE(
      At("/components/schemas/Filter/properties/id/oneOf/1/properties/$eq/nullable").get(nullable));
  EXPECT_TRUE(nullable);
  EXPECT_FALSE(Has("/components/schemas/Filter/properties/id/oneOf/1/properties/$lt/nullable"));
  // Unknown fields are refused by the server, so the schemas say so.
  bool extra = true;
  EXPECT_FALSE(At("/components/schemas/Filter/additionalProperties").get(extra));
  EXPECT_FALSE(extra);
  EXPECT_EQ(Text(At("/components/schemas/After/properties/day/format")), "date");
  EXPECT_EQ(Text(At("/components/schemas/Query/properties/$after/$ref")),
            "#/components/schemas/After");
}

TEST_F(OpenApiTest, ErrorResponsesAndPlanHeaders) {
  for (const char* op :
       {"/paths/~1trips/get", "/paths/~1v2~1trips~1count/post", "/paths/~1trips~1query/post",
        "/paths/~1trips~1oapi/get", "/paths/~1v2~1trips~1{pk}/get"}) {
    for (const char* code : {"400", "404", "405", "500", "503"})
      EXPECT_TRUE(Has((std::string(op) + "/responses/" + code).c_str())) << op << " " << code;
  }
  EXPECT_TRUE(Has("/components/responses/MethodNotAllowed/headers/Allow"));
  EXPECT_NE(Text(At("/components/responses/BadRequest/description")).find("scan budget"),
            std::string::npos);
  for (const char* op : {"/paths/~1trips/get", "/paths/~1v2~1trips~1query/post"}) {
    std::string h = std::string(op) + "/responses/200/headers/";
    EXPECT_EQ(Text(At((h + "X-Sluice-Plan/$ref").c_str())), "#/components/headers/X-Sluice-Plan");
    EXPECT_EQ(Text(At((h + "X-Sluice-Scan/$ref").c_str())), "#/components/headers/X-Sluice-Scan");
  }
  EXPECT_FALSE(Has("/paths/~1trips~1count/post/responses/200/headers/X-Sluice-Plan"));
  EXPECT_EQ(Text(At("/components/headers/X-Sluice-Scan/schema/type")), "boolean");
}

// The strict structural check runs everywhere, validator or not.
TEST(OpenApiStructure, DocumentsPassTheStrictCheck) {
  Schema pair;
  pair.fields = {{"zone/name", Type::kString, false}, {"a~b", Type::kString, true}};
  pair.primary_key = {0};
  for (const std::string& doc :
       {OpenApiDocument("trips", "/trips", 2, testing::TypedSchema()),
        OpenApiDocument("zones", "/geo/zones", 12, pair),
        OpenApiDocument("my-endpoint.x", "/a/b", 1, testing::TypedSchema())}) {
    std::vector<std::string> problems = testing::CheckOpenApi30(doc);
    EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems[0];
  }
}

// The check finds what it is there to find (so a pass means something).
TEST(OpenApiStructure, CheckCatchesBrokenDocuments) {
  std::string good = OpenApiDocument("trips", "/trips", 2, testing::TypedSchema());
  auto broken = [&](std::string_view from, std::string_view to) {
    std::string doc = good;
    size_t at = doc.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) doc.replace(at, from.size(), to);
    return testing::CheckOpenApi30(doc);
  };
  auto mentions = [](const std::vector<std::string>& problems, std::string_view what) {
    for (const std::string& p : problems)
      if (p.find(what) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(mentions(broken("\"#/components/schemas/Record\"", "\"#/components/schemas/Nope\""),
                       "does not resolve"));
  EXPECT_TRUE(mentions(broken("\"description\":\"OK\",", ""), "needs a string \"description\""));
  EXPECT_TRUE(
      mentions(broken("\"operationId\":\"trips_list\"", "\"operationId\":\"trips_v2_list\""),
               "is not unique"));
  EXPECT_TRUE(
      mentions(broken("\"name\":\"pk\",\"in\":\"path\"", "\"name\":\"key\",\"in\":\"path\""),
               "path templates and path parameters differ"));
  EXPECT_TRUE(
      mentions(broken("\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Record\"}",
                      "\"type\":\"array\""),
               "needs \"items\""));
  EXPECT_TRUE(mentions(broken("\"openapi\":\"3.0.3\"", "\"openapi\":\"3.1.0\""), "3.0.x"));
  EXPECT_TRUE(mentions(broken("\"nullable\":true", "\"nullable\":\"yes\""), "expected a boolean"));
  EXPECT_TRUE(mentions(broken("\"type\":\"integer\"", "\"type\":[\"integer\",\"null\"]"),
                       "expected one of integer"));
  EXPECT_TRUE(mentions(broken("\"required\":[\"id\"", "\"required\":[\"nope\""),
                       "is not a declared property"));
  EXPECT_TRUE(mentions(broken("\"404\":", "\"4o4\":"), "is not a status code"));
  EXPECT_TRUE(mentions(broken("\"summary\":", "\"sumary\":"), "unknown key \"sumary\""));
  EXPECT_FALSE(testing::CheckOpenApi30("{\"openapi\":").empty());
}

std::string TempDir() {
  char tmpl[] = "/tmp/sluice-rest-test-XXXXXX";
  return ::mkdtemp(tmpl);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(WriteArtifacts, WritesOpenApiJsonAtomically) {
  testing::FakeApiHost fake;
  std::unique_ptr<RestPlugin> plugin;
  ASSERT_TRUE(RestPlugin::Create(HostServices(), Options(), ApiHost(fake.c()), &plugin).ok());
  std::string dir = TempDir();
  Schema schema = testing::TypedSchema();
  ASSERT_TRUE(plugin->WriteArtifacts("trips", "/trips", 3, schema, dir).ok());
  EXPECT_EQ(ReadFile(dir + "/openapi.json"), OpenApiDocument("trips", "/trips", 3, schema));
  struct stat st;
  EXPECT_NE(::stat((dir + "/openapi.json.tmp").c_str(), &st), 0);
  // Rewriting replaces the file.
  ASSERT_TRUE(plugin->WriteArtifacts("trips", "/trips", 4, schema, dir).ok());
  EXPECT_NE(ReadFile(dir + "/openapi.json").find("\"version\":\"4\""), std::string::npos);
  std::filesystem::remove_all(dir);
}

// Checks the document with an independent validator when the machine has
// one (the Python package openapi-spec-validator); skipped otherwise, when
// OpenApiStructure above still checks it strictly.
TEST(OpenApiValidator, DocumentIsValidOpenApi303) {
  if (std::system("python3 -c 'import openapi_spec_validator' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3 module openapi_spec_validator not installed";
  std::string dir = TempDir();
  std::ofstream(dir + "/openapi.json")
      << OpenApiDocument("zones", "/geo/zones", 12, testing::TypedSchema());
  std::string cmd =
      "python3 -c 'import json, sys; from openapi_spec_validator import validate; "
      "validate(json.load(open(sys.argv[1])))' " +
      dir + "/openapi.json";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "validator rejected the document (output above)";
  std::filesystem::remove_all(dir);
}

TEST(WriteArtifacts, ErrorsNameTheFile) {
  testing::FakeApiHost fake;
  std::unique_ptr<RestPlugin> plugin;
  ASSERT_TRUE(RestPlugin::Create(HostServices(), Options(), ApiHost(fake.c()), &plugin).ok());
  Status s = plugin->WriteArtifacts("trips", "/trips", 1, testing::TypedSchema(),
                                    "/nonexistent/sluice/dir");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_NE(s.message().find("/nonexistent/sluice/dir/openapi.json.tmp"), std::string::npos)
      << s.message();
  s = plugin->WriteArtifacts("trips", "trips", 1, testing::TypedSchema(), "/tmp");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::rest
