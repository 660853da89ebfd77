// `sluice repair ENDPOINT`: find the damage in an endpoint's logs and cut
// each damaged log after its last whole commit before the first bad record,
// so that its ingest can go on (docs/operations.md, "Damaged files").
// Without --truncate the cut is made only when the source can replay from
// that commit (the ingest then re-reads what the cut dropped); with it, the
// cut is made anyway and the report says what is lost. A log that is not
// damaged is left as it is.
#include <algorithm>
#include <boost/program_options.hpp>
#include <iostream>
#include <vector>

#include "cache/version_cache.h"
#include "cli/boot.h"
#include "cli/commands.h"
#include "core/home_lock.h"
#include "migrate/migrate.h"
#include "runtime/runtime.h"
#include "util/log.h"

namespace po = boost::program_options;

namespace sluice::host {
namespace {

// What the ingest of `ep` resumes from after `offset`, in words.
std::string Where(Runtime& rt, const EndpointConfig& ep, const std::string& offset) {
  if (offset.empty()) return "the start of the source";
  SourcePlugin* source = nullptr;
  std::string plugin, where;
  if (rt.SourceFor(ep, &source, &plugin).ok() &&
      source->DescribeOffset(ep.table, ep.options, offset, &where).ok() && !where.empty())
    return where;
  return "the source offset of that commit";
}

// Whether the source of `ep` can resume version `v` from `offset`: a reader
// opens there (the source checks the offset as far as it can without
// reading).
Status SourceCanReplay(Runtime& rt, const EndpointConfig& ep, uint32_t v, const VersionMeta& meta,
                       const std::string& offset) {
  SourcePlugin* source = nullptr;
  std::string plugin;
  SLUICE_RETURN_IF_ERROR(rt.SourceFor(ep, &source, &plugin));
  std::unique_ptr<SourceReader> reader;
  return source->OpenScopedReader(ReaderScope{ep.name, v}, ep.table, ep.options,
                                  meta.table_schema.SourceSchema(), offset, &reader);
}

// Deletes the cache of version v when it holds more than the log keeps
// (`end`): it is rebuilt from the log when the version is next served.
Status DropCacheBeyond(Runtime& rt, const std::string& endpoint, uint32_t v,
                       const VersionMeta& meta, uint64_t end, bool* dropped) {
  *dropped = false;
  auto dir = rt.home().CacheDir(endpoint, v);
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return Status();
  {
    std::unique_ptr<VersionCache> cache;
    bool rebuilt = false;
    Status s = VersionCache::Open(rt.cache_storage(), dir, meta.table_schema, &cache, &rebuilt);
    if (s.ok() && cache->applied() <= end) return Status();
  }
  *dropped = true;
  return VersionCache::Discard(rt.cache_storage(), dir);
}

// Appends records [0, end) of `from` to `to` (an empty log), one append
// per commit, each with its commit's checkpoint. `end` follows a commit.
Status CopyCommits(Log& from, uint64_t end, Log& to) {
  std::vector<std::string> pending;
  std::string checkpoint;  // of the last commit copied
  Status bad;
  for (uint64_t at = 0; at < end && bad.ok();) {
    uint64_t before = at;
    size_t max = static_cast<size_t>(std::min<uint64_t>(end - at, 4096));
    SLUICE_RETURN_IF_ERROR(from.Read(at, max, [&](uint64_t off, std::string_view data) {
      pending.emplace_back(data);
      at = off + 1;
      LogRecord rec;
      CommitInfo info;
      bad = DecodeRecord(data, &rec);
      if (!bad.ok() || rec.kind != RecordKind::kCommit) return bad.ok();
      bad = DecodeCommit(rec.payload, &info);
      if (!bad.ok()) return false;
      checkpoint = EncodeCheckpoint(Checkpoint{off + 1, info.flags, info.source_offset});
      std::vector<std::string_view> batch(pending.begin(), pending.end());
      uint64_t first = 0;
      bad = to.Append(batch.data(), batch.size(), checkpoint, /*sync=*/false, &first);
      pending.clear();
      return bad.ok();
    }));
    if (at == before) return DataLoss("no record at offset " + std::to_string(at));
  }
  SLUICE_RETURN_IF_ERROR(bad);
  if (end == 0) return Status();
  uint64_t first = 0;  // an empty append, synced, makes the copy durable
  return to.Append(nullptr, 0, checkpoint, /*sync=*/true, &first);
}

// Cuts the log of `ep` v at `good` by copying what it keeps into a new
// stream and back: for a log whose damage keeps the backend from cutting
// it in place (a store whose damaged block holds keys the cut must delete).
// Interrupted, it leaves a shorter whole log (what it dropped is read
// again from the source) and a "~repair" stream that the next repair
// removes.
Status CutByCopy(Runtime& rt, const EndpointConfig& ep, uint32_t v, const Checkpoint& good) {
  StoragePlugin& storage = rt.log_storage();
  const std::string name = Home::LogStreamName(ep.name, v);
  const std::string dir = rt.home().LogDir(ep.name, v).string();
  const std::string tmp_name = name + "_repair", tmp_dir = dir + "~repair";
  SLUICE_RETURN_IF_ERROR(storage.RemoveLog(tmp_name, tmp_dir));
  {
    std::unique_ptr<Log> from, to;
    SLUICE_RETURN_IF_ERROR(storage.OpenLog(name, dir, /*create=*/false, &from));
    SLUICE_RETURN_IF_ERROR(storage.OpenLog(tmp_name, tmp_dir, /*create=*/true, &to));
    SLUICE_RETURN_IF_ERROR(CopyCommits(*from, good.log_end, *to).WithContext("copying the log"));
  }
  SLUICE_RETURN_IF_ERROR(storage.RemoveLog(name, dir));
  {
    std::unique_ptr<Log> from, to;
    SLUICE_RETURN_IF_ERROR(storage.OpenLog(tmp_name, tmp_dir, /*create=*/false, &from));
    SLUICE_RETURN_IF_ERROR(storage.OpenLog(name, dir, /*create=*/true, &to));
    SLUICE_RETURN_IF_ERROR(CopyCommits(*from, good.log_end, *to).WithContext("copying it back"));
  }
  return storage.RemoveLog(tmp_name, tmp_dir);
}

// Checks the log of version v and, when it is damaged, cuts it. Returns
// the exit code.
int RepairVersion(Runtime& rt, const EndpointConfig& ep, uint32_t v, bool truncate) {
  const std::string head = ep.name + " v" + std::to_string(v) + ": ";
  auto fail = [&](const Status& s) {
    std::cerr << "sluice: " << head << s.message() << "\n";
    return kExitFailure;
  };
  VersionMeta meta;
  Status s = ReadVersionMeta(rt.home().SchemaFile(ep.name, v).string(), &meta);
  if (!s.ok()) return fail(s);
  std::shared_ptr<VersionLog> log;
  s = rt.OpenLog(ep.name, v, /*create=*/false, &log);
  if (s.code() == Code::kNotFound) {
    std::cout << head << "no log yet\n";
    return kExitOk;
  }
  LogCheck c;
  if (s.ok()) s = log->Verify(&c);
  if (!s.ok()) return fail(s);
  if (!c.damaged) {
    std::cout << head << "log intact: " << c.last_good.log_end << " records, " << c.good_rows
              << " rows";
    // A cache ahead of an intact log: committed records went missing from
    // the log (a backend that lost its tail). The cache goes; the ingest
    // reads again what the log lost.
    bool dropped = false;
    rt.CloseLog(ep.name, v);
    log.reset();
    s = DropCacheBeyond(rt, ep.name, v, meta, c.last_good.log_end, &dropped);
    if (!s.ok()) {
      std::cout << "\n";
      return fail(s);
    }
    if (!dropped) {
      std::cout << "; nothing to repair\n";
      return kExitOk;
    }
    std::cout << "\n  its cache held records the log lost and was deleted (rebuilt from the log "
                 "when served); the ingest reads the source again from "
              << Where(rt, ep, c.last_good.source_offset) << "\n";
    return kExitOk;
  }
  const uint64_t cut = c.last_good.log_end;
  const uint64_t end = std::max({c.end, c.checkpoint.log_end, cut});
  const std::string from = Where(rt, ep, c.last_good.source_offset);
  // What the cut drops, in words.
  const std::string dropped_what =
      c.opened ? "records " + std::to_string(cut) + " to " + std::to_string(end)
               : std::string("every record of the log");
  std::cout << head << "log damaged: " << c.why << "\n"
            << "  first bad record: offset " << c.bad_offset
            << (c.opened ? "" : " (the storage cannot open the log at all)") << "\n"
            << "  kept: records 0 to " << cut << " (" << c.good_rows
            << " rows), up to the last whole commit before it\n"
            << "  dropped: " << dropped_what << " (what was committed after it; read again from "
            << from << ")\n";
  Status replay = SourceCanReplay(rt, ep, v, meta, c.last_good.source_offset);
  if (!replay.ok() && !truncate) {
    std::cerr << "sluice: " << head << "the source cannot replay from " << from << ": "
              << replay.message() << "\nNothing was changed. `sluice repair " << ep.name
              << " --truncate` cuts the log anyway (what it drops is lost), or `sluice migrate "
                 "--new "
              << ep.name << "` starts a new version from the whole source.\n";
    return kExitFailure;
  }
  if (!c.opened) {
    // The backend cannot open the stream at all: start it again, empty.
    rt.CloseLog(ep.name, v);
    log.reset();
    s = rt.log_storage().RemoveLog(Home::LogStreamName(ep.name, v),
                                   rt.home().LogDir(ep.name, v).string());
  } else {
    s = log->CutAt(c.last_good);
    rt.CloseLog(ep.name, v);
    log.reset();
    // The backend could not cut in place: what is kept is copied instead.
    if (s.code() == Code::kDataLoss) s = CutByCopy(rt, ep, v, c.last_good);
  }
  bool dropped = false;
  if (s.ok()) s = DropCacheBeyond(rt, ep.name, v, meta, cut, &dropped);
  if (!s.ok()) return fail(s);
  std::cout << "  cut the log at offset " << cut << (c.opened ? "" : " (removed it)")
            << (dropped ? "; its cache held more and was deleted (rebuilt from the log when served)"
                        : "")
            << "\n";
  if (replay.ok())
    std::cout << "  the ingest reads the source again from " << from
              << " when it next runs (`sluice run`, `sluice app run`)\n";
  else
    std::cout << "  LOST: " << dropped_what << ": the source cannot replay from " << from << " ("
              << replay.message() << ")\n";
  return kExitOk;
}

}  // namespace

int CmdRepair(const GlobalOptions& g, const std::vector<std::string>& args) {
  po::options_description desc("repair options");
  desc.add_options()("version", po::value<uint32_t>(), "repair only this version")(
      "truncate",
      "cut a damaged log at its last whole commit before the damage even when the source "
      "cannot replay from there (what is cut is lost)")("help,h", "show this help");
  po::options_description hidden;
  hidden.add_options()("endpoint", po::value<std::string>(), "endpoint");
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("endpoint", 1);
  po::variables_map vm;
  const char* usage = "sluice [-c FILE] repair ENDPOINT [--version N] [--truncate]";
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << "Usage: " << usage << "\n" << desc;
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "sluice: " << e.what() << "\n\nUsage: " << usage << "\n" << desc;
    return kExitUsage;
  }
  if (!vm.count("endpoint")) {
    std::cerr << "sluice: name the endpoint to repair\n\nUsage: " << usage << "\n" << desc;
    return kExitUsage;
  }
  const std::string name = vm["endpoint"].as<std::string>();
  std::unique_ptr<Runtime> rtp;
  std::unique_ptr<HomeLock> lock;
  // A repair rewrites logs: it needs the home to itself (a running server
  // holding it is kExitBusy: stop it, repair, start it again).
  if (int code = Boot(g, "repair", LockMode::kRequired, /*quiet=*/true, &rtp, &lock); code >= 0)
    return code;
  Runtime& rt = *rtp;
  const EndpointConfig* ep = rt.FindEndpoint(name);
  if (ep == nullptr) {
    std::cerr << "sluice: no endpoint \"" << name << "\" in the config\n";
    return kExitUsage;
  }
  rt.SetLogReader(true);  // open without cutting anything: Verify decides
  std::vector<uint32_t> versions = rt.home().ListVersions(name);
  if (vm.count("version")) {
    uint32_t only = vm["version"].as<uint32_t>();
    if (std::find(versions.begin(), versions.end(), only) == versions.end()) {
      std::cerr << "sluice: endpoint " << name << " has no version " << only << "\n";
      return kExitUsage;
    }
    versions = {only};
  }
  if (versions.empty()) {
    std::cout << name << ": no version yet\n";
    return kExitOk;
  }
  int code = kExitOk;
  for (uint32_t v : versions)
    code = std::max(code, RepairVersion(rt, *ep, v, vm.count("truncate") > 0));
  return code;
}

}  // namespace sluice::host
