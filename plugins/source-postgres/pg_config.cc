#include "pg_config.h"

#include <libpq-fe.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

namespace pgsrc {
namespace {

using sluice::InvalidArgument;
using sluice::Status;

Status ParseBool(const std::string& key, const std::string& v, const char* where, bool* out) {
  if (sluice::ParseBoolOption(v, out)) return Status();
  return InvalidArgument(std::string(where) + " '" + key + "': expected true or false, found '" +
                         v + "'");
}

Status ParseCount(const std::string& key, const std::string& v, const char* where, uint64_t min,
                  uint64_t* out) {
  char* end = nullptr;
  unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || v[0] < '0' || v[0] > '9' || *end != '\0' || n < min)
    return InvalidArgument(std::string(where) + " '" + key + "': expected a whole number >= " +
                           std::to_string(min) + ", found '" + v + "'");
  *out = n;
  return Status();
}

// Applies one option shared by connections and endpoints; false when `key`
// is not one of them.
bool TableOption(const std::string& key, const std::string& v, const char* where, TableConfig* t,
                 Status* s) {
  if (key == "publication") {
    if (v.empty()) *s = InvalidArgument(std::string(where) + " 'publication' is empty");
    t->publication = v;
  } else if (key == "numeric") {
    if (v == "string") t->types.numeric = NumericMode::kString;
    else if (v == "number") t->types.numeric = NumericMode::kNumber;
    else
      *s = InvalidArgument(std::string(where) +
                           " 'numeric': expected string (exact decimal text) or number (int64 or "
                           "float64 where every value of the column fits exactly), found '" +
                           v + "'");
  } else if (key == "other_types") {
    if (v == "refuse") t->types.other_types_as_string = false;
    else if (v == "string") t->types.other_types_as_string = true;
    else
      *s = InvalidArgument(std::string(where) +
                           " 'other_types': expected refuse or string, found '" + v + "'");
  } else {
    return false;
  }
  return true;
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
  ConnConfig c;
  const char* where = "connection option";
  std::string password_env, password_file;
  bool have_dsn = false;
  for (const auto& [key, v] : options.items()) {
    Status s;
    if (key == "dsn") {
      SLUICE_RETURN_IF_ERROR(ParseDsn(v, &c.conninfo));
      have_dsn = true;
    } else if (key == "password_env") {
      password_env = v;
    } else if (key == "password_file") {
      password_file = v;
    } else if (key == "create_publication") {
      SLUICE_RETURN_IF_ERROR(ParseBool(key, v, where, &c.create_publication));
    } else if (key == "slot_prefix") {
      bool ok = !v.empty() && v.size() <= 20 && v[0] >= 'a' && v[0] <= 'z';
      for (char ch : v)
        ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
      if (!ok)
        return InvalidArgument(
            "connection option 'slot_prefix': expected 1 to 20 characters of "
            "[a-z0-9_] starting with a letter, found '" +
            v + "'");
      c.slot_prefix = v;
    } else if (key == "lag_warn_mb") {
      uint64_t mb = 0;
      SLUICE_RETURN_IF_ERROR(ParseCount(key, v, where, 1, &mb));
      c.lag_warn_bytes = mb << 20;
    } else if (key == "heartbeat_ms") {
      uint64_t ms = 0;
      SLUICE_RETURN_IF_ERROR(ParseCount(key, v, where, 100, &ms));
      c.heartbeat_ms = static_cast<uint32_t>(std::min<uint64_t>(ms, 3600000));
    } else if (!TableOption(key, v, where, &c.table, &s)) {
      return InvalidArgument("unknown connection option '" + key +
                             "'; the postgres source knows: dsn, password_env, password_file, "
                             "publication, create_publication, slot_prefix, lag_warn_mb, "
                             "heartbeat_ms, numeric, other_types");
    }
    SLUICE_RETURN_IF_ERROR(s);
  }
  if (!have_dsn)
    return InvalidArgument(
        "connection option 'dsn' is required, e.g. dsn: \"host=127.0.0.1 port=5432 dbname=shop "
        "user=sluice\"");
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
  TableConfig t = table;
  for (const auto& [key, v] : table_options.items()) {
    Status s;
    if (!TableOption(key, v, "table option", &t, &s))
      return InvalidArgument("unknown table option '" + key +
                             "'; the postgres source knows: publication, numeric, other_types");
    SLUICE_RETURN_IF_ERROR(s);
  }
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
