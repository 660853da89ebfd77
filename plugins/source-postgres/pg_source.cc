#include "pg_source.h"

#include "pg_catalog.h"
#include "pg_offset.h"
#include "pg_reader.h"

namespace pgsrc {

using sluice::Status;

Status PgSource::Create(const sluice::HostServices& host, const sluice::Options& options,
                        std::unique_ptr<PgSource>* out) {
  ConnConfig config;
  SLUICE_RETURN_IF_ERROR(ConnConfig::Parse(options, &config));
  out->reset(new PgSource(host, std::move(config)));
  return Status();
}

template <class F>
Status PgSource::WithCatalog(F&& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int attempt = 0;; ++attempt) {
    if (catalog_ != nullptr && !catalog_->ok()) catalog_.reset();
    if (catalog_ == nullptr) {
      const auto now = std::chrono::steady_clock::now();
      if (!failure_.ok() && now - failed_at_ < std::chrono::seconds(5)) return failure_;
      failure_ = PgConn::Connect(config_.conninfo, /*replication=*/false, &catalog_);
      failed_at_ = now;
      SLUICE_RETURN_IF_ERROR(failure_);
    }
    Status s = fn(*catalog_);
    // A connection that broke since its last use: once more on a new one.
    if (s.code() == sluice::Code::kUnavailable && !catalog_->ok() && attempt == 0) continue;
    return s;
  }
}

Status PgSource::Describe(const std::string& table, const sluice::Options& table_options,
                          sluice::Schema* out) {
  TableConfig tc;
  SLUICE_RETURN_IF_ERROR(config_.ForTable(table_options, &tc));
  return WithCatalog([&](PgConn& c) {
    SLUICE_RETURN_IF_ERROR(CheckServer(c));
    TableInfo t;
    SLUICE_RETURN_IF_ERROR(LoadTable(c, table, &t));
    std::vector<ColumnType> types;
    return TableSchema(t, tc.types, out, &types);
  });
}

Status PgSource::OpenReader(const std::string& table, const sluice::Options&, const sluice::Schema&,
                            std::string_view, std::unique_ptr<sluice::SourceReader>*) {
  return sluice::Unimplemented("table \"" + table +
                               "\": the postgres source names a replication slot after the "
                               "endpoint version it fills, which this host does not say (it "
                               "needs sluice ABI 1.2)");
}

Status PgSource::OpenScopedReader(const sluice::ReaderScope& scope, const std::string& table,
                                  const sluice::Options& table_options,
                                  const sluice::Schema& schema, std::string_view offset,
                                  std::unique_ptr<sluice::SourceReader>* out) {
  if (scope.endpoint.empty()) return OpenReader(table, table_options, schema, offset, out);
  PgReader::Setup setup;
  setup.host = host_;
  setup.conn = config_;
  setup.schema = schema;
  setup.slot = SlotName(config_.slot_prefix, scope.endpoint, scope.version);
  setup.table_name = table;
  SLUICE_RETURN_IF_ERROR(config_.ForTable(table_options, &setup.table_config));
  std::unique_ptr<PgReader> reader;
  SLUICE_RETURN_IF_ERROR(PgReader::Open(std::move(setup), offset, &reader));
  *out = std::move(reader);
  return Status();
}

std::string PgSource::SlotOf(const sluice::ReaderScope& scope, std::string_view offset) const {
  PgOffset o;
  if (!offset.empty() && DecodeOffset(offset, &o).ok()) return o.slot;
  return SlotName(config_.slot_prefix, scope.endpoint, scope.version);
}

Status PgSource::Release(const sluice::ReaderScope& scope, const std::string& table,
                         const sluice::Options&, std::string_view offset) {
  if (scope.endpoint.empty()) return Status();
  const std::string slot = SlotOf(scope, offset);
  Status s = WithCatalog([&](PgConn& c) { return DropSlot(c, slot); });
  if (!s.ok())
    return s.WithContext("release replication slot " + slot + " of table \"" + table +
                         "\" (the version is kept; try again once it can be dropped)");
  host_.Info("dropped replication slot " + slot + " of " + scope.endpoint + " v" +
             std::to_string(scope.version));
  return Status();
}

Status PgSource::Stats(const sluice::ReaderScope& scope, const std::string&, const sluice::Options&,
                       sluice::SourceStats* out) {
  if (scope.endpoint.empty()) return sluice::Unimplemented("no scope");
  const std::string slot = SlotName(config_.slot_prefix, scope.endpoint, scope.version);
  SlotState st;
  SLUICE_RETURN_IF_ERROR(WithCatalog([&](PgConn& c) { return GetSlot(c, slot, &st); }));
  if (!st.exists) return Status();  // nothing retained
  out->emplace_back("lag_bytes", static_cast<double>(st.retained_bytes));
  out->emplace_back("slot_active", st.active ? 1.0 : 0.0);
  return Status();
}

}  // namespace pgsrc
