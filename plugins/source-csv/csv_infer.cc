#include "csv_infer.h"

#include <vector>

#include "csv_rows.h"
#include "csv_values.h"

namespace sluice::csv {

namespace {

// Reads the header of `name` into *names; *ready = false when the file is
// empty (an empty file is skipped, as the reader does).
Status FileHeader(const TableFiles& files, const std::string& name, UniqueFd* fd,
                  CsvScanner* scanner, std::vector<std::string>* names, bool* ready) {
  SLUICE_RETURN_IF_ERROR(fd->Open(files.Path(name)));
  scanner->Reset(fd->get(), 0, 1);
  return ReadHeader(scanner, files.Display(name), true, 0, names, ready);
}

// Narrows masks[i] by the sampled values of column i; seen[i] tells whether
// column i had any value that is not null. An incomplete last line of the
// table's last file is left out as the reader would hold it back.
Status Sample(const HostServices& host, const ConnectionConfig& conn, const TableConfig& table,
              const std::string& display, const std::vector<std::string>& names, bool final_file,
              CsvScanner* scanner, std::vector<uint32_t>* masks, std::vector<bool>* seen) {
  CsvRecord rec;
  std::string why;
  for (uint64_t n = 0; n < conn.sample_rows;) {
    ScanResult r;
    SLUICE_RETURN_IF_ERROR(scanner->Next(names.size(), final_file, &rec, &r));
    if (r != ScanResult::kRecord) break;
    if (!CheckRecord(rec, names, &why)) {
      std::string where = display + ":" + std::to_string(rec.line) + ": " + why;
      if (table.on_error == OnError::kFail)
        return InvalidArgument(where + " (fix the row, or set on_error: skip to skip bad rows)");
      host.Warn("schema inference skipped bad row " + where);
      continue;
    }
    ++n;
    for (size_t i = 0; i < names.size(); ++i) {
      const CsvField& f = rec.fields[i];
      if (f.value.empty() || (!f.quoted && table.has_null_text && f.value == table.null_text))
        continue;
      (*masks)[i] &= FitMask(f.value);
      (*seen)[i] = true;
    }
  }
  return Status();
}

Status ApplyOverrides(const TableConfig& table, Schema* s) {
  for (const auto& [column, type] : table.types) {
    int i = s->FieldIndex(column);
    if (i < 0) {
      std::string list;
      for (const Field& f : s->fields) list += (list.empty() ? "" : ", ") + f.name;
      return InvalidArgument("option 'types." + column + "': the table has no column \"" + column +
                             "\"; its columns are: " + list);
    }
    s->fields[static_cast<size_t>(i)].type = type;
  }
  return Status();
}

}  // namespace

Status InferSchema(const HostServices& host, const ConnectionConfig& conn, const TableConfig& table,
                   const TableFiles& files, Schema* out) {
  if (files.files().empty())
    return NotFound("table has no data files: nothing matches " + files.Where());
  CsvScanner scanner(conn.buffer_size, conn.delimiter);
  UniqueFd fd;
  std::string first;  // the first file with a header: names and samples come from it
  std::vector<std::string> names;
  std::vector<uint32_t> masks;
  std::vector<bool> seen;
  for (const FileEntry& file : files.files()) {
    std::vector<std::string> header;
    bool ready = false;
    SLUICE_RETURN_IF_ERROR(FileHeader(files, file.name, &fd, &scanner, &header, &ready));
    if (!ready) continue;
    if (first.empty()) {
      first = file.name;
      names = header;
      masks.assign(names.size(), kFitsAll);
      seen.assign(names.size(), false);
      bool final_file = &file != &files.files().back();
      SLUICE_RETURN_IF_ERROR(Sample(host, conn, table, files.Display(first), names, final_file,
                                    &scanner, &masks, &seen));
      continue;
    }
    std::string diff = HeaderDifference(names, header);
    if (!diff.empty())
      return InvalidArgument(files.Display(file.name) + ": the header differs from the one of " +
                             files.Display(first) + ": " + diff +
                             "; every file of a table must have the same header");
  }
  if (first.empty())
    return InvalidArgument(files.Display(files.files()[0].name) +
                           (files.files().size() > 1 ? " and every other file are" : " is") +
                           " empty; the first line of a file must be the header row naming the "
                           "columns");
  out->fields.clear();
  out->primary_key.clear();
  for (size_t i = 0; i < names.size(); ++i)
    out->fields.push_back(
        {names[i], seen[i] ? NarrowestType(masks[i]) : Type::kString, /*nullable=*/true});
  return ApplyOverrides(table, out);
}

}  // namespace sluice::csv
