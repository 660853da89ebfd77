// PgReader's handling of pgoutput messages: transactions, the table's
// Relation messages (schema changes), its inserts, updates and deletes
// (with unchanged TOASTed values filled in), and TRUNCATE.
#include "pg_reader.h"

namespace pgsrc {

using sluice::FailedPrecondition;
using sluice::Status;

namespace {

// "column added: note (text), column removed: x": how `have` differs from `want`.
std::string DescribeChange(const sluice::Schema& want, const std::vector<std::string>& names,
                           const std::vector<std::string>& type_names,
                           const std::vector<sluice::Type>& types) {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  for (size_t i = 0; i < names.size(); ++i) {
    int at = want.FieldIndex(names[i]);
    if (at < 0) add("column added: " + names[i] + " (" + type_names[i] + ")");
    else if (want.fields[at].type != types[i])
      add("type changed: " + names[i] + " " + sluice::TypeName(want.fields[at].type) + " -> " +
          type_names[i] + " (" + sluice::TypeName(types[i]) + ")");
  }
  for (const sluice::Field& f : want.fields) {
    bool found = false;
    for (const std::string& n : names) found = found || n == f.name;
    if (!found) add("column removed: " + f.name);
  }
  if (out.empty()) out = "columns reordered";
  return out;
}

}  // namespace

void PgReader::DropOpenTransaction() {
  if (open_tx_begin_ < ready_.size())
    ready_.erase(ready_.begin() + static_cast<std::ptrdiff_t>(open_tx_begin_), ready_.end());
  held_ = false;
}

Status PgReader::Handle(const PgOutputMessage& m) {
  switch (m.kind) {
    case PgOutputMessage::kBegin:
      in_tx_ = true;
      tx_final_lsn_ = m.final_lsn;
      open_tx_begin_ = ready_.size();
      held_ = false;
      // A transaction replayed after a reconnect: the host has its first rows.
      if (skip_tx_ != m.final_lsn) skip_rows_ = 0;
      tx_delivered_ = skip_rows_;
      return Status();
    case PgOutputMessage::kCommit: return OnCommit(m);
    case PgOutputMessage::kRelation: return m.relid == s_.table.oid ? OnRelation(m) : Status();
    case PgOutputMessage::kInsert:
    case PgOutputMessage::kUpdate:
    case PgOutputMessage::kDelete: return m.relid == s_.table.oid ? OnChange(m) : Status();
    case PgOutputMessage::kTruncate:
      for (uint32_t relid : m.truncated) {
        if (relid != s_.table.oid) continue;
        DropOpenTransaction();
        deferred_ = FailedPrecondition(
            Where() + ": the table was truncated (transaction ending at LSN " +
            FormatLsn(tx_final_lsn_) +
            "); sluice has no way to empty a version, so this version stops at the rows before "
            "the truncate and keeps serving them. Run `sluice migrate --new ENDPOINT` to copy the "
            "table anew into a new version");
      }
      return Status();
    default: return Status();  // Type, Origin, Message: nothing to do
  }
}

Status PgReader::OnCommit(const PgOutputMessage& m) {
  if (held_) {
    held_row_.offset = StreamOffset(m.end_lsn);
    held_row_.lsn = m.end_lsn;
    ready_.push_back(std::move(held_row_));
    held_ = false;
  }
  in_tx_ = false;
  skip_rows_ = 0;
  processed_lsn_ = std::max(processed_lsn_, m.end_lsn);
  open_tx_begin_ = ready_.size();
  return Status();
}

Status PgReader::OnRelation(const PgOutputMessage& m) {
  PgConn* cat = nullptr;
  SLUICE_RETURN_IF_ERROR(CatalogConn(&cat));
  std::vector<ColumnType> types;
  std::vector<PgType> pg;
  std::vector<bool> ordered;
  std::vector<std::string> names, type_names;
  std::vector<sluice::Type> sluice_types;
  std::string unmapped;
  for (const RelationColumn& c : m.columns) {
    PgType t;
    SLUICE_RETURN_IF_ERROR(LoadType(*cat, c.type_oid, c.typmod, &types_, &t));
    ColumnType ct;
    Status mapped = MapType(t, s_.table_config.types, c.name, &ct);
    if (!mapped.ok()) unmapped = mapped.message();
    bool byte_ordered = false;
    for (const PgColumn& known : s_.table.columns)
      if (known.name == c.name) byte_ordered = known.byte_ordered;
    names.push_back(c.name);
    type_names.push_back(t.name);
    sluice_types.push_back(ct.type);
    types.push_back(ct);
    pg.push_back(t);
    ordered.push_back(byte_ordered);
  }
  bool same = unmapped.empty() && names.size() == s_.schema.fields.size();
  for (size_t i = 0; same && i < names.size(); ++i)
    same = names[i] == s_.schema.fields[i].name && sluice_types[i] == s_.schema.fields[i].type;
  if (!same) {
    DropOpenTransaction();
    deferred_ =
        Status(sluice::Code::kAborted,
               Where() + ": the table's schema changed (in the transaction ending at LSN " +
                   FormatLsn(tx_final_lsn_) + "): " +
                   (unmapped.empty() ? DescribeChange(s_.schema, names, type_names, sluice_types)
                                     : unmapped) +
                   ". This version has every change before it; run `sluice migrate` to start a new "
                   "version, which copies the table anew");
    return Status();
  }
  if (m.replica_identity == 'n')
    return FailedPrecondition(
        "the table's REPLICA IDENTITY is now NOTHING: updates and deletes "
        "no longer say which row they change");
  if (m.replica_identity != 'f')
    for (uint32_t k : s_.schema.primary_key)
      if (!m.columns[k].key)
        return FailedPrecondition("the endpoint's key column " + m.columns[k].name +
                                  " is no longer part of the table's replica identity: key the "
                                  "endpoint on the primary key, or set REPLICA IDENTITY FULL");
  plan_ = RowPlan(s_.schema, std::move(types), std::move(pg), std::move(ordered));
  have_relation_ = true;
  return Status();
}

Status PgReader::OnChange(const PgOutputMessage& m) {
  if (!have_relation_)
    return sluice::Internal("a change to the table came before its Relation message");
  const size_t n = plan_.columns();
  auto values = [&](const Tuple& t, std::vector<TextValue>* out) {
    if (t.size() != n) return false;
    out->resize(n);
    for (size_t i = 0; i < n; ++i) (*out)[i] = {t[i].kind != 't', t[i].text};
    return true;
  };
  auto bad_tuple = [&] {
    return sluice::Internal("a change carries " + std::to_string(m.new_tuple.size()) +
                            " columns, the table's Relation message " + std::to_string(n));
  };
  std::string row;
  KeyText key, old_key;
  if (m.kind == PgOutputMessage::kDelete) {
    if (!values(m.old_tuple, &old_values_)) return bad_tuple();
    if (!plan_.Key(old_values_, &key))
      return FailedPrecondition("a DELETE did not carry the endpoint's key columns");
    SLUICE_RETURN_IF_ERROR(plan_.EncodeDelete(old_values_, &row));
    return Produce(SLUICE_OP_DELETE, key, std::move(row));
  }
  if (!values(m.new_tuple, &values_)) return bad_tuple();
  if (m.kind == PgOutputMessage::kUpdate) {
    const bool has_old = m.old_kind != 0 && values(m.old_tuple, &old_values_);
    bool toasted = false;
    for (const TupleColumn& c : m.new_tuple) toasted = toasted || c.kind == 'u';
    if (toasted) {
      bool gone = false;
      SLUICE_RETURN_IF_ERROR(
          FillToasted(m.new_tuple, m.old_kind == 'O' ? &m.old_tuple : nullptr, &values_, &gone));
      if (gone) return Status();  // deleted (or re-keyed) later in the stream: that change follows
    }
    if (!plan_.Key(values_, &key))
      return FailedPrecondition("an UPDATE left a key column of the endpoint null");
    if (has_old && plan_.Key(old_values_, &old_key) && old_key != key) {
      std::string del;  // the key changed: the old row goes
      SLUICE_RETURN_IF_ERROR(plan_.EncodeDelete(old_values_, &del));
      SLUICE_RETURN_IF_ERROR(Produce(SLUICE_OP_DELETE, old_key, std::move(del)));
    }
    SLUICE_RETURN_IF_ERROR(plan_.Encode(values_, &row));
    return Produce(SLUICE_OP_UPDATE, key, std::move(row));
  }
  SLUICE_RETURN_IF_ERROR(plan_.Encode(values_, &row));
  if (!plan_.Key(values_, &key)) return FailedPrecondition("an INSERT has a null key column");
  return Produce(SLUICE_OP_INSERT, key, std::move(row));
}

Status PgReader::FillToasted(const Tuple& new_tuple, const Tuple* old_tuple,
                             std::vector<TextValue>* values, bool* gone) {
  *gone = false;
  std::vector<size_t> missing;
  for (size_t i = 0; i < new_tuple.size(); ++i) {
    if (new_tuple[i].kind != 'u') continue;
    if (old_tuple != nullptr && (*old_tuple)[i].kind == 't')
      (*values)[i] = {false, (*old_tuple)[i].text};  // REPLICA IDENTITY FULL sent it
    else missing.push_back(i);
  }
  if (missing.empty()) return Status();
  // PostgreSQL did not send the value because this update left it
  // unchanged: read it from the table. The row as it is now may be newer
  // than this change; later changes in the stream bring it up to date.
  KeyText key;
  for (uint32_t k : plan_.key())
    if ((*values)[k].null)
      return FailedPrecondition(
          "an UPDATE left a large key column unchanged and unsent; set "
          "REPLICA IDENTITY FULL on the table");
  plan_.Key(*values, &key);
  PgConn* cat = nullptr;
  SLUICE_RETURN_IF_ERROR(CatalogConn(&cat));
  std::string sql = "SELECT ";
  for (size_t j = 0; j < missing.size(); ++j)
    sql += (j ? ", " : "") + cat->Identifier(s_.schema.fields[missing[j]].name);
  sql += " FROM " + s_.table.sql_name + " WHERE ";
  for (size_t k = 0; k < plan_.key().size(); ++k)
    sql += (k ? " AND " : "") + cat->Identifier(s_.schema.fields[plan_.key()[k]].name) + " = $" +
           std::to_string(k + 1) + "::" + plan_.pg_type(plan_.key()[k]).name;
  SLUICE_RETURN_IF_ERROR(cat->Query(sql, key, "read unchanged TOASTed values", &toast_));
  if (toast_.rows() == 0) {
    *gone = true;
    return Status();
  }
  for (size_t j = 0; j < missing.size(); ++j)
    (*values)[missing[j]] = {toast_.null(0, static_cast<int>(j)),
                             toast_.text(0, static_cast<int>(j))};
  return Status();
}

Status PgReader::Produce(sluice_op op, const KeyText& key, std::string row) {
  // A change older than the snapshot that copied this key is in its row.
  uint64_t watermark = 0;
  for (const Segment& seg : state_.segments)
    if (plan_.CompareKeys(seg.after, key) < 0) watermark = seg.lsn;
  if (tx_final_lsn_ < watermark) return Status();
  if (skip_rows_ > 0) {
    --skip_rows_;
    return Status();
  }  // the host has it since before a reconnect
  if (held_) ready_.push_back(std::move(held_row_));
  held_row_ = Ready{op, std::move(row), std::string(), 0};
  held_ = true;
  return Status();
}

}  // namespace pgsrc
