// The fixture plugins of tests/fixtures at work once loaded: an ABI 1.0 C
// API plugin through the C++ client proxy (and the proxy's refusal of
// incomplete tables), and the fixture source read through its C table.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "plugin/plugin_catalog.h"
#include "sluice/client/api_client.h"
#include "sluice/row.h"
#include "tests/plugin_test_util.h"
#include "util/log.h"

namespace sluice::host::plugin_test {
namespace {

namespace fs = std::filesystem;

class LoadedPluginTest : public ::testing::Test {
 protected:
  const PluginInfo* Load(const std::string& fixture) {
    const PluginInfo* info = nullptr;
    Status s = catalog_.LoadFile(Fixture(fixture), &info);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return info;
  }
  PluginCatalog catalog_;
};

TEST_F(LoadedPluginTest, OlderMinorCApiPluginRunsThroughTheClientProxy) {
  const PluginInfo* info = Load("c_api");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->abi_minor, 0);
  auto* vt = static_cast<const sluice_api_vtable*>(info->vtable);
  sluice_api_host api{};  // the fixture never calls the query service
  api.struct_size = sizeof(api);

  std::unique_ptr<ApiPlugin> plugin;
  Status s =
      client::CreateApi(vt, log::HostServicesTable(), Opts({{"refuse", "closed"}}), &api, &plugin);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "refused: closed");

  ASSERT_TRUE(client::CreateApi(vt, log::HostServicesTable(), Opts({{"address", "fixture://here"}}),
                                &api, &plugin)
                  .ok());
  std::vector<std::string> addresses;
  ASSERT_TRUE(plugin->Start(&addresses).ok());
  EXPECT_EQ(addresses, std::vector<std::string>{"fixture://here"});
  s = plugin->Start(&addresses);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(), "already started at fixture://here");
  plugin->CatalogChanged();
  EXPECT_TRUE(plugin->Reload().ok());  // a 1.0 table has no reload: nothing to do
  plugin->Stop();
  EXPECT_TRUE(plugin->Start(&addresses).ok());  // restartable after Stop

  fs::path dir = fs::temp_directory_path() / ("sluice_plugin_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  Schema schema;
  schema.fields = {{"id", Type::kInt64, false}, {"name", Type::kString, true}};
  schema.primary_key = {0};
  ASSERT_TRUE(plugin->WriteArtifacts("trips", "/trips", 2, schema, dir.string()).ok());
  std::ifstream in(dir / "trips.fields");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "/trips v2\nid:1!\nname:4\n");
  s = plugin->WriteArtifacts("trips", "/trips", 2, schema, (dir / "missing").string());
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(s.message(), "cannot write " + (dir / "missing" / "trips.fields").string());
  fs::remove_all(dir);
}

TEST(ApiClientTest, RefusesIncompleteTables) {
  sluice_api_vtable vt{};
  vt.struct_size = 8;
  std::unique_ptr<ApiPlugin> plugin;
  Status s = client::CreateApi(&vt, nullptr, Options(), nullptr, &plugin);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(), "api plugin function table has 8 bytes, expected at least " +
                             std::to_string(offsetof(sluice_api_vtable, reload)) +
                             " — rebuild the plugin against this SDK");
  vt.struct_size = sizeof(vt);
  EXPECT_EQ(client::CreateApi(&vt, nullptr, Options(), nullptr, &plugin).message(),
            "api plugin function table lacks create");
  EXPECT_EQ(client::CreateApi(nullptr, nullptr, Options(), nullptr, &plugin).code(),
            Code::kInvalidArgument);
}

// Reads every row a source table yields, via the plugin's C table.
struct SourceCalls {
  const sluice_source_vtable* vt;
  void* conn = nullptr;
  sluice_status st{};

