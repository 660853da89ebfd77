#include "csv_source.h"

#include "csv_infer.h"
#include "csv_reader.h"
#include "csv_table.h"

namespace sluice::csv {

Status CsvSource::Create(const HostServices& host, const Options& options,
                         std::unique_ptr<CsvSource>* out) {
  ConnectionConfig config;
  SLUICE_RETURN_IF_ERROR(ConnectionConfig::Parse(options, &config));
  return CreateWithConfig(host, config, out);
}

Status CsvSource::CreateWithConfig(const HostServices& host, const ConnectionConfig& config,
                                   std::unique_ptr<CsvSource>* out) {
  out->reset(new CsvSource(host, config));
  return Status();
}

Status CsvSource::Describe(const std::string& table, const Options& table_options, Schema* out) {
  return DescribeWithNotes(table, table_options, out, nullptr);
}

// The host names the endpoint and the table in front of these messages.
Status CsvSource::DescribeWithNotes(const std::string& table, const Options& table_options,
                                    Schema* out, std::vector<std::string>* notes) {
  TableConfig tc;
  SLUICE_RETURN_IF_ERROR(TableConfig::Parse(table_options, config_, &tc));
  TableFiles files;
  SLUICE_RETURN_IF_ERROR(TableFiles::Resolve(config_.path, table, TableExtension(config_), &files));
  return InferSchema(host_, config_, tc, files, out, notes);
}

Status CsvSource::CheckTable(const std::string& table, const Options& table_options) {
  TableConfig tc;
  SLUICE_RETURN_IF_ERROR(TableConfig::Parse(table_options, config_, &tc));
  return CheckTableName(config_.path, table, TableExtension(config_));
}

Status CsvSource::DescribeOffset(const std::string& table, const Options& table_options,
                                 std::string_view offset, std::string* out) {
  TableConfig tc;
  SLUICE_RETURN_IF_ERROR(TableConfig::Parse(table_options, config_, &tc));
  return CsvReader::Locate(config_, table, offset, out);
}

Status CsvSource::OpenReader(const std::string& table, const Options& table_options,
                             const Schema& schema, std::string_view offset,
                             std::unique_ptr<SourceReader>* out) {
  TableConfig tc;
  SLUICE_RETURN_IF_ERROR(TableConfig::Parse(table_options, config_, &tc));
  std::unique_ptr<CsvReader> reader;
  SLUICE_RETURN_IF_ERROR(CsvReader::Open(host_, config_, table, tc, schema, offset, &reader));
  *out = std::move(reader);
  return Status();
}

}  // namespace sluice::csv
