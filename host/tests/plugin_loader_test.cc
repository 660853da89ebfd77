// Plugin discovery and loading: the first-party plugins, the fixture
// plugins of tests/fixtures (one per way a file can be refused), the ABI
// rule, and the C++ proxy over an API plugin's C table.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "plugin/descriptor.h"
#include "plugin/plugin_catalog.h"
#include "sluice/client/api_client.h"
#include "sluice/row.h"
#include "util/log.h"

namespace sluice::host {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = SLUICE_TEST_FIXTURE_DIR;
const fs::path kPlugins = SLUICE_TEST_PLUGIN_DIR;

fs::path Fixture(const std::string& name) { return kFixtures / (name + ".so"); }

// "plugin "<stem>" (<fixture path>)".
std::string Lead(const std::string& stem, const std::string& file) {
  return "plugin \"" + stem + "\" (" + Fixture(file).string() + ")";
}

const std::string kHost = std::to_string(SLUICE_ABI_MAJOR) + "." + std::to_string(SLUICE_ABI_MINOR);
const std::string kRebuild =
    "rebuild it against sluice SDK " + std::to_string(SLUICE_ABI_MAJOR) + ".x";

Options Opts(std::vector<std::pair<std::string, std::string>> items) {
  return Options(std::move(items));
}

// The status of loading one fixture into a fresh catalog.
Status LoadFixture(const std::string& name) {
  PluginCatalog catalog;
  const PluginInfo* info = nullptr;
  return catalog.LoadFile(Fixture(name), &info);
}

// ---- the ABI rule ----

TEST(CheckAbiTest, SameMajorAndNoNewerMinorLoads) {
  EXPECT_TRUE(CheckAbi(1, 0, 1, 0).ok());
  EXPECT_TRUE(CheckAbi(1, 0, 1, 3).ok());  // older minor
  EXPECT_TRUE(CheckAbi(1, 3, 1, 3).ok());
  EXPECT_TRUE(CheckAbi(SLUICE_ABI_MAJOR, 0, SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR).ok());
}

TEST(CheckAbiTest, NewerMinorIsRefused) {
  Status s = CheckAbi(1, 4, 1, 3);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(
      s.message(),
      "built for ABI 1.4, host provides 1.3 — upgrade sluice to a release providing ABI 1.4 or "
      "later, or rebuild the plugin against sluice SDK 1.3");
}

TEST(CheckAbiTest, OtherMajorIsRefused) {
  EXPECT_EQ(CheckAbi(2, 0, 1, 0).message(),
            "built for ABI 2.0, host provides 1.0 — rebuild it against sluice SDK 1.x");
  EXPECT_EQ(CheckAbi(1, 7, 2, 1).message(),
            "built for ABI 1.7, host provides 2.1 — rebuild it against sluice SDK 2.x");
}

TEST(DescriptorTest, ApiTablesGrewInAbi12) {
  size_t v10 = offsetof(sluice_api_vtable, catalog_changed) + sizeof(void (*)(void*));
  EXPECT_EQ(RequiredVtableSize(PluginKind::kApi, 0), v10);
  EXPECT_EQ(RequiredVtableSize(PluginKind::kApi, 1), v10);
  EXPECT_EQ(RequiredVtableSize(PluginKind::kApi, 2), sizeof(sluice_api_vtable));
  EXPECT_GT(sizeof(sluice_api_vtable), v10);  // reload was appended
}

TEST(DescriptorTest, InMemoryDescriptorsAreChecked) {
  static const sluice_source_vtable table = {
      sizeof(sluice_source_vtable), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
  sluice_plugin_descriptor d = {sizeof(d), SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR, SLUICE_KIND_SOURCE,
                                "mem",     nullptr,          nullptr,          &table};
  PluginInfo info;
  ASSERT_TRUE(ValidateDescriptor(&d, "/x/mem.so", &info).ok());
  EXPECT_EQ(info.name, "mem");
  EXPECT_EQ(info.kind, PluginKind::kSource);
  EXPECT_EQ(info.version, "");
  EXPECT_EQ(info.vtable, &table);

  d.struct_size = 4;
  EXPECT_EQ(ValidateDescriptor(&d, "/x/mem.so", &info).message(),
            "plugin \"mem\" (/x/mem.so) is broken: its descriptor declares struct_size 4, less "
            "than the 8 "
            "bytes every ABI version starts with — " +
                kRebuild);
  d.struct_size = sizeof(d);
  d.name = nullptr;
  EXPECT_EQ(
      ValidateDescriptor(&d, "/x/mem.so", &info).message(),
      "plugin \"mem\" (/x/mem.so) declares no name (name is NULL) — plugin names use lower-case "
      "letters, digits, '_' and '-'; fix the name given to SLUICE_PLUGIN() and rebuild");
  std::string long_name(70, 'a');
  d.name = long_name.c_str();
  EXPECT_EQ(ValidateDescriptor(&d, "/x/mem.so", &info).message(),
            "plugin \"mem\" (/x/mem.so) declares a name longer than 64 characters (\"" +
                std::string(65, 'a') +
                "...\") — plugin names use lower-case letters, digits, '_' "
                "and '-'; fix the name given to SLUICE_PLUGIN() and rebuild");
}

// ---- first-party plugins (built by their own folders; skipped until they exist) ----

void ExpectFirstParty(const std::string& file, PluginKind kind, const std::string& name) {
  fs::path path = kPlugins / file;
  if (!fs::exists(path)) GTEST_SKIP() << path << " is not built yet";
  PluginCatalog catalog;
  const PluginInfo* info = nullptr;
  Status s = catalog.LoadFile(path, &info);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(info->kind, kind);
  EXPECT_EQ(info->name, name);
  EXPECT_EQ(info->abi_major, SLUICE_ABI_MAJOR);
  EXPECT_LE(info->abi_minor, SLUICE_ABI_MINOR);
  EXPECT_FALSE(info->version.empty());
  EXPECT_EQ(info->path, path.lexically_normal());
  EXPECT_EQ(catalog.Find(kind, name), info);
}

TEST(FirstPartyPluginTest, StorageLevelDb) {
  ExpectFirstParty("storage_leveldb.so", PluginKind::kStorage, "leveldb");
}
TEST(FirstPartyPluginTest, SourceCsv) {
  ExpectFirstParty("source_csv.so", PluginKind::kSource, "csv");
}
TEST(FirstPartyPluginTest, ApiRest) { ExpectFirstParty("api_rest.so", PluginKind::kApi, "rest"); }

TEST(DefaultPluginDirTest, IsNextToTheExecutablesLibDir) {
  // host_test lives in build/bin, like the sluice binary.
  EXPECT_EQ(DefaultPluginDir(), kPlugins.lexically_normal());
}

// ---- every refusal, by fixture ----

TEST(RefusalTest, MissingFile) {
  Status s = LoadFixture("does_not_exist");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "plugin file " + Fixture("does_not_exist").string() +
                             " does not exist — check the path, or build and install the plugin");
}

TEST(RefusalTest, NotASharedObject) {
  Status s = LoadFixture("not_a_plugin");
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  std::string head =
      "plugin file " + Fixture("not_a_plugin").string() + " is not a loadable shared object: ";
  EXPECT_EQ(s.message().substr(0, head.size()), head) << s.message();
  // The dynamic loader's own words, naming the file.
  EXPECT_NE(s.message().find(Fixture("not_a_plugin").string() + ": invalid ELF header"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find(
                " — remove it from the plugin directory, or rebuild it for this system if it "
                "is a sluice plugin"),
            std::string::npos)
      << s.message();
}

TEST(RefusalTest, NoEntrySymbol) {
  Status s = LoadFixture("no_entry");
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "plugin file " + Fixture("no_entry").string() +
                " is not a sluice plugin: it does not export sluice_plugin_entry — export one "
                "with SLUICE_PLUGIN() (sluice/plugin.h), or remove the file from the plugin "
                "directory");
}

TEST(RefusalTest, EntryReturnsNull) {
  EXPECT_EQ(
      LoadFixture("entry_null").message(),
      Lead("entry_null", "entry_null") +
          " is broken: sluice_plugin_entry() returned NULL — it must return a pointer to a static "
          "sluice_plugin_descriptor; export plugins with SLUICE_PLUGIN() (sluice/plugin.h)");
}

TEST(RefusalTest, NewerMajor) {
  EXPECT_EQ(LoadFixture("abi_major_next").message(),
            Lead("abi_major_next", "abi_major_next") + " is incompatible: built for ABI " +
                std::to_string(SLUICE_ABI_MAJOR + 1) + "." + std::to_string(SLUICE_ABI_MINOR) +
                ", host provides " + kHost + " — " + kRebuild);
}

TEST(RefusalTest, NewerMinor) {
  std::string minor = std::to_string(SLUICE_ABI_MAJOR) + "." + std::to_string(SLUICE_ABI_MINOR + 1);
  EXPECT_EQ(LoadFixture("abi_minor_next").message(),
            Lead("abi_minor_next", "abi_minor_next") + " is incompatible: built for ABI " + minor +
                ", host provides " + kHost + " — upgrade sluice to a release providing ABI " +
                minor + " or later, or rebuild the plugin against sluice SDK " + kHost);
}

TEST(RefusalTest, DescriptorTooSmall) {
  EXPECT_EQ(LoadFixture("descriptor_small").message(),
            Lead("descriptor_small", "descriptor_small") +
                " is broken: its descriptor is 16 bytes, ABI " + kHost + " requires at least " +
                std::to_string(offsetof(sluice_plugin_descriptor, options)) + " — " + kRebuild);
}

TEST(RefusalTest, InvalidName) {
  EXPECT_EQ(
      LoadFixture("bad_name").message(),
      Lead("bad_name", "bad_name") +
          " declares an invalid name \"Bad Name!\" — plugin names use lower-case letters, digits, "
          "'_' and '-'; fix the name given to SLUICE_PLUGIN() and rebuild");
}

TEST(RefusalTest, UnknownKind) {
  EXPECT_EQ(LoadFixture("kind_99").message(),
            Lead("weird_kind", "kind_99") +
                " has unknown kind 99; this host knows 1 (storage), 2 (source) and 3 (api) — " +
                kRebuild);
}

TEST(RefusalTest, NullFunctionTable) {
  EXPECT_EQ(LoadFixture("vtable_null").message(),
            Lead("no_table", "vtable_null") +
                " is broken: its source function table (vtable) is NULL — " + kRebuild +
                " and export it with SLUICE_PLUGIN()");
}

TEST(RefusalTest, FunctionTableTooSmall) {
  EXPECT_EQ(LoadFixture("vtable_small").message(),
            Lead("tiny_table", "vtable_small") +
                " is broken: its source function table is 8 bytes, ABI " + kHost +
                " requires at least " + std::to_string(sizeof(sluice_source_vtable)) + " — " +
                kRebuild);
}

TEST(RefusalTest, DuplicateNameKeepsTheFirst) {
  PluginCatalog catalog;
  const PluginInfo* first = nullptr;
  ASSERT_TRUE(catalog.LoadFile(Fixture("twin_a"), &first).ok());
  const PluginInfo* second = nullptr;
  Status s = catalog.LoadFile(Fixture("twin_b"), &second);
  EXPECT_EQ(s.code(), Code::kAlreadyExists);
  EXPECT_EQ(s.message(), "source plugin \"twin\" in " + Fixture("twin_b").string() +
                             " duplicates the one in " + Fixture("twin_a").string() +
                             ", which was loaded first and is used — remove one of the two files");
  EXPECT_EQ(second, nullptr);
  EXPECT_EQ(catalog.Find(PluginKind::kSource, "twin"), first);
}

// ---- discovery ----

TEST(DiscoverTest, LoadsWhatItCanAndRecordsTheRest) {
  PluginCatalog catalog;
  fs::path missing = kFixtures / "no_such_dir";
  catalog.Discover({kFixtures, missing, kFixtures});
  std::vector<std::string> loaded;
  for (const PluginInfo& p : catalog.plugins()) loaded.push_back(p.name);
  EXPECT_EQ(loaded,
            (std::vector<std::string>{"c_api", "fixture_rows", "twin"}));  // file name order
  EXPECT_EQ(catalog.Find(PluginKind::kSource, "twin")->path, Fixture("twin_a"));

  std::vector<std::string> refused;
  for (const auto& [path, message] : catalog.problems())
    refused.push_back(path.filename().string());
  EXPECT_EQ(refused,
            (std::vector<std::string>{"abi_major_next.so", "abi_minor_next.so", "bad_name.so",
                                      "descriptor_small.so", "entry_null.so", "kind_99.so",
                                      "no_entry.so", "not_a_plugin.so", "twin_b.so",
                                      "vtable_null.so", "vtable_small.so", "no_such_dir"}));
  EXPECT_EQ(catalog.problems().back().second,
            "plugin directory " + missing.string() +
                " does not exist — create it, or fix --plugin-dir, SLUICE_PLUGIN_PATH or "
                "plugin_dirs in the config");
  ASSERT_EQ(catalog.searched_dirs().size(), 2u);  // the repeated directory is searched once
  EXPECT_TRUE(catalog.searched_dirs()[0].second);
  EXPECT_FALSE(catalog.searched_dirs()[1].second);

  const PluginInfo* again = nullptr;  // loading a loaded file again is a no-op
  ASSERT_TRUE(catalog.LoadFile(Fixture("c_api"), &again).ok());
  EXPECT_EQ(again, catalog.Find(PluginKind::kApi, "c_api"));
  EXPECT_EQ(catalog.plugins().size(), 3u);
}

TEST(DiscoverTest, AMissingOptionalDirectoryIsListedButNoProblem) {
  PluginCatalog catalog;
  catalog.Discover({kFixtures / "no_such_dir"}, /*required=*/false);
  EXPECT_TRUE(catalog.problems().empty());
  ASSERT_EQ(catalog.searched_dirs().size(), 1u);
  EXPECT_FALSE(catalog.searched_dirs()[0].second);
}

TEST(DiscoverTest, RequireExplainsWhatIsMissing) {
  PluginCatalog catalog;
  catalog.Discover({kFixtures, kFixtures / "no_such_dir"});
  const PluginInfo* info = nullptr;
  ASSERT_TRUE(catalog.Require(PluginKind::kSource, "fixture_rows", &info).ok());
  EXPECT_EQ(info->name, "fixture_rows");

  Status s = catalog.Require(PluginKind::kSource, "fixture_row", &info);
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(
      s.message(),
      "no source plugin named \"fixture_row\" (did you mean \"fixture_rows\"?). Found: "
      "fixture_rows (" +
          Fixture("fixture_rows").string() + "), twin (" + Fixture("twin_a").string() +
          "). Searched: " + kFixtures.string() + ", " + (kFixtures / "no_such_dir").string() +
          " (missing). 11 file(s) could not be loaded (run `sluice plugins` to see why). Fix: put "
          "the plugin's .so file into one of these directories, or name its directory with "
          "--plugin-dir, "
          "the SLUICE_PLUGIN_PATH environment variable (':'-separated) or plugin_dirs in the "
          "config.");
  EXPECT_EQ(
      catalog.Require(PluginKind::kStorage, "c_api", &info).message(),
      "no storage plugin named \"c_api\". \"c_api\" is an api plugin, not a storage plugin. No "
      "storage "
      "plugins were found. Searched: " +
          kFixtures.string() + ", " + (kFixtures / "no_such_dir").string() +
          " (missing). 11 file(s) could not be loaded (run `sluice plugins` to see why). Fix: put "
          "the plugin's .so file into one of these directories, or name its directory with "
          "--plugin-dir, "
          "the SLUICE_PLUGIN_PATH environment variable (':'-separated) or plugin_dirs in the "
          "config.");
}

TEST(DiscoverTest, PluginTable) {
  PluginCatalog catalog;
  ASSERT_TRUE(catalog.LoadFile(Fixture("c_api"), nullptr).ok());
  ASSERT_TRUE(catalog.LoadFile(Fixture("fixture_rows"), nullptr).ok());
  std::string table = FormatPluginTable(catalog);
  std::string expected =
      "KIND    NAME          VERSION  ABI  PATH\n"
      "api     c_api         0.1.0    " +
      std::to_string(SLUICE_ABI_MAJOR) + ".0  " + Fixture("c_api").string() +
      "\n"
      "source  fixture_rows  1.0.0    " +
      kHost + "  " + Fixture("fixture_rows").string() + "\n\nsearched:\n";
  EXPECT_EQ(table, expected);

  PluginCatalog empty;
  empty.Discover({kFixtures / "no_such_dir"});
  EXPECT_EQ(FormatPluginTable(empty),
            "no plugins found\n\nproblems:\n  plugin directory " +
                (kFixtures / "no_such_dir").string() +
                " does not exist — create it, or fix --plugin-dir, SLUICE_PLUGIN_PATH or "
                "plugin_dirs in the config\n\nsearched:\n  " +
                (kFixtures / "no_such_dir").string() + " (missing)\n");
}

// ---- the loaded fixtures work ----

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
}  // namespace sluice::host
