// The pgoutput decoder against bytes a real PostgreSQL 15 sent
// (fixtures/*.bin, recorded by fixtures/capture.sh from the scenarios it
// lists), and the replication protocol's framing.
#include "pgoutput.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace pgsrc {
namespace {

// The messages of one fixture, in order.
std::vector<std::string> Load(const std::string& name) {
  std::ifstream f(std::string(PGOUTPUT_FIXTURES) + "/" + name + ".bin", std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(data.empty()) << name;
  std::vector<std::string> out;
  for (size_t i = 0; i + 4 <= data.size();) {
    uint32_t n = static_cast<uint32_t>(static_cast<uint8_t>(data[i])) << 24 |
                 static_cast<uint32_t>(static_cast<uint8_t>(data[i + 1])) << 16 |
                 static_cast<uint32_t>(static_cast<uint8_t>(data[i + 2])) << 8 |
                 static_cast<uint8_t>(data[i + 3]);
    out.push_back(data.substr(i + 4, n));
    i += 4 + n;
  }
  return out;
}

// Decodes every message of `raw` (which the results point into).
std::vector<PgOutputMessage> Decode(const std::vector<std::string>& raw) {
  std::vector<PgOutputMessage> out;
  for (const std::string& m : raw) {
    PgOutputMessage d;
    sluice::Status s = DecodePgOutput(m, &d);
    EXPECT_TRUE(s.ok()) << s.ToString();
    out.push_back(d);
  }
  return out;
}

std::string Kinds(const std::vector<PgOutputMessage>& ms) {
  std::string k;
  for (const PgOutputMessage& m : ms) k.push_back(static_cast<char>(m.kind));
  return k;
}

// A tuple as text: "1|ann|<null>|<unchanged>".
std::string Show(const Tuple& t) {
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    out += i ? "|" : "";
    out += t[i].kind == 'n' ? "<null>" : t[i].kind == 'u' ? "<unchanged>" : std::string(t[i].text);
  }
  return out;
}

// Every transaction: Begin's final LSN is its Commit's LSN, which ends
// before the Commit's end LSN; transactions come in LSN order.
void CheckTransactions(const std::vector<PgOutputMessage>& ms) {
  uint64_t begin = 0, last_end = 0;
  for (const PgOutputMessage& m : ms) {
    if (m.kind == PgOutputMessage::kBegin) {
      begin = m.final_lsn;
      EXPECT_GE(begin, last_end);
      EXPECT_GT(m.xid, 0u);
    } else if (m.kind == PgOutputMessage::kCommit) {
      EXPECT_EQ(m.commit_lsn, begin);
      EXPECT_GT(m.end_lsn, m.commit_lsn);
      last_end = m.end_lsn;
    }
  }
}

TEST(PgOutputTest, TransactionsAndEveryRowOperation) {
  const std::vector<std::string> raw = Load("basic");
  std::vector<PgOutputMessage> ms = Decode(raw);
  ASSERT_EQ(Kinds(ms), "BRIICBUCBUCBDCBRTC");
  CheckTransactions(ms);
  const PgOutputMessage& rel = ms[1];
  EXPECT_EQ(rel.nspname, "public");
  EXPECT_EQ(rel.relname, "basic");
  EXPECT_EQ(rel.replica_identity, 'd');
  ASSERT_EQ(rel.columns.size(), 5u);
  const char* names[] = {"id", "name", "price", "at", "ok"};
  const uint32_t types[] = {23, 25, 1700, 1184, 16};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(rel.columns[i].name, names[i]);
    EXPECT_EQ(rel.columns[i].type_oid, types[i]);
    EXPECT_EQ(rel.columns[i].key, i == 0);
  }
  EXPECT_EQ(rel.columns[2].typmod, ((10 << 16) | 2) + 4);  // numeric(10,2)
  for (size_t i : {2u, 3u, 6u, 9u, 12u}) EXPECT_EQ(ms[i].relid, rel.relid);
  EXPECT_EQ(Show(ms[2].new_tuple), "1|ann|12.30|2024-01-02 03:04:05.123456+00|t");
  EXPECT_EQ(Show(ms[3].new_tuple), "2|<null>|<null>|<null>|f");
  // An update of a non-key column: no old row.
  EXPECT_EQ(ms[5].old_kind, 0);
  EXPECT_EQ(Show(ms[6].new_tuple), "2|bob|<null>|<null>|f");
  // An update of the key: the old key ('K').
  EXPECT_EQ(ms[9].old_kind, 'K');
  EXPECT_EQ(Show(ms[9].old_tuple), "1|<null>|<null>|<null>|<null>");
  EXPECT_EQ(Show(ms[9].new_tuple), "3|ann|12.30|2024-01-02 03:04:05.123456+00|t");
  EXPECT_EQ(ms[12].old_kind, 'K');
  EXPECT_EQ(Show(ms[12].old_tuple), "2|<null>|<null>|<null>|<null>");
  EXPECT_EQ(ms[16].truncated, std::vector<uint32_t>{rel.relid});
  EXPECT_EQ(ms[16].truncate_flags, 0);
}

