#include "csv_table.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "csv_values.h"
#include "utf8.h"

namespace sluice::csv {

namespace {

bool Exists(const std::string& path, bool want_dir) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

bool IsTableFileName(const std::string& n, const std::string& extension) {
  size_t ext = extension.size() + 1;
  return n.size() > ext && n[0] != '.' && n[n.size() - ext] == '.' &&
         n.compare(n.size() - extension.size(), extension.size(), extension) == 0;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

Status CheckTableName(const std::string& root, const std::string& table,
                      const std::string& extension) {
  if (table.empty() || table == "." || table == ".." || table.find('/') != std::string::npos ||
      table.find('\0') != std::string::npos)
    return InvalidArgument("table name '" + table +
                           "' is not a plain file name: expected the name of " + root + "/NAME." +
                           extension + " or of the directory " + root +
                           "/NAME/, without '/' and not '.' or '..'; to read files elsewhere, add "
                           "a connection whose path is their directory");
  return Status();
}

Status TableFiles::Resolve(const std::string& root, const std::string& table,
                           const std::string& extension, TableFiles* out) {
  SLUICE_RETURN_IF_ERROR(CheckTableName(root, table, extension));
  out->table_ = table;
  out->extension_ = extension;
  // A name with an extension of its own names exactly that file.
  if (table.find('.') != std::string::npos && Exists(root + "/" + table, false)) {
    out->is_directory_ = false;
    out->dir_ = root;
    out->file_ = table;
    return out->Refresh();
  }
  std::string file = root + "/" + table + "." + extension, dir = root + "/" + table;
  bool has_file = Exists(file, false), has_dir = Exists(dir, true);
  if (has_file && has_dir)
    return FailedPrecondition("table \"" + table + "\" is ambiguous: both " + file +
                              " and the directory " + dir + "/ exist; remove or rename one");
  if (!has_file && !has_dir)
    return NotFound("table \"" + table + "\" not found: looked for the file " + file +
                    " and the directory " + dir + "/");
  out->is_directory_ = has_dir;
  out->dir_ = has_dir ? dir : root;
  out->file_ = table + "." + extension;
  return out->Refresh();
}

Status TableFiles::Refresh() {
  std::vector<FileEntry> files;
  struct stat st;
  if (!is_directory_) {
    if (::stat(Path(file_).c_str(), &st) != 0) return IoError("stat " + Path(file_), errno);
    files.push_back({file_, static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(st.st_ino)});
  } else {
    DIR* d = ::opendir(dir_.c_str());
    if (d == nullptr) return IoError("open directory " + dir_, errno);
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (!IsTableFileName(name, extension_) || ::stat(Path(name).c_str(), &st) != 0 ||
          !S_ISREG(st.st_mode))
        continue;
      files.push_back({name, static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(st.st_ino)});
    }
    ::closedir(d);
    std::sort(files.begin(), files.end(),
              [](const FileEntry& a, const FileEntry& b) { return a.name < b.name; });
  }
  files_ = std::move(files);
  return Status();
}

Status UniqueFd::Open(const std::string& path) {
  Reset();
  int fd;
  do { fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC); } while (fd < 0 && errno == EINTR);
  if (fd < 0) return IoError("open " + path, errno);
  fd_ = fd;
  return Status();
}

Status UniqueFd::Size(uint64_t* out) const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return IoError("stat", errno);
  *out = static_cast<uint64_t>(st.st_size);
  return Status();
}

Status UniqueFd::Inode(uint64_t* out) const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return IoError("stat", errno);
  *out = static_cast<uint64_t>(st.st_ino);
  return Status();
}

void UniqueFd::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status ReadHeader(CsvScanner* scanner, const std::string& display, bool final_file, size_t expected,
                  std::vector<std::string>* names, bool* ready) {
  CsvRecord rec;
  ScanResult r;
  SLUICE_RETURN_IF_ERROR(scanner->Next(expected, final_file, &rec, &r));
  *ready = r == ScanResult::kRecord;
  if (!*ready) return Status();
  std::string where = display + ":" + std::to_string(rec.line) + ": header";
  if (!rec.error.empty())
    return InvalidArgument(where + " column " + std::to_string(rec.error_column) + ": " +
                           rec.error);
  names->clear();
  for (size_t i = 0; i < rec.fields.size(); ++i) {
    std::string col = " column " + std::to_string(i + 1);
    std::string_view v = rec.fields[i].value;
    if (!rec.ascii && FindInvalidUtf8(v) != std::string_view::npos)
      return InvalidArgument(where + col + ": invalid UTF-8; save the file as UTF-8");
    names->push_back(Trim(v));
    if (names->back().empty())
      return InvalidArgument(where + col + " has an empty name; every column needs a name");
    for (size_t j = 0; j < i; ++j)
      if ((*names)[j] == names->back())
        return InvalidArgument(where + col + " " + QuoteForMessage(names->back()) +
                               " repeats the name of column " + std::to_string(j + 1) +
                               "; column names must be unique");
  }
  return Status();
}

std::string HeaderDifference(const std::vector<std::string>& expected,
                             const std::vector<std::string>& found) {
  std::string out;
  int shown = 0;
  for (size_t i = 0; i < std::min(expected.size(), found.size()); ++i) {
    if (expected[i] == found[i]) continue;
    if (shown++ == 3) {
      out += "; ...";
      break;
    }
    out += (out.empty() ? "" : "; ") + std::string("column ") + std::to_string(i + 1) + " is " +
           QuoteForMessage(found[i]) + ", expected " + QuoteForMessage(expected[i]);
  }
  if (expected.size() != found.size()) {
    out += (out.empty() ? "" : "; ") + std::string("the file has ") + std::to_string(found.size()) +
           " columns, expected " + std::to_string(expected.size());
    const auto& longer = expected.size() > found.size() ? expected : found;
    size_t from = std::min(expected.size(), found.size());
    out += expected.size() > found.size() ? " (missing: " : " (extra: ";
    for (size_t i = from; i < longer.size(); ++i) out += (i > from ? ", " : "") + longer[i];
    out += ")";
  }
  return out;
}

}  // namespace sluice::csv
