// markup: text made safe for the XML and HTML the report formats write (JUnit, HTML, SVG titles).
#pragma once

#include <string>
#include <string_view>

namespace conclab {

// Text made safe for XML character data and attributes; bytes XML 1.0 cannot hold become '?'.
std::string xml_escape(std::string_view text);

}  // namespace conclab
