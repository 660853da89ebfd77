// PgSource: the "postgres" source plugin's connection (one `connections:`
// entry). Describes tables from the catalog, opens one PgReader per
// endpoint version (each with its own replication slot), drops a version's
// slot when the host releases it, and reports the WAL each slot retains.
// Thread-safe: the catalog connection used by Describe, Release and Stats
// is shared under a mutex; readers have their own connections.
#ifndef SLUICE_SOURCE_POSTGRES_PG_SOURCE_H_
#define SLUICE_SOURCE_POSTGRES_PG_SOURCE_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "pg_config.h"
#include "pg_conn.h"
#include "sluice/source.h"

namespace pgsrc {

class PgSource : public sluice::SourcePlugin {
 public:
  static constexpr const auto& kOptions = kPgOptions;
  static sluice::Status Create(const sluice::HostServices& host, const sluice::Options& options,
                               std::unique_ptr<PgSource>* out);

  sluice::Status Describe(const std::string& table, const sluice::Options& table_options,
                          sluice::Schema* out) override;
  // Readers need their scope (the slot is named after it): UNIMPLEMENTED.
  sluice::Status OpenReader(const std::string& table, const sluice::Options& table_options,
                            const sluice::Schema& schema, std::string_view offset,
                            std::unique_ptr<sluice::SourceReader>* out) override;
  sluice::Status OpenScopedReader(const sluice::ReaderScope& scope, const std::string& table,
                                  const sluice::Options& table_options,
                                  const sluice::Schema& schema, std::string_view offset,
                                  std::unique_ptr<sluice::SourceReader>* out) override;
  sluice::Status Release(const sluice::ReaderScope& scope, const std::string& table,
                         const sluice::Options& table_options, std::string_view offset) override;
  sluice::Status Stats(const sluice::ReaderScope& scope, const std::string& table,
                       const sluice::Options& table_options, sluice::SourceStats* out) override;

 private:
  PgSource(const sluice::HostServices& host, ConnConfig config)
      : host_(host), config_(std::move(config)) {}
  // Runs fn on the shared catalog connection (connecting, or reconnecting
  // once when it broke).
  template <class F>
  sluice::Status WithCatalog(F&& fn);
  // The slot of `scope`, or the one its last offset names.
  std::string SlotOf(const sluice::ReaderScope& scope, std::string_view offset) const;

  sluice::HostServices host_;
  ConnConfig config_;
  std::mutex mu_;
  std::unique_ptr<PgConn> catalog_;
  // A failed connect is not retried for a few seconds: metrics scrapes
  // then answer at once while the server is unreachable.
  std::chrono::steady_clock::time_point failed_at_{};
  sluice::Status failure_;
};

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PG_SOURCE_H_
