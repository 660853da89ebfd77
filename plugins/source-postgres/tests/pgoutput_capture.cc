// Captures what a real server's pgoutput sends, for the decoder's test
// fixtures (tests/fixtures/capture.sh runs it against a throwaway server).
//
//   pgoutput_capture CONNINFO SLOT PUBLICATION STOP_LSN OUT_FILE
//
// Streams SLOT from its start and writes every pgoutput message (the data
// of each XLogData) to OUT_FILE, each as a 4-byte big-endian length then
// the bytes, until a Commit whose end LSN reaches STOP_LSN (or 3 s pass
// without a message after the last transaction). The password,
// if any, comes from PGPASSWORD (libpq reads it).
#include <cstdio>
#include <fstream>
#include <iostream>

#include "pg_stream.h"
#include "pgoutput.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: pgoutput_capture CONNINFO SLOT PUBLICATION STOP_LSN OUT_FILE\n";
    return 2;
  }
  uint64_t stop = 0;
  if (!pgsrc::ParseLsn(argv[4], &stop)) {
    std::cerr << "bad LSN " << argv[4] << "\n";
    return 2;
  }
  pgsrc::Conninfo conninfo;
  {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(argv[1], &err);
    if (opts == nullptr) {
      std::cerr << "bad conninfo: " << (err ? err : "") << "\n";
      return 2;
    }
    for (PQconninfoOption* o = opts; o->keyword; ++o)
      if (o->val) conninfo.emplace_back(o->keyword, o->val);
    PQconninfoFree(opts);
  }
  std::unique_ptr<pgsrc::ReplicationStream> stream;
  sluice::Status s = pgsrc::ReplicationStream::Start(conninfo, argv[2], 0, argv[3], &stream);
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  std::ofstream out(argv[5], std::ios::binary);
  int messages = 0, commits = 0;
  for (int idle = 0; idle < (commits > 0 ? 30 : 100);) {
    pgsrc::StreamMessage m;
    bool got = false;
    s = stream->Read(100, &m, &got);
    if (!s.ok()) {
      std::cerr << s.ToString() << "\n";
      return 1;
    }
    if (!got || m.kind != pgsrc::StreamMessage::kXLogData) {
      ++idle;
      continue;
    }
    idle = 0;
    uint32_t n = static_cast<uint32_t>(m.data.size());
    char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                   static_cast<char>(n >> 8), static_cast<char>(n)};
    out.write(len, 4);
    out.write(m.data.data(), m.data.size());
    ++messages;
    pgsrc::PgOutputMessage pm;
    const bool commit =
        pgsrc::DecodePgOutput(m.data, &pm).ok() && pm.kind == pgsrc::PgOutputMessage::kCommit;
    commits += commit;
    if (commit && pm.end_lsn >= stop) {
      std::cout << "captured " << messages << " messages into " << argv[5] << "\n";
      return 0;
    }
  }
  if (commits == 0) {
    std::cerr << "no transaction arrived within 10 s\n";
    return 1;
  }
  // Other WAL (e.g. autovacuum) may follow the last transaction: 3 s of
  // silence after it ends the capture too.
  std::cout << "captured " << messages << " messages into " << argv[5] << "\n";
  return 0;
}
