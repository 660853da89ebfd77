#include "plugin/plugin_catalog.h"

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <mutex>
#include <system_error>

#include "plugin/descriptor.h"
#include "sluice/abi.h"
#include "util/suggest.h"

namespace sluice::host {
namespace {

namespace fs = std::filesystem;

// Every library ever loaded, kept open until the process exits: objects and
// function tables of a plugin must never outlive its code.
void KeepLoaded(boost::dll::shared_library&& lib) {
  static std::mutex* mu = new std::mutex;
  static auto* libs = new std::vector<boost::dll::shared_library>;
  std::lock_guard<std::mutex> lock(*mu);
  libs->push_back(std::move(lib));
}

// The dlerror() text inside a Boost.DLL exception message, or the message.
std::string LoaderMessage(const std::string& what) {
  static const std::string kMarker = "(dlerror system message: ";
  size_t begin = what.find(kMarker);
  if (begin == std::string::npos) return what;
  begin += kMarker.size();
  size_t end = what.rfind(')');
  return what.substr(begin,
                     end == std::string::npos || end < begin ? std::string::npos : end - begin);
}

Status OpenLibrary(const fs::path& path, boost::dll::shared_library* out) {
  try {
    namespace mode = boost::dll::load_mode;
    *out = boost::dll::shared_library(path, mode::rtld_now | mode::rtld_local);
    return Status();
  } catch (const std::exception& e) {
    return FailedPrecondition("plugin file " + path.string() +
                              " is not a loadable shared object: " + LoaderMessage(e.what()) +
                              " — remove it from the plugin directory, or rebuild it for this "
                              "system if it is a sluice plugin");
  }
}

// Calls the entry of `lib`; FAILED_PRECONDITION when there is none or it throws.
Status CallEntry(const boost::dll::shared_library& lib, const fs::path& path,
                 const sluice_plugin_descriptor** out) {
  if (!lib.has(SLUICE_ENTRY_SYMBOL))
    return FailedPrecondition(
        "plugin file " + path.string() + " is not a sluice plugin: it does not export " +
        SLUICE_ENTRY_SYMBOL +
        " — export one with SLUICE_PLUGIN() (sluice/plugin.h), or remove the file "
        "from the plugin directory");
  try {
    *out = lib.get<const sluice_plugin_descriptor*()>(SLUICE_ENTRY_SYMBOL)();
    return Status();
  } catch (const std::exception& e) {
    return FailedPrecondition("plugin file " + path.string() + ": " + SLUICE_ENTRY_SYMBOL +
                              "() threw an exception: " + e.what());
  } catch (...) {
    return FailedPrecondition("plugin file " + path.string() + ": " + SLUICE_ENTRY_SYMBOL +
                              "() threw an exception");
  }
}

const char* Article(PluginKind kind) { return kind == PluginKind::kApi ? "an" : "a"; }

fs::path Absolute(const fs::path& p) {
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  return (ec ? p : abs).lexically_normal();
}

}  // namespace

const char* KindName(PluginKind kind) {
  switch (kind) {
    case PluginKind::kStorage: return "storage";
    case PluginKind::kSource: return "source";
    case PluginKind::kApi: return "api";
  }
  return "unknown";
}

void PluginCatalog::Discover(const std::vector<fs::path>& dirs, bool required) {
  for (const fs::path& d : dirs) {
    fs::path dir = Absolute(d);
    bool seen = std::any_of(searched_.begin(), searched_.end(),
                            [&](const auto& s) { return s.first == dir; });
    if (!seen) SearchDir(dir, required);
  }
}

void PluginCatalog::SearchDir(const fs::path& dir, bool required) {
  std::error_code ec;
  bool exists = fs::is_directory(dir, ec);
  searched_.emplace_back(dir, exists);
  if (!exists) {
    if (required)
      problems_.emplace_back(dir, "plugin directory " + dir.string() +
                                      " does not exist — create it, or fix --plugin-dir, "
                                      "SLUICE_PLUGIN_PATH or plugin_dirs in the config");
    return;
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->path().extension() == ".so" && it->is_regular_file(type_ec))
      files.push_back(it->path());
  }
  if (ec)
    problems_.emplace_back(dir,
                           "cannot list plugin directory " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    Status s = LoadFile(f, nullptr);
    if (!s.ok()) problems_.emplace_back(f, s.message());
  }
}

