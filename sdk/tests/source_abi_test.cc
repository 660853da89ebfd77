// ABI 1.2 source functions through the export adapter and the host's
// client: scoped readers, commit acknowledgements, waiting, release and
// statistics reach the plugin; against a table of ABI 1.1 size the client
// falls back without calling past its end.
#include <gtest/gtest.h>

#include "sluice/client/source_client.h"
#include "sluice/internal/source_adapter.h"

namespace {

struct Calls {
  sluice::ReaderScope scope;
  std::string opened_with;  // "scoped" or "plain"
  std::vector<std::string> committed;
  std::vector<uint32_t> waits;
  std::vector<std::string> released;
};
Calls* g_calls = nullptr;

class Reader : public sluice::SourceReader {
 public:
  sluice::Status Next(uint32_t, sluice::RowBatchBuilder*, sluice::BatchInfo* info) override {
    info->at_end = true;
    return sluice::Status();
  }
  sluice::Status Committed(std::string_view offset) override {
    g_calls->committed.emplace_back(offset);
    return offset == "bad" ? sluice::Unavailable("cannot acknowledge") : sluice::Status();
  }
  sluice::Status Wait(uint32_t timeout_ms) override {
    g_calls->waits.push_back(timeout_ms);
    return sluice::Status();
  }
};

class Source : public sluice::SourcePlugin {
 public:
  static sluice::Status Create(const sluice::HostServices&, const sluice::Options&,
                               std::unique_ptr<Source>* out) {
    *out = std::make_unique<Source>();
    return sluice::Status();
  }
  sluice::Status Describe(const std::string&, const sluice::Options&, sluice::Schema*) override {
    return sluice::Unimplemented("no");
  }
  sluice::Status OpenReader(const std::string&, const sluice::Options&, const sluice::Schema&,
                            std::string_view, std::unique_ptr<sluice::SourceReader>* out) override {
    g_calls->opened_with = "plain";
    *out = std::make_unique<Reader>();
    return sluice::Status();
  }
  sluice::Status OpenScopedReader(const sluice::ReaderScope& scope, const std::string&,
                                  const sluice::Options&, const sluice::Schema&, std::string_view,
                                  std::unique_ptr<sluice::SourceReader>* out) override {
    g_calls->opened_with = "scoped";
    g_calls->scope = scope;
    *out = std::make_unique<Reader>();
    return sluice::Status();
  }
  sluice::Status Release(const sluice::ReaderScope& scope, const std::string& table,
                         const sluice::Options&, std::string_view offset) override {
    g_calls->released.push_back(scope.endpoint + "/" + std::to_string(scope.version) + " " + table +
                                " " + std::string(offset));
    return sluice::Status();
  }
  sluice::Status Stats(const sluice::ReaderScope& scope, const std::string&, const sluice::Options&,
                       sluice::SourceStats* out) override {
    out->emplace_back("lag_bytes", scope.version * 1000.0);
    out->emplace_back("Bad Name", 1);  // dropped by the client
    return sluice::Status();
  }
};

class SourceAbiTest : public ::testing::Test {
 protected:
  void SetUp() override { g_calls = &calls_; }
  void TearDown() override { g_calls = nullptr; }
  std::unique_ptr<sluice::client::SourceClient> Client(const sluice_source_vtable* vt) {
    std::unique_ptr<sluice::client::SourceClient> c;
    sluice::Status s = sluice::client::CreateSourceClient(vt, nullptr, sluice::Options(), &c);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return c;
  }
  sluice::Schema schema_{{{"id", sluice::Type::kInt64, false}}, {0}};
  Calls calls_;
};

TEST_F(SourceAbiTest, EveryNewFunctionReachesThePlugin) {
  const sluice_source_vtable* vt = sluice::internal::SourceAdapter<Source>::Vtable();
  EXPECT_EQ(vt->struct_size, sizeof(sluice_source_vtable));
  auto client = Client(vt);
  std::unique_ptr<sluice::client::SourceReaderClient> reader;
  ASSERT_TRUE(client
                  ->OpenScopedReaderClient({"orders", 3}, "public.orders", sluice::Options(),
                                           schema_, "", &reader)
                  .ok());
  EXPECT_EQ(calls_.opened_with, "scoped");
  EXPECT_EQ(calls_.scope.endpoint, "orders");
  EXPECT_EQ(calls_.scope.version, 3u);
  EXPECT_TRUE(reader->MarksTransactions());
  EXPECT_TRUE(reader->Committed("lsn-1").ok());
  sluice::Status bad = reader->Committed("bad");
  EXPECT_EQ(bad.code(), sluice::Code::kUnavailable);
  EXPECT_EQ(bad.message(), "cannot acknowledge");
  EXPECT_EQ(calls_.committed, (std::vector<std::string>{"lsn-1", "bad"}));
  EXPECT_TRUE(reader->Wait(150).ok());
  EXPECT_EQ(calls_.waits, (std::vector<uint32_t>{150}));
  EXPECT_TRUE(client->Release({"orders", 2}, "public.orders", sluice::Options(), "off").ok());
  EXPECT_EQ(calls_.released, (std::vector<std::string>{"orders/2 public.orders off"}));
  sluice::SourceStats stats;
  ASSERT_TRUE(client->Stats({"orders", 2}, "public.orders", sluice::Options(), &stats).ok());
  EXPECT_EQ(stats, (sluice::SourceStats{{"lag_bytes", 2000.0}}));
}

TEST_F(SourceAbiTest, ATableOfAbi11SizeFallsBack) {
  sluice_source_vtable old = *sluice::internal::SourceAdapter<Source>::Vtable();
  old.struct_size = SLUICE_SOURCE_VTABLE_SIZE_1_1;
  auto client = Client(&old);
  std::unique_ptr<sluice::client::SourceReaderClient> reader;
  ASSERT_TRUE(client
                  ->OpenScopedReaderClient({"orders", 3}, "public.orders", sluice::Options(),
                                           schema_, "", &reader)
                  .ok());
  EXPECT_EQ(calls_.opened_with, "plain");
  EXPECT_FALSE(reader->MarksTransactions());
  EXPECT_TRUE(reader->Committed("lsn-1").ok());
  EXPECT_TRUE(calls_.committed.empty());
  EXPECT_EQ(reader->Wait(100).code(), sluice::Code::kUnimplemented);
  EXPECT_TRUE(calls_.waits.empty());
  EXPECT_TRUE(client->Release({"orders", 2}, "t", sluice::Options(), "").ok());
  EXPECT_TRUE(calls_.released.empty());
  sluice::SourceStats stats;
  EXPECT_EQ(client->Stats({"orders", 2}, "t", sluice::Options(), &stats).code(),
            sluice::Code::kUnimplemented);
}

TEST_F(SourceAbiTest, AReaderWithoutWaitSaysUnimplemented) {
  sluice::SourceReader* plain = nullptr;
  class Plain : public sluice::SourceReader {
   public:
    sluice::Status Next(uint32_t, sluice::RowBatchBuilder*, sluice::BatchInfo*) override {
      return sluice::Status();
    }
  } p;
  plain = &p;
  EXPECT_EQ(plain->Wait(10).code(), sluice::Code::kUnimplemented);
  EXPECT_TRUE(plain->Committed("x").ok());
}

}  // namespace
