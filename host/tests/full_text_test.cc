// Full text (docs/full_text.md): the tokenizer's rules, and a property
// test: random rows (inserts, updates, deletes) in a cache with a full-text
// index on `note` and in one without; random queries with $matches_all,
// $matches_any and $prefix, alone or combined with other conditions, must
// return the same rows in the same order from the index, from a scan, and
// from a brute-force evaluation written here over plain rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "core/text_tokens.h"
#include "tests/query_test_util.h"

namespace sluice::host::query_test {
namespace {

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  Tokenize(text, &out);
  return out;
}

TEST(Tokenizer, FoldsCaseAndAccents) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Words("Crème Brûlée, ÉTÉ 2024!"), (V{"creme", "brulee", "ete", "2024"}));
  EXPECT_EQ(Words("e\xcc\x81te\xcc\x81"), (V{"ete"}));  // e + U+0301: decomposed
  EXPECT_EQ(Words("STRASSE straße Œuvre Ĳssel ŁÓDŹ"),
            (V{"strasse", "strasse", "oeuvre", "ijssel", "lodz"}));
  EXPECT_EQ(Words("ΑΘΗΝΑ Москва"), (V{"αθηνα", "москва"}));
  EXPECT_EQ(Words("a\xff"
                  "b c\xe2\x80\x94"
                  "d"),
            (V{"a", "b", "c", "d"}));                               // bad byte, em dash
  EXPECT_EQ(Words("東京タワー、大阪"), (V{"東京タワー", "大阪"}));  // U+3001 separates
  EXPECT_EQ(Words("it's o'clock_now"), (V{"it", "s", "o", "clock", "now"}));
  EXPECT_EQ(Words(""), V{});
  EXPECT_EQ(Words(std::string(100, 'x'))[0].size(), kMaxTokenBytes);
  std::string long_accented;
  for (int i = 0; i < 40; ++i) long_accented += "\xd0\x96";  // Ж: 2 bytes, folded to ж
  std::string cut = Words(long_accented)[0];
  EXPECT_EQ(cut.size(), kMaxTokenBytes);  // 32 whole letters
}

Schema NotesSchema() {
  Schema s;
  s.fields = {
      {"id", Type::kInt64, false}, {"zone", Type::kInt64, true}, {"note", Type::kString, true}};
  s.primary_key = {0};
  return s;
}

// The oracle: over plain rows, with the tokenizer as the definition of a word.
bool Oracle(const std::string& op, const std::vector<std::string>& q, const TV& note) {
  if (note.null) return false;
  std::vector<std::string> w = Words(note.s);
  std::set<std::string> words(w.begin(), w.end());
  size_t hits = 0;
  for (size_t i = 0; i < q.size(); ++i) {
    bool prefix = op == "$prefix" && i + 1 == q.size();
    bool hit = false;
    for (const std::string& x : words) hit = hit || (prefix ? x.rfind(q[i], 0) == 0 : x == q[i]);
    hits += hit ? 1 : 0;
  }
  return op == "$matches_any" ? hits > 0 : hits == q.size();
}

class FullTextProperty : public ::testing::TestWithParam<int> {};

