// CsvSource: the "csv" source plugin. One instance per configured
// connection; tables are CSV files (or directories of them) under the
// connection's `path`. docs/source-csv.md is the user-facing reference.
#ifndef SLUICE_PLUGINS_SOURCE_CSV_CSV_SOURCE_H_
#define SLUICE_PLUGINS_SOURCE_CSV_CSV_SOURCE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "csv_config.h"
#include "sluice/source.h"

namespace sluice::csv {

class CsvSource : public SourcePlugin {
 public:
  static constexpr const auto& kOptions = kCsvOptions;
  // Validates `options` (see ConnectionConfig::Parse). Called through the
  // SDK's export machinery.
  static Status Create(const HostServices& host, const Options& options,
                       std::unique_ptr<CsvSource>* out);
  // Same with an already parsed configuration (tests use small buffers).
  static Status CreateWithConfig(const HostServices& host, const ConnectionConfig& config,
                                 std::unique_ptr<CsvSource>* out);

  // Infers the schema from the headers and up to `sample_rows` rows of the
  // table's files (docs, "Schema inference", and InferSchema). Every
  // inferred field is nullable. UNAVAILABLE while the table has no header
  // or no data row to infer from.
  Status Describe(const std::string& table, const Options& table_options, Schema* out) override;
  // Describe, noting how many rows the types were inferred from.
  Status DescribeWithNotes(const std::string& table, const Options& table_options, Schema* out,
                           std::vector<std::string>* notes) override;

  // The table name's form and the table options (no file is read).
  Status CheckTable(const std::string& table, const Options& table_options) override;

  // "FILE:LINE" of the row after `offset` (CsvReader::Locate).
  Status DescribeOffset(const std::string& table, const Options& table_options,
                        std::string_view offset, std::string* out) override;

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
