// The files behind a table, and their header rows.
//
// A table T of a connection rooted at `path` is either the file path/T.csv
// or the directory path/T/, whose *.csv files (not starting with '.') are
// read in byte-wise name order. With a tab delimiter the extension is .tsv.
// A table named with an extension ("T.txt") is exactly that file.
#ifndef SLUICE_PLUGINS_SOURCE_CSV_CSV_TABLE_H_
#define SLUICE_PLUGINS_SOURCE_CSV_CSV_TABLE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "csv_scanner.h"
#include "sluice/status.h"

namespace sluice::csv {

struct FileEntry {
  std::string name;  // base name, e.g. "2024-01.csv"
  uint64_t size = 0;
  uint64_t inode = 0;  // tells a file replaced under the same name
};

// InvalidArgument when `table` is not a plain name (see Resolve).
Status CheckTableName(const std::string& root, const std::string& table,
                      const std::string& extension);

class TableFiles {
 public:
  // Finds table `table` under directory `root`, whose files end in
  // "." + `extension` ("csv", "tsv"). NotFound naming both paths looked for
  // when neither exists; FailedPrecondition when both do; InvalidArgument
  // when `table` is not a plain name.
  static Status Resolve(const std::string& root, const std::string& table,
                        const std::string& extension, TableFiles* out);

  // Lists the files again (names and sizes), sorted by name.
  Status Refresh();

  bool is_directory() const { return is_directory_; }
  const std::vector<FileEntry>& files() const { return files_; }
  // Full path of file `name`.
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  // Name for messages, relative to the connection path: "T.csv", "T/x.csv".
  std::string Display(const std::string& name) const {
    return is_directory_ ? table_ + "/" + name : name;
  }
  // What a missing table was looked up as, for messages.
  std::string Where() const { return is_directory_ ? dir_ + "/*." + extension_ : Path(file_); }

 private:
  std::string table_;
  std::string dir_;
  std::string extension_;  // of a directory's files
  std::string file_;       // a single file's base name
  bool is_directory_ = false;
  std::vector<FileEntry> files_;
};

// An open file descriptor, closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  ~UniqueFd() { Reset(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  // Opens `path` read-only. NotFound / Internal with the errno text.
  Status Open(const std::string& path);
  // Size of the open file in bytes.
  Status Size(uint64_t* out) const;
  // Inode number of the open file.
  Status Inode(uint64_t* out) const;
  void Reset();
  // Exchanges the descriptors of the two.
  void Swap(UniqueFd& other) { std::swap(fd_, other.fd_); }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

// Reads and checks the header row with `scanner` (positioned at the file
// start) into *names (each trimmed of surrounding spaces and tabs). Sets
// *ready = false when there is no complete header yet: the file is empty
// (or holds only blank lines), or, without final_file, its first line is
// still being written (`expected` is the column count that lets a header
// without a line break count as complete). InvalidArgument naming
// `display`, the line and the column for a malformed header or an empty or
// duplicate name.
Status ReadHeader(CsvScanner* scanner, const std::string& display, bool final_file, size_t expected,
                  std::vector<std::string>* names, bool* ready);

// Empty when `found` equals `expected`; else a description of how they
// differ ("column 3 is "b", expected "c"; ...").
std::string HeaderDifference(const std::vector<std::string>& expected,
                             const std::vector<std::string>& found);

}  // namespace sluice::csv

#endif  // SLUICE_PLUGINS_SOURCE_CSV_CSV_TABLE_H_
