// Evaluating parsed queries against decoded rows: value comparison in the
// key codec's order (core/keycodec.h), filter matching and sort keys.
#ifndef SLUICE_HOST_QUERY_QUERY_FILTER_H_
#define SLUICE_HOST_QUERY_QUERY_FILTER_H_

#include <string>
#include <vector>

#include "query/query.h"
#include "sluice/row.h"

namespace sluice::host {

// Three-way comparison of two values of the same type in the order their
// key encodings sort: null first; numbers numerically (-0.0 == 0.0);
// false < true; strings bytewise. Returns <0, 0 or >0.
int CompareValues(const Value& a, const Value& b);

// True when `row` (decoded against the schema the query was parsed with)
// satisfies `node`.
bool MatchesFilter(const FilterNode& node, const std::vector<Value>& row);

// For $matches_all, $matches_any, $prefix: true when the words of `text`
// (core/text_tokens.h) satisfy `p` (docs/full_text.md).
bool MatchesText(const Predicate& p, std::string_view text);

// The word operators ($matches_all, $matches_any, $prefix) in `node`.
size_t TextScoreTerms(const FilterNode& node);

// The relevance of `row` for the word operators of `node` (docs/full_text.md,
// "Relevance"): occurrences of their words in the fields they test.
uint64_t TextScore(const FilterNode& node, const std::vector<Value>& row);

// True when `row` satisfies predicate `p`.
bool MatchesPredicate(const Predicate& p, const std::vector<Value>& row);

// Appends the sort key of `row` under `order`: bytes that compare (memcmp)
// like the rows compare in that order. Descending terms are stored with
// their bytes inverted (the encodings are prefix-free, so this reverses
// exactly that term).
void AppendSortKey(std::string* out, const std::vector<Value>& row,
                   const std::vector<OrderTerm>& order);

// The sort key of a cursor: after[i] is the value of order[i].field.
void AppendCursorKey(std::string* out, const std::vector<Literal>& after,
                     const std::vector<OrderTerm>& order, const Schema& schema);

}  // namespace sluice::host

#endif  // SLUICE_HOST_QUERY_QUERY_FILTER_H_
