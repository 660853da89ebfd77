// Internal: the sluice_source_vtable that forwards C calls to a
// sluice::SourcePlugin. Used by SLUICE_PLUGIN().
#ifndef SLUICE_INTERNAL_SOURCE_ADAPTER_H_
#define SLUICE_INTERNAL_SOURCE_ADAPTER_H_

#include <memory>
#include <string>
#include <string_view>

#include "sluice/internal/common.h"
#include "sluice/source.h"

namespace sluice::internal {

// A reader plus the buffers its last batch lives in.
struct ReaderHolder {
  std::unique_ptr<SourceReader> reader;
  RowBatchBuilder builder;
  std::string note;  // the last batch's note
};

template <class T>
struct SourceAdapter {
  static SourcePlugin* P(void* s) { return static_cast<SourcePlugin*>(s); }

  static int32_t Create(const sluice_host_services* host, const sluice_options* options, void** out,
                        sluice_status* st) {
    return Guard(st, "create", [&] {
      std::unique_ptr<T> p;
      Status s = T::Create(MakeHost(host), Options(options), &p);
      if (s.ok()) *out = static_cast<SourcePlugin*>(p.release());
      return s;
    });
  }
  static void Destroy(void* s) {
    GuardVoid([&] { delete P(s); });
  }

  static int32_t DescribeTable(void* s, const char* table, const sluice_options* opts,
                               sluice_schema_fn fn, void* ctx, sluice_status* st) {
    return Guard(st, "describe", [&] {
      Schema schema;
      Status r = P(s)->Describe(Str(table), Options(opts), &schema);
      if (r.ok()) {
        SchemaView view(schema);
        fn(ctx, view.get());
      }
      return r;
    });
  }
  static int32_t DescribeNotes(void* s, const char* table, const sluice_options* opts,
                               sluice_schema_fn fn, void (*note_fn)(void*, const char*), void* ctx,
                               sluice_status* st) {
    return Guard(st, "describe", [&] {
      Schema schema;
      std::vector<std::string> notes;
      Status r = P(s)->DescribeWithNotes(Str(table), Options(opts), &schema, &notes);
      if (r.ok()) {
        for (const std::string& n : notes) note_fn(ctx, n.c_str());
        SchemaView view(schema);
        fn(ctx, view.get());
      }
      return r;
    });
  }
  static int32_t DescribeOffset(void* s, const char* table, const sluice_options* opts,
                                sluice_bytes offset, void (*fn)(void*, const char*), void* ctx,
                                sluice_status* st) {
    return Guard(st, "describe_offset", [&] {
      std::string text;
      Status r = P(s)->DescribeOffset(
          Str(table), Options(opts),
          std::string_view(reinterpret_cast<const char*>(offset.data), offset.size), &text);
      if (r.ok()) fn(ctx, text.c_str());
      return r;
    });
  }
  static int32_t CheckTable(void* s, const char* table, const sluice_options* opts,
                            sluice_status* st) {
    return Guard(st, "check_table", [&] { return P(s)->CheckTable(Str(table), Options(opts)); });
  }
  static int32_t ReaderOpen(void* s, const char* table, const sluice_options* opts,
                            const sluice_schema* schema, sluice_bytes offset, void** out,
                            sluice_status* st) {
    return Guard(st, "reader_open", [&] {
      Schema sc;
      if (schema == nullptr || !Schema::FromC(*schema, &sc))
        return InvalidArgument("reader_open: malformed schema");
      auto holder = std::make_unique<ReaderHolder>();
      Status r = P(s)->OpenReader(
          Str(table), Options(opts), sc,
          std::string_view(reinterpret_cast<const char*>(offset.data), offset.size),
          &holder->reader);
      if (r.ok()) *out = holder.release();
      return r;
    });
  }
  static int32_t ReaderNext(void* r, uint32_t max_rows, sluice_row_batch* batch,
                            sluice_status* st) {
    return Guard(st, "reader_next", [&] {
      auto* h = static_cast<ReaderHolder*>(r);
      h->builder.Clear();
      BatchInfo info;
      Status s = h->reader->Next(max_rows, &h->builder, &info);
      if (s.ok()) {
        h->note = std::move(info.note);
        *batch = *h->builder.batch(info.rejected_rows, info.at_end, info.bytes_done,
                                   info.bytes_total, h->note.empty() ? nullptr : h->note.c_str());
      }
      return s;
    });
  }
  static void ReaderClose(void* r) {
    GuardVoid([&] { delete static_cast<ReaderHolder*>(r); });
  }

  static ReaderScope Scope(const sluice_reader_scope* c) {
    ReaderScope scope;
    if (c != nullptr && c->endpoint != nullptr)
      scope.endpoint = c->endpoint, scope.version = c->version;
    return scope;
  }
  static std::string_view View(sluice_bytes b) {
    return std::string_view(reinterpret_cast<const char*>(b.data), b.size);
  }
  static int32_t ReaderOpenScoped(void* s, const char* table, const sluice_options* opts,
                                  const sluice_schema* schema, sluice_bytes offset,
                                  const sluice_reader_scope* scope, void** out, sluice_status* st) {
    return Guard(st, "reader_open", [&] {
      Schema sc;
      if (schema == nullptr || !Schema::FromC(*schema, &sc))
        return InvalidArgument("reader_open: malformed schema");
      auto holder = std::make_unique<ReaderHolder>();
      Status r = P(s)->OpenScopedReader(Scope(scope), Str(table), Options(opts), sc, View(offset),
                                        &holder->reader);
      if (r.ok()) *out = holder.release();
      return r;
    });
  }
  static int32_t ReaderCommitted(void* r, sluice_bytes offset, sluice_status* st) {
    return Guard(st, "reader_committed",
                 [&] { return static_cast<ReaderHolder*>(r)->reader->Committed(View(offset)); });
  }
  static int32_t ReaderWait(void* r, uint32_t timeout_ms, sluice_status* st) {
    return Guard(st, "reader_wait",
                 [&] { return static_cast<ReaderHolder*>(r)->reader->Wait(timeout_ms); });
  }
  static int32_t Release(void* s, const char* table, const sluice_options* opts,
                         const sluice_reader_scope* scope, sluice_bytes offset, sluice_status* st) {
    return Guard(st, "release", [&] {
      return P(s)->Release(Scope(scope), Str(table), Options(opts), View(offset));
    });
  }
  static int32_t StatsFn(void* s, const char* table, const sluice_options* opts,
                         const sluice_reader_scope* scope, sluice_stat_fn fn, void* ctx,
                         sluice_status* st) {
    return Guard(st, "stats", [&] {
      SourceStats stats;
      Status r = P(s)->Stats(Scope(scope), Str(table), Options(opts), &stats);
      if (r.ok())
        for (const auto& [name, value] : stats) fn(ctx, name.c_str(), value);
      return r;
    });
  }

  static const sluice_source_vtable* Vtable() {
    static const sluice_source_vtable v = {sizeof(sluice_source_vtable),
                                           &Create,
                                           &Destroy,
                                           &DescribeTable,
                                           &ReaderOpen,
                                           &ReaderNext,
                                           &ReaderClose,
                                           &DescribeNotes,
                                           &DescribeOffset,
                                           &CheckTable,
                                           &ReaderOpenScoped,
                                           &ReaderCommitted,
                                           &ReaderWait,
                                           &Release,
                                           &StatsFn};
    return &v;
  }
};

}  // namespace sluice::internal

#endif  // SLUICE_INTERNAL_SOURCE_ADAPTER_H_
