#include "pg_config.h"

#include <libpq-fe.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace pgsrc {
namespace {

using sluice::InvalidArgument;
using sluice::Status;

// The options shared by connections and endpoints (scope kTable) over *t.
Status ReadTableOptions(const sluice::Options& options, TableConfig* t) {
  SLUICE_RETURN_IF_ERROR(options.Read(kPgOptions, "publication", &t->publication));
  std::string mode;
  SLUICE_RETURN_IF_ERROR(options.Read(kPgOptions, "numeric", &mode));
  if (!mode.empty())
    t->types.numeric = mode == "number" ? NumericMode::kNumber : NumericMode::kString;
  mode.clear();
  SLUICE_RETURN_IF_ERROR(options.Read(kPgOptions, "other_types", &mode));
  if (!mode.empty()) t->types.other_types_as_string = mode == "string";
  return Status();
}

Status ParseDsn(const std::string& dsn, Conninfo* out) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  if (opts == nullptr) {
    std::string why = err ? err : "out of memory";
    if (err) PQfreemem(err);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return InvalidArgument("connection option 'dsn': " + why);
  }
  Status s;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string k = o->keyword;
    if (k == "password")
      s = InvalidArgument(
          "connection option 'dsn' holds a password; the config is no place for it: put it in an "
          "environment variable named by password_env, in a file named by password_file, or in "
          "~/.pgpass (PGPASSFILE)");
    out->emplace_back(k, o->val);
  }
  PQconninfoFree(opts);
  return s;
}

Status ReadPasswordFile(const std::string& path, std::string* out) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0)
    return InvalidArgument("connection option 'password_file': cannot read " + path);
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    return InvalidArgument("connection option 'password_file': " + path +
                           " can be read by group or others; chmod 600 it");
  std::ifstream f(path);
  std::string line;
  if (!f || !std::getline(f, line))
    return InvalidArgument("connection option 'password_file': cannot read " + path);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty())
    return InvalidArgument("connection option 'password_file': " + path +
                           " has an empty first line");
  *out = line;
  return Status();
}

}  // namespace

Status ConnConfig::Parse(const sluice::Options& options, ConnConfig* out,
                         const char* (*getenv_fn)(const char*)) {
  if (getenv_fn == nullptr) getenv_fn = [](const char* n) -> const char* { return std::getenv(n); };
  SLUICE_RETURN_IF_ERROR(options.Check(kPgOptions, sluice::OptionScope::kInstance));
  ConnConfig c;
  std::string dsn, password_env, password_file;
  SLUICE_RETURN_IF_ERROR(options.Read(kPgOptions, "dsn", &dsn));
  SLUICE_RETURN_IF_ERROR(ParseDsn(dsn, &c.conninfo));
  SLUICE_RETURN_IF_ERROR(options.Read(kPgOptions, "password_env", &password_env));
  SLUICE_RETURN_IF_ERROR(options.Read(kPgOptions, "password_file", &password_file));
  SLUICE_RETURN_IF_ERROR(options.Read(kPgOptions, "create_publication", &c.create_publication));
  SLUICE_RETURN_IF_ERROR(options.Read(kPgOptions, "slot_prefix", &c.slot_prefix));
  bool ok = c.slot_prefix[0] >= 'a' && c.slot_prefix[0] <= 'z';
  for (char ch : c.slot_prefix)
    ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
  if (!ok)
    return sluice::InvalidOption(
        "slot_prefix", "1 to 20 characters of [a-z0-9_] starting with a letter", c.slot_prefix);
  int64_t n = 0;
  if (options.Has("lag_warn_mb")) {
    SLUICE_RETURN_IF_ERROR(options.Read(kPgOptions, "lag_warn_mb", &n));
    c.lag_warn_bytes = static_cast<uint64_t>(n) << 20;
  }
  if (options.Has("heartbeat_ms")) {
    SLUICE_RETURN_IF_ERROR(options.Read(kPgOptions, "heartbeat_ms", &n));
    c.heartbeat_ms = static_cast<uint32_t>(std::min<int64_t>(n, 3600000));
  }
  SLUICE_RETURN_IF_ERROR(ReadTableOptions(options, &c.table));
  if (!password_env.empty() && !password_file.empty())
    return InvalidArgument("connection options 'password_env' and 'password_file': give one");
  if (!password_env.empty()) {
    const char* pw = getenv_fn(password_env.c_str());
    if (pw == nullptr || *pw == '\0')
      return InvalidArgument("connection option 'password_env': the environment variable " +
                             password_env + " is not set (or empty)");
    c.conninfo.emplace_back("password", pw);
  } else if (!password_file.empty()) {
    std::string pw;
    SLUICE_RETURN_IF_ERROR(ReadPasswordFile(password_file, &pw));
    c.conninfo.emplace_back("password", pw);
  }
  *out = std::move(c);
  return Status();
}

Status ConnConfig::ForTable(const sluice::Options& table_options, TableConfig* out) const {
  SLUICE_RETURN_IF_ERROR(table_options.Check(kPgOptions, sluice::OptionScope::kTable));
  TableConfig t = table;
  SLUICE_RETURN_IF_ERROR(ReadTableOptions(table_options, &t));
  *out = std::move(t);
  return Status();
}

std::string SlotName(const std::string& prefix, const std::string& endpoint, uint32_t version) {
  std::string name = prefix + "_";
  for (char ch : endpoint) {
    char l = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    name.push_back((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') ? l : '_');
  }
  std::string suffix = "_v" + std::to_string(version);
  if (name.size() + suffix.size() > 63) {
    // FNV-1a of the endpoint's name keeps long names distinct.
    uint64_t h = 1469598103934665603ull;
    for (char ch : endpoint) h = (h ^ static_cast<uint8_t>(ch)) * 1099511628211ull;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    name = name.substr(0, 63 - suffix.size() - 17) + "_" + hex;
  }
  return name + suffix;
}

}  // namespace pgsrc
