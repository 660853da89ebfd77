// One row of COPY ... TO STDOUT in PostgreSQL's text format: fields split
// at tabs, \N for null, backslash escapes (\\, \b, \f, \n, \r, \t, \v, octal
// \ooo, hex \xhh) undone. The snapshot reads the table this way.
#ifndef SLUICE_SOURCE_POSTGRES_PG_COPY_H_
#define SLUICE_SOURCE_POSTGRES_PG_COPY_H_

#include <string>
#include <string_view>
#include <vector>

namespace pgsrc {

struct CopyField {
  bool null = false;
  std::string_view text;  // into the line, or into the scratch buffer
};

// Splits `line` (one CopyData message; a trailing newline is ignored) into
// *fields. Unescaped text goes into *scratch, which must not change while
// the fields are used. False when the line is malformed (a lone trailing
// backslash).
bool SplitCopyRow(std::string_view line, std::vector<CopyField>* fields, std::string* scratch);

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PG_COPY_H_
