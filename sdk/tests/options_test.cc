// The SDK's declared options (sluice/option_spec.h, sluice/options.h), the
// check SLUICE_PLUGIN() exports from them (sluice/plugin.h) and the listen
// check (sluice/listen_check.h).
#include "sluice/options.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/listen_check.h"
#include "sluice/plugin.h"
#include "sluice/testing/held_port.h"

namespace sluice {
namespace {

constexpr OptionSpec kSpecs[] = {
    opt::Path("path", "the directory").Required(),
    opt::String("delimiter", "one character").Default(","),
    opt::Int("port", "TCP port").Range(0, 65535).Default("8080"),
    opt::Bool("verify", "check it").Default("false"),
    opt::Duration("timeout", "how long").Words("never=0").Default("60s").Table(),
    opt::Size("buffer", "bytes").Range(4096, int64_t{1} << 30),
    opt::Enum("on_error", "fail|skip", "what a bad row does").Default("fail").Table(),
    opt::Enum("types", "int64|string", "a column's type").Map().TableOnly(),
    opt::String("keys", "keys").Range(1, 8).List().Secret(),
};

Options Opts(std::vector<std::pair<std::string, std::string>> items) {
  return Options(std::move(items));
}

std::vector<std::string> Lines(const std::vector<OptionProblem>& ps) {
  std::vector<std::string> out;
  for (const OptionProblem& p : ps) out.push_back(p.key + ": " + p.message);
  return out;
}

TEST(OptionsTest, EveryProblemAtOnceWithSuggestions) {
  Options o = Opts({{"path", "/data"},
                    {"delimeter", ";"},
                    {"port", "eighty"},
                    {"verify", "maybe"},
                    {"buffer", "1K"},
                    {"keys.0", "far-too-long-key"}});
  std::vector<std::string> got = Lines(o.Problems(kSpecs, OptionScope::kInstance));
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].rfind("delimeter: unknown option (did you mean \"delimiter\"?); known options: "
                         "path, delimiter, port, verify, timeout, buffer, on_error, keys",
                         0),
            0u)
      << got[0];
  EXPECT_EQ(got[1], "port: expected an integer from 0 to 65535, found 'eighty'");
  EXPECT_EQ(got[2], "verify: expected true or false, found 'maybe'");
  EXPECT_EQ(got[3],
            "buffer: expected a size such as 4096, 64KiB or 16MiB from 4KiB to 1GiB, found '1K'");
  // a secret value is never shown
  EXPECT_EQ(got[4], "keys.0: expected a text of 1 to 8 characters, found 16 characters");
}

TEST(OptionsTest, RequiredAndScopes) {
  std::vector<std::string> got = Lines(Opts({}).Problems(kSpecs, OptionScope::kInstance));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "path: is required: a path (the directory)");
  // table scope: types.<name> is a map there, path is not an option there
  got = Lines(
      Opts({{"types.zip", "string"}, {"types.n", "float"}, {"timeout", "never"}, {"path", "/x"}})
          .Problems(kSpecs, OptionScope::kTable));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "types.n: expected int64 or string, found 'float'");
  EXPECT_EQ(got[1].rfind("path: unknown option; known options: timeout, on_error, types", 0), 0u)
      << got[1];
}

TEST(OptionsTest, ReadUsesDeclaredDefaultsAndWords) {
  Options o = Opts({{"path", "/d"}, {"timeout", "never"}, {"keys", "k1"}, {"port", "+90"}});
  int64_t port = 0;
  ASSERT_TRUE(o.Read(kSpecs, "port", &port).ok());
  EXPECT_EQ(port, 90);
  uint64_t ms = 1;
  ASSERT_TRUE(o.Read(kSpecs, "timeout", &ms).ok());
  EXPECT_EQ(ms, 0u);
  ASSERT_TRUE(Opts({}).Read(kSpecs, "timeout", &ms).ok());
  EXPECT_EQ(ms, 60000u);
  bool verify = true;
  ASSERT_TRUE(o.Read(kSpecs, "verify", &verify).ok());
  EXPECT_FALSE(verify);
  std::vector<std::string> keys;
  ASSERT_TRUE(o.Read(kSpecs, "keys", &keys).ok());
  EXPECT_EQ(keys, std::vector<std::string>{"k1"});
  EXPECT_EQ(o.Read(kSpecs, "nope", &port).code(), Code::kInternal);
  EXPECT_EQ(o.Read(kSpecs, "verify", &port).code(), Code::kInternal);
}