  Schema Describe(const char* table) {
    Schema out;
    int32_t rc = vt->describe(
        conn, table, nullptr,
        [](void* ctx, const sluice_schema* s) { Schema::FromC(*s, static_cast<Schema*>(ctx)); },
        &out, &st);
    EXPECT_EQ(rc, SLUICE_OK) << st.message;
    return out;
  }
  // Rows as "v1|v2|..." ("-" for null), each followed by "@offset"; the
  // batch size is `max_rows`. Stops at the end or the first error.
  std::vector<std::string> Read(const char* table, const Schema& schema, const std::string& offset,
                                uint32_t max_rows, Status* status) {
    SchemaView view(schema);
    void* reader = nullptr;
    sluice_bytes from{reinterpret_cast<const uint8_t*>(offset.data()), offset.size()};
    std::vector<std::string> rows;
    *status =
        Status::FromC(vt->reader_open(conn, table, nullptr, view.get(), from, &reader, &st), st);
    for (sluice_row_batch b{}; status->ok() && !b.at_end;) {
      *status = Status::FromC(vt->reader_next(reader, max_rows, &b, &st), st);
      for (uint32_t i = 0; status->ok() && i < b.row_count; ++i)
        rows.push_back(Render(schema, b, i));
    }
    if (reader != nullptr) vt->reader_close(reader);
    return rows;
  }
  static std::string Render(const Schema& schema, const sluice_row_batch& b, uint32_t i) {
    std::vector<Value> values;
    EXPECT_EQ(DecodeRow(schema, BatchRow(b, i), &values), "");
    std::string out;
    for (const Value& v : values) {
      out += out.empty() ? "" : "|";
      if (v.null) out += "-";
      else if (v.type == Type::kString) out += std::string(v.str);
      else if (v.type == Type::kFloat64) out += std::to_string(v.f);
      else out += std::to_string(v.i);
    }
    return out + "@" + std::string(BatchOffset(b, i));
  }
};

TEST_F(LoadedPluginTest, FixtureSourceReadsAndResumes) {
  const PluginInfo* info = Load("fixture_rows");
  ASSERT_NE(info, nullptr);
  SourceCalls src{static_cast<const sluice_source_vtable*>(info->vtable)};
  Options options = Opts({{"tables.people.columns.0", "id:int64"},
                          {"tables.people.columns.1", "name:string"},
                          {"tables.people.columns.2", "ok:bool"},
                          {"tables.people.rows.0", "1,ann,true"},
                          {"tables.people.rows.1", "2,,false"},
                          {"tables.people.rows.2", "3,cy,"},
                          {"tables.bad.columns.0", "n:int64"},
                          {"tables.bad.rows.0", "7"},
                          {"tables.bad.rows.1", "x"}});
  OptionsView view(options);
  ASSERT_EQ(src.vt->create(log::HostServicesTable(), view.get(), &src.conn, &src.st), SLUICE_OK);

  Schema schema = src.Describe("people");
  ASSERT_EQ(schema.fields.size(), 3u);
  EXPECT_EQ(schema.fields[2].type, Type::kBool);
  Status s;
  EXPECT_EQ(src.Read("people", schema, "", 2, &s),
            (std::vector<std::string>{"1|ann|1@1", "2|-|0@2", "3|cy|-@3"}));
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(src.Read("people", schema, "2", 10, &s), std::vector<std::string>{"3|cy|-@3"});
  EXPECT_TRUE(src.Read("people", schema, "3", 10, &s).empty());
  EXPECT_TRUE(s.ok());

  EXPECT_EQ(src.Read("bad", src.Describe("bad"), "", 10, &s), std::vector<std::string>{"7@1"});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "table bad row 1 column n: expected int64, found \"x\"");
  EXPECT_EQ(src.vt->describe(
                src.conn, "nope", nullptr, [](void*, const sluice_schema*) {}, nullptr, &src.st),
            SLUICE_NOT_FOUND);
  EXPECT_STREQ(src.st.message, "table nope is not defined (no option tables.nope.columns.0)");
  src.vt->destroy(src.conn);
}

}  // namespace
}  // namespace sluice::host::plugin_test
