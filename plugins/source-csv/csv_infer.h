// Schema inference for the csv source (docs/source-csv.md, "Schema
// inference").
#ifndef SLUICE_PLUGINS_SOURCE_CSV_CSV_INFER_H_
#define SLUICE_PLUGINS_SOURCE_CSV_CSV_INFER_H_

#include <string>
#include <vector>

#include "csv_config.h"
#include "csv_table.h"
#include "sluice/host_services.h"
#include "sluice/schema.h"

namespace sluice::csv {

// Infers the schema of the table `files` lists. Columns: the union of the
// files' headers, in order of first appearance (a directory table that
// gained a column has it after the older ones; files without it read it as
// null). Types: each column's narrowest type over up to table.sample_rows
// rows that have it, in file order (kSampleAll: every row), then the type
// overrides of `table`. Empty files are skipped. Bad sample rows fail or
// are skipped (with a warning) as table.on_error says. *notes gets lines
// saying how many rows the types come from.
//
// UNAVAILABLE (the table cannot be described yet; the host waits) when no
// file has a header, or no file has a complete data row and some column
// has no type override: types cannot be inferred from zero rows.
Status InferSchema(const HostServices& host, const ConnectionConfig& conn, const TableConfig& table,
                   const TableFiles& files, Schema* out, std::vector<std::string>* notes);

}  // namespace sluice::csv

#endif  // SLUICE_PLUGINS_SOURCE_CSV_CSV_INFER_H_
