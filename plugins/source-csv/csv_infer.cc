#include "csv_infer.h"

#include <algorithm>
#include <vector>

#include "csv_rows.h"
#include "csv_values.h"

namespace sluice::csv {

namespace {

struct Column {
  std::string name;
  uint32_t mask = kFitsAll;  // types every sampled non-null value fits
  bool seen = false;         // some sampled value was not null
  uint64_t sampled = 0;      // rows sampled for this column
};

// One pass over a table's files: the union of their headers, and the
// sample of rows each column's type comes from.
class Inference {
 public:
  Inference(const HostServices& host, const ConnectionConfig& conn, const TableConfig& table,
            const TableFiles& files)
      : host_(host),
        conn_(conn),
        table_(table),
        files_(files),
        scanner_(conn.buffer_size, conn.delimiter) {}

  Status Run(Schema* out, std::vector<std::string>* notes) {
    if (files_.files().empty())
      return NotFound("table has no data files: nothing matches " + files_.Where());
    for (const FileEntry& file : files_.files()) {
      bool complete = &file != &files_.files().back();  // a later file exists
      SLUICE_RETURN_IF_ERROR(ScanFile(file, complete));
    }
    if (columns_.empty()) return Unavailable(EmptyMessage());
    if (rows_ == 0 && !EveryColumnTyped()) return Unavailable(NoRowsMessage());
    out->fields.clear();
    out->primary_key.clear();
    for (const Column& c : columns_)
      out->fields.push_back(
          {c.name, c.seen ? NarrowestType(c.mask) : Type::kString, /*nullable=*/true});
    SLUICE_RETURN_IF_ERROR(ApplyOverrides(out));
    if (notes != nullptr) notes->push_back(SampleNote());
    return Status();
  }

 private:
  Status ScanFile(const FileEntry& file, bool complete) {
    const std::string display = files_.Display(file.name);
    SLUICE_RETURN_IF_ERROR(fd_.Open(files_.Path(file.name)));
    scanner_.Reset(fd_.get(), 0, 1);
    std::vector<std::string> names;
    bool ready = false;
    SLUICE_RETURN_IF_ERROR(ReadHeader(&scanner_, display, true, 0, &names, &ready));
    if (!ready) {
      empty_files_.push_back(display);
      return Status();
    }
    std::vector<size_t> column_of(names.size());
    for (size_t j = 0; j < names.size(); ++j) column_of[j] = ColumnIndex(names[j]);
    return Sample(display, names, column_of, complete);
  }

  size_t ColumnIndex(const std::string& name) {
    for (size_t i = 0; i < columns_.size(); ++i)
      if (columns_[i].name == name) return i;
    columns_.push_back(Column{name});
    return columns_.size() - 1;
  }

  bool Wanted(const std::vector<size_t>& column_of) const {
    for (size_t c : column_of)
      if (columns_[c].sampled < table_.sample_rows) return true;
    return false;
  }

  // Narrows the types of the columns of this file that still want samples.
  // An incomplete last line of the table's last file is left out, as the
  // reader would hold it back.
  Status Sample(const std::string& display, const std::vector<std::string>& names,
                const std::vector<size_t>& column_of, bool complete) {
    CsvRecord rec;
    std::string why;
    while (Wanted(column_of)) {
      ScanResult r;
      SLUICE_RETURN_IF_ERROR(scanner_.Next(names.size(), complete, &rec, &r));
      if (r == ScanResult::kTail) {
        tail_ = display + ":" + std::to_string(scanner_.line());
        return Status();
      }
      if (r != ScanResult::kRecord) return Status();
      if (!CheckRecord(rec, names, &why)) {
        std::string where = display + ":" + std::to_string(rec.line) + ": " + why;
        if (table_.on_error == OnError::kFail)
          return InvalidArgument(where + " (fix the row, or set on_error: skip to skip bad rows)");
        host_.Warn("schema inference skipped bad row " + where);
        continue;
      }
      ++rows_;
      for (size_t j = 0; j < names.size(); ++j) {
        Column& c = columns_[column_of[j]];
        if (c.sampled >= table_.sample_rows) continue;
        ++c.sampled;
        const CsvField& f = rec.fields[j];
        if (f.value.empty() || (!f.quoted && table_.has_null_text && f.value == table_.null_text))
          continue;
        c.mask &= FitMask(f.value);
        c.seen = true;
      }
    }
    more_ = true;  // stopped by the sample size, not by the end of the table
    return Status();
  }

  bool EveryColumnTyped() const {
    for (const Column& c : columns_) {
      bool typed = false;
      for (const auto& [column, type] : table_.types) typed = typed || column == c.name;
      if (!typed) return false;
    }
    return true;
  }

  std::string EmptyMessage() const {
    std::string list;
    for (const std::string& f : empty_files_) list += (list.empty() ? "" : ", ") + f;
    return list + (empty_files_.size() > 1 ? " are" : " is") +
           " empty: waiting for a header row naming the columns";
  }

  std::string NoRowsMessage() const {
    std::string first = files_.Display(files_.files().front().name);
    std::string why =
        tail_.empty()
            ? first + " has a header but no data row yet"
            : tail_ +
                  ": the last line is incomplete (no line break, an open quote or too few "
                  "fields) and there is no complete data row before it";
    return why +
           ": sluice infers column types from data rows and cannot infer them from none; "
           "waiting for rows (or give every column its type with types.<column>)";
  }

  std::string SampleNote() const {
    std::string n = std::to_string(rows_) + (rows_ == 1 ? " row" : " rows");
    if (table_.sample_rows == kSampleAll)
      return "types inferred from all " + n + " (sample_rows: all)";
    std::string limit = "sample_rows: " + std::to_string(table_.sample_rows);
    if (!more_) return "types inferred from all " + n + " of the table (" + limit + ")";
    return "types inferred from the first " + n + " (" + limit +
           "); the table has more: a later value that does not fit its column's type is a bad "
           "row (raise sample_rows, or sample_rows: all to infer from every row)";
  }

  Status ApplyOverrides(Schema* s) const {
    for (const auto& [column, type] : table_.types) {
      int i = s->FieldIndex(column);
      if (i < 0) {
        std::string list;
        for (const Field& f : s->fields) list += (list.empty() ? "" : ", ") + f.name;
        return InvalidArgument("option 'types." + column + "': the table has no column \"" +
                               column + "\"; its columns are: " + list);
      }
      s->fields[static_cast<size_t>(i)].type = type;
    }
    return Status();
  }

  const HostServices& host_;
  const ConnectionConfig& conn_;
  const TableConfig& table_;
  const TableFiles& files_;
  CsvScanner scanner_;
  UniqueFd fd_;
  std::vector<Column> columns_;
  std::vector<std::string> empty_files_;
  uint64_t rows_ = 0;  // data rows sampled
  bool more_ = false;  // the sample stopped before the end of the table
  std::string tail_;   // "file:line" of an incomplete last line, if met
};

}  // namespace

Status InferSchema(const HostServices& host, const ConnectionConfig& conn, const TableConfig& table,
                   const TableFiles& files, Schema* out, std::vector<std::string>* notes) {
  return Inference(host, conn, table, files).Run(out, notes);
}

}  // namespace sluice::csv
