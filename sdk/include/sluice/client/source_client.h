// Calling a source plugin from C++ through its C function table: the host
// side of sluice/abi_source.h. Header-only; the counterpart of the export
// adapter in sluice/internal/source_adapter.h.
//
//   const auto* vt = static_cast<const sluice_source_vtable*>(descriptor->vtable);
//   std::unique_ptr<sluice::client::SourceClient> source;
//   SLUICE_RETURN_IF_ERROR(sluice::client::CreateSourceClient(vt, host, options, &source));
//   sluice::Schema schema;
//   SLUICE_RETURN_IF_ERROR(source->Describe("trips", table_options, &schema));
//   std::unique_ptr<sluice::client::SourceReaderClient> reader;
//   SLUICE_RETURN_IF_ERROR(source->OpenReaderClient("trips", table_options, schema, offset,
//   &reader)); const sluice_row_batch* batch; SLUICE_RETURN_IF_ERROR(reader->NextBatch(4096,
//   &batch));   // zero copy
//
// Functions of ABI 1.2 are probed (struct_size, NULL): against an older
// plugin, Committed and Release succeed doing nothing, Wait and Stats
// return UNIMPLEMENTED, and OpenScopedReader opens a plain reader.
//
// Every call returns the plugin's status; a batch whose layout is
// inconsistent (row ends out of range, too many rows) becomes an Internal
// error instead of reaching the caller. Nothing here throws.
#ifndef SLUICE_CLIENT_SOURCE_CLIENT_H_
#define SLUICE_CLIENT_SOURCE_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/abi.h"
#include "sluice/host_services.h"
#include "sluice/row.h"
#include "sluice/schema.h"
#include "sluice/source.h"
#include "sluice/status.h"