Status PluginCatalog::LoadFile(const fs::path& file, const PluginInfo** out) {
  fs::path path = Absolute(file);
  if (const PluginInfo* loaded = FindByPath(path)) {
    if (out != nullptr) *out = loaded;
    return Status();
  }
  std::error_code ec;
  if (!fs::exists(path, ec))
    return NotFound("plugin file " + path.string() +
                    " does not exist — check the path, or build and "
                    "install the plugin");
  boost::dll::shared_library lib;
  SLUICE_RETURN_IF_ERROR(OpenLibrary(path, &lib));
  const sluice_plugin_descriptor* d = nullptr;
  Status s = CallEntry(lib, path, &d);
  KeepLoaded(std::move(lib));  // its code ran: never unload it
  SLUICE_RETURN_IF_ERROR(s);
  PluginInfo info;
  SLUICE_RETURN_IF_ERROR(ValidateDescriptor(d, path, &info));
  if (const PluginInfo* first = Find(info.kind, info.name))
    return AlreadyExists(std::string(KindName(info.kind)) + " plugin \"" + info.name + "\" in " +
                         path.string() + " duplicates the one in " + first->path.string() +
                         ", which was loaded first and is used — remove one of the two files");
  stable_.push_back(info);
  plugins_.push_back(std::move(info));
  if (out != nullptr) *out = &stable_.back();
  return Status();
}

const PluginInfo* PluginCatalog::Find(PluginKind kind, std::string_view name) const {
  for (const PluginInfo& p : stable_)
    if (p.kind == kind && p.name == name) return &p;
  return nullptr;
}

const PluginInfo* PluginCatalog::FindByPath(const fs::path& path) const {
  for (const PluginInfo& p : stable_)
    if (p.path == path) return &p;
  return nullptr;
}

Status PluginCatalog::Require(PluginKind kind, std::string_view name,
                              const PluginInfo** out) const {
  if (const PluginInfo* p = Find(kind, name)) {
    *out = p;
    return Status();
  }
  std::string kind_name = KindName(kind);
  std::vector<std::string_view> names;
  std::string found, other_kind;
  for (const PluginInfo& p : stable_) {
    if (p.kind == kind) {
      names.push_back(p.name);
      found += (found.empty() ? "" : ", ") + p.name + " (" + p.path.string() + ")";
    } else if (p.name == name) {
      other_kind = " \"" + p.name + "\" is " + Article(p.kind) + " " + KindName(p.kind) +
                   " plugin, not " + Article(kind) + " " + kind_name + " plugin.";
    }
  }
  std::string msg = "no " + kind_name + " plugin named \"" + std::string(name) + "\"" +
                    DidYouMean(name, names) + "." + other_kind;
  msg += found.empty() ? " No " + kind_name + " plugins were found." : " Found: " + found + ".";
  std::string dirs;
  for (const auto& [dir, exists] : searched_)
    dirs += (dirs.empty() ? "" : ", ") + dir.string() + (exists ? "" : " (missing)");
  msg += " Searched: " + (dirs.empty() ? std::string("no directories") : dirs) + ".";
  size_t failed = std::count_if(problems_.begin(), problems_.end(),
                                [](const auto& p) { return p.first.extension() == ".so"; });
  if (failed > 0)
    msg += " " + std::to_string(failed) +
           " file(s) could not be loaded (run `sluice plugins` to see why).";
  msg +=
      " Fix: put the plugin's .so file into one of these directories, or name its directory "
      "with --plugin-dir, the SLUICE_PLUGIN_PATH environment variable (':'-separated) or "
      "plugin_dirs in the config.";
  return NotFound(std::move(msg));
}

}  // namespace sluice::host
