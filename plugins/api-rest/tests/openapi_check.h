// A strict structural check of OpenAPI 3.0 documents, for tests that must
// run whether or not an external validator is installed. It checks what
// a 3.0 document may contain, not only what this plugin writes:
//
//   - the top level: "openapi" 3.0.x, "info" with title and version,
//     "paths"; no key outside the 3.0 fixed fields (x- extensions allowed);
//   - paths start with '/', every {template} has a required path parameter
//     and every path parameter a {template}; operations have unique
//     operationIds and non-empty responses keyed "default", 1XX..5XX or a
//     three-digit code, each with a description (or a $ref);
//   - parameters name where they are ("in": query, header, path, cookie)
//     and carry a schema or content; request bodies carry content;
//   - schemas use only 3.0 keywords, a single "type" of the six 3.0 types,
//     arrays have "items", "required" lists declared properties,
//     "nullable" is a boolean, a $ref stands alone;
//   - every $ref resolves inside the document, to the kind of component
//     expected where it is used (schemas, responses, headers, ...).
//
//   std::vector<std::string> problems = CheckOpenApi30(json);
//   EXPECT_TRUE(problems.empty()) << problems[0];
#ifndef SLUICE_PLUGINS_API_REST_TESTS_OPENAPI_CHECK_H_
#define SLUICE_PLUGINS_API_REST_TESTS_OPENAPI_CHECK_H_

#include <string>
#include <string_view>
#include <vector>

namespace sluice::rest::testing {

// Every problem found, each as "<JSON pointer>: <what is wrong>"; empty
// when the document passes. A document that is not JSON is one problem.
std::vector<std::string> CheckOpenApi30(std::string_view json);

}  // namespace sluice::rest::testing

#endif  // SLUICE_PLUGINS_API_REST_TESTS_OPENAPI_CHECK_H_