TEST(OptionsTest, ReadNarrowsIntegersWhoseDeclaredRangeFits) {
  constexpr OptionSpec kInts[] = {
      opt::Int("port", "TCP port").Range(0, 65535).Default("8080"),
      opt::Int("lag", "records").Range(0, INT64_MAX).Default("7"),
      opt::Int("wide", "anything"),
      opt::Int("signed", "may be negative").Range(-5, 5).Default("-2"),
  };
  Options o = Opts({{"port", "65535"}, {"lag", "9000000000"}});
  uint16_t port = 0;
  int threads = 0;
  uint64_t lag = 0;
  int8_t small = 0;
  ASSERT_TRUE(o.Read(kInts, "port", &port, "lag", &lag, "signed", &small).ok());
  EXPECT_EQ(port, 65535);
  EXPECT_EQ(lag, 9000000000u);
  EXPECT_EQ(small, -2);
  // A range that does not fit the type is the caller's mistake, whatever the value.
  Status s = o.Read(kInts, "lag", &threads);
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(s.message(), "option 'lag' is declared with a range that does not fit its type");
  EXPECT_EQ(o.Read(kInts, "wide", &threads).code(), Code::kInternal);  // unbounded
  EXPECT_EQ(o.Read(kInts, "signed", &lag).code(), Code::kInternal);    // negatives
  // Values outside the declared range: the declared message; the target untouched.
  s = Opts({{"port", "65536"}}).Read(kInts, "port", &port);
  EXPECT_EQ(s.message(), "option 'port': expected an integer from 0 to 65535, found '65536'");
  EXPECT_EQ(port, 65535);
  // Several reads stop at the first error.
  port = 1;
  s = Opts({{"lag", "-1"}, {"port", "80"}}).Read(kInts, "lag", &lag, "port", &port);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(port, 1);
}

TEST(OptionsTest, GetIntNarrowsWithTheSameMessages) {
  uint32_t age = 600;
  ASSERT_TRUE(Opts({}).GetInt("age", age, 0, 86400, &age).ok());
  EXPECT_EQ(age, 600u);
  ASSERT_TRUE(Opts({{"age", "86400"}}).GetInt("age", age, 0, 86400, &age).ok());
  EXPECT_EQ(age, 86400u);
  Status s = Opts({{"age", "-1"}}).GetInt("age", age, 0, 86400, &age);
  EXPECT_EQ(s.message(), "option 'age': expected an integer from 0 to 86400, found '-1'");
  EXPECT_EQ(age, 86400u);
  uint16_t port = 0;
  s = Opts({}).GetInt("port", port, 0, 70000, &port);
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(s.message(), "option 'port': range 0 to 70000 does not fit its type");
}

TEST(OptionsTest, CheckKeysNamesTheFirstUnknownKey) {
  auto known = [](std::string_view k) { return k == "host" || k.rfind("tls.", 0) == 0; };
  EXPECT_TRUE(Opts({{"host", "h"}, {"tls.cert", "c"}}).CheckKeys(known, "host, tls.cert").ok());
  Status s =
      Opts({{"host", "h"}, {"tsl.cert", "c"}, {"x", "1"}}).CheckKeys(known, "host, tls.cert");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "option 'tsl.cert': unknown option; known options: host, tls.cert");
}

TEST(OptionsTest, TypedAccessorsShareTheWords) {
  for (const char* yes : {"true", "YES", "on", "1"}) {
    bool b = false;
    EXPECT_TRUE(Opts({{"k", yes}}).GetBool("k", false, &b).ok()) << yes;
    EXPECT_TRUE(b) << yes;
  }
  uint64_t bytes = 0;
  EXPECT_TRUE(Opts({{"k", "16MiB"}}).GetSize("k", 0, 0, UINT64_MAX, &bytes).ok());
  EXPECT_EQ(bytes, 16u << 20);
  int64_t n = 0;
  Status s = Opts({{"k", "99999"}}).GetInt("k", 0, 0, 65535, &n);
  EXPECT_EQ(s.message(), "option 'k': expected an integer from 0 to 65535, found '99999'");
}

