// Decoding of captured kernel objects and pointed-to memory of generic hook arguments: file,
// path, dentry and linux_binprm (header + path components), cred, sockaddr.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <octagon/events/policy_event.h>

namespace octagon::sensors {

// "-rw-r--r--", "drwxr-xr-x" from an inode mode, as `ls -l` shows it.
std::string mode_string(uint16_t mode);

// OCT_GA_FILE/PATH/DENTRY/BINPRM captures: struct oct_gen_file_hdr, then path components.
void decode_file_arg(std::string_view raw, uint8_t arg_flags, events::Argument& a);
// OCT_GA_CRED captures (struct oct_gen_cred).
void decode_cred_arg(std::string_view raw, events::Argument& a);
// OCT_GA_SOCKADDR captures: family, address and port (AF_INET/AF_INET6), path (AF_UNIX; an
// abstract name is shown as "@name").
void decode_sockaddr_arg(std::string_view raw, events::Argument& a);

}  // namespace octagon::sensors
