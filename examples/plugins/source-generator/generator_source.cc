#include "generator_source.h"

#include <utility>

#include "generator_rows.h"

namespace generator {
namespace {

// Why `got` cannot be read as the generator schema, or "" when it can.
std::string SchemaMismatch(const sluice::Schema& got) {
  const sluice::Schema want = GeneratorSchema();
  if (got.fields.size() != want.fields.size())
    return "expected " + std::to_string(want.fields.size()) + " fields, found " +
           std::to_string(got.fields.size());
  for (size_t i = 0; i < want.fields.size(); ++i) {
    const sluice::Field& w = want.fields[i];
    const sluice::Field& g = got.fields[i];
    if (g.name != w.name || g.type != w.type)
      return "field " + std::to_string(i) + ": expected " + w.name + " " +
             sluice::TypeName(w.type) + ", found " + g.name + " " + sluice::TypeName(g.type);
    if (w.nullable && !g.nullable)
      return "field " + w.name +
             " is declared not null (is it in index.primary_key?) but the "
             "generator writes nulls into it; key the endpoint on id";
  }
  return "";
}

}  // namespace

GeneratorSource::GeneratorSource(const sluice::HostServices& host, const GeneratorConfig& defaults,
                                 MicrosClock clock)
    : host_(host), defaults_(defaults), clock_(std::move(clock)) {}

sluice::Status GeneratorSource::Create(const sluice::HostServices& host,
                                       const sluice::Options& options,
                                       std::unique_ptr<GeneratorSource>* out) {
  return CreateWithClock(host, options, &SteadyMicros, out);
}

sluice::Status GeneratorSource::CreateWithClock(const sluice::HostServices& host,
                                                const sluice::Options& options, MicrosClock clock,
                                                std::unique_ptr<GeneratorSource>* out) {
  GeneratorConfig defaults;
  SLUICE_RETURN_IF_ERROR(defaults.Apply(options, "connection option"));
  out->reset(new GeneratorSource(host, defaults, std::move(clock)));
  return sluice::Status();
}

sluice::Status GeneratorSource::TableConfig(const sluice::Options& table_options,
                                            GeneratorConfig* out) const {
  *out = defaults_;
  return out->Apply(table_options, "table option");
}

sluice::Status GeneratorSource::Describe(const std::string& table,
                                         const sluice::Options& table_options,
                                         sluice::Schema* out) {
  GeneratorConfig config;
  SLUICE_RETURN_IF_ERROR(
      TableConfig(table_options, &config).WithContext("table \"" + table + "\""));
  *out = GeneratorSchema();
  return sluice::Status();
}

sluice::Status GeneratorSource::OpenReader(const std::string& table,
                                           const sluice::Options& table_options,
                                           const sluice::Schema& schema, std::string_view offset,
                                           std::unique_ptr<sluice::SourceReader>* out) {
  const std::string where = "table \"" + table + "\"";
  GeneratorConfig config;
  SLUICE_RETURN_IF_ERROR(TableConfig(table_options, &config).WithContext(where));
  const std::string mismatch = SchemaMismatch(schema);
  if (!mismatch.empty())
    return sluice::FailedPrecondition(where + ": cannot produce rows of this schema: " + mismatch);
  uint64_t next_row = 0;
  SLUICE_RETURN_IF_ERROR(ParseOffset(offset, &next_row).WithContext(where));
  if (config.rows > 0 && next_row > config.rows)
    host_.Warn(where + ": resuming at row " + std::to_string(next_row) + ", past rows: " +
               std::to_string(config.rows) + " (was rows lowered?); nothing more to produce");
  if (config.rows == 0 && config.rate == 0)
    host_.Warn(where +
               ": rows: 0 and rate: 0 never reach the end of the input, so this "
               "endpoint's first version never becomes current; set rows or rate");
  *out = std::make_unique<GeneratorReader>(config, next_row, clock_);
  return sluice::Status();
}

}  // namespace generator
