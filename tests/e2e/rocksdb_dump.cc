// sluice_e2e_rocksdb_dump DIR: prints every key and value of the closed
// RocksDB database in DIR, in key order, one line per entry:
//
//   <key as hex> <value as hex>
//
// The end-to-end tests read committed logs through it (tests/e2e/log_reader.py)
// without going through sluice or its storage plugins: RocksDB's own code opens
// the database read-only (no file in DIR is written), replays its write-ahead
// log, and verifies every block checksum it reads.
//
// Exit status: 0 after the last entry; 1 with a message on stderr when the
// database cannot be opened or read (the message names DIR and RocksDB's error);
// 2 on bad usage.
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <string>

namespace {

// RocksDB's diagnostics are not wanted here; without a logger of our own, an
// open would create a LOG file in the database directory.
class SilentLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

void PrintHex(const rocksdb::Slice& s) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(s.size() * 2, '0');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out[2 * i] = kDigits[c >> 4];
    out[2 * i + 1] = kDigits[c & 0xF];
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

int Fail(const std::string& dir, const char* what, const rocksdb::Status& s) {
  std::fprintf(stderr, "sluice_e2e_rocksdb_dump: %s %s: %s\n", what, dir.c_str(),
               s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR   (a closed RocksDB database)\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  rocksdb::Options options;
  options.create_if_missing = false;
  options.paranoid_checks = true;
  options.info_log = std::make_shared<SilentLogger>();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(options, dir, &raw);
  if (!s.ok()) return Fail(dir, "open", s);
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    PrintHex(it->key());
    std::fputc(' ', stdout);
    PrintHex(it->value());
    std::fputc('\n', stdout);
  }
  if (!it->status().ok()) return Fail(dir, "read", it->status());
  it.reset();
  s = db->Close();
  if (!s.ok()) return Fail(dir, "close", s);
  return std::fflush(stdout) == 0 ? 0 : 1;
}
