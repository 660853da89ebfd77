// Rows of COPY ... TO STDOUT WITH (FORMAT binary), which the snapshot reads
// (PostgreSQL's documentation, COPY, "Binary Format").
#ifndef SLUICE_SOURCE_POSTGRES_PG_COPY_H_
#define SLUICE_SOURCE_POSTGRES_PG_COPY_H_

#include <string_view>
#include <vector>

namespace pgsrc {

struct CopyField {
  bool null = false;
  std::string_view text;  // the field's bytes, into the message
};

// One CopyData message of COPY ... TO STDOUT WITH (FORMAT binary): a tuple
// (a field count, then each field's length and bytes; -1 for null), preceded
// in the first message by the file header, or the trailer that ends the
// data (*end). Field views point into `message`. False when malformed.
bool SplitBinaryRow(std::string_view message, std::vector<CopyField>* fields, bool* end);

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PG_COPY_H_