TEST(PgOutputTest, UnchangedToastedValuesAreNotSentUnlessTheOldRowIs) {
  const std::vector<std::string> raw = Load("toast");
  std::vector<PgOutputMessage> ms = Decode(raw);
  ASSERT_EQ(Kinds(ms), "BRICBUCBRUC");
  CheckTransactions(ms);
  ASSERT_EQ(ms[2].new_tuple.size(), 3u);
  const std::string_view big = ms[2].new_tuple[1].text;
  EXPECT_EQ(big.size(), 6400u);                         // 200 md5 sums
  EXPECT_EQ(Show(ms[5].new_tuple), "1|<unchanged>|1");  // REPLICA IDENTITY DEFAULT
  EXPECT_EQ(ms[5].old_kind, 0);
  EXPECT_EQ(ms[8].replica_identity, 'f');
  EXPECT_EQ(ms[9].old_kind, 'O');  // REPLICA IDENTITY FULL: the whole old row
  EXPECT_EQ(ms[9].old_tuple[1].kind, 't');
  EXPECT_EQ(ms[9].old_tuple[1].text, big);
  EXPECT_EQ(Show(ms[9].new_tuple), "1|<unchanged>|2");
}

TEST(PgOutputTest, AnAddedColumnComesWithTheNextChange) {
  const std::vector<std::string> raw = Load("schema");
  std::vector<PgOutputMessage> ms = Decode(raw);
  ASSERT_EQ(Kinds(ms), "BRICBRIC");
  CheckTransactions(ms);
  ASSERT_EQ(ms[1].columns.size(), 2u);
  ASSERT_EQ(ms[5].columns.size(), 3u);
  EXPECT_EQ(ms[5].relid, ms[1].relid);
  EXPECT_EQ(ms[5].columns[2].name, "b");
  EXPECT_EQ(ms[5].columns[2].type_oid, 23u);
  EXPECT_EQ(Show(ms[6].new_tuple), "2|y|7");
}

TEST(PgOutputTest, UserTypesArraysAndRawText) {
  const std::vector<std::string> raw = Load("types");
  std::vector<PgOutputMessage> ms = Decode(raw);
  ASSERT_EQ(Kinds(ms), "BYRIC");
  EXPECT_EQ(ms[1].type_name, "mood");
  const PgOutputMessage& rel = ms[2];
  ASSERT_EQ(rel.columns.size(), 6u);
  EXPECT_EQ(rel.columns[1].type_oid, ms[1].type_oid);  // the enum
  EXPECT_EQ(rel.columns[2].type_oid, 1009u);           // text[]
  EXPECT_EQ(Show(ms[3].new_tuple),
            "1|happy|{\"a b\",c}|tab\there\nline\\|0044-03-15 BC|"
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
}

TEST(PgOutputTest, TruncatedOrForeignMessagesAreErrorsNotCrashes) {
  for (const char* name : {"basic", "toast", "schema", "types"}) {
    for (const std::string& m : Load(name)) {
      for (size_t n = 0; n < m.size(); ++n) {
        PgOutputMessage d;
        EXPECT_FALSE(DecodePgOutput(m.substr(0, n), &d).ok()) << name << " " << m[0] << " " << n;
      }
    }
  }
  PgOutputMessage d;
  EXPECT_EQ(DecodePgOutput("S\x00\x00\x00\x01", &d).code(), sluice::Code::kUnimplemented);
  EXPECT_EQ(DecodePgOutput("?", &d).code(), sluice::Code::kInvalidArgument);
}

TEST(PgOutputTest, ReplicationFraming) {
  std::string w = "w";
  for (uint64_t v : {0x16B3748ull, 0x16B3800ull, 123ull})
    for (int i = 7; i >= 0; --i) w.push_back(static_cast<char>(v >> (8 * i)));
  w += "B-payload";
  StreamMessage m;
  ASSERT_TRUE(DecodeStreamMessage(w, &m).ok());
  EXPECT_EQ(m.kind, StreamMessage::kXLogData);
  EXPECT_EQ(m.wal_start, 0x16B3748u);
  EXPECT_EQ(m.wal_end, 0x16B3800u);
  EXPECT_EQ(m.data, "B-payload");
  std::string k = "k" + std::string(7, '\0') + "\x10" + std::string(8, '\0') + "\x01";
  ASSERT_TRUE(DecodeStreamMessage(k, &m).ok());
  EXPECT_EQ(m.kind, StreamMessage::kKeepalive);
  EXPECT_EQ(m.wal_end, 0x10u);
  EXPECT_TRUE(m.reply_requested);
  EXPECT_EQ(DecodeStreamMessage(k.substr(0, 10), &m).code(), sluice::Code::kDataLoss);
  std::string r = EncodeStatusUpdate(0x100000002ull, 0x100000002ull, 0x100000002ull, 5, true);
  ASSERT_EQ(r.size(), 34u);
  EXPECT_EQ(r[0], 'r');
  EXPECT_EQ(r.substr(1, 8), std::string("\0\0\0\x01\0\0\0\x02", 8));
  EXPECT_EQ(r[33], 1);
  uint64_t lsn = 0;
  EXPECT_TRUE(ParseLsn("16/B374D848", &lsn));
  EXPECT_EQ(lsn, 0x16B374D848ull);
  EXPECT_EQ(FormatLsn(lsn), "16/B374D848");
  EXPECT_FALSE(ParseLsn("16B374D848", &lsn));
  EXPECT_FALSE(ParseLsn("1/xyz", &lsn));
}

}  // namespace
}  // namespace pgsrc
