// GeneratorSource: the "generator" source plugin. Every table it is asked
// for has the same schema (generator_rows.h); its rows, count and pace come
// from the connection's and the endpoint's options (generator_config.h).
#ifndef GENERATOR_GENERATOR_SOURCE_H_
#define GENERATOR_GENERATOR_SOURCE_H_

#include <memory>
#include <string>
#include <string_view>

#include "generator_config.h"
#include "generator_reader.h"
#include "sluice/source.h"

namespace generator {

class GeneratorSource : public sluice::SourcePlugin {
 public:
  // The plugin's factory (SLUICE_PLUGIN calls it): InvalidArgument for a
  // malformed or unknown connection option.
  static sluice::Status Create(const sluice::HostServices& host, const sluice::Options& options,
                               std::unique_ptr<GeneratorSource>* out);
  // The same with an injected clock, for tests.
  static sluice::Status CreateWithClock(const sluice::HostServices& host,
                                        const sluice::Options& options, MicrosClock clock,
                                        std::unique_ptr<GeneratorSource>* out);

  // The generator schema, whatever `table` is; InvalidArgument for bad
  // table options.
  sluice::Status Describe(const std::string& table, const sluice::Options& table_options,
                          sluice::Schema* out) override;

  // A reader resuming at the row `offset` names. FailedPrecondition when
  // `schema` is not the generator schema (with what differs);
  // InvalidArgument for bad table options or an offset this plugin did not
  // write.
  sluice::Status OpenReader(const std::string& table, const sluice::Options& table_options,
                            const sluice::Schema& schema, std::string_view offset,
                            std::unique_ptr<sluice::SourceReader>* out) override;

 private:
  GeneratorSource(const sluice::HostServices& host, const GeneratorConfig& defaults,
                  MicrosClock clock);
  sluice::Status TableConfig(const sluice::Options& table_options, GeneratorConfig* out) const;

  const sluice::HostServices host_;
  const GeneratorConfig defaults_;
  const MicrosClock clock_;
};

}  // namespace generator

#endif  // GENERATOR_GENERATOR_SOURCE_H_
