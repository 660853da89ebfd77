// CsvSource: the "csv" source plugin. One instance per configured
// connection; tables are CSV files (or directories of them) under the
// connection's `path`. docs/source-csv.md is the user-facing reference.
#ifndef SLUICE_PLUGINS_SOURCE_CSV_CSV_SOURCE_H_
#define SLUICE_PLUGINS_SOURCE_CSV_CSV_SOURCE_H_

#include <memory>
#include <string>
#include <string_view>

#include "csv_config.h"
#include "sluice/source.h"

namespace sluice::csv {

class CsvSource : public SourcePlugin {
 public:
  // Validates `options` (see ConnectionConfig::Parse). Called through the
  // SDK's export machinery.
  static Status Create(const HostServices& host, const Options& options,
                       std::unique_ptr<CsvSource>* out);
  // Same with an already parsed configuration (tests use small buffers).
  static Status CreateWithConfig(const HostServices& host, const ConnectionConfig& config,
                                 std::unique_ptr<CsvSource>* out);

  // Infers the schema from the header and the first `sample_rows` rows of
  // the table's first file (docs, "Schema inference"); checks that every
  // file has the same header. Every inferred field is nullable.
  Status Describe(const std::string& table, const Options& table_options, Schema* out) override;

  // Opens a CsvReader (see csv_reader.h).
  Status OpenReader(const std::string& table, const Options& table_options, const Schema& schema,
                    std::string_view offset, std::unique_ptr<SourceReader>* out) override;

 private:
  CsvSource(const HostServices& host, const ConnectionConfig& config)
      : host_(host), config_(config) {}

  const HostServices host_;
  const ConnectionConfig config_;
};

}  // namespace sluice::csv

#endif  // SLUICE_PLUGINS_SOURCE_CSV_CSV_SOURCE_H_
