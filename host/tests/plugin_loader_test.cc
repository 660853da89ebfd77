// Plugin discovery and loading: the first-party plugins, the fixture
// plugins of tests/fixtures (one per way a file can be refused), the ABI
// rule and the catalog's discovery. The loaded fixtures at work:
// plugin_fixture_test.cc.
#include <gtest/gtest.h>

#include <string>

#include "plugin/descriptor.h"
#include "plugin/plugin_catalog.h"
#include "tests/plugin_test_util.h"

namespace sluice::host::plugin_test {
namespace {

namespace fs = std::filesystem;

// "plugin "<stem>" (<fixture path>)".
std::string Lead(const std::string& stem, const std::string& file) {
  return "plugin \"" + stem + "\" (" + Fixture(file).string() + ")";
}

const std::string kHost = std::to_string(SLUICE_ABI_MAJOR) + "." + std::to_string(SLUICE_ABI_MINOR);
const std::string kRebuild =
    "rebuild it against sluice SDK " + std::to_string(SLUICE_ABI_MAJOR) + ".x";

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

}  // namespace
}  // namespace sluice::host::plugin_test
