// Schema inference for the csv source (docs/source-csv.md, "Schema
// inference").
#ifndef SLUICE_PLUGINS_SOURCE_CSV_CSV_INFER_H_
#define SLUICE_PLUGINS_SOURCE_CSV_CSV_INFER_H_

#include <string>

#include "csv_config.h"
#include "csv_table.h"
#include "sluice/host_services.h"
#include "sluice/schema.h"

namespace sluice::csv {

// Infers the schema of the table `files` lists: column names from the
// header of the first file, types from its first conn.sample_rows rows,
// then the type overrides of `table`. Every file's header must equal the
// first file's. Empty files are skipped. Bad sample rows fail or are skipped (with a warning) as
// table.on_error says.
Status InferSchema(const HostServices& host, const ConnectionConfig& conn, const TableConfig& table,
                   const TableFiles& files, Schema* out);

}  // namespace sluice::csv

#endif  // SLUICE_PLUGINS_SOURCE_CSV_CSV_INFER_H_