namespace sluice::client {

namespace source_internal {
// True when `vt` is large enough to hold `field` (at byte `offset`) and sets it.
inline bool Has(const sluice_source_vtable* vt, size_t offset, const void* fn) {
  return vt->struct_size >= offset + sizeof(void*) && fn != nullptr;
}
// A sluice_reader_scope pointing into `scope`, which must outlive it.
inline sluice_reader_scope CScope(const ReaderScope& scope) {
  return sluice_reader_scope{sizeof(sluice_reader_scope), scope.endpoint.c_str(), scope.version};
}
inline sluice_bytes Bytes(std::string_view s) {
  return sluice_bytes{reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
}  // namespace source_internal

#define SLUICE_SOURCE_HAS(vt, fn)                                                \
  ::sluice::client::source_internal::Has(vt, offsetof(sluice_source_vtable, fn), \
                                         reinterpret_cast<const void*>((vt)->fn))

// One open reader of a plugin. Owns the plugin's reader handle and closes it
// on destruction. Used from one thread at a time.
class SourceReaderClient : public SourceReader {
 public:
  // Takes ownership of `reader`, a handle vt->reader_open returned.
  SourceReaderClient(const sluice_source_vtable* vt, void* reader) : vt_(vt), reader_(reader) {}
  ~SourceReaderClient() override {
    if (reader_ != nullptr) vt_->reader_close(reader_);
  }
  SourceReaderClient(const SourceReaderClient&) = delete;
  SourceReaderClient& operator=(const SourceReaderClient&) = delete;

  // Zero-copy read of up to max_rows rows: *batch points at the plugin's
  // buffers and stays valid until the next call on this reader (or its
  // destruction). On error *batch is left unchanged.
  Status NextBatch(uint32_t max_rows, const sluice_row_batch** batch) {
    batch_ = sluice_row_batch{};
    batch_.struct_size = sizeof(sluice_row_batch);
    sluice_status st{};
    int32_t rc = vt_->reader_next(reader_, max_rows, &batch_, &st);
    if (rc != SLUICE_OK) return Status::FromC(rc, st);
    SLUICE_RETURN_IF_ERROR(CheckBatch(batch_, max_rows));
    *batch = &batch_;
    return Status();
  }

  // SourceReader::Next: the same as NextBatch, with the rows, operations and
  // offsets copied into *out.
  Status Next(uint32_t max_rows, RowBatchBuilder* out, BatchInfo* info) override {
    const sluice_row_batch* b = nullptr;
    SLUICE_RETURN_IF_ERROR(NextBatch(max_rows, &b));
    for (uint32_t i = 0; i < b->row_count; ++i)
      out->AddRow(BatchRow(*b, i), BatchOp(*b, i), BatchOffset(*b, i));
    info->rejected_rows = b->rejected_rows;
    info->at_end = b->at_end != 0;
    info->bytes_done = b->bytes_done;
    info->bytes_total = b->bytes_total;
    info->note.assign(BatchNote(*b));
    return Status();
  }

  // SourceReader::Committed through reader_committed; OK when the plugin
  // does not offer it (ABI < 1.2).
  Status Committed(std::string_view offset) override {
    if (!SLUICE_SOURCE_HAS(vt_, reader_committed)) return Status();
    sluice_status st{};
    int32_t rc = vt_->reader_committed(reader_, source_internal::Bytes(offset), &st);
    return rc == SLUICE_OK ? Status() : Status::FromC(rc, st);
  }
  // SourceReader::Wait through reader_wait; UNIMPLEMENTED when the plugin
  // does not offer it (ABI < 1.2) or its reader cannot wait.
  Status Wait(uint32_t timeout_ms) override {
    if (!SLUICE_SOURCE_HAS(vt_, reader_wait))
      return Unimplemented("the source plugin predates reader_wait (ABI < 1.2)");
    sluice_status st{};
    int32_t rc = vt_->reader_wait(reader_, timeout_ms, &st);
    return rc == SLUICE_OK ? Status() : Status::FromC(rc, st);
  }
  // True when the plugin was built for ABI 1.2 or later, so that an empty
  // row offset means "continues a transaction" rather than "from the start".
  bool MarksTransactions() const { return vt_->struct_size > SLUICE_SOURCE_VTABLE_SIZE_1_1; }

 private:
  // Rejects a batch whose row or offset ends would read out of bounds.
  static Status CheckBatch(const sluice_row_batch& b, uint32_t max_rows) {
    if (b.struct_size < offsetof(sluice_row_batch, ops))
      return Internal("source plugin returned a batch with struct_size " +
                      std::to_string(b.struct_size));
    if (b.row_count > max_rows)
      return Internal("source plugin returned " + std::to_string(b.row_count) +
                      " rows, more than the " + std::to_string(max_rows) + " asked for");
    if (b.row_count == 0) return Status();
    if (b.row_ends == nullptr || (b.rows == nullptr && b.row_ends[b.row_count - 1] != 0))
      return Internal("source plugin returned a batch without row data");
    if (!Monotonic(b.row_ends, b.row_count))
      return Internal("source plugin returned a batch with decreasing row ends");
    if (b.offset_ends != nullptr && (!Monotonic(b.offset_ends, b.row_count) ||
                                     (b.offsets == nullptr && b.offset_ends[b.row_count - 1] != 0)))
      return Internal("source plugin returned a batch with malformed offsets");
    return Status();
  }
  static bool Monotonic(const uint32_t* ends, uint32_t n) {
    for (uint32_t i = 1; i < n; ++i)
      if (ends[i] < ends[i - 1]) return false;
    return true;
  }

  const sluice_source_vtable* vt_;
  void* reader_;
  sluice_row_batch batch_{};
};

// One connection of a source plugin. Owns the plugin's connection handle and
// destroys it on destruction. Thread-safe as the plugin contract requires;
// the plugin's shared object must stay loaded while this object lives.
class SourceClient : public SourcePlugin {
 public:
  // Takes ownership of `connection`, a handle vt->create returned.
  SourceClient(const sluice_source_vtable* vt, void* connection) : vt_(vt), conn_(connection) {}
  ~SourceClient() override {
    if (conn_ != nullptr) vt_->destroy(conn_);
  }
  SourceClient(const SourceClient&) = delete;
  SourceClient& operator=(const SourceClient&) = delete;

  // SourcePlugin::Describe through the plugin. Internal when the plugin
  // reports success without a well-formed schema.
  Status Describe(const std::string& table, const Options& table_options, Schema* out) override {
    return DescribeWithNotes(table, table_options, out, nullptr);
  }
  // Through describe_notes when the plugin has it (ABI 1.2), else describe
  // (no notes).
  Status DescribeWithNotes(const std::string& table, const Options& table_options, Schema* out,
                           std::vector<std::string>* notes) override {
    struct Ctx {
      Schema* out;
      std::vector<std::string>* notes;
      bool called = false;
      bool ok = false;
      std::exception_ptr error = nullptr;  // kept, rethrown after the call
    } ctx{out, notes};
    auto on_schema = [](void* c, const sluice_schema* s) {
      auto* x = static_cast<Ctx*>(c);
      x->called = true;
      try {
        x->ok = s != nullptr && Schema::FromC(*s, x->out);
      } catch (...) { x->error = std::current_exception(); }
    };
    auto on_note = [](void* c, const char* note) {
      auto* x = static_cast<Ctx*>(c);
      try {
        if (x->notes != nullptr && note != nullptr) x->notes->push_back(note);
      } catch (...) { x->error = std::current_exception(); }
    };
    OptionsView opts(table_options);
    sluice_status st{};
    bool has_notes =
        vt_->struct_size >= offsetof(sluice_source_vtable, describe_notes) + sizeof(void*) &&
        vt_->describe_notes != nullptr;
    int32_t rc = has_notes ? vt_->describe_notes(conn_, table.c_str(), opts.get(), on_schema,
                                                 on_note, &ctx, &st)
                           : vt_->describe(conn_, table.c_str(), opts.get(), on_schema, &ctx, &st);
    if (ctx.error) std::rethrow_exception(ctx.error);
    if (rc != SLUICE_OK) return Status::FromC(rc, st);
    if (!ctx.called) return Internal("source plugin's describe succeeded without a schema");
    if (!ctx.ok) return Internal("source plugin's describe returned a malformed schema");
    return Status();
  }

  // Through check_table when the plugin has it (ABI 1.2), else OK.
  Status CheckTable(const std::string& table, const Options& table_options) override {
    if (vt_->struct_size < offsetof(sluice_source_vtable, check_table) + sizeof(void*) ||
        vt_->check_table == nullptr)
      return Status();
    OptionsView opts(table_options);
    sluice_status st{};
    return Status::FromC(vt_->check_table(conn_, table.c_str(), opts.get(), &st), st);
  }

  // Through describe_offset when the plugin has it (ABI 1.2), else
  // UNIMPLEMENTED.
  Status DescribeOffset(const std::string& table, const Options& table_options,
                        std::string_view offset, std::string* out) override {
    if (vt_->struct_size < offsetof(sluice_source_vtable, describe_offset) + sizeof(void*) ||
        vt_->describe_offset == nullptr)
      return Unimplemented("the source plugin cannot say where an offset points (ABI < 1.2)");
    OptionsView opts(table_options);
    sluice_bytes off{reinterpret_cast<const uint8_t*>(offset.data()), offset.size()};
    sluice_status st{};
    out->clear();
    internal::CallbackCtx<std::string> sink{out};
    int32_t rc = vt_->describe_offset(
        conn_, table.c_str(), opts.get(), off,
        [](void* c, const char* text) {
          static_cast<internal::CallbackCtx<std::string>*>(c)->Run(
              [&](std::string& o) { o.assign(text ? text : ""); });
        },
        &sink, &st);
    sink.Rethrow();
    return Status::FromC(rc, st);
  }

  // Opens a reader (see SourcePlugin::OpenReader) as the concrete client
  // type, for NextBatch().
  Status OpenReaderClient(const std::string& table, const Options& table_options,
                          const Schema& schema, std::string_view offset,
                          std::unique_ptr<SourceReaderClient>* out) {
    OptionsView opts(table_options);
    SchemaView view(schema);
    sluice_bytes off{reinterpret_cast<const uint8_t*>(offset.data()), offset.size()};
    void* reader = nullptr;
    sluice_status st{};
    int32_t rc = vt_->reader_open(conn_, table.c_str(), opts.get(), view.get(), off, &reader, &st);
    if (rc != SLUICE_OK) return Status::FromC(rc, st);
    if (reader == nullptr) return Internal("source plugin's reader_open returned no reader");
    *out = std::make_unique<SourceReaderClient>(vt_, reader);
    return Status();
  }

  Status OpenReader(const std::string& table, const Options& table_options, const Schema& schema,
                    std::string_view offset, std::unique_ptr<SourceReader>* out) override {
    std::unique_ptr<SourceReaderClient> r;
    SLUICE_RETURN_IF_ERROR(OpenReaderClient(table, table_options, schema, offset, &r));
    *out = std::move(r);
    return Status();
  }

  // OpenReaderClient through reader_open_scoped, or reader_open when the
  // plugin does not offer it (ABI < 1.2).
  Status OpenScopedReaderClient(const ReaderScope& scope, const std::string& table,
                                const Options& table_options, const Schema& schema,
                                std::string_view offset, std::unique_ptr<SourceReaderClient>* out) {
    if (!SLUICE_SOURCE_HAS(vt_, reader_open_scoped))
      return OpenReaderClient(table, table_options, schema, offset, out);
    OptionsView opts(table_options);
    SchemaView view(schema);
    sluice_reader_scope c = source_internal::CScope(scope);
    void* reader = nullptr;
    sluice_status st{};
    int32_t rc = vt_->reader_open_scoped(conn_, table.c_str(), opts.get(), view.get(),
                                         source_internal::Bytes(offset), &c, &reader, &st);
    if (rc != SLUICE_OK) return Status::FromC(rc, st);
    if (reader == nullptr) return Internal("source plugin's reader_open returned no reader");
    *out = std::make_unique<SourceReaderClient>(vt_, reader);
    return Status();
  }
  Status OpenScopedReader(const ReaderScope& scope, const std::string& table,
                          const Options& table_options, const Schema& schema,
                          std::string_view offset, std::unique_ptr<SourceReader>* out) override {
    std::unique_ptr<SourceReaderClient> r;
    SLUICE_RETURN_IF_ERROR(OpenScopedReaderClient(scope, table, table_options, schema, offset, &r));
    *out = std::move(r);
    return Status();
  }
  // SourcePlugin::Release through release; OK when the plugin does not
  // offer it (it keeps nothing per reader).
  Status Release(const ReaderScope& scope, const std::string& table, const Options& table_options,
                 std::string_view offset) override {
    if (!SLUICE_SOURCE_HAS(vt_, release)) return Status();
    OptionsView opts(table_options);
    sluice_reader_scope c = source_internal::CScope(scope);
    sluice_status st{};
    int32_t rc =
        vt_->release(conn_, table.c_str(), opts.get(), &c, source_internal::Bytes(offset), &st);
    return rc == SLUICE_OK ? Status() : Status::FromC(rc, st);
  }
  // SourcePlugin::Stats through stats; UNIMPLEMENTED when the plugin does
  // not offer it. Statistics with a malformed name are dropped.
  Status Stats(const ReaderScope& scope, const std::string& table, const Options& table_options,
               SourceStats* out) override {
    if (!SLUICE_SOURCE_HAS(vt_, stats))
      return Unimplemented("the source plugin predates stats (ABI < 1.2)");
    OptionsView opts(table_options);
    sluice_reader_scope c = source_internal::CScope(scope);
    sluice_status st{};
    internal::CallbackCtx<SourceStats> sink{out};
    int32_t rc = vt_->stats(
        conn_, table.c_str(), opts.get(), &c,
        [](void* ctx, const char* name, double value) {
          if (name == nullptr || *name == '\0') return;
          for (const char* p = name; *p; ++p)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return;
          static_cast<internal::CallbackCtx<SourceStats>*>(ctx)->Run(
              [&](SourceStats& stats) { stats.emplace_back(name, value); });
        },
        &sink, &st);
    sink.Rethrow();
    return rc == SLUICE_OK ? Status() : Status::FromC(rc, st);
  }

 private:
  const sluice_source_vtable* vt_;
  void* conn_;
};

// Creates a connection of the plugin whose function table is `vt`, passing
// it `host` (which must outlive the connection) and `options`.
// InvalidArgument when the table is too small or incomplete for this SDK;
// otherwise the plugin's own status.
inline Status CreateSourceClient(const sluice_source_vtable* vt, const sluice_host_services* host,
                                 const Options& options, std::unique_ptr<SourceClient>* out) {
  if (vt == nullptr || vt->struct_size < SLUICE_SOURCE_VTABLE_SIZE_1_1 || !vt->create ||
      !vt->destroy || !vt->describe || !vt->reader_open || !vt->reader_next || !vt->reader_close)
    return InvalidArgument("source plugin's function table is missing or incomplete");
  OptionsView opts(options);
  void* conn = nullptr;
  sluice_status st{};
  int32_t rc = vt->create(host, opts.get(), &conn, &st);
  if (rc != SLUICE_OK) return Status::FromC(rc, st);
  if (conn == nullptr) return Internal("source plugin's create returned no connection");
  *out = std::make_unique<SourceClient>(vt, conn);
  return Status();
}

// The same, as the plain SourcePlugin interface.
inline Status CreateSource(const sluice_source_vtable* vt, const sluice_host_services* host,
                           const Options& options, std::unique_ptr<SourcePlugin>* out) {
  std::unique_ptr<SourceClient> c;
  SLUICE_RETURN_IF_ERROR(CreateSourceClient(vt, host, options, &c));
  *out = std::move(c);
  return Status();
}

}  // namespace sluice::client

#endif  // SLUICE_CLIENT_SOURCE_CLIENT_H_
