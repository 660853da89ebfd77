// Restriction: an access rule's row filter and field list, compiled for
// one principal against one endpoint version's schema, and applied to
// every read of that principal (docs/security.md, "Access rules"):
//
// - the row filter is ANDed into the query's $filter before planning, so
//   it uses indexes like any condition and no $or or $not of the client's
//   can widen it; get by key answers "no record" for rows outside it;
//   counts and change feeds see the same rows;
// - fields outside the field list are null in every row handed out (the
//   version's schema as the principal sees it marks them nullable), and a
//   query naming one in $filter or $order_by is refused as naming an
//   unknown field.
//
//   std::shared_ptr<const Restriction> r;
//   Status s = CompileRestriction(*rule, "orders", principal, version_schema, &r);
//   if (s.ok()) s = Restrict(*r, &query);   // after ParseQuery, before RunQuery
#ifndef SLUICE_HOST_ACCESS_RESTRICTION_H_
#define SLUICE_HOST_ACCESS_RESTRICTION_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "access/principal.h"
#include "config/auth_config.h"
#include "core/table_schema.h"
#include "query/query.h"
#include "sluice/row.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice::host {

struct Restriction {
  bool filters = false;       // a row filter applies
  FilterNode filter;          // the row filter, parsed against the version's schema
  bool masks = false;         // a field list applies
  std::vector<bool> visible;  // per field (masks only)
  Schema schema;              // the version's schema with hidden fields nullable
  std::unique_ptr<const SchemaView> c_schema;  // schema, for the C boundary
};

// Compiles `rule` (of endpoint `endpoint`) for `p` against `schema`:
// replaces every string "$claims.NAME" in the row filter by the value of
// p's claim NAME (a top-level claim of that name, else a dotted path into
// objects), then parses it as a $filter. PERMISSION_DENIED when p lacks a
// claim the filter uses; INTERNAL (naming the rule) when the result does
// not parse against the schema (an unknown field, a claim of the wrong
// type).
Status CompileRestriction(const AccessRuleConfig& rule, std::string_view endpoint,
                          const Principal& p, const TableSchema& schema,
                          std::shared_ptr<const Restriction>* out);

// `schema` as a principal under `rule` sees it: fields outside the rule's
// field list (the primary key is always in) made nullable.
Schema VisibleSchema(const AccessRuleConfig& rule, const Schema& schema);

// Applies `r` to a parsed query: INVALID_ARGUMENT when $filter, $order_by or
// $select names a hidden field (as for an unknown one, listing the visible
// fields); then ANDs the row filter with the query's filter.
Status Restrict(const Restriction& r, const Schema& schema, Query* q);

// True when the row filter admits `row` (decoded against the schema).
bool Admits(const Restriction& r, const std::vector<Value>& row);

// The row as `r`'s principal may see it: `row` itself (*out untouched,
// returns false) without a field list; else *out gets `decoded` with hidden
// fields null, encoded (returns true).
bool MaskRow(const Restriction& r, const std::vector<Value>& decoded, std::string* out);

}  // namespace sluice::host

#endif  // SLUICE_HOST_ACCESS_RESTRICTION_H_
