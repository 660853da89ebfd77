// Options of the postgres source: the password never in the config, every
// mistake named with its fix, slot names valid for PostgreSQL.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "pg_config.h"

namespace pgsrc {
namespace {

sluice::Options Opts(std::vector<std::pair<std::string, std::string>> kv) {
  return sluice::Options(std::move(kv));
}
const char* FakeEnv(const char* name) {
  return std::string(name) == "PG_SECRET" ? "s3cret" : nullptr;
}
std::string Get(const Conninfo& c, const std::string& key) {
  for (const auto& [k, v] : c)
    if (k == key) return v;
  return "<none>";
}

TEST(ConfigTest, ParsesTheDsnAndTakesThePasswordFromTheEnvironment) {
  ConnConfig c;
  ASSERT_TRUE(ConnConfig::Parse(Opts({{"dsn", "host=127.0.0.1 port=5433 dbname=shop user=app"},
                                      {"password_env", "PG_SECRET"},
                                      {"slot_prefix", "shop1"}}),
                                &c, &FakeEnv)
                  .ok());
  EXPECT_EQ(Get(c.conninfo, "port"), "5433");
  EXPECT_EQ(Get(c.conninfo, "password"), "s3cret");
  EXPECT_EQ(c.slot_prefix, "shop1");
  EXPECT_EQ(DescribeConninfo(c.conninfo), "host=127.0.0.1 port=5433 dbname=shop user=app");
}

TEST(ConfigTest, RefusesAPasswordInTheConfig) {
  ConnConfig c;
  for (std::string dsn : {"host=x password=hunter2", "postgresql://u:hunter2@x/db"}) {
    sluice::Status s = ConnConfig::Parse(Opts({{"dsn", dsn}}), &c, &FakeEnv);
    EXPECT_EQ(s.code(), sluice::Code::kInvalidArgument) << dsn;
    EXPECT_NE(s.message().find("password_env"), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("hunter2"), std::string::npos) << "the secret is echoed";
  }
}

TEST(ConfigTest, ReadsAPasswordFileOnlyWhenPrivate) {
  std::string path = ::testing::TempDir() + "/pgpass-" + std::to_string(getpid());
  std::ofstream(path) << "from-file\nignored\n";
  ConnConfig c;
  chmod(path.c_str(), 0644);
  sluice::Status open = ConnConfig::Parse(Opts({{"dsn", "host=x"}, {"password_file", path}}), &c);
  EXPECT_NE(open.message().find("chmod 600"), std::string::npos) << open.message();
  chmod(path.c_str(), 0600);
  ASSERT_TRUE(ConnConfig::Parse(Opts({{"dsn", "host=x"}, {"password_file", path}}), &c).ok());
  EXPECT_EQ(Get(c.conninfo, "password"), "from-file");
  unlink(path.c_str());
}

TEST(ConfigTest, NamesEveryMistake) {
  ConnConfig c;
  auto msg = [&](std::vector<std::pair<std::string, std::string>> kv) {
    return ConnConfig::Parse(Opts(std::move(kv)), &c, &FakeEnv).message();
  };
  EXPECT_NE(msg({}).find("option 'dsn': is required"), std::string::npos) << msg({});
  EXPECT_NE(msg({{"dsn", "host=x"}, {"slot", "y"}}).find("option 'slot': unknown option"),
            std::string::npos);
  EXPECT_NE(msg({{"dsn", "host=x"}, {"password_env", "NOPE"}}).find("NOPE is not set"),
            std::string::npos);
  EXPECT_NE(msg({{"dsn", "host=x"}, {"numeric", "float"}}).find("expected string"),
            std::string::npos);
  EXPECT_NE(msg({{"dsn", "host=x"}, {"slot_prefix", "Bad-Name"}}).find("[a-z0-9_]"),
            std::string::npos);
  EXPECT_NE(msg({{"dsn", "nonsense"}}).find("'dsn'"), std::string::npos);
  EXPECT_NE(msg({{"dsn", "host=x"}, {"create_publication", "maybe"}})
                .find("option 'create_publication': expected true or false, found 'maybe'"),
            std::string::npos);
  ASSERT_TRUE(ConnConfig::Parse(Opts({{"dsn", "host=x"}, {"create_publication", "off"}}), &c).ok());
  EXPECT_FALSE(c.create_publication) << "off is false, as for every plugin";
  ASSERT_TRUE(ConnConfig::Parse(Opts({{"dsn", "host=x"}, {"numeric", "number"}}), &c).ok());
  TableConfig t;
  ASSERT_TRUE(c.ForTable(Opts({{"publication", "pub2"}}), &t).ok());
  EXPECT_EQ(t.publication, "pub2");
  EXPECT_EQ(t.types.numeric, NumericMode::kNumber);  // the connection's default
  EXPECT_NE(
      c.ForTable(Opts({{"dsn", "y"}}), &t)
          .message()
          .find("option 'dsn': unknown option; known options: publication, numeric, other_types"),
      std::string::npos);
}

TEST(ConfigTest, SlotNamesAreValidAndDistinct) {
  EXPECT_EQ(SlotName("sluice", "Orders", 2), "sluice_orders_v2");
  EXPECT_EQ(SlotName("sluice", "a-b.c", 10), "sluice_a_b_c_v10");
  std::string long_a = SlotName("sluice", std::string(80, 'a') + "1", 1);
  std::string long_b = SlotName("sluice", std::string(80, 'a') + "2", 1);
  EXPECT_LE(long_a.size(), 63u);
  EXPECT_NE(long_a, long_b);
  EXPECT_EQ(long_a.substr(long_a.size() - 3), "_v1");
}

}  // namespace
}  // namespace pgsrc
