#include "pg_snapshot.h"

#include <cstdlib>

#include "pgoutput.h"

namespace pgsrc {

using sluice::Status;

Status Snapshot::Begin(const Spec& spec, uint64_t* lsn, std::unique_ptr<Snapshot>* out) {
  std::unique_ptr<PgConn> conn;
  SLUICE_RETURN_IF_ERROR(PgConn::Connect(*spec.conninfo, /*replication=*/true, &conn));
  const TableInfo& t = *spec.table;
  SLUICE_RETURN_IF_ERROR(conn->Exec("BEGIN READ ONLY ISOLATION LEVEL REPEATABLE READ",
                                    "begin the snapshot transaction"));
  PgResult slot;
  Status s = conn->Exec("CREATE_REPLICATION_SLOT " + spec.slot +
                            (spec.temporary ? " TEMPORARY" : "") + " LOGICAL pgoutput USE_SNAPSHOT",
                        "create replication slot " + spec.slot, &slot);
  if (s.code() == sluice::Code::kResourceExhausted)
    return sluice::ResourceExhausted(
        s.message() +
        ": every replication slot is taken; raise max_replication_slots (one per "
        "endpoint version, one more while a snapshot resumes) and restart "
        "PostgreSQL, or prune versions you no longer need");
  SLUICE_RETURN_IF_ERROR(s);
  if (slot.rows() != 1 || !ParseLsn(slot.text(0, 1), lsn))
    return sluice::Internal("CREATE_REPLICATION_SLOT returned no consistent point");
  const std::vector<uint32_t>& key = spec.plan->key();
  // Each column as its wire says, then each key column's text output (the
  // offsets' form of a key).
  std::string sql = "COPY (SELECT ";
  for (size_t i = 0; i < t.columns.size(); ++i)
    sql += (i ? ", " : "") + CopyExpression(conn->Identifier(t.columns[i].name),
                                            spec.plan->pg_type(i), spec.plan->wire(i));
  for (uint32_t k : key) sql += ", format('%s', " + conn->Identifier(t.columns[k].name) + ")";
  sql += " FROM " + t.sql_name;
  auto key_list = [&] {
    std::string list;
    for (size_t k = 0; k < key.size(); ++k)
      list += (k ? ", " : "") + conn->Identifier(t.columns[key[k]].name);
    return list;
  };
  if (!spec.after.empty()) {
    std::string values;
    for (size_t k = 0; k < key.size(); ++k)
      values +=
          (k ? ", " : "") + conn->Literal(spec.after[k]) + "::" + spec.plan->pg_type(key[k]).name;
    sql += " WHERE (" + key_list() + ") > (" + values + ")";
  }
  if (spec.ordered) sql += " ORDER BY " + key_list();
  sql += ") TO STDOUT WITH (FORMAT binary)";
  PgResult estimate;
  SLUICE_RETURN_IF_ERROR(conn->Exec(
      "SELECT greatest(reltuples, 0)::int8 FROM pg_class WHERE oid = " + std::to_string(t.oid),
      "estimate the rows of " + t.Display(), &estimate));
  SLUICE_RETURN_IF_ERROR(conn->StartCopy(sql, "copy " + t.Display()));
  out->reset(new Snapshot(std::move(conn), t.columns.size(), key.size()));
  if (estimate.rows() == 1)
    (*out)->estimated_rows_ = std::strtoull(estimate.str(0, 0).c_str(), nullptr, 10);
  return Status();
}

Status Snapshot::Next(int timeout_ms, bool* got, bool* done) {
  std::string_view message;
  Status s = conn_->GetCopyData(timeout_ms, &message, got, done);
  if (!s.ok()) return s.WithContext("copy");
  if (*done) {
    SLUICE_RETURN_IF_ERROR(conn_->Exec("COMMIT", "end the snapshot transaction"));
    conn_.reset();  // ends the session (and a temporary slot)
    return Status();
  }
  if (!*got) return Status();
  bytes_ += message.size();
  bool end = false;
  if (!SplitBinaryRow(message, &fields_, &end))
    return sluice::Internal("COPY sent a malformed binary row");
  if (end) return Next(timeout_ms, got, done);  // the trailer: the end follows
  if (fields_.size() != columns_ + keys_)
    return sluice::Internal("COPY sent a row of " + std::to_string(fields_.size()) +
                            " fields, expected " + std::to_string(columns_ + keys_));
  ++rows_;
  key_.resize(keys_);
  for (size_t k = 0; k < keys_; ++k) {
    const CopyField& f = fields_[columns_ + k];
    if (f.null) return sluice::Internal("a copied row has a null key column");
    key_[k].assign(f.text.data(), f.text.size());
  }
  return Status();
}

}  // namespace pgsrc