// A plugin class as SLUICE_PLUGIN() sees it: declarations plus its own check.
struct Declaring {
  static constexpr const auto& kOptions = kSpecs;
  static inline int calls = 0;
  static void CheckOptions(const Options& o, OptionScope, uint32_t flags,
                           std::vector<OptionProblem>* out) {
    ++calls;
    if ((flags & SLUICE_CHECK_LISTEN) != 0 && o.GetString("port") == "1")
      out->push_back({"port", "taken", OptionProblemKind::kInUse});
  }
};

std::vector<std::string> RunC(uint32_t scope, uint32_t flags, const Options& o, uint32_t* code) {
  std::vector<std::string> got;
  OptionsView view(o);
  *code = internal::CheckOptionsC<Declaring>(
      scope, flags, view.get(), &got,
      [](void* ctx, uint32_t kind, const char* key, const char* msg) {
        // The kind as a prefix when it is not a bad value.
        std::string k = kind == SLUICE_OPTION_PROBLEM_VALUE ? "" : std::to_string(kind) + " ";
        static_cast<std::vector<std::string>*>(ctx)->push_back(k + key + ": " + msg);
      });
  return got;
}

TEST(OptionsTest, ExportedCheckRunsDeclaredThenOwnChecks) {
  uint32_t code = 0;
  Declaring::calls = 0;
  auto got = RunC(SLUICE_OPTION_SCOPE_INSTANCE, SLUICE_CHECK_LISTEN,
                  Opts({{"path", "/d"}, {"port", "x"}}), &code);
  EXPECT_EQ(code, SLUICE_INVALID_ARGUMENT);
  EXPECT_EQ(got, std::vector<std::string>{"port: expected an integer from 0 to 65535, found 'x'"});
  EXPECT_EQ(Declaring::calls, 0);  // its own check only runs on valid values
  got = RunC(SLUICE_OPTION_SCOPE_INSTANCE, SLUICE_CHECK_LISTEN,
             Opts({{"path", "/d"}, {"port", "1"}}), &code);
  EXPECT_EQ(got, std::vector<std::string>{"3 port: taken"}) << "kind SLUICE_OPTION_PROBLEM_IN_USE";
  got = RunC(SLUICE_OPTION_SCOPE_INSTANCE, 0, Opts({{"pth", "/d"}}), &code);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].rfind("1 pth: unknown option", 0), 0u) << got[0];
  EXPECT_EQ(got[1].rfind("2 path: is required", 0), 0u) << got[1];
  got = RunC(SLUICE_OPTION_SCOPE_INSTANCE, 0, Opts({{"path", "/d"}, {"port", "1"}}), &code);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(code, SLUICE_OK);
}

TEST(ListenCheckTest, PortHeldByAnotherSocket) {
  testing::HeldPort held;
  ASSERT_NE(held.port(), 0);
  uint16_t port = held.port();
  EXPECT_EQ(ListenProblem("127.0.0.1", port),
            "127.0.0.1:" + std::to_string(port) +
                " is in use by another process (Address already in use)");
  OptionProblem p;
  ASSERT_TRUE(ListenOptionProblem("port", "127.0.0.1", port, &p));
  EXPECT_EQ(p.kind, OptionProblemKind::kInUse);
  EXPECT_EQ(p.key, "port");
  held.Release();
  EXPECT_EQ(ListenProblem("127.0.0.1", port), "");
  EXPECT_FALSE(ListenOptionProblem("port", "127.0.0.1", port, &p));
  ASSERT_TRUE(ListenOptionProblem("host", "no-such-host.invalid", 1, &p));
  EXPECT_EQ(p.kind, OptionProblemKind::kValue);
  EXPECT_EQ(ListenProblem("127.0.0.1", 0), "");
}

}  // namespace
}  // namespace sluice
