// bench_kvlog: CPU seconds of the log facet of the embedded storage plugins
// (sluice::KvLog on each plugin's KvStore), appending records in commits and
// reading them back in cache-builder windows; the variants run in the same
// process, rounds interleaved so that load on the machine falls on each
// alike. Until the plugins shared KvLog it also measured each plugin's own
// log, written directly against the engine's API: the figures of that
// comparison are in docs/formats.md "Chunk logs" (commit f3886cf).
//
//   bench_kvlog [--records N] [--bytes B] [--per-append K] [--rounds R] [--dir D]
//
// Prints one line per variant: median CPU seconds (user + system, every
// thread of the process, background compactions included) of "append"
// (N records of B bytes in appends of K, unsynced, then close) and "read"
// (open, read all in windows of 65536 records, close), and their sum.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "leveldb_engine.h"
#include "rocksdb_engine.h"

namespace {

namespace ldb = sluice::storage_leveldb;
namespace rdb = sluice::storage_rocksdb;
using sluice::Log;
using sluice::Status;

using Opener = std::function<Status(const std::string& dir, std::unique_ptr<Log>* out)>;

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "bench_kvlog: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

// Each plugin's OpenLog (a KvLog on a database of its own), on one instance.
std::map<std::string, Opener> Variants() {
  std::shared_ptr<ldb::LevelDbStorage> leveldb;
  std::unique_ptr<ldb::LevelDbStorage> l;
  Check(ldb::LevelDbStorage::Create(sluice::HostServices(), sluice::Options(), &l), "leveldb");
  leveldb = std::move(l);
  std::shared_ptr<rdb::RocksDbStorage> rocksdb;
  std::unique_ptr<rdb::RocksDbStorage> r;
  Check(rdb::RocksDbStorage::Create(sluice::HostServices(), sluice::Options(), &r), "rocksdb");
  rocksdb = std::move(r);
  std::map<std::string, Opener> v;
  v["leveldb"] = [leveldb](const std::string& dir, std::unique_ptr<Log>* out) {
    return leveldb->OpenLog("bench", dir, true, out);
  };
  v["rocksdb"] = [rocksdb](const std::string& dir, std::unique_ptr<Log>* out) {
    return rocksdb->OpenLog("bench", dir, true, out);
  };
  return v;
}

struct Params {
  uint64_t records = 1000000;
  size_t bytes = 100;
  size_t per_append = 1000;
  int rounds = 3;
  std::string dir = (std::filesystem::temp_directory_path() / "sluice-bench-kvlog").string();
};

// CPU seconds of appending and of reading back, in `dir` (removed after).
std::pair<double, double> RunOnce(const Opener& open, const Params& p, const std::string& dir) {
  std::filesystem::remove_all(dir);
  std::string payload(p.bytes, 'x');
  std::vector<std::string> recs(p.per_append, payload);
  std::vector<std::string_view> views;
  double t0 = CpuSeconds();
  {
    std::unique_ptr<Log> log;
    Check(open(dir, &log), "open");
    for (uint64_t n = 0; n < p.records; n += p.per_append) {
      views.clear();
      for (size_t i = 0; i < p.per_append && n + i < p.records; ++i) {
        std::string& r = recs[i];
        for (int b = 0; b < 8; ++b) r[b] = static_cast<char>((n + i) >> (8 * b));
        views.push_back(r);
      }
      uint64_t first = 0;
      Check(log->Append(views.data(), views.size(), std::to_string(n), false, &first), "append");
    }
  }
  double t1 = CpuSeconds();
  uint64_t sum = 0, count = 0;
  {
    std::unique_ptr<Log> log;
    Check(open(dir, &log), "reopen");
    while (count < p.records)
      Check(log->Read(count, 65536,
                      [&](uint64_t, std::string_view r) {
                        sum += static_cast<unsigned char>(r[0]) + r.size();
                        ++count;
                        return true;
                      }),
            "read");
  }
  double t2 = CpuSeconds();
  if (count != p.records || sum == 0)
    Check(sluice::Internal("read back the wrong records"), "read");
  std::filesystem::remove_all(dir);
  return {t1 - t0, t2 - t1};
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  Params p;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--records") p.records = std::stoull(v);
    else if (k == "--bytes") p.bytes = std::max<size_t>(8, std::stoul(v));
    else if (k == "--per-append") p.per_append = std::stoul(v);
    else if (k == "--rounds") p.rounds = std::stoi(v);
    else if (k == "--dir") p.dir = v;
    else {
      std::fprintf(stderr,
                   "usage: %s [--records N] [--bytes B] [--per-append K] [--rounds R] [--dir D]\n",
                   argv[0]);
      return 2;
    }
  }
  std::map<std::string, Opener> variants = Variants();
  std::map<std::string, std::vector<double>> append, read;
  std::vector<std::string> names;
  for (const auto& v : variants) names.push_back(v.first);
  for (int r = 0; r < p.rounds; ++r) {
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string& name = names[(i + r) % names.size()];  // a different order each round
      auto [a, b] = RunOnce(variants[name], p, p.dir + "/" + std::to_string(r));
      append[name].push_back(a);
      read[name].push_back(b);
    }
  }
  std::printf("%llu records of %zu bytes, %zu per append, median of %d rounds (CPU seconds)\n",
              static_cast<unsigned long long>(p.records), p.bytes, p.per_append, p.rounds);
  std::printf("%-16s %8s %8s %8s\n", "variant", "append", "read", "total");
  for (const std::string& n : names)
    std::printf("%-16s %8.3f %8.3f %8.3f\n", n.c_str(), Median(append[n]), Median(read[n]),
                Median(append[n]) + Median(read[n]));
  return 0;
}
