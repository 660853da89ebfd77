// Base64url (RFC 4648 section 5), the encoding of JWT segments and of JWK
// key material: A-Z a-z 0-9 - _ and no padding.
#ifndef SLUICE_HOST_ACCESS_BASE64URL_H_
#define SLUICE_HOST_ACCESS_BASE64URL_H_

#include <string>
#include <string_view>

namespace sluice::host {

// Decodes `in` into *out (cleared first). False on a character outside the
// alphabet, on padding ('='), or on a length no encoding has (4n + 1).
bool Base64UrlDecode(std::string_view in, std::string* out);

// Appends the unpadded base64url encoding of `in` to *out.
void Base64UrlEncode(std::string_view in, std::string* out);

}  // namespace sluice::host

#endif  // SLUICE_HOST_ACCESS_BASE64URL_H_