TEST_P(FullTextProperty, IndexScanAndBruteForceAgree) {
  std::mt19937_64 rng(static_cast<uint64_t>(GetParam()) * 104729 + 3);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const char* vocab[] = {"Red",  "red",      "RÉD",  "car",      "Cars",    "café",
                         "CAFE", "caffeine", "blue", "bluebird", "Ünïcode", "unicode",
                         "déjà", "vu",       "x",    "the"};
  TableSchema with, without;
  with.schema = without.schema = NotesSchema();
  with.full_text = {2};
  CacheFixture a(with), b(without);
  std::map<int64_t, TRow> rows;
  auto note = [&] {
    if (pick(8) == 0) return N();
    std::string s;
    size_t n = pick(5);
    for (size_t i = 0; i < n; ++i)
      s += std::string(i ? (pick(3) == 0 ? ", " : " ") : "") + vocab[pick(16)];
    return S(s);
  };
  for (int round = 0; round < 10; ++round) {
    std::vector<TRow> puts, deletes;
    for (int i = 0; i < 40; ++i) {
      int64_t id = static_cast<int64_t>(pick(80));
      if (pick(5) == 0) {
        deletes.push_back({I(id), N(), N()});
      } else {
        puts.push_back({I(id), pick(4) == 0 ? N() : I(static_cast<int64_t>(pick(3))), note()});
      }
    }
    // One commit: the puts in order, then the deletes.
    for (const TRow& d : deletes) rows.erase(d[0].i);
    for (const TRow& p : puts) {
      bool deleted = std::any_of(deletes.begin(), deletes.end(),
                                 [&](const TRow& d) { return d[0].i == p[0].i; });
      if (!deleted) rows[p[0].i] = p;
    }
    a.Apply(puts, deletes);
    b.Apply(puts, deletes);
    for (int q = 0; q < 30; ++q) {
      const char* ops[] = {"$matches_all", "$matches_any", "$prefix"};
      std::string op = ops[pick(3)];
      std::string text;
      size_t n = 1 + pick(3);
      for (size_t i = 0; i < n; ++i) {
        std::string w = vocab[pick(16)];
        if (op == "$prefix" && i + 1 == n) {  // a prefix, cut at a character boundary
          size_t cut = 1 + pick(w.size());
          while (cut < w.size() && (static_cast<uint8_t>(w[cut]) & 0xc0) == 0x80) ++cut;
          w = w.substr(0, cut);
        }
        text += (i ? " " : "") + w;
      }
      std::vector<std::string> qwords = Words(text);
      if (qwords.empty()) continue;
      std::string cond = "{\"note\": {\"" + op + "\": \"" + text + "\"}}";
      int shape = static_cast<int>(pick(4));
      int64_t zone = static_cast<int64_t>(pick(3));
      std::string filter =
          shape == 0   ? cond
          : shape == 1 ? "{\"$and\": [" + cond + ", {\"zone\": " + std::to_string(zone) + "}]}"
          : shape == 2 ? "{\"$or\": [" + cond + ", {\"zone\": " + std::to_string(zone) + "}]}"
                       : "{\"$not\": " + cond + "}";
      bool desc = pick(2) == 0;
      std::string query = "{\"$filter\": " + filter + ", \"$limit\": 1000" +
                          (desc ? ", \"$order_by\": {\"id\": \"desc\"}" : "") + "}";
      std::vector<TRow> want;
      for (const auto& [id, r] : rows) {
        bool m = Oracle(op, qwords, r[2]);
        bool z = !r[1].null && r[1].i == zone;
        bool keep = shape == 0 ? m : shape == 1 ? (m && z) : shape == 2 ? (m || z) : !m;
        if (keep) want.push_back(r);
      }
      if (desc) std::reverse(want.begin(), want.end());
      std::vector<TRow> got_a, got_b;
      QueryPlanInfo ia, ib;
      Status sa = a.Run(query, &got_a, &ia), sb = b.Run(query, &got_b, &ib);
      ASSERT_TRUE(sa.ok()) << query << ": " << sa.ToString();
      ASSERT_TRUE(sb.ok()) << query << ": " << sb.ToString();
      EXPECT_EQ(got_a, want) << query << " plan " << ia.plan;
      EXPECT_EQ(got_b, want) << query << " plan " << ib.plan;
      if (shape <= 1) { EXPECT_EQ(ia.plan.rfind("full_text [note] " + op, 0), 0u) << ia.plan; }
      uint64_t count = 0;
      ASSERT_TRUE(a.Count(query, &count).ok());
      EXPECT_EQ(count, want.size()) << query;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, FullTextProperty, ::testing::Range(0, 6));

TEST(FullText, RankOrdersByOccurrences) {
  TableSchema t;
  t.schema = NotesSchema();
  t.full_text = {2};
  CacheFixture c(t);
  c.Apply({{I(1), I(0), S("car")},
           {I(2), I(0), S("Red red CAR")},
           {I(3), I(0), S("blue")},
           {I(4), I(1), S("red")},
           {I(5), I(0), S("Réd, cars")}});
  std::vector<TRow> rows;
  QueryPlanInfo info;
  ASSERT_TRUE(
      c.Run(R"({"$filter": {"note": {"$matches_any": "red car"}}, "$rank": true})", &rows, &info)
          .ok());
  std::vector<int64_t> ids;
  for (const TRow& r : rows) ids.push_back(r[0].i);
  // Scores: 2 -> 3; 1, 4, 5 -> 1 (5 has "red" and "cars"); ties by key.
  EXPECT_EQ(ids, (std::vector<int64_t>{2, 1, 4, 5}));
  EXPECT_NE(info.plan.find("+ sort"), std::string::npos) << info.plan;
  ASSERT_TRUE(
      c.Run(R"({"$filter": {"note": {"$prefix": "ca"}}, "$rank": true, "$skip": 1})", &rows).ok());
  ids.clear();
  for (const TRow& r : rows) ids.push_back(r[0].i);
  EXPECT_EQ(ids, (std::vector<int64_t>{2, 5}));  // 1, 2, 5 score 1 each: key order, one skipped
  Query q;
  EXPECT_EQ(c.Parse(R"({"$filter": {"zone": 1}, "$rank": true})", &q).message(),
            "$rank needs a $matches_all, $matches_any or $prefix condition in the $filter to score "
            "records by");
  EXPECT_EQ(
      c.Parse(
           R"({"$filter": {"note": {"$prefix": "a"}}, "$rank": true, "$order_by": {"id": "asc"}})",
           &q)
          .message(),
      "$rank orders by relevance: it does not combine with $order_by");
}

TEST(FullText, Errors) {
  TableSchema t;
  t.schema = NotesSchema();
  t.full_text = {2};
  CacheFixture c(t);
  Query q;
  Status s = c.Parse(R"({"$filter": {"zone": {"$matches_all": "a"}}})", &q);
  EXPECT_EQ(s.message(), "operator $matches_all needs a string field; field zone is int64");
  s = c.Parse(R"({"$filter": {"note": {"$prefix": " ,; "}}})", &q);
  EXPECT_EQ(s.message(),
            "operator $prefix on field note: string \" ,; \" has no words (docs/full_text.md, "
            "\"Tokens\")");
  s = c.Parse(R"({"$filter": {"note": {"$matches_any": 3}}})", &q);
  EXPECT_EQ(s.message(),
            "operator $matches_any on field note needs a string of words, got number 3");
}

}  // namespace
}  // namespace sluice::host::query_test
