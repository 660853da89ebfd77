// Writes one log stream through a storage plugin's own code, for the legacy
// layout fixtures the chunk log's readers are tested with (generate.sh
// builds this against the plugin's sources at an older commit and says
// which). Only the sluice::StoragePlugin interface is used, so it compiles
// against any version of the leveldb and rocksdb plugins.
//
//   generate DIR   writes the stream into DIR/log and what it holds, read
//                  back through the same code, into DIR/expected.txt:
//
//     end <end offset>
//     checkpoint <hex>
//     record <hex>          one line per record, from offset 0 on
//
// Exit status 0, or 1 with a message on stderr.
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#if defined(FIXTURE_LEVELDB)
#include "leveldb_storage.h"
using Storage = sluice::storage_leveldb::LevelDbStorage;
#elif defined(FIXTURE_ROCKSDB)
#include "rocksdb_storage.h"
using Storage = sluice::storage_rocksdb::RocksDbStorage;
#else
#error "define FIXTURE_LEVELDB or FIXTURE_ROCKSDB"
#endif

namespace {

using sluice::Log;
using sluice::Status;

const char* const kName = "fixture/v0001";

std::string Hex(std::string_view s) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += {kDigits[c >> 4], kDigits[c & 0xF]};
  return out;
}

// Record number n: small and binary ones, one empty, a few of some KiB.
std::string Record(int n) {
  if (n == 4) return std::string();
  std::string r = "record-" + std::to_string(n);
  if (n % 5 == 2) r += std::string("\0\xff\x01", 3);
  if (n % 7 == 3) r.append(3000 + n, static_cast<char>('a' + n % 26));
  return r;
}

// Appends records next..next+count with `checkpoint`.
Status Append(Log* log, int* next, int count, std::string_view checkpoint) {
  std::vector<std::string> recs;
  for (int i = 0; i < count; ++i) recs.push_back(Record((*next)++));
  std::vector<std::string_view> views(recs.begin(), recs.end());
  uint64_t first = 0;
  return log->Append(views.data(), views.size(), checkpoint, /*sync=*/true, &first);
}

// Writes the stream, leaving *log open: the last appends stay in the
// write-ahead log only, the earlier ones are in a table file.
Status Write(Storage* storage, const std::string& dir, std::unique_ptr<Log>* out) {
  std::unique_ptr<Log>& log = *out;
  SLUICE_RETURN_IF_ERROR(storage->OpenLog(kName, dir, /*create=*/true, &log));
  int next = 0;
  SLUICE_RETURN_IF_ERROR(Append(log.get(), &next, 3, "cp-1"));
  SLUICE_RETURN_IF_ERROR(Append(log.get(), &next, 5, std::string("cp\0two", 6)));
  SLUICE_RETURN_IF_ERROR(Append(log.get(), &next, 0, "cp-3-checkpoint-only"));
  SLUICE_RETURN_IF_ERROR(Append(log.get(), &next, 4, "cp-4"));
  SLUICE_RETURN_IF_ERROR(log->Truncate(10, "cut-at-10"));  // inside the last append
  log.reset();
  // Reopening moves what the write-ahead log holds into a table file.
  SLUICE_RETURN_IF_ERROR(storage->OpenLog(kName, dir, /*create=*/false, &log));
  SLUICE_RETURN_IF_ERROR(Append(log.get(), &next, 3, "cp-5"));
  return Append(log.get(), &next, 2, "cp-final");
}

// Writes what `log` holds to `path`.
Status Describe(Log* log, const std::string& path) {
  uint64_t end = 0;
  std::string checkpoint;
  SLUICE_RETURN_IF_ERROR(log->End(&end));
  SLUICE_RETURN_IF_ERROR(log->Checkpoint(&checkpoint));
  std::string text = "end " + std::to_string(end) + "\ncheckpoint " + Hex(checkpoint) + "\n";
  uint64_t want = 0;
  SLUICE_RETURN_IF_ERROR(log->Read(0, end, [&](uint64_t offset, std::string_view record) {
    if (offset != want++) return false;
    text += "record " + Hex(record) + "\n";
    return true;
  }));
  if (want != end)
    return sluice::DataLoss("read " + std::to_string(want) + " of " + std::to_string(end) +
                            " records back");
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  return out ? Status() : sluice::Internal("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::string root = argv[1];
  std::unique_ptr<Storage> storage;
  std::unique_ptr<Log> log;
  Status s = Storage::Create(sluice::HostServices(), sluice::Options(), &storage);
  if (s.ok()) s = Write(storage.get(), root + "/log", &log);
  if (s.ok()) s = Describe(log.get(), root + "/expected.txt");
  if (!s.ok()) {
    std::fprintf(stderr, "generate: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
