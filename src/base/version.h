// The Octagon version, as `octagon version` and the gRPC GetVersion report it.
#pragma once

namespace octagon {
inline constexpr const char* kOctagonVersion = "0.1.0";
}  // namespace octagon
